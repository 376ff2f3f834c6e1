"""Sends a burst of hostile frames from host A's a0 (AF_PACKET, inside host A's namespace) and
prints, as JSON, how many frames it sent for each asp-drop keyword the bridge must count.

Frames leave untagged: the lab's tc shim pushes VLAN 1577 as the outer tag, as it does for host
A's own traffic, so every frame reaches the bridge on INSIDE. Frames that cannot cross a veth
(runts, giants) are covered by the pipeline's scenario tests instead.
usage: hostile_burst.py IFACE SRC_MAC DST_MAC
"""
import json
import socket
import sys
import time

from scapy.all import ICMP, IP, TCP, UDP, Dot1Q, Ether, IPv6, Raw
iface, mac_a, mac_b = sys.argv[1:4]
A, B = "192.168.103.1", "192.168.101.1"
A6, B6 = "2001:db8:103::1", "2001:db8:101::1"

frames = []
expected = {}


def add(keyword, packet):
    frames.append(packet)
    expected[keyword] = expected.get(keyword, 0) + 1


def l2():
    return Ether(src=mac_a, dst=mac_b)


def raw_ip(**fields):
    """An IPv4 echo request whose header lies; scapy keeps the explicit fields as given."""
    return l2() / IP(src=A, dst=B, **fields) / ICMP(id=0x4242, seq=1) / Raw(b"\x00" * 32)


# With the shim's outer tag these carry three tags.
add("invalid-encap", l2() / Dot1Q(vlan=5) / Dot1Q(vlan=6) / IP(src=A, dst=B) / ICMP())
add("l2_acl", Ether(src=mac_a, dst=mac_b, type=0x88B5) / Raw(b"\x00" * 46))
add("invalid-ip-header", raw_ip(ihl=3))
add("invalid-ip-length", raw_ip(len=200))
add("invalid-ip-length", raw_ip(len=10))
add("unsupported-ip-version", raw_ip(version=5))
add("ttl-exceeded", raw_ip(ttl=0))
add("invalid-ip-option", l2() / IP(src=A, dst=B, options=b"\x07\x27\x04" + b"\x00" * 37) / ICMP(id=0x4243))
add("invalid-ip-option", l2() / IP(src=A, dst=B, options=b"\x07\x00\x00\x00") / ICMP(id=0x4244))
add("sp-security-failed", l2() / IP(src=A, dst=A) / TCP(sport=139, dport=139, flags="S"))
add("bad-tcp-flags", l2() / IP(src=A, dst=B) / TCP(sport=40001, dport=80, flags="SF"))
add("bad-tcp-flags", l2() / IP(src=A, dst=B) / TCP(sport=40002, dport=80, flags="FPU"))
add("bad-tcp-flags", l2() / IP(src=A, dst=B) / TCP(sport=40003, dport=80, flags=""))
add("invalid-tcp-hdr-length", l2() / IP(src=A, dst=B) / TCP(sport=40004, dport=80, flags="S", dataofs=4))
add("invalid-tcp-hdr-length", l2() / IP(src=A, dst=B) / TCP(sport=40005, dport=80, flags="S", dataofs=15))
# A 24-byte header whose only option claims a length of 1.
add("tcp-bad-option-list", l2() / IP(src=A, dst=B) / TCP(sport=40006, dport=80, flags="S", dataofs=6) / Raw(b"\x02\x01\x00\x00"))
add("invalid-udp-length", l2() / IP(src=A, dst=B) / UDP(sport=5000, dport=53, len=40) / Raw(b"\x00" * 12))
add("invalid-udp-length", l2() / IP(src=A, dst=B) / UDP(sport=5001, dport=53, len=4) / Raw(b"\x00" * 12))
add("invalid-ip-length", l2() / IP(src=A, dst=B, proto=1) / Raw(b"\x08\x00\x00\x00"))
# Fragments: tiny first fragment, an orphan, a ping of death, a teardrop (its first piece is good).
add("fragment-reassembly-failed", l2() / IP(src=A, dst=B, id=78, flags="MF", proto=6) / Raw(b"\x00" * 8))
add("fragment-reassembly-failed", l2() / IP(src=A, dst=B, id=79, frag=100, proto=17) / Raw(b"\x00" * 24))
add("fragment-reassembly-failed", l2() / IP(src=A, dst=B, id=80, frag=8191, proto=1) / Raw(b"\x00" * 16))
frames.append(l2() / IP(src=A, dst=B, id=77, flags="MF") / ICMP(id=0x4245, seq=1) / Raw(b"\x00" * 32))
add("fragment-reassembly-failed", l2() / IP(src=A, dst=B, id=77, frag=3, proto=1) / Raw(b"\x00" * 16))
# IPv6: a payload length lie and hop limit 0.
add("invalid-ip-length", l2() / IPv6(src=A6, dst=B6, plen=200) / UDP(sport=5000, dport=53) / Raw(b"\x00" * 8))
add("ttl-exceeded", l2() / IPv6(src=A6, dst=B6, hlim=0) / UDP(sport=5000, dport=53) / Raw(b"\x00" * 8))

# The built bytes go out through a plain packet socket, so no layer recomputes a lying field.
with socket.socket(socket.AF_PACKET, socket.SOCK_RAW) as s:
    s.bind((iface, 0))
    for f in frames:
        s.send(bytes(f))
        time.sleep(0.01)
print(json.dumps(expected, sort_keys=True))
