#!/usr/bin/env bash
# Proves the lab peers work without the bridge (bash scripts/lab/selftest.sh, about 15 s):
#   certificates (chain, names, PKCS#8 keys), `kamailio -c` for MD5 and SHA-256, the edge's TLS
#   handshake (verifies for wa.meta.vc with the lab CA, asks for no client certificate, fails for
#   the wrong-name certificate), SIPp calls through the edge's UDP port (call, Meta hangs up,
#   cancel, wrong password -> 403, IP in Request-URI -> 404), and raw SIP over TLS with
#   openssl s_client: OPTIONS, REGISTER, sips:, From without '+', digest username and uri checks,
#   Meta failures relayed unchanged, complete calls with MD5 and SHA-256 digests computed here
#   (SIPp only does MD5), a stale nonce, a BYE the edge delivers over TLS to the bridge, and a PBX call
#   through the Kamailio + rtpengine SBC (sbc.sh) that the signalling benchmark compares the bridge with, and one
#   the edge refuses (no rtpengine session left).
# Ports (env, defaults): EDGE_TLS_PORT 5061, EDGE_UDP_PORT 5065, UAS_PORT 5070,
#   SELFTEST_UAC_PORT 5090, SELFTEST_BRIDGE_TLS_PORT 5062, SELFTEST_MEDIA_PORT 16000 (+10), and for the SBC
#   SELFTEST_SBC_UDP_PORT 5082, SELFTEST_SBC_TLS_PORT 5083, SELFTEST_SBC_NG_PORT 2224, SELFTEST_SBC_RTP_PORT_MIN 30300 (+99).
#   PASSWORD defaults to lab-secret.
# Everything started here is stopped by PID on exit. Last line: "N passed, M failed"; exit 1 on
# any failure. Logs and SIPp traces go to $SELFTEST_DIR if set (kept), else to a fresh
# /tmp/lab-selftest.* directory that is removed when every check passed.
set -euo pipefail
lab_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$lab_dir/lib.sh"
lab_require sipp kamailio openssl ss md5sum sha256sum timeout

export EDGE_TLS_PORT=${EDGE_TLS_PORT:-5061}
export EDGE_UDP_PORT=${EDGE_UDP_PORT:-5065}
export UAS_PORT=${UAS_PORT:-5070}
export PASSWORD=${PASSWORD:-lab-secret}
UAC_PORT=${SELFTEST_UAC_PORT:-5090}
BRIDGE_TLS_PORT=${SELFTEST_BRIDGE_TLS_PORT:-5062}
MEDIA_PORT=${SELFTEST_MEDIA_PORT:-16000}
SBC_UDP_PORT=${SELFTEST_SBC_UDP_PORT:-5082}
SBC_TLS_PORT=${SELFTEST_SBC_TLS_PORT:-5083}
SBC_NG_PORT=${SELFTEST_SBC_NG_PORT:-2224}
SBC_RTP_PORT_MIN=${SELFTEST_SBC_RTP_PORT_MIN:-30300}
BUSINESS_NUMBER=+15550100001
USER_NUMBER=+15550100099
work_dir=${SELFTEST_DIR:-$(mktemp -d /tmp/lab-selftest.XXXXXX)}
mkdir -p "$work_dir"
run_dir=$work_dir/edge
export CERT_DIR=$work_dir/certs
edge_log=$run_dir/kamailio.log

cleanup() {
    [[ -n ${EDGE_TLS_PID:-} ]] && lab_stop_pid "$EDGE_TLS_PID"
    lab_cleanup
    "$lab_dir/meta-edge.sh" stop "$run_dir" 2> /dev/null || true
}
trap cleanup EXIT
cd "$work_dir"

check() {  # check NAME COMMAND...: one pass/fail line per check
    local name=$1
    shift
    if "$@"; then lab_pass "$name"; else lab_fail "$name"; fi
}

lab_quiet() { "$@" > /dev/null 2>&1; }

start_edge() {  # start_edge DIGEST_ALG [EDGE_CERT]
    "$lab_dir/meta-edge.sh" stop "$run_dir"
    DIGEST_ALG=$1 EDGE_CERT=${2:-edge} "$lab_dir/meta-edge.sh" start "$run_dir"
}

# ---------------------------------------------------------------- SIPp through the UDP port

