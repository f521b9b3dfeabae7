package org.wabridge.b2bua.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import org.wabridge.b2bua.sip.TlsContexts;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wabridge.b2bua.events.CallEnd;
import org.wabridge.b2bua.events.CallObserver;
import org.wabridge.media.MediaRelay;
import org.wabridge.media.NettyMediaRelay;

/**
 * User-initiated calls end to end with real peers on loopback: a SIPp UAC plays the WhatsApp user, a Kamailio
 * plays Meta's edge calling the bridge (record-routes, adds X-FB-External-Domain, relays over TLS and checks the
 * bridge's certificate against the lab CA), and SIPp plays the PBX behind the bridge.
 */
class UserInitiatedCallTest {

    static final String PASSWORD = "lab-secret";
    /** Meta's digest uri is the Request-URI without ;transport=tls (whatsapp-sip-facts.md 3.2). */
    static final String AUTH_URI = "+15550100001;tgrp=wacall;trunk-context=byoc.example.test@bridge.example.test";

    @TempDir
    static Path tmp;
    static Path certs;

    /** Another test class runs this harness in its own directory, with test PKI made there. */
    static void useDirectory(Path dir) throws Exception {
        tmp = dir;
        certs = Lab.certs(dir.resolve("certs"));
    }

    @BeforeAll
    static void makeCertificates() throws Exception {
        certs = Lab.certs(tmp.resolve("certs"));
    }

    static Path dir(String name) throws Exception {
        return Files.createDirectories(tmp.resolve(name + "-" + System.nanoTime()));
    }

    /** One bridge with its relay, the caller Kamailio in front of it and the PBX port it sends calls to. */
    static final class Setup implements AutoCloseable {
        final BridgeUnderTest.Ports ports = new BridgeUnderTest.Ports();
        final int pbxUasPort = Lab.freePort();
        final List<CallEnd> ended = new CopyOnWriteArrayList<>();
        final LogCapture log = new LogCapture();
        final MediaRelay relay;
        final BridgeUnderTest bridge;
        final Lab.Caller caller;
        /** The WhatsApp side's <log> lines (-trace_logs) of the last call. */
        String metaLogs = "";
        /** SIPp's transport for the PBX side: u1 (UDP), or t1 when the overrides say "pbxOverTcp". */
        final String pbxTransport;

        Setup(Map<String, String> overrides) throws Exception {
            this(overrides, Duration.ofSeconds(30));
        }

        Setup(Map<String, String> overrides, Duration metaSilenceTimeout) throws Exception {
            // meta.allowedSources defaults to Meta's public ranges; the lab's Meta is on loopback.
            Map<String, String> settings = new HashMap<>(Map.of("pbxTarget", "sip:127.0.0.1:" + pbxUasPort,
                    "metaAllowedSources", "127.0.0.0/8"));
            settings.putAll(overrides);
            pbxTransport = settings.remove("pbxOverTcp") == null ? "u1" : "t1";
            if (pbxTransport.equals("t1")) {
                settings.put("pbxTarget", "sip:127.0.0.1:" + pbxUasPort + ";transport=tcp");
            }
            CallObserver observer = new CallObserver() {
                @Override
                public void callEnded(CallEnd end) {
                    ended.add(end);
                }
            };
            relay = new NettyMediaRelay(ports.mediaSettings(metaSilenceTimeout));
            try {
                caller = new Lab.Caller(dir("caller"), certs, ports.meta);
                try {
                    bridge = new BridgeUnderTest(ports, certs, caller.tlsPort, PASSWORD, settings, relay, observer);
                } catch (Exception e) {
                    caller.close(); // never leave a Kamailio behind
                    throw e;
                }
            } catch (Exception e) {
                relay.close();
                log.close();
                throw e;
            }
        }

