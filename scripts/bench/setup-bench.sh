#!/usr/bin/env bash
# Call set-up latency through the bridge: SIPp as the PBX places calls at fixed rates, the bridge relays them over
# TLS to the lab "Meta edge" (Kamailio, 407 MD5 challenge) and SIPp behind it answers at once. Measures, per rate,
# PBX INVITE -> PBX receives 200 (SIPp's response times, and a capture of the PBX side), failures, SIP
# retransmissions, and the first call after a fresh bridge start against the median. BENCHMARKS.md has results.
#
#   scripts/bench/setup-bench.sh                                   # RATES="20 100": 10 s warm-up + 20 s measured
#   RATES="20 100 300" DURATION=10 WARMUP=10 HOLD_MS=100 OUT=/tmp/setup scripts/bench/setup-bench.sh
#   PBX_TRANSPORT=t1 scripts/bench/setup-bench.sh                  # PBX over TCP instead of UDP
#
# Per rate: a fresh bridge (`scripts/bridge run -c sip-config/examples/lab.yaml`, working directory OUT/rate-R, so
# its call log lands there) is started and waited for until /health says ready; one single call is placed (the
# "first call"), then RATE calls/s for WARMUP s (the JIT compiles the call path: on 2 cores a fresh JVM spends most
# of a core on that for tens of seconds; counted apart) and RATE calls/s for DURATION s, the measured run (each
# call held HOLD_MS, then BYE from the PBX); the bridge and the answering SIPp are stopped. The edge runs once for
# all rates. Every port is a free one on 127.0.0.1; everything this script starts is stopped on exit, also on
# failure, Ctrl-C or SIGTERM.
#
# Environment: RATES ["20 100"], DURATION [20] seconds of measured calls per rate, WARMUP [10] seconds of calls
# before them (0: none), HOLD_MS [100], PBX_TRANSPORT [u1] (u1|t1), OUT [a new /tmp/wa-setup-bench.XXXXXX],
# KAMAILIO_SHM_MB [1024] (the edge's shared memory),
# MAX_CALLS_PER_NUMBER [200] (limits.maxCallsPerNumber), MEDIA_PORT_COUNT [1000] (the relay's UDP ports: 4 per
# call, so 1000 hold 250 concurrent calls), BRIDGE_JAVA_OPTS (JVM options of the bridge),
# HEAP_AT [unset]: seconds into the measured run at which to read the heap after a full GC and the calls up
# (OUT/rate-R/heap.env, with the heap of the idle bridge before the run, and OUT/rate-R/heap-histogram.txt; for
# heap-bench.sh),
# SAMPLE_EVERY [unset]: every so many seconds of the measured run, the heap after a full GC, open file descriptors,
# threads and calls up, into OUT/rate-R/samples.csv, with a last row once the calls have ended (soak-bench.sh),
# MEDIA [0]: 1 = calls carry media both ways (sipp-scenarios/pbx-uac-call-media.xml plays PCMA for about 7.2 s,
# HOLD_MS is ignored; meta-uas-answer-echo.xml answers PCMA with the bridge's own SDES key and SIPp's -rtp_echo
# returns the SRTP; media.g711EnabledAtMeta on), and samples.csv gets the relay's ports in use,
# WIRE [1 when root with tshark, else 0]: also capture the PBX side of the measured run on lo and take the set-up
# times from the packets (SIPp's own response times come in steps of 4 ms here),
# PEER [bridge]: what sits between the PBX and the edge: the bridge, or `sbc`, the anchor a telecom expert would
# deploy instead (Kamailio + rtpengine, scripts/lab/sbc.sh; its processes' CPU is counted where the bridge's is;
# SBC_CHILDREN [4] of its Kamailio workers per transport; not with MEDIA, HEAP_AT or SAMPLE_EVERY).
# Needs: sipp, kamailio with TLS, openssl, curl, python3, Java 17 (tshark for WIRE); the bridge is built first.
# Output: one table row per rate on stdout, and OUT/results.md; raw files (SIPp stats and rtt CSVs, logs) in OUT,
# and per rate OUT/rate-R/cpu.env (the bridge's CPU ticks and wall time of the measured run, for sip-bench.sh) and
# OUT/rate-R/threads.txt (CPU ticks of each bridge thread during the measured run, busiest first).
set -euo pipefail

