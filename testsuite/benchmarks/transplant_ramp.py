#!/usr/bin/env python3
"""Keep-alive ramp for issue 6: transplant against route-new-only (standard library only).

The scenario transplant exists for: a keep-alive load that arrives while the listener is on epoll
and then stays. Per cell, one fresh server pinned to CPU 0, load pinned to CPU 1:

  warm-up: 16 connections (below the controller's thresholds, pinned to 24 up / 48 at once / 12 down
           unless --java-opts sets them: the listener stays on epoll)
  t=0:     16 connections start (low load) and keep running to the end
  t=BURST: 240 more connections open at once (high load, 256 in all) and keep running to the end

The driver polls the server every 200 ms: requests served (/count) and, for an adaptive listener, the
connections per engine (/engines). Per cell it reports

  - switch_s:    from the burst until the controller has switched (new connections go to io_uring)
  - on_uring_s:  from the burst until no connection is left on epoll (empty when that never happens)
  - rps_after:   requests/s over the last AFTER seconds (all connections settled)
  - worst_200ms: the slowest 200 ms interval after the burst, as requests/s (the dip a move costs)
  - p99_ms:      wrk's p99 of the 240 joining connections over the whole run (moves included)

epoll and io_uring (pinned engines) run the same load as references. Servers are interleaved per round.

  transplant_ramp.py [--rounds 3] [--servers adaptive,adaptive+transplant,epoll,io_uring] [--out DIR]
"""

import argparse
import csv
import json
import os
import statistics
import sys
import threading
import time
import urllib.request
from pathlib import Path

import bench

LOW, HIGH = 16, 240
# Connections per I/O thread: LOW stays below up_threshold, LOW + HIGH passes high_watermark.
RAMP_THRESHOLDS = {"up_threshold": 24, "high_watermark": 48, "down_threshold": 12}
FIELDS = ["round", "server", "switch_s", "on_uring_s", "rps_after", "worst_200ms", "p99_ms", "p999_ms", "errors",
          "server_cpu_util", "cpu0_other_util", "engines_end", "note"]


def get(server, path):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{server.port}{path}", timeout=5) as response:
            return response.read().decode()
    except OSError:
        return None


def parse_engines(text):
    """{'active': 'io_uring', 'epoll': 0, 'io_uring': 256, 'switches': 1} from the first listener line."""
    if not text:
        return {}
    fields = dict(part.split("=", 1) for part in text.splitlines()[0].split())
    return {k: (v if k == "active" else int(v)) for k, v in fields.items()}


def poll(server, stop, samples):
    while not stop.is_set():
        t = time.monotonic()
        count = get(server, "/count")
        samples.append((t, int(count) if count else None, parse_engines(get(server, "/engines"))))
        stop.wait(0.2)


def run_cell(server, args, rnd, port):
    spec = dict(bench.WORKLOADS["plaintext-c16"])
    cell_dir = args.work / "cells" / f"transplant-r{rnd}-{server.name.replace('+', '_')}"
    cell_dir.mkdir(parents=True, exist_ok=True)
    row = dict(round=rnd, server=server.name, note="")
    try:
        server.start(port, spec, cell_dir / "server.log")
        bench.drive(server, dict(spec, conns=LOW), args.warmup, cell_dir, "warmup")
        samples, stop = [], threading.Event()
        poller = threading.Thread(target=poll, args=(server, stop, samples), daemon=True)
        poller.start()
        start = time.monotonic()
        pids = server.pids()
        t0, c0 = sum(bench.cpu_ticks(pids)), bench.cpu_times()
        low = bench.wrk(server, spec, args.burst + args.after + args.settle, conns=LOW)
        high = bench.wrk(server, spec, args.after + args.settle, conns=HIGH, delay=args.burst)
        burst = start + args.burst
        high_result = bench.parse_wrk(high)
        bench.parse_wrk(low)
        t1, c1 = sum(bench.cpu_ticks(pids)), bench.cpu_times()
        busy0, total0 = (c1[bench.SERVER_CPU][i] - c0[bench.SERVER_CPU][i] for i in (0, 1))
        row["server_cpu_util"] = round((t1 - t0) / total0, 3) if total0 else ""
        row["cpu0_other_util"] = round(max(0, busy0 - (t1 - t0)) / total0, 3) if total0 else ""
        if row["cpu0_other_util"] != "" and row["cpu0_other_util"] > bench.CONTENDED:
            row["note"] = f"contended: other processes used {row['cpu0_other_util']:.0%} of the server's CPU"
        stop.set()
        poller.join()
        after = [s for s in samples if s[0] >= burst and s[1] is not None]
        switch = next((s[0] - burst for s in after if s[2].get("switches", 0) > 0), None)
        on_uring = next((s[0] - burst for s in after
                         if s[2].get("io_uring", 0) >= LOW + HIGH and s[2].get("epoll", 1) == 0), None)
        end = burst + args.settle + args.after
        window = [s for s in after if end - args.after <= s[0] <= end]
        if len(window) >= 2:
            row["rps_after"] = round((window[-1][1] - window[0][1]) / (window[-1][0] - window[0][0]), 1)
        rates = [(b[1] - a[1]) / (b[0] - a[0]) for a, b in zip(after, after[1:])
                 if b[0] <= end and b[0] > a[0] and a[0] >= burst + 0.5]  # connection set-up itself is not a move
        row.update(switch_s=round(switch, 2) if switch is not None else "",
                   on_uring_s=round(on_uring, 2) if on_uring is not None else "",
                   worst_200ms=round(min(rates), 1) if rates else "",
                   p99_ms=bench.fmt(high_result["p99_ms"]), p999_ms=bench.fmt(high_result["p999_ms"]),
                   errors=high_result["errors"],
                   engines_end=" ".join(f"{k}={v}" for k, v in window[-1][2].items()) if window else "")
        (cell_dir / "timeline.json").write_text(json.dumps(
            [dict(t=round(t - burst, 3), served=c, **e) for t, c, e in samples]))
    except bench.Unavailable:
        raise
    except Exception as e:
        row["note"] = f"FAILED: {str(e)[:200]}"
    finally:
        server.stop()
    return row


