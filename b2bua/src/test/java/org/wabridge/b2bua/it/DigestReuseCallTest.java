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

    /** INVITEs the edge received: it logs one decision for each (challenged, refused, or let through). */
    private static long invitesReceived(String edgeLog) {
        return count(edgeLog, "EDGE: challenge 407") + count(edgeLog, "EDGE: auth failed")
                + count(edgeLog, "EDGE: auth ok");
    }

    /** What the edge and the bridge logged over a run of calls. */
    private record Logs(String edge, String bridge) {}

    /**
     * Calls of one business number through one fresh bridge, one after the other ({@code pauseMillis} between
     * them), to an edge started with {@code settings}; every call must complete and leave nothing behind.
     */
    private static Logs calls(String edgeName, Map<String, String> settings, int calls, long pauseMillis)
            throws Exception {
        BridgeUnderTest.Ports ports = new BridgeUnderTest.Ports();
        try (Lab.Edge edge = edge(edgeName, settings);
             LogCapture log = new LogCapture(); MediaRelay relay = BusinessInitiatedCallTest.relay(ports);
             BridgeUnderTest bridge = new BridgeUnderTest(ports, certs, edge.tlsPort,
                     BusinessInitiatedCallTest.PASSWORD, Map.of(), relay)) {
            for (int i = 1; i <= calls; i++) {
                if (i > 1) {
                    Thread.sleep(pauseMillis);
                }
                callThrough(bridge, edge, "call " + i);
            }
            BusinessInitiatedCallTest.assertNoLeftovers(bridge, relay);
            return new Logs(edge.log(), log.text());
        }
    }

    @Test
    void callsAfterTheFirstAreNotChallenged() throws Exception {
        Logs logs = calls("edge-reuse", Map.of(), 3, 0);
        assertEquals(1, count(logs.edge(), "EDGE: challenge 407"),
                "only the first call is challenged:\n" + logs.edge());
        assertEquals(3, count(logs.edge(), "EDGE: auth ok user '15550100001'"), logs.edge());
        assertEquals(4, invitesReceived(logs.edge()), "2 + 1 + 1 INVITEs:\n" + logs.edge());
    }

    @Test
    void anEdgeThatRefusesReusedNoncesCostsOneMoreInviteOnceAndNoCall() throws Exception {
        // The second call reuses, is refused (403), is sent again and challenged; the third, reuse paused, is
        // challenged straight away.
        Logs logs = calls("edge-one-time", Map.of("ONE_TIME_NONCE", "1"), 3, 0);
        assertEquals(1, count(logs.edge(), "EDGE: auth failed code -6"), "one reused nonce refused:\n" + logs.edge());
        assertEquals(3, count(logs.edge(), "EDGE: challenge 407"), logs.edge());
        assertEquals(3, count(logs.edge(), "EDGE: auth ok user '15550100001'"), logs.edge());
        assertEquals(7, invitesReceived(logs.edge()), "2 + 3 + 2 INVITEs:\n" + logs.edge());
        assertEquals(1, count(logs.bridge(), "WARN Meta refused credentials reused from an earlier challenge"),
                logs.bridge());
    }

    @Test
    void anExpiredNonceIsChallengedAsStaleAndTheCallGoesThrough() throws Exception {
        Logs logs = calls("edge-stale", Map.of("NONCE_EXPIRE", "2"), 2, 3000);
        assertEquals(1, count(logs.edge(), "EDGE: auth stale nonce"), logs.edge());
        assertEquals(2, count(logs.edge(), "EDGE: auth ok user '15550100001'"), logs.edge());
        assertEquals(0, count(logs.bridge(), "Meta refused credentials reused"), logs.bridge());
    }
}
