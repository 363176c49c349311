#!/usr/bin/python3
"""Plots for a benchmark run (Debian's python3-matplotlib) and the results block of docs/benchmarks.md.

Reads <out>/<mode>-summary.csv and <mode>-results.md written by bench.py; writes
<mode>-throughput-vs-connections.png, <mode>-cpu-per-request.png and <mode>-vs-nio.png, then
replaces the text between `<!-- BEGIN <mode> results -->` and `<!-- END <mode> results -->` in
the doc with <mode>-results.md.
"""

import argparse
import csv
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
ORDER = ["nio", "epoll", "io_uring", "adaptive", "adaptive+transplant", "netty-epoll", "netty-io_uring", "nginx"]
STYLE = {"nio": ("tab:gray", "o"), "epoll": ("tab:blue", "s"), "io_uring": ("tab:orange", "^"),
         "adaptive": ("tab:green", "D"), "adaptive+transplant": ("tab:olive", "d"),
         "netty-epoll": ("tab:purple", "v"), "netty-io_uring": ("tab:pink", "<"), "nginx": ("black", "x")}


CAVEAT = ""  # set in main() when the run was contended


def f(v):
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def load(path):
    with open(path) as fh:
        return list(csv.DictReader(fh))


def servers_in(rows):
    present = {r["server"] for r in rows}
    return [s for s in ORDER if s in present]


def err(rows, field):
    mids = [f(r[field]) or 0 for r in rows]
    lo = [max(0, m - (f(r[field + "_min"]) if f(r.get(field + "_min")) is not None else m)) for m, r in zip(mids, rows)]
    hi = [max(0, (f(r[field + "_max"]) if f(r.get(field + "_max")) is not None else m) - m) for m, r in zip(mids, rows)]
    return mids, [lo, hi]


def lines_vs_connections(summary, field, ylabel, title, path, mode, group="plaintext"):
    plain = [r for r in summary if r["group"] == group and f(r[field]) is not None]
    if not plain:
        return False
    fig, ax = plt.subplots(figsize=(8, 5))
    for server in servers_in(plain):
        rows = sorted((r for r in plain if r["server"] == server), key=lambda r: int(r["conns"]))
        xs = [int(r["conns"]) for r in rows]
        ys, yerr = err(rows, field)
        color, marker = STYLE.get(server, (None, "o"))
        ax.errorbar(xs, ys, yerr=yerr, label=server, color=color, marker=marker, capsize=3)
    ax.set_xscale("log", base=2)
    ax.set_xticks(sorted({int(r["conns"]) for r in plain}))
    ax.get_xaxis().set_major_formatter(matplotlib.ticker.ScalarFormatter())
    ax.set_xlabel("keep-alive connections (" + ("h2load --h1" if group == "plaintext-rate" else "wrk")
                  + ", 1 thread, CPU 1)")
    ax.set_ylabel(ylabel)
    ax.set_ylim(bottom=0)
    ax.set_title(f"{title} [{mode}]{CAVEAT}")
    ax.grid(True, alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


def bars(summary, field, ylabel, title, path, mode, ref_line=None):
    rows = [r for r in summary if f(r[field]) is not None]
    if not rows:
        return False
    workloads = list(dict.fromkeys(r["workload"] for r in rows))
    servers = servers_in(rows)
    width = 0.8 / max(1, len(servers))
    fig, ax = plt.subplots(figsize=(max(8, 1.2 * len(workloads) + 2), 5))
    for i, server in enumerate(servers):
        xs, ys, yerr_lo, yerr_hi = [], [], [], []
        for j, w in enumerate(workloads):
            match = [r for r in rows if r["server"] == server and r["workload"] == w]
            if not match:
                continue
            m, e = err(match, field)
            xs.append(j + (i - (len(servers) - 1) / 2) * width)
            ys.append(m[0])
            yerr_lo.append(e[0][0])
            yerr_hi.append(e[1][0])
        color, _ = STYLE.get(server, (None, "o"))
        ax.bar(xs, ys, width, yerr=[yerr_lo, yerr_hi], label=server, color=color, capsize=2)
    if ref_line is not None:
        ax.axhline(ref_line, color="gray", linestyle="--", linewidth=1)
    ax.set_xticks(range(len(workloads)))
    ax.set_xticklabels(workloads, rotation=30, ha="right")
    ax.set_ylabel(ylabel)
    ax.set_title(f"{title} [{mode}]{CAVEAT}")
    ax.grid(True, axis="y", alpha=0.3)
    ax.legend(fontsize="small")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


def update_doc(doc, mode, block):
    begin, end = f"<!-- BEGIN {mode} results -->", f"<!-- END {mode} results -->"
    text = doc.read_text() if doc.exists() else ""
    if begin in text and end in text:
        head, rest = text.split(begin, 1)
        _, tail = rest.split(end, 1)
        doc.write_text(f"{head}{begin}\n{block.strip()}\n{end}{tail}")
        return True
    return False


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--mode", default="quick")
    p.add_argument("--out", type=Path, default=REPO / "docs" / "benchmarks")
    p.add_argument("--doc", type=Path, default=REPO / "docs" / "benchmarks.md")
    p.add_argument("--no-doc", action="store_true", help="only draw the plots")
    args = p.parse_args()
    summary = load(args.out / f"{args.mode}-summary.csv")
    global CAVEAT
    contended = [f(r.get("cpu0_other_util_max")) or 0 for r in summary]
    if contended and max(contended) > 0.05:
        CAVEAT = "\nCONTENDED MACHINE (others used up to {:.0%} of the server's CPU): indicative only".format(
            max(contended))
    made = []
    name = f"{args.mode}-throughput-vs-connections.png"
    if lines_vs_connections(summary, "rps", "requests/s (median, min-max)",
                            "Plaintext keep-alive throughput (load-generator bound on 2 cores)", args.out / name,
                            args.mode):
        made.append(name)
    name = f"{args.mode}-cpu-per-request-vs-connections.png"
    if lines_vs_connections(summary, "cpu_us_per_req", "server CPU µs per request (median, min-max)",
                            "Plaintext keep-alive: server CPU per request (lower is better)", args.out / name,
                            args.mode):
        made.append(name)
    name = f"{args.mode}-cpu-per-request.png"
    if bars(summary, "cpu_us_per_req", "server CPU µs per request", "Server CPU per request, every workload",
            args.out / name, args.mode):
        made.append(name)
    name = f"{args.mode}-cpu-per-request-fixed-rate.png"
    if lines_vs_connections(summary, "cpu_us_per_req", "server CPU µs per request (median, min-max)",
                            "Keep-alive at a fixed request rate (h2load --h1 --rps): server CPU per request",
                            args.out / name, args.mode, group="plaintext-rate"):
        made.append(name)
    name = f"{args.mode}-rps-vs-nio.png"
    if bars([r for r in summary if not r["group"].startswith("plaintext")], "rps_vs_nio", "requests/s relative to nio (same round)",
            "Throughput vs Undertow on nio, server-bound workloads", args.out / name, args.mode, ref_line=1.0):
        made.append(name)
    results = (args.out / f"{args.mode}-results.md").read_text()
    pictures = "\n".join(f"![{n}](benchmarks/{n})" for n in made)
    if args.no_doc:
        print(f"plots: {', '.join(made)}")
        return
    updated = update_doc(args.doc, args.mode, results + "\n" + pictures + "\n")
    print(f"plots: {', '.join(made)}; {args.doc} {'updated' if updated else 'has no results markers for ' + args.mode}")


if __name__ == "__main__":
    main()
