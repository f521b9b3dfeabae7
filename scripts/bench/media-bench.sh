#!/usr/bin/env bash
# Media relay benchmark: our Netty relay vs rtpengine (userspace), RTP (PBX side) <-> SRTP (Meta side),
# same load generator (rtpload from the shared bench), same call counts.
#
# Everything runs inside a network namespace this script creates (its own loopback and port space),
# so it cannot collide with other relays or tests on the machine; it is deleted at the end.
#
#   scripts/bench/media-bench.sh                 # N = 100 300, 20 s measured, 5 s warm-up
#   CALLS="100 300" DURATION=20 WARMUP=5 OUT=/tmp/wabench scripts/bench/media-bench.sh
#   JIT_WARMUP=100000 scripts/bench/media-bench.sh   # our relay forwards 100k packets of its own first
#   IO_ENGINE=io_uring scripts/bench/media-bench.sh   # our relay on io_uring (media.ioEngine)
#   PERF_STAT=1 RTPENGINE=0 scripts/bench/media-bench.sh  # + our relay's system calls and CPU over 10 s, and a
#                                                          # profile split by kernel/JIT/JVM (perf; skews its own CPU)
#   PIN="0 1" scripts/bench/media-bench.sh       # generator on CPU 0, the relay under test (ours, rtpengine) on CPU 1
#   REPEAT=3 scripts/bench/media-bench.sh        # 3 rounds (ours, then rtpengine, each in OUT/round-K) and a table
#                                                # of medians: one run's figure varies by up to a third on a VM
#
# Needs root (ip netns), gcc, make, libssl-dev, rtpengine-daemon, Java 17, Maven (offline cache).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# shared/ beside the repository (CI, main checkout), or two levels up (a worktree under wt/)
if [ -z "${SHARED:-}" ]; then
    for candidate in "$ROOT/../shared" "$ROOT/../../shared"; do
        if [ -d "$candidate/bench" ]; then SHARED=$(cd "$candidate" && pwd); break; fi
    done
fi
SHARED=${SHARED:-$ROOT/../shared}
BUILD=${BUILD:-/tmp/wabench-build}
OUT=${OUT:-/tmp/wabench-out}
CALLS=${CALLS:-"100 300"}
DURATION=${DURATION:-20}
WARMUP=${WARMUP:-5}
CODEC=${CODEC:-pcmu}
JAVA_OPTS=${JAVA_OPTS:-"-XX:+UseParallelGC -Xmx1g"}
RTPENGINE=${RTPENGINE:-1}        # 0: only our relay (e.g. to compare JVM options)
JIT_WARMUP=${JIT_WARMUP:-0}      # packets our relay forwards on its own before the load (JIT compiled first)
IO_ENGINE=${IO_ENGINE:-epoll}    # our relay's media.ioEngine: epoll or io_uring
BENCH_SERVER=${BENCH_SERVER:-RelayBenchServer}  # or SharedSocketProbe (BENCHMARKS.md, "socket layout")
SERVER_ARGS=${SERVER_ARGS:-}     # extra arguments to it, e.g. "--layout per-call"
PERF_STAT=${PERF_STAT:-0}        # 1: count our relay's system calls and CPU for 10 s of the measured phase (perf)
REPEAT=${REPEAT:-1}              # rounds; above 1 each round goes to OUT/round-K and medians are printed at the end
PIN=${PIN:-}                     # "G R": rtpload on CPU G, the relay under test on CPU R (taskset); empty: the scheduler
                                 # places both, and a UDP send's sync wake-up often puts the relay on the generator's CPU
PORT_MIN=20000
PORT_MAX=29999
NG_PORT=22230
NS=wabench-$$

[ -f "$SHARED/bench/rtpload.c" ] || { echo "shared bench not found at $SHARED/bench: set SHARED=" >&2; exit 2; }
command -v rtpengine >/dev/null || { echo "rtpengine is not installed (apt-get install rtpengine-daemon)" >&2; exit 2; }
mkdir -p "$OUT"
GEN_PIN=(); RELAY_PIN=(); GEN_DIR=$BUILD; RTPENGINE_BIN=rtpengine
if [ -n "$PIN" ]; then
    read -r gen_cpu relay_cpu extra <<< "$PIN"
    if ! [[ "$gen_cpu" =~ ^[0-9]+$ && "${relay_cpu:-}" =~ ^[0-9]+$ && -z "${extra:-}" ]]; then
        echo "PIN must be two CPU numbers, the generator's then the relay's (e.g. PIN=\"0 1\"), not '$PIN'" >&2; exit 2
    fi
    GEN_PIN=(taskset -c "$gen_cpu"); RELAY_PIN=(taskset -c "$relay_cpu")
    # rtpengine_bench.py starts rtpengine and rtpload itself: hand it wrappers that pin them
    GEN_DIR="$OUT/pinned-bin"; mkdir -p "$GEN_DIR"
    printf '#!/bin/sh\nexec taskset -c %s "%s/rtpload" "$@"\n' "$gen_cpu" "$BUILD" > "$GEN_DIR/rtpload"
    printf '#!/bin/sh\nexec taskset -c %s "%s" "$@"\n' "$relay_cpu" "$(command -v rtpengine)" > "$GEN_DIR/rtpengine"
    chmod +x "$GEN_DIR/rtpload" "$GEN_DIR/rtpengine"; RTPENGINE_BIN="$GEN_DIR/rtpengine"