# sipp_call NAME UAS_SCENARIO UAC_SCENARIO [UAC args...]: true when both SIPp ends succeed.
sipp_call() {
    local name=$1 uas=$2 uac=$3
    shift 3
    local uas_rc=0 uac_rc=0
    lab_start_sipp_server "$work_dir/$name.uas.log" "$UAS_PORT" u1 \
        -sf "$LAB_SCENARIO_DIR/$uas" -mp "$MEDIA_PORT" -rtp_echo -d 500 || {
        echo "  the SIPp UAS did not listen on 127.0.0.1:$UAS_PORT" >&2
        return 1
    }
    local uas_pid=$LAB_LAST_PID
    sipp "127.0.0.1:$EDGE_UDP_PORT" -sf "$LAB_SCENARIO_DIR/$uac" -i 127.0.0.1 -p "$UAC_PORT" \
        -s "$USER_NUMBER" -au "${BUSINESS_NUMBER#+}" -auth_uri "$USER_NUMBER@wa.meta.vc" \
        -mp $((MEDIA_PORT + 10)) -d 500 -m 1 -nostdin -timeout 20 -timeout_error -trace_err "$@" \
        > "$work_dir/$name.uac.log" 2>&1 < /dev/null || uac_rc=$?
    lab_wait_pid "$uas_pid" 10 || uas_rc=$?
    if [[ $uac_rc -ne 0 || $uas_rc -ne 0 ]]; then
        echo "  $name: SIPp caller exit $uac_rc, callee exit $uas_rc; see $work_dir/*_errors.log" >&2
        return 1
    fi
}

# sipp_caller_only NAME UAC_SCENARIO [UAC args...]: for answers the edge gives by itself.
sipp_caller_only() {
    local name=$1 uac=$2 rc=0
    shift 2
    sipp "127.0.0.1:$EDGE_UDP_PORT" -sf "$LAB_SCENARIO_DIR/$uac" -i 127.0.0.1 -p "$UAC_PORT" \
        -s "$USER_NUMBER" -au "${BUSINESS_NUMBER#+}" -auth_uri "$USER_NUMBER@wa.meta.vc" \
        -m 1 -nostdin -timeout 10 -timeout_error -trace_err "$@" \
        > "$work_dir/$name.uac.log" 2>&1 < /dev/null || rc=$?
    [[ $rc -eq 0 ]] || echo "  $name: SIPp caller exit $rc; see $work_dir/*_errors.log" >&2
    return "$rc"
}

# sbc_call: a PBX call (pbx-uac-call.xml) through the Kamailio + rtpengine SBC, the benchmarks' anchor
# (sbc.sh), to the edge over TLS and back: the edge's 407 answered, SDES toward the edge, plain RTP to the PBX.
sbc_call() {
    local sbc_dir=$work_dir/sbc uac_rc=0 uas_rc=0 uas_pid
    SBC_UDP_PORT=$SBC_UDP_PORT SBC_TLS_PORT=$SBC_TLS_PORT NG_PORT=$SBC_NG_PORT RTP_PORT_MIN=$SBC_RTP_PORT_MIN \
        RTP_PORT_MAX=$((SBC_RTP_PORT_MIN + 99)) BUSINESS_NUMBER=$BUSINESS_NUMBER "$lab_dir/sbc.sh" start "$sbc_dir" \
        > "$work_dir/sbc-start.log" 2>&1 || { echo "  the SBC did not start; see $work_dir/sbc-start.log" >&2; return 1; }
    lab_start_sipp_server "$work_dir/sbc.uas.log" "$UAS_PORT" u1 -sf "$LAB_SCENARIO_DIR/meta-uas-answer.xml" \
        -mp "$MEDIA_PORT" -trace_msg -message_file "$work_dir/sbc.uas-messages.log" || {
        "$lab_dir/sbc.sh" stop "$sbc_dir"
        return 1
    }
    uas_pid=$LAB_LAST_PID
    sipp "127.0.0.1:$SBC_UDP_PORT" -sf "$LAB_SCENARIO_DIR/pbx-uac-call.xml" -i 127.0.0.1 -p "$UAC_PORT" \
        -s "$USER_NUMBER" -mp $((MEDIA_PORT + 10)) -d 500 -m 1 -nostdin -timeout 20 -timeout_error \
        -trace_msg -message_file "$work_dir/sbc.pbx-messages.log" > "$work_dir/sbc.uac.log" 2>&1 < /dev/null || uac_rc=$?
    lab_wait_pid "$uas_pid" 10 || uas_rc=$?
    "$lab_dir/sbc.sh" stop "$sbc_dir"
    if [[ $uac_rc -ne 0 || $uas_rc -ne 0 ]]; then
        echo "  sbc: SIPp PBX exit $uac_rc, callee exit $uas_rc; see $work_dir/sbc.*" >&2
        return 1
    fi
    grep -q "^m=audio [0-9]* RTP/SAVP" "$work_dir/sbc.uas-messages.log" \
        && grep -q "^a=crypto:" "$work_dir/sbc.uas-messages.log" \
        && grep -q "^m=audio [0-9]* RTP/AVP " "$work_dir/sbc.pbx-messages.log" \
        || { echo "  sbc: the offer at the edge's side is not SDES, or the PBX's answer not RTP/AVP" >&2; return 1; }
}

