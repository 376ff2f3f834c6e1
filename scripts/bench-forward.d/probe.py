#!/usr/bin/python3
"""Latency probes for scripts/bench-forward.

send:  UDP datagrams at a fixed rate, each carrying a sequence number and its CLOCK_REALTIME send
       time in nanoseconds.
recv:  receives them with SO_TIMESTAMPNS (the kernel's CLOCK_REALTIME stamp at arrival, so the
       receiver's own wake-up delay is not counted) and prints one JSON line with the sample count
       and the p50/p99 one-way delay in microseconds.
hello: a few datagrams so the bridge learns the sender's MAC before the measurement.

Sender and receiver live in different network namespaces of the same host, so they share the clock
and the difference of the two stamps is the one-way delay.
"""
import argparse
import json
import math
import socket
import struct
import sys
import time

# Payload: magic, sequence number, send time (ns). Little-endian, fixed size.
PROBE = struct.Struct("<4sQq")
MAGIC = b"BFWP"
SO_TIMESTAMPNS = getattr(socket, "SO_TIMESTAMPNS", 35)
SCM_TIMESTAMPNS = SO_TIMESTAMPNS
TIMESPEC = struct.Struct("@qq")


def percentile(sorted_values, fraction):
    """Nearest-rank percentile of an already sorted list."""
    if not sorted_values:
        return None
    rank = max(1, math.ceil(fraction * len(sorted_values)))
    return sorted_values[rank - 1]


def send(args):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((args.src, 0))
    interval_ns = 1_000_000_000 // args.rate
    count = int(args.rate * args.seconds)
    start = time.monotonic_ns()
    for seq in range(count):
        due = start + seq * interval_ns
        # Sleep most of the gap, then spin the last stretch: sleep() alone overshoots by tens of µs.
        while True:
            left = due - time.monotonic_ns()
            if left <= 0:
                break
            if left > 200_000:
                time.sleep((left - 150_000) / 1e9)
        sock.sendto(PROBE.pack(MAGIC, seq, time.time_ns()), (args.dst, args.port))
    return 0


def recv(args):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    sock.bind((args.bind, args.port))
    print("ready", flush=True)
    deadline = time.monotonic() + args.seconds
    delays_ns = []
    highest = -1
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        sock.settimeout(left)
        try:
            data, ancdata, _, _ = sock.recvmsg(64, socket.CMSG_SPACE(TIMESPEC.size))
        except socket.timeout:
            break
        if len(data) < PROBE.size:
            continue
        magic, seq, sent_ns = PROBE.unpack_from(data)
        if magic != MAGIC:
            continue
        arrived_ns = None
        for level, kind, value in ancdata:
            if level == socket.SOL_SOCKET and kind == SCM_TIMESTAMPNS:
                sec, nsec = TIMESPEC.unpack(value[: TIMESPEC.size])
                arrived_ns = sec * 1_000_000_000 + nsec
        if arrived_ns is None:
            arrived_ns = time.time_ns()
        delays_ns.append(arrived_ns - sent_ns)
        highest = max(highest, seq)
        if args.count and seq >= args.count - 1:
            break
    delays_ns.sort()
    p50 = percentile(delays_ns, 0.50)
    p99 = percentile(delays_ns, 0.99)
    json.dump({
        "received": len(delays_ns),
        "expected": args.count or highest + 1,
        "p50_us": None if p50 is None else round(p50 / 1000, 1),
        "p99_us": None if p99 is None else round(p99 / 1000, 1),
    }, sys.stdout)
    print()
    return 0


def hello(args):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((args.src, 0))
    for _ in range(3):
        sock.sendto(b"BFWH", (args.dst, args.port))
        time.sleep(0.01)
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="mode", required=True)
    s = sub.add_parser("send")
    s.add_argument("--src", required=True)
    s.add_argument("--dst", required=True)
    s.add_argument("--port", type=int, required=True)
    s.add_argument("--rate", type=int, default=1000, help="probes per second")
    s.add_argument("--seconds", type=float, required=True)
    r = sub.add_parser("recv")
    r.add_argument("--bind", required=True)
    r.add_argument("--port", type=int, required=True)
    r.add_argument("--seconds", type=float, required=True, help="stop listening after this long")
    r.add_argument("--count", type=int, default=0, help="number of probes the sender sends: stop as soon as the last one arrives")
    h = sub.add_parser("hello")
    h.add_argument("--src", required=True)
    h.add_argument("--dst", required=True)
    h.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    return {"send": send, "recv": recv, "hello": hello}[args.mode](args)


if __name__ == "__main__":
    sys.exit(main())
