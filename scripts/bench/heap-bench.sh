#!/usr/bin/env bash
# Heap per active call: the bridge holds CALLS concurrent calls (SIPp as the PBX -> bridge -> TLS lab edge with 407
# -> SIPp answering; each call has its relay session and ports, no media is played) and the heap in use after a full
# GC is read with them up and with none up. A thin layer over setup-bench.sh: RATE calls/s for CALLS/RATE seconds,
# each held HOLD_MS, the heap read HEAP_AT seconds into the run (all calls up).
#
#   scripts/bench/heap-bench.sh                       # 1000 calls at 50/s, held 80 s, heap read at 40 s
#   CALLS=500 RATE=50 OUT=/tmp/heap scripts/bench/heap-bench.sh
#
# Environment: CALLS [1000], RATE [50], HOLD_MS [CALLS/RATE*1000 + 60000], HEAP_AT [CALLS/RATE + 20], WARMUP [0]
# seconds of warm-up calls first (held HOLD_MS too), the media silence timeouts raised past HOLD_MS (no media flows),
# OUT [a new /tmp/wa-heap-bench.XXXXXX], BRIDGE_JAVA_OPTS. Needs what setup-bench.sh needs, and jcmd (the JDK).
# Output: one line with idle heap, heap with the calls up, calls up when read, and bytes per call.
set -euo pipefail

home=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CALLS=${CALLS:-1000}
RATE=${RATE:-50}
[[ $CALLS =~ ^[0-9]+$ && $RATE =~ ^[0-9]+$ && $RATE -ge 1 && $CALLS -ge $RATE ]] || {
    echo "heap-bench: CALLS and RATE must be whole numbers with CALLS >= RATE >= 1" >&2; exit 1; }
ramp=$((CALLS / RATE))
command -v jcmd > /dev/null || { echo "heap-bench: jcmd (JDK) not on PATH" >&2; exit 1; }

export RATES=$RATE
export DURATION=$ramp
export WARMUP=${WARMUP:-0}
export HOLD_MS=${HOLD_MS:-$((ramp * 1000 + 60000))}
export HEAP_AT=${HEAP_AT:-$((ramp + 20))}
export MAX_CALLS_PER_NUMBER=$CALLS
export MEDIA_PORT_COUNT=$(((CALLS + 100) * 4))
export META_SILENCE_TIMEOUT="$((HOLD_MS / 1000 + 60))s" PBX_SILENCE_TIMEOUT="$((HOLD_MS / 1000 + 60))s"
export WIRE=0
OUT=${OUT:-$(mktemp -d /tmp/wa-heap-bench.XXXXXX)}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
export OUT

rc=0
"$home/scripts/bench/setup-bench.sh" > "$OUT/setup-bench.out" || rc=$?
heap="$OUT/rate-$RATE/heap.env"
[[ -s $heap ]] || { echo "heap-bench: no heap reading (see $OUT/setup-bench.out)" >&2; exit 1; }
# shellcheck disable=SC1090
source "$heap"
per_call=$(( (loaded_bytes - idle_bytes) / (active_calls > 0 ? active_calls : 1) ))
printf '| %s calls up (%s after the GC) | idle heap %d KiB | with the calls %d KiB | %d bytes per call |\n' \
    "$active_calls" "$active_calls_after" $((idle_bytes / 1024)) $((loaded_bytes / 1024)) "$per_call" | tee "$OUT/heap-results.md"
echo "raw files: $OUT" >&2
exit $rc
