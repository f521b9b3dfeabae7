package org.wabridge.b2bua.ops;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.wabridge.b2bua.ops.calllog.CallRecord;
import org.wabridge.b2bua.ops.calllog.TimelineEntry;
import org.wabridge.media.MediaStats.LegStats;

/** The call log as an admin reads it in a terminal: a table of calls, and one call's timeline. */
public final class CallLogText {

    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter PRECISE =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS").withZone(ZoneOffset.UTC);
    private static final String[] HEADERS =
            {"STARTED (UTC)", "DIRECTION", "OUTCOME", "CODE", "SETUP", "DURATION", "BUSINESS", "WHATSAPP USER", "CAUSE", "CALL ID"};

    private CallLogText() {}

    /** One line per call, columns aligned; a line saying so when there is none. */
    public static String table(List<CallRecord> calls) {
        if (calls.isEmpty()) {
            return "no calls match\n";
        }
        List<String[]> rows = new ArrayList<>();
        rows.add(HEADERS);
        for (CallRecord c : calls) {
            rows.add(new String[] {TIME.format(c.startedAt()), c.directionLabel(), c.outcome().label(),
                    c.finalCode() == null ? "-" : c.finalCode().toString(), seconds(c.setupTime()),
                    seconds(c.duration()), dash(c.businessNumber()), dash(c.waUser()), dash(c.causeId()), c.callId()});
        }
        int[] widths = new int[HEADERS.length];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.length; i++) {
                line.append(i == row.length - 1 ? row[i] : String.format("%-" + widths[i] + "s  ", row[i]));
            }
            out.append(line.toString().stripTrailing()).append('\n');
        }
        return out.toString();
    }

    /** The call's facts, media counters and every timeline entry with its offset from the start. */
    public static String timeline(CallRecord c) {
        StringBuilder out = new StringBuilder();
        out.append("call ").append(c.callId()).append('\n');
        field(out, "started", PRECISE.format(c.startedAt()) + " UTC");
        field(out, "direction", c.directionLabel() + " (signaling " + c.signaling() + ")");
        field(out, "business", dash(c.businessNumber()));
        field(out, "whatsapp user", dash(c.waUser()));
        field(out, "meta call id", dash(c.metaCallId()) + (c.metaCallId() == null ? "" : "  (quote it to Meta support)"));
        field(out, "request id", dash(c.requestId()));
        String result = c.outcome().label();
        if (c.finalCode() != null) {
            result += ": " + c.finalCode() + " " + dash(c.finalPhrase());
        }
        field(out, "outcome", result);
        if (c.causeId() != null) {
            field(out, "cause", c.causeId() + "  (bridge explain " + c.causeId() + ")");
        }
        if (c.reason() != null) {
            field(out, "reason", c.reason());
        }
        field(out, "setup", seconds(c.setupTime()));
        field(out, "duration", seconds(c.duration()));
        if (c.media() != null) {
            field(out, "media PBX", leg(c.media().pbx()));
            field(out, "media Meta", leg(c.media().meta()));
        }
        out.append("timeline:\n");
        if (c.events().isEmpty()) {
            out.append("  (no entries)\n");
        }
        // The first SIP message is seen a moment before the call is reported started: count from the earlier.
        Instant zero = c.events().isEmpty() || c.startedAt().isBefore(c.events().get(0).at())
                ? c.startedAt() : c.events().get(0).at();
        for (TimelineEntry e : c.events()) {
            out.append(String.format(Locale.ROOT, "  %9s  ", offset(zero, e.at())));
            if (TimelineEntry.SIP.equals(e.kind())) {
                out.append(String.format("%-4s %s ", e.leg(), Boolean.TRUE.equals(e.outgoing()) ? "->" : "<-"));
            } else {
                out.append("[").append(e.kind()).append("] ");
            }
            out.append(dash(e.detail())).append('\n');
        }
        return out.toString();
    }

    private static void field(StringBuilder out, String name, String value) {
        out.append(String.format("  %-14s %s%n", name, value));
    }

    private static String leg(LegStats s) {
        return "in " + s.packetsIn() + " pkts / " + s.bytesIn() + " B, out " + s.packetsOut() + " pkts / "
                + s.bytesOut() + " B, dropped " + s.dropped() + ", SRTP auth failures " + s.authFailures()
                + ", longest gap " + s.longestGapMillis() + " ms";
    }

    private static String offset(Instant zero, Instant at) {
        long ms = Duration.between(zero, at).toMillis();
        return String.format(Locale.ROOT, "+%d.%03ds", ms / 1000, ms % 1000);
    }

    private static String seconds(Duration d) {
        return d == null ? "-" : String.format(Locale.ROOT, "%.1fs", d.toMillis() / 1000.0);
    }

    private static String dash(String s) {
        return s == null || s.isEmpty() ? "-" : s;
    }
}
