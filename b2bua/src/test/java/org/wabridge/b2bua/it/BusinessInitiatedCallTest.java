package org.wabridge.b2bua.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wabridge.b2bua.capture.CallCaptures;
import org.wabridge.media.MediaRelay;
import org.wabridge.media.NettyMediaRelay;

/**
 * Business-initiated calls end to end with real peers on loopback: SIPp plays the PBX (UDP and TCP), Kamailio
 * plays Meta's edge over TLS (certificate for wa.meta.vc from a test CA, 407 challenge of realm wa.meta.vc
 * with qop=auth, digest verified with the business number's password) and a SIPp UAS behind it plays the
 * WhatsApp user.
 */
class BusinessInitiatedCallTest {

    static final String PASSWORD = "lab-secret";

    @TempDir
    static Path tmp;
    static Path certs;
    static Lab.Edge md5Edge;

    @BeforeAll
    static void startEdge() throws Exception {
        certs = Lab.certs(tmp.resolve("certs"));
        md5Edge = new Lab.Edge(dir("edge-md5"), certs, PASSWORD, "MD5", "edge");
    }

    @AfterAll
    static void stopEdge() throws Exception {
        if (md5Edge != null) {
            md5Edge.close();
        }
        tmp = null; // JUnit removes it now: later callers of dir() must not create it again
    }

    /** Scratch space of the other classes that call {@link #dir}: one per test JVM, removed when it exits. */
    private static Path shared;

    /** A fresh scratch directory (under this class's temp dir, or the shared one when called from another class). */
    static Path dir(String name) throws Exception {
        return Files.createDirectories((tmp != null ? tmp : sharedDir()).resolve(name + "-" + System.nanoTime()));
    }

