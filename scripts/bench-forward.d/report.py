#!/usr/bin/python3
"""Turns the raw counter samples of scripts/bench-forward into the table and the JSON file.

Each results line holds, tab-separated: name, driver, workers, frame, flows, the JSON of
counters.py (offered and delivered packets over one window) and the JSON of the probe receiver.
"""
import argparse
import json
import os
import platform
import sys


def read_rows(path):
    rows = []
    with open(path) as f:
        for line in f:
            fields = line.rstrip("\n").split("\t")
            if len(fields) < 6:
                continue
            name, driver, workers, frame, flows, counts = fields[:6]
            counts = json.loads(counts)
            probe = json.loads(fields[6]) if len(fields) > 6 and fields[6].strip() else {}
            offered = counts["offered"] / counts["seconds"]
            delivered = counts["delivered"] / counts["seconds"]
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
                "gen_dropped_pps": round(counts.get("gen_dropped", 0) / counts["seconds"]),
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