        /** Runs the PBX side (null: none) and the WhatsApp side for one call; returns {pbx exit, WhatsApp exit}. */
        int[] call(String metaScenario, String pbxScenario, long holdMillis, List<String> pbxArgs) throws Exception {
            Path pbxDir = dir("pbx");
            Path metaDir = dir("meta");
            List<String> pbxCommand = new ArrayList<>();
            if (pbxScenario != null) {
                pbxCommand.addAll(List.of("-sf", Lab.scenario(pbxScenario).toString(), "-p", "" + pbxUasPort,
                        "-t", pbxTransport, "-mp", "" + Lab.freePort(), "-rtp_echo", "-m", "1", "-timeout", "70s",
                        "-timeout_error"));
                pbxCommand.addAll(pbxArgs);
            }
            try (Lab.Sipp pbx = pbxScenario == null ? null : Lab.Sipp.start(pbxDir, "pbx", pbxCommand)) {
                Thread.sleep(300); // let the PBX bind before the call reaches it
                try (Lab.Sipp meta = Lab.Sipp.start(metaDir, "meta", List.of("127.0.0.1:" + caller.udpPort,
                        "-sf", Lab.scenario(metaScenario).toString(), "-p", "" + Lab.freePort(), "-t", "u1",
                        "-auth_uri", AUTH_URI, "-cid_str", "outgoing:wacid.%u-%p@%s", "-mp", "" + Lab.freePort(),
                        "-m", "1", "-d", "" + holdMillis,
                        "-timeout", "70s", "-timeout_error", "-trace_logs"))) {
                    int metaExit = meta.await(75);
                    int pbxExit = pbx == null ? 0 : pbx.await(15);
                    metaLogs = logsOf(metaDir);
                    if (metaExit != 0 || pbxExit != 0) {
                        System.err.println("WhatsApp side:\n" + meta.output());
                        if (pbx != null) {
                            System.err.println("PBX side:\n" + pbx.output());
                        }
                        System.err.println("caller Kamailio log:\n" + caller.log());
                        System.err.println("bridge log:\n" + log.text());
                    }
                    return new int[] {pbxExit, metaExit};
                }
            }
        }

        CallEnd onlyCallEnd() throws InterruptedException {
            for (int i = 0; i < 50 && ended.isEmpty(); i++) {
                Thread.sleep(100);
            }
            assertEquals(1, ended.size(), "exactly one call must have ended: " + ended);
            return ended.get(0);
        }

        void assertNoLeftovers() throws InterruptedException {
            for (int i = 0; i < 50 && (bridge.b2bua.activeCalls() > 0 || relay.activeSessions() > 0); i++) {
                Thread.sleep(100);
            }
            assertEquals(0, bridge.b2bua.activeCalls(), "calls left in the registry");
            assertEquals(0, relay.activeSessions(), "media sessions left open");
        }

        @Override
        public void close() throws Exception {
            try {
                bridge.close();
                relay.close();
            } finally {
                caller.close();
                log.close();
            }
        }
    }

    static String logsOf(Path dir) throws Exception {
        StringBuilder sb = new StringBuilder();
        try (var files = Files.list(dir)) {
            for (Path f : files.filter(f -> f.getFileName().toString().endsWith("_logs.log")).toList()) {
                sb.append(Files.readString(f));
            }
        }
        return sb.toString();
    }

    /**
     * The Record-Route set the WhatsApp side logged from the 200 OK it received, entries separated by ", " (the
     * bridge may fold two Record-Route lines into one comma-separated line, which RFC 3261 7.3.1 makes equal).
     */
    static String recordRouteIn200(String metaLogs) {
        Matcher m = Pattern.compile("record-route=(.*)").matcher(metaLogs);
        return m.find() ? m.group(1).trim().replaceAll(">\\s*,\\s*<", ">, <") : "(no record-route logged)\n" + metaLogs;
    }

