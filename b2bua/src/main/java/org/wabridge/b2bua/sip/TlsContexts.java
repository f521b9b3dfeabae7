package org.wabridge.b2bua.sip;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;
import org.wabridge.config.Pem;

/** Builds the TLS contexts of the Meta leg from PEM files, without touching JVM-wide properties. */
public final class TlsContexts {

    private TlsContexts() {}

    /** Client context trusting the CA certificates in {@code trustPem}, or the JVM's trust store when null. */
    public static SSLContext client(Path trustPem) throws IOException, GeneralSecurityException {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        if (trustPem == null) {
            tmf.init((KeyStore) null);
        } else {
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            int i = 0;
            for (Certificate c : readCertificates(trustPem)) {
                trust.setCertificateEntry("ca-" + i++, c);
            }
            if (i == 0) {
                throw new GeneralSecurityException("no certificate in " + trustPem);
            }
            tmf.init(trust);
        }
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }

    /** Server context serving the full chain in {@code chainPem} with the PKCS#8 key in {@code keyPem}. */
    public static SSLContext server(Path chainPem, Path keyPem) throws IOException, GeneralSecurityException {
        List<? extends Certificate> chain = readCertificates(chainPem);
        if (chain.isEmpty()) {
            throw new GeneralSecurityException("no certificate in " + chainPem);
        }
        PrivateKey key = readPrivateKey(keyPem, chain.get(0).getPublicKey().getAlgorithm());
        char[] pass = new char[0];
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("server", key, pass, chain.toArray(new Certificate[0]));
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, pass);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        return ctx;
    }

    /**
     * What {@link #warmUp} did.
     *
     * @param handshakeCompleted true when the client and server contexts completed a handshake with each other
     * @param nanos              how long it took
     * @param note               why the handshake stopped early (e.g. the client does not trust our own
     *                           certificate, or there is no server context), else null
     */
    public record WarmUp(boolean handshakeCompleted, long nanos, String note) {}

    /**
     * Gets the TLS code ready before the first call needs it: JSSE loads and initialises its handshake, key exchange,
     * certificate and cipher classes on first use, which made the first call's TLS connection to Meta take a
     * few hundred milliseconds longer than later ones. This runs one handshake between {@code client} and
     * {@code server} entirely in memory ({@link SSLEngine}s, no socket, nothing sent anywhere) with the protocols
     * the bridge uses. The first handshake does not verify the host name (the server presents our own certificate,
     * not Meta's); a client that does not trust our certificate stops after the server's first flight, which still
     * warms most of it. When it completes, a second one verifies the host name against a name in our own
     * certificate, as the connection to Meta will against the edge's. Without a server context, only the client's
     * first flight is built.
     * Never throws: a warm-up that fails leaves the bridge as it would have been without it.
     */
    public static WarmUp warmUp(SSLContext client, SSLContext server, String serverName) {
        long start = System.nanoTime();
        String note = null;
        boolean completed = false;
        try {
            SSLEngine c = clientEngine(client, "wabridge-tls-warm-up.invalid", 1, serverName, false);
            if (server == null) {
                c.beginHandshake();
                wrap(c, ByteBuffer.allocate(c.getSession().getPacketBufferSize()));
                note = "no TLS server context: only the client hello was built";
            } else {
                completed = handshake(c, serverEngine(server));
                if (!completed) {
                    note = "handshake did not finish in memory";
                } else {
                    // once more with host-name verification, against a name our own certificate holds: the real
                    // connection to Meta verifies the edge's name, and that code is cold too
                    String name = dnsName(c.getSession().getPeerCertificates());
                    if (name != null) {
                        completed = handshake(clientEngine(client, name, 2, name, true), serverEngine(server));
                    }
                }
            }
        } catch (SSLException | RuntimeException e) {
            note = e.toString();
        }
        return new WarmUp(completed, System.nanoTime() - start, note);
    }

    private static SSLEngine clientEngine(SSLContext client, String peerHost, int peerPort, String serverName,
                                          boolean verifyHostName) {
        SSLEngine c = client.createSSLEngine(peerHost, peerPort);
        c.setUseClientMode(true);
        SSLParameters params = c.getSSLParameters();
        params.setProtocols(TLS_PROTOCOLS);
        if (serverName != null && !HostResolver.isIpLiteral(serverName)) {
            params.setServerNames(List.of(new SNIHostName(serverName)));
        }
        if (verifyHostName) {
            params.setEndpointIdentificationAlgorithm("HTTPS");
        }
        c.setSSLParameters(params);
        return c;
    }

    private static SSLEngine serverEngine(SSLContext server) {
        SSLEngine s = server.createSSLEngine();
        s.setUseClientMode(false);
        s.setEnabledProtocols(TLS_PROTOCOLS);
        s.setNeedClientAuth(false);
        s.setWantClientAuth(false);
        return s;
    }

    /** The first DNS name of the leaf certificate (no wildcard), or null. */
    private static String dnsName(java.security.cert.Certificate[] chain) {
        try {
            if (chain.length > 0 && chain[0] instanceof java.security.cert.X509Certificate leaf
                    && leaf.getSubjectAlternativeNames() != null) {
                for (List<?> san : leaf.getSubjectAlternativeNames()) {
                    if (Integer.valueOf(2).equals(san.get(0)) && san.get(1) instanceof String dns && !dns.contains("*")) {
                        return dns;
                    }
                }
            }
        } catch (java.security.cert.CertificateParsingException e) {
            // no name: the second handshake is skipped
        }
        return null;
    }

    /** The protocols of the Meta leg (TlsNetworkLayer sets the same ones on its sockets). */
    static final String[] TLS_PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    /** Drives both engines until neither is handshaking; false when it does not converge. */
    private static boolean handshake(SSLEngine c, SSLEngine s) throws SSLException {
        int packet = Math.max(c.getSession().getPacketBufferSize(), s.getSession().getPacketBufferSize());
        int app = Math.max(c.getSession().getApplicationBufferSize(), s.getSession().getApplicationBufferSize());
        ByteBuffer toServer = ByteBuffer.allocate(packet * 4);
        ByteBuffer toClient = ByteBuffer.allocate(packet * 4);
        ByteBuffer appIn = ByteBuffer.allocate(app);
        c.beginHandshake();
        s.beginHandshake();
        for (int round = 0; round < 50; round++) {
            boolean moved = step(c, toServer, toClient, appIn) | step(s, toClient, toServer, appIn);
            if (!handshaking(c) && !handshaking(s)) {
                return true;
            }
            if (!moved) {
                return false;
            }
        }
        return false;
    }

    private static boolean handshaking(SSLEngine e) {
        HandshakeStatus st = e.getHandshakeStatus();
        return st != HandshakeStatus.NOT_HANDSHAKING && st != HandshakeStatus.FINISHED;
    }

    /** One step of {@code e}: runs its tasks, writes what it wants to send to {@code out}, reads from {@code in}. */
    private static boolean step(SSLEngine e, ByteBuffer out, ByteBuffer in, ByteBuffer appIn) throws SSLException {
        boolean moved = false;
        for (int i = 0; i < 20; i++) {
            HandshakeStatus st = e.getHandshakeStatus();
            if (st == HandshakeStatus.NEED_TASK) {
                Runnable task;
                while ((task = e.getDelegatedTask()) != null) {
                    task.run();
                }
                moved = true;
            } else if (st == HandshakeStatus.NEED_WRAP) {
                if (wrap(e, out).bytesProduced() == 0 && e.getHandshakeStatus() == HandshakeStatus.NEED_WRAP) {
                    return moved;
                }
                moved = true;
            } else if (st == HandshakeStatus.NEED_UNWRAP || st == HandshakeStatus.NEED_UNWRAP_AGAIN) {
                in.flip();
                appIn.clear();
                SSLEngineResult r = e.unwrap(in, appIn);
                in.compact();
                if (r.getStatus() == SSLEngineResult.Status.BUFFER_UNDERFLOW || r.bytesConsumed() == 0
                        && r.getHandshakeStatus() == st) {
                    return moved; // waits for the other side
                }
                moved = true;
            } else {
                // not handshaking: take a post-handshake message (TLS 1.3 session ticket) if one is waiting
                if (in.position() > 0) {
                    in.flip();
                    appIn.clear();
                    e.unwrap(in, appIn);
                    in.compact();
                    moved = true;
                }
                return moved;
            }
        }
        return moved;
    }

    private static SSLEngineResult wrap(SSLEngine e, ByteBuffer out) throws SSLException {
        return e.wrap(ByteBuffer.allocate(0), out);
    }

    static List<? extends Certificate> readCertificates(Path pem) throws IOException, GeneralSecurityException {
        return Pem.certificates(Pem.read(pem));
    }

    static PrivateKey readPrivateKey(Path pem, String algorithm) throws IOException, GeneralSecurityException {
        for (Pem.Block block : Pem.read(pem)) {
            if (block.type().equals("PRIVATE KEY")) {
                return Pem.pkcs8(block, algorithm);
            }
        }
        // Say what is wrong without echoing the file's content.
        throw new GeneralSecurityException(pem + " holds no unencrypted PKCS#8 key (-----BEGIN PRIVATE KEY-----); "
                + "convert it with: openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8");
    }
}
