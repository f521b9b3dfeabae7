#!/usr/bin/env bash
# The Meta-side TLS listener under a connection flood while real calls go through the bridge. setup-bench.sh runs
# the calls (SIPp as the PBX -> bridge -> TLS lab edge with 407 -> SIPp answering) at RATE calls/s; once the
# bridge is ready, a flood client (below, Python) hits the bridge's Meta listener for the whole run with:
#   - refused sources: connections from 127.0.0.100-104, outside meta.allowedSources, as fast as it can
#     (up to FLOOD_RATE connection attempts/s), each closed by the bridge at accept;
#   - allowed sources: FLOOD_HOLD TLS connections from 127.0.0.1-12 that complete the handshake and then idle,
#     re-opened when closed, so the listener sits at its caps (meta.tlsMaxConnections 256, 32 per source);
#   - silent clients: FLOOD_SILENT connections from 127.0.0.13 that never send a byte (closed after 5 s).
# Every SAMPLE_EVERY s it records, from /metrics and /proc: connections the listener holds, refusals by reason,
# handshake failures, the bridge's threads and open descriptors, calls up. The calls' outcome comes from
# setup-bench's results row (attempted, failed, set-up times).
#
#   scripts/bench/tls-flood-bench.sh                        # 20 calls/s for 60 s under the flood
#   RATE=50 DURATION=120 FLOOD_HOLD=500 OUT=/tmp/flood scripts/bench/tls-flood-bench.sh
#
# Environment: RATE [20], DURATION [60] s of measured calls, WARMUP [10], FLOOD_RATE [300], FLOOD_HOLD [500],
# FLOOD_SILENT [50], SAMPLE_EVERY [5], OUT [a new /tmp/wa-tls-flood.XXXXXX]. Needs what setup-bench.sh needs.
# The bridge's meta.allowedSources is 127.0.0.0/28 here (META_ALLOWED_SOURCES, read by lab.yaml).
# Output: OUT/flood-samples.md (a table) and setup-bench's row; raw files in OUT.
set -euo pipefail

home=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
RATE=${RATE:-20}
export RATES=$RATE DURATION=${DURATION:-60} WARMUP=${WARMUP:-10} HOLD_MS=${HOLD_MS:-1000} WIRE=0
FLOOD_RATE=${FLOOD_RATE:-300}
FLOOD_HOLD=${FLOOD_HOLD:-500}
FLOOD_SILENT=${FLOOD_SILENT:-50}
SAMPLE_EVERY=${SAMPLE_EVERY:-5}
export META_ALLOWED_SOURCES=127.0.0.0/28
OUT=${OUT:-$(mktemp -d /tmp/wa-tls-flood.XXXXXX)}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
export OUT
dir=$OUT/rate-$RATE

"$home/scripts/bench/setup-bench.sh" > "$OUT/setup-bench.out" 2> "$OUT/setup-bench.err" &
bench_pid=$!
flood_pid=""
cleanup() {
    [[ -n $flood_pid ]] && kill "$flood_pid" 2> /dev/null || true
    wait "$bench_pid" 2> /dev/null || true
}
trap cleanup EXIT INT TERM

