package org.wabridge.b2bua.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.wabridge.b2bua.ops.metrics.MetricsObserver;
import org.wabridge.b2bua.sip.MetaConnectionGuard;
import org.wabridge.b2bua.sip.MetaConnectionGuard.Refusal;
import org.wabridge.b2bua.sip.TlsContexts;
import org.wabridge.media.MediaRelay;
import org.wabridge.media.NettyMediaRelay;

/**
 * The bridge's Meta-side TLS listener (JAIN-SIP behind our network layer) against real clients on loopback: sources
 * outside {@code meta.allowedSources} and connections over the caps are closed at accept, before a TLS byte, and
 * cost no thread or descriptor; a silent client is closed after the handshake timeout, an idle one after
 * {@code meta.tlsIdleTimeout}; only TLS 1.2+ with AEAD suites is accepted ({@code openssl s_client}); a CRLF
 * keep-alive sent first gets its pong on the same connection with no error in the log; requests are framed however
 * the records split them, one that does not parse is dropped, and a stream that cannot be framed is closed.
 *
 * <p>One bridge for the class: allowed sources 127.0.0.1 and 127.0.0.2 (127.0.0.3 is not), at most 6 connections,
 * 4 per source, idle timeout 3 s. Each test leaves the listener empty.
 */
class MetaListenerTest {

    private static final InetAddress ALLOWED = address("127.0.0.1");
    private static final InetAddress ALLOWED_TOO = address("127.0.0.2");
    private static final InetAddress NOT_ALLOWED = address("127.0.0.3");

    @TempDir
    static Path tmp;
    static Path certs;
    static MediaRelay relay;
    static BridgeUnderTest bridge;
    static LogCapture log;
    static SSLContext client;

    @BeforeAll
    static void startBridge() throws Exception {
        certs = Lab.certs(tmp.resolve("certs"));
        client = TlsContexts.client(certs.resolve("edge-ca.pem"));
        log = new LogCapture();
        BridgeUnderTest.Ports ports = new BridgeUnderTest.Ports();
        relay = new NettyMediaRelay(ports.mediaSettings());
        bridge = new BridgeUnderTest(ports, certs, Lab.freePort(), "pw", Map.of(
                "metaAllowedSources", "\"127.0.0.1/32\", \"127.0.0.2/32\"",
                "meta", "  tlsMaxConnections: 6\n  tlsMaxConnectionsPerSource: 4\n  tlsIdleTimeout: 3s\n"), relay);
    }

    @AfterAll
    static void stopBridge() throws Exception {
        if (bridge != null) {
            bridge.close();
        }
        if (relay != null) {
            relay.close();
        }
        log.close();
    }

    private static MetaConnectionGuard guard() {
        return bridge.b2bua.metaListener();
    }

    // ------------------------------------------------------------------ allowlist at accept

    @Test
    @Timeout(60)
    void aSourceOutsideTheAllowlistIsClosedBeforeTheHandshakeCountedAndWarnedOnce() throws Exception {
        long before = guard().refused(Refusal.SOURCE_NOT_ALLOWED);
        try (Socket raw = new Socket()) {
            raw.bind(new InetSocketAddress(NOT_ALLOWED, 0));
            raw.connect(new InetSocketAddress(ALLOWED, bridge.metaPort), 5000);
            raw.setSoTimeout(5000);
            // no ClientHello sent: the bridge closes on its own, before any TLS byte (not even an alert)
            assertEquals(-1, readOrReset(raw), "closed without a byte");
        } catch (java.net.SocketException e) {
            // reset before connect() returned: refused all the same
        }
        try {
            SSLSocket tls = tlsFrom(NOT_ALLOWED);
            assertThrows(IOException.class, tls::startHandshake,
                    "a TLS client from outside the allowlist gets no handshake");
            tls.close();
        } catch (java.net.SocketException e) {
            // closed while the client was still setting its socket up ("Broken pipe"): refused all the same
        }
        waitFor(() -> guard().refused(Refusal.SOURCE_NOT_ALLOWED) == before + 2, "refusals counted");
        assertEquals(0, guard().openConnections(), "refused connections hold no slot");

        MetricsObserver metrics = new MetricsObserver();
        metrics.watchMetaListener(guard());
        assertTrue(metrics.scrape().contains("wabridge_meta_connections_refused_total{reason=\"source-not-allowed\"} "
                + (double) (before + 2)), metrics.scrape());

        List<String> warnings = log.lines().stream()
                .filter(l -> l.startsWith("WARN Meta listener: closed a connection from 127.0.0.3")).toList();
        assertEquals(1, warnings.size(), "one warning per source, not one per connection: " + warnings);
        assertTrue(warnings.get(0).contains("not in meta.allowedSources"), warnings.get(0));
    }

