package org.wabridge.b2bua.ops.admin;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.wabridge.b2bua.ops.calllog.CallRecord;
import org.wabridge.b2bua.ops.calllog.TimelineEntry;
import org.wabridge.media.MediaStats.LegStats;

/** The JSON shape of call log records (field names as in docs/OPERATIONS.md). */
final class CallJson {

    private CallJson() {}

    static Map<String, Object> call(CallRecord c, boolean withEvents) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("callId", c.callId());
        m.put("startedAt", iso(c.startedAt()));
        m.put("direction", c.directionLabel());
        m.put("signaling", c.signaling());
        m.put("metaCallId", c.metaCallId());
        m.put("requestId", c.requestId());
        m.put("businessNumber", c.businessNumber());
        m.put("waUser", c.waUser());
        m.put("outcome", c.outcome().label());
        m.put("endedAt", iso(c.endedAt()));
        m.put("finalCode", c.finalCode());
        m.put("finalPhrase", c.finalPhrase());
        m.put("causeId", c.causeId());
        m.put("reason", c.reason());
        m.put("setupMs", millis(c.setupTime()));
        m.put("durationMs", millis(c.duration()));
        if (c.media() != null) {
            Map<String, Object> media = new LinkedHashMap<>();
            media.put("pbx", leg(c.media().pbx()));
            media.put("meta", leg(c.media().meta()));
            m.put("media", media);
        } else {
            m.put("media", null);
        }
        if (withEvents) {
            List<Object> events = new ArrayList<>();
            for (TimelineEntry e : c.events()) {
                Map<String, Object> em = new LinkedHashMap<>();
                em.put("at", iso(e.at()));
                em.put("kind", e.kind());
                em.put("leg", e.leg());
                em.put("direction", e.outgoing() == null ? null : e.outgoing() ? "out" : "in");
                em.put("detail", e.detail());
                events.add(em);
            }
            m.put("events", events);
        }
        return m;
    }

    private static Map<String, Object> leg(LegStats s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("packetsIn", s.packetsIn());
        m.put("bytesIn", s.bytesIn());
        m.put("packetsOut", s.packetsOut());
        m.put("bytesOut", s.bytesOut());
        m.put("dropped", s.dropped());
        m.put("authFailures", s.authFailures());
        m.put("longestGapMs", s.longestGapMillis());
        return m;
    }

    private static String iso(Instant i) {
        return i == null ? null : i.toString();
    }

    private static Long millis(Duration d) {
        return d == null ? null : d.toMillis();
    }
}
