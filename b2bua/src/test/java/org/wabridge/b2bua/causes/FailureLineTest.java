package org.wabridge.b2bua.causes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class FailureLineTest {
    private final CauseCatalog catalog = CauseCatalog.builtIn();

    @Test
    void oneLineWithIdsCodeCauseAndFix() {
        MetaCause cause = catalog.matchSip(403, "No Approved Call Permission Found", List.of());
        assertEquals("call failed: call-id=a84b4c76e66710 meta-call-id=wacid.HBgLMTU1 sip=403 "
                        + "\"No Approved Call Permission Found\" cause=meta.403.no-permission: "
                        + "No Approved Call Permission Found. Fix: " + cause.solutions().get(0),
                FailureLine.format("a84b4c76e66710", "wacid.HBgLMTU1", 403, "No Approved Call Permission Found", cause));
    }

    @Test
    void unknownIdsAndHostileTextStayOnOneLine() {
        MetaCause cause = catalog.byId("local.edge-timeout").orElseThrow();
        String line = FailureLine.format("abc\r\ninjected", null, 504, "x\"\ny", cause);
        assertFalse(line.contains("\n") || line.contains("\r"), line);
        assertTrue(line.startsWith("call failed: call-id=abc_injected meta-call-id=- sip=504 \"x\\\" y\" "
                + "cause=local.edge-timeout: No response from Meta in time. Fix: "), line);
    }
}
