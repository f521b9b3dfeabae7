package org.wabridge.media.dtls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.wabridge.media.srtp.SrtpSuite;

/**
 * Our endpoint against an independent DTLS-SRTP implementation: OpenSSL, driven by Debian's
 * {@code python3-openssl} ({@code src/test/resources/dtls/openssl_dtls_peer.py}), over a real UDP
 * socket pair on 127.0.0.1 with a tiny socket adapter here. Both sides must negotiate the same
 * profile and derive the same SRTP keys: the Python side prints its RFC 5705 export and splits it
 * per RFC 5764 section 4.2 on its own; it also prints the SHA-256 fingerprint of our certificate as
 * OpenSSL computes it.
 */
class DtlsInteropTest {

    private static final String PYTHON = "/usr/bin/python3"; // Debian's python3-openssl is installed for this one
    private static final DtlsCertificate OURS = DtlsCertificate.generate();

    @ParameterizedTest(name = "we are {0}, OpenSSL has a {1} key and offers/accepts {2}")
    @CsvSource({
            "CLIENT, ec,  SRTP_AES128_CM_SHA1_80:SRTP_AES128_CM_SHA1_32, AES_CM_128_HMAC_SHA1_80",
            "CLIENT, rsa, SRTP_AES128_CM_SHA1_80:SRTP_AES128_CM_SHA1_32, AES_CM_128_HMAC_SHA1_80",
            "CLIENT, ec,  SRTP_AES128_CM_SHA1_32,                        AES_CM_128_HMAC_SHA1_32",
            "SERVER, ec,  SRTP_AES128_CM_SHA1_80:SRTP_AES128_CM_SHA1_32, AES_CM_128_HMAC_SHA1_80",
            "SERVER, rsa, SRTP_AES128_CM_SHA1_32,                        AES_CM_128_HMAC_SHA1_32"})
    void bothSidesDeriveTheSameSrtpKeys(DtlsRole role, String keyType, String opensslProfiles, SrtpSuite expected)
            throws Exception {
        try (Loopback loop = new Loopback(role, keyType, opensslProfiles, null)) {
            Outcome.Connected connected = loop.outcome.awaitConnected(15, null);
            Map<String, String> py = loop.awaitPeerDone();
            System.out.println("interop as " + role + " with OpenSSL (" + keyType + " key): " + connected.keys().suite()
                    + " in " + connected.handshakeTime().toMillis() + " ms");

            DtlsSrtpKeys keys = connected.keys();
            assertEquals(expected, keys.suite());
            assertEquals(expected == SrtpSuite.AES_CM_128_HMAC_SHA1_80 ? "SRTP_AES128_CM_SHA1_80" : "SRTP_AES128_CM_SHA1_32",
                    py.get("PROFILE"));
            byte[] clientKey = hex(py.get("CLIENT_KEY"));
            byte[] serverKey = hex(py.get("SERVER_KEY"));
            byte[] clientSalt = hex(py.get("CLIENT_SALT"));
            byte[] serverSalt = hex(py.get("SERVER_SALT"));
            boolean weAreClient = role == DtlsRole.CLIENT;
            assertArrayEquals(weAreClient ? clientKey : serverKey, keys.local().masterKey(), "our write key");
            assertArrayEquals(weAreClient ? clientSalt : serverSalt, keys.local().masterSalt(), "our write salt");
            assertArrayEquals(weAreClient ? serverKey : clientKey, keys.remote().masterKey(), "OpenSSL's write key");
            assertArrayEquals(weAreClient ? serverSalt : clientSalt, keys.remote().masterSalt(), "OpenSSL's write salt");
            assertEquals(OURS.fingerprint().toSdpValue(), py.get("PEER_FINGERPRINT"),
                    "OpenSSL hashes our certificate to the a=fingerprint we would put in SDP");
            assertTrue(loop.maxSent <= DtlsSettings.DEFAULT_MAX_DATAGRAM_SIZE, "largest datagram " + loop.maxSent);
        }
    }

    @Test
    void aWrongFingerprintFromTheSdpFailsAgainstOpenSsl() throws Exception {
        DtlsFingerprint wrong = DtlsCertificate.generate().fingerprint();
        try (Loopback loop = new Loopback(DtlsRole.CLIENT, "ec", "SRTP_AES128_CM_SHA1_80", wrong)) {
            DtlsFailure failure = loop.outcome.awaitFailed(15);
            assertEquals(DtlsFailure.Kind.FINGERPRINT_MISMATCH, failure.kind(), failure.toString());
            assertTrue(failure.detail().contains(loop.peerFingerprint.toSdpValue()), failure.detail());
            Map<String, String> py = loop.awaitPeerEnd();
            assertTrue(py.getOrDefault("ERROR", "").contains("handshake failed"), "OpenSSL got our alert: " + py);
        }
    }

