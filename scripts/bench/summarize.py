#!/usr/bin/env python3
"""Side-by-side table of a media-bench.sh output folder: summarize.py OUT_DIR N [N ...]

Our relay's runs are OUT_DIR/relay-N.json, rtpengine's are in OUT_DIR/rtpengine/results.jsonl
(rtpload JSON in both). A->B is the PBX side (RTP) to the Meta side (SRTP).
"""
import json, sys, os
out, calls = sys.argv[1], [int(c) for c in sys.argv[2:]]
engine = {}
if os.path.exists(os.path.join(out, "rtpengine", "results.jsonl")):
    with open(os.path.join(out, "rtpengine", "results.jsonl")) as f:
        for line in f:
            info = json.loads(line)
            engine[info["calls"]] = info["result"]
def row(name, n, r):
    d = r["directions"]
    ab, ba = d["A->B"], d["B->A"]
    cpu = r["watched"][0]["cpu_pct_one_core"]
    forwarded = sum(v["received"] for v in d.values())
    seconds = r["config"]["duration_s"] if "config" in r and "duration_s" in r["config"] else None
    seconds = seconds or r.get("duration_s")
    us_per_pkt = cpu / 100.0 * seconds * 1e6 / forwarded if forwarded else float("nan")
    loss = lambda v: 100.0 * v["lost"] / v["sent"] if v["sent"] else 0.0
    other = max(0.0, 100.0 * r["machine"]["busy_cores"] - r["generator"]["cpu_pct_one_core"] - cpu)
    return ("| %s | %d | %.1f | %.2f | %.3f | %.3f | %.0f | %.0f | %.0f | %.0f | %d | %.1f |%s" % (
        name, n, cpu, us_per_pkt, loss(ab), loss(ba), ab["latency"]["p50_us"], ab["latency"]["p99_us"],
        ba["latency"]["p50_us"], ba["latency"]["p99_us"],
        sum(v["auth_errors"] + v["misrouted"] for v in d.values()), other,
        " generator overloaded" if r.get("generator_overloaded") else ""))
print("| relay | calls | relay CPU % of a core | CPU µs per forwarded packet | loss % RTP->SRTP | loss % SRTP->RTP "
      "| p50 µs RTP->SRTP | p99 µs RTP->SRTP | p50 µs SRTP->RTP | p99 µs SRTP->RTP | auth+misrouted "
      "| other CPU % (not generator or relay) |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for n in calls:
    with open(os.path.join(out, "relay-%d.json" % n)) as f:
        print(row("wabridge (Java/Netty)", n, json.load(f)))
    if n in engine:
        print(row("rtpengine (userspace)", n, engine[n]))