# the bridge: the java process whose working directory is dir, once its admin API answers
bridge_pid=""
for ((i = 0; i < 1200; i++)); do
    if [[ -d $dir ]]; then
        for p in /proc/[0-9]*; do
            [[ $(readlink "$p/cwd" 2> /dev/null) == "$dir" ]] && grep -q java "$p/cmdline" 2> /dev/null \
                && { bridge_pid=${p#/proc/}; break; }
        done
    fi
    if [[ -n $bridge_pid ]]; then
        env_of() { tr '\0' '\n' < "/proc/$bridge_pid/environ" | sed -n "s/^$1=//p"; }
        META_PORT=$(env_of META_LISTEN_PORT)
        ADMIN_PORT=$(env_of ADMIN_PORT)
        curl -sf -o /dev/null "http://127.0.0.1:$ADMIN_PORT/health" && break
    fi
    kill -0 "$bench_pid" 2> /dev/null || { echo "tls-flood: setup-bench ended early; see $OUT/setup-bench.err" >&2; exit 1; }
    sleep 0.1
done
[[ -n $bridge_pid ]] || { echo "tls-flood: no bridge found" >&2; exit 1; }
echo "== bridge PID $bridge_pid, Meta listener 127.0.0.1:$META_PORT, admin $ADMIN_PORT; flooding" >&2

python3 - "$META_PORT" "$FLOOD_RATE" "$FLOOD_HOLD" "$FLOOD_SILENT" > "$OUT/flood.log" 2>&1 <<'PY' &
import socket, ssl, sys, threading, time
port, rate, hold, silent = (int(a) for a in sys.argv[1:5])
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
counts = {"refused_attempts": 0, "held": 0, "reopened": 0, "silent_closed": 0}
lock = threading.Lock()

def connect(src):
    s = socket.socket()
    s.bind((src, 0))
    s.settimeout(10)
    s.connect(("127.0.0.1", port))
    return s

def refused():   # outside meta.allowedSources: the bridge resets at accept
    i = 0
    while True:
        t = time.time()
        try:
            s = connect("127.0.0.%d" % (100 + i % 5))
            try:
                ctx.wrap_socket(s, server_hostname="bridge.example.test").close()
            except OSError:
                s.close()
        except OSError:
            pass
        i += 1
        with lock:
            counts["refused_attempts"] += 1
        time.sleep(max(0, 1 / rate - (time.time() - t)))

def holder(n):   # allowed, handshake done, then idle; re-opened when the bridge closes or refuses it
    src = "127.0.0.%d" % (1 + n % 12)
    while True:
        try:
            s = ctx.wrap_socket(connect(src), server_hostname="bridge.example.test")
            with lock:
                counts["held"] += 1
            s.settimeout(None)
            s.recv(1)   # blocks until the bridge closes it
            with lock:
                counts["held"] -= 1
        except OSError:
            pass
        with lock:
            counts["reopened"] += 1
        time.sleep(1)

def silent_client():   # connects and never sends: closed after the 5 s handshake timeout
    while True:
        try:
            s = connect("127.0.0.13")
            s.settimeout(30)
            s.recv(1)
            s.close()
        except OSError:
            pass
        with lock:
            counts["silent_closed"] += 1

threading.Thread(target=refused, daemon=True).start()
for n in range(hold):
    threading.Thread(target=holder, args=(n,), daemon=True).start()
for _ in range(silent):
    threading.Thread(target=silent_client, daemon=True).start()
while True:
    time.sleep(5)
    with lock:
        print(time.strftime("%H:%M:%S"), dict(counts), flush=True)
PY
flood_pid=$!

metric() { awk -v m="$1" '$1 == m { printf "%d", $2; found = 1 } END { if (!found) printf "-" }'; }
{
    echo "| s | held by listener | refused: source not allowed | refused: listener full | refused: source full | handshake failures | bridge threads | bridge fds | calls up |"
    echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
} > "$OUT/flood-samples.md"
start=$(date +%s)
while kill -0 "$bench_pid" 2> /dev/null && kill -0 "$bridge_pid" 2> /dev/null; do
    m=$(curl -sf "http://127.0.0.1:$ADMIN_PORT/metrics" || true)
    [[ -n $m ]] && printf '| %d | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$(($(date +%s) - start))" \
        "$(metric wabridge_meta_connections_open <<< "$m")" \
        "$(metric 'wabridge_meta_connections_refused_total{reason="source-not-allowed"}' <<< "$m")" \
        "$(metric 'wabridge_meta_connections_refused_total{reason="listener-full"}' <<< "$m")" \
        "$(metric 'wabridge_meta_connections_refused_total{reason="source-full"}' <<< "$m")" \
        "$(metric wabridge_meta_tls_handshake_failures_total <<< "$m")" \
        "$(ls "/proc/$bridge_pid/task" 2> /dev/null | wc -l)" "$(ls "/proc/$bridge_pid/fd" 2> /dev/null | wc -l)" \
        "$(metric wabridge_calls_active <<< "$m")" >> "$OUT/flood-samples.md"
    sleep "$SAMPLE_EVERY"
done
kill "$flood_pid" 2> /dev/null || true
flood_pid=""
wait "$bench_pid" || true
cat "$OUT/flood-samples.md"
echo
tail -n 3 "$OUT/results.md"
echo "raw files: $OUT" >&2
