#!/usr/bin/env python3
"""Summarizes bench/ab-mux-bench.sh's progress log: median and range of every figure per build (A, B)."""
import collections
import re
import statistics
import sys

figures = collections.defaultdict(list)
build = None
for line in open(sys.argv[1], encoding="utf-8"):
    started = re.match(r"run (\d+) (\w)", line)
    if started:
        build = started.group(2)
        continue
    m = re.match(r"bench: (mux|direct) (in-memory|loopback TCP): (.*?): (.*)", line)
    if not m or build is None:
        continue
    who, transport, what, rest = m.groups()
    key = f"{who} {transport}: {what}"
    rate = re.search(r"moved ([\d,]+) MB/s", rest) or re.match(r"([\d,]+) MB/s", rest)
    if rate:
        suffix = " (bulk alongside)" if "moved" in rest else ""
        figures[(key + suffix + ", MB/s", build)].append(float(rate.group(1).replace(",", "")))
        continue
    lat = re.match(r"p50 ([\d.]+) us, p99 ([\d.]+) us", rest)
    if lat:
        figures[(key + ", p50 us", build)].append(float(lat.group(1)))
        figures[(key + ", p99 us", build)].append(float(lat.group(2)))

def cell(values):
    if not values:
        return ""
    return f"{statistics.median(values):,.1f} ({min(values):,.1f}–{max(values):,.1f})"

print("| figure | A: median (min–max) | B: median (min–max) | runs |")
print("| --- | --- | --- | --- |")
for name in sorted({k[0] for k in figures}):
    a, b = figures.get((name, "A"), []), figures.get((name, "B"), [])
    print(f"| {name} | {cell(a)} | {cell(b)} | {len(a)} / {len(b)} |")
for transport in ("in-memory", "loopback TCP"):
    for build in "AB":
        loaded = figures.get((f"mux {transport}: round trip under bulk, p99 us", build), [])
        idle = figures.get((f"mux {transport}: round trip idle, p99 us", build), [])
        if loaded and idle:
            ratios = [x / y for x, y in zip(loaded, idle)]
            print(f"\nunder-bulk p99 ÷ idle p99, mux {transport}, {build}: median {statistics.median(ratios):.1f}× "
                  f"(per run: {', '.join(f'{r:.1f}×' for r in ratios)})")
