#!/usr/bin/python3
"""Benchmark driver for adaptive-io (called by run.sh; standard library only).

Runs every server in SERVERS against every workload in interleaved rounds
(round 1: A B C ..., round 2: A B C ...), one fresh server process per cell:

  start server pinned to CPU 0 -> warm-up load -> measured load (requests/s, latency, CPU from
  /proc) -> syscall window (perf stat on raw_syscalls:sys_enter) -> peak RSS (VmHWM) -> stop.

Load generators (wrk, h2load) run pinned to CPU 1. Writes one CSV row per
server/workload/round, a summary CSV (median, min-max, ratios against `nio` computed within
each round) and a Markdown table; report.py draws the plots.
"""

import argparse
import concurrent.futures
import csv
import datetime
import hashlib
import json
import os
import random
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
NICE = []  # set from --nice
SERVER_CPU = "0"
LOAD_CPU = "1"
CLK_TCK = os.sysconf("SC_CLK_TCK")
PLAIN_CONNS = [1, 16, 64, 256, 1024]
# Fixed-rate keep-alive cells (h2load --h1 --rps): connections -> total requests/s. Below what the slowest
# server (and h2load on its one core) sustains at that connection count on the 2-core machine.
RATE_CONNS = {1: 6000, 16: 25000, 256: 35000, 1024: 35000}
RAMP_LAYERS = [16, 48, 192, 768]
WARMUP_REQUESTS = 60000  # per cell, see measure_cell
WARMUP_MAX_SECONDS = 30  # a warm-up ends by then whatever the JIT does (noted in the row)
WARMUP_JIT_QUIET = 0.05  # share of a core the compiler threads may use in warm-up's last second
CONTENDED = 0.05  # share of the server's CPU used by anything else before a cell is flagged
# Per-request counts of these go into the syscall_mix column (perf tracepoints, same window).
MIX_SYSCALLS = ["read", "readv", "recvfrom", "recvmsg", "write", "writev", "sendto", "sendmsg", "sendfile64",
                "splice", "pread64", "epoll_wait", "epoll_pwait", "epoll_pwait2", "epoll_ctl", "io_uring_enter",
                "accept", "accept4", "close", "shutdown", "futex", "statx", "openat", "setsockopt", "getsockopt",
                # JVM housekeeping (JIT code installation, thread churn, GC), to tell it apart from I/O
                "mprotect", "mmap", "munmap", "madvise", "gettid", "sysinfo", "sched_yield", "clock_nanosleep"]

UNDERTOW_PROVIDERS = ["nio", "epoll", "io_uring", "adaptive", "adaptive+transplant"]
PEERS = ["netty-epoll", "netty-io_uring", "nginx"]
ALL_SERVERS = UNDERTOW_PROVIDERS + PEERS
BASELINE = "@base"  # suffix: the provider's jars from --baseline (a build of another commit)


def server_order(name):
    base = name.endswith(BASELINE)
    return ALL_SERVERS.index(name[:-len(BASELINE)] if base else name) * 2 + (1 if base else 0)

# Servers that run only some workloads. adaptive+transplant differs from adaptive only where a switch
# finds established connections: the ramp (and transplant_ramp.py). In a steady cell the controller
# switches during the warm-up and the measured connections are opened afterwards, on the new engine.
# The two steady cells show what the boundary hook costs per request. --every-cell runs them all.
ONLY = {"adaptive+transplant": {"plaintext-c256", "pipelined-c256", "ramp-16-1024-16"}}

MODES = {
    # About 20 s per cell on an idle machine (the warm-up waits for the JIT): 10 minutes with all
    # eight servers; a development check, not a result (add workloads with --workloads).
    "quick": dict(rounds=1, warmup=2, lead=1, duration=3, syscall_window=1, ramp_step=1,
                  workloads=["plaintext-c256", "plaintext-c1024", "pipelined-c256", "h2c-c64"]),
    # The issue-13 target cells, 5 rounds in a shuffled server order: about 20 s per cell, 85 minutes
    # for five servers on an idle 2-core machine.
    "targets": dict(rounds=5, warmup=2, lead=1, duration=4, syscall_window=1, ramp_step=3, shuffle=True,
                    workloads=["plaintext-c1-rate", "plaintext-c16-rate", "plaintext-c256-rate",
                               "plaintext-c1024-rate", "plaintext-c256", "plaintext-c1024", "pipelined-c256",
                               "h2c-c64", "1m-c16", "static-c64"]),
    # Paired windows (measure_paired) for the cells whose targets sit within a few per cent: 30
    # passes, fresh servers every 10. About 4.5 s per window: 11 minutes per cell for five servers.
    "paired": dict(rounds=30, warmup=2, lead=1, duration=3, syscall_window=1, ramp_step=3, shuffle=True,
                   paired=True, restart_every=10, workloads=["plaintext-c256-rate", "plaintext-c1024-rate"]),
    # Every workload, 3 rounds: about 280 cells, 95 minutes or more.
    "full": dict(rounds=3, warmup=2, lead=1, duration=4, syscall_window=1, ramp_step=3,
                 workloads=None),  # None = every workload
}


def workloads():
    """name -> spec. kind: wrk | pipeline | h2load | ramp."""
    w = {}
    for c in PLAIN_CONNS:
        w[f"plaintext-c{c}"] = dict(kind="wrk", path="/plaintext", conns=c, group="plaintext")
    for c, rate in RATE_CONNS.items():
        # The same request rate for every server (below the slowest one's maximum), so CPU per request
        # compares servers doing the same work; keep-alive at full speed is bound by the load generator.
        w[f"plaintext-c{c}-rate"] = dict(kind="rate", path="/plaintext", conns=c, rate=rate, group="plaintext-rate")
    w["pipelined-c256"] = dict(kind="pipeline", path="/plaintext", conns=256, depth=16, group="pipelined")
    w["pipelined-buffered-c256"] = dict(kind="pipeline", path="/plaintext", conns=256, depth=16,
                                        group="pipelined", buffer_pipelined=True)
    w["churn-c64"] = dict(kind="wrk", path="/plaintext", conns=64, headers=["Connection: close"], group="churn")
    w["16k-c64"] = dict(kind="wrk", path="/16k", conns=64, group="body")
    w["1m-c16"] = dict(kind="wrk", path="/1m", conns=16, group="body", warmup_requests=3000)
    w["static-c64"] = dict(kind="wrk", path="/static/file-64k.bin", conns=64, group="static")
    w["h2c-c64"] = dict(kind="h2load", path="/plaintext", conns=64, streams=16, group="h2c")
    w["ramp-16-1024-16"] = dict(kind="ramp", path="/plaintext", conns=sum(RAMP_LAYERS), group="ramp")
    return w


WORKLOADS = workloads()


def log(msg):
    print(f"[bench {datetime.datetime.now().strftime('%H:%M:%S')}] {msg}", flush=True)


def run(cmd, **kw):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kw)


# ---------------------------------------------------------------------------------------------
# Servers

class Unavailable(Exception):
    """A server that cannot run here: skipped with this note, never faked."""


class Server:
    name = "?"
    jvm = False
    count_overhead = 0  # requests a /count read adds to the count itself

    def __init__(self, work):
        self.work = work
        self.proc = None
        self.port = None
        self.h2_port = None
        self.info = ""

    def prepare(self):
        """Raises Unavailable when this server cannot run on this machine."""

    def command(self, port, cell):
        raise NotImplementedError

    def pids(self):
        return [self.proc.pid]

    def start(self, port, cell, logfile):
        self.port = port
        self.h2_port = port
        cmd = NICE + ["taskset", "-c", SERVER_CPU] + self.command(port, cell)
        self.log = open(logfile, "w")
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        if self.jvm:
            wait_for_line("READY", self.proc, logfile)
        wait_for_port(self.port, self.proc, logfile)
        self.after_start(logfile)

    def after_start(self, logfile):
        pass

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def served(self):
        """Requests served so far, from the server's own counter (None if it has none)."""
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/count", timeout=10) as response:
                return self.parse_count(response.read().decode())
        except (OSError, ValueError):
            return None

    def parse_count(self, text):
        return int(text.strip())

    def engines(self):
        """An adaptive server's listener state ("active=io_uring epoll=0 io_uring=256 switches=1"), else ""."""
        if not self.name.startswith("adaptive"):
            return ""
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/engines", timeout=10) as response:
                return " | ".join(response.read().decode().split("\n")).strip(" |")
        except (OSError, ValueError) as e:
            return f"unreadable ({e})"

    def stop(self):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()
        self.proc = None


