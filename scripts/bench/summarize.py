#!/usr/bin/env python3
"""Side-by-side table of a media-bench.sh output folder: summarize.py OUT_DIR N [N ...]
Medians over the rounds of a REPEAT run:                 summarize.py --rounds OUT_DIR ROUNDS N [N ...]

Our relay's runs are OUT_DIR/relay-N.json, rtpengine's are in OUT_DIR/rtpengine/results.jsonl
(rtpload JSON in both); a REPEAT run has one such folder per round, OUT_DIR/round-K.
A->B is the PBX side (RTP) to the Meta side (SRTP).
"""
import json, sys, os, statistics


def load(out, calls):
    """{calls: (ours, rtpengine or None)} of one folder's rtpload results."""
    engine = {}
    if os.path.exists(os.path.join(out, "rtpengine", "results.jsonl")):
        with open(os.path.join(out, "rtpengine", "results.jsonl")) as f:
            for line in f:
                info = json.loads(line)
                engine[info["calls"]] = info["result"]
    runs = {}
    for n in calls:
        with open(os.path.join(out, "relay-%d.json" % n)) as f:
            runs[n] = (json.load(f), engine.get(n))
    return runs


def figures(r):
    d = r["directions"]
    ab, ba = d["A->B"], d["B->A"]
    cpu = r["watched"][0]["cpu_pct_one_core"]
    forwarded = sum(v["received"] for v in d.values())
    seconds = r["config"]["duration_s"] if "config" in r and "duration_s" in r["config"] else None
    seconds = seconds or r.get("duration_s")
    loss = lambda v: 100.0 * v["lost"] / v["sent"] if v["sent"] else 0.0
    return {
        "cpu": cpu,
        "us": cpu / 100.0 * seconds * 1e6 / forwarded if forwarded else float("nan"),
        "loss_ab": loss(ab), "loss_ba": loss(ba),
        "p50_ab": ab["latency"]["p50_us"], "p99_ab": ab["latency"]["p99_us"],
        "p50_ba": ba["latency"]["p50_us"], "p99_ba": ba["latency"]["p99_us"],
        "bad": sum(v["auth_errors"] + v["misrouted"] for v in d.values()),
        "other": max(0.0, 100.0 * r["machine"]["busy_cores"] - r["generator"]["cpu_pct_one_core"] - cpu),
        "overloaded": bool(r.get("generator_overloaded")),
    }


def row(name, n, r):
    f = figures(r)
    return ("| %s | %d | %.1f | %.2f | %.3f | %.3f | %.0f | %.0f | %.0f | %.0f | %d | %.1f |%s" % (
        name, n, f["cpu"], f["us"], f["loss_ab"], f["loss_ba"], f["p50_ab"], f["p99_ab"], f["p50_ba"], f["p99_ba"],
        f["bad"], f["other"], " generator overloaded" if f["overloaded"] else ""))


def one_folder(out, calls):
    print("| relay | calls | relay CPU % of a core | CPU µs per forwarded packet | loss % RTP->SRTP | loss % SRTP->RTP "
          "| p50 µs RTP->SRTP | p99 µs RTP->SRTP | p50 µs SRTP->RTP | p99 µs SRTP->RTP | auth+misrouted "
          "| other CPU % (not generator or relay) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n, (ours, engine) in load(out, calls).items():
        print(row("wabridge (Java/Netty)", n, ours))
        if engine is not None:
            print(row("rtpengine (userspace)", n, engine))


def spread(values, fmt):
    """median (min-max) of the values."""
    if not values:
        return "-"
    return (fmt + " (" + fmt + "-" + fmt + ")") % (statistics.median(values), min(values), max(values))


def medians(out, rounds, calls):
    per_round = [load(os.path.join(out, "round-%d" % k), calls) for k in range(1, rounds + 1)]
    print("| calls | rounds | ours µs/pkt | rtpengine µs/pkt | ratio (same round) | ours p50 / p99 µs RTP->SRTP "
          "| rtpengine p50 / p99 µs RTP->SRTP | ours p99 SRTP->RTP | rtpengine p99 SRTP->RTP | rounds with loss, "
          "auth/misrouted or an overloaded generator |")
    print("|---:|---:|---|---|---|---|---|---|---|---:|")
    for n in calls:
        ours = [figures(r[n][0]) for r in per_round]
        engine = [figures(r[n][1]) for r in per_round if r[n][1] is not None]
        ratios = [figures(r[n][0])["us"] / figures(r[n][1])["us"] for r in per_round if r[n][1] is not None]
        flawed = sum(1 for f in ours + engine
                     if f["loss_ab"] > 0 or f["loss_ba"] > 0 or f["bad"] > 0 or f["overloaded"])
        med = lambda fs, key: "%.0f" % statistics.median(f[key] for f in fs) if fs else "-"
        print("| %d | %d | %s | %s | %s | %s / %s | %s / %s | %s | %s | %d |" % (
            n, rounds, spread([f["us"] for f in ours], "%.2f"), spread([f["us"] for f in engine], "%.2f"),
            spread(ratios, "%.2f"), med(ours, "p50_ab"), med(ours, "p99_ab"), med(engine, "p50_ab"),
            med(engine, "p99_ab"), med(ours, "p99_ba"), med(engine, "p99_ba"), flawed))


if __name__ == "__main__":
    if sys.argv[1] == "--rounds":
        medians(sys.argv[2], int(sys.argv[3]), [int(c) for c in sys.argv[4:]])
    else:
        one_folder(sys.argv[1], [int(c) for c in sys.argv[2:]])