    @Test
    @Timeout(120)
    void hundredsOfRefusedConnectionsLeaveNoThreadOrDescriptorBehind() throws Exception {
        // warm up: the first refusal may load classes and start JDK threads
        connectAndDrop(NOT_ALLOWED);
        Thread.sleep(500);
        int threadsBefore = threads();
        long fdsBefore = descriptors();
        long refusedBefore = guard().refused(Refusal.SOURCE_NOT_ALLOWED);
        for (int i = 0; i < 300; i++) {
            connectAndDrop(NOT_ALLOWED);
        }
        waitFor(() -> guard().refused(Refusal.SOURCE_NOT_ALLOWED) == refusedBefore + 300, "all 300 refused");
        waitFor(() -> descriptors() <= fdsBefore + 3, () -> "descriptors back: before " + fdsBefore + ", now "
                + descriptors());
        waitFor(() -> threads() <= threadsBefore + 2, () -> "threads back: before " + threadsBefore + ", now "
                + threads());
        assertEquals(0, guard().openConnections());
    }

    // ------------------------------------------------------------------ caps

    @Test
    @Timeout(60)
    void perSourceAndTotalCapsCloseTheExtraConnectionAtAcceptAndFreeTheirSlotsOnClose() throws Exception {
        long sourceFullBefore = guard().refused(Refusal.SOURCE_FULL);
        long listenerFullBefore = guard().refused(Refusal.LISTENER_FULL);
        List<SSLSocket> held = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                held.add(handshaken(ALLOWED));
            }
            waitFor(() -> guard().openConnections() == 4, "four connections held");
            SSLSocket fifth = tlsFrom(ALLOWED);
            assertThrows(IOException.class, fifth::startHandshake, "a fifth connection from one source is refused");
            fifth.close();
            waitFor(() -> guard().refused(Refusal.SOURCE_FULL) == sourceFullBefore + 1, "per-source refusal counted");

            held.add(handshaken(ALLOWED_TOO));
            held.add(handshaken(ALLOWED_TOO));
            waitFor(() -> guard().openConnections() == 6, "six connections held");
            SSLSocket seventh = tlsFrom(ALLOWED_TOO);
            assertThrows(IOException.class, seventh::startHandshake, "a seventh connection is over the listener's cap");
            seventh.close();
            waitFor(() -> guard().refused(Refusal.LISTENER_FULL) == listenerFullBefore + 1, "listener refusal counted");

