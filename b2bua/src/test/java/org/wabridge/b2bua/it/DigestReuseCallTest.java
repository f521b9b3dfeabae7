package org.wabridge.b2bua.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wabridge.media.MediaRelay;

/**
 * Business-initiated calls after the first carry the digest answer Meta accepted before (a reused nonce with the
 * next count), so the edge need not challenge them; edges that refuse that (a used nonce, an expired one) cost one
 * more INVITE and never a call. Counted at the far side: the Kamailio edge's own log of challenges and checks.
 */
class DigestReuseCallTest {

    @TempDir
    static Path tmp;
    static Path certs;

    @BeforeAll
    static void makeCertificates() throws Exception {
        certs = Lab.certs(tmp.resolve("certs"));
    }

    private static Lab.Edge edge(String name, Map<String, String> settings) throws Exception {
        return new Lab.Edge(BusinessInitiatedCallTest.dir(name), certs, BusinessInitiatedCallTest.PASSWORD, "MD5",
                "edge", Lab.freePort(), settings);
    }

    private static void callThrough(BridgeUnderTest bridge, Lab.Edge edge, String which) throws Exception {
        int[] exits = BusinessInitiatedCallTest.call(bridge, edge, "meta-uas-answer.xml", "pbx-uac-call.xml", "u1",
                List.of());
        assertEquals(0, exits[0], which + " call must complete at the PBX:\n" + edge.log());
        assertEquals(0, exits[1], which + " call must reach the WhatsApp side:\n" + edge.log());
    }

    private static long count(String text, String needle) {
        return text.lines().filter(l -> l.contains(needle)).count();
    }

    private static BridgeUnderTest bridge(BridgeUnderTest.Ports ports, Lab.Edge edge, MediaRelay relay)
            throws Exception {
        return new BridgeUnderTest(ports, certs, edge.tlsPort, BusinessInitiatedCallTest.PASSWORD, Map.of(), relay);
    }

    @Test
    void callsAfterTheFirstAreNotChallenged() throws Exception {
        BridgeUnderTest.Ports ports = new BridgeUnderTest.Ports();
        try (Lab.Edge edge = edge("edge-reuse", Map.of());
             LogCapture log = new LogCapture(); MediaRelay relay = BusinessInitiatedCallTest.relay(ports);
             BridgeUnderTest bridge = bridge(ports, edge, relay)) {
            callThrough(bridge, edge, "first");
            callThrough(bridge, edge, "second");
            callThrough(bridge, edge, "third");
            String edgeLog = edge.log();
            assertEquals(1, count(edgeLog, "EDGE: challenge 407"), "only the first call is challenged:\n" + edgeLog);
            assertEquals(3, count(edgeLog, "EDGE: auth ok user '15550100001'"), edgeLog);
            assertEquals(4, count(log.text(), "META -> INVITE"), "2 + 1 + 1 INVITEs:\n" + log.text());
            BusinessInitiatedCallTest.assertNoLeftovers(bridge, relay);
        }
    }

    @Test
    void anEdgeThatRefusesReusedNoncesCostsOneMoreInviteOnceAndNoCall() throws Exception {
        BridgeUnderTest.Ports ports = new BridgeUnderTest.Ports();
        try (Lab.Edge edge = edge("edge-one-time", Map.of("ONE_TIME_NONCE", "1"));
             LogCapture log = new LogCapture(); MediaRelay relay = BusinessInitiatedCallTest.relay(ports);
             BridgeUnderTest bridge = bridge(ports, edge, relay)) {
            callThrough(bridge, edge, "first");
            callThrough(bridge, edge, "second"); // reuses, is refused (403), is sent again and challenged
            callThrough(bridge, edge, "third"); // reuse is paused: challenged straight away
            String edgeLog = edge.log();
            assertEquals(1, count(edgeLog, "EDGE: auth failed code -6"), "one reused nonce refused:\n" + edgeLog);
            assertEquals(3, count(edgeLog, "EDGE: challenge 407"), edgeLog);
            assertEquals(3, count(edgeLog, "EDGE: auth ok user '15550100001'"), edgeLog);
            assertEquals(7, count(log.text(), "META -> INVITE"), "2 + 3 + 2 INVITEs:\n" + log.text());
            assertEquals(1, count(log.text(), "WARN Meta refused credentials reused from an earlier challenge"),
                    log.text());
            BusinessInitiatedCallTest.assertNoLeftovers(bridge, relay);
        }
    }

    @Test
    void anExpiredNonceIsChallengedAsStaleAndTheCallGoesThrough() throws Exception {
        BridgeUnderTest.Ports ports = new BridgeUnderTest.Ports();
        try (Lab.Edge edge = edge("edge-stale", Map.of("NONCE_EXPIRE", "2"));
             LogCapture log = new LogCapture(); MediaRelay relay = BusinessInitiatedCallTest.relay(ports);
             BridgeUnderTest bridge = bridge(ports, edge, relay)) {
            callThrough(bridge, edge, "first");
            Thread.sleep(3000);
            callThrough(bridge, edge, "second");
            String edgeLog = edge.log();
            assertEquals(1, count(edgeLog, "EDGE: auth stale nonce"), edgeLog);
            assertEquals(2, count(edgeLog, "EDGE: auth ok user '15550100001'"), edgeLog);
            assertEquals(0, count(log.text(), "Meta refused credentials reused"), log.text());
            BusinessInitiatedCallTest.assertNoLeftovers(bridge, relay);
        }
    }
}
