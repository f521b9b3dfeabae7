# Shared helpers for the lab scripts (source it; it defines functions and the pass/fail tally).
# Every process a helper starts is recorded in LAB_PIDS so that lab_cleanup stops exactly those.

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LAB_SCENARIO_DIR=$(cd "$LAB_DIR/../../sipp-scenarios" && pwd)
LAB_PIDS=()
LAB_PASSED=0
LAB_FAILED=0

lab_pass() { LAB_PASSED=$((LAB_PASSED + 1)); echo "PASS  $*"; }
lab_fail() { LAB_FAILED=$((LAB_FAILED + 1)); echo "FAIL  $*"; }

lab_require() {
    local tool
    for tool in "$@"; do
        command -v "$tool" > /dev/null || { echo "missing tool '$tool' (see docs/TOOLING.md for the apt packages)" >&2; exit 2; }
    done
}

# lab_cert_dir RUN_DIR NAME: prints the absolute directory of the lab's PKI (CERT_DIR, else RUN_DIR/certs), made
# by certs.sh when NAME.pem, NAME.key or the CA is missing; fails, saying so, when NAME is none that certs.sh makes.
lab_cert_dir() {
    local dir=${CERT_DIR:-$1/certs} name=$2
    if [[ ! -s $dir/$name.pem || ! -s $dir/$name.key || ! -s $dir/edge-ca.pem ]]; then
        "$LAB_DIR/certs.sh" "$dir" >&2 || return 1
    fi
    [[ -s $dir/$name.pem ]] \
        || { echo "no certificate $dir/$name.pem: the name must be one certs.sh makes (edge, wrong-name, bridge)" >&2; return 1; }
    (cd "$dir" && pwd)
}

lab_is_running() { [[ -n ${1:-} ]] && kill -0 "$1" 2> /dev/null; }

# lab_stop_pid PID: SIGTERM, up to 3 s grace, then SIGKILL; only ever the given PID.
lab_stop_pid() {
    local pid=$1 tenths
    lab_is_running "$pid" || return 0
    kill -TERM "$pid" 2> /dev/null || true
    for ((tenths = 0; tenths < 30; tenths++)); do
        lab_is_running "$pid" || break
        sleep 0.1
    done
    lab_is_running "$pid" && kill -KILL "$pid" 2> /dev/null
    wait "$pid" 2> /dev/null || true
}

lab_cleanup() {
    local pid
    for pid in "${LAB_PIDS[@]}"; do
        lab_stop_pid "$pid"
    done
    LAB_PIDS=()
}

# lab_wait_port udp|tcp PORT: true once something listens on 127.0.0.1:PORT (at most 3 s).
lab_wait_port() {
    local proto=$1 port=$2 tenths flag
    [[ $proto == udp ]] && flag=-Hlnu || flag=-Hlnt
    for ((tenths = 0; tenths < 30; tenths++)); do
        ss "$flag" "sport = :$port" 2> /dev/null | grep -q "127.0.0.1:$port" && return 0
        sleep 0.1
    done
    return 1
}

# lab_start_sipp_server LOG PORT TRANSPORT(u1|t1) SIPP_ARGS...: starts a SIPp UAS in the
# background (foreground mode, stdin closed), records its PID in LAB_LAST_PID and LAB_PIDS.
lab_start_sipp_server() {
    local log=$1 port=$2 transport=$3
    shift 3
    sipp -i 127.0.0.1 -p "$port" -t "$transport" -nostdin -m 1 -timeout 30 -timeout_error \
        -trace_err "$@" > "$log" 2>&1 < /dev/null &
    LAB_LAST_PID=$!
    LAB_PIDS+=("$LAB_LAST_PID")
    local proto=udp
    [[ $transport == t1 ]] && proto=tcp
    lab_wait_port "$proto" "$port"
}

# lab_wait_pid PID SECONDS: waits for a process this shell started; returns its exit code,
# or stops it and returns 124 when it outlives SECONDS.
lab_wait_pid() {
    local pid=$1 limit_tenths=$(($2 * 10)) tenths
    for ((tenths = 0; tenths < limit_tenths; tenths++)); do
        lab_is_running "$pid" || break
        sleep 0.1
    done
    if lab_is_running "$pid"; then
        lab_stop_pid "$pid"
        return 124
    fi
    wait "$pid"
}

# --- daemons started by the *.sh start|stop scripts (meta-edge, meta-caller, baresip-meta) ---------------

lab_tcp_port_open() { timeout 1 bash -c ": > /dev/tcp/127.0.0.1/$1" 2>/dev/null; }
lab_udp_port_bound() { ss -Hlnu "sport = :$1" 2>/dev/null | grep -q "127.0.0.1:$1"; }
lab_listening() { lab_udp_port_bound "$1" && lab_tcp_port_open "$2"; }   # UDP_PORT TLS_PORT

# True only when PID runs and its command line contains MARKER (e.g. its config path in the RUN_DIR): a stale
# PID file must never make us signal someone else's process.
lab_is_ours() { lab_is_running "$1" && [[ $(ps -o args= -p "$1" 2>/dev/null) == *"$2"* ]]; }