    @Test
    void answeredCallStaysUpPast40SecondsThenWhatsAppHangsUp() throws Exception {
        // SIPp cannot send SRTP, so the Meta leg is silent: the relay's silent-Meta limit is raised above the
        // call's length here (it is covered by the relay's own tests). What this call guards is Meta's "~32 s
        // drop": our 200 OK must reach Meta with its Record-Route intact so that the ACK comes back.
        try (Setup lab = new Setup(Map.of(), Duration.ofSeconds(90))) {
            int[] exits = lab.call("meta-uac-call.xml", "pbx-uas-answer-wa-headers.xml", 42_000, List.of());
            assertEquals(0, exits[1], "WhatsApp side: 407, 180 without SDP, 200 with the Record-Route set, BYE answered");
            assertEquals(0, exits[0], "PBX: X-WA-Wacid, X-WA-Cta-Payload and X-WA-User-Name received, BYE received");
            assertEquals(lab.caller.recordRoute(), recordRouteIn200(lab.metaLogs),
                    "the 200 OK must carry the caller's Record-Route set unchanged");
            String log = lab.log.text();
            assertFalse(log.contains("never acknowledged"), "Meta's ACK must reach the bridge:\n" + log);
            // The ACK for the 200 goes to our Contact (the ACK for the 407 keeps the original Request-URI).
            assertTrue(log.contains("META <- ACK sip:+15550100001@127.0.0.1:" + lab.bridge.metaPort),
                    "the ACK for our 200 OK must reach the bridge:\n" + log);
            assertTrue(log.contains("META <- BYE") && log.contains("PBX -> BYE"), log);
            assertFalse(log.contains(PASSWORD), "the SIP password must never be logged");
            assertTrue(lab.caller.log().contains("CALLER: invite for sip:+15550100001;tgrp=wacall"), lab.caller.log());
            CallEnd end = lab.onlyCallEnd();
            assertTrue(end.connected(), end.toString());
            assertTrue(end.duration().toSeconds() >= 40, "the call must last past 40 s: " + end);
            assertEquals("WhatsApp side hung up", end.reason(), end.toString());
            // 20 ms packets (PBX media or silence fill) for 40 s and more, plus SRTCP.
            assertTrue(end.media().meta().packetsOut() >= 40 * 50 * 9 / 10,
                    "the Meta side must receive SRTP all along: " + end.media());
            lab.assertNoLeftovers();
        }
    }

    @Test
    void pbxHangsUpAndMetaReceivesSrtpFromTheFirstSecond() throws Exception {
        try (Setup lab = new Setup(Map.of())) {
            int[] exits = lab.call("meta-uac-wait-bye.xml", "pbx-uas-answer-bye.xml", 2000, List.of("-d", "2000"));
            assertEquals(0, exits[0], "PBX: its BYE must be answered");
            assertEquals(0, exits[1], "WhatsApp side: the PBX's BYE must reach it through Meta's edge");
            assertEquals(lab.caller.recordRoute(), recordRouteIn200(lab.metaLogs));
            String log = lab.log.text();
            assertTrue(log.contains("PBX <- BYE") && log.contains("META -> BYE"), log);
            assertTrue(lab.caller.log().contains("CALLER: in-dialog BYE from tls"), lab.caller.log());
            CallEnd end = lab.onlyCallEnd();
            assertEquals("PBX hung up", end.reason(), end.toString());
            // The PBX hangs up 2 s after answering: at least one second of 20 ms packets must have gone to Meta.
            assertTrue(end.media().meta().packetsOut() >= 50, "SRTP toward Meta from the start: " + end.media());
            lab.assertNoLeftovers();
        }
    }

    @Test
    void aPbxReachedOverTcpGetsTheCallOnTheConnectionTheBridgeOpens() throws Exception {
        // The bridge dials the PBX: the connection is its own (ConnectedTcpChannel), read by a ConnectionReader
        try (Setup tcp = new Setup(Map.of("pbxOverTcp", "yes"))) {
            int[] exits = tcp.call("meta-uac-wait-bye.xml", "pbx-uas-answer-bye.xml", 2000, List.of("-d", "1000"));
            assertEquals(0, exits[0], "PBX over TCP: the call answered, its BYE answered");
            assertEquals(0, exits[1], "WhatsApp side: answered, then the PBX's BYE");
            String log = tcp.log.text();
            assertTrue(log.contains("PBX -> INVITE") && log.contains("PBX <- BYE"), log);
            assertEquals("PBX hung up", tcp.onlyCallEnd().reason());
            tcp.assertNoLeftovers();
        }
    }

