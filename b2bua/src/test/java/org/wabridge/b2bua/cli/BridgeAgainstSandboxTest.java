package org.wabridge.b2bua.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.wabridge.b2bua.events.CallEnd;
import org.wabridge.sandbox.PbxStandIn;

/**
 * The bridge's business-initiated calls to the sandbox's users table (lab.yaml): each called number's documented
 * Meta answer reaches the PBX as the bridge maps it, and the bridge names Meta's cause.
 */
class BridgeAgainstSandboxTest {

    record Row(int pbxStatus, String cause) {}

    @Test
    void eachUserOfTheTableEndsTheCallAsMetaWouldAndThePbxHearsIt() throws Exception {
        Map<String, Row> rows = new LinkedHashMap<>();
        rows.put("+15550100486", new Row(486, "meta.486.declined"));
        rows.put("+15550100403", new Row(403, "meta.403.no-permission"));
        rows.put("+15550100503", new Row(503, "meta.503.unavailable"));
        rows.put("+15550100408", new Row(0, "meta.408.rtp-timeout"));
        rows.put("+15550100401", new Row(502, "meta.403.app-not-authorized")); // a configuration fault: 502
        Path state;
        try (SandboxLab lab = SandboxLab.start(SandboxDemoTest.repoRoot(), null, System.getenv())) {
            state = lab.run;
            assertTrue(Files.isRegularFile(state.resolve("calls.db")), "the lab keeps its call log in " + state);
            int calls = 0;
            for (Map.Entry<String, Row> row : rows.entrySet()) {
                calls++;
                PbxStandIn.Result r = lab.pbx().call("127.0.0.1", lab.bridgePbxPort(), row.getKey(),
                        SandboxDemo.BUSINESS, Duration.ofSeconds(1)).get(30, TimeUnit.SECONDS);
                String context = row.getKey() + ": " + r + "\nedge: " + lab.notes + "\nladders: " + lab.ladders;
                if (row.getValue().pbxStatus() > 0) {
                    assertEquals(row.getValue().pbxStatus(), r.finalStatus(), context);
                } else {
                    assertTrue(r.finalStatus() >= 400, context);
                }
                CallEnd end = awaitEnd(lab, calls);
                assertEquals(row.getValue().cause(), end.causeId(), context);
            }
        }
        assertFalse(Files.exists(state), "the lab's call log, captures and keys went with it: " + state);
    }

    /** The {@code n}-th call end (1-based) once the bridge reported it. */
    private static CallEnd awaitEnd(SandboxLab lab, int n) throws InterruptedException {
        for (int i = 0; i < 50 && lab.ends.size() < n; i++) {
            Thread.sleep(100);
        }
        assertEquals(n, lab.ends.size(), "the bridge reported the end of call " + n);
        return lab.ends.get(n - 1);
    }
}
