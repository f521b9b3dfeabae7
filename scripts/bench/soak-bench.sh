#!/usr/bin/env bash
# Soak: RATE calls/s through the bridge for MINUTES minutes (SIPp as the PBX -> bridge -> TLS lab edge with 407 ->
# SIPp answering; calls held HOLD_MS, no media played), sampling every SAMPLE_EVERY s the bridge's heap after a full
# GC, open file descriptors, threads and calls up, and once more after the last call ended. A bridge that leaks
# calls, ports, threads or memory shows it as growth between the first and the last rows. A thin layer over
# setup-bench.sh (which also reports set-up times, failures and retransmissions for the whole run).
#
#   scripts/bench/soak-bench.sh                          # 100 calls/s for 10 minutes, 1 s calls, a sample a minute
#   RATE=50 MINUTES=2 SAMPLE_EVERY=20 OUT=/tmp/soak scripts/bench/soak-bench.sh
#
# Environment: RATE [100], MINUTES [10], HOLD_MS [1000], SAMPLE_EVERY [60], WARMUP [30] seconds of calls first (not
# sampled: the JIT and the pools settle), OUT [a new /tmp/wa-soak-bench.XXXXXX], BRIDGE_JAVA_OPTS. Needs what
# setup-bench.sh needs, and jcmd (the JDK). Run it under `flock /tmp/bench.lock` on a shared box.
# MEDIA=1: the calls carry media both ways (PBX SIPp plays PCMA for about 7.2 s a call, the WhatsApp-side SIPp echoes
# the bridge's SRTP back; see setup-bench.sh), so RATE calls/s keep about 7 x RATE calls up; the summary adds the
# relay's ports in use per sample and the media counters of every call from the call log. HOLD_MS is then ignored.
#
#   MEDIA=1 RATE=7 MINUTES=10 scripts/bench/soak-bench.sh   # about 50 calls with media, cycling for 10 minutes
#
# Output: the samples as a table, setup-bench's row for the run, and the growth from the first to the last sample.
set -euo pipefail

home=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
RATE=${RATE:-100}
MINUTES=${MINUTES:-10}
[[ $RATE =~ ^[1-9][0-9]*$ && $MINUTES =~ ^[1-9][0-9]*$ && $MINUTES -le 60 ]] || {
    echo "soak-bench: RATE >= 1 and MINUTES 1..60, whole numbers" >&2; exit 1; }
command -v jcmd > /dev/null || { echo "soak-bench: jcmd (JDK) not on PATH" >&2; exit 1; }

export RATES=$RATE
export DURATION=$((MINUTES * 60))
export WARMUP=${WARMUP:-30}
export HOLD_MS=${HOLD_MS:-1000}
export SAMPLE_EVERY=${SAMPLE_EVERY:-60}
export MAX_CALLS_PER_NUMBER=${MAX_CALLS_PER_NUMBER:-1000}
export MEDIA_PORT_COUNT=${MEDIA_PORT_COUNT:-6000}
export WIRE=0
export MEDIA=${MEDIA:-0}
OUT=${OUT:-$(mktemp -d /tmp/wa-soak-bench.XXXXXX)}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
export OUT

rc=0
"$home/scripts/bench/setup-bench.sh" > "$OUT/setup-bench.out" || rc=$?
samples="$OUT/rate-$RATE/samples.csv"
[[ -s $samples ]] || { echo "soak-bench: no samples (see $OUT/setup-bench.out)" >&2; exit 1; }
python3 - "$samples" "$OUT/rate-$RATE/lab/calls.db" "$MEDIA" <<'PY' | tee "$OUT/soak-results.md"
import csv, os, sqlite3, sys
rows = list(csv.DictReader(open(sys.argv[1])))
rows = [r for r in rows if r.get('heap_bytes')]
print("| s | heap after GC (KiB) | fds | threads | calls up | relay ports bound |")
print("|---|---:|---:|---:|---:|---:|")
for r in rows:
    print(f"| {r['seconds']} | {int(float(r['heap_bytes'])) // 1024} | {r['fds']} | {r['threads']} | "
          f"{r['active_calls']} | {r.get('relay_ports', '-')} |")
if len(rows) >= 2:
    a, b = rows[0], rows[-1]
    print(f"\nfirst -> last: heap {int(float(b['heap_bytes']) - float(a['heap_bytes'])) // 1024:+d} KiB, "
          f"fds {int(b['fds']) - int(a['fds']):+d}, threads {int(b['threads']) - int(a['threads']):+d}")
if sys.argv[3] == "1" and os.path.exists(sys.argv[2]):
    # every call of the run (warm-up included): did media flow both ways through the relay?
    db = sqlite3.connect(sys.argv[2])
    q = lambda sql: db.execute(sql).fetchone()
    calls, connected, unfinished = q("SELECT COUNT(*), SUM(outcome = 'connected'), SUM(ended_at IS NULL) FROM calls")
    sums = q("SELECT SUM(pbx_packets_in), SUM(pbx_packets_out), SUM(meta_packets_in), SUM(meta_packets_out), "
             "SUM(meta_auth_failures), SUM(pbx_dropped + meta_dropped) FROM calls")
    silent = q("SELECT COUNT(*) FROM calls WHERE outcome = 'connected' AND (pbx_packets_in = 0 OR pbx_packets_out = 0 "
               "OR meta_packets_in = 0 OR meta_packets_out = 0)")[0]
    faults = q("SELECT COUNT(*) FROM calls WHERE cause_id IS NOT NULL")[0]
    print(f"\nmedia (call log, {calls} calls, {connected} connected, {unfinished} not ended, {faults} with a cause): "
          f"PBX leg in {sums[0]} / out {sums[1]} packets, Meta leg in {sums[2]} / out {sums[3]} packets, "
          f"SRTP auth failures {sums[4]}, dropped {sums[5]}; connected calls without media on some leg/direction: {silent}")
PY
tail -n 1 "$OUT/results.md"
echo "raw files: $OUT" >&2
exit $rc
