#!/usr/bin/python3
"""Splits CPU profiles of benchmark cells into who spends the time, in microseconds per request.

    breakdown.py --rounds docs/benchmarks/quick-rounds.csv /tmp/adaptiveio-bench/cells/r1-*-plaintext-c256-rate

Each cell directory (`r<round>-<server>-<workload>`, as `bench.py --profile cpu` leaves them) holds
async-profiler's collapsed stacks; its CPU per request comes from the run's rounds CSV. A sample
belongs to the kernel when its leaf frame is a kernel frame, else to the innermost frame of a known
owner (a JDK frame such as ByteBuffer.put counts for whoever called it), else to the JVM (GC,
compiler, interpreter). Undertow's Host header check is split out: its regex alone is about a tenth
of a keep-alive request on every server. The profile window follows the measured one, so the split
is scaled to the measured CPU per request. Standard library only; prints a Markdown table.
"""

import argparse
import collections
import csv
import re
from pathlib import Path

# Innermost match wins; order matters only among prefixes of one another.
OWNERS = [
    ("dev/adaptiveio/benchmarks/", "benchmark handler"),
    ("dev/adaptiveio/shaded/", "Netty natives (shaded)"),
    ("dev/adaptiveio/", "provider"),
    ("io/undertow/", "Undertow"),
    ("org/xnio/", "XNIO"),
    ("sun/nio/", "JDK NIO"),
    ("io/netty/", "Netty"),
]
HOST_CHECK = "io/undertow/server/handlers/HostHeaderHandler"
COLUMNS = ["kernel", "Undertow: Host header regex", "Undertow", "provider", "Netty natives (shaded)", "XNIO",
           "JDK NIO", "Netty", "benchmark handler", "JVM"]


def owner_of(frames):
    if frames and frames[-1].endswith("_[k]"):
        return "kernel"
    in_regex = False
    for frame in reversed(frames):
        in_regex = in_regex or frame.startswith("java/util/regex/")
        for prefix, owner in OWNERS:
            if frame.startswith(prefix):
                return "Undertow: Host header regex" if in_regex and frame.startswith(HOST_CHECK) else owner
    return "JVM"


def split(collapsed, io_thread_only):
    shares, total = collections.Counter(), 0
    for line in Path(collapsed).read_text(errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = stack.split(";")
        if frames[0].startswith("[") and (io_thread_only and not re.search(r"I/O|EventLoop", frames[0])):
            continue  # another thread of the server: JIT compiler, GC, VM thread
        frames = frames[1:] if frames[0].startswith("[") else frames
        total += int(count)
        shares[owner_of(frames)] += int(count)
    return shares, total


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rounds", type=Path, required=True, help="the run's <mode>-rounds.csv (CPU per request)")
    p.add_argument("--all-threads", action="store_true", help="count every thread, not only the I/O thread")
    p.add_argument("cells", nargs="+", type=Path)
    args = p.parse_args()
    cpu = {}
    with open(args.rounds) as f:
        for row in csv.DictReader(f):
            if row.get("cpu_us_per_req"):
                cpu[(row["round"], row["server"], row["workload"])] = float(row["cpu_us_per_req"])
    print("| server | workload | CPU us/req | " + " | ".join(COLUMNS) + " |")
    print("|---|---|---|" + "---|" * len(COLUMNS))
    for cell in args.cells:
        m = re.fullmatch(r"r(\d+)-(.+?)-((?:plaintext|pipelined|h2c|1m|16k|static|churn)[\w-]*)", cell.name)
        collapsed = cell / "profile-cpu.collapsed"
        if not m or not collapsed.exists():
            print(f"<!-- skipped {cell}: not a profiled cell -->")
            continue
        rnd, server, workload = m.groups()
        us = cpu.get((rnd, server, workload))
        if us is None:
            print(f"<!-- skipped {cell}: no CPU per request in {args.rounds} -->")
            continue
        shares, total = split(collapsed, not args.all_threads)
        cols = [f"{us * shares[c] / total:.2f}" if shares[c] else "" for c in COLUMNS]
        print(f"| {server} | {workload} | {us:.2f} | " + " | ".join(cols) + " |")


if __name__ == "__main__":
    main()