class UndertowServer(Server):
    jvm = True

    def __init__(self, work, provider, args):
        super().__init__(work)
        self.name = provider
        self.baseline = provider.endswith(BASELINE)
        provider = provider[:-len(BASELINE)] if self.baseline else provider
        self.provider = provider.split("+")[0]
        self.transplant = provider.endswith("+transplant")
        self.args = args
        self.classpath = None
        self.jars = []

    def profiles(self):
        return {"nio": [], "epoll": ["provider-epoll"], "io_uring": ["provider-io_uring"],
                "adaptive": ["provider-adaptive"]}[self.provider] + (["transplant"] if self.transplant else [])

    def prepare(self):
        out = self.work / f"classpath-{self.name}.txt"
        cmd = ["mvn", "-B", "-q", "-f", str(HERE / "undertow-server" / "pom.xml"), "dependency:build-classpath",
               f"-Dmdep.outputFile={out}"]
        if self.args.offline:
            cmd.append("-o")
        if self.profiles():
            cmd.append("-P" + ",".join(self.profiles()))
        result = run(cmd)
        if result.returncode != 0 or not out.exists():
            missing = [a for a in re.findall(r"dev\.adaptiveio:[\w.-]+:jar:[\w.-]+", result.stdout)
                       if "benchmarks-undertow-server" not in a]
            raise Unavailable("provider artifacts not resolvable"
                              + (f" ({', '.join(sorted(set(missing)))})" if missing else "")
                              + "; install the providers first (run.sh --install)")
        jar = HERE / "undertow-server" / "target" / "benchmarks-undertow-server-0.1.0-SNAPSHOT.jar"
        # Snapshot our own snapshot jars: a teammate's `mvn install` in the middle of a run must not
        # mix two builds in one class path (seen: NoSuchMethodError between core and provider).
        snapshot_dir = self.work / "jars" / self.name.replace("+", "_")
        shutil.rmtree(snapshot_dir, ignore_errors=True)
        snapshot_dir.mkdir(parents=True)
        entries = []
        for entry in out.read_text().strip().split(":"):
            if "/dev/adaptiveio/" in entry and entry.endswith(".jar"):
                if self.baseline:
                    entry = str(self.baseline_jar(Path(entry).name))
                copy = snapshot_dir / Path(entry).name
                shutil.copy2(entry, copy)
                digest = hashlib.sha256(copy.read_bytes()).hexdigest()[:12]
                self.jars.append(f"{Path(entry).name} sha256:{digest} "
                                 f"{datetime.datetime.fromtimestamp(copy.stat().st_mtime):%Y-%m-%d %H:%M}")
                entry = str(copy)
            entries.append(entry)
        self.classpath = ":".join([str(jar)] + entries)

    def baseline_jar(self, name):
        """The same artifact built in --baseline's tree (module/target/NAME), for a before/after run."""
        if not self.args.baseline:
            raise Unavailable(f"{self.name} needs --baseline DIR (a tree built with mvn package at another commit)")
        found = sorted(Path(self.args.baseline).glob(f"**/target/{name}"))
        if not found:
            raise Unavailable(f"{name} not built in {self.args.baseline} (run mvn -DskipTests package there)")
        return found[0]

    def command(self, port, cell):
        cmd = [self.args.java] + self.args.java_opts.split() + [f"-Dadaptiveio.provider={self.provider}"]
        if self.transplant:
            cmd.append("-Dadaptiveio.transplant=true")
        cmd += ["-cp", self.classpath, "dev.adaptiveio.benchmarks.undertow.UndertowBenchServer", str(port),
                "--static-dir", str(self.work / "www")]
        if cell.get("buffer_pipelined"):
            cmd.append("--buffer-pipelined")
        return cmd

    def after_start(self, logfile):
        text = Path(logfile).read_text()
        m = re.search(r"^provider=(\S+).*$", text, re.M)
        if not m or m.group(1) != self.provider:
            raise Unavailable(f"server did not report provider {self.provider}: {text[-300:]}")
        self.info = m.group(0)


class NettyServer(Server):
    jvm = True

    def __init__(self, work, transport, args):
        super().__init__(work)
        self.name = "netty-" + transport
        self.transport = transport
        self.args = args

    def prepare(self):
        if not (HERE / "netty-server" / "target" / "benchmarks-netty-server.jar").exists():
            raise Unavailable("netty-server jar not built")

    def command(self, port, cell):
        return ([self.args.java] + self.args.java_opts.split()
                + ["-jar", str(HERE / "netty-server" / "target" / "benchmarks-netty-server.jar"), str(port),
                   "--transport", self.transport, "--static-dir", str(self.work / "www")])

    def after_start(self, logfile):
        text = Path(logfile).read_text()
        m = re.search(r"^transport=(\S+).*$", text, re.M)
        if not m or m.group(1) != self.transport:
            raise Unavailable(f"netty did not report transport {self.transport}: {text[-300:]}")
        self.info = m.group(0)


class NginxServer(Server):
    name = "nginx"
    count_overhead = 1  # stub_status counts the request that reads it

    def __init__(self, work, args):
        super().__init__(work)
        self.dir = work / "nginx"

    def prepare(self):
        if not shutil.which("nginx"):
            raise Unavailable("nginx not installed")
        self.dir.mkdir(parents=True, exist_ok=True)
        self.info = run(["nginx", "-v"]).stdout.strip()

    def config(self, port, h2_port):
        www = self.work / "www"
        return f"""# generated by testsuite/benchmarks/bench.py
worker_processes 1;
daemon off;
pid {self.dir}/nginx.pid;
error_log {self.dir}/error.log warn;
events {{ worker_connections 8192; }}
http {{
  access_log off;
  sendfile on;
  tcp_nopush on;
  tcp_nodelay on;
  keepalive_timeout 120s;
  keepalive_requests 1000000000;
  default_type application/octet-stream;
  server {{
    listen 127.0.0.1:{port} backlog=4096;
    listen 127.0.0.1:{h2_port} http2 backlog=4096;
    location = /plaintext {{ default_type text/plain; return 200 "Hello, World!"; }}
    location = /count {{ stub_status; }}
    location = /16k {{ alias {www}/body-16k.bin; }}
    location = /1m {{ alias {www}/body-1m.bin; }}
    location /static/ {{ alias {www}/; }}
  }}
}}
"""

    def command(self, port, cell):
        conf = self.dir / "nginx.conf"
        conf.write_text(self.config(port, port + 1))
        return ["nginx", "-p", str(self.dir), "-e", str(self.dir / "error.log"), "-c", str(conf)]

    def after_start(self, logfile):
        self.h2_port = self.port + 1
        wait_for_port(self.h2_port, self.proc, logfile)

    def parse_count(self, text):
        # stub_status: "server accepts handled requests\n A H R"; R includes the /count requests
        accepts, handled, requests = re.search(r"\n\s*(\d+)\s+(\d+)\s+(\d+)", text).groups()
        return int(requests)

    def pids(self):
        """Master and workers: the worker does the work, the master's share is counted too."""
        children = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.proc.pid:
                children.append(int(stat.parent.name))
        return [self.proc.pid] + sorted(children)


def exit_reason(proc, logfile):
    text = Path(logfile).read_text(errors="replace")
    m = re.search(r"^(?:START-FAILED|PROVIDER-\w+|Exception in thread).*$", text, re.M)
    return f"server exited with {proc.returncode}: " + (m.group(0) if m else text[-300:].strip())


def free_port(start):
    """First port from `start` where it and the next one (nginx's h2c port) are free on 127.0.0.1."""
    for port in range(start, start + 200, 2):
        try:
            for p in (port, port + 1):
                with socket.socket() as probe:
                    probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                    probe.bind(("127.0.0.1", p))
            return port
        except OSError:
            continue
    raise RuntimeError(f"no free port pair in {start}..{start + 200}")


