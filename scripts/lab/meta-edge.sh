#!/usr/bin/env bash
# Kamailio standing in for Meta's SIP edge (wa.meta.vc), bound to 127.0.0.1 only.
#
#   scripts/lab/meta-edge.sh start RUN_DIR   render config, check it, start Kamailio, wait for TLS
#   scripts/lab/meta-edge.sh stop RUN_DIR    stop the Kamailio started from RUN_DIR (by PID)
#   scripts/lab/meta-edge.sh check RUN_DIR   only render and run `kamailio -c` (no process left)
#
# Environment (defaults in brackets):
#   EDGE_TLS_PORT [5061]  TLS listener (server cert = EDGE_CERT, no client cert requested)
#   EDGE_UDP_PORT [5065]  UDP listener (for SIPp-only tests; also the socket towards the UAS)
#   UAS_PORT      [5070]  UDP port of the SIPp UAS playing the WhatsApp user behind the edge
#   PASSWORD      [lab-secret]  SIP password; digest username = From user without '+'
#   DIGEST_ALG    [MD5]   MD5 | SHA-256
#   NONCE_EXPIRE  [300]   seconds a nonce stays valid; an expired one gets a 407 with stale=true
#   ONE_TIME_NONCE [0]    1: a nonce is good for one request; credentials over a used one get the 403 of bad
#                         credentials (an edge that refuses reused nonces: the bridge's fallback is tested on it)
#   CERT_DIR      [RUN_DIR/certs]  output of certs.sh; generated when missing
#   EDGE_CERT     [edge]  certificate base name in CERT_DIR (wrong-name for the hostname test)
#   KAMAILIO      [kamailio]  binary to run
#   KAMAILIO_SHM_MB [64]  shared memory in MB (lib.sh); load tests need more (scripts/bench: 1024)
#
# Files in RUN_DIR: kamailio.cfg, tls.cfg (rendered), kamailio.log (Kamailio's stderr; every
# decision of the edge is one line containing "EDGE:"), kamailio.pid.
set -euo pipefail

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
source "$script_dir/lib.sh"
template_dir=$script_dir/meta-edge

EDGE_TLS_PORT=${EDGE_TLS_PORT:-5061}
EDGE_UDP_PORT=${EDGE_UDP_PORT:-5065}
UAS_PORT=${UAS_PORT:-5070}
PASSWORD=${PASSWORD:-lab-secret}
DIGEST_ALG=${DIGEST_ALG:-MD5}
NONCE_EXPIRE=${NONCE_EXPIRE:-300}
ONE_TIME_NONCE=${ONE_TIME_NONCE:-0}
EDGE_CERT=${EDGE_CERT:-edge}
KAMAILIO=${KAMAILIO:-kamailio}

die() { echo "meta-edge.sh: $*" >&2; exit 1; }

usage() {
    echo "usage: $0 start|stop|check RUN_DIR" >&2
    exit 2
}

validate_settings() {
    local name
    [[ $NONCE_EXPIRE =~ ^[0-9]+$ && $NONCE_EXPIRE -ge 1 ]] || die "NONCE_EXPIRE='$NONCE_EXPIRE' must be a number of seconds (>= 1)"
    [[ $ONE_TIME_NONCE == 0 || $ONE_TIME_NONCE == 1 ]] || die "ONE_TIME_NONCE='$ONE_TIME_NONCE' must be 0 or 1"
    for name in EDGE_TLS_PORT EDGE_UDP_PORT UAS_PORT; do
        [[ ${!name} =~ ^[0-9]+$ && ${!name} -ge 1 && ${!name} -le 65535 ]] \
            || die "$name='${!name}' is not a port number (1-65535)"
    done
    case $DIGEST_ALG in
        MD5|SHA-256) ;;
        *) die "DIGEST_ALG='$DIGEST_ALG' is not supported; use MD5 or SHA-256" ;;
    esac
    # The password is written into a double-quoted Kamailio string and a sed replacement.
    case $PASSWORD in
        '' | *[\"\'\\\|\&]* | *$'\n'*) die "PASSWORD must be non-empty and must not contain quotes, backslash, '|', '&' or newlines" ;;
    esac
    [[ $EDGE_CERT =~ ^[A-Za-z0-9._-]+$ ]] || die "EDGE_CERT='$EDGE_CERT' must be a file base name such as edge or wrong-name"
}

render() {
    local run_dir=$1
    local cert_dir
    cert_dir=$(lab_cert_dir "$run_dir" "$EDGE_CERT") || die "EDGE_CERT='$EDGE_CERT': no such lab certificate"
    local opaque
    opaque=$(openssl rand -hex 8)
    local substitutions=(
        -e "s|@RUN_DIR@|$run_dir|g"
        -e "s|@EDGE_TLS_PORT@|$EDGE_TLS_PORT|g"
        -e "s|@EDGE_UDP_PORT@|$EDGE_UDP_PORT|g"
        -e "s|@UAS_PORT@|$UAS_PORT|g"
        -e "s|@PASSWORD@|$PASSWORD|g"
        -e "s|@DIGEST_ALG@|$DIGEST_ALG|g"
        -e "s|@NONCE_EXPIRE@|$NONCE_EXPIRE|g"
        -e "s|@ONE_TIME_NONCE@|$ONE_TIME_NONCE|g"
        -e "s|@OPAQUE@|$opaque|g"
        -e "s|@EDGE_CERT_FILE@|$cert_dir/$EDGE_CERT.pem|g"
        -e "s|@EDGE_KEY_FILE@|$cert_dir/$EDGE_CERT.key|g"
    )
    lab_render_kamailio "$template_dir" "$run_dir" "${substitutions[@]}"
}






start() {
    local run_dir=$1
    mkdir -p "$run_dir"
    run_dir=$(cd "$run_dir" && pwd)
    if [[ -s $run_dir/kamailio.pid ]] && lab_is_ours "$(cat "$run_dir/kamailio.pid")" "-f $run_dir/kamailio.cfg"; then
        die "an edge is already running from $run_dir (PID $(cat "$run_dir/kamailio.pid")); stop it first"
    fi
    if lab_tcp_port_open "$EDGE_TLS_PORT"; then
        die "127.0.0.1:$EDGE_TLS_PORT is already in use by another process; set EDGE_TLS_PORT to a free port"
    fi
    render "$run_dir"
    lab_check_kamailio "$run_dir"
    lab_start_kamailio "$run_dir" "$EDGE_UDP_PORT" "$EDGE_TLS_PORT"
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
