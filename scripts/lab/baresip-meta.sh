#!/usr/bin/env bash
# baresip playing the WhatsApp user behind the lab edge: a real, independent SRTP peer (SDES or
# DTLS-SRTP) that auto-answers, sends a wav file as its microphone and reports what it received.
# With DIAL set it also places one call at start-up (a user-initiated call through meta-caller.sh).
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
#   MEDIAENC     [srtp-mand]  how the account keys SRTP: srtp-mand (SDES, a=crypto mandatory) or
#                        dtls_srtp (DTLS-SRTP, a=fingerprint/a=setup; loads dtls_srtp.so). No ICE either
#                        way: baresip's ICE module never gathers 127.0.0.1, so a DTLS peer keys toward
#                        the c=/m= address of its SDP.
#   DIAL         (none)  a SIP URI to call once started, e.g. sip:+15550100001@127.0.0.1:5066 (the
#                        caller Kamailio of meta-caller.sh); the call ends when the far end hangs up
#   AUTH_USER, AUTH_PASS (none)  digest credentials for the bridge's 407 on a DIAL call (the business
#                        number without '+', and its SIP password); both or neither
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
MEDIAENC=${MEDIAENC:-srtp-mand}
DIAL=${DIAL:-}
AUTH_USER=${AUTH_USER:-}
AUTH_PASS=${AUTH_PASS:-}

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
    case $MEDIAENC in
        srtp-mand|dtls_srtp) ;;
        *) die "MEDIAENC='$MEDIAENC' must be srtp-mand (SDES) or dtls_srtp (DTLS-SRTP)" ;;
    esac
    # These end up in baresip's account line, its command line and sed expressions ('|' is the sed
    # delimiter, ';' and '>' would end the account's address or add parameters): allow no separators.
    local uri_re='^sips?:[-+.@:_~A-Za-z0-9]+$' word_re='^[-+._~A-Za-z0-9]+$'
    [[ -z $DIAL || $DIAL =~ $uri_re ]] \
        || die "DIAL='$DIAL' must be a SIP URI without parameters, such as sip:+15550100001@127.0.0.1:5066"
    [[ -z $AUTH_USER || $AUTH_USER =~ $word_re ]] \
        || die "AUTH_USER='$AUTH_USER' must be a digest user such as 15550100001"
    [[ -z $AUTH_PASS || $AUTH_PASS =~ $word_re ]] \
        || die "AUTH_PASS must be letters, digits and + . _ ~ - (it goes into baresip's account line)"
    [[ -z $AUTH_USER && -z $AUTH_PASS ]] || [[ -n $AUTH_USER && -n $AUTH_PASS ]] \
        || die "AUTH_USER and AUTH_PASS go together: set both or neither"
}

render() {
    local run_dir=$1
    [[ -n $WAV ]] || die "WAV is not set; give an 8 kHz mono 16-bit wav file as the microphone"
    [[ -r $WAV ]] || die "WAV='$WAV' is not a readable file"
    # '|' is the sed delimiter below; paths with it or a newline would break the config.
    [[ $WAV != *'|'* && $WAV != *$'\n'* ]] || die "WAV='$WAV' must not contain '|' or newlines"
    # dtls_srtp.so only when the account uses it: an SDES run loads exactly what it did before
    local dtls_module="# dtls_srtp.so not loaded (MEDIAENC=$MEDIAENC)"
    if [[ $MEDIAENC == dtls_srtp ]]; then
        dtls_module="module			dtls_srtp.so"
    fi
    local auth=""
    if [[ -n $AUTH_USER ]]; then
        auth=";auth_user=$AUTH_USER;auth_pass=$AUTH_PASS"
    fi
    local substitutions=(
        -e "s|@SIP_PORT@|$SIP_PORT|g"
        -e "s|@MEDIAENC@|$MEDIAENC|g"
        -e "s|@DTLS_SRTP_MODULE@|$dtls_module|g"
        -e "s|@AUTH@|$auth|g"
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
    local dial=()
    if [[ -n $DIAL ]]; then
        dial=(-e "/dial $DIAL")
    fi
    "$BARESIP" -f "$run_dir" "${dial[@]}" > "$run_dir/baresip.log" 2>&1 < /dev/null &
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