# sbc_refused_call: the SBC with a wrong password: the edge's 403 reaches the PBX and rtpengine holds no session
# afterwards (its `list` command over the ng port answers an empty list of calls).
sbc_refused_call() {
    local sbc_dir=$work_dir/sbc-refused rc=0 sessions
    SBC_UDP_PORT=$SBC_UDP_PORT SBC_TLS_PORT=$SBC_TLS_PORT NG_PORT=$SBC_NG_PORT RTP_PORT_MIN=$SBC_RTP_PORT_MIN \
        RTP_PORT_MAX=$((SBC_RTP_PORT_MIN + 99)) BUSINESS_NUMBER=$BUSINESS_NUMBER PASSWORD=not-the-password \
        "$lab_dir/sbc.sh" start "$sbc_dir" > "$work_dir/sbc-refused-start.log" 2>&1 \
        || { echo "  the SBC did not start; see $work_dir/sbc-refused-start.log" >&2; return 1; }
    sipp "127.0.0.1:$SBC_UDP_PORT" -sf "$LAB_SCENARIO_DIR/pbx-uac-call.xml" -i 127.0.0.1 -p "$UAC_PORT" \
        -s "$USER_NUMBER" -mp $((MEDIA_PORT + 10)) -m 1 -nostdin -timeout 10 -timeout_error \
        -trace_msg -message_file "$work_dir/sbc-refused.pbx-messages.log" > "$work_dir/sbc-refused.uac.log" 2>&1 \
        < /dev/null || rc=$?
    sessions=$(python3 -c 'import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(2)
s.sendto(b"selftest d7:command4:liste", ("127.0.0.1", int(sys.argv[1]))); print(s.recv(4096).decode())' "$SBC_NG_PORT" \
        2> /dev/null) || sessions="(no answer from rtpengine)"
    "$lab_dir/sbc.sh" stop "$sbc_dir"
    [[ $rc -ne 0 ]] && grep -q "^SIP/2.0 403 Invalid digest auth response" "$work_dir/sbc-refused.pbx-messages.log" \
        || { echo "  sbc: the PBX did not get the edge's 403 (SIPp exit $rc)" >&2; return 1; }
    [[ $sessions == *"d5:callsle"* ]] || { echo "  sbc: rtpengine still holds a session: $sessions" >&2; return 1; }
}

# ---------------------------------------------------------------- raw SIP over TLS

tls_open() {  # TLS connection to the edge, verified like the bridge must (name + lab CA)
    coproc EDGE_TLS {
        exec openssl s_client -quiet -connect "127.0.0.1:$EDGE_TLS_PORT" -servername wa.meta.vc \
            -verify_hostname wa.meta.vc -CAfile "$CERT_DIR/edge-ca.pem" -verify_return_error \
            2>> "$work_dir/s_client.log"
    }
}

tls_close() {
    [[ -n ${EDGE_TLS_PID:-} ]] || return 0
    lab_stop_pid "$EDGE_TLS_PID"
    EDGE_TLS_PID=
}

tls_send() {  # tls_send HEADER_LINE... [-- BODY]: CRLF line ends, Content-Length added
    local message="" body=""
    while [[ $# -gt 0 ]]; do
        if [[ $1 == -- ]]; then body=$2; break; fi
        message+=$1$'\r\n'
        shift
    done
    message+="Content-Length: ${#body}"$'\r\n\r\n'$body
    printf '%s' "$message" >&"${EDGE_TLS[1]}"
}

# tls_read_final: reads responses until a final one; RESPONSE = its header lines (LF), STATUS.
tls_read_final() {
    local line length unused_body
    while :; do
        RESPONSE=""
        while IFS= read -r -t 5 line <&"${EDGE_TLS[0]}"; do
            line=${line%$'\r'}
            if [[ -z $line ]]; then
                [[ -n $RESPONSE ]] && break
                continue
            fi
            RESPONSE+=$line$'\n'
        done
        [[ -n $RESPONSE ]] || { echo "  no response from the edge over TLS" >&2; return 1; }
        length=$(sed -n 's/^\(Content-Length\|l\): *\([0-9]*\).*/\2/Ip' <<< "$RESPONSE" | head -n 1)
        # The body (the UAS's SDP) is not checked here, only consumed.
        if [[ ${length:-0} -gt 0 ]]; then
            IFS= read -r -N "$length" -t 5 unused_body <&"${EDGE_TLS[0]}" || return 1
        fi
        STATUS=$(head -n 1 <<< "$RESPONSE" | cut -d ' ' -f 2)
        [[ $STATUS == 1?? ]] || return 0
    done
}

header_value() { sed -n "s/^$1: *//Ip" <<< "$RESPONSE" | head -n 1; }
challenge_param() { header_value Proxy-Authenticate | sed -n "s/.*[ ,]$1=\"\{0,1\}\([^\",]*\).*/\1/p"; }

hash_hex() {  # hash_hex MD5|SHA-256 TEXT
    if [[ $1 == SHA-256 ]]; then printf '%s' "$2" | sha256sum; else printf '%s' "$2" | md5sum; fi | cut -d ' ' -f 1
}

# proxy_authorization ALG USER PASSWORD METHOD DIGEST_URI: answers the challenge in RESPONSE.
proxy_authorization() {
    local alg=$1 user=$2 password=$3 method=$4 uri=$5
    local nonce opaque cnonce=lab$RANDOM$RANDOM nc=00000001 ha1 ha2 response
    nonce=$(challenge_param nonce)
    opaque=$(challenge_param opaque)
    ha1=$(hash_hex "$alg" "$user:wa.meta.vc:$password")
    ha2=$(hash_hex "$alg" "$method:$uri")
    response=$(hash_hex "$alg" "$ha1:$nonce:$nc:$cnonce:auth:$ha2")
    printf 'Proxy-Authorization: Digest username="%s", realm="wa.meta.vc", nonce="%s", uri="%s", response="%s", algorithm=%s, cnonce="%s", opaque="%s", qop=auth, nc=%s' \
        "$user" "$nonce" "$uri" "$response" "$alg" "$cnonce" "$opaque" "$nc"
}

SDES_OFFER=$'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 16020 RTP/SAVP 111 126\r\nc=IN IP4 127.0.0.1\r\na=rtcp-mux\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:3gsZiM1tBwRzw8bsoz5uj9pnWhGU2l7d2JXxsZlE\r\na=rtpmap:111 opus/48000/2\r\na=rtpmap:126 telephone-event/8000\r\na=ptime:20\r\n'

# tls_invite CALL_ID CSEQ BRANCH REQUEST_URI FROM_USER [EXTRA_HEADER] [CONTACT_PORT]
tls_invite() {
    local extra=()
    [[ -n ${6:-} ]] && extra=("$6")
    tls_send "INVITE $4 SIP/2.0" \
        "Via: SIP/2.0/TLS 127.0.0.1:5062;rport;branch=$3" \
        "Max-Forwards: 70" \
        "From: <sip:$5@bridge.example.test>;tag=selftest" \
        "To: <sip:$USER_NUMBER@wa.meta.vc>" \
        "Call-ID: $1" \
        "CSeq: $2 INVITE" \
        "Contact: <sip:$BUSINESS_NUMBER@127.0.0.1:${7:-5062};transport=tls>" \
        "${extra[@]}" \
        "Content-Type: application/sdp" -- "$SDES_OFFER"
}

tls_ack_error() {  # tls_ack_error CALL_ID CSEQ BRANCH REQUEST_URI: ACK for the non-2xx in RESPONSE
    tls_send "ACK $4 SIP/2.0" \
        "Via: SIP/2.0/TLS 127.0.0.1:5062;rport;branch=$3" \
        "Max-Forwards: 70" \
        "From: <sip:$BUSINESS_NUMBER@bridge.example.test>;tag=selftest" \
        "To: $(header_value To)" \
        "Call-ID: $1" \
        "CSeq: $2 ACK"
}

# tls_expect_single EXPECTED_STATUS_LINE REQUEST_LINE FROM_USER: one request, one final answer.
tls_expect_single() {
    local expected=$1 method=${2%% *} uri
    uri=$(cut -d ' ' -f 2 <<< "$2")
    local call_id=selftest-$RANDOM$RANDOM branch=z9hG4bK-$RANDOM$RANDOM rc=0
    tls_open
    if [[ $method == INVITE ]]; then
        tls_invite "$call_id" 1 "$branch" "$uri" "$3"
    else
        tls_send "$2" "Via: SIP/2.0/TLS 127.0.0.1:5062;rport;branch=$branch" "Max-Forwards: 70" \
            "From: <sip:$3@bridge.example.test>;tag=selftest" "To: <sip:$3@wa.meta.vc>" \
            "Call-ID: $call_id" "CSeq: 1 $method" "Contact: <sip:$3@127.0.0.1:5062;transport=tls>"
    fi
    tls_read_final || rc=1
    if [[ $rc -eq 0 && $method == INVITE ]]; then
        tls_ack_error "$call_id" 1 "$branch" "$uri"
    fi
    tls_close
    [[ $rc -eq 0 ]] || return 1
    local status_line
    status_line=$(head -n 1 <<< "$RESPONSE")
    [[ $status_line == "SIP/2.0 $expected" ]] || { echo "  got '$status_line', expected 'SIP/2.0 $expected'" >&2; return 1; }
}

# tls_digest_rejected DIGEST_USER DIGEST_URI EXPECTED_STATUS_LINE: 407, then a digest the edge
# must refuse with a 403 (never a second 407).
tls_digest_rejected() {
    local user=$1 digest_uri=$2 expected=$3
    local call_id=selftest-$RANDOM$RANDOM ruri="sip:$USER_NUMBER@wa.meta.vc;transport=tls" rc=0
    local branch=z9hG4bK-a$RANDOM
    tls_open
    tls_invite "$call_id" 1 "$branch" "$ruri" "$BUSINESS_NUMBER"
    tls_read_final && [[ $STATUS == 407 ]] || rc=1
    if [[ $rc -eq 0 ]]; then
        tls_ack_error "$call_id" 1 "$branch" "$ruri"
        tls_invite "$call_id" 2 z9hG4bK-b$RANDOM "$ruri" "$BUSINESS_NUMBER" \
            "$(proxy_authorization MD5 "$user" "$PASSWORD" INVITE "$digest_uri")"
        tls_read_final || rc=1
    fi
    tls_close
    [[ $rc -eq 0 ]] || return 1
    [[ $(head -n 1 <<< "$RESPONSE") == "SIP/2.0 $expected" ]] || { echo "  got '$(head -n 1 <<< "$RESPONSE")'" >&2; return 1; }
}

# tls_stale_nonce ALG: a correct digest over a nonce older than NONCE_EXPIRE gets a new 407 with
# stale=true (not a 403), as RFC 3261/7616 ask.
tls_stale_nonce() {
    local alg=$1 call_id=selftest-$RANDOM$RANDOM ruri="sip:$USER_NUMBER@wa.meta.vc;transport=tls" rc=0
    local branch=z9hG4bK-s$RANDOM
    tls_open
    tls_invite "$call_id" 1 "$branch" "$ruri" "$BUSINESS_NUMBER"
    tls_read_final && [[ $STATUS == 407 ]] || rc=1
    if [[ $rc -eq 0 ]]; then
        tls_ack_error "$call_id" 1 "$branch" "$ruri"
        sleep $((STALE_TEST_NONCE_EXPIRE + 1))
        branch=z9hG4bK-t$RANDOM
        tls_invite "$call_id" 2 "$branch" "$ruri" "$BUSINESS_NUMBER" \
            "$(proxy_authorization "$alg" "${BUSINESS_NUMBER#+}" "$PASSWORD" INVITE "$ruri")"
        tls_read_final || rc=1
        [[ $rc -eq 0 ]] && tls_ack_error "$call_id" 2 "$branch" "$ruri"
    fi
    tls_close
    [[ $rc -eq 0 && $STATUS == 407 && $(challenge_param stale) == true ]] || {
        echo "  expected 407 with stale=true, got: $(head -n 1 <<< "$RESPONSE") $(header_value Proxy-Authenticate)" >&2
        return 1
    }
}

# tls_meta_failure SCENARIO EXPECTED_STATUS_LINE EXPECTED_WARNING: Meta's failure answer reaches
# the authenticated caller unchanged (status line and Warning), and the UAS gets its ACK.
tls_meta_failure() {
    local scenario=$1 expected=$2 warning=$3 call_id=selftest-$RANDOM$RANDOM
    local ruri="sip:$USER_NUMBER@wa.meta.vc;transport=tls" branch=z9hG4bK-f$RANDOM rc=0 uas_rc=0
    lab_start_sipp_server "$work_dir/$scenario.uas.log" "$UAS_PORT" u1 -sf "$LAB_SCENARIO_DIR/$scenario.xml" || return 1
    local uas_pid=$LAB_LAST_PID
    tls_open
    tls_invite "$call_id" 1 "$branch" "$ruri" "$BUSINESS_NUMBER"
    tls_read_final && [[ $STATUS == 407 ]] || rc=1
    if [[ $rc -eq 0 ]]; then
        tls_ack_error "$call_id" 1 "$branch" "$ruri"
        branch=z9hG4bK-g$RANDOM
        tls_invite "$call_id" 2 "$branch" "$ruri" "$BUSINESS_NUMBER" \
            "$(proxy_authorization MD5 "${BUSINESS_NUMBER#+}" "$PASSWORD" INVITE "$ruri")"
        tls_read_final || rc=1
        [[ $rc -eq 0 ]] && tls_ack_error "$call_id" 2 "$branch" "$ruri"
    fi
    tls_close
    lab_wait_pid "$uas_pid" 10 || uas_rc=$?
    [[ $rc -eq 0 && $(head -n 1 <<< "$RESPONSE") == "SIP/2.0 $expected" ]] || {
        echo "  expected 'SIP/2.0 $expected', got '$(head -n 1 <<< "$RESPONSE")'" >&2
        return 1
    }
    [[ $(header_value Warning) == "$warning" ]] || { echo "  Warning is '$(header_value Warning)', expected '$warning'" >&2; return 1; }
    [[ $uas_rc -eq 0 ]] || { echo "  the SIPp UAS (waiting for its ACK) ended with exit $uas_rc" >&2; return 1; }
}

# tls_establish ALG CONTACT_PORT: INVITE, 407 (algorithm ALG), INVITE with an ALG digest, 200 with
# two Record-Route entries (TLS and UDP side of the edge) and X-FB-External-Domain, then ACK along
# the route set. Leaves CALL_ID, CALL_TO, CALL_TARGET and ROUTE_HEADERS for in-dialog requests.
tls_establish() {
    local alg=$1 contact_port=$2 ruri="sip:$USER_NUMBER@wa.meta.vc;transport=tls" entry routes=()
    local branch=z9hG4bK-1$RANDOM
    CALL_ID=selftest-$RANDOM$RANDOM
    ROUTE_HEADERS=()
    tls_invite "$CALL_ID" 1 "$branch" "$ruri" "$BUSINESS_NUMBER" "" "$contact_port"
    if ! tls_read_final || [[ $STATUS != 407 || $(challenge_param algorithm) != "$alg" ]]; then
        echo "  expected a 407 with algorithm=$alg, got: $(head -n 1 <<< "$RESPONSE") $(header_value Proxy-Authenticate)" >&2
        return 1
    fi
    [[ -n $(challenge_param opaque) && $(challenge_param qop) == auth ]] || { echo "  407 lacks opaque or qop=auth" >&2; return 1; }
    tls_ack_error "$CALL_ID" 1 "$branch" "$ruri"
    tls_invite "$CALL_ID" 2 z9hG4bK-2$RANDOM "$ruri" "$BUSINESS_NUMBER" \
        "$(proxy_authorization "$alg" "${BUSINESS_NUMBER#+}" "$PASSWORD" INVITE "$ruri")" "$contact_port"
    tls_read_final && [[ $STATUS == 200 ]] || { echo "  authenticated INVITE got ${STATUS:-nothing}" >&2; return 1; }
    # The UAC's route set is the Record-Route list in reverse order.
    while IFS= read -r entry; do
        routes=("$entry" "${routes[@]}")
    done < <(sed -n 's/^Record-Route: *//Ip' <<< "$RESPONSE" | tr ',' '\n' | sed 's/^ *//')
    [[ ${#routes[@]} -eq 2 ]] || { echo "  expected 2 Record-Route entries (TLS and UDP side), got ${#routes[@]}" >&2; return 1; }
    [[ $(header_value X-FB-External-Domain) == wa.meta.vc ]] || { echo "  200 OK lacks X-FB-External-Domain" >&2; return 1; }
    for entry in "${routes[@]}"; do ROUTE_HEADERS+=("Route: $entry"); done
    CALL_TARGET=$(header_value Contact | sed 's/^<\([^>]*\)>.*/\1/')
    CALL_TO=$(header_value To)
    tls_in_dialog ACK 2
}

tls_in_dialog() {  # tls_in_dialog METHOD CSEQ
    tls_send "$1 $CALL_TARGET SIP/2.0" "Via: SIP/2.0/TLS 127.0.0.1:5062;rport;branch=z9hG4bK-$1$RANDOM" \
        "${ROUTE_HEADERS[@]}" "Max-Forwards: 70" \
        "From: <sip:$BUSINESS_NUMBER@bridge.example.test>;tag=selftest" "To: $CALL_TO" \
        "Call-ID: $CALL_ID" "CSeq: $2 $1"
}

# tls_full_call ALG: the bridge side (raw TLS) sets the call up and hangs up; meta-uas-answer.xml
# answers behind the edge.
tls_full_call() {
    local rc=0 uas_rc=0
    lab_start_sipp_server "$work_dir/tls-call-$1.uas.log" "$UAS_PORT" u1 \
        -sf "$LAB_SCENARIO_DIR/meta-uas-answer.xml" -mp "$MEDIA_PORT" || return 1
    local uas_pid=$LAB_LAST_PID
    tls_open
    if tls_establish "$1" 5062; then
        sleep 0.2
        tls_in_dialog BYE 3
        tls_read_final && [[ $STATUS == 200 ]] || { echo "  BYE got ${STATUS:-nothing}" >&2; rc=1; }
    else
        rc=1
    fi
    tls_close
    lab_wait_pid "$uas_pid" 10 || uas_rc=$?
    [[ $uas_rc -eq 0 ]] || { echo "  the SIPp UAS ended with exit $uas_rc" >&2; rc=1; }
    return "$rc"
}

# tls_meta_hangs_up: as tls_full_call, but meta-uas-answer-bye.xml hangs up; the edge must open a
# TLS connection to the bridge's Contact (an openssl s_server with the bridge certificate here),
# whose 200 OK then travels back to the UAS.
tls_meta_hangs_up() {
    local rc=0 uas_rc=0 tenths request="" line reply=""
    local bridge_out=$work_dir/bridge-tls.out fifo=$work_dir/bridge-tls.in
    rm -f "$bridge_out" "$fifo"
    mkfifo "$fifo"
    openssl s_server -quiet -naccept 1 -accept "127.0.0.1:$BRIDGE_TLS_PORT" \
        -cert "$CERT_DIR/bridge.pem" -key "$CERT_DIR/bridge.key" < "$fifo" > "$bridge_out" 2> "$work_dir/s_server.log" &
    LAB_PIDS+=("$!")
    local server_pid=$!
    exec {bridge_in}> "$fifo"
    lab_wait_port tcp "$BRIDGE_TLS_PORT" || { echo "  openssl s_server did not listen on $BRIDGE_TLS_PORT" >&2; rc=1; }
    lab_start_sipp_server "$work_dir/tls-meta-bye.uas.log" "$UAS_PORT" u1 \
        -sf "$LAB_SCENARIO_DIR/meta-uas-answer-bye.xml" -mp "$MEDIA_PORT" -d 300 || rc=1
    local uas_pid=$LAB_LAST_PID
    tls_open
    [[ $rc -eq 0 ]] && { tls_establish MD5 "$BRIDGE_TLS_PORT" || rc=1; }
    # Wait for the complete BYE header block (it ends with an empty line).
    for ((tenths = 0; rc == 0 && tenths < 50; tenths++)); do
        grep -q $'^\r*$' "$bridge_out" 2> /dev/null && break
        sleep 0.1
    done
    request=$(sed -n '1,/^\r\?$/p' "$bridge_out" 2> /dev/null | tr -d '\r')
    if [[ $rc -eq 0 && $request == "BYE sip:$BUSINESS_NUMBER@127.0.0.1:$BRIDGE_TLS_PORT;transport=tls SIP/2.0"* ]]; then
        while IFS= read -r line; do
            case $line in
                Via:* | v:* | From:* | f:* | To:* | t:* | Call-ID:* | i:* | CSeq:*) reply+=$line$'\r\n' ;;
            esac
        done <<< "$request"
        printf 'SIP/2.0 200 OK\r\n%sContent-Length: 0\r\n\r\n' "$reply" >&"$bridge_in"
    else
        echo "  no BYE over TLS at the bridge's Contact; received: $(head -n 1 <<< "$request")" >&2
        rc=1
    fi
    lab_wait_pid "$uas_pid" 10 || uas_rc=$?
    [[ $uas_rc -eq 0 ]] || { echo "  the SIPp UAS (its BYE needs the bridge's 200) ended with exit $uas_rc" >&2; rc=1; }
    tls_close
    exec {bridge_in}>&-
    lab_stop_pid "$server_pid"
    return "$rc"
}

handshake_verifies() {  # handshake_verifies EXPECTED(ok|fail); keeps HANDSHAKE_OUTPUT
    HANDSHAKE_OUTPUT=$(timeout 5 openssl s_client -connect "127.0.0.1:$EDGE_TLS_PORT" -servername wa.meta.vc \
        -verify_hostname wa.meta.vc -CAfile "$CERT_DIR/edge-ca.pem" < /dev/null 2>&1 || true)
    if [[ $1 == ok ]]; then
        grep -q 'Verify return code: 0 (ok)' <<< "$HANDSHAKE_OUTPUT"
    else
        grep -q 'Verify return code: 62 (hostname mismatch)' <<< "$HANDSHAKE_OUTPUT"
    fi
}

# s_client prints the signature algorithms of a CertificateRequest only when it receives one.
no_client_certificate_requested() { ! grep -q 'Requested Signature Algorithms' <<< "$HANDSHAKE_OUTPUT"; }

# ---------------------------------------------------------------- the checks

started=$SECONDS
"$lab_dir/certs.sh" "$CERT_DIR"
check "certs: every leaf chains to the lab CA" \
    lab_quiet openssl verify -CAfile "$CERT_DIR/edge-ca.pem" "$CERT_DIR/edge.pem" "$CERT_DIR/bridge.pem" "$CERT_DIR/wrong-name.pem"
check "certs: keys are unencrypted PKCS#8" \
    bash -c 'for k in "$1"/*.key; do head -n 1 "$k" | grep -qx -- "-----BEGIN PRIVATE KEY-----" || exit 1; done' _ "$CERT_DIR"
check "certs: bridge SAN has DNS:bridge.example.test and IP:127.0.0.1" \
    bash -c 'openssl x509 -in "$1" -noout -ext subjectAltName | grep -q "DNS:bridge.example.test, IP Address:127.0.0.1"' _ "$CERT_DIR/bridge.pem"
check "certs: edge certificate matches its key" \
    bash -c '[[ $(openssl x509 -in "$1/edge.pem" -noout -pubkey) == $(openssl pkey -in "$1/edge.key" -pubout) ]]' _ "$CERT_DIR"

for alg in MD5 SHA-256; do
    check "kamailio -c accepts the edge config with DIGEST_ALG=$alg" \
        env DIGEST_ALG=$alg "$lab_dir/meta-edge.sh" check "$work_dir/check-$alg"
done

start_edge MD5
check "tls: handshake verifies for wa.meta.vc with the lab CA" handshake_verifies ok
check "tls: the edge does not request a client certificate (Meta never does)" no_client_certificate_requested
check "udp: call with MD5 digest completes (bridge-uac-call + meta-uas-answer)" \
    sipp_call call meta-uas-answer.xml bridge-uac-call.xml -ap "$PASSWORD"
check "edge log: challenge, auth ok and forward are logged" \
    bash -c 'grep -q "EDGE: challenge 407" "$1" && grep -q "EDGE: auth ok" "$1" && grep -q "EDGE: invite forwarded" "$1"' _ "$edge_log"
check "udp: Meta hangs up, BYE reaches the caller through the edge" \
    sipp_call meta-bye meta-uas-answer-bye.xml bridge-uac-wait-bye.xml -ap "$PASSWORD"
check "udp: CANCEL while ringing gives 200 + 487" \
    sipp_call cancel meta-uas-ring.xml bridge-uac-cancel.xml -ap "$PASSWORD"
check "udp: wrong password -> 403 Invalid digest auth response (no second 407)" \
    sipp_caller_only wrong-password bridge-uac-auth-rejected.xml -ap not-the-password
check "udp: IP in Request-URI -> 404" sipp_caller_only ip-uri bridge-uac-ip-uri.xml
check "tls: OPTIONS -> 200" tls_expect_single "200 OK" "OPTIONS sip:wa.meta.vc SIP/2.0" "$BUSINESS_NUMBER"
check "tls: REGISTER -> 403 Forbidden" \
    tls_expect_single "403 Forbidden" "REGISTER sip:wa.meta.vc SIP/2.0" "$BUSINESS_NUMBER"
check "tls: sips: Request-URI -> 404" \
    tls_expect_single "404 Not Found" "INVITE sips:$USER_NUMBER@wa.meta.vc SIP/2.0" "$BUSINESS_NUMBER"
check "tls: From user without '+' -> 400 Asset not found" \
    tls_expect_single "400 Asset not found, invalid business phone number" \
    "INVITE sip:$USER_NUMBER@wa.meta.vc;transport=tls SIP/2.0" "${BUSINESS_NUMBER#+}"
check "tls: digest username with '+' -> 403 Invalid digest auth response" \
    tls_digest_rejected "$BUSINESS_NUMBER" "sip:$USER_NUMBER@wa.meta.vc;transport=tls" "403 Invalid digest auth response"
check "tls: digest uri differing from the Request-URI -> 403" \
    tls_digest_rejected "${BUSINESS_NUMBER#+}" "sip:$USER_NUMBER@wa.meta.vc" "403 Proxy auth uri does not match SIP to uri"
check "edge log: every rejection is logged" \
    bash -c 'grep -q "EDGE: auth failed" "$1" && grep -q "EDGE: reject 404" "$1" && grep -q "EDGE: reject 400" "$1" && grep -q "EDGE: register refused" "$1"' _ "$edge_log"
check "tls: full call with MD5 digest, two Record-Routes, ACK and BYE" tls_full_call MD5
check "tls: Meta's 403 No Approved Call Permission Found reaches the caller with its Warning" \
    tls_meta_failure meta-uas-fail-403-no-call-permission "403 No Approved Call Permission Found" \
    '399 wa.meta.vc "No Approved Call Permission Found"'
check "tls: Meta's 480 Temporarily Unavailable reaches the caller (no Warning)" \
    tls_meta_failure meta-uas-fail-480-temporarily-unavailable "480 Temporarily Unavailable" ""
check "tls: Meta hangs up, the edge delivers the BYE over TLS to the bridge's Contact" tls_meta_hangs_up
check "sbc: a PBX call through Kamailio + rtpengine (the benchmarks' anchor): 407 answered, SDES at the edge" sbc_call
check "sbc: a call the edge refuses gets its 403 and leaves no rtpengine session" sbc_refused_call
check "sbc: no Kamailio or rtpengine of the SBC is left" \
    bash -c '! pgrep -f -- "-f $1/sbc[^/]*/kamailio.cfg" > /dev/null && ! pgrep -f -- "--listen-ng=127.0.0.1:$2" > /dev/null' _ \
    "$work_dir" "$SBC_NG_PORT"

# A short nonce lifetime here, so the stale-nonce check does not wait long.
STALE_TEST_NONCE_EXPIRE=2
NONCE_EXPIRE=$STALE_TEST_NONCE_EXPIRE start_edge SHA-256
check "tls: SHA-256 edge challenges with algorithm=SHA-256 and accepts a SHA-256 digest" tls_full_call SHA-256
check "tls: an expired nonce gets a new 407 with stale=true" tls_stale_nonce SHA-256

start_edge MD5 wrong-name
check "tls: a certificate for not-meta.example.test fails hostname verification" handshake_verifies fail

"$lab_dir/meta-edge.sh" stop "$run_dir"
check "cleanup: no edge or SIPp process of this run is left" \
    bash -c '[[ ! -e "$1/kamailio.pid" ]] && ! pgrep -f -- "-f $1/kamailio.cfg" > /dev/null' _ "$run_dir"
if [[ $LAB_FAILED -eq 0 && -z ${SELFTEST_DIR:-} ]]; then
    cd /
    rm -rf "$work_dir"
    echo "selftest took $((SECONDS - started)) s"
else
    echo "selftest took $((SECONDS - started)) s; logs and SIPp traces in $work_dir"
fi
echo "$LAB_PASSED passed, $LAB_FAILED failed"
[[ $LAB_FAILED -eq 0 ]]
