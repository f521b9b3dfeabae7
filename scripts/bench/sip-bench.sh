#!/usr/bin/env bash
# Signalling load through the bridge, rate ramp: a thin layer over setup-bench.sh (which starts the lab edge with
# TLS and its 407 challenge, SIPp as the PBX and SIPp as "Meta" answering at once, a fresh bridge per rate, and
# measures each rate after a warm-up). This script only picks load-test defaults (1 s calls, a ramp of rates, the
# bridge's per-number limit and media port range wide enough for the concurrency) and adds what a capacity table
# needs: the bridge's CPU per call and the cores it used, from /proc/<pid>/stat over the measured run, the part of
# it spent by the JIT compiler threads (a fresh JVM compiles the call path for minutes on a busy box), and its
# busiest other thread (a bridge pinned to one core shows it there); a second table splits the CPU per call by
# thread group (the calls' queues, the SIP stack's UDP and TLS threads, its timer, GC, call log, media, JIT).
#
#   scripts/bench/sip-bench.sh                                    # RATES="100 200 300 400 500", 1 s calls
#   RATES="100 300" DURATION=20 WARMUP=10 OUT=/tmp/sip scripts/bench/sip-bench.sh
#   BRIDGE_JAVA_OPTS=-XX:StartFlightRecording=filename=rec.jfr,settings=profile scripts/bench/sip-bench.sh
#
# Environment: everything setup-bench.sh takes (RATES, DURATION, WARMUP, HOLD_MS, PBX_TRANSPORT, OUT, WIRE,
# BRIDGE_JAVA_OPTS, MAX_CALLS_PER_NUMBER, MEDIA_PORT_COUNT, PEER: `PEER=sbc` runs the same ramp through the
# Kamailio + rtpengine SBC, the anchor, instead of the bridge), with these defaults here: RATES "100 200 300 400 500",
# DURATION 20, WARMUP 10, HOLD_MS 1000, MAX_CALLS_PER_NUMBER 1000 (Meta's own limit), MEDIA_PORT_COUNT 6000
# (1500 concurrent calls), WIRE 0. The box is usually shared: run it under `flock /tmp/bench.lock` and note
# `uptime` before and after.
# Output: one table row per rate on stdout and in OUT/sip-results.md; setup-bench.sh's own table in
# OUT/results.md, raw files in OUT/rate-R.
set -euo pipefail

home=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

export RATES=${RATES:-"100 200 300 400 500"}
export DURATION=${DURATION:-20}
export WARMUP=${WARMUP:-10}
export HOLD_MS=${HOLD_MS:-1000}
export MAX_CALLS_PER_NUMBER=${MAX_CALLS_PER_NUMBER:-1000}
export MEDIA_PORT_COUNT=${MEDIA_PORT_COUNT:-6000}
export WIRE=${WIRE:-0}
export PEER=${PEER:-bridge}
OUT=${OUT:-$(mktemp -d /tmp/wa-sip-bench.XXXXXX)}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
export OUT

rc=0
"$home/scripts/bench/setup-bench.sh" > "$OUT/setup-bench.out" || rc=$?

python3 - "$OUT" $RATES > "$OUT/sip-results.md" <<'EOF'
import os, sys
out, rates = sys.argv[1], sys.argv[2:]
rows = {}
with open(os.path.join(out, 'results.md')) as f:
    for line in f:
        cells = [c.strip() for c in line.strip().strip('|').split('|')]
        if len(cells) > 10 and cells[0].isdigit():
            rows[cells[0]] = cells
peer = os.environ.get('PEER', 'bridge')
what = "the bridge's" if peer == 'bridge' else "the SBC's (Kamailio's processes and rtpengine)"
print(f"{os.environ.get('HOLD_MS')} ms calls, {os.environ.get('DURATION')} s measured per rate after "
      f"{os.environ.get('WARMUP')} s of warm-up, PBX {os.environ.get('PBX_TRANSPORT', 'u1')}; set-up = PBX INVITE "
      f"-> 200 (SIPp, ms); CPU per call and cores from {what} /proc/<pid>/stat over the measured run "
      "(which ends when the last call is hung up)")
print()
print("| rate (calls/s) | attempted | failed | retrans PBX | retrans Meta UAS | set-up p50 ms | set-up p99 ms "
      f"| {peer} CPU ms/call | of it JIT ms/call | context switches/call | cores used | busiest thread but JIT (% of a core) "
      f"| box busy (cores: {peer} + edge and UAS + rest) |")
