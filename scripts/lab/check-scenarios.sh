#!/usr/bin/env bash
# Plays the SIPp scenarios in sipp-scenarios/ against each other over 127.0.0.1 (no bridge, no
# edge) to prove every file parses and does what its header says:
#   PBX caller vs PBX callee (UDP and TCP): call, callee hangs up, cancel, busy (486 with Reason);
#   pbx-uac-fail-<code> vs a generated UAS answering <code> with a Q.850 Reason, and without one
#   (the scenario must then fail); meta-uas-fail-* vs a generated caller that checks the status
#   line and Warning; meta-uas-ring vs pbx-uac-cancel.
# Ports (env): SCEN_UAS_PORT [5094], SCEN_UAC_PORT [5095], SCEN_MEDIA_PORT [17400].
# Usage: bash scripts/lab/check-scenarios.sh      Last line: "N passed, M failed"; exit 1 on failure.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
lab_require sipp ss

UAS_PORT=${SCEN_UAS_PORT:-5094}
UAC_PORT=${SCEN_UAC_PORT:-5095}
MEDIA_PORT=${SCEN_MEDIA_PORT:-17400}
work_dir=$(mktemp -d /tmp/lab-scenarios.XXXXXX)
trap 'lab_cleanup; rm -rf "$work_dir"' EXIT
cd "$work_dir"

