package org.wabridge.b2bua.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.management.OperatingSystemMXBean;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLSocket;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wabridge.b2bua.ops.metrics.MetricsObserver;

/**
 * Floods against a running bridge from a second loopback address (127.0.0.2), while the real Meta stand-in (a
 * Kamailio on 127.0.0.1) and the PBX keep working: wrong digest answers over TLS get 403 and, after a few, 403 at
 * once without a challenge; INVITEs from outside pbx.allowedSources over UDP get 403 with a log line per 10 s at
 * most; a user-initiated call from the allowed source completes afterwards; /metrics shows the counts.
 */
class SipFloodTest {

    static final String FLOODER = "127.0.0.2";
    static final Pattern NONCE = Pattern.compile("nonce=\"([^\"]+)\"");
    static final Pattern OPAQUE = Pattern.compile("opaque=\"([^\"]+)\"");
    static final Pattern REALM = Pattern.compile("realm=\"([^\"]+)\"");

    @TempDir
    static Path tmp;

    /** The user-initiated call harness reads its directory and certificates from UserInitiatedCallTest. */
    @BeforeAll
    static void shareTheCallHarness() throws Exception {
        UserInitiatedCallTest.useDirectory(tmp);
    }

    @Test
    void wrongDigestAndUnknownSourceFloodsAreCountedAndTheRealCallStillCompletes() throws Exception {
        // pbx.allowedSources: only 127.0.0.1, so the flooder on 127.0.0.2 is an unknown source on the PBX side
        try (UserInitiatedCallTest.Setup lab = new UserInitiatedCallTest.Setup(
                Map.of("allowedSources", "127.0.0.1/32"))) {
            MetricsObserver metrics = new MetricsObserver();
            metrics.watchSipFloods(lab.bridge.b2bua.floodCounters());

            // 1. wrong digest answers over TLS: 407 then 403, until the source is blocked: 403 without a 407
            int rounds = 12;
            int challenged = 0;
            int refusedAtOnce = 0;
            try (SSLSocket tls = (SSLSocket) TortureCorpusTest.trustingEveryone().getSocketFactory().createSocket()) {
                tls.bind(new InetSocketAddress(FLOODER, 0));
                tls.connect(new InetSocketAddress("127.0.0.1", lab.bridge.metaPort), 2000);
                tls.setSoTimeout(5000);
                tls.startHandshake();
                InputStream in = tls.getInputStream();
                for (int i = 0; i < rounds; i++) {
                    tls.getOutputStream().write(invite(i, 1, tls.getLocalPort(), null).getBytes(StandardCharsets.UTF_8));
                    String first = readMessage(in);
                    if (first.startsWith("SIP/2.0 407 ")) {
                        challenged++;
                        String auth = "Digest username=\"15550100001\", realm=\"" + group(REALM, first) + "\", nonce=\""
                                + group(NONCE, first) + "\", uri=\"" + MetaTlsUac.AUTH_URI + "\", response=\""
                                + "0".repeat(32) + "\", algorithm=MD5, qop=auth, nc=00000001, cnonce=\"flood" + i + "\""
                                + (group(OPAQUE, first) == null ? "" : ", opaque=\"" + group(OPAQUE, first) + "\"");
                        tls.getOutputStream().write(invite(i, 2, tls.getLocalPort(), auth)
                                .getBytes(StandardCharsets.UTF_8));
                        String second = readMessage(in);
                        assertTrue(second.startsWith("SIP/2.0 403 "), "a wrong digest answer gets 403: " + second);
                    } else {
                        assertTrue(first.startsWith("SIP/2.0 403 "), "a blocked source gets 403: " + first);
                        refusedAtOnce++;
                    }
                }
            }
            assertEquals(5, challenged, "five wrong answers are challenged (and refused), then the source is blocked");
            assertEquals(rounds - 5, refusedAtOnce, "a blocked source gets 403 without a challenge");

            // 2. INVITEs from an unknown source over UDP, as fast as one socket sends them
            int flood = 3000;
            // the ladder at INFO as in production: at DEBUG its console lines, not the bridge, set the pace
            ch.qos.logback.classic.Logger ladder =
                    (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("org.wabridge.ladder");
            ch.qos.logback.classic.Level ladderLevel = ladder.getLevel();
            ladder.setLevel(ch.qos.logback.classic.Level.INFO);
            OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            long cpuBefore = os.getProcessCpuTime();
            long start = System.nanoTime();
            java.util.concurrent.atomic.AtomicInteger answers = new java.util.concurrent.atomic.AtomicInteger();
            java.util.concurrent.atomic.AtomicLong lastAnswerAt = new java.util.concurrent.atomic.AtomicLong(start);
            double sendSeconds;
            try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress(FLOODER, 0))) {
                udp.setReceiveBufferSize(4 << 20);
                udp.setSoTimeout(100);
                Thread receiver = new Thread(() -> {
                    byte[] buffer = new byte[4096];
                    while (!udp.isClosed()) {
                        try {
                            if (answers.addAndGet(drain(udp, buffer, 0)) > 0) {
                                lastAnswerAt.set(System.nanoTime());
                            }
                        } catch (IOException e) {
                            if (!udp.isClosed()) {
                                e.printStackTrace();
                            }
                            return;
                        }
                    }
                }, "flood-receiver");
                receiver.start();
                InetAddress bridge = InetAddress.getByName("127.0.0.1");
                for (int i = 0; i < flood; i++) {
                    byte[] bytes = TortureCorpus.request("INVITE", "flood-" + i, "UDP", "Contact: <sip:x@"
                            + FLOODER + ">\r\n").replace("127.0.0.1:9", FLOODER + ":" + udp.getLocalPort())
                            .getBytes(StandardCharsets.UTF_8);
                    udp.send(new DatagramPacket(bytes, bytes.length, bridge, lab.bridge.pbxPort));
                    if (i % 200 == 199) {
                        Thread.sleep(20); // bursts of 200: the loopback socket buffers, not the bridge, set the pace
                    }
                }
                sendSeconds = (System.nanoTime() - start) / 1e9;
                for (int last = -1; answers.get() != last; ) { // until the answers stop coming
                    last = answers.get();
                    Thread.sleep(3000);
                }
                udp.close();
                receiver.join(2000);
            }
            int answered = answers.get();
            ladder.setLevel(ladderLevel);
            double seconds = sendSeconds;
            double cpuSeconds = (os.getProcessCpuTime() - cpuBefore) / 1e9;
            long refusedSources = lab.bridge.b2bua.floodCounters().sourceNotAllowed();
            // what the kernel could not queue for the bridge is lost before it (UDP); everything the bridge read is
            // counted and answered
            assertTrue(refusedSources >= flood / 10, "the bridge took part of the flood: " + refusedSources);
            assertEquals(refusedSources, answered, "every INVITE the bridge read got its 403 at the sender");
            double busySeconds = (lastAnswerAt.get() - start) / 1e9;
            long warnLines = lab.log.lines().stream().filter(l -> l.startsWith("WARN")
                    && l.contains("is not in pbx.allowedSources")).count();
            assertTrue(warnLines <= 1 + (long) (seconds / 10) + 1, "a flood costs one WARN per 10 s at most: "
                    + warnLines + " in " + seconds + " s");

            // 3. the real caller, from the allowed source, still gets through
            int[] exits = lab.call("meta-uac-call.xml", "pbx-uas-answer-wa-headers.xml", 1000, List.of());
            assertEquals(0, exits[1], "the real user-initiated call completes after the floods");
            assertEquals(0, exits[0], "the PBX got the call and its BYE");

            // 4. what /metrics shows
            String scrape = metrics.scrape();
            assertTrue(scrape.contains("wabridge_sip_refused_total{why=\"digest-wrong\"} 5.0"), scrape);
            assertTrue(scrape.contains("wabridge_sip_refused_total{why=\"digest-blocked\"} " + (rounds - 5) + ".0"),
                    scrape);
            assertTrue(scrape.contains("wabridge_sip_refused_total{why=\"source-not-allowed\"} " + refusedSources
                    + ".0"), scrape);
            System.out.printf("flood: %d INVITEs from an unknown source sent in %.2f s (%.0f/s); the bridge read %d "
                            + "(the rest overflowed its socket buffer) and answered all with 403 within %.2f s (%.0f/s), "
                            + "%d WARN lines, process CPU %.2f s (bridge and flooder in one JVM); wrong digests: %d "
                            + "challenged, %d refused without a challenge; the real call completed%n", flood, seconds,
                    flood / seconds, refusedSources, busySeconds, answered / busySeconds, warnLines, cpuSeconds,
                    challenged, refusedAtOnce);
            lab.assertNoLeftovers();
        }
    }

    static String invite(int round, int cseq, int localPort, String auth) {
        String id = "flood-digest-" + round;
        return "INVITE " + MetaTlsUac.REQUEST_URI + " SIP/2.0\r\n"
                + "Via: SIP/2.0/TLS " + FLOODER + ":" + localPort + ";rport;branch=z9hG4bK" + id + "-" + cseq + "\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: <sip:+15559990000@" + FLOODER + ">;tag=" + id + "\r\n"
                + "To: <sip:+15550100001@bridge.example.test>\r\n"
                + "Call-ID: " + id + "\r\n"
                + "CSeq: " + cseq + " INVITE\r\n"
                + "Contact: <sip:+15559990000@" + FLOODER + ":" + localPort + ";transport=tls>\r\n"
                + (auth == null ? "" : "Proxy-Authorization: " + auth + "\r\n")
                + "Content-Length: 0\r\n\r\n";
    }

    /** One SIP message (no body expected): up to the blank line. */
    static String readMessage(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed after: " + out);
            }
            out.write(b);
            String s = out.toString(StandardCharsets.UTF_8);
            if (s.endsWith("\r\n\r\n")) {
                if (s.isBlank()) { // keep-alive pongs
                    out.reset();
                    continue;
                }
                return s;
            }
        }
    }

    static String group(Pattern p, String text) {
        Matcher m = p.matcher(text);
        return m.find() ? m.group(1) : null;
    }

    /** Reads whatever answers are waiting (up to {@code waitMillis} for more); returns how many were 403s. */
    static int drain(DatagramSocket udp, byte[] buffer, long waitMillis) throws IOException {
        int count = 0;
        long deadline = System.currentTimeMillis() + waitMillis;
        while (true) {
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            try {
                udp.receive(packet);
            } catch (SocketTimeoutException e) {
                if (System.currentTimeMillis() >= deadline) {
                    return count;
                }
                continue;
            }
            if (new String(buffer, 0, packet.getLength(), StandardCharsets.ISO_8859_1).startsWith("SIP/2.0 403 ")) {
                count++;
            }
        }
    }
}
