package org.wabridge.b2bua.causes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class ExplainerTest {
    private final CauseCatalog catalog = CauseCatalog.builtIn();

    @Test
    void forbiddenWithoutTextListsEveryDocumentedVariant() {
        Explainer.Explanation explanation = Explainer.describe(catalog, "403", null);
        assertTrue(explanation.found());
        String text = explanation.text();
        for (MetaCause cause : catalog.bySipCode(403)) {
            assertTrue(text.contains(cause.id()), "403 explanation misses " + cause.id());
        }
        assertTrue(text.contains("8 documented meanings"), text);
        assertTrue(text.contains("bridge explain 403 \"<reason text>\""), text);
        assertTrue(text.contains("meta.fromDomain"), "the From-domain variant should name the config key");
    }

    @Test
    void forbiddenWithTextPicksOneVariant() {
        String text = Explainer.explain(catalog, "403", "No Approved Call Permission Found");
        assertTrue(text.contains("meta.403.no-permission"), text);
        assertFalse(text.contains("meta.403.from-domain-mismatch"), text);
        assertTrue(text.contains("Q.850;cause=21 (CALL_REJECTED)"), text);
    }

    @Test
    void forbiddenWithUnknownTextShowsFallbackAndTheDocumentedList() {
        Explainer.Explanation explanation = Explainer.describe(catalog, "403", "Something Meta added later");
        assertTrue(explanation.found(), "403 itself is documented");
        assertTrue(explanation.text().contains("does not match any reason Meta documents"));
        assertTrue(explanation.text().contains("fallback.403"));
        assertTrue(explanation.text().contains("meta.403.sdp-invalid"));
    }

    @Test
    void dailyLimitApiCodeShowsLimitFixRetryAndPbxAnswer() {
        Explainer.Explanation explanation = Explainer.describe(catalog, "138012", null);
        assertTrue(explanation.found());
        String text = explanation.text();
        assertTrue(text.startsWith("Calling API error 138012:"), text);
        assertTrue(text.contains("Currently 100 connected business initiated calls are allowed within 24 hours."), text);
        assertTrue(text.contains("timestamp when the next call is allowed"), text);
        assertTrue(text.contains("Retry:      yes"), text);
        assertTrue(text.contains("PBX answer: 480 ") && text.contains("Retry-After: 86400"), text);
    }

    @Test
    void unknownCodesSaySo() {
        Explainer.Explanation api = Explainer.describe(catalog, "138099", null);
        assertFalse(api.found());
        assertTrue(api.text().startsWith("Unknown code 138099"), api.text());

        Explainer.Explanation sip = Explainer.describe(catalog, "415", null);
        assertFalse(sip.found());
        assertTrue(sip.text().contains("SIP 415 is not in Meta's documented error list"), sip.text());
        assertTrue(sip.text().contains("fallback.4xx"), sip.text());

        Explainer.Explanation word = Explainer.describe(catalog, "forbidden", null);
        assertFalse(word.found());
        assertTrue(word.text().contains("'forbidden' is not a SIP status"), word.text());
    }

    @Test
    void causeIdsCanBeExplainedToo() {
        Explainer.Explanation explanation = Explainer.describe(catalog, "local.tls-verify-failed", null);
        assertTrue(explanation.found());
        assertTrue(explanation.text().contains("meta.tlsTrust"), explanation.text());
    }

    @Test
    void metasNoFingerprintTextIsExplainedOnAnyStatus() {
        Explainer.Explanation explanation = Explainer.describe(catalog, "400", "No fingerprint found in SDP");
        assertTrue(explanation.found(), explanation.text());
        assertTrue(explanation.text().contains("meta.sdp.no-fingerprint"), explanation.text());
        assertTrue(explanation.text().contains("Code:       any SIP failure status whose reason phrase or Warning text"),
                explanation.text());
        assertTrue(explanation.text().contains("srtpKeyExchange: DTLS"), explanation.text());
        String disconnect = Explainer.explain(catalog, "meta.media.no-media-at-start", null);
        assertTrue(disconnect.contains("the WhatsApp client hangs up"), disconnect);
    }

    @Test
    void aMetaLegCauseNamesTheStepAndTheFallback() {
        String text = Explainer.explain(catalog, "local.ice-failed", null);
        assertTrue(text.contains("raised by the bridge itself"), text);
        assertTrue(text.contains("media.publicAddress"), text);
        assertTrue(text.contains("srtpKeyExchange: SDES"), text);
        assertTrue(text.contains("Q.850;cause=38 (NETWORK_OUT_OF_ORDER)"), text);
    }

    @Test
    void commandExitCodesAndOutput() {
        assertEquals(0, run("486").exitCode);
        Result known = run("403", "Business Initiated Connected Call Per Day Limit Hit");
        assertEquals(0, known.exitCode);
        assertTrue(known.out.contains("meta.403.daily-limit"), known.out);
        Result unknown = run("138099");
        assertEquals(2, unknown.exitCode);
        assertTrue(unknown.out.contains("Unknown code 138099"), unknown.out);
    }

    private record Result(int exitCode, String out) {}

    private static Result run(String... args) {
        StringWriter out = new StringWriter();
        CommandLine command = new CommandLine(new ExplainCommand());
        command.setOut(new PrintWriter(out));
        int exitCode = command.execute(args);
        return new Result(exitCode, out.toString());
    }
}