            // JAIN-SIP notices a closed connection (its reader sees end of stream) and closes our socket: slot back
            held.remove(0).close();
            waitFor(() -> guard().openConnections() == 5, "the closed connection's slot is given back");
            held.add(handshaken(ALLOWED));
            waitFor(() -> guard().openConnections() == 6, "and taken again");
        } finally {
            for (SSLSocket s : held) {
                s.close();
            }
        }
        waitFor(() -> guard().openConnections() == 0, "every slot given back once the clients closed");
    }

    // ------------------------------------------------------------------ timeouts

    @Test
    @Timeout(60)
    void aClientThatConnectsAndSendsNothingIsClosedAfterTheHandshakeTimeout() throws Exception {
        long failuresBefore = guard().handshakeFailures();
        try (Socket raw = new Socket()) {
            raw.bind(new InetSocketAddress(ALLOWED, 0));
            raw.connect(new InetSocketAddress(ALLOWED, bridge.metaPort), 5000);
            waitFor(() -> guard().openConnections() == 1, "the silent connection is admitted");
            long start = System.nanoTime();
            raw.setSoTimeout(30_000);
            assertClosedByPeer(raw);
            long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
            assertTrue(seconds >= 3, "closed by the handshake timeout (5 s), not at once: " + seconds + " s");
        }
        waitFor(() -> guard().handshakeFailures() == failuresBefore + 1, "handshake failure counted");
        waitFor(() -> guard().openConnections() == 0, "slot given back");
        assertTrue(log.lines().stream().anyMatch(l -> l.startsWith("WARN Meta listener: TLS handshake from 127.0.0.1 "
                + "failed")), log.text());
    }

    @Test
    @Timeout(60)
    void anIdleConnectionIsClosedAfterTheIdleTimeoutAndTrafficKeepsItOpen() throws Exception {
        long idleBefore = guard().idleClosures();
        try (SSLSocket kept = handshaken(ALLOWED); SSLSocket idle = handshaken(ALLOWED)) {
            kept.setSoTimeout(1000);
            idle.setSoTimeout(30_000);
            long start = System.nanoTime();
            // CRLF keep-alives every second keep one open past the 3 s idle timeout
            for (int i = 0; i < 6; i++) {
                write(kept, "\r\n\r\n");
                assertEquals("\r\n", readExactly(kept.getInputStream(), 2), "pong " + i);
                Thread.sleep(1000);
            }
            assertClosedByPeer(idle);
            long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
            assertTrue(seconds >= 2, "closed by the idle timeout (3 s), not at once: " + seconds + " s");
            write(kept, "\r\n\r\n");
            assertEquals("\r\n", readExactly(kept.getInputStream(), 2), "the connection with traffic is still open");
        }
        waitFor(() -> guard().idleClosures() == idleBefore + 1, "one idle close counted");
        waitFor(() -> guard().openConnections() == 0, "slots given back");
    }

    // ------------------------------------------------------------------ keep-alives

    @Test
    @Timeout(60)
    void crlfKeepAlivesBeforeAndAfterTheFirstRequestGetPongsOnTheSameConnectionWithoutErrors() throws Exception {
        int linesBefore = log.lines().size();
        try (SSLSocket meta = handshaken(ALLOWED)) {
            meta.setSoTimeout(5000);
            InputStream in = meta.getInputStream();
            write(meta, "\r\n\r\n");
            assertEquals("\r\n", readExactly(in, 2), "pong to the first ping, before any request");
            write(meta, "\r\n\r\n");
            assertEquals("\r\n", readExactly(in, 2), "pong to the second ping");

            // a request after pings still reaches JAIN-SIP intact (the blank lines were not passed on)
            write(meta, options(meta));
            String response = readResponse(in);
            assertTrue(response.startsWith("SIP/2.0 "), response);
            assertTrue(response.contains("CSeq: 1 OPTIONS"), response);

            // from now on JAIN-SIP knows the connection and answers pings itself, on it
            write(meta, "\r\n\r\n");
            assertEquals("\r\n", readExactly(in, 2), "pong after the first request");
        }
        waitFor(() -> guard().openConnections() == 0, "slot given back");
        List<String> after = log.lines().subList(linesBefore, log.lines().size());
        assertTrue(after.stream().noneMatch(l -> l.startsWith("ERROR") || l.contains("Exception")),
                String.join("\n", after));
    }

    // ------------------------------------------------------------------ framing (ConnectionReader)

    @Test
    @Timeout(60)
    void requestsSentTogetherOrAByteAtATimeAreEachAnsweredInOrder() throws Exception {
        try (SSLSocket meta = handshaken(ALLOWED)) {
            InputStream in = meta.getInputStream();
            String first = options(meta).replace("CSeq: 1 OPTIONS", "CSeq: 11 OPTIONS");
            String second = options(meta).replace("CSeq: 1 OPTIONS", "CSeq: 12 OPTIONS");
            write(meta, first + second); // one TLS record, two messages
            assertTrue(readResponse(in).contains("CSeq: 11 OPTIONS"));
            assertTrue(readResponse(in).contains("CSeq: 12 OPTIONS"));

            String third = options(meta).replace("CSeq: 1 OPTIONS", "CSeq: 13 OPTIONS");
            for (char c : third.toCharArray()) {
                write(meta, String.valueOf(c)); // one TLS record per byte
            }
            assertTrue(readResponse(in).contains("CSeq: 13 OPTIONS"));
        }
        waitFor(() -> guard().openConnections() == 0, "slot given back");
    }

    @Test
    @Timeout(60)
    void aMessageThatDoesNotParseIsDroppedAndTheConnectionReadsOn() throws Exception {
        try (SSLSocket meta = handshaken(ALLOWED)) {
            InputStream in = meta.getInputStream();
            write(meta, options(meta).replace("CSeq: 1 OPTIONS\r\n", "")); // no CSeq: nothing to answer it with
            write(meta, options(meta).replace("CSeq: 1 OPTIONS", "CSeq: 2 OPTIONS"));
            String answer = readResponse(in);
            assertTrue(answer.startsWith("SIP/2.0 ") && answer.contains("CSeq: 2 OPTIONS"), answer);
        }
        waitFor(() -> guard().openConnections() == 0, "slot given back");
    }

    @Test
    @Timeout(60)
    void aStreamThatCannotBeCutIntoMessagesIsClosedWithAWarning() throws Exception {
        int linesBefore = log.lines().size();
        try (SSLSocket meta = handshaken(ALLOWED)) {
            write(meta, options(meta).replace("Content-Length: 0", "Content-Length: zero"));
            assertClosedByPeer(meta);
        }
        waitFor(() -> guard().openConnections() == 0, "slot given back");
        List<String> after = log.lines().subList(linesBefore, log.lines().size());
        assertTrue(after.stream().anyMatch(l -> l.startsWith("WARN") && l.contains("closing the connection")
                && l.contains("a Content-Length that is not a length: \"zero\"")), String.join("\n", after));
        assertTrue(after.stream().noneMatch(l -> l.startsWith("ERROR")), String.join("\n", after));
        try (SSLSocket meta = handshaken(ALLOWED)) { // the listener goes on
            write(meta, options(meta));
            assertTrue(readResponse(meta.getInputStream()).startsWith("SIP/2.0 "));
        }
        waitFor(() -> guard().openConnections() == 0, "slot given back");
    }

    // ------------------------------------------------------------------ protocols and suites (openssl)

    @Test
    @Timeout(60)
    void onlyTls12PlusWithAeadSuitesIsAcceptedFromOpensslClients() throws Exception {
        Lab.requireTool("openssl");
        OpensslResult cbc = sClient("-tls1_2", "-cipher", "AES128-SHA");
        assertNotEquals(0, cbc.exit, "a TLS 1.2 client offering only AES128-SHA (CBC) must be refused\n" + cbc.output);
        assertTrue(cbc.output.contains("alert handshake failure") || cbc.output.contains("no shared cipher")
                || cbc.output.contains("handshake failure"), cbc.output);

        // SECLEVEL=0 so that the local OpenSSL offers TLS 1.1 at all: the refusal must be the bridge's
        OpensslResult tls11 = sClient("-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0");
        assertNotEquals(0, tls11.exit, "a TLS 1.1 client must be refused\n" + tls11.output);
        assertTrue(tls11.output.contains("protocol version") || tls11.output.contains("unsupported protocol"),
                tls11.output);

        OpensslResult tls12Gcm = sClient("-tls1_2", "-cipher", "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES128-GCM-SHA256");
        assertEquals(0, tls12Gcm.exit, tls12Gcm.output);
        assertTrue(tls12Gcm.output.contains("Cipher is ECDHE-"), tls12Gcm.output);
        assertTrue(tls12Gcm.output.contains("GCM"), tls12Gcm.output);

        OpensslResult modern = sClient();
        assertEquals(0, modern.exit, modern.output);
        assertTrue(modern.output.contains("Protocol  : TLSv1.3") || modern.output.contains("TLSv1.3"), modern.output);
        assertTrue(modern.output.contains("Verify return code: 0 (ok)"), modern.output);
        waitFor(() -> guard().openConnections() == 0, "slots given back");
    }

    private record OpensslResult(int exit, String output) {}

    private static OpensslResult sClient(String... options) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("openssl", "s_client", "-connect", "127.0.0.1:" + bridge.metaPort,
                "-servername", "bridge.example.test", "-CAfile", certs.resolve("edge-ca.pem").toString()));
        cmd.addAll(List.of(options));
        Path out = Files.createTempFile(tmp, "s_client", ".txt");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        p.getOutputStream().close(); // like </dev/null: s_client ends after the handshake
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "openssl s_client did not end");
        return new OpensslResult(p.exitValue(), Files.readString(out));
    }

    // ------------------------------------------------------------------ helpers

    static String options(Socket s) {
        String local = s.getLocalAddress().getHostAddress() + ":" + s.getLocalPort();
        return "OPTIONS sip:bridge.example.test;transport=tls SIP/2.0\r\n"
                + "Via: SIP/2.0/TLS " + local + ";branch=z9hG4bK-crlf-" + System.nanoTime() + ";rport\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: <sip:meta@" + local + ">;tag=crlf1\r\n"
                + "To: <sip:bridge.example.test>\r\n"
                + "Call-ID: crlf-" + System.nanoTime() + "@127.0.0.1\r\n"
                + "CSeq: 1 OPTIONS\r\n"
                + "Content-Length: 0\r\n\r\n";
    }

    /** Reads one SIP response without a body (as the bridge answers OPTIONS: Content-Length 0). */
    static String readResponse(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        while (!sb.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed after: " + sb);
            }
            sb.append((char) b);
        }
        return sb.toString();
    }

    static SSLSocket tlsFrom(InetAddress source) throws IOException {
        return (SSLSocket) client.getSocketFactory().createSocket(ALLOWED, bridge.metaPort, source, 0);
    }

    static SSLSocket handshaken(InetAddress source) throws IOException {
        SSLSocket s = tlsFrom(source);
        s.setSoTimeout(10_000);
        s.startHandshake();
        return s;
    }

    /** Connects and closes; a reset already at connect (the bridge was that quick) is fine. */
    static void connectAndDrop(InetAddress source) throws IOException {
        try (Socket raw = new Socket()) {
            raw.bind(new InetSocketAddress(source, 0));
            raw.connect(new InetSocketAddress(ALLOWED, bridge.metaPort), 5000);
        } catch (java.net.SocketException e) {
            // refused at accept before our connect() returned
        }
    }

    /**
     * The peer closed (end of stream) or reset the connection, within the socket's read timeout. A raw TCP client
     * may first get a TLS alert record (content type 21) from a server closing in the middle of the handshake.
     */
    static void assertClosedByPeer(Socket s) throws IOException {
        try {
            InputStream in = s.getInputStream();
            int first = in.read();
            if (first == 21) {
                in.readNBytes(64);
                first = in.read();
            }
            assertEquals(-1, first, "expected the bridge to close the connection");
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the bridge kept the connection open", e);
        } catch (SSLException e) {
            // a TLS client sees the close as an SSL error: closed all the same
        } catch (IOException e) {
            assertTrue(String.valueOf(e.getMessage()).contains("reset"), e.toString());
        }
    }

    /** The first byte read, or -1 for end of stream or a reset. */
    static int readOrReset(Socket s) throws IOException {
        try {
            return s.getInputStream().read();
        } catch (java.net.SocketException e) {
            assertTrue(String.valueOf(e.getMessage()).contains("reset"), e.toString());
            return -1;
        }
    }

    static void write(Socket s, String text) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write(text.getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    static String readExactly(InputStream in, int n) throws IOException {
        byte[] buf = in.readNBytes(n);
        return new String(buf, StandardCharsets.US_ASCII);
    }

    static int threads() {
        return ManagementFactory.getThreadMXBean().getThreadCount();
    }

    static long descriptors() {
        try (var files = Files.list(Path.of("/proc/self/fd"))) {
            return files.count();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static void waitFor(BooleanSupplier condition, String what) throws InterruptedException {
        waitFor(condition, () -> what);
    }

    static void waitFor(BooleanSupplier condition, java.util.function.Supplier<String> what)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting: " + what.get());
            }
            Thread.sleep(20);
        }
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
