package org.wabridge.b2bua.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.wabridge.b2bua.causes.CauseCatalog;
import org.wabridge.b2bua.causes.MetaCause;
import org.wabridge.b2bua.causes.PbxAnswer;
import org.wabridge.media.MediaRelay;
import org.wabridge.media.NettyMediaRelay;

/**
 * Every failure Meta documents for business-initiated calls, played end to end: a SIPp UAS behind the Kamailio
 * edge answers the authenticated INVITE exactly as Meta does (reason phrase and Warning header, from
 * sipp-scenarios/meta-uas-fail-*.xml), and the PBX (SIPp) must get the catalog's answer for it: status, phrase,
 * Q.850 cause, Meta's own status as a SIP Reason, Retry-After where the catalog sets one. The bridge must log
 * the failure on exactly one line and keep nothing of the call.
 */
class MetaFailureMappingTest {

    static final String PASSWORD = "lab-secret";
    static final Pattern STATUS_LINE = Pattern.compile("^\\s*SIP/2\\.0 ([3-6]\\d\\d) (.+?)\\s*$", Pattern.MULTILINE);
    static final Pattern WARNING_LINE = Pattern.compile("^\\s*Warning:\\s*(.+?)\\s*$", Pattern.MULTILINE);

    /**
     * The cause every scenario must end in, written down from Meta's troubleshooting guide rather than read from
     * the catalog, so that a catalog pattern that stops matching (or starts matching the wrong row) fails here.
     */
    static final Map<String, String> DOCUMENTED_CAUSE = Map.ofEntries(
            Map.entry("meta-uas-fail-400-asset-not-found.xml", "meta.400.asset-not-found"),
            Map.entry("meta-uas-fail-403-sip-server-mismatch.xml", "meta.403.from-domain-mismatch"),
            Map.entry("meta-uas-fail-403-no-call-permission.xml", "meta.403.no-permission"),
            Map.entry("meta-uas-fail-403-app-not-authorized.xml", "meta.403.app-not-authorized"),
            Map.entry("meta-uas-fail-403-daily-limit.xml", "meta.403.daily-limit"),
            Map.entry("meta-uas-fail-403-duplicate-call.xml", "meta.403.duplicate-call"),
            Map.entry("meta-uas-fail-403-invalid-digest.xml", "meta.403.invalid-digest"),
            Map.entry("meta-uas-fail-403-payment-issue.xml", "meta.403.payment-issue"),
            Map.entry("meta-uas-fail-403-sdp-validation.xml", "meta.403.sdp-invalid"),
            // Meta's only documented 404 is "SIP INVITEs using IP in request URI are not allowed".
            Map.entry("meta-uas-fail-404-not-found.xml", "meta.404.ip-in-request-uri"),
            Map.entry("meta-uas-fail-408-rtp-timeout.xml", "meta.408.rtp-timeout"),
            Map.entry("meta-uas-fail-480-temporarily-unavailable.xml", "meta.480.unavailable"),
            Map.entry("meta-uas-fail-486-user-declined.xml", "meta.486.declined"),
            Map.entry("meta-uas-fail-503-service-unavailable.xml", "meta.503.unavailable"));

    /** PBX answers fixed by RFC 3398 and docs/CAUSES.md: status and the Q.850 causes a dialplan may see. */
    record Essential(int pbxStatus, Set<Integer> q850) {}

    static final Map<String, Essential> DOCUMENTED_PBX_ANSWER = Map.of(
            "meta-uas-fail-486-user-declined.xml", new Essential(486, Set.of(17, 21)),
            "meta-uas-fail-480-temporarily-unavailable.xml", new Essential(480, Set.of(19)),
            "meta-uas-fail-403-no-call-permission.xml", new Essential(403, Set.of(21)),
            "meta-uas-fail-403-duplicate-call.xml", new Essential(486, Set.of(17)),
            "meta-uas-fail-403-invalid-digest.xml", new Essential(502, Set.of(38)),
            "meta-uas-fail-503-service-unavailable.xml", new Essential(503, Set.of(41)));

    @TempDir
    static Path tmp;
    static Lab.Edge edge;
    static BridgeUnderTest.Ports ports;
    static MediaRelay relay;
    static BridgeUnderTest bridge;

    @BeforeAll
    static void startEdgeAndBridge() throws Exception {
        Path certs = Lab.certs(tmp.resolve("certs"));
        edge = new Lab.Edge(dir("edge"), certs, PASSWORD, "MD5", "edge");
        ports = new BridgeUnderTest.Ports();
        relay = new NettyMediaRelay(ports.mediaSettings());
        bridge = new BridgeUnderTest(ports, certs, edge.tlsPort, PASSWORD, Map.of(), relay);
    }