def wait_for_line(marker, proc, logfile, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise Unavailable(exit_reason(proc, logfile))
        if re.search(rf"^{marker}", Path(logfile).read_text(), re.M):
            return
        time.sleep(0.05)
    raise Unavailable(f"server did not print {marker} within {timeout}s")


def wait_for_port(port, proc, logfile, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise Unavailable(exit_reason(proc, logfile))
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise Unavailable(f"server did not listen on {port} within {timeout}s")


# ---------------------------------------------------------------------------------------------
# Probes: /proc and perf

def cpu_ticks(pids):
    """(server, jit) CPU ticks of the server: its JIT compiler threads apart from the rest.

    A fresh JVM pinned to one core compiles for tens of seconds under load (async-profiler: about a
    third of the server's CPU in the first half minute); that is start-up cost, not cost per
    request, and it would make every JVM server look worse than nginx by an amount that depends
    on the warm-up alone. The compiler threads' share is reported separately (jit_cpu_util)."""
    ticks = _thread_ticks(pids)
    return sum(busy for busy, jit in ticks), sum(jit for busy, jit in ticks)


def is_compiler_thread(comm):
    """A JIT compiler thread by its name ("C2 CompilerThre", truncated to 15 characters by Linux)."""
    return "CompilerThre" in comm


def _thread_ticks(pids):
    out = []
    for pid in pids:
        for task in Path(f"/proc/{pid}/task").iterdir():
            try:
                text = (task / "stat").read_text()
            except OSError:  # the thread ended between listing and reading
                continue
            comm = text[text.index("(") + 1:text.rindex(")")]
            fields = text.rsplit(")", 1)[1].split()
            ticks = int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
            out.append((0, ticks) if is_compiler_thread(comm) else (ticks, 0))
    return out


def cpu_times():
    """Per-CPU (busy, total, irq) ticks from /proc/stat, to see who else used the pinned CPUs.

    busy leaves out interrupt and softirq time: on loopback that is the network stack carrying the
    benchmark's own packets (a quarter of CPU 0 under plaintext load), not another process; it is
    reported apart (cpu0_softirq_util)."""
    times = {}
    for line in Path("/proc/stat").read_text().splitlines():
        m = re.match(r"cpu(\d+)\s+(.*)", line)
        if m:
            v = [int(x) for x in m.group(2).split()]
            idle, irq = v[3] + v[4], v[5] + v[6]
            times[m.group(1)] = (sum(v[:8]) - idle - irq, sum(v[:8]), irq)
    return times


def peak_rss_kb(pids):
    total = 0
    for pid in pids:
        m = re.search(r"VmHWM:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text())
        total += int(m.group(1)) if m else 0
    return total


class SyscallCounter:
    """perf stat on raw_syscalls:sys_enter; strace -c only if perf cannot work here."""

    def __init__(self, enabled):
        self.method = None
        self.note = ""
        if not enabled:
            self.note = "syscall counting disabled"
            return
        for tracing in ("/sys/kernel/tracing", "/sys/kernel/debug/tracing"):
            if Path(tracing, "events", "raw_syscalls").exists():
                break
        else:
            run(["mount", "-t", "tracefs", "nodev", "/sys/kernel/tracing"])
        if shutil.which("perf") and run(["perf", "stat", "-e", "raw_syscalls:sys_enter", "--", "true"]).returncode == 0:
            self.method = "perf"
        elif shutil.which("strace"):
            self.method = "strace"
            self.note = ("perf unavailable: strace -c used (slows the server, undercounts io_uring_enter)")
        else:
            self.note = "neither perf nor strace available"

    def tracepoints(self):
        """raw_syscalls:sys_enter (the total) plus the I/O system calls that exist here, for the mix."""
        for tracing in ("/sys/kernel/tracing", "/sys/kernel/debug/tracing"):
            events = Path(tracing, "events", "syscalls")
            if events.is_dir():
                return ["raw_syscalls:sys_enter"] + [f"syscalls:sys_enter_{n}" for n in MIX_SYSCALLS
                                                     if (events / f"sys_enter_{n}").is_dir()]
        return ["raw_syscalls:sys_enter"]

    def start(self, pids, seconds, outfile):
        pid_list = ",".join(str(p) for p in pids)
        if self.method == "perf":
            cmd = ["perf", "stat", "--per-thread", "-x", ",", "-o", str(outfile), "-e", ",".join(self.tracepoints()),
                   "-p", pid_list, "--", "sleep", f"{seconds}"]
        elif self.method == "strace":
            cmd = ["timeout", "-s", "INT", f"{seconds}", "strace", "-c", "-f", "-o", str(outfile)]
            for p in pids:
                cmd += ["-p", str(p)]
        else:
            return None
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(0.3)  # let perf attach before load starts
        return proc

    def open_window(self, pids, outfile):
        """perf attached but disabled, driven through a control fifo so the counting window can
        be opened and closed exactly around a request count (attaching takes a while)."""
        fifo_dir = Path(outfile).parent
        ctl, ack = fifo_dir / "perf-ctl", fifo_dir / "perf-ack"
        for fifo in (ctl, ack):
            fifo.unlink(missing_ok=True)
            os.mkfifo(fifo)
        proc = subprocess.Popen(["perf", "stat", "--per-thread", "-x", ",", "-o", str(outfile), "-D", "-1",
                                 "--control", f"fifo:{ctl},{ack}", "-e", ",".join(self.tracepoints()),
                                 "-p", ",".join(str(p) for p in pids)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        control = open(ctl, "w")  # blocks until perf has opened its end
        acks = open(ack, "r")
        return proc, control, acks

    @staticmethod
    def command(window, what):
        proc, control, acks = window
        control.write(what + "\n")
        control.flush()
        acks.readline()

    def close_window(self, window, outfile):
        proc, control, acks = window
        proc.send_signal(signal.SIGINT)
        proc.wait()
        control.close()
        acks.close()
        return self.finish(None, outfile, started=True)

    def finish(self, proc, outfile, started=False):
        """(system calls, {name: count} for the calls in MIX_SYSCALLS, the JIT compiler threads' calls).

        perf counts per thread, so the compiler threads' calls (C2 parsing calls gettid by the
        thousand: JIT work, not I/O) are left out of the first two and returned apart, as their CPU
        is (cpu_ticks). strace cannot tell threads apart here: all of its count is the first."""
        if proc is None and not started:
            return None, {}, None
        if proc is not None:
            proc.wait()
        text = Path(outfile).read_text() if Path(outfile).exists() else ""
        if self.method == "perf":
            total, jit, mix = None, 0, {}
            for line in text.splitlines():
                # --per-thread -x,: "<comm>-<tid>,<count>,<unit>,<event>,..."; a comm may hold '-' or ','
                m = re.match(r"^(.*)-\d+,(\d+),[^,]*,([\w:]+),", line)
                if not m:
                    continue
                comm, count, event = m.group(1), int(m.group(2)), m.group(3)
                compiler = is_compiler_thread(comm)
                if event == "raw_syscalls:sys_enter":
                    if compiler:
                        jit += count
                    else:
                        total = (total or 0) + count
                elif event.startswith("syscalls:sys_enter_") and count and not compiler:
                    name = event[len("syscalls:sys_enter_"):]
                    mix[name] = mix.get(name, 0) + count
            return total, mix, jit
        m = re.search(r"^\S+\s+\S+\s+\S+\s+(\d+)\s+(?:\d+\s+)?total$", text, re.M)
        return (int(m.group(1)) if m else None), {}, None


# ---------------------------------------------------------------------------------------------
# Load generators

def wrk(server, spec, seconds, conns=None, delay=0.0):
    conns = conns or spec["conns"]
    url = f"http://127.0.0.1:{server.port}{spec['path']}"
    cmd = NICE + ["taskset", "-c", LOAD_CPU, "wrk", "-t1", f"-c{conns}", f"-d{int(seconds)}s", "--timeout", "10s"]
    for h in spec.get("headers", []):
        cmd += ["-H", h]
    if spec["kind"] == "pipeline":
        cmd += ["-s", str(HERE / "lua" / "pipeline.lua"), url, "--", str(spec["depth"])]
    else:
        cmd += ["-s", str(HERE / "lua" / "report.lua"), url]
    if delay:
        cmd = ["sh", "-c", f"sleep {delay} && exec \"$@\"", "wrk-delayed"] + cmd
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def parse_wrk(proc):
    out, _ = proc.communicate()
    m = re.search(r"^RESULT (.*)$", out, re.M)
    if not m:
        raise RuntimeError("wrk failed: " + out[-400:])
    r = {k: float(v) for k, v in (kv.split("=") for kv in m.group(1).split())}
    errors = r["connect_errors"] + r["read_errors"] + r["write_errors"] + r["status_errors"] + r["timeouts"]
    return dict(requests=int(r["requests"]), seconds=r["duration_us"] / 1e6, errors=int(errors),
                p50_ms=r["p50_us"] / 1000, p99_ms=r["p99_us"] / 1000, p999_ms=r["p999_us"] / 1000)


def h2load(server, spec, seconds, logfile=None):
    url = f"http://127.0.0.1:{server.h2_port}{spec['path']}"
    cmd = NICE + ["taskset", "-c", LOAD_CPU, "h2load", "-t1", f"-c{spec['conns']}", f"-m{spec['streams']}",
           f"-D{int(seconds)}", url]
    if logfile:
        cmd.insert(-1, f"--log-file={logfile}")
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def h2load_rate(server, spec, seconds, logfile=None):
    """HTTP/1.1 keep-alive at a fixed total rate: h2load's --rps is per connection."""
    url = f"http://127.0.0.1:{server.port}{spec['path']}"
    rate = spec.get("rate_override") or spec["rate"]
    per_conn = max(0.1, rate / spec["conns"])
    cmd = NICE + ["taskset", "-c", LOAD_CPU, "h2load", "--h1", "-t1", f"-c{spec['conns']}", f"--rps={per_conn:g}",
                  f"-D{int(seconds)}", url]
    if logfile:
        cmd.insert(-1, f"--log-file={logfile}")
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def parse_h2load(proc, logfile=None):
    out, _ = proc.communicate()
    m = re.search(r"requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, (\d+) failed, (\d+) errored",
                  out)
    t = re.search(r"finished in ([\d.]+)(m?s)", out)
    if not m or not t:
        raise RuntimeError("h2load failed: " + out[-400:])
    seconds = float(t.group(1)) / (1000 if t.group(2) == "ms" else 1)
    result = dict(requests=int(m.group(4)), seconds=seconds, errors=int(m.group(5)) + int(m.group(6)),
                  p50_ms=None, p99_ms=None, p999_ms=None)
    if logfile and Path(logfile).exists():
        durations = []
        with open(logfile) as f:
            for line in f:
                parts = line.split("\t")
                if len(parts) == 3:
                    durations.append(int(parts[2]))
        durations.sort()
        if durations:
            pick = lambda q: durations[min(len(durations) - 1, int(q * len(durations)))] / 1000
            result.update(p50_ms=pick(0.50), p99_ms=pick(0.99), p999_ms=pick(0.999))
        Path(logfile).unlink()
    return result


class LoadRun:
    """One running load generator. Calling it waits for the end and returns requests, seconds,
    errors and latencies as the generator saw them; stop() ends it early, its figures unread."""

    def __init__(self, proc, parse):
        self.proc, self.parse = proc, parse

    def __call__(self):
        return self.parse(self.proc)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
        try:
            self.proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.communicate()


def start_load(server, spec, seconds, cell_dir, tag):
    """Starts one load phase of `seconds` (wrk or h2load) as a LoadRun."""
    if spec["kind"] == "wrk":
        return LoadRun(wrk(server, spec, seconds), parse_wrk)
    if spec["kind"] == "pipeline":
        # wrk records one latency per 16-request batch and its coordinated-omission correction
        # assumes one request per round trip, which corrupts its percentiles: report none.
        return LoadRun(wrk(server, spec, seconds), lambda proc: dict(parse_wrk(proc), p50_ms=None, p99_ms=None,
                                                                      p999_ms=None))
    if spec["kind"] in ("h2load", "rate"):
        log_file = cell_dir / f"h2load-{tag}.log" if tag == "measure" else None
        proc = (h2load if spec["kind"] == "h2load" else h2load_rate)(server, spec, seconds, log_file)
        return LoadRun(proc, lambda proc: parse_h2load(proc, log_file))
    raise ValueError(spec["kind"])


def warm_up(server, spec, args, cell_dir, pids):
    """One continuous load run, ended once the server has served its warm-up requests, at least
    --warmup seconds have passed and its JIT compiler threads used less than WARMUP_JIT_QUIET of
    a core in the last second; at WARMUP_MAX_SECONDS at the latest. Returns (seconds, the JIT's
    share of a core in the last second if the warm-up ended before the JIT was quiet, else None).

    One run rather than phases of fresh connections: every new load run set off more compiling
    (its connections' set-up and teardown) for a few seconds, so phases never looked quiet (every JVM row of the
    2026-12-07 targets run hit the old cap of four), and adaptive compiles its second engine's
    path for 5-10 s after it switches. A server without a request counter gets --warmup seconds."""
    # The ramp warms up at its bottom layer only, so the adaptive controller meets the ramp the way
    # a fresh server does (below its thresholds, on its start engine) and must follow it.
    warm = dict(spec, kind="wrk", conns=RAMP_LAYERS[0]) if spec["kind"] == "ramp" else spec
    wanted = spec.get("warmup_requests", WARMUP_REQUESTS)
    n0 = server.served()
    if n0 is None:
        drive(server, warm, args.warmup, cell_dir, "warmup")
        return args.warmup, None
    load = start_load(server, warm, WARMUP_MAX_SECONDS + 2, cell_dir, "warmup")
    start = time.monotonic()
    compiling = None
    j0, w0 = cpu_ticks(pids)[1], start
    try:
        while True:
            time.sleep(1)
            j1, w1 = cpu_ticks(pids)[1], time.monotonic()
            jit_share = (j1 - j0) / CLK_TCK / (w1 - w0)
            j0, w0 = j1, w1
            elapsed = w1 - start
            served = (server.served() or n0) - n0
            if elapsed >= args.warmup and served >= wanted and jit_share < WARMUP_JIT_QUIET:
                break
            if elapsed >= WARMUP_MAX_SECONDS or load.proc.poll() is not None:
                # out of time, or the generator ended (it failed, or the server stopped answering)
                compiling = jit_share if jit_share >= WARMUP_JIT_QUIET else None
                break
    finally:
        load.stop()
    return round(time.monotonic() - start, 1), compiling


def drive(server, spec, seconds, cell_dir, tag):
    """Runs one load phase of `seconds`; returns requests, seconds, errors, latencies."""
    if spec["kind"] in ("wrk", "pipeline", "h2load", "rate"):
        return start_load(server, spec, seconds, cell_dir, tag)()
    if spec["kind"] == "ramp":
        step = max(1, int(round(seconds / 7)))
        procs = []
        for i, conns in enumerate(RAMP_LAYERS):
            procs.append(wrk(server, spec, step * (7 - 2 * i), conns=conns, delay=step * i))
        parts = [parse_wrk(p) for p in procs]
        return dict(requests=sum(p["requests"] for p in parts), seconds=parts[0]["seconds"],
                    errors=sum(p["errors"] for p in parts),
                    p50_ms=parts[0]["p50_ms"],  # the 16 connections that stay for the whole ramp
                    p99_ms=max(p["p99_ms"] for p in parts), p999_ms=max(p["p999_ms"] for p in parts))
    raise ValueError(spec["kind"])


# ---------------------------------------------------------------------------------------------
# One cell

class Profiler:
    """async-profiler (Maven Central's tools.profiler:async-profiler), loaded into a JVM server with jcmd for
    one window of load after the measured one, so its cost never shows in the measured figures."""
    VERSION = "4.2"

    def __init__(self, event, args):
        self.event = event  # cpu | alloc
        self.args = args
        self.lib = None

    def prepare(self):
        jar = Path.home() / ".m2/repository/tools/profiler/async-profiler" / self.VERSION / \
            f"async-profiler-{self.VERSION}.jar"
        if not jar.exists():
            run(["mvn", "-B", "-q", "dependency:get", f"-Dartifact=tools.profiler:async-profiler:{self.VERSION}"])
        if not jar.exists():
            sys.exit(f"--profile: {jar} could not be fetched")
        import zipfile
        self.lib = self.args.work / "libasyncProfiler.so"
        with zipfile.ZipFile(jar) as z:
            self.lib.write_bytes(z.read("linux-x64/libasyncProfiler.so"))
        self.jcmd = str(Path(shutil.which(self.args.java) or self.args.java).resolve().parent / "jcmd")

    def command(self, pid, options):
        # quoted: jcmd's argument parser would split the agent's options at '='
        result = run([self.jcmd, str(pid), "JVMTI.agent_load", str(self.lib), f'"{options}"'])
        if result.returncode != 0 or "error" in result.stdout.lower():
            raise RuntimeError(f"async-profiler {options.split(',')[0]}: {result.stdout.strip()[-200:]}")

    def window(self, server, spec, cell_dir, seconds, title):
        """Profiles `seconds` of the cell's load; writes the collapsed stacks and a flame graph SVG."""
        pid = server.pids()[0]
        finish = start_load(server, spec, self.args.lead + seconds + 1, cell_dir, "profile")
        time.sleep(self.args.lead)
        self.command(pid, f"start,event={self.event},threads,interval={'1ms' if self.event == 'cpu' else '512k'}")
        time.sleep(seconds)
        collapsed = cell_dir / f"profile-{self.event}.collapsed"
        self.command(pid, f"stop,file={collapsed},collapsed,ann,threads")
        finish()
        svg = self.args.out / f"flame-{self.args.mode}-{server.name.replace('+', '_')}-{spec['name']}-{self.event}.svg"
        self.args.out.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, str(HERE / "flame.py"), str(collapsed), str(svg), "--title", title], check=True)
        return svg


FIELDS = ["round", "server", "workload", "group", "conns", "requests", "seconds", "rps", "load_rps", "p50_ms", "p99_ms",
          "p999_ms", "errors", "cpu_us_per_req", "server_cpu_util", "jit_cpu_util", "syscalls_per_req",
          "jit_syscalls_per_req", "peak_rss_mb", "cpu0_other_util", "cpu0_softirq_util", "cpu1_util", "warmup_s", "syscall_mix", "engine", "note"]


def new_row(server, wname, spec, rnd):
    return dict(round=rnd, server=server.name, workload=wname, group=spec["group"], conns=spec["conns"], note="")


def cell_dir_of(args, rnd, server, wname):
    cell_dir = args.work / "cells" / f"r{rnd}-{server.name.replace('+', '_')}-{wname}"
    cell_dir.mkdir(parents=True, exist_ok=True)
    return cell_dir


def start_and_warm(server, spec, args, cell_dir, row, port):
    """Starts the server and warms it up; the warm-up's length (and a JIT still busy) go into row."""
    server.start(port, spec, cell_dir / "server.log")
    # Warm up by work done and until the JIT is quiet, not by time alone: compilation steals the
    # server's only core from the measured run. The JVM servers' compiler threads are read from /proc.
    row["warmup_s"], compiling = warm_up(server, spec, args, cell_dir, server.pids())
    if compiling is not None:
        add_note(row, f"JIT still compiling after {row['warmup_s']} s of warm-up ({compiling:.0%} of a core)")


def measure_cell(server, wname, spec, rnd, args, counter, port):
    """One fresh server for one cell: start, warm up, measure, stop."""
    cell_dir = cell_dir_of(args, rnd, server, wname)
    row = new_row(server, wname, spec, rnd)
    try:
        start_and_warm(server, spec, args, cell_dir, row, port)
        measure_window(server, wname, spec, rnd, args, counter, cell_dir, row)
    except Unavailable:
        raise
    except Exception as e:  # a failed cell is recorded, not hidden
        fail(row, server, wname, e)
    finally:
        server.stop()
    return check_log(cell_dir, row)


def measure_paired(servers, wname, spec, args, counter, order, machine, on_row):
    """Paired windows: the cell's servers run side by side (each pinned to the server CPU, each on
    its own port, idle while another is measured), and every pass measures one window of each in a
    new shuffled order, so each ratio compares windows seconds apart. On this VM a server's CPU per
    request moves 10-20 % from one window to the next and drifts over minutes; rounds of fresh
    servers put minutes between the windows they compare. Fresh servers every --restart-every passes
    sample the JIT's different outcomes from one start to the next. System calls are counted in the
    first pass after each start. Rows carry the pass number as their round and go to on_row as
    they are measured."""
    rows = []
    first = 1
    while first <= args.rounds:
        last = min(args.rounds, first + args.restart_every - 1)
        live, port = [], args.port
        try:
            for server in servers:
                if server.name in ONLY and wname not in ONLY[server.name] and not args.every_cell:
                    continue
                port = free_port(port)
                row = new_row(server, wname, spec, first)
                cell_dir = cell_dir_of(args, first, server, wname)
                try:
                    start_and_warm(server, spec, args, cell_dir, row, port)
                    live.append((server, cell_dir, row.get("warmup_s"), row["note"]))
                except Unavailable:
                    raise
                except Exception as e:
                    fail(row, server, wname, e)
                    server.stop()
                    rows.append(on_row(check_log(cell_dir, row)))
                port += 2
            for rnd in range(first, last + 1):
                if args.shuffle:
                    order.shuffle(live)
                machine["orders"].append(f"r{rnd} {wname}: " + ",".join(x[0].name for x in live))
                for server, cell_dir, warmup_s, warm_note in live:
                    row = new_row(server, wname, spec, rnd)
                    row["warmup_s"], row["note"] = warmup_s, (warm_note if rnd == first else "")
                    try:
                        if not server.alive():
                            raise RuntimeError("server is no longer running")
                        measure_window(server, wname, spec, rnd, args, counter, cell_dir, row,
                                       syscalls=rnd == first, profile=rnd == last)
                    except Exception as e:
                        fail(row, server, wname, e)
                    rows.append(on_row(row))
        finally:
            for server, *_ in live:
                server.stop()
        for server, cell_dir, *_ in live:
            errors = check_log(cell_dir, {"note": ""})["note"]
            if errors:
                for row in rows:
                    if row["server"] == server.name and first <= row["round"] <= last:
                        add_note(row, errors)
        first = last + 1


def fail(row, server, wname, e):
    row["note"] = f"FAILED: {str(e)[:200]}".replace("\n", " ")
    log(f"  {server.name} {wname}: {row['note']}")


def measure_window(server, wname, spec, rnd, args, counter, cell_dir, row, syscalls=True, profile=True):
    """Measures a started, warmed-up server once into row: load, CPU, then (optionally) the syscall
    window and a profile window."""
    scale = 7 if spec["kind"] == "ramp" else 1
    pids = server.pids()
    steady = spec["kind"] != "ramp" and server.served() is not None
    if steady:
        # Count inside a window of a longer run (server-side request counter, /proc at both
        # ends), so opening the connections stays outside the measured window.
        finish = start_load(server, spec, args.lead + args.duration + 1, cell_dir, "measure")
        time.sleep(args.lead)
        n0 = server.served()
        (t0, j0), c0, w0 = cpu_ticks(pids), cpu_times(), time.monotonic()
        time.sleep(args.duration)
        n1 = server.served()
        (t1, j1), c1, w1 = cpu_ticks(pids), cpu_times(), time.monotonic()
        row["engine"] = server.engines()
        load = finish()
        if n0 is None or n1 is None:
            raise RuntimeError("the server stopped answering /count during the measured run")
        result = dict(load, requests=n1 - n0 - server.count_overhead, seconds=w1 - w0)
        row["load_rps"] = round(load["requests"] / load["seconds"], 1) if load["seconds"] else ""
    else:
        (t0, j0), c0 = cpu_ticks(pids), cpu_times()
        seconds = args.duration if scale == 1 else 7 * args.ramp_step
        top = {}
        if spec["kind"] == "ramp":
            # the top of the ramp (all layers connected) is the middle of its fourth step
            peek = threading.Timer(3.5 * args.ramp_step, lambda: top.update(engine=server.engines()))
            peek.start()
        result = drive(server, spec, seconds, cell_dir, "measure")
        if top.get("engine"):
            row["engine"] = f"top: {top['engine']}; end: {server.engines()}"
        (t1, j1), c1 = cpu_ticks(pids), cpu_times()
        row["load_rps"] = round(result["requests"] / result["seconds"], 1) if result["seconds"] else ""
    if not server.alive():
        raise RuntimeError("server died during the measured run")
    rps = result["requests"] / result["seconds"] if result["seconds"] else 0
    if not result["requests"]:
        result.update(p50_ms=None, p99_ms=None, p999_ms=None)
    cpu_us = (t1 - t0) * 1e6 / CLK_TCK
    row.update(requests=result["requests"], seconds=round(result["seconds"], 3), rps=round(rps, 1),
               p50_ms=fmt(result["p50_ms"]), p99_ms=fmt(result["p99_ms"]), p999_ms=fmt(result["p999_ms"]),
               errors=result["errors"],
               cpu_us_per_req=round(cpu_us / result["requests"], 3) if result["requests"] else "",
               server_cpu_util=round(cpu_us / 1e6 / result["seconds"], 3) if result["seconds"] else "",
               jit_cpu_util=round((j1 - j0) / CLK_TCK / result["seconds"], 3) if result["seconds"] else "")
    busy0, total0 = (c1[SERVER_CPU][i] - c0[SERVER_CPU][i] for i in (0, 1))
    busy1, total1 = (c1[LOAD_CPU][i] - c0[LOAD_CPU][i] for i in (0, 1))
    row["cpu0_softirq_util"] = round((c1[SERVER_CPU][2] - c0[SERVER_CPU][2]) / total0, 3) if total0 else ""
    # CPU 0 time not spent by the server: other processes (or the server's threads elsewhere)
    row["cpu0_other_util"] = round(max(0, busy0 - (t1 - t0) - (j1 - j0)) / total0, 3) if total0 else ""
    row["cpu1_util"] = round(busy1 / total1, 3) if total1 else ""
    if row["cpu0_other_util"] != "" and row["cpu0_other_util"] > CONTENDED:
        add_note(row, f"contended: other processes used {row['cpu0_other_util']:.0%} of the server's CPU")
    if syscalls and spec["kind"] != "ramp" and counter.method:
        outfile = cell_dir / "syscalls.txt"
        if steady and counter.method == "perf":
            window = counter.open_window(pids, outfile)
            finish = start_load(server, spec, args.lead + args.syscall_window + 1, cell_dir, "syscalls")
            time.sleep(args.lead)
            # enable, count, wait, disable, count: both counts lag their edge by one /count
            # round trip, so the request window has the length of the syscall window
            counter.command(window, "enable")
            n0 = server.served()
            time.sleep(args.syscall_window)
            counter.command(window, "disable")
            n1 = server.served()
            finish()
            syscalls, mix, jit_syscalls = counter.close_window(window, outfile)
            counted = dict(requests=(n1 - n0 - server.count_overhead) if n0 is not None and n1 is not None else 0)
        else:
            proc = counter.start(pids, args.syscall_window + 0.4, outfile)
            counted = drive(server, spec, args.syscall_window, cell_dir, "syscalls")
            syscalls, mix, jit_syscalls = counter.finish(proc, outfile)
        if syscalls is not None and counted["requests"]:
            row["syscalls_per_req"] = round(syscalls / counted["requests"], 4)
            if jit_syscalls is not None:
                row["jit_syscalls_per_req"] = round(jit_syscalls / counted["requests"], 4)
            top = sorted(mix.items(), key=lambda kv: -kv[1])[:8]
            other = max(0, syscalls - sum(count for _, count in top))  # counters can differ by a few
            row["syscall_mix"] = " ".join(f"{name}={count / counted['requests']:.3g}"
                                          for name, count in top + [("other", other)])
        elif syscalls is None:
            add_note(row, "syscall count failed")
        else:
            add_note(row, "no request completed in the syscall window")
        if counter.method != "perf":
            add_note(row, "syscalls via strace")
    if profile and args.profiler and server.jvm and spec["kind"] != "ramp":
        svg = args.profiler.window(server, dict(spec, name=wname), cell_dir, args.duration,
                                   f"{server.name}, {wname}, {args.profiler.event} (round {rnd}, commit "
                                   f"{run(['git', '-C', str(REPO), 'rev-parse', '--short', 'HEAD']).stdout.strip()})")
        log(f"  flame graph {svg}")
    row["peak_rss_mb"] = round(peak_rss_kb(pids) / 1024, 1)
    if result["errors"]:
        add_note(row, f"{result['errors']} load errors")
    if spec["kind"] == "rate":
        rate = spec.get("rate_override") or spec["rate"]
        if rps < 0.9 * rate:
            # the server (or the load generator) fell behind: it did other work than its peers
            add_note(row, f"fixed rate not reached ({rps:.0f} of {rate} req/s)")


def check_log(cell_dir, row):
    """After the server stopped: a linkage error skips the server; other errors go into the row's note."""
    linkage = re.search(r"java\.lang\.(?:NoSuchMethodError|NoSuchFieldError|NoClassDefFoundError|AbstractMethodError|"
                        r"IncompatibleClassChangeError|LinkageError)[^\n]*",
                        Path(cell_dir / "server.log").read_text(errors="replace"))
    if linkage:
        # A build problem, not a performance figure: skip the server rather than report zeros.
        raise Unavailable("its jars do not link with each other (reinstall the modules together, e.g. "
                          f"run.sh --install): {linkage.group(0)[:200]}")
    errors = server_errors(cell_dir / "server.log")
    if errors:
        add_note(row, errors)
    return row


def add_note(row, text):
    row["note"] = f"{row['note']}; {text}" if row.get("note") else text


def server_errors(logfile):
    """Summarises errors a server logged during a cell (they make its figures suspect)."""
    try:
        text = Path(logfile).read_text(errors="replace")
    except OSError:
        return ""
    hits = re.findall(r"^(?:ERROR|SEVERE|Exception|java\.lang\.\w*(?:Error|Exception))[:\s].*$", text, re.M)
    if not hits:
        return ""
    return f"server logged {len(hits)} error line(s), first: {hits[0][:120]}"


def fmt(v):
    return "" if v is None else round(v, 3)


# ---------------------------------------------------------------------------------------------
# Summary

def num(v):
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def med_range(values):
    values = [v for v in values if v is not None]
    if not values:
        return None, None, None
    return statistics.median(values), min(values), max(values)


CI_MIN_ROUNDS = 10  # below this a bootstrap interval of the median says little


def median_ci(values, level=0.95, resamples=2000):
    """Bootstrap interval of the median (fixed seed: the same rows give the same interval), or None
    with fewer than CI_MIN_ROUNDS values."""
    if len(values) < CI_MIN_ROUNDS:
        return None
    rng = random.Random(13)
    meds = sorted(statistics.median(rng.choices(values, k=len(values))) for _ in range(resamples))
    cut = int(resamples * (1 - level) / 2)
    return meds[cut], meds[-cut - 1]


def summarize(rows):
    out = []
    keys = sorted({(r["server"], r["workload"]) for r in rows},
                  key=lambda k: (list(WORKLOADS).index(k[1]), server_order(k[0])))
    for server, wname in keys:
        # A cell that ran but served nothing counts (as 0 req/s); only cells that failed to run are left out.
        mine = [r for r in rows if r["server"] == server and r["workload"] == wname and num(r.get("rps")) is not None]
        s = dict(server=server, workload=wname, group=WORKLOADS[wname]["group"], conns=WORKLOADS[wname]["conns"],
                 rounds=len(mine))
        for field in ("rps", "p50_ms", "p99_ms", "p999_ms", "cpu_us_per_req", "syscalls_per_req", "peak_rss_mb",
                      "jit_cpu_util", "cpu0_other_util"):
            m, lo, hi = med_range([num(r.get(field)) for r in mine])
            s[field] = m
            s[field + "_min"] = lo
            s[field + "_max"] = hi
        for field, tag in (("rps", "rps"), ("cpu_us_per_req", "cpu"), ("p99_ms", "p99"),
                           ("syscalls_per_req", "syscalls")):
            m, lo, hi, ci = ratio_stats(rows, server, wname, field, ("nio",))
            s[f"{tag}_vs_nio"], s[f"{tag}_vs_nio_min"], s[f"{tag}_vs_nio_max"] = m, lo, hi
            s[f"{tag}_vs_nio_ci_lo"], s[f"{tag}_vs_nio_ci_hi"] = ci if ci else (None, None)
        notes = sorted({part for r in rows if r["server"] == server and r["workload"] == wname and r.get("note")
                        for part in r["note"].split("; ") if not part.startswith("contended")})
        contended = [r for r in mine if (num(r.get("cpu0_other_util")) or 0) > CONTENDED]
        if contended:
            worst = max(num(r["cpu0_other_util"]) for r in contended)
            notes.append(f"contended in {len(contended)}/{len(mine)} rounds (up to {worst:.0%} of CPU 0 used by others)")
        s["notes"] = "; ".join(notes)
        mixes = [r.get("syscall_mix") for r in mine if r.get("syscall_mix")]
        s["syscall_mix"] = mixes[-1] if mixes else ""
        engines = [f"r{r['round']}: {r['engine']}" for r in mine if r.get("engine")]
        s["engine"] = "; ".join(engines)
        out.append(s)
    return out


SUMMARY_FIELDS = ["server", "workload", "group", "conns", "rounds",
                  "rps", "rps_min", "rps_max", "rps_vs_nio", "rps_vs_nio_min", "rps_vs_nio_max",
                  "cpu_us_per_req", "cpu_us_per_req_min", "cpu_us_per_req_max",
                  "cpu_vs_nio", "cpu_vs_nio_min", "cpu_vs_nio_max", "cpu_vs_nio_ci_lo", "cpu_vs_nio_ci_hi",
                  "rps_vs_nio_ci_lo", "rps_vs_nio_ci_hi",
                  "p50_ms", "p99_ms", "p99_ms_min", "p99_ms_max", "p99_vs_nio", "p999_ms",
                  "syscalls_per_req", "syscalls_per_req_min", "syscalls_per_req_max", "syscalls_vs_nio",
                  "peak_rss_mb", "jit_cpu_util", "cpu0_other_util", "cpu0_other_util_max", "syscall_mix", "engine", "notes"]


def g(v, digits=3):
    if v is None or v == "":
        return ""
    if isinstance(v, float):
        return f"{v:.{digits}g}" if abs(v) < 1000 else f"{v:.0f}"
    return str(v)


def write_csv(path, fields, rows):
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fields, extrasaction="ignore")
        w.writeheader()
        for r in rows:
            w.writerow({k: (g(v, 6) if isinstance(v, float) else v) for k, v in r.items()})


def markdown_table(summary):
    def rng(s, f, d=3):
        m, lo, hi = s.get(f), s.get(f + "_min"), s.get(f + "_max")
        if m is None:
            return "n/a"
        if s.get(f + "_ci_lo") is not None:
            return f"{g(m, d)} [{g(s[f + '_ci_lo'], d)}-{g(s[f + '_ci_hi'], d)}]"
        return g(m, d) if s["rounds"] <= 1 or lo == hi else f"{g(m, d)} ({g(lo, d)}-{g(hi, d)})"

    lines = ["| workload | server | req/s | vs nio | CPU µs/req | CPU vs nio | p50 ms | p99 ms | p99.9 ms "
             "| syscalls/req | peak RSS MB | notes |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for s in summary:
        lines.append("| " + " | ".join([
            s["workload"], s["server"], rng(s, "rps", 4), rng(s, "rps_vs_nio"), rng(s, "cpu_us_per_req"),
            rng(s, "cpu_vs_nio"), g(s["p50_ms"]) or "n/a", rng(s, "p99_ms"), g(s["p999_ms"]) or "n/a",
            g(s["syscalls_per_req"]) or "n/a", g(s["peak_rss_mb"]) or "n/a", s["notes"] or ""]) + " |")
    return "\n".join(lines)


CPU_JUDGED = ("plaintext", "plaintext-rate")  # keep-alive is bound by the load generator: judge CPU per request


def round_ratio_list(rows, server, wname, field, bases):
    """server/min(bases) for `field` in every round that has both."""
    by_round = {}
    for r in rows:
        if r["workload"] == wname:
            by_round.setdefault(r["round"], {})[r["server"]] = num(r.get(field))
    ratios = []
    for cells in by_round.values():
        mine = cells.get(server)
        base = [cells[b] for b in bases if cells.get(b)]
        if mine is not None and base:
            ratios.append(mine / min(base))
    return ratios


def ratio_stats(rows, server, wname, field, bases):
    """The within-round ratios server/min(bases): median, min, max (None without any) and the 95 %
    interval of the median (None below CI_MIN_ROUNDS)."""
    ratios = round_ratio_list(rows, server, wname, field, bases)
    return (*med_range(ratios), median_ci(ratios))


def targets_table(summary, rows):
    """Issue 13's targets, evaluated from this run (every ratio within its round, then the median)."""
    get = {(s["server"], s["workload"]): s for s in summary}
    present = {s["workload"] for s in summary}
    lines = ["| target | server | measured | verdict |", "|---|---|---|---|"]
    rounds = max([s["rounds"] for s in summary] or [0])
    contended = sum((s.get("cpu0_other_util_max") or 0) > CONTENDED for s in summary) > len(summary) / 10
    caveat = []
    if rounds < 5:
        caveat.append(f"{rounds} round(s)")
    if contended:
        caveat.append("contended machine")
    suffix = f" (indicative: {', '.join(caveat)})" if caveat else ""

    def add(target, server, value, ok, fmt_value, ci=None):
        """With an interval (CI_MIN_ROUNDS or more rounds) the verdict is the interval's: met or missed
        only when both ends agree."""
        if value is None:
            lines.append(f"| {target} | {server} | not measured | n/a |")
        elif ci is None or ci[0] is None:
            lines.append(f"| {target} | {server} | {fmt_value} | {'met' if ok(value) else 'MISSED'}{suffix} |")
        else:
            verdict = "met" if ok(ci[0]) and ok(ci[1]) else "MISSED" if not ok(ci[0]) and not ok(ci[1]) \
                else "undecided (the 95 % interval straddles the target)"
            lines.append(f"| {target} | {server} | {fmt_value} [95 % CI {g(ci[0])}-{g(ci[1])}] | {verdict}{suffix} |")

    def ci(s, tag):
        return s.get(f"{tag}_vs_nio_ci_lo"), s.get(f"{tag}_vs_nio_ci_hi")

    def keepalive(c):
        """The fixed-rate cell when the run has it, else the full-speed one."""
        return f"plaintext-c{c}-rate" if f"plaintext-c{c}-rate" in present else f"plaintext-c{c}"

    for server in ("epoll", "io_uring"):
        for c in (256, 1024):
            limit = 0.85 if server == "io_uring" else 0.95
            s = get.get((server, keepalive(c)), {})
            add(f"{keepalive(c)}: CPU/req <= {limit}x nio", server, s.get("cpu_vs_nio"),
                lambda v, limit=limit: v <= limit, f"{g(s.get('cpu_vs_nio'))}x", ci(s, "cpu"))
        for c in (1, 16):
            s = get.get((server, keepalive(c)), {})
            add(f"{keepalive(c)}: CPU/req <= 1.0x nio", server, s.get("cpu_vs_nio"), lambda v: v <= 1.0,
                f"{g(s.get('cpu_vs_nio'))}x", ci(s, "cpu"))
        for wname, limit in (("1m-c16", 1.0), ("static-c64", 1.0), ("pipelined-c256", 3.0), ("h2c-c64", 2.0)):
            s = get.get((server, wname), {})
            add(f"{wname}: req/s >= {limit:g}x nio", server, s.get("rps_vs_nio"), lambda v, limit=limit: v >= limit,
                f"{g(s.get('rps_vs_nio'))}x", ci(s, "rps"))
        s = get.get((server, "plaintext-c1024"), {})
        add("p99 at 1024 connections <= nio", server, s.get("p99_vs_nio"), lambda v: v <= 1.0,
            f"{g(s.get('p99_vs_nio'))}x")
    for server in ("epoll", "io_uring", "adaptive"):
        worst, where = None, ""
        for (srv, wname), s in get.items():
            if srv != server:
                continue
            v = (1 / s["cpu_vs_nio"] if s.get("cpu_vs_nio") else None) if WORKLOADS[wname]["group"] in CPU_JUDGED \
                else s.get("rps_vs_nio")
            if v is not None and (worst is None or v < worst):
                worst, where = v, wname
        add("no workload below 0.95x nio (keep-alive: by CPU/req)", server, worst, lambda v: v >= 0.95,
            f"worst {g(worst)}x ({where})")
    # Judged on both c256 cells the run has: at full speed the count follows how often the load
    # generator leaves the server idle (each wake-up is one io_uring_enter), at the fixed rate every
    # server gets the same arrivals.
    for wname in [w for w in ("plaintext-c256", "plaintext-c256-rate") if ("io_uring", w) in get] or ["plaintext-c256"]:
        s = get.get(("io_uring", wname), {})
        add(f"{wname}: io_uring syscalls/req <= 0.1", "io_uring", s.get("syscalls_per_req"), lambda v: v <= 0.1,
            g(s.get("syscalls_per_req")))
    # adaptive within 1.05x of the better engine in every cell, within each round
    for wname in sorted(present, key=list(WORKLOADS).index):
        if ("adaptive", wname) not in get or WORKLOADS[wname]["kind"] == "ramp":
            continue
        cpu = WORKLOADS[wname]["group"] in CPU_JUDGED
        if cpu:
            v, _, _, band = ratio_stats(rows, "adaptive", wname, "cpu_us_per_req", ("epoll", "io_uring"))
            add(f"{wname}: adaptive CPU/req <= 1.05x the better engine", "adaptive", v, lambda v: v <= 1.05,
                f"{g(v)}x", band)
        else:
            # throughput: adaptive / max(engines) >= 1/1.05, i.e. min(engines)/adaptive on the inverse
            inv = [dict(r, rps=(1 / num(r["rps"]) if num(r.get("rps")) else None)) for r in rows if r["workload"] == wname]
            v, _, _, band = ratio_stats(inv, "adaptive", wname, "rps", ("epoll", "io_uring"))
            add(f"{wname}: adaptive req/s >= the better engine / 1.05", "adaptive", v and 1 / v,
                lambda v: v >= 1 / 1.05, f"{g(1 / v) if v else ''}x", band and (1 / band[1], 1 / band[0]))
    for c in (256, 1024):
        wname = keepalive(c)
        for server in ("epoll", "io_uring"):
            for peer in PEERS:
                v, _, _, band = ratio_stats(rows, server, wname, "cpu_us_per_req", (peer,))
                if v is not None:
                    shown = f" [95 % CI {g(band[0])}-{g(band[1])}]" if band else ""
                    lines.append(f"| (reference) {wname}: CPU/req vs {peer} | {server} | {g(v)}x{shown} | |")
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------

def machine_info(args, counter):
    def first(cmd):
        try:
            return run(cmd).stdout.strip()
        except OSError:
            return "?"
    lscpu = first(["lscpu"])
    model = re.search(r"Model name:\s+(.*)", lscpu)
    java = first([args.java, "-version"]).splitlines()
    return {
        "date_utc": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "git_commit": first(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"]),
        "cpu": (model.group(1) if model else "?") + f", {os.cpu_count()} CPUs",
        "hypervisor": (re.search(r"Hypervisor vendor:\s+(.*)", lscpu) or re.search("(.*)", "none")).group(1),
        "kernel": first(["uname", "-r"]),
        "jdk": java[1] if len(java) > 1 else "?",
        "java_opts": args.java_opts or "(JVM defaults)",
        "wrk": first(["wrk", "-v"]).splitlines()[0] if shutil.which("wrk") else "?",
        "h2load": first(["h2load", "--version"]),
        "nginx": first(["nginx", "-v"]),
        "syscall_counter": counter.method or counter.note,
        "nice": args.nice,
        "mode": args.mode, "rounds": args.rounds, "shuffle_seed": args.seed if args.shuffle else None, "warmup_s": args.warmup, "lead_s": args.lead,
        "duration_s": args.duration,
        "syscall_window_s": args.syscall_window, "ramp_step_s": args.ramp_step,
        "paired_restart_every": args.restart_every if args.paired else None,
    }


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--mode", choices=MODES, default="quick")
    p.add_argument("--rounds", type=int)
    p.add_argument("--warmup", type=int)
    p.add_argument("--lead", type=int, help="seconds of load before a measured window opens (connection set-up)")
    p.add_argument("--duration", type=int)
    p.add_argument("--syscall-window", type=int)
    p.add_argument("--ramp-step", type=int)
    p.add_argument("--servers", default=",".join(ALL_SERVERS), help="comma list, interleaving order (default: all)")
    p.add_argument("--workloads", help="comma list of " + ", ".join(WORKLOADS) + " (default: the mode's set); 'all'")
    p.add_argument("--out", type=Path, default=REPO / "docs" / "benchmarks")
    p.add_argument("--work", type=Path, default=Path("/tmp/adaptiveio-bench"))
    p.add_argument("--port", type=int, default=28080, help="first port tried (below the ephemeral range)")
    p.add_argument("--java", default=os.environ.get("BENCH_JAVA", "java"), help="java launcher for the JVM servers")
    p.add_argument("--java-opts", default=os.environ.get("BENCH_JAVA_OPTS", ""))
    p.add_argument("--summarize-only", action="store_true",
                   help="rebuild summary, table and plots from <out>/<mode>-rounds.csv without measuring")
    p.add_argument("--no-syscalls", action="store_true")
    p.add_argument("--every-cell", action="store_true",
                   help="run every server on every workload (ignore the per-server subsets in ONLY)")
    p.add_argument("--nice", type=int, default=0,
                   help="run servers and load generators at this nice level (e.g. -20 on a shared machine)")
    p.add_argument("--offline", action="store_true", help="mvn -o when resolving provider class paths")
    p.add_argument("--baseline", metavar="DIR",
                   help="a source tree built with `mvn -DskipTests package` at another commit: servers named "
                        "PROVIDER@base (e.g. epoll@base) run its jars, so one run compares before and after")
    p.add_argument("--shuffle", action=argparse.BooleanOptionalAction, default=None,
                   help="a new random server order for every workload of every round (default: on in targets mode)")
    p.add_argument("--seed", type=int, help="seed of the shuffled order (recorded in <mode>-machine.json)")
    p.add_argument("--profile", choices=["cpu", "alloc"],
                   help="after each JVM cell's measured window, profile one more window with async-profiler and "
                        "write <out>/flame-<mode>-<server>-<workload>-<event>.svg (the last round's stays)")
    p.add_argument("--rate", type=int, help="total requests/s of every fixed-rate cell (default: per cell, RATE_CONNS)")
    p.add_argument("--paired", action=argparse.BooleanOptionalAction, default=None,
                   help="paired windows: a cell's servers run side by side and each round (pass) measures one "
                        "window of each, in a shuffled order (default: on in paired mode); see measure_paired")
    p.add_argument("--restart-every", type=int,
                   help="with --paired: fresh servers every N passes (default: the mode's, else never)")
    args = p.parse_args()
    mode = MODES[args.mode]
    version = re.search(r'version "(\d+)', run([args.java, "-version"]).stdout)
    if version and int(version.group(1)) >= 24 and "enable-native-access" not in args.java_opts:
        args.java_opts = (args.java_opts + " --enable-native-access=ALL-UNNAMED").strip()  # Netty's natives
    if args.nice:
        NICE.extend(["nice", "-n", str(args.nice)])
    for key in ("rounds", "warmup", "lead", "duration", "syscall_window", "ramp_step"):
        if getattr(args, key) is None:
            setattr(args, key, mode[key])
    if args.shuffle is None:
        args.shuffle = mode.get("shuffle", False)
    if args.paired is None:
        args.paired = mode.get("paired", False)
    if args.restart_every is None:
        args.restart_every = mode.get("restart_every", args.rounds)
    if args.restart_every < 1:
        sys.exit("--restart-every must be at least 1")
    if args.seed is None:
        args.seed = int(time.time())
    if args.workloads == "all" or (args.workloads is None and mode["workloads"] is None):
        names = list(WORKLOADS)
    else:
        names = args.workloads.split(",") if args.workloads else mode["workloads"]
    for n in names:
        if n not in WORKLOADS:
            sys.exit(f"unknown workload {n}; known: {', '.join(WORKLOADS)}")

    if args.summarize_only:
        prefix = args.out / args.mode
        with open(f"{prefix}-rounds.csv") as f:
            rows = list(csv.DictReader(f))
        for r in rows:
            r["round"] = int(r["round"])
        machine = json.loads(Path(f"{prefix}-machine.json").read_text())
        write_outputs(args, rows, machine)
        return

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    try:
        wanted = 65536 if hard == resource.RLIM_INFINITY else min(65536, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, wanted), hard))
    except (ValueError, OSError):
        log(f"could not raise the open-file limit (now {soft})")
    if resource.getrlimit(resource.RLIMIT_NOFILE)[0] < 4096:
        log("open-file limit below 4096: 1024-connection cells may fail")
    os.sched_setaffinity(0, {int(LOAD_CPU)})  # the driver and its helpers stay off the server's CPU

    args.work.mkdir(parents=True, exist_ok=True)
    www = args.work / "www"
    www.mkdir(exist_ok=True)
    for name, size in (("file-64k.bin", 64 * 1024), ("body-16k.bin", 16 * 1024), ("body-1m.bin", 1024 * 1024)):
        (www / name).write_bytes(bytes((ord("a") + i % 26) for i in range(size)))

    args.profiler = Profiler(args.profile, args) if args.profile else None
    if args.profiler:
        args.profiler.prepare()
    counter = SyscallCounter(not args.no_syscalls)
    machine = machine_info(args, counter)
    before = cpu_times()
    time.sleep(2)
    after = cpu_times()
    busy = {cpu: round((after[cpu][0] - before[cpu][0]) / max(1, after[cpu][1] - before[cpu][1]), 3) for cpu in after}
    machine["busy_before_start"] = busy
    machine["loadavg_before_start"] = Path("/proc/loadavg").read_text().split()[:3]
    if max(busy.values()) > CONTENDED:
        log(f"WARNING: the machine is not idle before the run (CPU busy share {busy}); "
            "figures will be noisy and cells are flagged 'contended'")
    log("machine: " + json.dumps(machine))

    servers, skipped = [], {}
    candidates = []
    for name in args.servers.split(","):
        if name in UNDERTOW_PROVIDERS or (name.endswith(BASELINE) and name[:-len(BASELINE)] in UNDERTOW_PROVIDERS):
            server = UndertowServer(args.work, name, args)
        elif name.startswith("netty-"):
            server = NettyServer(args.work, name[len("netty-"):], args)
        elif name == "nginx":
            server = NginxServer(args.work, args)
        else:
            sys.exit(f"unknown server {name}; known: {', '.join(ALL_SERVERS)}")
        candidates.append(server)

    def prepare(server):
        try:
            server.prepare()
            return None
        except Unavailable as e:
            return str(e)

    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:  # class paths resolve in parallel
        for server, problem in zip(candidates, pool.map(prepare, candidates)):
            if problem is None:
                servers.append(server)
            else:
                skipped[server.name] = problem
                log(f"SKIP {server.name}: {problem}")
    log(f"servers: {[s.name for s in servers]}; workloads: {names}; rounds: {args.rounds}")

    rows = []
    started = time.time()
    order = random.Random(args.seed)
    machine["orders"] = []
    if args.paired:
        for wname in names:
            spec = dict(WORKLOADS[wname])
            if spec["kind"] == "ramp":
                sys.exit("a ramp cannot run paired: its load changes during the window")
            if args.rate and spec["kind"] == "rate":
                spec["rate_override"] = args.rate

            def on_row(row, wname=wname):
                rows.append(row)
                checkpoint(args, rows, machine, servers, skipped, started)
                log(f"r{row['round']} {wname:24s} {row['server']:20s} rps={row.get('rps', '')} "
                    f"cpu_us/req={row.get('cpu_us_per_req', '')} syscalls/req={row.get('syscalls_per_req', '')} "
                    f"{row.get('engine', '')} {row['note']}")
                return row
            try:
                measure_paired([s for s in servers if s.name not in skipped], wname, spec, args, counter,
                               order, machine, on_row)
            except Unavailable as e:
                sys.exit(f"a server did not start: {e}")
        write_outputs(args, rows, checkpoint(args, rows, machine, servers, skipped, started))
        return
    for rnd in range(1, args.rounds + 1):
        for wname in names:
            spec = dict(WORKLOADS[wname])
            if args.rate and spec["kind"] == "rate":
                spec["rate_override"] = args.rate
            cell_order = list(servers)
            if args.shuffle:
                # a fixed order favours whoever runs when the machine is quietest
                order.shuffle(cell_order)
                machine["orders"].append(f"r{rnd} {wname}: " + ",".join(x.name for x in cell_order))
            for server in cell_order:
                if server.name in skipped or (server.name in ONLY and wname not in ONLY[server.name]
                                              and not args.every_cell):
                    continue
                try:
                    row = measure_cell(server, wname, spec, rnd, args, counter, free_port(args.port))
                except Unavailable as e:
                    skipped[server.name] = f"did not start: {e}"
                    log(f"SKIP {server.name}: {e}")
                    continue
                rows.append(row)
                checkpoint(args, rows, machine, servers, skipped, started)
                log(f"r{rnd} {wname:24s} {server.name:20s} rps={row.get('rps', '')} "
                    f"cpu_us/req={row.get('cpu_us_per_req', '')} p99={row.get('p99_ms', '')}ms "
                    f"syscalls/req={row.get('syscalls_per_req', '')} rss={row.get('peak_rss_mb', '')}MB "
                    f"{row.get('engine', '')} {row['note']}")
    write_outputs(args, rows, checkpoint(args, rows, machine, servers, skipped, started))


def checkpoint(args, rows, machine, servers, skipped, started):
    """Writes the rows so far, so an interrupted run can still be summarised (--summarize-only)."""
    machine["elapsed_s"] = round(time.time() - started)
    machine["server_info"] = {s.name: s.info for s in servers}
    machine["provider_jars"] = {s.name: s.jars for s in servers if getattr(s, "jars", None)}
    machine["skipped"] = skipped
    args.out.mkdir(parents=True, exist_ok=True)
    write_csv(f"{args.out / args.mode}-rounds.csv", FIELDS, rows)
    Path(f"{args.out / args.mode}-machine.json").write_text(json.dumps(machine, indent=2) + "\n")
    return machine


def write_outputs(args, rows, machine):
    args.out.mkdir(parents=True, exist_ok=True)
    summary = summarize(rows)
    skipped = machine["skipped"]
    elapsed = machine["elapsed_s"]
    args.rounds = machine["rounds"]
    args.warmup, args.duration, args.syscall_window = machine["warmup_s"], machine["duration_s"], machine["syscall_window_s"]
    prefix = args.out / args.mode
    write_csv(f"{prefix}-rounds.csv", FIELDS, rows)
    write_csv(f"{prefix}-summary.csv", SUMMARY_FIELDS, summary)
    Path(f"{prefix}-machine.json").write_text(json.dumps(machine, indent=2) + "\n")
    lead = f"lead {machine['lead_s']} s, " if machine.get("lead_s") is not None else ""
    restart = machine.get("paired_restart_every")
    how = (f"{args.rounds} passes of paired windows (a cell's servers side by side, one window of each per pass "
           f"in a shuffled order, fresh servers every {restart} passes)" if restart else f"{args.rounds} round(s)")
    md = [f"Mode **{args.mode}**: {how}, warm-up {args.warmup} s, {lead}measured window {args.duration} s, "
          f"syscall window {args.syscall_window} s per cell; run took {round(elapsed / 60, 1)} min on "
          f"{machine['date_utc']} (commit {machine['git_commit']}). Cells show the median, with min-max over "
          f"rounds when there is more than one; ratios are computed within each round, then the median taken; "
          f"from {CI_MIN_ROUNDS} rounds on, a ratio shows its 95 % bootstrap interval [in brackets] instead of "
          f"min-max, and a target's verdict is the interval's.",
          "",
          f"Machine: {machine['cpu']} ({machine['hypervisor']} guest), kernel {machine['kernel']}, "
          f"{machine['jdk']}, {machine['wrk']}, {machine['h2load']}, {machine['nginx']}; syscalls counted with "
          f"{machine['syscall_counter']}. Load average before the run: {' '.join(machine['loadavg_before_start'])}; "
          f"CPU busy share in the 2 s before it: {machine['busy_before_start']}"
          + (f"; servers and load generators ran at nice {machine['nice']}" if machine.get("nice") else "") + ".",
          "", markdown_table(summary), ""]
    if skipped:
        md += ["Skipped (not faked):", ""] + [f"- `{k}`: {v}" for k, v in skipped.items()] + [""]
    md += ["Targets from issue 13 (same run; ratios within each round, then the median):", "",
           targets_table(summary, rows), ""]
    Path(f"{prefix}-results.md").write_text("\n".join(md))
    log(f"wrote {prefix}-rounds.csv, {prefix}-summary.csv, {prefix}-results.md in {round(elapsed)} s")
    report = [sys.executable, str(HERE / "report.py"), "--mode", args.mode, "--out", str(args.out)]
    if args.out.resolve() != (REPO / "docs" / "benchmarks").resolve():
        report.append("--no-doc")  # only the default output feeds docs/benchmarks.md
    subprocess.run(report, check=True)


if __name__ == "__main__":
    main()
