package org.wabridge.b2bua.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.wabridge.b2bua.events.Direction;
import org.wabridge.b2bua.ops.calllog.CallRecord;
import org.wabridge.b2bua.ops.calllog.TimelineEntry;

class CallLogTextTest {

    private static CallRecord inProgress(List<TimelineEntry> events) {
        return new CallRecord("c-1", CallScenarios.T0, Direction.USER_INITIATED, "SIP", null, "c-1", "+15550100001",
                "BSUID.1", CallOutcome.IN_PROGRESS, null, null, null, null, null, null, null, null, events);
    }

    @Test
    void offsetsCountFromTheFirstMessageWhenItPrecedesTheReportedStart() {
        String text = CallLogText.timeline(inProgress(List.of(
                new TimelineEntry(CallScenarios.T0.minusMillis(18), "sip", "META", false, "INVITE sip:+15550100001@x"),
                new TimelineEntry(CallScenarios.T0.plusMillis(2), "sip", "PBX", true, "INVITE sip:+15550100001@y"))));
        assertTrue(text.contains("\n    +0.000s  META <- INVITE sip:+15550100001@x\n"
                + "    +0.020s  PBX  -> INVITE sip:+15550100001@y\n"), text);
    }

    @Test
    void aCallInProgressShowsDashesAndNoMediaLine() {
        String text = CallLogText.timeline(inProgress(List.of()));
        assertTrue(text.contains("  outcome        in-progress\n"), text);
        assertTrue(text.contains("  setup          -\n  duration       -\n"), text);
        assertTrue(text.endsWith("timeline:\n  (no entries)\n"), text);
        assertEquals("no calls match\n", CallLogText.table(List.of()));
        String row = CallLogText.table(List.of(inProgress(List.of()))).lines().toList().get(1);
        assertTrue(row.startsWith("2026-11-25 10:00:00  inbound    in-progress  -     -      -         +15550100001  BSUID.1"), row);
    }
}