home=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=../lab/lib.sh
source "$home/scripts/lab/lib.sh"

RATES=${RATES:-"20 100"}
DURATION=${DURATION:-20}
WARMUP=${WARMUP:-10}
HOLD_MS=${HOLD_MS:-100}
HEAP_AT=${HEAP_AT:-}
SAMPLE_EVERY=${SAMPLE_EVERY:-}
PBX_TRANSPORT=${PBX_TRANSPORT:-u1}
MAX_CALLS_PER_NUMBER=${MAX_CALLS_PER_NUMBER:-200}
MEDIA_PORT_COUNT=${MEDIA_PORT_COUNT:-1000}
OUT=${OUT:-$(mktemp -d /tmp/wa-setup-bench.XXXXXX)}
MEDIA=${MEDIA:-0}
PEER=${PEER:-bridge}

die() { echo "setup-bench: $*" >&2; exit 1; }
[[ $DURATION =~ ^[0-9]+$ && $DURATION -ge 1 && $DURATION -le 3600 ]] || die "DURATION='$DURATION': 1..3600 seconds"
[[ $HOLD_MS =~ ^[0-9]+$ ]] || die "HOLD_MS='$HOLD_MS' is not a number of milliseconds"
[[ $MEDIA == 0 || $MEDIA == 1 ]] || die "MEDIA must be 0 or 1"
((MEDIA == 0)) || HOLD_MS=7200   # the media scenario's own length (for time limits)
[[ -z $HEAP_AT || $HEAP_AT =~ ^[0-9]+$ ]] || die "HEAP_AT='$HEAP_AT' is not a number of seconds"
[[ -z $SAMPLE_EVERY || $SAMPLE_EVERY =~ ^[1-9][0-9]*$ ]] || die "SAMPLE_EVERY='$SAMPLE_EVERY' is not a number of seconds"
[[ $WARMUP =~ ^[0-9]+$ && $WARMUP -le 600 ]] || die "WARMUP='$WARMUP': 0..600 seconds"
[[ $PBX_TRANSPORT == u1 || $PBX_TRANSPORT == t1 ]] || die "PBX_TRANSPORT must be u1 (UDP) or t1 (TCP)"
[[ $PEER == bridge || $PEER == sbc ]] || die "PEER must be bridge or sbc"
if [[ $PEER == sbc ]]; then
    ((MEDIA == 0)) && [[ -z $HEAP_AT && -z $SAMPLE_EVERY ]] \
        || die "PEER=sbc measures signalling only: MEDIA, HEAP_AT and SAMPLE_EVERY need the bridge"
    [[ $PBX_TRANSPORT == u1 ]] || die "PEER=sbc listens for the PBX on UDP only (PBX_TRANSPORT=u1)"
fi
[[ $MEDIA_PORT_COUNT =~ ^[0-9]+$ && $MEDIA_PORT_COUNT -ge 100 && $MEDIA_PORT_COUNT -le 20000 ]] \
    || die "MEDIA_PORT_COUNT='$MEDIA_PORT_COUNT': 100..20000"
for rate in $RATES; do
    [[ $rate =~ ^[0-9]+$ && $rate -ge 1 && $rate -le 1000 ]] || die "rate '$rate' in RATES is not 1..1000 calls/s"
done
lab_require sipp kamailio openssl curl python3 java
if [[ -z ${WIRE:-} ]]; then
    WIRE=0
    [[ $(id -u) -eq 0 ]] && command -v tshark > /dev/null && WIRE=1
