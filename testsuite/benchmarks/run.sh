#!/usr/bin/env bash
# Runs the adaptive-io benchmarks end to end: installs the load tools if missing, builds the
# benchmark servers, runs every server x workload in interleaved rounds, writes CSV, plots and
# the results block of docs/benchmarks.md.
#
#   testsuite/benchmarks/run.sh                 # quick mode (about 10 min, development check)
#   testsuite/benchmarks/run.sh --full          # full mode (3 rounds, every workload)
#   testsuite/benchmarks/run.sh --install --full   # first `mvn install` the providers (fresh clone)
#   testsuite/benchmarks/run.sh --targets --servers nio,epoll,io_uring,adaptive,nginx
#                                               # issue 13's target cells: fixed-rate keep-alive, 5 shuffled rounds
#   testsuite/benchmarks/run.sh --paired --servers nio,epoll,io_uring,netty-io_uring
#                                               # the fixed-rate cells at 256 and 1024 connections in 30 passes of
#                                               # paired windows (servers side by side), with 95 % intervals
#   testsuite/benchmarks/run.sh --transplant-ramp  # issue 6: transplant against route-new-only (transplant_ramp.py)
#
# Anything else is passed to bench.py (see `bench.py --help`), e.g.
#   run.sh --servers nio,epoll --workloads pipelined-c256 --rounds 5
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
MODE=quick
INSTALL=false
SCRIPT=bench.py
PASS=()
for arg in "$@"; do
  case "$arg" in
    --quick) MODE=quick ;;
    --full) MODE=full ;;
    --targets) MODE=targets ;;
    --paired) MODE=paired ;;
    --install) INSTALL=true ;;
    --transplant-ramp) SCRIPT=transplant_ramp.py ;;
    *) PASS+=("$arg") ;;
  esac
done

say() { echo "[run.sh] $*"; }

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# Load tools and plotting come from Debian packages (no PyPI).
need=()
command -v wrk >/dev/null || need+=(wrk)
command -v h2load >/dev/null || need+=(nghttp2-client)
command -v nginx >/dev/null || need+=(nginx)
command -v taskset >/dev/null || need+=(util-linux)
command -v strace >/dev/null || need+=(strace)
[ -x /usr/bin/python3 ] || need+=(python3)
/usr/bin/python3 -c 'import matplotlib' 2>/dev/null || need+=(python3-matplotlib)
command -v perf >/dev/null || need+=(linux-perf)
if [ ${#need[@]} -gt 0 ]; then
  say "installing ${need[*]}"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${need[@]}" >/dev/null
fi

# perf counts syscalls on the raw_syscalls tracepoint: it needs tracefs.
if [ ! -d /sys/kernel/tracing/events/raw_syscalls ] && [ ! -d /sys/kernel/debug/tracing/events/raw_syscalls ]; then
  as_root mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null || say "could not mount tracefs; syscall counts fall back to strace"
fi

if $INSTALL; then
  # The providers (and what they need) go to ~/.m2, where the per-provider class paths come from.
  modules=()
  for m in xnio-native-core xnio-epoll-provider xnio-uring-provider adaptive-selector transplant-extension; do
    [ -f "$REPO/$m/pom.xml" ] && modules+=("$m")
  done
  if [ ${#modules[@]} -gt 0 ]; then
    list="$(IFS=,; echo "${modules[*]}")"
    say "installing $list into ~/.m2"
    (cd "$REPO" && mvn -B -q -DskipTests install -pl "$list" -am)
  fi
fi

say "building the benchmark servers"
mvn -B -q -f "$HERE/pom.xml" package -DskipTests

if [ "$SCRIPT" = transplant_ramp.py ]; then
  exec /usr/bin/python3 "$HERE/transplant_ramp.py" "${PASS[@]+"${PASS[@]}"}"
fi
exec /usr/bin/python3 "$HERE/bench.py" --mode "$MODE" "${PASS[@]+"${PASS[@]}"}"
