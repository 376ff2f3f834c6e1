#!/usr/bin/python3
"""Writes a trafgen packet configuration for scripts/bench-forward: UDP over IPv4, one packet per
flow (trafgen sends them round robin), flows told apart by their UDP source port and, past the port
space, by the next source address.

--frame is the Ethernet frame size as benchmarks quote it, FCS included (64, 512, 1518); veth
carries no FCS, so the packet written is 4 bytes shorter. Headers are spelled out byte by byte with
their checksums computed here, so every packet is static and trafgen never rewrites it on the way out.
"""
import argparse
import struct
import sys

FCS = 4
ETH, IP4, UDP = 14, 20, 8


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def mac(text):
    parts = bytes(int(p, 16) for p in text.split(":"))
    if len(parts) != 6:
        raise ValueError(f"bad MAC {text}")
    return parts


def ip(text):
    parts = bytes(int(p) for p in text.split("."))
    if len(parts) != 4:
        raise ValueError(f"bad IPv4 address {text}")
    return parts


def packet(args, sport):
    wire = args.frame - FCS
    payload_len = wire - ETH - IP4 - UDP
    if payload_len < 0:
        raise ValueError(f"frame {args.frame} is too small for UDP over IPv4")
    src, dst = ip(getattr(args, "src_ip_now", args.src_ip)), ip(args.dst_ip)
    udp_len = UDP + payload_len
    # The payload is all zeros, so it adds nothing to the UDP checksum beyond its length.
    pseudo = src + dst + struct.pack("!BBH", 0, 17, udp_len)
    udp = struct.pack("!HHHH", sport, args.dport, udp_len, 0)
    udp_sum = checksum(pseudo + udp) or 0xFFFF
    udp = struct.pack("!HHHH", sport, args.dport, udp_len, udp_sum)
    ip_hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, IP4 + udp_len, 0, 0x4000, 64, 17, 0, src, dst)
    ip_hdr = ip_hdr[:10] + struct.pack("!H", checksum(ip_hdr)) + ip_hdr[12:]
    eth = mac(args.dst_mac) + mac(args.src_mac) + struct.pack("!H", 0x0800)
    head = ", ".join(f"0x{b:02x}" for b in eth + ip_hdr + udp)
    if payload_len:
        return f"{{ {head}, fill(0x00, {payload_len}) }}"
    return f"{{ {head} }}"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--frame", type=int, required=True, help="Ethernet frame size with FCS")
    parser.add_argument("--flows", type=int, required=True)
    parser.add_argument("--src-mac", required=True)
    parser.add_argument("--dst-mac", required=True)
    parser.add_argument("--src-ip", required=True)
    parser.add_argument("--dst-ip", required=True)
    parser.add_argument("--sport", type=int, default=10000, help="first UDP source port")
    parser.add_argument("--dport", type=int, default=9)
    args = parser.parse_args()
    ports = 65536 - args.sport
    if not 1 <= args.flows <= ports * 200:
        parser.error("--flows out of range for the source port and address space")
    # Past the source port space, the next flows come from the next source address.
    first = ip(args.src_ip)
    for i in range(args.flows):
        args.src_ip_now = ".".join(str(b) for b in first[:3] + bytes([first[3] + i // ports]))
        print(packet(args, args.sport + i % ports))
    return 0


if __name__ == "__main__":
    sys.exit(main())
