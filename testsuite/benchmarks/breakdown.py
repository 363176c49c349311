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

from bench import WORKLOADS

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
# The thread frame (async-profiler's `threads` option) of an I/O thread: ours, or Netty's event loop.
IO_THREAD = re.compile(r"I/O|EventLoop")
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
        thread = frames.pop(0) if frames[0].startswith("[") else None
        if io_thread_only and thread and not IO_THREAD.search(thread):
            continue  # another thread of the server: JIT compiler, GC, VM thread
        total += int(count)
        shares[owner_of(frames)] += int(count)
    return shares, total


def cell_of(name):
    """(round, server, workload) of a cell directory named r<round>-<server>-<workload>, else None."""
    for workload in WORKLOADS:
        m = re.fullmatch(r"r(\d+)-(.+)-" + re.escape(workload), name)
        if m:
            return m.group(1), m.group(2), workload
    return None


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
        key = cell_of(cell.name)
        collapsed = cell / "profile-cpu.collapsed"
        if key is None or not collapsed.exists():
            print(f"<!-- skipped {cell}: not a profiled cell -->")
            continue
        rnd, server, workload = key
        us = cpu.get(key)
        if us is None:
            print(f"<!-- skipped {cell}: no CPU per request in {args.rounds} -->")
            continue
        shares, total = split(collapsed, not args.all_threads)
        cols = [f"{us * shares[c] / total:.2f}" if shares[c] else "" for c in COLUMNS]
        print(f"| {server} | {workload} | {us:.2f} | " + " | ".join(cols) + " |")


if __name__ == "__main__":
    main()