    /** One OpenSSL process, one UDP socket of ours, one endpoint, wired on 127.0.0.1. */
    private static final class Loopback implements AutoCloseable {
        final Outcome outcome = new Outcome();
        final DtlsEndpoint endpoint;
        final DtlsFingerprint peerFingerprint;
        private final Process python;
        private final DatagramSocket socket;
        private final Thread reader;
        private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        private final List<String> transcript = new ArrayList<>();
        volatile InetSocketAddress peer;
        volatile int maxSent;

        Loopback(DtlsRole role, String keyType, String profiles, DtlsFingerprint expectOverride) throws Exception {
            socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            Path script = Path.of(DtlsInteropTest.class.getResource("/dtls/openssl_dtls_peer.py").toURI());
            if (!Files.isExecutable(Path.of(PYTHON))) {
                fail(PYTHON + " is missing: install python3-openssl (scripts/debian-packages.txt)");
            }
            List<String> cmd = new ArrayList<>(List.of(PYTHON, script.toString(),
                    "--role", role == DtlsRole.CLIENT ? "server" : "client", "--key", keyType, "--profiles", profiles));
            if (role == DtlsRole.SERVER) {
                cmd.addAll(List.of("--peer-port", String.valueOf(socket.getLocalPort())));
            }
            python = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            Thread pump = new Thread(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(python.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line = in.readLine(); line != null; line = in.readLine()) {
                        lines.add(line);
                    }
                } catch (IOException ignored) {
                    // process ended
                }
                lines.add("EOF");
            }, "openssl-peer-stdout");
            pump.setDaemon(true);
            pump.start();

            try {
                int port = Integer.parseInt(value(next("PORT", 15), "PORT"));
                peer = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
                peerFingerprint = DtlsFingerprint.parse(value(next("FINGERPRINT", 5), "FINGERPRINT")).orElseThrow();
            } catch (RuntimeException | Error e) {
                python.destroy();
                socket.close();
                throw e;
            }

            endpoint = new DtlsEndpoint(role, OURS, expectOverride != null ? expectOverride : peerFingerprint,
                    DtlsSettings.defaults().withServerLinger(Duration.ofMillis(500)), this::send, outcome);
            reader = new Thread(this::readLoop, "interop-udp-reader");
            reader.setDaemon(true);
            reader.start();
            endpoint.start();
        }

        /** The thin socket adapter: every datagram from OpenSSL's port goes to the endpoint. */
        private void readLoop() {
            byte[] buf = new byte[65536];
            while (!socket.isClosed()) {
                DatagramPacket packet = new DatagramPacket(buf, buf.length);
                try {
                    socket.receive(packet);
                } catch (IOException e) {
                    return;
                }
                if (packet.getPort() == peer.getPort()
                        && DatagramKind.of(packet.getData(), 0, packet.getLength()) == DatagramKind.DTLS) {
                    endpoint.receive(packet.getData(), 0, packet.getLength());
                }
            }
        }

        private void send(byte[] datagram) {
            maxSent = Math.max(maxSent, datagram.length);
            try {
                socket.send(new DatagramPacket(datagram, datagram.length, peer));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        Map<String, String> awaitPeerDone() throws InterruptedException {
            Map<String, String> values = awaitPeerEnd();
            if (!values.containsKey("DONE")) {
                fail("OpenSSL side did not finish: " + transcript);
            }
            return values;
        }

        /** Reads the Python side's lines up to DONE, ERROR or its exit. */
        Map<String, String> awaitPeerEnd() throws InterruptedException {
            Map<String, String> values = new HashMap<>();
            long deadline = System.currentTimeMillis() + 15_000;
            while (System.currentTimeMillis() < deadline) {
                String line = lines.poll(deadline - System.currentTimeMillis(), TimeUnit.MILLISECONDS);
                if (line == null || line.equals("EOF")) {
                    break;
                }
                transcript.add(line);
                int space = line.indexOf(' ');
                String key = space < 0 ? line : line.substring(0, space);
                values.put(key, space < 0 ? "" : line.substring(space + 1));
                if (key.equals("DONE") || key.equals("ERROR")) {
                    break;
                }
            }
            return values;
        }

        private String next(String key, int seconds) throws InterruptedException {
            String line = lines.poll(seconds, TimeUnit.SECONDS);
            if (line == null || !line.startsWith(key + " ")) {
                fail("expected " + key + " from the OpenSSL side, got " + line);
            }
            return line;
        }

        private static String value(String line, String key) {
            return line.substring(key.length() + 1);
        }

        @Override
        public void close() throws SocketException {
            if (endpoint != null) {
                endpoint.close();
            }
            socket.close();
            python.destroy();
            try {
                python.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static byte[] hex(String s) {
        if (s == null) {
            fail("missing value from the OpenSSL side");
        }
        return HexFormat.of().parseHex(s);
    }
}
