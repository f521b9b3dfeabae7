#!/usr/bin/env bash
# The signalling benchmark's anchor: a Kamailio + rtpengine SBC between the PBX and the lab "Meta edge", what an
# expert would deploy instead of the bridge (scripts/lab/sbc/kamailio.cfg.tpl says what it does). 127.0.0.1 only.
#
#   scripts/lab/sbc.sh start RUN_DIR   render and check the config, start rtpengine and Kamailio, wait for both
#   scripts/lab/sbc.sh stop RUN_DIR    stop what start started from RUN_DIR (by PID)
#
# Environment (defaults in brackets):
#   SBC_UDP_PORT [5080]   where the PBX sends its calls
#   SBC_TLS_PORT [5081]   Kamailio's TLS listener (its connection to the edge leaves from it)
#   EDGE_TLS_PORT [5061]  the lab edge (scripts/lab/meta-edge.sh)
#   NG_PORT [2223]        rtpengine's control port
#   RTP_PORT_MIN [30000], RTP_PORT_MAX [39999]   rtpengine's media ports (freed as each call ends: no delete
#                         delay, whose default 30 s held 4 ports per call and ran a 20,000-port range dry at 100 calls/s)
#   BUSINESS_NUMBER [+15550100001], PASSWORD [lab-secret]   the edge's digest credentials
#   SBC_CHILDREN [4]      Kamailio's UDP and TLS worker processes each
#   CERT_DIR [RUN_DIR/certs]   output of certs.sh (the lab CA the edge's certificate is checked against)
#   KAMAILIO_SHM_MB [64]  Kamailio's shared memory (lib.sh); load tests need more
# Files in RUN_DIR: kamailio.cfg, tls.cfg, kamailio.log, kamailio.pid, rtpengine.log, rtpengine.pid, rtpengine.ng-port.
set -euo pipefail

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
source "$script_dir/lib.sh"

SBC_UDP_PORT=${SBC_UDP_PORT:-5080}
SBC_TLS_PORT=${SBC_TLS_PORT:-5081}
EDGE_TLS_PORT=${EDGE_TLS_PORT:-5061}
NG_PORT=${NG_PORT:-2223}
RTP_PORT_MIN=${RTP_PORT_MIN:-30000}
RTP_PORT_MAX=${RTP_PORT_MAX:-39999}
BUSINESS_NUMBER=${BUSINESS_NUMBER:-+15550100001}
PASSWORD=${PASSWORD:-lab-secret}
SBC_CHILDREN=${SBC_CHILDREN:-4}

die() { echo "sbc.sh: $*" >&2; exit 1; }

validate_settings() {
    local name
    for name in SBC_UDP_PORT SBC_TLS_PORT EDGE_TLS_PORT NG_PORT RTP_PORT_MIN RTP_PORT_MAX; do
        [[ ${!name} =~ ^[0-9]+$ && ${!name} -ge 1 && ${!name} -le 65535 ]] \
            || die "$name='${!name}' is not a port number (1-65535)"
    done
    ((RTP_PORT_MIN < RTP_PORT_MAX)) || die "RTP_PORT_MIN must be below RTP_PORT_MAX"
    [[ $BUSINESS_NUMBER =~ ^[+][0-9]+$ ]] || die "BUSINESS_NUMBER='$BUSINESS_NUMBER' is not +digits"
    [[ $SBC_CHILDREN =~ ^[1-9][0-9]?$ ]] || die "SBC_CHILDREN='$SBC_CHILDREN' is not 1-99"
    case $PASSWORD in
        '' | *[\"\'\\\|\&:]* | *$'\n'*) die "PASSWORD must be non-empty and must not contain quotes, backslash, '|', '&', ':' or newlines" ;;
    esac
}

render() {
    local run_dir=$1 cert_dir
    cert_dir=$(lab_cert_dir "$run_dir" bridge) || die "cannot make the lab certificates"
    local substitutions=(
        -e "s|@RUN_DIR@|$run_dir|g"
        -e "s|@SBC_UDP_PORT@|$SBC_UDP_PORT|g"
        -e "s|@SBC_TLS_PORT@|$SBC_TLS_PORT|g"
        -e "s|@EDGE_TLS_PORT@|$EDGE_TLS_PORT|g"
        -e "s|@NG_PORT@|$NG_PORT|g"
        -e "s|@CHILDREN@|$SBC_CHILDREN|g"
        -e "s|@DIGEST_USER@|${BUSINESS_NUMBER#+}|g"
        -e "s|@PASSWORD@|$PASSWORD|g"
        -e "s|@CERT_FILE@|$cert_dir/bridge.pem|g"
        -e "s|@KEY_FILE@|$cert_dir/bridge.key|g"
        -e "s|@CA_FILE@|$cert_dir/edge-ca.pem|g"
    )
    lab_render_kamailio "$script_dir/sbc" "$run_dir" "${substitutions[@]}"
    lab_check_kamailio "$run_dir"
}

start() {
    local run_dir=$1 pid rc=0
    mkdir -p "$run_dir"
    run_dir=$(cd "$run_dir" && pwd)
    lab_require kamailio rtpengine
    render "$run_dir"
    rtpengine --config-file=none --interface=127.0.0.1 --listen-ng="127.0.0.1:$NG_PORT" --foreground --log-stderr \
        --log-level=4 --table=-1 --delete-delay=0 --port-min="$RTP_PORT_MIN" --port-max="$RTP_PORT_MAX" \
        > "$run_dir/rtpengine.log" 2>&1 < /dev/null &
    pid=$!
    echo "$pid" > "$run_dir/rtpengine.pid"
    echo "$NG_PORT" > "$run_dir/rtpengine.ng-port"   # stop finds it by this, whatever its own environment says
    lab_await_start "$pid" "$run_dir/rtpengine.log" 50 lab_udp_port_bound "$NG_PORT" || rc=$?
    ((rc == 0)) || die "rtpengine did not start (see $run_dir/rtpengine.log)"
    lab_start_kamailio "$run_dir" "$SBC_UDP_PORT" "$SBC_TLS_PORT"
}

stop() {
    local run_dir=$1
    [[ -d $run_dir ]] || return 0
    run_dir=$(cd "$run_dir" && pwd)
    lab_stop_kamailio "$run_dir"
    if [[ -s $run_dir/rtpengine.ng-port ]]; then
        lab_stop_daemon "$run_dir/rtpengine.pid" "--listen-ng=127.0.0.1:$(cat "$run_dir/rtpengine.ng-port") "
    fi
}

[[ $# -eq 2 ]] || { echo "usage: $0 start|stop RUN_DIR" >&2; exit 2; }
validate_settings
case $1 in
    start) start "$2" ;;
    stop) stop "$2" ;;
    *) echo "usage: $0 start|stop RUN_DIR" >&2; exit 2 ;;
esac