fi
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

EDGE_DIR=$OUT/edge
BRIDGE_PID=""   # the bridge, or the SBC's Kamailio
SBC_DIR=""

cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    lab_cleanup                      # SIPp processes and the bridge, by PID
    [[ -z $SBC_DIR ]] || "$home/scripts/lab/sbc.sh" stop "$SBC_DIR" 2>/dev/null || true
    "$home/scripts/lab/meta-edge.sh" stop "$EDGE_DIR" 2>/dev/null || true
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A port free for both TCP and UDP on 127.0.0.1 (SIP listeners take both).
free_port() {
    python3 - <<'EOF'
import socket
for _ in range(200):
    t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    t.bind(("127.0.0.1", 0))
    port = t.getsockname()[1]
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        u.bind(("127.0.0.1", port))
    except OSError:
        t.close()
        continue
    print(port)
    break
EOF
}

ms_now() { date +%s%3N; }
# heap_after_gc PID: bytes of Java heap in use right after a full collection (jcmd GC.run, then GC.heap_info)
heap_after_gc() {
    jcmd "$1" GC.run > /dev/null
    jcmd "$1" GC.heap_info | awk '/used/ { for (i = 1; i < NF; i++) if ($i == "used") { v = $(i + 1); break }
        unit = substr(v, length(v)); n = substr(v, 1, length(v) - 1)
        print n * (unit == "K" ? 1024 : unit == "M" ? 1048576 : 1); exit }'
}
# relay_ports: UDP sockets bound in the bridge's media port range (only the bridge binds there)
relay_ports() {
    ss -Huan | awk -v lo="$MEDIA_PORT_MIN" -v hi="$MEDIA_PORT_MAX" '{ n = split($4, a, ":"); p = a[n] + 0
        if (p >= lo && p <= hi) c++ } END { print c + 0 }'
}
# active_calls: the bridge's wabridge_calls_active gauge
active_calls() { curl -sf "http://127.0.0.1:$ADMIN_PORT/metrics" | awk '/^wabridge_calls_active /{print int($2)}'; }