    @AfterAll
    static void stopAll() throws Exception {
        if (bridge != null) {
            bridge.close();
        }
        if (relay != null) {
            relay.close();
        }
        if (edge != null) {
            edge.close();
        }
    }

    static Path dir(String name) throws Exception {
        return Files.createDirectories(tmp.resolve(name + "-" + System.nanoTime()));
    }

    static Stream<String> metaFailureScenarios() throws Exception {
        try (Stream<Path> files = Files.list(Lab.repoRoot().resolve("sipp-scenarios"))) {
            return files.map(f -> f.getFileName().toString())
                    .filter(n -> n.startsWith("meta-uas-fail-") && n.endsWith(".xml"))
                    .sorted().toList().stream();
        }
    }

    @Test
    void everyDocumentedFailureHasAScenario() throws Exception {
        List<String> scenarios = metaFailureScenarios().toList();
        for (String documented : DOCUMENTED_CAUSE.keySet()) {
            assertTrue(scenarios.contains(documented), "sipp-scenarios/" + documented + " is missing: re-run "
                    + "scripts/lab/gen-sipp-fail-scenarios.sh (Meta's documented failures must all be played)");
        }
    }

    /** What a meta-uas-fail scenario makes Meta answer: the final status line and the Warning header values. */
    record MetaAnswer(int status, String phrase, List<String> warnings) {
        static MetaAnswer of(Path scenario) throws Exception {
            String xml = Files.readString(scenario);
            String body = xml.substring(xml.indexOf("<scenario"));
            Matcher status = STATUS_LINE.matcher(body);
            assertTrue(status.find(), scenario + " sends no 3xx-6xx final response");
            List<String> warnings = new ArrayList<>();
            Matcher warning = WARNING_LINE.matcher(body);
            while (warning.find()) {
                warnings.add(warning.group(1));
            }
            return new MetaAnswer(Integer.parseInt(status.group(1)), status.group(2), warnings);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("metaFailureScenarios")
    void metaFailureReachesThePbxAsTheCatalogSays(String scenario) throws Exception {
        MetaAnswer meta = MetaAnswer.of(Lab.scenario(scenario));
        MetaCause cause = CauseCatalog.builtIn().matchSip(meta.status(), meta.phrase(), meta.warnings());
        String documentedId = DOCUMENTED_CAUSE.get(scenario);
        assertNotNull(documentedId, scenario + " is a new Meta failure scenario: add the cause Meta's guide gives "
                + "for it to DOCUMENTED_CAUSE in this test");
        assertEquals(documentedId, cause.id(), "catalog cause for Meta's " + meta.status() + " \"" + meta.phrase() + "\"");
        PbxAnswer expected = cause.pbxAnswer();
        Essential essential = DOCUMENTED_PBX_ANSWER.get(scenario);
        if (essential != null) {
            assertEquals(essential.pbxStatus(), expected.sipCode(), "catalog PBX status for " + cause.id());
            assertTrue(essential.q850().contains(expected.q850Cause()),
                    "catalog Q.850 cause " + expected.q850Cause() + " for " + cause.id() + " is not one of " + essential.q850());
        }
        String pbxScenario = "pbx-uac-fail-" + expected.sipCode() + ".xml";
        assertTrue(Files.exists(Lab.scenario(pbxScenario)), "no " + pbxScenario
                + ": add code " + expected.sipCode() + " to pbx_failures in scripts/lab/gen-sipp-fail-scenarios.sh and re-run it");

        try (LogCapture log = new LogCapture()) {
            String finalResponse = callThroughBridge(scenario, pbxScenario);

            assertStatusLine(finalResponse, expected);
            List<String> reasons = headerValues(finalResponse, "Reason");
            assertTrue(reasons.contains("Q.850;cause=" + expected.q850Cause() + ";text=\"" + expected.q850Text() + "\""),
                    "the PBX must get the catalog's Q.850 cause " + expected.q850Cause() + ", got " + reasons);
            assertTrue(reasons.stream().anyMatch(r -> r.startsWith("SIP;cause=" + meta.status() + ";")),
                    "the PBX must get Meta's status " + meta.status() + " as a SIP Reason, got " + reasons);
            List<String> retryAfter = headerValues(finalResponse, "Retry-After");
            if (expected.retryAfterSeconds() == null) {
                assertTrue(retryAfter.isEmpty(), "no Retry-After expected for " + cause.id() + ", got " + retryAfter);
            } else {
                assertEquals(List.of("" + expected.retryAfterSeconds()), retryAfter, "Retry-After for " + cause.id());
            }

            List<String> failedLines = log.lines().stream().filter(l -> l.contains("call failed:")).toList();
            assertEquals(1, failedLines.size(), "exactly one 'call failed:' line per failed call:\n" + log.text());
            String line = failedLines.get(0);
            assertTrue(line.contains(" sip=" + meta.status() + " "), "Meta's status must be logged: " + line);
            assertTrue(line.contains("\"" + meta.phrase() + "\""), "Meta's phrase must be logged: " + line);
            assertTrue(line.contains(" cause=" + cause.id() + " \""), "the cause id must be logged: " + line);
            assertTrue(line.contains(cause.description().replaceAll("\\s+", " ").strip()),
                    "the cause's documented description must be logged: " + line);
            assertTrue(line.contains("; fix: "), "the documented fix must be logged: " + line);
            assertFalse(log.text().contains(PASSWORD), "the SIP password must never be logged");
        }
        BusinessInitiatedCallTest.assertNoLeftovers(bridge, relay);
    }

    /** Plays Meta with {@code metaScenario} and the PBX with {@code pbxScenario}; returns the PBX's final response. */
    static String callThroughBridge(String metaScenario, String pbxScenario) throws Exception {
        Path uasDir = dir("uas");
        Path pbxDir = dir("pbx");
        try (Lab.Sipp uas = Lab.Sipp.start(uasDir, "uas", List.of("-sf", Lab.scenario(metaScenario).toString(),
                "-p", "" + edge.uasPort, "-t", "u1", "-m", "1", "-timeout", "20s", "-timeout_error"))) {
            Thread.sleep(300); // let the UAS bind before the INVITE reaches it
            try (Lab.Sipp pbx = Lab.Sipp.start(pbxDir, "pbx", List.of("127.0.0.1:" + bridge.pbxPort,
                    "-sf", Lab.scenario(pbxScenario).toString(), "-p", "" + Lab.freePort(), "-t", "u1",
                    "-s", "+15550100099", "-mp", "" + Lab.freePort(), "-m", "1", "-timeout", "20s", "-timeout_error"))) {
                int pbxExit = pbx.await(25);
                int uasExit = uas.await(15);
                String diagnostics = "\nPBX side:\n" + pbx.output() + "\nMeta side:\n" + uas.output()
                        + "\nedge log:\n" + edge.log();
                assertEquals(0, uasExit, "the Meta side must get the INVITE and the ACK of its failure" + diagnostics);
                assertEquals(0, pbxExit, "the PBX must get exactly the expected status with a Q.850 Reason" + diagnostics);
                return pbx.receivedMessages().stream().filter(m -> m.matches("(?s)SIP/2\\.0 [3-6]\\d\\d .*"))
                        .findFirst().orElseGet(() -> fail("the PBX's message log has no final response" + diagnostics));
            }
        }
    }

    static void assertStatusLine(String response, PbxAnswer expected) {
        String statusLine = response.lines().findFirst().orElse("");
        assertEquals("SIP/2.0 " + expected.sipCode() + " " + expected.phrase(), statusLine.strip(),
                "status line toward the PBX");
    }

    /**
     * Values of every {@code name:} header of a SIP message, whether sent as separate headers or as one
     * comma-separated list (RFC 3261 7.3.1); commas inside quoted strings do not split.
     */
    static List<String> headerValues(String message, String name) {
        String head = message.split("\\r?\\n\\r?\\n", 2)[0];
        List<String> values = new ArrayList<>();
        head.lines().filter(l -> l.regionMatches(true, 0, name + ":", 0, name.length() + 1))
                .forEach(l -> values.addAll(splitList(l.substring(name.length() + 1))));
        return values;
    }

    static List<String> splitList(String headerValue) {
        List<String> items = new ArrayList<>();
        StringBuilder item = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < headerValue.length(); i++) {
            char c = headerValue.charAt(i);
            if (quoted && c == '\\' && i + 1 < headerValue.length()) {
                item.append(c).append(headerValue.charAt(++i));
                continue;
            }
            if (c == '"') {
                quoted = !quoted;
            }
            if (c == ',' && !quoted) {
                items.add(item.toString().strip());
                item.setLength(0);
            } else {
                item.append(c);
            }
        }
        items.add(item.toString().strip());
        return items;
    }
}