    @Test
    void busyPbxGives486() throws Exception {
        try (Setup lab = new Setup(Map.of())) {
            int[] exits = lab.call("meta-uac-fail-486.xml", "pbx-uas-busy.xml", 0, List.of());
            assertEquals(0, exits[1], "WhatsApp side must get 486");
            assertEquals(0, exits[0], "PBX must get the ACK for its 486");
            assertEquals(486, lab.onlyCallEnd().finalCode());
            lab.assertNoLeftovers();
        }
    }

    @Test
    void pbxThatNeverAnswersGives480AfterTheAnswerTimeout() throws Exception {
        try (Setup lab = new Setup(Map.of("answerTimeout", "3s"))) {
            long start = System.nanoTime();
            int[] exits = lab.call("meta-uac-fail-480.xml", "pbx-uas-noanswer.xml", 0, List.of());
            long seconds = (System.nanoTime() - start) / 1_000_000_000L;
            assertEquals(0, exits[1], "WhatsApp side must get 480");
            assertEquals(0, exits[0], "PBX must get a CANCEL when the answer timeout fires");
            assertTrue(seconds >= 3 && seconds < 12, "480 must come after pbx.answerTimeout (3 s), took " + seconds + " s");
            assertTrue(lab.log.text().contains("PBX -> CANCEL"), lab.log.text());
            assertEquals(480, lab.onlyCallEnd().finalCode());
            lab.assertNoLeftovers();
        }
    }

    @Test
    void whatsAppCancelWhileRingingCancelsThePbx() throws Exception {
        try (Setup lab = new Setup(Map.of())) {
            int[] exits = lab.call("meta-uac-cancel.xml", "pbx-uas-noanswer.xml", 1000, List.of());
            assertEquals(0, exits[1], "WhatsApp side must get 487 for its cancelled INVITE");
            assertEquals(0, exits[0], "PBX must get the CANCEL");
            String log = lab.log.text();
            assertTrue(log.contains("META <- CANCEL") && log.contains("PBX -> CANCEL"), log);
            assertEquals(487, lab.onlyCallEnd().finalCode());
            lab.assertNoLeftovers();
        }
    }

    @Test
    void sourceOutsideMetaAllowedSourcesIsRefusedAtTheConnection() throws Exception {
        try (Setup lab = new Setup(Map.of("metaAllowedSources", "192.0.2.0/24"))) {
            int[] exits = lab.call("meta-uac-fail-403.xml", null, 0, List.of());
            // the caller's TLS connection is closed at accept: no INVITE reaches the SIP stack, so no 403 either
            assertNotEquals(0, exits[1], "the WhatsApp side's INVITE must not be answered by the bridge");
            String log = lab.log.text();
            assertTrue(log.contains("Meta listener: closed a connection from 127.0.0.1 at accept: not in "
                    + "meta.allowedSources"), log);
            assertTrue(lab.bridge.b2bua.metaListener().refused(
                    org.wabridge.b2bua.sip.MetaConnectionGuard.Refusal.SOURCE_NOT_ALLOWED) >= 1);
            assertFalse(log.contains("META <- INVITE"), "no request may reach the SIP layer:\n" + log);
            assertFalse(log.contains("PBX -> INVITE"), "nothing may reach the PBX");
            lab.assertNoLeftovers();
        }
    }

    @Test
    void badInputGetsDefinedAnswersAndTheBridgeKeepsWorking() throws Exception {
        try (Setup lab = new Setup(Map.of())) {
            int[] exits = lab.call("meta-uac-wrong-password.xml", null, 0, List.of());
            assertEquals(0, exits[1], "a wrong digest must get 403, never a second 407");
            assertTrue(lab.log.text().contains("rejected with 403"), lab.log.text());

            exits = lab.call("meta-uac-fail-488.xml", null, 0, List.of());
            assertEquals(0, exits[1], "an offer without a usable a=crypto line must get 488");

            // Not a challenge: even authenticated, a call whose route set was lost would drop after ~32 s.
            String answer = malformedRecordRouteAnswer(lab.bridge.metaPort);
            assertTrue(answer.startsWith("SIP/2.0 400 "), "a malformed Record-Route must get 400, got " + answer);
            assertTrue(lab.log.text().contains("its Record-Route cannot be parsed"), lab.log.text());
            assertFalse(lab.log.text().contains("PBX -> INVITE"), "no bad call may reach the PBX:\n" + lab.log.text());
            lab.assertNoLeftovers();

            exits = lab.call("meta-uac-call.xml", "pbx-uas-answer-wa-headers.xml", 500, List.of());
            assertEquals(0, exits[1], "a good call still completes after bad input");
            assertEquals(0, exits[0], "the PBX gets the good call");
            lab.assertNoLeftovers();
        }
    }

