package org.wabridge.b2bua.causes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class FailureLineTest {
    private final CauseCatalog catalog = CauseCatalog.builtIn();

    @Test
    void oneLineWithIdsCodeCauseDescriptionAndFix() {
        MetaCause cause = catalog.matchSip(480, "Temporarily Unavailable", List.of());
        assertEquals("call failed: call-id=a84b4c76e66710 meta-call-id=wacid.HBgLMTU1 sip=480 "
                        + "\"Temporarily Unavailable\" cause=meta.480.unavailable "
                        + "\"WhatsApp user is not reachable or did not answer the call\"; "
                        + "fix: Try messaging or calling later. Unanswered calls impact call permissions.",
                FailureLine.format("a84b4c76e66710", "wacid.HBgLMTU1", 480, "Temporarily Unavailable", cause));
    }

    @Test
    void everyCauseOfTheCatalogLogsItsOwnDescriptionAndFirstFix() {
        for (MetaCause cause : catalog.all()) {
            String line = FailureLine.format("c", null, 403, "x", cause);
            String description = cause.description().strip().replaceAll("\\s*[\\r\\n]+\\s*", " ")
                    .replace("\\", "\\\\").replace("\"", "\\\"");
            assertTrue(line.contains(" cause=" + cause.id() + " \"" + description + "\"; fix: "
                    + cause.firstSolution().replaceAll("[\\r\\n]+", " ").strip()), line);
        }
    }

    @Test
    void unknownIdsAndHostileTextStayOnOneLine() {
        MetaCause cause = catalog.byId("local.edge-timeout").orElseThrow();
        String line = FailureLine.format("abc\r\ninjected", null, 504, "x\"\ny", cause);
        assertFalse(line.contains("\n") || line.contains("\r"), line);
        assertTrue(line.startsWith("call failed: call-id=abc_injected meta-call-id=- sip=504 \"x\\\" y\" "
                + "cause=local.edge-timeout \"The INVITE was sent to Meta's SIP edge but no response arrived within "
                + "meta.noResponseTimeout.\"; fix: "), line);
    }
}
