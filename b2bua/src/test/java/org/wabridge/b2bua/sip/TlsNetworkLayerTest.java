package org.wabridge.b2bua.sip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wabridge.b2bua.it.Lab;

/**
 * Every socket our network layer gives JAIN-SIP has Nagle off (TCP_NODELAY), connected or accepted, TCP or TLS:
 * with Nagle on, a SIP message sent right after a small one waited ~40 ms for the peer's delayed ACK. The TLS
 * listener wraps JSSE's server socket; a real handshake and a message both ways prove the wrapper changes nothing
 * else.
 */
class TlsNetworkLayerTest {

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    @TempDir
    Path dir;

    private TlsNetworkLayer layer(SSLContext client, SSLContext server) {
        HostResolver resolver = new HostResolver();
        // the lab bridge certificate names bridge.example.test: the client verifies the server against it
        resolver.pin("bridge.example.test", LOOPBACK);
        return new TlsNetworkLayer(new StackContext("test", client, server, resolver, "bridge.example.test", 2000));
    }

    @Test
    void tlsClientAndAcceptedServerSocketsHaveNagleOffAndStillHandshake() throws Exception {
        Path certs = Lab.certs(dir.resolve("certs"));
        SSLContext client = TlsContexts.client(certs.resolve("edge-ca.pem"));
        SSLContext server = TlsContexts.server(certs.resolve("bridge.pem"), certs.resolve("bridge.key"));
        TlsNetworkLayer layer = layer(client, server);

        try (SSLServerSocket listener = layer.createSSLServerSocket(0, 5, LOOPBACK)) {
            assertTrue(listener.isBound());
            assertEquals(LOOPBACK, listener.getInetAddress());
            // what JAIN-SIP's TLSMessageProcessor does to the listener reaches JSSE's socket
            listener.setEnabledProtocols(new String[] {"TLSv1.3"});
            assertArrayEquals(new String[] {"TLSv1.3"}, listener.getEnabledProtocols());
            assertFalse(listener.getNeedClientAuth());

            CompletableFuture<Socket> accepted = CompletableFuture.supplyAsync(() -> {
                try {
                    return listener.accept();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            try (SSLSocket out = layer.createSSLSocket(LOOPBACK, listener.getLocalPort());
                 SSLSocket in = (SSLSocket) accepted.get(10, TimeUnit.SECONDS)) {
                assertTrue(out.getTcpNoDelay(), "TLS client socket toward Meta must have TCP_NODELAY");
                assertTrue(in.getTcpNoDelay(), "TLS socket accepted from Meta must have TCP_NODELAY");

                CompletableFuture<String> received = CompletableFuture.supplyAsync(() -> readLine(in));
                write(out, "OPTIONS sip:bridge.example.test SIP/2.0\n");
                assertEquals("OPTIONS sip:bridge.example.test SIP/2.0", received.get(10, TimeUnit.SECONDS));
                write(in, "SIP/2.0 200 OK\n");
                assertEquals("SIP/2.0 200 OK", readLine(out));
                assertEquals("TLSv1.3", out.getSession().getProtocol());
            }
        }
    }

    /**
     * The AEAD-only policy is on every socket, not only in stack properties: JAIN-SIP's reconnect path (IOHandler)
     * sets protocols on the sockets we make but never suites, and it configures the listener from its own lists.
     */
    @Test
    void everySocketCarriesThePolicyAndTheListenerCanOnlyNarrowIt() throws Exception {
        Path certs = Lab.certs(dir.resolve("certs"));
        SSLContext client = TlsContexts.client(certs.resolve("edge-ca.pem"));
        SSLContext server = TlsContexts.server(certs.resolve("bridge.pem"), certs.resolve("bridge.key"));
        TlsNetworkLayer layer = layer(client, server);
        java.util.List<String> policy = java.util.List.of(TlsPolicy.cipherSuites());
        assertTrue(policy.stream().allMatch(s -> !s.contains("_CBC_") && (s.contains("_GCM_") || s.contains("CHACHA20"))
                && (s.startsWith("TLS_AES_") || s.startsWith("TLS_CHACHA20_") || s.startsWith("TLS_ECDHE_"))),
                "AEAD suites with forward secrecy only: " + policy);

        try (SSLServerSocket listener = layer.createSSLServerSocket(0, 5, LOOPBACK)) {
            assertTrue(policy.containsAll(java.util.List.of(listener.getEnabledCipherSuites())));
            assertArrayEquals(new String[] {"TLSv1.3", "TLSv1.2"}, listener.getEnabledProtocols());
            // what JAIN-SIP passes is narrowed to the policy, never widened
            listener.setEnabledCipherSuites(new String[] {"TLS_RSA_WITH_AES_128_CBC_SHA", "TLS_AES_128_GCM_SHA256"});
            assertArrayEquals(new String[] {"TLS_AES_128_GCM_SHA256"}, listener.getEnabledCipherSuites());
            listener.setEnabledProtocols(new String[] {"TLSv1.1", "TLSv1.2", "TLSv1.3"});
            assertArrayEquals(new String[] {"TLSv1.2", "TLSv1.3"}, listener.getEnabledProtocols());

            CompletableFuture<Socket> accepted = CompletableFuture.supplyAsync(() -> {
                try {
                    return listener.accept();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            try (SSLSocket out = layer.createSSLSocket(LOOPBACK, listener.getLocalPort());
                 SSLSocket in = (SSLSocket) accepted.get(10, TimeUnit.SECONDS)) {
                assertTrue(policy.containsAll(java.util.List.of(out.getEnabledCipherSuites())),
                        "client socket: " + java.util.List.of(out.getEnabledCipherSuites()));
                assertArrayEquals(new String[] {"TLSv1.3", "TLSv1.2"}, out.getEnabledProtocols());
                assertArrayEquals(new String[] {"TLS_AES_128_GCM_SHA256"}, in.getEnabledCipherSuites(),
                        "an accepted socket keeps the listener's narrower set");
                in.setEnabledCipherSuites(new String[] {"TLS_RSA_WITH_AES_128_CBC_SHA"});
                assertTrue(policy.containsAll(java.util.List.of(in.getEnabledCipherSuites())),
                        "nothing outside the policy can be enabled on an accepted socket");
            }
        }
    }

    @Test
    void tcpClientAndAcceptedServerSocketsHaveNagleOff() throws Exception {
        TlsNetworkLayer layer = layer(null, null);
        try (ServerSocket listener = layer.createServerSocket(0, 5, LOOPBACK)) {
            CompletableFuture<Socket> accepted = CompletableFuture.supplyAsync(() -> {
                try {
                    return listener.accept();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            try (Socket out = layer.createSocket(LOOPBACK, listener.getLocalPort());
                 Socket in = accepted.get(10, TimeUnit.SECONDS)) {
                assertTrue(out.getTcpNoDelay(), "TCP client socket toward the PBX must have TCP_NODELAY");
                assertTrue(in.getTcpNoDelay(), "TCP socket accepted from the PBX must have TCP_NODELAY");
                write(out, "INVITE\n");
                assertEquals("INVITE", readLine(in));
            }
        }
    }

    /** A plain TCP Meta listener (lab edges) closes connections from outside meta.allowedSources at accept too. */
    @Test
    void aPlainTcpMetaListenerRefusesSourcesOutsideTheAllowlistAndThePbxListenerDoesNot() throws Exception {
        int metaPort = Lab.freePort();
        MetaConnectionGuard guard = new MetaConnectionGuard(java.util.List.of(org.wabridge.config.Cidr.parse("127.0.0.1/32")),
                org.wabridge.config.MetaListenerLimits.DEFAULTS, metaPort, 5000);
        TlsNetworkLayer layer = new TlsNetworkLayer(new StackContext("tcp-test", null, null, new HostResolver(),
                "bridge.example.test", 2000, guard));
        InetAddress other = InetAddress.getByName("127.0.0.2");
        try (ServerSocket meta = layer.createServerSocket(metaPort, 5, LOOPBACK);
             ServerSocket pbx = layer.createServerSocket(0, 5, LOOPBACK)) {
            CompletableFuture<Socket> metaAccepted = CompletableFuture.supplyAsync(() -> {
                try {
                    return meta.accept();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            try (Socket refused = new Socket()) {
                refused.bind(new java.net.InetSocketAddress(other, 0));
                refused.connect(new java.net.InetSocketAddress(LOOPBACK, metaPort), 2000);
                refused.setSoTimeout(5000);
                int first;
                try {
                    first = refused.getInputStream().read();
                } catch (java.net.SocketException e) {
                    first = -1; // reset
                }
                assertEquals(-1, first, "closed at accept");
            } catch (java.net.SocketException e) {
                // reset before connect() returned: refused all the same
            }
            try (Socket allowed = new Socket(LOOPBACK, metaPort);
                 Socket in = metaAccepted.get(10, TimeUnit.SECONDS)) {
                assertEquals(allowed.getLocalPort(), in.getPort(), "the first connection handed out is the allowed one");
            }
            assertEquals(1, guard.refused(MetaConnectionGuard.Refusal.SOURCE_NOT_ALLOWED));

            CompletableFuture<Socket> pbxAccepted = CompletableFuture.supplyAsync(() -> {
                try {
                    return pbx.accept();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            try (Socket fromElsewhere = new Socket(LOOPBACK, pbx.getLocalPort(), other, 0);
                 Socket in = pbxAccepted.get(10, TimeUnit.SECONDS)) {
                assertEquals(other, in.getInetAddress(), "the PBX listener is checked per request, not here");
            }
        }
    }

    private static void write(Socket s, String text) {
        try {
            OutputStream o = s.getOutputStream();
            o.write(text.getBytes(StandardCharsets.US_ASCII));
            o.flush();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String readLine(Socket s) {
        try {
            InputStream i = s.getInputStream();
            StringBuilder b = new StringBuilder();
            for (int c = i.read(); c >= 0 && c != '\n'; c = i.read()) {
                b.append((char) c);
            }
            return b.toString();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