    private static synchronized Path sharedDir() throws Exception {
        if (shared == null) {
            Path made = Files.createTempDirectory("bridge-it-");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> Lab.deleteTree(made)));
            shared = made;
        }
        return shared;
    }

    static MediaRelay relay(BridgeUnderTest.Ports ports) {
        return new NettyMediaRelay(ports.mediaSettings());
    }

    /** Runs the WhatsApp-side UAS and the PBX-side UAC for one call and returns both exit codes. */
    static int[] call(BridgeUnderTest bridge, Lab.Edge edge, String uasScenario, String pbxScenario,
                      String transport, List<String> extraPbxArgs) throws Exception {
        Path work = dir(pbxScenario);
        try (Lab.Sipp uas = uasScenario == null ? null : Lab.Sipp.start(dir(uasScenario), "uas", List.of(
                "-sf", Lab.scenario(uasScenario).toString(), "-p", "" + edge.uasPort, "-t", "u1",
                "-mp", "" + Lab.freePort(), "-m", "1", "-timeout", "40s", "-timeout_error"))) {
            Thread.sleep(300); // let the UAS bind before the call reaches it
            List<String> args = new ArrayList<>(List.of("127.0.0.1:" + bridge.pbxPort,
                    "-sf", Lab.scenario(pbxScenario).toString(), "-p", "" + Lab.freePort(), "-t", transport,
                    "-s", "+15550100099", "-mp", "" + Lab.freePort(), "-m", "1", "-d", "1000",
                    "-timeout", "40s", "-timeout_error"));
            args.addAll(extraPbxArgs);
            try (Lab.Sipp pbx = Lab.Sipp.start(work, "pbx", args)) {
                int pbxExit = pbx.await(45);
                int uasExit = uas == null ? 0 : uas.await(10);
                if (pbxExit != 0 || uasExit != 0) {
                    System.err.println("PBX side:\n" + pbx.output());
                    if (uas != null) {
                        System.err.println("WhatsApp side:\n" + uas.output());
                    }
                    System.err.println("edge log:\n" + edge.log());
                }
                return new int[] {pbxExit, uasExit};
            }
        }
    }

    static void assertNoLeftovers(BridgeUnderTest bridge, MediaRelay relay) throws InterruptedException {
        for (int i = 0; i < 50 && (bridge.b2bua.activeCalls() > 0 || relay.activeSessions() > 0); i++) {
            Thread.sleep(100);
        }
        assertEquals(0, bridge.b2bua.activeCalls(), "calls left in the registry");
        assertEquals(0, relay.activeSessions(), "media sessions left open");
    }

    @Test
    void udpCallAuthenticatesWithMd5AndPbxHangsUp() throws Exception {
        BridgeUnderTest.Ports ports = new BridgeUnderTest.Ports();
        try (LogCapture log = new LogCapture(); MediaRelay relay = relay(ports);
             BridgeUnderTest bridge = new BridgeUnderTest(ports, certs, md5Edge.tlsPort, PASSWORD, Map.of(), relay)) {
            int[] exits = call(bridge, md5Edge, "meta-uas-answer.xml", "pbx-uac-call.xml", "u1", List.of());
            assertEquals(0, exits[0], "PBX call must complete");
            assertEquals(0, exits[1], "WhatsApp side must see INVITE, ACK and BYE");
            assertTrue(md5Edge.log().contains("EDGE: auth ok user '15550100001' algorithm MD5"), md5Edge.log());
            String ladder = log.text();
            assertTrue(ladder.contains("META <- 407 Proxy Authentication Required"), ladder);
            assertTrue(ladder.contains("answering 407 challenge of realm wa.meta.vc with MD5"), ladder);
            assertTrue(ladder.contains("META <- 200 OK (INVITE)"), ladder);
            assertTrue(ladder.contains("META -> BYE"), ladder);
            assertTrue(!ladder.contains(PASSWORD), "the SIP password must never be logged");
            assertNoLeftovers(bridge, relay);
        }
    }

    @Test
    void tcpCallWithSha256DigestAndWhatsAppSideHangsUp() throws Exception {
        BridgeUnderTest.Ports ports = new BridgeUnderTest.Ports();
        try (Lab.Edge shaEdge = new Lab.Edge(dir("edge-sha"), certs, PASSWORD, "SHA-256", "edge");
             LogCapture log = new LogCapture(); MediaRelay relay = relay(ports);
             BridgeUnderTest bridge = new BridgeUnderTest(ports, certs, shaEdge.tlsPort, PASSWORD, Map.of(), relay)) {
            int[] exits = call(bridge, shaEdge, "meta-uas-answer-bye.xml", "pbx-uac-wait-bye.xml", "t1", List.of());
            assertEquals(0, exits[0], "PBX must get the BYE that the WhatsApp side sent");
            assertEquals(0, exits[1], "WhatsApp side's BYE must be answered");
            assertTrue(shaEdge.log().contains("EDGE: auth ok user '15550100001' algorithm SHA-256"), shaEdge.log());
            assertTrue(log.text().contains("with SHA_256") || log.text().contains("with SHA-256"), log.text());
            assertTrue(log.text().contains("PBX -> BYE"), log.text());
            assertNoLeftovers(bridge, relay);
        }
    }

    @Test
    void pbxCancelGives487AndCancelsTowardMeta() throws Exception {
        BridgeUnderTest.Ports ports = new BridgeUnderTest.Ports();
        try (LogCapture log = new LogCapture(); MediaRelay relay = relay(ports);
             BridgeUnderTest bridge = new BridgeUnderTest(ports, certs, md5Edge.tlsPort, PASSWORD, Map.of(), relay)) {
            int[] exits = call(bridge, md5Edge, "meta-uas-ring.xml", "pbx-uac-cancel.xml", "u1", List.of());
            assertEquals(0, exits[0], "PBX must get 200 to its CANCEL and 487 to its INVITE");
            assertEquals(0, exits[1], "WhatsApp side must receive the CANCEL");
            assertTrue(log.text().contains("META -> CANCEL"), log.text());
            assertNoLeftovers(bridge, relay);
        }
    }

    @Test
    void wrongPasswordIsRejectedOnceAndExplained() throws Exception {
        BridgeUnderTest.Ports ports = new BridgeUnderTest.Ports();
        try (LogCapture log = new LogCapture(); MediaRelay relay = relay(ports);
             BridgeUnderTest bridge = new BridgeUnderTest(ports, certs, md5Edge.tlsPort, "not-the-password", Map.of(), relay)) {
            // Meta answers 403 "Invalid digest auth response"; the catalog turns this configuration error into
            // 502 + Q.850 38 so that a dialplan does not mistake it for a busy or barred destination.
            int[] exits = call(bridge, md5Edge, null, "pbx-uac-fail-502.xml", "u1", List.of());
            assertEquals(0, exits[0], "PBX must get a 502 with a Q.850 Reason");
            long invites = log.lines().stream().filter(l -> l.contains("META -> INVITE")).count();
            assertEquals(2, invites, "one INVITE and one authenticated retry, never a loop:\n" + log.text());
            assertTrue(log.text().toLowerCase().contains("invalid digest"), log.text());
            assertTrue(!log.text().contains("not-the-password"), "the password must never be logged");
            assertNoLeftovers(bridge, relay);
        }
    }

    @Test
    void sourceOutsideAllowedNetworksGets403() throws Exception {
        BridgeUnderTest.Ports ports = new BridgeUnderTest.Ports();
        try (LogCapture log = new LogCapture(); MediaRelay relay = relay(ports);
             BridgeUnderTest bridge = new BridgeUnderTest(ports, certs, md5Edge.tlsPort, PASSWORD,
                     Map.of("allowedSources", "192.0.2.0/24"), relay)) {
            int[] exits = call(bridge, md5Edge, null, "pbx-uac-fail-403.xml", "u1", List.of());
            assertEquals(0, exits[0], "PBX must get 403 with a Reason");
            assertTrue(log.text().contains("is not in pbx.allowedSources"), log.text());
            assertTrue(!log.text().contains("META -> INVITE"), "nothing may reach Meta");
            assertNoLeftovers(bridge, relay);
        }
    }

    @Test
    void unknownBusinessNumberGets403WithoutReachingMeta() throws Exception {
        BridgeUnderTest.Ports ports = new BridgeUnderTest.Ports();
        // Two numbers, neither the PBX's From (+15550100001) and no default: the bridge cannot choose.
        try (LogCapture log = new LogCapture(); MediaRelay relay = relay(ports);
             BridgeUnderTest bridge = new BridgeUnderTest(ports, certs, md5Edge.tlsPort, PASSWORD,
                     Map.of("number", "+15550100002", "secondNumber", "+15550100003"), relay)) {
            int[] exits = call(bridge, md5Edge, null, "pbx-uac-fail-403.xml", "u1", List.of());
            assertEquals(0, exits[0], "PBX must get 403 with a Reason");
            assertTrue(log.text().contains("is not a configured business number"), log.text());
            assertTrue(!log.text().contains("META -> INVITE"), "nothing may reach Meta");
        }
    }

    @Test
    void theOnlyBusinessNumberCarriesPbxCallsFromOtherNumbers() throws Exception {
        BridgeUnderTest.Ports ports = new BridgeUnderTest.Ports();
        // The PBX's From is +15550100001, which is not configured; +15550100002 is the only number.
        try (LogCapture log = new LogCapture(); MediaRelay relay = relay(ports);
             BridgeUnderTest bridge = new BridgeUnderTest(ports, certs, md5Edge.tlsPort, PASSWORD,
                     Map.of("number", "+15550100002"), relay)) {
            int[] exits = call(bridge, md5Edge, "meta-uas-answer.xml", "pbx-uac-call.xml", "u1", List.of());
            assertEquals(0, exits[0], "PBX call must complete");
            assertEquals(0, exits[1], "WhatsApp side must see INVITE, ACK and BYE");
            assertTrue(md5Edge.log().contains("EDGE: auth ok user '15550100002'"), md5Edge.log());
            assertTrue(!log.text().contains("is not a configured business number"), log.text());
            assertNoLeftovers(bridge, relay);
        }
    }

    @Test
    void unreachableEdgeFailsFastWith503() throws Exception {
        BridgeUnderTest.Ports ports = new BridgeUnderTest.Ports();
        int closedPort = Lab.freePort();
        try (LogCapture log = new LogCapture(); MediaRelay relay = relay(ports);
             BridgeUnderTest bridge = new BridgeUnderTest(ports, certs, closedPort, PASSWORD, Map.of(), relay)) {
            long start = System.nanoTime();
            int[] exits = call(bridge, md5Edge, null, "pbx-uac-fail-503.xml", "u1", List.of());
            long seconds = (System.nanoTime() - start) / 1_000_000_000L;
            assertEquals(0, exits[0], "PBX must get 503 with a Reason");
            assertTrue(seconds < 15, "the PBX must get its answer within a bounded time, took " + seconds + " s");
            assertTrue(log.text().contains("local.edge-unreachable"), log.text());
            assertNoLeftovers(bridge, relay);
        }
    }

    @Test
    void edgeCertificateForAnotherNameFailsTheCall() throws Exception {
        BridgeUnderTest.Ports ports = new BridgeUnderTest.Ports();
        try (Lab.Edge wrongEdge = new Lab.Edge(dir("edge-wrong"), certs, PASSWORD, "MD5", "wrong-name");
             LogCapture log = new LogCapture(); MediaRelay relay = relay(ports);
             BridgeUnderTest bridge = new BridgeUnderTest(ports, certs, wrongEdge.tlsPort, PASSWORD, Map.of(), relay)) {
            int[] exits = call(bridge, wrongEdge, null, "pbx-uac-fail-502.xml", "u1", List.of());
            assertEquals(0, exits[0], "PBX must get 502 with a Reason");
            assertTrue(log.text().contains("local.tls-verify-failed"), log.text());
            assertTrue(!wrongEdge.log().contains("EDGE: challenge"), "no INVITE may be sent over an unverified TLS session");
            assertNoLeftovers(bridge, relay);
        }
    }

    @Test
    void malformedAndUnusableInvitesGetDefinedAnswersAndTheBridgeKeepsWorking() throws Exception {
        BridgeUnderTest.Ports ports = new BridgeUnderTest.Ports();
        try (LogCapture log = new LogCapture(); MediaRelay relay = relay(ports);
             BridgeUnderTest bridge = new BridgeUnderTest(ports, certs, md5Edge.tlsPort, PASSWORD, Map.of(), relay);
             DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            socket.setSoTimeout(3000);
            int local = socket.getLocalPort();
            String garbledCseq = invite(local, "CSeq: one INVITE", "+15550100099", true);
            assertTrue(exchange(socket, bridge.pbxPort, garbledCseq).startsWith("SIP/2.0 400"),
                    "a malformed INVITE gets 400");
            String noSdp = invite(local, "CSeq: 1 INVITE", "+15550100099", false);
            assertTrue(finalAnswer(socket, bridge.pbxPort, noSdp).startsWith("SIP/2.0 488"),
                    "an INVITE without SDP gets 488");
            String noUser = invite(local, "CSeq: 1 INVITE", "", true);
            assertTrue(finalAnswer(socket, bridge.pbxPort, noUser).startsWith("SIP/2.0 484"),
                    "an INVITE without a WhatsApp user gets 484");
            assertNoLeftovers(bridge, relay);
            int[] exits = call(bridge, md5Edge, "meta-uas-answer.xml", "pbx-uac-call.xml", "u1", List.of());
            assertEquals(0, exits[0], "a good call still completes after bad input");
        }
    }

    @Test
    void drainLetsTheLiveCallFinishAndRefusesNewOnesWith503() throws Exception {
        BridgeUnderTest.Ports ports = new BridgeUnderTest.Ports();
        try (LogCapture log = new LogCapture(); MediaRelay relay = relay(ports);
             BridgeUnderTest bridge = new BridgeUnderTest(ports, certs, md5Edge.tlsPort, PASSWORD, Map.of(), relay);
             Lab.Sipp uas = Lab.Sipp.start(dir("drain-uas"), "uas", List.of("-sf",
                     Lab.scenario("meta-uas-answer.xml").toString(), "-p", "" + md5Edge.uasPort, "-t", "u1",
                     "-mp", "" + Lab.freePort(), "-m", "1", "-timeout", "40s", "-timeout_error"))) {
            Thread.sleep(300);
            try (Lab.Sipp live = Lab.Sipp.start(dir("drain-live"), "pbx", List.of("127.0.0.1:" + bridge.pbxPort,
                    "-sf", Lab.scenario("pbx-uac-call.xml").toString(), "-p", "" + Lab.freePort(), "-t", "u1",
                    "-s", "+15550100099", "-mp", "" + Lab.freePort(), "-m", "1", "-d", "4000",
                    "-timeout", "40s", "-timeout_error"))) {
                for (int i = 0; i < 50 && !log.text().contains("call connected"); i++) {
                    Thread.sleep(100);
                }
                assertTrue(log.text().contains("call connected"), "the first call must be up before the drain");
                bridge.b2bua.drain();
                assertTrue(!bridge.b2bua.ready(), "a draining bridge is not ready");
                int[] refused = call(bridge, md5Edge, null, "pbx-uac-fail-503.xml", "u1", List.of());
                assertEquals(0, refused[0], "a new INVITE during the drain gets 503 with a Reason");
                assertEquals(0, live.await(30), "the live call completes normally:\n" + live.output());
                assertEquals(0, uas.await(10), "the WhatsApp side sees the normal BYE");
            }
            assertNoLeftovers(bridge, relay);
        }
    }

    @Test
    void stoppingTheBridgeAndRelayLeavesNoThreads() throws Exception {
        Thread.sleep(500);
        int before = Thread.activeCount();
        BridgeUnderTest.Ports ports = new BridgeUnderTest.Ports();
        MediaRelay relay = relay(ports);
        BridgeUnderTest bridge = new BridgeUnderTest(ports, certs, md5Edge.tlsPort, PASSWORD, Map.of(), relay);
        int[] exits = call(bridge, md5Edge, "meta-uas-answer.xml", "pbx-uac-call.xml", "u1", List.of());
        assertEquals(0, exits[0], "a call runs before the stop");
        List<String> names = Thread.getAllStackTraces().keySet().stream().map(Thread::getName).toList();
        assertTrue(names.contains("sip-timer") && names.stream().noneMatch(n -> n.startsWith("DefaultSipTimer")),
                "the SIP stack runs its timers on CoalescingSipTimer's thread: " + names);
        bridge.close();
        relay.close();
        int after = Thread.activeCount();
        for (int i = 0; i < 50 && after > before; i++) {
            Thread.sleep(100);
            after = Thread.activeCount();
        }
        assertTrue(after <= before, "threads before " + before + ", after stop " + after + ": "
                + Thread.getAllStackTraces().keySet().stream().map(Thread::getName).sorted().toList());
    }

    @Test
    void captureHoldsTheCallsSipOnBothLegsAndItsMediaForWireshark() throws Exception {
        BridgeUnderTest.Ports ports = new BridgeUnderTest.Ports();
        Path captures = dir("captures");
        try (LogCapture log = new LogCapture(); MediaRelay relay = relay(ports);
             BridgeUnderTest bridge = new BridgeUnderTest(ports, certs, md5Edge.tlsPort, PASSWORD, Map.of(), relay,
                     new CallCaptures(CallCaptures.Mode.ALL, captures, 10_000_000))) {
            // Held 3 s: the first packet at once, then 20 ms silence once the PBX has been quiet for 1 s.
            int[] exits = call(bridge, md5Edge, "meta-uas-answer.xml", "pbx-uac-call.xml", "u1", List.of("-d", "3000"));
            assertEquals(0, exits[0], "the call completes");
            Path file = null;
            for (int i = 0; i < 50 && file == null; i++) { // written when the call's end is reported
                try (var files = Files.list(captures)) {
                    file = files.filter(f -> f.toString().endsWith(".pcap")).findFirst().orElse(null);
                }
                Thread.sleep(file == null ? 100 : 0);
            }
            assertTrue(file != null, "no capture written:\n" + log.text());
            // Both legs' SIP, in order: the PBX's INVITE, ours to Meta (challenged, then authenticated), the answers.
            String sip = tshark(file, "-Y", "sip", "-T", "fields", "-e", "sip.Request-Line", "-e", "sip.Status-Line");
            List<String> lines = sip.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
            assertTrue(lines.stream().filter(l -> l.startsWith("INVITE sip:+15550100099@wa.meta.vc")).count() == 2,
                    "our INVITE and its authenticated retry:\n" + sip);
            assertTrue(lines.stream().anyMatch(l -> l.startsWith("SIP/2.0 407")), sip);
            assertTrue(lines.stream().anyMatch(l -> l.startsWith("INVITE sip:+15550100099@127.0.0.1")), "the PBX's INVITE:\n" + sip);
            assertTrue(lines.stream().filter(l -> l.startsWith("BYE")).count() == 2, "BYE on both legs:\n" + sip);
            assertTrue(!sip.contains(PASSWORD), "the capture holds digests, never the password");
            String sdp = tshark(file, "-Y", "sdp", "-T", "fields", "-e", "sdp.media", "-e", "sdp.media_attr");
            assertTrue(sdp.contains("RTP/SAVP"), "the Meta leg's SDP is dissected:\n" + sdp);
            java.util.regex.Matcher keys = java.util.regex.Pattern.compile("inline:([A-Za-z0-9+/=]+)").matcher(sdp);
            int masked = 0;
            while (keys.find()) {
                assertTrue(keys.group(1).matches("A+"), "an SDES key in the capture: " + keys.group());
                masked++;
            }
            assertTrue(masked >= 2, "our offer's and Meta's answer's keys are there, masked:\n" + sdp);
            // Media: at least our first packet and silence toward Meta (SRTP, decoded as RTP headers).
            String udp = tshark(file, "-Y", "udp.srcport >= " + ports.mediaMin + " && udp.srcport <= " + ports.mediaMax,
                    "-T", "fields", "-e", "udp.srcport");
            assertTrue(udp.lines().count() >= 50, "relay packets in the capture: " + udp.lines().count()
                    + "\n" + log.lines().stream().filter(l -> l.contains("call ended")).toList());
        }
    }

    static String tshark(Path file, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("tshark", "-n", "-r", file.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS), "tshark hung");
        assertEquals(0, p.exitValue(), "tshark failed on " + file);
        return out;
    }

    static String invite(int localPort, String cseq, String user, boolean withSdp) {
        String sdp = withSdp ? "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
                + "m=audio 17000 RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\n" : "";
        String branch = "z9hG4bK" + System.nanoTime();
        return "INVITE sip:" + (user.isEmpty() ? "" : user + "@") + "127.0.0.1 SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:" + localPort + ";branch=" + branch + "\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: <sip:+15550100001@127.0.0.1>;tag=t" + System.nanoTime() + "\r\n"
                + "To: <sip:+15550100099@127.0.0.1>\r\n"
                + "Call-ID: bad-" + System.nanoTime() + "@127.0.0.1\r\n"
                + cseq + "\r\n"
                + "Contact: <sip:pbx@127.0.0.1:" + localPort + ">\r\n"
                + (withSdp ? "Content-Type: application/sdp\r\n" : "")
                + "Content-Length: " + sdp.length() + "\r\n\r\n" + sdp;
    }

    static String exchange(DatagramSocket socket, int port, String message) throws Exception {
        byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
        socket.send(new DatagramPacket(bytes, bytes.length, InetAddress.getLoopbackAddress(), port));
        byte[] buf = new byte[65535];
        DatagramPacket reply = new DatagramPacket(buf, buf.length);
        try {
            socket.receive(reply);
        } catch (SocketTimeoutException e) {
            return "no answer";
        }
        return new String(buf, 0, reply.getLength(), StandardCharsets.UTF_8);
    }

    /** Sends an INVITE and returns the first final (non-1xx) response, ACKing nothing (not needed here). */
    static String finalAnswer(DatagramSocket socket, int port, String message) throws Exception {
        String answer = exchange(socket, port, message);
        byte[] buf = new byte[65535];
        while (answer.startsWith("SIP/2.0 1")) {
            DatagramPacket reply = new DatagramPacket(buf, buf.length);
            try {
                socket.receive(reply);
            } catch (SocketTimeoutException e) {
                return "no final answer after " + answer;
            }
            answer = new String(buf, 0, reply.getLength(), StandardCharsets.UTF_8);
        }
        return answer;
    }
}