# CPU accounting in clock ticks (USER_HZ): the machine is usually shared, so each row says how much CPU the bridge
# took and how much went to neither the bridge nor its lab peers ("other", SIPp as the PBX included).
machine_ticks() { awk '/^cpu /{print $2+$3+$4+$7+$8+$9; exit}' /proc/stat; }   # busy: user nice system irq softirq steal
pid_ticks() { awk '{print $14+$15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
# peer_pids: the processes whose CPU is the peer's: the bridge, or the SBC's Kamailio processes and rtpengine
peer_pids() {
    if [[ $PEER == sbc ]]; then
        pgrep -f -- "-f $SBC_DIR/kamailio.cfg"
        cat "$SBC_DIR/rtpengine.pid"
    else
        echo "$BRIDGE_PID"
    fi
}
peer_ticks() {
    local total=0 pid
    for pid in $(peer_pids); do
        total=$((total + $(pid_ticks "$pid")))
    done
    echo "$total"
}
# thread_ticks PID: "TID ticks name" for each thread of PID
thread_ticks() {
    local t
    for t in /proc/"$1"/task/*; do
        [[ -r $t/stat ]] || continue
        # the name (field 2) may hold spaces: take the fields after its closing parenthesis
        printf '%s %s %s\n' "${t##*/}" "$(sed 's/.*) //' "$t/stat" | awk '{print $12+$13}')" "$(tr ' ' _ < "$t/comm")"
    done 2> /dev/null
}
ctx_switches() {   # voluntary + involuntary context switches of every thread of the PIDs given (a hand-off costs one)
    local pid
    for pid in "$@"; do
        cat /proc/"$pid"/task/*/status 2> /dev/null
    done | awk '/ctxt_switches/ { n += $2 } END { print n + 0 }'
}
lab_ticks() {   # the edge's Kamailio processes and the answering SIPp
    local total=0 pid
    for pid in $(pgrep -f -- "-f $EDGE_DIR/kamailio.cfg") "$1"; do
        total=$((total + $(pid_ticks "$pid")))
    done
    echo "$total"
}

if [[ $PEER == bridge ]]; then
    echo "== building the bridge (mvn package -DskipTests)" >&2
    (cd "$home" && mvn -B -ntp -q package -DskipTests) >&2
fi

export CERT_DIR=$OUT/certs
"$home/scripts/lab/certs.sh" "$CERT_DIR" > /dev/null
export EDGE_TLS_PORT EDGE_UDP_PORT UAS_PORT PASSWORD=lab-secret
EDGE_TLS_PORT=$(free_port)
EDGE_UDP_PORT=$(free_port)
UAS_PORT=$(free_port)
# The edge keeps each relayed call's transactions in shared memory for their timers: 64 MB ran out at 400 calls/s
# and its TLS then dropped the bridge's connection (BENCHMARKS.md, "The lab edge's memory").
export KAMAILIO_SHM_MB=${KAMAILIO_SHM_MB:-1024}
echo "== edge: Kamailio TLS 127.0.0.1:$EDGE_TLS_PORT, answering SIPp on UDP $UAS_PORT, ${KAMAILIO_SHM_MB} MB shared memory" >&2
"$home/scripts/lab/meta-edge.sh" start "$EDGE_DIR" >&2

# The bridge's settings (sip-config/examples/lab.yaml reads them from the environment).
export META_EDGE="sip:wa.meta.vc:$EDGE_TLS_PORT;transport=tls" META_EDGE_ADDRESS=127.0.0.1
export META_TLS_TRUST=$CERT_DIR/edge-ca.pem META_TLS_CERT=$CERT_DIR/bridge.pem META_TLS_KEY=$CERT_DIR/bridge.key
export META_SIP_PASSWORD=lab-secret BUSINESS_NUMBER=+15550100001 MAX_CALLS_PER_NUMBER
export PBX_LISTEN_PORT META_LISTEN_PORT ADMIN_PORT MEDIA_PORT_MIN MEDIA_PORT_MAX

# SIPp names its rtt trace after the scenario file: the runs use copies in OUT (working directory OUT/rate-R).
cp "$home/sipp-scenarios/pbx-uac-call.xml" "$home/sipp-scenarios/meta-uas-answer.xml" "$OUT/"
UAS_MEDIA=()
if ((MEDIA)); then
    # the media scenarios under the same names, so the rest of the script reads them alike
    cp "$home/sipp-scenarios/pbx-uac-call-media.xml" "$OUT/pbx-uac-call.xml"
    cp "$home/sipp-scenarios/meta-uas-answer-echo.xml" "$OUT/meta-uas-answer.xml"
    UAS_MEDIA=(-rtp_echo)
    export G711_AT_META=true
fi

# start_bridge DIR: starts the bridge with its working directory DIR, waits until /health says ready; sets
# BRIDGE_PID and READY_MS (launch to ready).
start_bridge() {
    local dir=$1 t0 rc=0
    PBX_LISTEN_PORT=$(free_port)
    META_LISTEN_PORT=$(free_port)
    ADMIN_PORT=$(free_port)
    MEDIA_PORT_MIN=$((40000 + (RANDOM % 20) * 1000))
    if ((MEDIA_PORT_COUNT > 1000)); then   # a wide range: somewhere in 30000-64999
        MEDIA_PORT_MIN=$((30000 + (RANDOM % (35000 - MEDIA_PORT_COUNT)) / 2 * 2))
    fi
    MEDIA_PORT_MAX=$((MEDIA_PORT_MIN + MEDIA_PORT_COUNT - 1))
    t0=$(ms_now)
    (cd "$dir" && exec "$home/scripts/bridge" run -c "$home/sip-config/examples/lab.yaml" --drain-seconds 2) \
        > "$dir/bridge.log" 2>&1 < /dev/null &
    BRIDGE_PID=$!
    LAB_PIDS+=("$BRIDGE_PID")
    lab_await_start "$BRIDGE_PID" "$dir/bridge.log" 600 \
        curl -sf -o /dev/null "http://127.0.0.1:$ADMIN_PORT/health" || rc=$?
    ((rc == 0)) || die "the bridge did not become ready within 60 s (rc $rc); see $dir/bridge.log"
    READY_MS=$(($(ms_now) - t0))
}

# start_sbc DIR: starts the Kamailio + rtpengine SBC in DIR/sbc for the PBX to call; sets BRIDGE_PID (its
# Kamailio), SBC_DIR and READY_MS.
start_sbc() {
    local dir=$1 t0
    PBX_LISTEN_PORT=$(free_port)
    SBC_DIR=$dir/sbc
    mkdir -p "$SBC_DIR"
    t0=$(ms_now)
    # rtpengine's ports below the kernel's ephemeral range (32768-60999), where free_port picks SIPp's
    SBC_UDP_PORT=$PBX_LISTEN_PORT SBC_TLS_PORT=$(free_port) NG_PORT=$(free_port) RTP_PORT_MIN=20000 \
        RTP_PORT_MAX=29999 BUSINESS_NUMBER=+15550100001 "$home/scripts/lab/sbc.sh" start "$SBC_DIR" >&2 \
        || die "the SBC did not start; see $SBC_DIR"
    BRIDGE_PID=$(cat "$SBC_DIR/kamailio.pid")
    READY_MS=$(($(ms_now) - t0))
}

# pbx_calls DIR NAME CALLS RATE: SIPp as the PBX places CALLS calls at RATE/s through the bridge; waits for it.
pbx_calls() {
    local dir=$1 name=$2 calls=$3 rate=$4 pid rc=0
    local limit=$((calls / rate + HOLD_MS / 1000 + 60))
    (cd "$dir" && exec sipp "127.0.0.1:$PBX_LISTEN_PORT" -sf ../pbx-uac-call.xml -i 127.0.0.1 -p "$(free_port)" \
        -t "$PBX_TRANSPORT" -s +15550100099 -mp "$(free_port)" -r "$rate" -m "$calls" -d "$HOLD_MS" -l 1000 \
        -nostdin -timeout "${limit}s" -timeout_error -trace_stat -stf "$name-stat.csv" -fd 1 \
        -trace_rtt -rtt_freq 1 -trace_err -error_file "$name-errors.log") > "$dir/$name.log" 2>&1 < /dev/null &
    pid=$!
    LAB_PIDS+=("$pid")
    lab_wait_pid "$pid" "$((limit + 5))" || rc=$?
    # SIPp's rtt file is named after the scenario and its PID
    mv "$dir/pbx-uac-call_${pid}_rtt.csv" "$dir/$name-rtt.csv" 2>/dev/null || true
    return "$rc"
}

results=$OUT/results.md
{
    echo "PBX transport $PBX_TRANSPORT, $DURATION s of measured calls per rate after $WARMUP s of warm-up calls, calls held $HOLD_MS ms; set-up = PBX INVITE sent -> 200 received (ms)"
    echo "p50..max: SIPp's response times (steps of 4 ms); wire: the same interval from a capture of the PBX side on lo ('-' without WIRE)"
    echo "Between the PBX and the edge: $PEER. CPU columns: percent of one core during the rate run ($(nproc) cores); other = machine CPU used by neither the $PEER nor the edge and answering SIPp (SIPp as the PBX included)"
    echo
    echo "| rate (calls/s) | attempted | failed | retrans PBX | retrans Meta UAS | p50 ms | p90 ms | p99 ms | max ms | wire p50 ms | wire p99 ms | first call ms | first - p50 ms | start->ready ms | warm-up failed/retrans | $PEER CPU % | other CPU % |"
    echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
} > "$results"

for rate in $RATES; do
    dir=$OUT/rate-$rate
    mkdir -p "$dir"
    total=$((rate * DURATION))
    warm=$((rate * WARMUP))
    echo "== rate $rate calls/s: first call, $warm warm-up calls, $total measured calls; fresh $PEER" >&2
    # the WhatsApp user behind the edge answers every call (the first one and the rate run)
    ((MEDIA == 0)) || ln -sfn /usr/share/sip-tester "$dir/pcap"   # play_pcap_audio reads pcap/g711a.pcap
    (cd "$dir" && exec sipp -sf ../meta-uas-answer.xml -i 127.0.0.1 -p "$UAS_PORT" -t u1 -mp "$(free_port)" "${UAS_MEDIA[@]}" \
        -m "$((total + warm + 1))" -nostdin -timeout "$((DURATION + WARMUP + 120))s" -trace_stat -stf uas-stat.csv -fd 1 \
        -trace_err -error_file uas-errors.log) > "$dir/uas.log" 2>&1 < /dev/null &
    uas_pid=$!
    LAB_PIDS+=("$uas_pid")
    lab_wait_port udp "$UAS_PORT" || die "the answering SIPp did not bind UDP $UAS_PORT; see $dir/uas.log"
    if [[ $PEER == sbc ]]; then
        start_sbc "$dir"
    else
        start_bridge "$dir"
    fi
    echo "   $PEER ready after $READY_MS ms (PID $BRIDGE_PID, PBX port $PBX_LISTEN_PORT)" >&2
    pbx_calls "$dir" first 1 1 || echo "   the first call failed (see $dir/first.log)" >&2
    if ((warm > 0)); then
        pbx_calls "$dir" warmup "$warm" "$rate" || echo "   some warm-up calls failed (see $dir/warmup.log)" >&2
    fi
    if [[ $PEER == bridge ]]; then
        # the warm-up's last calls end before the run starts: at 500 calls/s a warm-up that fell behind left calls
        # up, which held the per-number limit against the run's first calls and counted in its CPU
        left=$(active_calls)
        for ((i = 0; i < 300; i++)); do
            [[ -z $left || $left == 0 ]] && break
            sleep 0.1
            left=$(active_calls)
        done
        [[ -z $left || $left == 0 ]] || echo "   $left warm-up calls still up after 30 s; the run starts anyway" >&2
    fi
    sleep 1.2   # the answering SIPp writes its counters every second: read them after the warm-up's last ones
    u0=$(python3 -c 'import csv,sys
try:
    rows=list(csv.reader(open(sys.argv[1]),delimiter=";")); print(dict(zip(rows[0],rows[-1]))["Retransmissions(C)"])
except Exception: print(0)' "$dir/uas-stat.csv")
    cap_pid=""
    if ((WIRE)); then
        proto=udp; [[ $PBX_TRANSPORT == t1 ]] && proto=tcp
        tshark -i lo -f "$proto port $PBX_LISTEN_PORT" -w "$dir/pbx-side.pcapng" > "$dir/tshark.log" 2>&1 < /dev/null &
        cap_pid=$!
        LAB_PIDS+=("$cap_pid")
        for ((i = 0; i < 50; i++)); do grep -q "Capturing on" "$dir/tshark.log" && break; sleep 0.1; done
    fi
    heap_pid=""
    if [[ -n $HEAP_AT ]]; then
        # heap after a full GC with no call up, then HEAP_AT s into the measured run (calls held HOLD_MS)
        echo "idle_bytes=$(heap_after_gc "$BRIDGE_PID")" > "$dir/heap.env"
        (sleep "$HEAP_AT"
         echo "active_calls=$(active_calls)"
         echo "loaded_bytes=$(heap_after_gc "$BRIDGE_PID")"
         jcmd "$BRIDGE_PID" GC.class_histogram > "$dir/heap-histogram.txt"   # what the calls hold, by class
         echo "active_calls_after=$(active_calls)") >> "$dir/heap.env" 2> /dev/null &
        heap_pid=$!
    fi
    sampler_pid=""
    if [[ -n $SAMPLE_EVERY ]]; then
        # every SAMPLE_EVERY s: heap after a full GC, open file descriptors, threads, calls up (soak-bench.sh)
        (echo "seconds,heap_bytes,fds,threads,active_calls,relay_ports"
         s0=$(date +%s)
         while kill -0 "$BRIDGE_PID" 2> /dev/null; do
             echo "$(( $(date +%s) - s0 )),$(heap_after_gc "$BRIDGE_PID"),$(ls "/proc/$BRIDGE_PID/fd" | wc -l),$(ls "/proc/$BRIDGE_PID/task" | wc -l),$(active_calls),$(relay_ports)"
             sleep "$SAMPLE_EVERY"
         done) > "$dir/samples.csv" 2> /dev/null &
        sampler_pid=$!
        LAB_PIDS+=("$sampler_pid")
    fi
    pids=$(peer_pids)
    for pid in $pids; do thread_ticks "$pid"; done > "$dir/threads-0.txt"
    # shellcheck disable=SC2086
    m0=$(machine_ticks) b0=$(peer_ticks) l0=$(lab_ticks "$uas_pid") t0=$(ms_now) c0=$(ctx_switches $pids)
    pbx_calls "$dir" run "$total" "$rate" || echo "   SIPp (PBX) exited non-zero: some calls failed (see $dir/run.log)" >&2
    [[ -z $heap_pid ]] || wait "$heap_pid" || true
    if [[ -n $sampler_pid ]]; then
        sleep 3   # the calls' ends settle; then one last sample with none up
        kill "$sampler_pid" 2> /dev/null || true
        wait "$sampler_pid" 2> /dev/null || true
        echo "end,$(heap_after_gc "$BRIDGE_PID"),$(ls "/proc/$BRIDGE_PID/fd" | wc -l),$(ls "/proc/$BRIDGE_PID/task" | wc -l),$(active_calls),$(relay_ports)" >> "$dir/samples.csv"
    fi
    # shellcheck disable=SC2086
    m1=$(machine_ticks) b1=$(peer_ticks) l1=$(lab_ticks "$uas_pid") t1=$(ms_now) c1=$(ctx_switches $pids)
    for pid in $pids; do thread_ticks "$pid"; done > "$dir/threads-1.txt"
    # per thread: ticks during the measured run, busiest first (threads started during the run count from 0)
    awk 'NR == FNR { before[$1] = $2; next } { d = $2 - before[$1]; if (d > 0) print d, $3 }' \
        "$dir/threads-0.txt" "$dir/threads-1.txt" | sort -rn > "$dir/threads.txt"
    printf 'bridge_ticks=%s\nlab_ticks=%s\nmachine_ticks=%s\nwall_ms=%s\nhz=%s\nbridge_context_switches=%s\n' \
        "$((b1 - b0))" "$((l1 - l0))" "$((m1 - m0))" "$((t1 - t0))" "$(getconf CLK_TCK)" "$((c1 - c0))" > "$dir/cpu.env"
    # percent of one core: ticks * 100 / (USER_HZ * seconds)
    hz=$(getconf CLK_TCK)
    bridge_cpu=$(( (b1 - b0) * 100 * 1000 / hz / (t1 - t0) ))
    other_cpu=$(( ((m1 - m0) - (b1 - b0) - (l1 - l0)) * 100 * 1000 / hz / (t1 - t0) ))
    sleep 1   # the last BYEs reach the UAS
    if [[ -n $cap_pid ]]; then
        lab_stop_pid "$cap_pid"
        # INVITE (first sent) -> 200 OK (first seen) per Call-ID, as the PBX sees them on the wire
        tshark -r "$dir/pbx-side.pcapng" -d "$proto.port==$PBX_LISTEN_PORT,sip" -Y sip -T fields -E separator=';' \
            -e frame.time_epoch -e sip.Call-ID -e sip.Method -e sip.Status-Code -e sip.CSeq.method \
            > "$dir/pbx-side.txt" 2> /dev/null || true
    fi
    if [[ $PEER == sbc ]]; then
        "$home/scripts/lab/sbc.sh" stop "$SBC_DIR"
        SBC_DIR=""
    else
        lab_stop_pid "$BRIDGE_PID"
    fi
    lab_stop_pid "$uas_pid"
    python3 - "$dir" "$rate" "$READY_MS" "$bridge_cpu" "$other_cpu" "$u0" >> "$results" <<'EOF'
import csv, sys, os
d, rate, ready, bcpu, ocpu, uas_retrans_before = sys.argv[1:7]
def last_stats(path):
    try:
        with open(path) as f:
            rows = list(csv.reader(f, delimiter=';'))
    except OSError:
        return {}
    if len(rows) < 2:
        return {}
    return dict(zip(rows[0], rows[-1]))
def rtts(path):
    out = []
    try:
        with open(path) as f:
            for line in f:
                parts = line.strip().split(';')
                if len(parts) >= 2:
                    try:
                        out.append(float(parts[1]))
                    except ValueError:
                        pass   # header
    except OSError:
        pass
    return sorted(out)
def pct(v, p):
    if not v:
        return float('nan')
    return v[min(len(v) - 1, int(round(p / 100.0 * (len(v) - 1))))]
run = last_stats(os.path.join(d, 'run-stat.csv'))
first = last_stats(os.path.join(d, 'first-stat.csv'))
uas = last_stats(os.path.join(d, 'uas-stat.csv'))
r = rtts(os.path.join(d, 'run-rtt.csv'))
f = rtts(os.path.join(d, 'first-rtt.csv'))
def wire(path):
    sent, done = {}, {}
    try:
        with open(path) as f:
            for line in f:
                t, cid, method, status, cseq = (line.rstrip('\n').split(';') + [''] * 5)[:5]
                if method == 'INVITE' and cid not in sent:
                    sent[cid] = float(t)
                elif status == '200' and cseq == 'INVITE' and cid in sent and cid not in done:
                    done[cid] = (float(t) - sent[cid]) * 1000
    except OSError:
        return []
    return sorted(done.values())
w = wire(os.path.join(d, 'pbx-side.txt'))
wire_cols = f"{pct(w, 50):.1f} | {pct(w, 99):.1f}" if w else "- | -"
def n(s, k):
    try:
        return int(s.get(k, 'nan'))
    except ValueError:
        return -1
attempted = n(run, 'OutgoingCall(C)')
failed = n(run, 'FailedCall(C)')
warm = last_stats(os.path.join(d, 'warmup-stat.csv'))
retr = n(run, 'Retransmissions(C)')
# the answering SIPp serves the first call, the warm-up and the measured run: only the run's share counts here
uretr = n(uas, 'Retransmissions(C)') - int(uas_retrans_before or 0)
warm_note = f"{n(warm, 'FailedCall(C)')}/{n(warm, 'Retransmissions(C)')}" if warm else "-"
p50 = pct(r, 50)
fc = f[0] if f else float('nan')
print(f"| {rate} | {attempted} | {failed} | {retr} | {uretr} | {p50:.1f} | {pct(r, 90):.1f} | {pct(r, 99):.1f} | "
      f"{(r[-1] if r else float('nan')):.1f} | {wire_cols} | {fc:.1f} | {fc - p50:+.1f} | {ready} | {warm_note} | {bcpu} | {ocpu} |")
EOF
    tail -n 1 "$results" >&2
done

echo
cat "$results"
echo
echo "raw files: $OUT"