print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|")
for rate in rates:
    c = rows.get(rate)
    d = os.path.join(out, f'rate-{rate}')
    if c is None:
        print(f"| {rate} | - | - | - | - | - | - | - | - | - | - | - | (no result: see {d}) |")
        continue
    env = {}
    try:
        with open(os.path.join(d, 'cpu.env')) as f:
            env = dict(l.strip().split('=', 1) for l in f if '=' in l)
    except OSError:
        pass
    cpu_ms = jit_ms = cores = busiest = box = switches = '-'
    try:
        ticks, wall, hz = int(env['bridge_ticks']), int(env['wall_ms']), int(env['hz'])
        attempted = int(c[1])
        cpu_s = ticks / hz
        cpu_ms = f"{cpu_s * 1000 / attempted:.2f}" if attempted > 0 else '-'
        cores = f"{cpu_s / (wall / 1000):.2f}"
        if 'bridge_context_switches' in env and attempted > 0:
            # threads that ended during the run are not counted: a floor
            switches = f"{int(env['bridge_context_switches']) / attempted:.0f}"
        if 'machine_ticks' in env:
            m, lab = int(env['machine_ticks']), int(env['lab_ticks'])
            per_s = lambda t: t / hz / (wall / 1000)
            box = f"{per_s(m):.2f}: {per_s(ticks):.2f} + {per_s(lab):.2f} + {per_s(m - ticks - lab):.2f}"
        with open(os.path.join(d, 'threads.txt')) as f:
            threads = [l.split() for l in f if len(l.split()) >= 2]
        # HotSpot's compiler threads: a fresh JVM still compiles the call path in its first minutes
        jit = [t for t in threads if 'CompilerThre' in t[1]]
        rest = [t for t in threads if 'CompilerThre' not in t[1]]
        if attempted > 0:
            jit_ms = f"{sum(int(t[0]) for t in jit) / hz * 1000 / attempted:.2f}"
        if rest:
            busiest = f"{rest[0][1]} {int(rest[0][0]) / hz * 100 / (wall / 1000):.0f}"
    except (KeyError, ValueError, OSError, ZeroDivisionError):
        pass
    print(f"| {rate} | {c[1]} | {c[2]} | {c[3]} | {c[4]} | {c[5]} | {c[7]} | {cpu_ms} | {jit_ms} | {switches} | {cores} | {busiest} | {box} |")

if os.environ.get('PEER', 'bridge') != 'bridge':
    sys.exit(0)   # the thread groups below are the bridge's

# Where a call's CPU goes, by the bridge's thread groups (thread names as /proc shows them, 15 characters). One run's
# total varies by about 10 % here; a group's share moves less, so a change to one stage shows in its column.
GROUPS = [('calls', ('bridge-call', 'bridge-timers')),
          ('SIP over UDP', ('wa-sip-bridge-', 'MessageProcesso')),
          ('SIP over TLS', ('PipelineThread', 'SIP-TCP-Core', 'TCPMessageChann', 'TLSMessageChann')),
          ('SIP timers', ('DefaultSipTimer', 'sip-timer')),
          ('GC', ('G1_', 'GC_Thread')),
          ('call log', ('call-log-writer',)),
          ('media', ('wabridge-media',)),
          ('JIT', ('CompilerThre',))]
print()
print("| rate (calls/s) | " + " | ".join(g for g, _ in GROUPS) + " | other | (ms of CPU per call, by thread group) |")
print("|---:|" + "---:|" * (len(GROUPS) + 1) + "---|")
for rate in rates:
    c = rows.get(rate)
    d = os.path.join(out, f'rate-{rate}')
    try:
        attempted = int(c[1])
        with open(os.path.join(d, 'cpu.env')) as f:
            hz = int(dict(l.strip().split('=', 1) for l in f if '=' in l)['hz'])
        with open(os.path.join(d, 'threads.txt')) as f:
            threads = [l.split() for l in f if len(l.split()) >= 2]
        sums = {g: 0 for g, _ in GROUPS}
        other = 0
        for t in threads:
            group = next((g for g, names in GROUPS if any(n in t[1] for n in names)), None)
            if group is None:
                other += int(t[0])
            else:
                sums[group] += int(t[0])
        ms = lambda ticks: f"{ticks / hz * 1000 / attempted:.2f}"
        print(f"| {rate} | " + " | ".join(ms(sums[g]) for g, _ in GROUPS) + f" | {ms(other)} | |")
    except (TypeError, KeyError, ValueError, OSError, ZeroDivisionError):
        print(f"| {rate} |" + " - |" * (len(GROUPS) + 1) + " (no thread figures) |")
EOF
cat "$OUT/sip-results.md"
echo
echo "raw files: $OUT (setup-bench.sh's table: $OUT/results.md)"
exit "$rc"
