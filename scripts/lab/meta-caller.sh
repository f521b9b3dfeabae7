#!/usr/bin/env bash
# Kamailio standing in for Meta's SIP edge CALLING the bridge (user-initiated calls), bound to 127.0.0.1 only.
#
#   scripts/lab/meta-caller.sh start RUN_DIR   render config, check it, start Kamailio, wait for its sockets
#   scripts/lab/meta-caller.sh stop RUN_DIR    stop the Kamailio started from RUN_DIR (by PID)
#   scripts/lab/meta-caller.sh check RUN_DIR   only render and run `kamailio -c` (no process left)
#
# A SIPp UAC playing the WhatsApp user (sipp-scenarios/meta-uac-*.xml) sends its INVITE over UDP to
# CALLER_UDP_PORT; Kamailio record-routes it (two Record-Route entries, because it switches UDP -> TLS),
# adds X-FB-External-Domain: wa.meta.vc and relays it over TLS to the bridge. Everything else (407
# challenges, ACK, CANCEL, BYE both ways) is relayed or loose-routed.
#
# Environment (defaults in brackets):
#   CALLER_UDP_PORT  [5066]  UDP listener for the SIPp UAC
#   CALLER_TLS_PORT  [5062]  TLS listener: the bridge's in-dialog requests come here (first Record-Route)
#   BRIDGE_TLS_PORT  [5071]  the bridge's Meta-side TLS listener on 127.0.0.1
#   CERT_DIR         [RUN_DIR/certs]  output of certs.sh; generated when missing
#   CALLER_CERT      [edge]  server certificate base name in CERT_DIR (the bridge checks it is wa.meta.vc)
#   VERIFY_BRIDGE    [yes]   yes: verify the bridge's certificate against CERT_DIR/edge-ca.pem
#                            (SNI bridge.example.test); no: accept any certificate
#   KAMAILIO         [kamailio]  binary to run
#
# Files in RUN_DIR: kamailio.cfg, tls.cfg (rendered), kamailio.log (Kamailio's stderr; every decision
# is one line containing "CALLER:"), kamailio.pid.
set -euo pipefail

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
source "$script_dir/lib.sh"
template_dir=$script_dir/meta-caller

CALLER_UDP_PORT=${CALLER_UDP_PORT:-5066}
CALLER_TLS_PORT=${CALLER_TLS_PORT:-5062}
BRIDGE_TLS_PORT=${BRIDGE_TLS_PORT:-5071}
CALLER_CERT=${CALLER_CERT:-edge}
VERIFY_BRIDGE=${VERIFY_BRIDGE:-yes}
KAMAILIO=${KAMAILIO:-kamailio}

die() { echo "meta-caller.sh: $*" >&2; exit 1; }

usage() {
    echo "usage: $0 start|stop|check RUN_DIR" >&2
    exit 2
}

validate_settings() {
    local name
    for name in CALLER_UDP_PORT CALLER_TLS_PORT BRIDGE_TLS_PORT; do
        [[ ${!name} =~ ^[0-9]+$ && ${!name} -ge 1 && ${!name} -le 65535 ]] \
            || die "$name='${!name}' is not a port number (1-65535)"
    done
    [[ $CALLER_CERT =~ ^[A-Za-z0-9._-]+$ ]] || die "CALLER_CERT='$CALLER_CERT' must be a file base name such as edge"
    case $VERIFY_BRIDGE in
        yes|no) ;;
        *) die "VERIFY_BRIDGE='$VERIFY_BRIDGE' must be yes or no" ;;
    esac
}

render() {
    local run_dir=$1
    local cert_dir
    cert_dir=$(lab_cert_dir "$run_dir" "$CALLER_CERT") || die "CALLER_CERT='$CALLER_CERT': no such lab certificate"
    local substitutions=(
        -e "s|@RUN_DIR@|$run_dir|g"
        -e "s|@CALLER_UDP_PORT@|$CALLER_UDP_PORT|g"
        -e "s|@CALLER_TLS_PORT@|$CALLER_TLS_PORT|g"
        -e "s|@BRIDGE_TLS_PORT@|$BRIDGE_TLS_PORT|g"
        -e "s|@CALLER_CERT_FILE@|$cert_dir/$CALLER_CERT.pem|g"
        -e "s|@CALLER_KEY_FILE@|$cert_dir/$CALLER_CERT.key|g"
        -e "s|@CA_FILE@|$cert_dir/edge-ca.pem|g"
        -e "s|@VERIFY_BRIDGE@|$VERIFY_BRIDGE|g"
    )
    lab_render_kamailio "$template_dir" "$run_dir" "${substitutions[@]}"
}





start() {
    local run_dir=$1
    mkdir -p "$run_dir"
    run_dir=$(cd "$run_dir" && pwd)
    if [[ -s $run_dir/kamailio.pid ]] && lab_is_ours "$(cat "$run_dir/kamailio.pid")" "-f $run_dir/kamailio.cfg"; then
        die "a caller is already running from $run_dir (PID $(cat "$run_dir/kamailio.pid")); stop it first"
    fi
    if lab_tcp_port_open "$CALLER_TLS_PORT"; then
        die "127.0.0.1:$CALLER_TLS_PORT is already in use by another process; set CALLER_TLS_PORT to a free port"
    fi
    if lab_udp_port_bound "$CALLER_UDP_PORT"; then
        die "UDP 127.0.0.1:$CALLER_UDP_PORT is already in use by another process; set CALLER_UDP_PORT to a free port"
    fi
    render "$run_dir"
    lab_check_kamailio "$run_dir"
    lab_start_kamailio "$run_dir" "$CALLER_UDP_PORT" "$CALLER_TLS_PORT"
}

[[ $# -eq 2 ]] || usage
command=$1
run_dir=$2
validate_settings
case $command in
    start) start "$run_dir" ;;
    stop) lab_stop_kamailio "$run_dir" ;;
    check)
        mkdir -p "$run_dir"
        run_dir=$(cd "$run_dir" && pwd)
        render "$run_dir"
        lab_check_kamailio "$run_dir"
        ;;
    *) usage ;;
esac
