#!/usr/bin/env bash
# Media relay benchmark: our Netty relay vs rtpengine (userspace), RTP (PBX side) <-> SRTP (Meta side),
# same load generator (rtpload from the shared bench), same call counts.
#
# Everything runs inside a network namespace this script creates (its own loopback and port space),
# so it cannot collide with other relays or tests on the machine; it is deleted at the end.
#
#   scripts/bench/media-bench.sh                 # N = 100 300, 20 s measured, 5 s warm-up
#   CALLS="100 300" DURATION=20 WARMUP=5 OUT=/tmp/wabench scripts/bench/media-bench.sh
#
# Needs root (ip netns), gcc, make, libssl-dev, rtpengine-daemon, Java 17, Maven (offline cache).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SHARED=${SHARED:-$(cd "$ROOT/../../shared" 2>/dev/null && pwd || echo /work/shared)}
BUILD=${BUILD:-/tmp/wabench-build}
OUT=${OUT:-/tmp/wabench-out}
CALLS=${CALLS:-"100 300"}
DURATION=${DURATION:-20}
WARMUP=${WARMUP:-5}
CODEC=${CODEC:-pcmu}
PORT_MIN=20000
PORT_MAX=29999
NG_PORT=22230
NS=wabench-$$

[ -f "$SHARED/bench/rtpload.c" ] || { echo "shared bench not found at $SHARED/bench: set SHARED=" >&2; exit 2; }
command -v rtpengine >/dev/null || { echo "rtpengine is not installed (apt-get install rtpengine-daemon)" >&2; exit 2; }
mkdir -p "$OUT"

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

for n in $CALLS; do
    echo "== our relay, $n calls"
    fifo_in="$OUT/relay-$n.in"; fifo_out="$OUT/relay-$n.out"
    rm -f "$fifo_in" "$fifo_out"; mkfifo "$fifo_in" "$fifo_out"
    ip netns exec "$NS" java -XX:+UseParallelGC -Xmx1g -cp "$CP" org.wabridge.media.bench.RelayBenchServer \
        --port-min $PORT_MIN --port-max $PORT_MAX --codec "$CODEC" \
        < "$fifo_in" > "$fifo_out" 2> "$OUT/relay-$n.log" &
    relay_pid=$!
    # open order matters: rtpload's stdout (the relay's stdin) first, then its stdin
    ip netns exec "$NS" "$BUILD/rtpload" -n "$n" --print-ports -f - -d "$DURATION" -w "$WARMUP" -c "$CODEC" \
        -o "$OUT/relay-$n.json" -q --watch-pid "$relay_pid" > "$fifo_in" < "$fifo_out"
    wait "$relay_pid" || echo "relay exited with $?" >&2
    rm -f "$fifo_in" "$fifo_out"
done

echo "== rtpengine, calls: $CALLS"
rm -rf "$OUT/rtpengine"
ip netns exec "$NS" python3 "$SHARED/bench/rtpengine_bench.py" --relay rtpengine --mode srtp \
    --calls "$(echo $CALLS | tr ' ' ',')" --duration "$DURATION" --warmup "$WARMUP" --codec "$CODEC" \
    --bin-dir "$BUILD" --out "$OUT/rtpengine" --port-min $PORT_MIN --port-max $PORT_MAX --ng-port $NG_PORT \
    --stop-loss 100 --stop-p99-ms 100000 > "$OUT/rtpengine.txt"

echo "== results (RTP->SRTP is A->B: PBX side to Meta side)"
python3 - "$OUT" $CALLS <<'PY'
import json, sys, os
out, calls = sys.argv[1], [int(c) for c in sys.argv[2:]]
engine = {}
with open(os.path.join(out, "rtpengine", "results.jsonl")) as f:
    for line in f:
        info = json.loads(line)
        engine[info["calls"]] = info["result"]
def row(name, n, r):
    d = r["directions"]
    ab, ba = d["A->B"], d["B->A"]
    cpu = r["watched"][0]["cpu_pct_one_core"]
    forwarded = sum(v["received"] for v in d.values())
    seconds = r["config"]["duration_s"] if "config" in r and "duration_s" in r["config"] else None
    seconds = seconds or r.get("duration_s")
    us_per_pkt = cpu / 100.0 * seconds * 1e6 / forwarded if forwarded else float("nan")
    loss = lambda v: 100.0 * v["lost"] / v["sent"] if v["sent"] else 0.0
    return ("| %s | %d | %.1f | %.2f | %.3f | %.3f | %.0f | %.0f | %.0f | %.0f | %d | %.2f |" % (
        name, n, cpu, us_per_pkt, loss(ab), loss(ba), ab["latency"]["p50_us"], ab["latency"]["p99_us"],
        ba["latency"]["p50_us"], ba["latency"]["p99_us"],
        sum(v["auth_errors"] + v["misrouted"] for v in d.values()), r["machine"]["busy_cores"]))
print("| relay | calls | relay CPU % of a core | CPU µs per forwarded packet | loss % RTP->SRTP | loss % SRTP->RTP "
      "| p50 µs RTP->SRTP | p99 µs RTP->SRTP | p50 µs SRTP->RTP | p99 µs SRTP->RTP | auth+misrouted | machine busy cores |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for n in calls:
    with open(os.path.join(out, "relay-%d.json" % n)) as f:
        print(row("wabridge (Java/Netty)", n, json.load(f)))
    if n in engine:
        print(row("rtpengine (userspace)", n, engine[n]))
PY