# lab_stop_daemon PIDFILE MARKER: SIGTERM the process of PIDFILE if it is ours, wait up to 5 s, then SIGKILL it
# and any of its children still carrying MARKER (Kamailio's workers); removes PIDFILE.
lab_stop_daemon() {
    local pidfile=$1 marker=$2 pid children child tenths
    [[ -s $pidfile ]] || return 0
    pid=$(cat "$pidfile")
    if lab_is_ours "$pid" "$marker"; then
        children=$(ps -o pid= --ppid "$pid" 2>/dev/null || true)
        kill -TERM "$pid" 2>/dev/null || true
        for ((tenths = 0; tenths < 50; tenths++)); do
            lab_is_running "$pid" || break
            sleep 0.1
        done
        if lab_is_running "$pid"; then
            kill -KILL "$pid" 2>/dev/null || true
        fi
        for child in $children; do
            if lab_is_ours "$child" "$marker"; then
                kill -KILL "$child" 2>/dev/null || true
            fi
        done
    fi
    rm -f "$pidfile"
}

# lab_await_start PID LOG TENTHS READY_COMMAND...: 0 as soon as READY_COMMAND succeeds, 1 when TENTHS tenths of a
# second pass first, 2 when PID exits (the tail of LOG is printed to stderr).
lab_await_start() {
    local pid=$1 log=$2 tenths=$3 i
    shift 3
    for ((i = 0; i < tenths; i++)); do
        if ! lab_is_running "$pid"; then
            tail -n 30 "$log" >&2
            return 2
        fi
        if "$@"; then
            return 0
        fi
        sleep 0.1
    done
    return 1
}

# lab_render_kamailio TEMPLATE_DIR RUN_DIR SED_ARGS...: RUN_DIR/kamailio.cfg (readable by its owner only: it may hold
# a password) and RUN_DIR/tls.cfg from TEMPLATE_DIR's kamailio.cfg.tpl and tls.cfg.tpl with the sed substitutions;
# exits 1 when a @TOKEN@ is left in either.
lab_render_kamailio() {
    local template_dir=$1 run_dir=$2
    shift 2
    (umask 077 && sed "$@" "$template_dir/kamailio.cfg.tpl" > "$run_dir/kamailio.cfg")
    sed "$@" "$template_dir/tls.cfg.tpl" > "$run_dir/tls.cfg"
    if grep -q '@[A-Z_]\+@' "$run_dir/kamailio.cfg" "$run_dir/tls.cfg"; then
        echo "internal error: unreplaced template token in $run_dir/kamailio.cfg or tls.cfg" >&2
        exit 1
    fi
}

# lab_check_kamailio RUN_DIR: `kamailio -c` on RUN_DIR/kamailio.cfg; exits 1 with its output when it is refused.
lab_check_kamailio() {
    local run_dir=$1 output
    if ! output=$("${KAMAILIO:-kamailio}" -c -Y "$run_dir" -f "$run_dir/kamailio.cfg" 2>&1); then
        echo "$output" >&2
        echo "kamailio -c rejected $run_dir/kamailio.cfg (output above)" >&2
        exit 1
    fi
}

# lab_start_kamailio RUN_DIR UDP_PORT TLS_PORT: runs Kamailio on RUN_DIR/kamailio.cfg (already rendered and
# checked) in the background, PID in RUN_DIR/kamailio.pid, log in RUN_DIR/kamailio.log, and returns once it
# listens on both ports; exits 1 with the log's tail when it dies or does not listen within 5 s.
# KAMAILIO_SHM_MB [64]: its shared memory. Each call it relays keeps transactions there for their timers; when it
# runs short, Kamailio's TLS refuses to work ("ssl bug #1491 workaround: not enough memory") and drops the
# connection, so load tests above a few hundred calls/s need more (the benchmarks give 1024).
lab_start_kamailio() {
    local run_dir=$1 udp_port=$2 tls_port=$3 pid rc=0
    [[ ${KAMAILIO_SHM_MB:-64} =~ ^[0-9]+$ ]] || { echo "KAMAILIO_SHM_MB='$KAMAILIO_SHM_MB' is not a number of MB" >&2; exit 1; }
    "${KAMAILIO:-kamailio}" -DD -E -m "${KAMAILIO_SHM_MB:-64}" -M 8 -Y "$run_dir" -f "$run_dir/kamailio.cfg" \
        > "$run_dir/kamailio.log" 2>&1 < /dev/null &
    pid=$!
    echo "$pid" > "$run_dir/kamailio.pid"
    lab_await_start "$pid" "$run_dir/kamailio.log" 50 lab_listening "$udp_port" "$tls_port" || rc=$?
    ((rc == 0)) && return 0
    if ((rc == 2)); then
        rm -f "$run_dir/kamailio.pid"
        echo "Kamailio exited during start-up (log above, full log $run_dir/kamailio.log); is UDP port $udp_port or TLS port $tls_port taken?" >&2
    else
        lab_stop_daemon "$run_dir/kamailio.pid" "-f $run_dir/kamailio.cfg"
        echo "Kamailio did not listen on 127.0.0.1:$udp_port (UDP) and :$tls_port (TLS) within 5 s; see $run_dir/kamailio.log" >&2
    fi
    exit 1
}

# lab_stop_kamailio RUN_DIR: stops the Kamailio lab_start_kamailio started from RUN_DIR (by PID, if it is still
# that Kamailio); nothing when RUN_DIR does not exist.
lab_stop_kamailio() {
    [[ -d $1 ]] || return 0
    local run_dir
    run_dir=$(cd "$1" && pwd)
    lab_stop_daemon "$run_dir/kamailio.pid" "-f $run_dir/kamailio.cfg"
}
