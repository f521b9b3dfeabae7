package org.wabridge.b2bua.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.wabridge.b2bua.capture.CallCaptures;
import org.wabridge.b2bua.ops.CallOutcome;
import org.wabridge.b2bua.ops.Operations;
import org.wabridge.b2bua.ops.calllog.CallLogObserver;
import org.wabridge.b2bua.ops.calllog.CallQuery;
import org.wabridge.b2bua.ops.calllog.CallRecord;
import org.wabridge.config.MediaSettings;
import org.wabridge.media.MediaRelay;
import org.wabridge.media.NettyMediaRelay;

/**
 * Faults with real peers (SIPp as the PBX and the WhatsApp user, the Kamailio TLS edge): each ends with a defined
 * answer, a cause and a complete call-log row, and leaves no call or port behind. Each prints its time to a clean
 * teardown ("FAULT ...") for BENCHMARKS.md.
 */
class FaultsTest {

    static final String PASSWORD = EdgeFixture.PASSWORD;

    @RegisterExtension
    static final EdgeFixture EDGE = new EdgeFixture();

    /** The relay of {@code ports} with its range cut to {@code blocks} calls and the PBX silence limit given. */
    static MediaSettings media(BridgeUnderTest.Ports ports, int blocks, Duration pbxSilenceTimeout) {
        return new MediaSettings(MediaSettings.MediaMode.RELAY, "127.0.0.1", "127.0.0.1", ports.mediaMin,
                ports.mediaMin + blocks * 4 - 1, true, Duration.ofSeconds(1), Duration.ofSeconds(2),
                Duration.ofSeconds(5), Duration.ofSeconds(30), pbxSilenceTimeout, Duration.ofHours(1));
    }

    /** A bridge with a call log (SQLite in the test's directory), reached at {@code edgePort}. */
    static final class LoggedBridge implements AutoCloseable {
        final BridgeUnderTest bridge;
        private final AtomicReference<Operations> ops = new AtomicReference<>();

        LoggedBridge(BridgeUnderTest.Ports ports, int edgePort, MediaRelay relay) throws Exception {
            Path db = BusinessInitiatedCallTest.dir("calllog").resolve("calls.db");
            bridge = new BridgeUnderTest(ports, EDGE.certs(), edgePort, PASSWORD,
                    Map.of("extraYaml", "callLog: {file: \"" + db + "\"}"), relay,
                    new CallCaptures(CallCaptures.Mode.OFF, null, 0), cfg -> {
                        ops.set(Operations.start(cfg, () -> 0, () -> true));
                        return ops.get().observer();
                    });
        }

        List<CallRecord> calls() throws Exception {
            CallLogObserver log = ops.get().callLog().orElseThrow();
            log.flush().get(5, TimeUnit.SECONDS);
            return log.calls(new CallQuery(null, false, 50));
        }

        CallRecord only() throws Exception {
            List<CallRecord> calls = calls();
            assertEquals(1, calls.size(), "one call in the log: " + calls);
            return calls.get(0);
        }

        @Override
        public void close() {
            bridge.close();
            if (ops.get() != null) {
                ops.get().close();
            }
        }
    }

