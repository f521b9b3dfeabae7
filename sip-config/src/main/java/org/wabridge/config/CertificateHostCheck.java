package org.wabridge.config;

import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Whether a certificate is valid for a host name or address, decided by the JDK's own TLS client check: the
 * PKIX trust manager with endpoint identification "HTTPS", the check the bridge's TLS client applies to Meta's
 * edge. Its rules (RFC 2818 as the JDK implements it): subjectAltName DNS entries, the subject CN only when there is
 * none; names compared without case; a {@code *} stands for one whole label or part of one, never for a dot
 * ({@code *.example.com} covers {@code sip.example.com}, not {@code example.com} nor {@code a.sip.example.com}); an
 * address only against subjectAltName IP entries.
 *
 * <p>The trust manager checks identity only inside a handshake; this hands it a stand-in engine whose handshake
 * session names the host, and a trust store holding the certificate itself, so that only the name decides.
 */
final class CertificateHostCheck {

    /** Covered, or not with the JDK's reason. */
    record Result(boolean covered, String reason) {}

    private CertificateHostCheck() {
    }

    static Result check(X509Certificate leaf, String host) {
        try {
            trusting(leaf).checkServerTrusted(new X509Certificate[] {leaf}, "UNKNOWN", new HandshakeStandIn(host));
            return new Result(true, null);
        } catch (CertificateException e) {
            return new Result(false, e.getMessage());
        } catch (GeneralSecurityException | java.io.IOException e) {
            // an in-memory PKCS12 store and the PKIX factory are in every JDK: not expected, still an answer
            return new Result(false, "the JDK could not check it: " + e);
        }
    }

    private static X509ExtendedTrustManager trusting(X509Certificate leaf)
            throws GeneralSecurityException, java.io.IOException {
        KeyStore anchors = KeyStore.getInstance("PKCS12");
        anchors.load(null, null);
        anchors.setCertificateEntry("certificate", leaf);
        TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
        factory.init(anchors);
        for (TrustManager manager : factory.getTrustManagers()) {
            if (manager instanceof X509ExtendedTrustManager) {
                return (X509ExtendedTrustManager) manager;
            }
        }
        throw new GeneralSecurityException("no X509ExtendedTrustManager in the JDK's PKIX trust manager factory");
    }

    /**
     * An engine in the middle of a client handshake with {@code host}, as far as the trust manager asks: its
     * handshake session (peer host, protocol) and its parameters (endpoint identification). It moves no data.
     */
    private static final class HandshakeStandIn extends SSLEngine {
        private final SSLParameters parameters = new SSLParameters();
        private final SSLSession session;

        HandshakeStandIn(String host) {
            super(host, -1);
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            session = (SSLSession) Proxy.newProxyInstance(SSLSession.class.getClassLoader(),
                    new Class<?>[] {SSLSession.class}, (proxy, method, args) -> {
                        switch (method.getName()) {
                            case "getPeerHost":
                                return host;
                            case "getPeerPort":
                                return -1;
                            case "getProtocol":
                                return "TLSv1.2";
                            case "isValid":
                                return true;
                            case "hashCode":
                                return System.identityHashCode(proxy);
                            case "equals":
                                return proxy == args[0];
                            case "toString":
                                return "handshake with " + host;
                            default:
                                Class<?> type = method.getReturnType();
                                if (type == int.class || type == long.class) {
                                    return 0;
                                }
                                return type == boolean.class ? false : null;
                        }
                    });
        }

        @Override
        public SSLSession getHandshakeSession() {
            return session;
        }

        @Override
        public SSLParameters getSSLParameters() {
            SSLParameters copy = new SSLParameters();
            copy.setEndpointIdentificationAlgorithm(parameters.getEndpointIdentificationAlgorithm());
            return copy;
        }

        @Override
        public SSLSession getSession() {
            return session;
        }

        @Override
        public boolean getUseClientMode() {
            return true;
        }

        // ---- nothing below is used by a trust manager: no data moves through this engine ----

        @Override
        public SSLEngineResult wrap(ByteBuffer[] srcs, int offset, int length, ByteBuffer dst) {
            throw new UnsupportedOperationException("a stand-in engine moves no data");
        }

        @Override
        public SSLEngineResult unwrap(ByteBuffer src, ByteBuffer[] dsts, int offset, int length) {
            throw new UnsupportedOperationException("a stand-in engine moves no data");
        }

        @Override
        public Runnable getDelegatedTask() {
            return null;
        }

        @Override
        public void closeInbound() {
        }

        @Override
        public boolean isInboundDone() {
            return true;
        }

        @Override
        public void closeOutbound() {
        }

        @Override
        public boolean isOutboundDone() {
            return true;
        }

        @Override
        public String[] getSupportedCipherSuites() {
            return new String[0];
        }

        @Override
        public String[] getEnabledCipherSuites() {
            return new String[0];
        }

        @Override
        public void setEnabledCipherSuites(String[] suites) {
        }

        @Override
        public String[] getSupportedProtocols() {
            return new String[] {"TLSv1.2"};
        }

        @Override
        public String[] getEnabledProtocols() {
            return new String[] {"TLSv1.2"};
        }

        @Override
        public void setEnabledProtocols(String[] protocols) {
        }

        @Override
        public void beginHandshake() {
        }

        @Override
        public SSLEngineResult.HandshakeStatus getHandshakeStatus() {
            return SSLEngineResult.HandshakeStatus.NEED_UNWRAP;
        }

        @Override
        public void setUseClientMode(boolean mode) {
        }

        @Override
        public void setNeedClientAuth(boolean need) {
        }

        @Override
        public boolean getNeedClientAuth() {
            return false;
        }

        @Override
        public void setWantClientAuth(boolean want) {
        }

        @Override
        public boolean getWantClientAuth() {
            return false;
        }

        @Override
        public void setEnableSessionCreation(boolean flag) {
        }

        @Override
        public boolean getEnableSessionCreation() {
            return false;
        }
    }
}