fi

echo "== building rtpload into $BUILD"
make -s -C "$SHARED/bench" BUILD="$BUILD" >/dev/null
echo "== compiling the relay"
(cd "$ROOT" && mvn -q -B -o -pl media-relay -am compile dependency:build-classpath \
    -Dmdep.outputFile="$OUT/classpath.txt" -Dmdep.includeScope=runtime)
# no logging backend in the benchmark (logback would log to stdout, which carries the session lines)
CP="$ROOT/media-relay/target/classes:$(tr ':' '\n' < "$OUT/classpath.txt" | grep -v -e logback -e '/test-classes' | paste -sd:)"

cleanup() {
    ip netns pids "$NS" 2>/dev/null | xargs -r kill 2>/dev/null || true
    ip netns delete "$NS" 2>/dev/null || true
}
trap cleanup EXIT
ip netns add "$NS"
ip netns exec "$NS" ip link set lo up
# enough file descriptors for 4 sockets per call in the relay and 2 per call in rtpload
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

one_round() {   # $1: the round's output folder
    local dir=$1 n relay_pid fifo_in fifo_out
    mkdir -p "$dir"
    for n in $CALLS; do
        echo "== our relay, $n calls"
        fifo_in="$dir/relay-$n.in"; fifo_out="$dir/relay-$n.out"
        rm -f "$fifo_in" "$fifo_out"; mkfifo "$fifo_in" "$fifo_out"
        # shellcheck disable=SC2086
        ip netns exec "$NS" "${RELAY_PIN[@]}" java $JAVA_OPTS -cp "$CP" "org.wabridge.media.bench.$BENCH_SERVER" \
            --port-min $PORT_MIN --port-max $PORT_MAX --codec "$CODEC" --jit-warm-up "$JIT_WARMUP" --io-engine "$IO_ENGINE" $SERVER_ARGS \
            < "$fifo_in" > "$fifo_out" 2> "$dir/relay-$n.log" &
        relay_pid=$!
        if [ "$PERF_STAT" = 1 ]; then
            (sleep $((WARMUP + 3)); perf stat -x, -e raw_syscalls:sys_enter,task-clock -p "$relay_pid" -- sleep 10 \
                2> "$dir/perf-relay-$n.csv" > /dev/null) &
            # and where its CPU goes (kernel, JIT-compiled Java, the JVM itself, libraries), sampled over 8 s
            (sleep $((WARMUP + 3)); perf record -q -F 1999 -g -p "$relay_pid" -o "$dir/perf-relay-$n.data" -- sleep 8 \
                > /dev/null 2>&1 && perf report -i "$dir/perf-relay-$n.data" --no-children --sort dso --stdio -g none \
                2> /dev/null | grep -v '^#' | grep -v '^$' > "$dir/perf-relay-$n-dso.txt") &
        fi
        # open order matters: rtpload's stdout (the relay's stdin) first, then its stdin
        ip netns exec "$NS" "${GEN_PIN[@]}" "$BUILD/rtpload" -n "$n" --print-ports -f - -d "$DURATION" -w "$WARMUP" -c "$CODEC" \
            -o "$dir/relay-$n.json" -q --watch-pid "$relay_pid" > "$fifo_in" < "$fifo_out"
        wait "$relay_pid" || echo "relay exited with $?" >&2
        rm -f "$fifo_in" "$fifo_out"
    done

    echo "== rtpengine, calls: $CALLS"
    rm -rf "$dir/rtpengine"
    if [ "$RTPENGINE" = 1 ]; then
        ip netns exec "$NS" python3 "$SHARED/bench/rtpengine_bench.py" --relay rtpengine --mode srtp \
            --calls "$(echo $CALLS | tr ' ' ',')" --duration "$DURATION" --warmup "$WARMUP" --codec "$CODEC" \
            --bin-dir "$GEN_DIR" --rtpengine "$RTPENGINE_BIN" --out "$dir/rtpengine" --port-min $PORT_MIN --port-max $PORT_MAX --ng-port $NG_PORT \
            --stop-loss 100 --stop-p99-ms 100000 > "$dir/rtpengine.txt"
    fi

    echo "== results (RTP->SRTP is A->B: PBX side to Meta side)"
    python3 "$(dirname "$0")/summarize.py" "$dir" $CALLS
}

if [ "$REPEAT" -le 1 ]; then
    one_round "$OUT"
else
    for round in $(seq 1 "$REPEAT"); do
        echo "== round $round of $REPEAT"
        one_round "$OUT/round-$round"
    done
    echo "== medians over $REPEAT rounds (ratio: ours / rtpengine in the same round)"
    python3 "$(dirname "$0")/summarize.py" --rounds "$OUT" "$REPEAT" $CALLS
fi