    static void await(String what, long seconds, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + seconds + " s waiting for " + what);
            }
            Thread.sleep(20);
        }
    }

    /** Both legs answered: the bridge sent its ACK to Meta and had the PBX's ACK (the ladder in the log). */
    static boolean answered(LogCapture log) {
        String ladder = log.text();
        return ladder.contains("META -> ACK") && ladder.contains("PBX <- ACK");
    }

    /** A row that tells the whole story: ended, with a final code, a reason and a duration. */
    static void assertComplete(CallRecord row) {
        assertNotNull(row.endedAt(), "ended_at: " + row);
        assertNotNull(row.finalCode(), "final code: " + row);
        assertNotNull(row.duration(), "duration: " + row);
        assertTrue(row.outcome() != CallOutcome.IN_PROGRESS, "outcome: " + row);
    }

    static List<String> pbxArgs(BridgeUnderTest bridge, String scenario, String... more) {
        List<String> args = new ArrayList<>(List.of("127.0.0.1:" + bridge.pbxPort, "-sf",
                Lab.scenario(scenario).toString(), "-p", "" + Lab.freePort(), "-t", "u1", "-s", "+15550100099",
                "-mp", "" + Lab.freePort(), "-timeout", "60s", "-timeout_error"));
        args.addAll(List.of(more));
        return args;
    }

    static Lab.Sipp metaUas(String scenario, int calls) throws Exception {
        Lab.Sipp uas = Lab.Sipp.start(BusinessInitiatedCallTest.dir("uas"), "uas", List.of("-sf",
                Lab.scenario(scenario).toString(), "-p", "" + EDGE.edge().uasPort, "-t", "u1",
                "-mp", "" + Lab.freePort(),
                "-m", "" + calls, "-timeout", "60s", "-timeout_error"));
        Thread.sleep(300); // let it bind
        return uas;
    }

    @Test
    void metaUnreachableAtCallTimeGivesThePbxA503AtOnceAndTheLogSaysWhy() throws Exception {
        BridgeUnderTest.Ports ports = new BridgeUnderTest.Ports();
        int closedPort = Lab.freePort();
        try (MediaRelay relay = new NettyMediaRelay(ports.mediaSettings());
             LoggedBridge b = new LoggedBridge(ports, closedPort, relay)) {
            long start = System.nanoTime();
            try (Lab.Sipp pbx = Lab.Sipp.start(BusinessInitiatedCallTest.dir("pbx"), "pbx",
                    pbxArgs(b.bridge, "pbx-uac-fail-503.xml", "-m", "1"))) {
                assertEquals(0, pbx.await(30), "PBX must get 503 with a Reason\n" + pbx.output());
            }
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            CallRecord row = b.only();
            assertComplete(row);
            assertEquals(CallOutcome.FAILED, row.outcome());
            assertEquals(503, row.finalCode());
            assertEquals("local.edge-unreachable", row.causeId());
            assertTrue(row.reason() != null && row.reason().contains("wa.meta.vc"), "reason names the edge: " + row);
            BusinessInitiatedCallTest.assertNoLeftovers(b.bridge, relay);
            System.out.println("FAULT edge-unreachable: PBX had its 503 " + ms + " ms after its INVITE (SIPp run), "
                    + "call-log duration " + row.duration().toMillis() + " ms");
        }
    }

    @Test
    void pbxVanishingMidCallIsEndedByTheSilenceTimeoutWithAByeToMeta() throws Exception {
        BridgeUnderTest.Ports ports = new BridgeUnderTest.Ports();
        try (LogCapture log = new LogCapture();
             MediaRelay relay = new NettyMediaRelay(media(ports, 10, Duration.ofSeconds(3)));
             LoggedBridge b = new LoggedBridge(ports, EDGE.edge().tlsPort, relay);
             Lab.Sipp uas = metaUas("meta-uas-answer.xml", 1)) {
            long vanished;
            // the PBX answers nothing after its ACK and sends no RTP (no -rtp_echo), then it is killed
            try (Lab.Sipp pbx = Lab.Sipp.start(BusinessInitiatedCallTest.dir("pbx"), "pbx",
                    pbxArgs(b.bridge, "pbx-uac-wait-bye.xml", "-m", "1"))) {
                await("the call to be up", 20, () -> answered(log));
                pbx.close();
                vanished = System.nanoTime();
            }
            await("the bridge to end the call", 30, () -> b.bridge.b2bua.activeCalls() == 0);
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - vanished);
            assertEquals(0, uas.await(20), "Meta's side must get the bridge's BYE\n" + uas.output());
            assertTrue(uas.receivedMessages().stream().anyMatch(m -> m.startsWith("BYE ") && m.contains("Reason:")),
                    "the BYE to Meta carries the cause: " + uas.receivedMessages());
            CallRecord row = b.only();
            assertComplete(row);
            assertEquals(CallOutcome.CONNECTED, row.outcome());
            assertEquals("local.media-timeout-pbx", row.causeId());
            BusinessInitiatedCallTest.assertNoLeftovers(b.bridge, relay);
            System.out.println("FAULT pbx-vanished: call ended " + ms + " ms after the PBX was killed "
                    + "(media.pbxSilenceTimeout 3 s)");
        }
    }

    @Test
    void relayPortRangeExhaustedAnswers503AtOnceLeaksNothingAndALaterCallWorks() throws Exception {
        BridgeUnderTest.Ports ports = new BridgeUnderTest.Ports();
        MediaSettings twoCalls = media(ports, 2, Duration.ofSeconds(60));
        try (MediaRelay relay = new NettyMediaRelay(twoCalls);
             LoggedBridge b = new LoggedBridge(ports, EDGE.edge().tlsPort, relay)) {
            try (Lab.Sipp uas = metaUas("meta-uas-answer.xml", 2);
                 Lab.Sipp held = Lab.Sipp.start(BusinessInitiatedCallTest.dir("held"), "pbx",
                         pbxArgs(b.bridge, "pbx-uac-call.xml", "-m", "2", "-l", "2", "-r", "10", "-d", "6000"))) {
                await("two calls holding every port", 20, () -> relay.activeSessions() == 2);
                long start = System.nanoTime();
                try (Lab.Sipp third = Lab.Sipp.start(BusinessInitiatedCallTest.dir("third"), "pbx",
                        pbxArgs(b.bridge, "pbx-uac-fail-503.xml", "-m", "1"))) {
                    assertEquals(0, third.await(20), "the third call must get 503\n" + third.output());
                }
                long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                assertEquals(0, held.await(30), "the two calls holding the ports complete\n" + held.output());
                assertEquals(0, uas.await(10), "Meta's side saw both calls\n" + uas.output());
                CallRecord refused = b.calls().stream().filter(c -> "local.media-ports-exhausted".equals(c.causeId()))
                        .findFirst().orElseThrow(() -> new AssertionError("no exhausted row in the log"));
                assertComplete(refused);
                assertEquals(503, refused.finalCode());
                System.out.println("FAULT ports-exhausted: 503 " + ms + " ms after the INVITE (SIPp run), call-log "
                        + "duration " + refused.duration().toMillis() + " ms");
            }
            BusinessInitiatedCallTest.assertNoLeftovers(b.bridge, relay);
            // No port leaked: every port of the range binds again.
            for (int port = twoCalls.portMin(); port <= twoCalls.portMax(); port++) {
                try (DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.0.1", port))) {
                    assertTrue(s.isBound());
                } catch (IOException e) {
                    throw new AssertionError("media port " + port + " still bound after every call ended", e);
                }
            }
            int[] exits = BusinessInitiatedCallTest.call(b.bridge, EDGE.edge(), "meta-uas-answer.xml",
                    "pbx-uac-call.xml", "u1", List.of());
            assertEquals(0, exits[0], "a later call gets ports again");
            assertEquals(0, exits[1]);
        }
    }

    /**
     * Meta's TLS connection reset mid-call (the lab edge's TCP connections destroyed with {@code ss -K}, as a
     * crashed edge node or a middlebox would): the call stays up, and the next in-dialog request (the PBX's BYE)
     * opens a new connection and reaches Meta's side. Needs {@code ss -K} (root or CAP_NET_ADMIN); skipped without.
     */
    @Test
    void metaResettingTheTlsConnectionMidCallLeavesTheCallUpAndTheByeFindsANewConnection() throws Exception {
        BridgeUnderTest.Ports ports = new BridgeUnderTest.Ports();
        try (LogCapture log = new LogCapture();
             MediaRelay relay = new NettyMediaRelay(ports.mediaSettings());
             LoggedBridge b = new LoggedBridge(ports, EDGE.edge().tlsPort, relay);
             Lab.Sipp uas = metaUas("meta-uas-answer.xml", 1);
             Lab.Sipp pbx = Lab.Sipp.start(BusinessInitiatedCallTest.dir("pbx"), "pbx",
                     pbxArgs(b.bridge, "pbx-uac-call.xml", "-m", "1", "-d", "5000"))) {
            await("the call to be up", 20, () -> answered(log));
            Thread.sleep(500);
            int edgePort = EDGE.edge().tlsPort;
            Set<Integer> before = bridgeSidePorts(edgePort);
            assertFalse(before.isEmpty(), "the bridge holds a connection to the edge");
            ProcessResult kill = run("ss", "-K", "( dport = :" + edgePort + " or sport = :" + edgePort + " )");
            Set<Integer> left = bridgeSidePorts(EDGE.edge().tlsPort);
            assumeTrue(kill.exit == 0 && left.isEmpty(), "ss -K cannot destroy sockets here (needs CAP_NET_ADMIN): "
                    + kill.output + ", still open: " + left);
            long resetAt = System.nanoTime();
            Thread.sleep(500);
            assertEquals(1, b.bridge.b2bua.activeCalls(), "a reset alone does not end a call");
            assertEquals(0, pbx.await(30), "the PBX's BYE is answered\n" + pbx.output());
            assertEquals(0, uas.await(20), "Meta's side gets the BYE over a new connection\n" + uas.output());
            Set<Integer> after = bridgeSidePorts(EDGE.edge().tlsPort);
            assertFalse(after.isEmpty(), "the bridge opened a new TLS connection to the edge");
            after.retainAll(before);
            assertTrue(after.isEmpty(), "no old connection survived the reset: " + after);
            await("the call to end", 10, () -> b.bridge.b2bua.activeCalls() == 0);
            CallRecord row = b.only();
            assertComplete(row);
            assertEquals(CallOutcome.CONNECTED, row.outcome());
            assertNull(row.causeId(), "a normal hang-up, no fault: " + row);
            BusinessInitiatedCallTest.assertNoLeftovers(b.bridge, relay);
            System.out.println("FAULT tls-reset: call kept; the PBX's BYE reached Meta over a new connection, "
                    + "call ended " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - resetAt)
                    + " ms after the reset (the PBX hangs up about 4 s after it)");
        }
    }

    record ProcessResult(int exit, String output) {}

    static ProcessResult run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        return new ProcessResult(p.waitFor(10, TimeUnit.SECONDS) ? p.exitValue() : -1, out);
    }

    /** Local ports of established TCP connections to 127.0.0.1:{@code edgePort} (the bridge's side), from ss. */
    static Set<Integer> bridgeSidePorts(int edgePort) throws Exception {
        ProcessResult r = run("ss", "-Htn", "state", "established", "( dport = :" + edgePort + " )");
        Set<Integer> ports = new HashSet<>();
        for (String line : r.output.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 4 && f[f.length - 2].contains(":")) {
                String local = f[f.length - 2];
                ports.add(Integer.parseInt(local.substring(local.lastIndexOf(':') + 1)));
            }
        }
        return ports;
    }
}
