#!/usr/bin/env bash
# baresip playing the WhatsApp user behind the lab edge: a real, independent SDES-SRTP peer that
# auto-answers, sends a wav file as its microphone and reports what it received.
#
#   scripts/lab/baresip-meta.sh start RUN_DIR   render config, start baresip, wait for its SIP port
#   scripts/lab/baresip-meta.sh stop RUN_DIR    stop the baresip started from RUN_DIR (by PID)
#
# Environment (defaults in brackets):
#   SIP_PORT     [5070]  UDP port (the edge's UAS_PORT). baresip also binds TCP on it and TLS on
#                        SIP_PORT+1, so both must be free.
#   WA_USER      [+15550100099]  the user part the account answers for (baresip refuses other
#                        Request-URI users with 404)
#   WAV          (required) 8 kHz mono 16-bit PCM wav used as the microphone
#   RTP_TIMEOUT  [3]     seconds without incoming RTP after which baresip hangs up (0 = never)
#   BARESIP      [baresip]  binary to run
#
# Files in RUN_DIR: config, accounts (rendered), baresip.log (stdout+stderr; the periodic status
# line "[h:mm:ss] audio=TX/RX (bit/s)" is separated by carriage returns; at the end of a call the
# "packets:" and "errors:" rows give Transmit and Receive counts), baresip.pid.
set -euo pipefail

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
source "$script_dir/lib.sh"
template_dir=$script_dir/baresip-meta

SIP_PORT=${SIP_PORT:-5070}
RTP_TIMEOUT=${RTP_TIMEOUT:-3}
BARESIP=${BARESIP:-baresip}
WAV=${WAV:-}
WA_USER=${WA_USER:-+15550100099}

die() { echo "baresip-meta.sh: $*" >&2; exit 1; }

usage() {
    echo "usage: $0 start|stop RUN_DIR" >&2
    exit 2
}

validate_settings() {
    [[ $SIP_PORT =~ ^[0-9]+$ && $SIP_PORT -ge 1 && $SIP_PORT -le 65534 ]] \
        || die "SIP_PORT='$SIP_PORT' is not a port number (1-65534; SIP_PORT+1 is used for TLS)"
    [[ $WA_USER =~ ^[+]?[0-9A-Za-z._-]+$ ]] || die "WA_USER='$WA_USER' must be a SIP user such as +15550100099"
    [[ $RTP_TIMEOUT =~ ^[0-9]+$ ]] || die "RTP_TIMEOUT='$RTP_TIMEOUT' must be a number of seconds (0 = never)"
}

render() {
    local run_dir=$1
    [[ -n $WAV ]] || die "WAV is not set; give an 8 kHz mono 16-bit wav file as the microphone"
    [[ -r $WAV ]] || die "WAV='$WAV' is not a readable file"
    # '|' is the sed delimiter below; paths with it or a newline would break the config.
    [[ $WAV != *'|'* && $WAV != *$'\n'* ]] || die "WAV='$WAV' must not contain '|' or newlines"
    local substitutions=(
        -e "s|@SIP_PORT@|$SIP_PORT|g"
        -e "s|@WAV@|$WAV|g"
        -e "s|@RTP_TIMEOUT@|$RTP_TIMEOUT|g"
        -e "s|@WA_USER@|$WA_USER|g"
    )
    sed "${substitutions[@]}" "$template_dir/config.tpl" > "$run_dir/config"
    sed "${substitutions[@]}" "$template_dir/accounts.tpl" > "$run_dir/accounts"
    if grep -q '@[A-Z_]\+@' "$run_dir/config" "$run_dir/accounts"; then
        die "internal error: unreplaced template token in $run_dir/config or accounts"
    fi
}




baresip_ready() { grep -q "baresip is ready" "$1/baresip.log" && lab_udp_port_bound "$SIP_PORT"; }

start() {
    local run_dir=$1 pid
    mkdir -p "$run_dir"
    run_dir=$(cd "$run_dir" && pwd)
    if [[ -s $run_dir/baresip.pid ]] && lab_is_ours "$(cat "$run_dir/baresip.pid")" "-f $run_dir"; then
        die "a baresip is already running from $run_dir (PID $(cat "$run_dir/baresip.pid")); stop it first"
    fi
    if lab_udp_port_bound "$SIP_PORT"; then
        die "UDP 127.0.0.1:$SIP_PORT is already in use by another process; set SIP_PORT to a free port"
    fi
    render "$run_dir"
    "$BARESIP" -f "$run_dir" > "$run_dir/baresip.log" 2>&1 < /dev/null &
    pid=$!
    echo "$pid" > "$run_dir/baresip.pid"
    local rc=0
    lab_await_start "$pid" "$run_dir/baresip.log" 50 baresip_ready "$run_dir" || rc=$?
    if ((rc == 2)); then
        rm -f "$run_dir/baresip.pid"
        die "baresip exited during start-up (log above, full log $run_dir/baresip.log)"
    fi
    if ((rc == 0)); then
        if grep -qi "address already in use\|module .* failed\|could not" "$run_dir/baresip.log"; then
            stop "$run_dir"
            die "baresip started with errors (is TCP $SIP_PORT or TLS $((SIP_PORT + 1)) taken?); see $run_dir/baresip.log"
        fi
        return 0
    fi
    stop "$run_dir"
    die "baresip did not bind UDP 127.0.0.1:$SIP_PORT within 5 s; see $run_dir/baresip.log"
}

stop() {
    local run_dir=$1
    [[ -d $run_dir ]] || return 0
    run_dir=$(cd "$run_dir" && pwd)
    lab_stop_daemon "$run_dir/baresip.pid" "-f $run_dir"
}

[[ $# -eq 2 ]] || usage
command=$1
run_dir=$2
validate_settings
case $command in
    start) start "$run_dir" ;;
    stop) stop "$run_dir" ;;
    *) usage ;;
esac
