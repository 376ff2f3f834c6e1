#!/usr/bin/python3
"""Reads the generator's tx counter and the sink's rx counter over one measurement window for
scripts/bench-forward, and prints {"offered", "delivered", "gen_dropped", "seconds"} as one JSON line. gen_dropped is gen0's
tx drop counter: frames the veth could not hand to the DUT's port (its backlog was full), which
never count as offered.

Both counters live in different network namespaces. /proc/net/dev shows the namespace of the
process that opens it, so this process joins each namespace once (setns) to open its file, then
re-reads both open files back to back: the two samples are microseconds apart and share one window,
where two 'ip netns exec cat' calls would be milliseconds apart on a busy box.
"""
import argparse
import ctypes
import json
import os
import sys
import time

CLONE_NEWNET = 0x40000000
RX_PACKETS, TX_PACKETS, TX_DROP = 1, 9, 11  # columns after "dev:" in /proc/net/dev


def open_in_namespace(libc, namespace):
    with open(f"/run/netns/{namespace}") as ns:
        if libc.setns(ns.fileno(), CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), f"setns {namespace}: {os.strerror(ctypes.get_errno())}")
    return os.open("/proc/self/net/dev", os.O_RDONLY)


def read_counter(fd, device, column):
    text = os.pread(fd, 1 << 16, 0).decode()
    for line in text.splitlines()[2:]:
        name, _, fields = line.partition(":")
        if name.strip() == device:
            return int(fields.split()[column])
    raise LookupError(f"no device {device} in /proc/net/dev")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gen", required=True, help="NAMESPACE:DEVICE whose tx_packets is the offered load")
    parser.add_argument("--sink", required=True, help="NAMESPACE:DEVICE whose rx_packets is the delivered load")
    parser.add_argument("--warmup", type=float, required=True, help="seconds to wait before the window opens")
    parser.add_argument("--window", type=float, required=True, help="seconds")
    args = parser.parse_args()
    libc = ctypes.CDLL(None, use_errno=True)
    gen_ns, gen_dev = args.gen.split(":")
    sink_ns, sink_dev = args.sink.split(":")
    with open("/proc/self/ns/net") as home:
        gen_fd = open_in_namespace(libc, gen_ns)
        sink_fd = open_in_namespace(libc, sink_ns)
        libc.setns(home.fileno(), CLONE_NEWNET)

    def sample():
        t = time.monotonic()
        return (t, read_counter(gen_fd, gen_dev, TX_PACKETS), read_counter(sink_fd, sink_dev, RX_PACKETS),
                read_counter(gen_fd, gen_dev, TX_DROP))

    time.sleep(args.warmup)
    t0, g0, s0, d0 = sample()
    time.sleep(args.window)
    t1, g1, s1, d1 = sample()
    print(json.dumps({"offered": g1 - g0, "delivered": s1 - s0, "gen_dropped": d1 - d0, "seconds": round(t1 - t0, 6)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