def median(rows, field):
    values = [float(r[field]) for r in rows if r.get(field) not in ("", None)]
    if not values:
        return "never" if field == "on_uring_s" else ""
    g = lambda v: f"{v:,.0f}" if abs(v) >= 1000 else f"{v:.3g}"
    m = statistics.median(values)
    return g(m) if len(values) == 1 else f"{g(m)} ({g(min(values))}-{g(max(values))})"


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--servers", default="adaptive,adaptive+transplant,epoll,io_uring")
    p.add_argument("--warmup", type=int, default=8)
    p.add_argument("--burst", type=int, default=4, help="seconds of low load before the burst")
    p.add_argument("--settle", type=int, default=6, help="seconds after the burst before rps_after is measured")
    p.add_argument("--after", type=int, default=8)
    p.add_argument("--out", type=Path, default=bench.HERE.parent.parent / "docs" / "benchmarks")
    p.add_argument("--work", type=Path, default=Path("/tmp/adaptiveio-bench"))
    p.add_argument("--port", type=int, default=21000)
    p.add_argument("--java", default="java")
    p.add_argument("--java-opts", default="")
    p.add_argument("--offline", action="store_true")
    args = p.parse_args()
    args.java_opts = (args.java_opts + " --enable-native-access=ALL-UNNAMED").strip()
    if "adaptiveio.up_threshold" not in args.java_opts:
        # The scenario needs LOW connections to be low load. The defaults became 8 up / 32 at once /
        # 4 down after these figures were first taken (docs/transplant.md), and 16 would now switch
        # by itself; pin the thresholds the published figures were measured with.
        args.java_opts += " " + " ".join(f"-Dadaptiveio.{k}={v}" for k, v in RAMP_THRESHOLDS.items())

    args.work.mkdir(parents=True, exist_ok=True)
    (args.work / "www").mkdir(exist_ok=True)
    servers = []
    for name in args.servers.split(","):
        server = bench.UndertowServer(args.work, name, args)
        server.prepare()
        servers.append(server)
    os.sched_setaffinity(0, {int(bench.LOAD_CPU)})

    rows = []
    for rnd in range(1, args.rounds + 1):
        for server in servers:
            row = run_cell(server, args, rnd, bench.free_port(args.port))
            rows.append(row)
            bench.log(f"r{rnd} {server.name:20s} " + " ".join(f"{k}={row.get(k, '')}" for k in FIELDS[2:]))

    args.out.mkdir(parents=True, exist_ok=True)
    with open(args.out / "transplant-ramp.csv", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=FIELDS, extrasaction="ignore")
        w.writeheader()
        w.writerows(rows)
    md = ["| server | switch after burst (s) | all on io_uring after burst (s) | req/s after | worst 200 ms (req/s) "
          "| p99 ms (joining connections) | errors |", "|---|---:|---:|---:|---:|---:|---:|"]
    for server in servers:
        mine = [r for r in rows if r["server"] == server.name and not r["note"].startswith("FAILED")]
        md.append(f"| {server.name} | {median(mine, 'switch_s') if server.name.startswith('adaptive') else 'n/a'} "
                  f"| {median(mine, 'on_uring_s') if server.name.startswith('adaptive') else 'n/a'} "
                  f"| {median(mine, 'rps_after')} | {median(mine, 'worst_200ms')} | {median(mine, 'p99_ms')} "
                  f"| {sum(int(r.get('errors') or 0) for r in mine)} |")
    contended = [r for r in rows if r["note"].startswith("contended")]
    (args.out / "transplant-ramp.md").write_text(
        f"{args.rounds} round(s), interleaved; {LOW} connections, then {HIGH} more at t={args.burst} s; "
        f"req/s over the last {args.after} s; median (min-max). {len(contended)} of {len(rows)} cells contended "
        f"(other processes above {bench.CONTENDED:.0%} of the server's CPU).\n\n" + "\n".join(md) + "\n")
    print("\n".join(md))


if __name__ == "__main__":
    sys.exit(main())