    @Test
    void unknownBusinessNumberGets404() throws Exception {
        try (Setup lab = new Setup(Map.of("number", "+15550100002"))) {
            int[] exits = lab.call("meta-uac-fail-404.xml", null, 0, List.of());
            assertEquals(0, exits[1], "WhatsApp side must get 404");
            assertTrue(lab.log.text().contains("not a configured business number"), lab.log.text());
            lab.assertNoLeftovers();
        }
    }

    /** Sends Meta-like INVITE with {@code Record-Route: <sip:broken} over TLS and returns the first final answer. */
    static String malformedRecordRouteAnswer(int bridgeTlsPort) throws Exception {
        SSLContext tls = TlsContexts.client(certs.resolve("edge-ca.pem"));
        try (SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket("127.0.0.1", bridgeTlsPort)) {
            socket.setSoTimeout(5000);
            socket.startHandshake();
            int local = socket.getLocalPort();
            String sdp = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 17010 RTP/SAVP 111 126\r\n"
                    + "c=IN IP4 127.0.0.1\r\na=rtcp-mux\r\n"
                    + "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:X1mQx4pP/qZB9T6vrrOGu3s6WJlWEFF8jVkjS/yA\r\n"
                    + "a=rtpmap:111 opus/48000/2\r\na=rtpmap:126 telephone-event/8000\r\n";
            String invite = "INVITE sip:+15550100001@bridge.example.test;transport=tls SIP/2.0\r\n"
                    + "Via: SIP/2.0/TLS 127.0.0.1:" + local + ";branch=z9hG4bK" + System.nanoTime() + "\r\n"
                    + "Record-Route: <sip:broken\r\n"
                    + "Max-Forwards: 70\r\n"
                    + "From: \"12195550714\" <sip:+12195550714@wa.meta.vc>;tag=bad" + System.nanoTime() + "\r\n"
                    + "To: <sip:+15550100001@bridge.example.test>\r\n"
                    + "Contact: <sip:+12195550714@127.0.0.1:" + local + ";transport=tls>\r\n"
                    + "Call-ID: outgoing:wacid.broken-rr-" + System.nanoTime() + "\r\n"
                    + "CSeq: 1 INVITE\r\n"
                    + "Content-Type: application/sdp\r\n"
                    + "Content-Length: " + sdp.length() + "\r\n\r\n" + sdp;
            OutputStream out = socket.getOutputStream();
            out.write(invite.getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = socket.getInputStream();
            while (true) {
                String statusLine = readResponse(in);
                if (statusLine == null || !statusLine.startsWith("SIP/2.0 1")) {
                    return statusLine == null ? "no answer" : statusLine;
                }
            }
        }
    }

    /** Reads one SIP response from a stream connection; returns its status line (null on end of stream). */
    static String readResponse(InputStream in) throws Exception {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        int b;
        while (matched < 4 && (b = in.read()) >= 0) {
            head.write(b);
            matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        if (matched < 4) {
            return null;
        }
        String text = head.toString(StandardCharsets.UTF_8);
        Matcher length = Pattern.compile("(?im)^(?:Content-Length|l)\\s*:\\s*(\\d+)").matcher(text);
        if (length.find()) {
            in.readNBytes(Integer.parseInt(length.group(1)));
        }
        return text.substring(0, text.indexOf("\r\n"));
    }
}
