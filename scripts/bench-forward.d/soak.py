#!/usr/bin/python3
"""Samples a bridged soak run for scripts/bench-forward --soak: the generator's tx and the sink's
rx counters (loss), the daemon's resident memory (/proc/PID/status VmRSS) and, from its Prometheus
endpoint in the DUT namespace, the managed heap, the flow table and the connections created and
evicted. Prints one JSON object with the samples and the summary, then the verdict lines; exits 1
when a bound is broken.

Bounds: loss at most --max-loss when given (a speed target, so by hand, not in CI); resident memory never above --rss-limit MiB; no growth after the
warm-up (the first quarter): the last quarter's highest RSS at most --max-growth MiB above the
second quarter's highest (a leak grows with traffic, a warmed-up daemon does not); the flow table
never over its size; with more flows offered than the table holds, evictions must happen.
"""
import argparse
import ctypes
import json
import os
import re
import sys
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from counters import CLONE_NEWNET, RX_PACKETS, TX_PACKETS, open_in_namespace, read_counter  # noqa: E402

METRICS = {
    "gc_heap": r'^dotnet_total_memory_bytes (\S+)$',
    "table_used": r'^bridge_flow_table_slots\{state="used"\} (\S+)$',
    "table_total": r'^bridge_flow_table_slots\{state="total"\} (\S+)$',
    "created": r'^bridge_connections_created_total (\S+)$',
    "evicted": r'^bridge_stage_events_total\{stage="FLOW-CREATION",counter="evicted"\} (\S+)$',
    "gen2": r'^dotnet_collection_count_total\{generation="2"\} (\S+)$',
    "gc_pause_s": r'^bridge_gc_pause_seconds_total (\S+)$',
}


def rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise LookupError("no VmRSS")


def scrape(url):
    text = urllib.request.urlopen(url, timeout=5).read().decode()
    values = {}
    for name, pattern in METRICS.items():
        m = re.search(pattern, text, re.MULTILINE)
        values[name] = float(m.group(1)) if m else None
    return values


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--pid", type=int, required=True)
    p.add_argument("--gen", required=True, help="NAMESPACE:DEVICE (offered)")
    p.add_argument("--sink", required=True, help="NAMESPACE:DEVICE (delivered)")
    p.add_argument("--dut", required=True, help="namespace of bridged, for its metrics endpoint")
    p.add_argument("--metrics", default="http://127.0.0.1:9477/metrics")
    p.add_argument("--seconds", type=float, required=True)
    p.add_argument("--interval", type=float, default=5)
    p.add_argument("--rate", type=float, required=True, help="offered rate, packets/s (for the report)")
    p.add_argument("--flows", type=int, required=True, help="distinct flows offered (for the report)")
    p.add_argument("--rss-limit", type=float, required=True, help="MiB")
    p.add_argument("--max-growth", type=float, default=24, help="MiB")
    p.add_argument("--max-loss", type=float, default=None, help="fraction; unset: loss is reported, not bounded")
    a = p.parse_args()

    libc = ctypes.CDLL(None, use_errno=True)
    gen_ns, gen_dev = a.gen.split(":")
    sink_ns, sink_dev = a.sink.split(":")
    gen_fd = open_in_namespace(libc, gen_ns)
    sink_fd = open_in_namespace(libc, sink_ns)
    # Stay in the DUT namespace: its loopback carries the metrics endpoint.
    with open(f"/run/netns/{a.dut}") as ns:
        if libc.setns(ns.fileno(), CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), "setns " + a.dut)

    samples = []
    start = time.monotonic()
    g0, s0 = read_counter(gen_fd, gen_dev, TX_PACKETS), read_counter(sink_fd, sink_dev, RX_PACKETS)
    while True:
        t = time.monotonic() - start
        m = scrape(a.metrics)
        samples.append({"t": round(t, 1), "rss_mib": round(rss_mib(a.pid), 1), **m,
                        "offered": read_counter(gen_fd, gen_dev, TX_PACKETS) - g0,
                        "delivered": read_counter(sink_fd, sink_dev, RX_PACKETS) - s0})
        if t >= a.seconds:
            break
        time.sleep(min(a.interval, max(0.1, a.seconds - t)))

    last = samples[-1]
    n = len(samples)
    second_quarter = [s["rss_mib"] for s in samples if a.seconds / 4 <= s["t"] < a.seconds / 2] or [samples[n // 4]["rss_mib"]]
    last_quarter = [s["rss_mib"] for s in samples if s["t"] >= a.seconds * 3 / 4] or [last["rss_mib"]]
    heaps = [s["gc_heap"] for s in samples if s["gc_heap"] is not None]
    summary = {
        "seconds": last["t"],
        "rate_pps": a.rate,
        "flows_offered": a.flows,
        "offered": last["offered"],
        "delivered": last["delivered"],
        "loss": round(1 - last["delivered"] / last["offered"], 6) if last["offered"] else None,
        "rss_max_mib": max(s["rss_mib"] for s in samples),
        "rss_growth_mib": round(max(last_quarter) - max(second_quarter), 1),
        "gc_heap_max_mib": round(max(heaps) / 2**20, 1) if heaps else None,
        "gc_heap_last_mib": round(heaps[-1] / 2**20, 1) if heaps else None,
        "gen2_collections": last["gen2"],
        # Every collection stops the worker too: the longest total pause within one sample interval.
        "gc_pause_s": last["gc_pause_s"],
        "gc_pause_max_interval_ms": round(1000 * max((b["gc_pause_s"] or 0) - (a_["gc_pause_s"] or 0) for a_, b in zip(samples, samples[1:])), 1) if n > 1 else None,
        "flows_created": last["created"],
        "flows_per_s": round((last["created"] - samples[0]["created"]) / last["t"]) if last["created"] is not None else None,
        "evicted": last["evicted"],
        "table_used_max": max(s["table_used"] or 0 for s in samples),
        "table_total": last["table_total"],
    }
    print(json.dumps({"summary": summary, "samples": samples}))

    problems = []
    if summary["loss"] is None:
        problems.append("nothing offered")
    elif a.max_loss is not None and summary["loss"] > a.max_loss:
        problems.append(f"loss {summary['loss']} above {a.max_loss}")
    if summary["rss_max_mib"] > a.rss_limit:
        problems.append(f"resident memory {summary['rss_max_mib']} MiB above the {a.rss_limit} MiB bound")
    if summary["rss_growth_mib"] > a.max_growth:
        problems.append(f"resident memory grew {summary['rss_growth_mib']} MiB after warm-up (bound {a.max_growth})")
    if summary["table_total"] and summary["table_used_max"] > summary["table_total"]:
        problems.append("flow table over its size")
    if summary["table_total"] and a.flows > summary["table_total"] and not summary["evicted"]:
        problems.append(f"{a.flows} flows offered to a {summary['table_total']:.0f}-slot table and nothing evicted")
    for line in problems:
        print("soak: FAILED: " + line)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