# play NAME EXPECT(pass|fail) TRANSPORT UAS_SCENARIO UAC_SCENARIO [UAC args...]
play() {
    local name=$1 expect=$2 transport=$3 uas=$4 uac=$5
    shift 5
    local uas_rc=0 uac_rc=0
    if ! lab_start_sipp_server "$work_dir/$name.uas.log" "$UAS_PORT" "$transport" \
            -sf "$uas" -mp "$MEDIA_PORT" -rtp_echo -d 500; then
        lab_fail "$name: the UAS did not listen on 127.0.0.1:$UAS_PORT ($(tail -n 3 "$work_dir/$name.uas.log"))"
        lab_cleanup
        return
    fi
    local uas_pid=$LAB_LAST_PID
    sipp "127.0.0.1:$UAS_PORT" -i 127.0.0.1 -p "$UAC_PORT" -t "$transport" -sf "$uac" \
        -s +15550100099 -mp $((MEDIA_PORT + 10)) -d 500 -m 1 -nostdin -timeout 20 -timeout_error \
        -trace_err "$@" > "$work_dir/$name.uac.log" 2>&1 < /dev/null || uac_rc=$?
    lab_wait_pid "$uas_pid" 10 || uas_rc=$?
    lab_cleanup
    if [[ $expect == pass && $uac_rc -eq 0 && $uas_rc -eq 0 ]]; then
        lab_pass "$name"
    elif [[ $expect == fail && $uac_rc -ne 0 ]] && grep -q 'Failed regexp match' ./*_errors.log 2> /dev/null; then
        lab_pass "$name (caller failed on its regexp check, as it must)"
    else
        lab_fail "$name: caller exit $uac_rc, callee exit $uas_rc (expected $expect); errors:"
        cat ./*_errors.log 2> /dev/null | grep -v '^The following events' | head -n 5 || true
    fi
    rm -f ./*_errors.log
}

# A UAS answering every INVITE with CODE, plus the header line EXTRA_HEADER ("" = none).
write_code_uas() {
    local file=$1 code=$2 extra_header=$3
    [[ -n $extra_header ]] && extra_header=$'\n'"      $extra_header"
    cat > "$file" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<scenario name="uas-$code">
  <recv request="INVITE"/>
  <send retrans="500"><![CDATA[

      SIP/2.0 $code Lab Failure
      [last_Via:]
      [last_From:]
      [last_To:];tag=[pid]SIPpTag01[call_number]
      [last_Call-ID:]
      [last_CSeq:]$extra_header
      Content-Length: 0

  ]]></send>
  <recv request="ACK" timeout="10000"/>
</scenario>
EOF
}

# A caller that accepts only CODE with the reason PHRASE and, if WARNING is not "", the header
# Warning: 399 wa.meta.vc "WARNING" (without WARNING it asserts that no Warning is present).
write_meta_failure_caller() {
    local file=$1 code=$2 phrase=$3 warning=$4 warning_check
    phrase=${phrase//./\\.}
    warning=${warning//./\\.}
    if [[ -n $warning ]]; then
        warning_check="<ereg regexp=\"^ *399 wa\\.meta\\.vc .$warning.\" search_in=\"hdr\" header=\"Warning:\" check_it=\"true\" assign_to=\"warning\"/>"
    else
        warning_check="<ereg regexp=\"399\" search_in=\"hdr\" header=\"Warning:\" check_it_inverse=\"true\" assign_to=\"warning\"/>"
    fi
    cat > "$file" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<scenario name="caller-$code">
  <send retrans="500"><![CDATA[

      INVITE sip:[service]@wa.meta.vc SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=z9hG4bK-[pid]-[call_number]-invite
      From: <sip:+15550100001@bridge.example.test>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[service]@wa.meta.vc>
      Call-ID: [call_id]
      CSeq: 1 INVITE
      Contact: <sip:+15550100001@[local_ip]:[local_port]>
      Content-Length: 0

  ]]></send>
  <recv response="100" optional="true"/>
  <recv response="$code">
    <action>
      <ereg regexp="^SIP/2\.0 $code $phrase[[:cntrl:]]" search_in="msg" check_it="true" assign_to="status"/>
      $warning_check
    </action>
  </recv>
  <send><![CDATA[

      ACK sip:[service]@wa.meta.vc SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=z9hG4bK-[pid]-[call_number]-invite
      From: <sip:+15550100001@bridge.example.test>;tag=[pid]SIPpTag00[call_number]
      [last_To:]
      Call-ID: [call_id]
      CSeq: 1 ACK
      Content-Length: 0

  ]]></send>
  <Reference variables="status,warning"/>
</scenario>
EOF
}

scen=$LAB_SCENARIO_DIR
for transport in u1 t1; do
    play "call-$transport" pass "$transport" "$scen/pbx-uas-answer.xml" "$scen/pbx-uac-call.xml"
    play "callee-hangs-up-$transport" pass "$transport" "$scen/pbx-uas-answer-bye.xml" "$scen/pbx-uac-wait-bye.xml"
    play "cancel-$transport" pass "$transport" "$scen/pbx-uas-noanswer.xml" "$scen/pbx-uac-cancel.xml"
    play "busy-$transport" pass "$transport" "$scen/pbx-uas-busy.xml" "$scen/pbx-uac-fail-486.xml"
done

for caller in "$scen"/pbx-uac-fail-*.xml; do
    code=${caller##*-fail-}
    code=${code%.xml}
    write_code_uas "$work_dir/uas-$code.xml" "$code" "Reason: Q.850;cause=41"
    play "pbx-uac-fail-$code" pass u1 "$work_dir/uas-$code.xml" "$caller"
    write_code_uas "$work_dir/uas-$code-no-reason.xml" "$code" ""
    play "pbx-uac-fail-$code without Reason" fail u1 "$work_dir/uas-$code-no-reason.xml" "$caller"
done

for callee in "$scen"/meta-uas-fail-*.xml; do
    name=$(basename "$callee" .xml)
    code=${name#meta-uas-fail-}
    code=${code%%-*}
    phrase=$(sed -n "s/^ *SIP\/2.0 $code \(.*\)$/\1/p" "$callee")
    warning=$(sed -n 's/^ *Warning: 399 wa.meta.vc "\(.*\)"$/\1/p' "$callee")
    write_meta_failure_caller "$work_dir/caller-$name.xml" "$code" "$phrase" "$warning"
    play "$name" pass u1 "$callee" "$work_dir/caller-$name.xml"
done

play "meta-uas-ring vs pbx-uac-cancel" pass u1 "$scen/meta-uas-ring.xml" "$scen/pbx-uac-cancel.xml"

echo "$LAB_PASSED passed, $LAB_FAILED failed"
[[ $LAB_FAILED -eq 0 ]]
