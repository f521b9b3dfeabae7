package org.wabridge.b2bua.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.wabridge.b2bua.sip.TlsContexts;
import org.wabridge.media.NettyMediaRelay;

/**
 * At start the bridge opens its TLS connection to Meta's edge (so the first call does not pay for TCP and the
 * handshake) and checks that its PBX listeners answer. Judged at the far side: a TLS server playing the edge
 * records the connections it accepts and what arrives on them.
 */
class EdgePreconnectTest {

    @TempDir
    static Path tmp;
    static Path certs;

    @BeforeAll
    static void makeCertificates() throws Exception {
        certs = Lab.certs(tmp.resolve("certs"));
    }

    @Test
    @Timeout(60)
    void theEdgeSeesOneTlsConnectionWithACrlfKeepAliveBeforeAnyCall() throws Exception {
        try (FakeEdge edge = new FakeEdge(certs);
             LogCapture log = new LogCapture()) {
            BridgeUnderTest.Ports ports = new BridgeUnderTest.Ports();
            try (NettyMediaRelay relay = new NettyMediaRelay(ports.mediaSettings());
                 BridgeUnderTest bridge = new BridgeUnderTest(ports, certs, edge.port(), "pw", Map.of(), relay)) {
                // the bridge is started: the connection was made during the start, not later
                assertEquals(List.of("\r\n\r\n"), edge.received(1, 1000),
                        "the edge got one connection carrying a CRLF keep-alive; log:\n" + log.text());
                assertTrue(log.text().contains("connection to Meta's edge open to wa.meta.vc (127.0.0.1:"
                        + edge.port() + ")"), log.text());
                assertTrue(log.text().contains("PBX listeners answer OPTIONS from the bridge: udp answered in"),
                        log.text());
                assertTrue(log.text().contains(", tcp answered in"), log.text());
            }
        }
    }

    @Test
    @Timeout(60)
    void anEdgeThatIsDownAtStartDoesNotHoldUpTheStartAndIsReported() throws Exception {
        int closedPort;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = probe.getLocalPort(); // nothing listens there once closed
        }
        try (LogCapture log = new LogCapture()) {
            BridgeUnderTest.Ports ports = new BridgeUnderTest.Ports();
            try (NettyMediaRelay relay = new NettyMediaRelay(ports.mediaSettings());
                 BridgeUnderTest bridge = new BridgeUnderTest(ports, certs, closedPort, "pw", Map.of(), relay)) {
                assertTrue(bridge.b2bua.ready(), "ready although Meta's edge is down");
                assertTrue(log.lines().stream().anyMatch(l -> l.startsWith("WARN connection to Meta's edge failed: "
                        + "wa.meta.vc:" + closedPort)), log.text());
            }
        }
    }

    /** A TLS server with the lab's "wa.meta.vc" certificate that keeps what each connection sends first. */
    static final class FakeEdge implements AutoCloseable {
        private final SSLServerSocket server;
        private final List<String> firstBytes = new CopyOnWriteArrayList<>();
        private final List<Socket> accepted = new CopyOnWriteArrayList<>();
        private final Thread acceptor;

        FakeEdge(Path certs) throws Exception {
            server = (SSLServerSocket) TlsContexts.server(certs.resolve("edge.pem"), certs.resolve("edge.key"))
                    .getServerSocketFactory().createServerSocket(0, 10, InetAddress.getLoopbackAddress());
            acceptor = new Thread(this::acceptLoop, "fake-edge");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        int port() {
            return server.getLocalPort();
        }

        private void acceptLoop() {
            while (!server.isClosed()) {
                try {
                    SSLSocket s = (SSLSocket) server.accept();
                    accepted.add(s);
                    s.setSoTimeout(5000);
                    InputStream in = s.getInputStream();
                    byte[] buf = new byte[4];
                    int n = 0;
                    while (n < buf.length) {
                        int r = in.read(buf, n, buf.length - n);
                        if (r < 0) {
                            break;
                        }
                        n += r;
                    }
                    firstBytes.add(new String(buf, 0, n, StandardCharsets.US_ASCII));
                } catch (Exception e) {
                    if (!server.isClosed()) {
                        firstBytes.add("error: " + e);
                    }
                }
            }
        }

        /** What the first {@code count} connections sent first, waiting up to {@code millis} for them. */
        List<String> received(int count, long millis) throws InterruptedException {
            long deadline = System.currentTimeMillis() + millis;
            while (firstBytes.size() < count && System.currentTimeMillis() < deadline) {
                Thread.sleep(10);
            }
            Thread.sleep(200); // a second connection would show up here
            return List.copyOf(firstBytes);
        }

        @Override
        public void close() throws Exception {
            server.close();
            for (Socket s : accepted) {
                s.close();
            }
            acceptor.join(2000);
        }
    }
}
