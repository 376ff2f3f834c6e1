"""Builds a scenario's pcap: runs the scenario's packets.py with these helpers, stamps times, writes the file.

usage: make_pcap.py SCENARIO_DIR OUT.pcap
packets.py defines PACKETS: a list of packets, or (seconds_after_start, packet) pairs.
"""
import sys
import logging
logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
from scapy.all import Ether, IP, TCP, UDP, ICMP, Raw, wrpcap

BASE = 1600000000.0
CLIENT, SERVER = "10.0.0.1", "10.0.0.2"
MAC_C, MAC_S = "02:00:00:00:00:01", "02:00:00:00:00:02"


def eth(src_ip):
    return Ether(src=MAC_C, dst=MAC_S) if src_ip == CLIENT else Ether(src=MAC_S, dst=MAC_C)


def session(sport, dport, exchanges, cli=CLIENT, srv=SERVER):
    """A TCP handshake, then ('c'|'s', bytes) segments from client or server."""
    c_seq, s_seq = 1000, 5000
    pk = [
        eth(cli) / IP(src=cli, dst=srv) / TCP(sport=sport, dport=dport, flags="S", seq=c_seq),
        eth(srv) / IP(src=srv, dst=cli) / TCP(sport=dport, dport=sport, flags="SA", seq=s_seq, ack=c_seq + 1),
        eth(cli) / IP(src=cli, dst=srv) / TCP(sport=sport, dport=dport, flags="A", seq=c_seq + 1, ack=s_seq + 1),
    ]
    c_seq += 1
    s_seq += 1
    for side, data in exchanges:
        if side == "c":
            pk.append(eth(cli) / IP(src=cli, dst=srv) / TCP(sport=sport, dport=dport, flags="PA", seq=c_seq, ack=s_seq) / Raw(data))
            c_seq += len(data)
        else:
            pk.append(eth(srv) / IP(src=srv, dst=cli) / TCP(sport=dport, dport=sport, flags="PA", seq=s_seq, ack=c_seq) / Raw(data))
            s_seq += len(data)
    return pk


def main():
    scenario, out = sys.argv[1], sys.argv[2]
    env = dict(globals())
    with open(f"{scenario}/packets.py") as f:
        exec(f.read(), env)
    stamped = []
    for i, p in enumerate(env["PACKETS"]):
        at, pkt = p if isinstance(p, tuple) else (i * 0.01, p)
        pkt.time = BASE + at
        stamped.append(pkt)
    wrpcap(out, stamped)


main()
