#!/usr/bin/python3
"""Turns the raw counter samples of scripts/bench-forward into the table and the JSON file.

Each results line holds: name, driver, workers, frame, flows, then four samples "value start end"
(gen0 tx_packets and sink0 rx_packets before and after the window; start/end are the wall clock
just before and after the read), then the probe receiver's JSON. A rate is the counter delta over
the time between the midpoints of its two reads.
"""
import argparse
import json
import os
import platform
import sys


def rate(before, after):
    v0, a0, b0 = before.split()
    v1, a1, b1 = after.split()
    t0 = (float(a0) + float(b0)) / 2
    t1 = (float(a1) + float(b1)) / 2
    return (int(v1) - int(v0)) / (t1 - t0)


def read_rows(path):
    rows = []
    with open(path) as f:
        for line in f:
            fields = line.rstrip("\n").split("\t")
            if len(fields) < 9:
                continue
            name, driver, workers, frame, flows, g0, g1, s0, s1 = fields[:9]
            probe = json.loads(fields[9]) if len(fields) > 9 and fields[9].strip() else {}
            offered = rate(g0, g1)
            delivered = rate(s0, s1)
            # In-flight frames at the window edges can make delivered exceed offered by a hair.
            loss = max(0.0, 1.0 - delivered / offered) if offered > 0 else None
            rows.append({
                "name": name,
                "driver": driver,
                "workers": None if workers == "-" else int(workers),
                "frame": int(frame),
                "flows": int(flows),
                "offered_pps": round(offered),
                "delivered_pps": round(delivered),
                "loss": None if loss is None else round(loss, 4),
                "p50_us": probe.get("p50_us"),
                "p99_us": probe.get("p99_us"),
                "probes_received": probe.get("received", 0),
                "probes_sent": probe.get("expected", 0),
            })
    return rows


def add_ratios(rows):
    kernel = {(r["frame"], r["flows"]): r for r in rows if r["name"] == "kernel-bridge"}
    for r in rows:
        ref = kernel.get((r["frame"], r["flows"]))
        r["vs_kernel"] = round(r["delivered_pps"] / ref["delivered_pps"], 3) if ref and ref["delivered_pps"] > 0 else None
        r["vs_offered"] = round(r["delivered_pps"] / r["offered_pps"], 3) if r["offered_pps"] > 0 else None


def text(value, digits=None):
    if value is None:
        return "-"
    if digits is not None:
        return f"{value:.{digits}f}"
    return str(value)


def print_table(rows, skipped, failed, args):
    header = ["name", "driver", "workers", "frame", "flows", "offered_pps", "delivered_pps",
              "loss %", "p50_us", "p99_us", "vs kernel"]
    body = [[r["name"], r["driver"], text(r["workers"]), str(r["frame"]), str(r["flows"]),
             str(r["offered_pps"]), str(r["delivered_pps"]),
             text(None if r["loss"] is None else r["loss"] * 100, 2),
             text(r["p50_us"]), text(r["p99_us"]), text(r["vs_kernel"], 2)] for r in rows]
    widths = [max(len(h), *(len(line[i]) for line in body)) if body else len(h) for i, h in enumerate(header)]
    numeric = set(range(2, len(header)))

    def fmt(cells):
        return "  ".join(c.rjust(w) if i in numeric else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths)))

    print()
    print(fmt(header))
    print("  ".join("-" * w for w in widths))
    for line in body:
        print(fmt(line))
    for name, reason in skipped:
        print(f"{name}: skipped: {reason}")
    for name in failed:
        print(f"{name}: FAILED (see the messages above)")
    print()
    print(f"frame = Ethernet size with FCS (veth carries 4 bytes less); {args.window} s at the generator's full "
          f"rate per row; p50/p99 = one-way delay of {args.probe_rate} pps probes over {args.background_rate} "
          f"of the same traffic; vs kernel = delivered / kernel-bridge delivered.")
    print(f"host: {os.cpu_count()} CPUs, kernel {platform.release()}, load average {args.load_start} at start, "
          f"{args.load_end} at end, {args.elapsed} s.")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--results", required=True)
    parser.add_argument("--skipped", required=True)
    parser.add_argument("--failed", required=True)
    parser.add_argument("--mode", required=True)
    parser.add_argument("--window", type=float, required=True)
    parser.add_argument("--latency-seconds", type=float, required=True)
    parser.add_argument("--probe-rate", type=int, required=True)
    parser.add_argument("--background-rate", required=True)
    parser.add_argument("--load-start", required=True)
    parser.add_argument("--load-end", required=True)
    parser.add_argument("--elapsed", type=int, required=True)
    parser.add_argument("--json")
    args = parser.parse_args()

    rows = read_rows(args.results)
    add_ratios(rows)
    with open(args.skipped) as f:
        skipped = [tuple(line.rstrip("\n").split("\t", 1)) for line in f if line.strip()]
    with open(args.failed) as f:
        failed = [line.strip() for line in f if line.strip()]
    print_table(rows, skipped, failed, args)

    if args.json:
        document = {
            "configs": rows,
            "skipped": [{"name": n, "reason": r} for n, r in skipped],
            "failed": failed,
            "conditions": {
                "mode": args.mode,
                "cpus": os.cpu_count(),
                "kernel": platform.release(),
                "load_average_start": args.load_start,
                "load_average_end": args.load_end,
                "window_s": args.window,
                "latency_s": args.latency_seconds,
                "probe_rate_pps": args.probe_rate,
                "background_rate": args.background_rate,
                "elapsed_s": args.elapsed,
            },
        }
        with open(args.json, "w") as f:
            json.dump(document, f, indent=2)
            f.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
