package org.wabridge.b2bua.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.wabridge.b2bua.causes.CauseCatalog;
import org.wabridge.b2bua.causes.PbxAnswer;
import org.wabridge.media.MediaRelay;
import org.wabridge.media.NettyMediaRelay;

/**
 * limits.maxCallsPerNumber end to end: while one call of a business number is up, the next INVITE from that
 * number is refused locally with 503 and never reaches Meta's edge; once the call ends, calls go through again.
 */
class ConcurrencyLimitTest {

    static final String PASSWORD = EdgeFixture.PASSWORD;
    static final String CHALLENGE = "EDGE: challenge 407";
    static final String AUTH_OK = "EDGE: auth ok user '15550100001'";

    @RegisterExtension
    static final EdgeFixture EDGE = new EdgeFixture();

    static Lab.Sipp whatsAppUserAnswering() throws Exception {
        return Lab.Sipp.start(EDGE.dir("uas"), "uas", List.of("-sf", Lab.scenario("meta-uas-answer.xml").toString(),
                "-p", "" + EDGE.edge().uasPort, "-t", "u1", "-mp", "" + Lab.freePort(), "-m", "1",
                "-timeout", "30s", "-timeout_error"));
    }

    static Lab.Sipp pbxCalling(BridgeUnderTest bridge, String scenario, long holdMillis) throws Exception {
        return Lab.Sipp.start(EDGE.dir("pbx"), "pbx", List.of("127.0.0.1:" + bridge.pbxPort,
                "-sf", Lab.scenario(scenario).toString(), "-p", "" + Lab.freePort(), "-t", "u1",
                "-s", "+15550100099", "-mp", "" + Lab.freePort(), "-m", "1", "-d", "" + holdMillis,
                "-timeout", "30s", "-timeout_error"));
    }

    static long count(String text, String needle) {
        return text.lines().filter(l -> l.contains(needle)).count();
    }

    static void awaitLogLine(LogCapture log, String needle, long timeoutMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (!log.text().contains(needle) && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
        }
        assertTrue(log.text().contains(needle), "no '" + needle + "' within " + timeoutMillis + " ms:\n" + log.text());
    }

    @Test
    void secondConcurrentCallOfTheNumberGets503LocallyAndAThirdCallAfterwardsSucceeds() throws Exception {
        PbxAnswer limitAnswer = CauseCatalog.builtIn().byId("local.concurrent-limit").orElseThrow().pbxAnswer();
        assertEquals(503, limitAnswer.sipCode(), "the catalog's answer to a full number");
        BridgeUnderTest.Ports ports = new BridgeUnderTest.Ports();
        java.util.concurrent.atomic.AtomicInteger started = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger ended = new java.util.concurrent.atomic.AtomicInteger();
        org.wabridge.b2bua.events.CallObserver counting = new org.wabridge.b2bua.events.CallObserver() {
            @Override public void callStarted(org.wabridge.b2bua.events.CallStart s) { started.incrementAndGet(); }
            @Override public void callEnded(org.wabridge.b2bua.events.CallEnd e) { ended.incrementAndGet(); }
        };
        try (LogCapture log = new LogCapture(); MediaRelay relay = new NettyMediaRelay(ports.mediaSettings());
             BridgeUnderTest bridge = new BridgeUnderTest(ports, EDGE.certs(), EDGE.edge().tlsPort, PASSWORD,
                     Map.of("maxCalls", "1"), relay, counting)) {
            assertEquals(1, bridge.config.limits().maxCallsPerNumber());

            try (Lab.Sipp firstUser = whatsAppUserAnswering()) {
                Thread.sleep(300); // let the UAS bind before the INVITE reaches it
                try (Lab.Sipp firstPbx = pbxCalling(bridge, "pbx-uac-call.xml", 4000)) {
                    awaitLogLine(log, "PBX -> 200 OK (INVITE)", 10_000);
                    assertEquals(1, bridge.b2bua.activeCalls(), "the first call is up");

                    try (Lab.Sipp secondPbx = pbxCalling(bridge, "pbx-uac-fail-503.xml", 1000)) {
                        assertEquals(0, secondPbx.await(15), "the second call must get 503 with a Q.850 Reason\n"
                                + secondPbx.output());
                        String response = secondPbx.receivedMessages().stream()
                                .filter(m -> m.startsWith("SIP/2.0 503 ")).findFirst().orElseThrow();
                        MetaFailureMappingTest.assertStatusLine(response, limitAnswer);
                        assertTrue(MetaFailureMappingTest.headerValues(response, "Reason").contains("Q.850;cause="
                                        + limitAnswer.q850Cause() + ";text=\"" + limitAnswer.q850Text() + "\""),
                                "Q.850 cause of the concurrent-call limit:\n" + response);
                        assertEquals(List.of("" + limitAnswer.retryAfterSeconds()),
                                MetaFailureMappingTest.headerValues(response, "Retry-After"), response);
                    }
                    List<String> failed = log.lines().stream().filter(l -> l.contains("call failed:")).toList();
                    assertEquals(1, failed.size(), log.text());
                    assertTrue(failed.get(0).contains("cause=local.concurrent-limit \""), failed.get(0));
                    String edgeLog = EDGE.edge().log();
                    assertEquals(1, count(edgeLog, CHALLENGE), "only the first call may reach the edge:\n" + edgeLog);
                    assertEquals(1, count(edgeLog, AUTH_OK), "only the first call may reach the edge:\n" + edgeLog);

                    assertEquals(0, firstPbx.await(20), "the first call must complete undisturbed\n" + firstPbx.output());
                    assertEquals(0, firstUser.await(10), "the WhatsApp side of the first call must get its BYE\n"
                            + firstUser.output());
                }
            }
            BusinessInitiatedCallTest.assertNoLeftovers(bridge, relay);

            try (Lab.Sipp thirdUser = whatsAppUserAnswering()) {
                Thread.sleep(300);
                try (Lab.Sipp thirdPbx = pbxCalling(bridge, "pbx-uac-call.xml", 500)) {
                    assertEquals(0, thirdPbx.await(20), "after the first call ended a new call must go through\n"
                            + thirdPbx.output() + "\nedge log:\n" + EDGE.edge().log());
                    assertEquals(0, thirdUser.await(10), thirdUser.output());
                }
            }
            String edgeLog = EDGE.edge().log();
            assertEquals(1, count(edgeLog, CHALLENGE), "the third call reuses the first's digest answer:\n" + edgeLog);
            assertEquals(2, count(edgeLog, AUTH_OK), edgeLog);
            BusinessInitiatedCallTest.assertNoLeftovers(bridge, relay);
            // The refused INVITE never became a call: the call log and captures see two calls, both ended.
            assertEquals(2, started.get(), "calls started");
            assertEquals(2, ended.get(), "every started call ended");
        }
    }
}
