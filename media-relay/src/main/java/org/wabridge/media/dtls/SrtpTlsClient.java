package org.wabridge.media.dtls;

import java.io.IOException;
import java.util.Hashtable;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.CertificateRequest;
import org.bouncycastle.tls.CipherSuite;
import org.bouncycastle.tls.DefaultTlsClient;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.TlsAuthentication;
import org.bouncycastle.tls.TlsCredentials;
import org.bouncycastle.tls.TlsExtensionsUtils;
import org.bouncycastle.tls.TlsSRTPUtils;
import org.bouncycastle.tls.TlsServerCertificate;
import org.bouncycastle.tls.TlsUtils;
import org.bouncycastle.tls.UseSRTPData;
import org.wabridge.media.srtp.SrtpSuite;

/**
 * The DTLS 1.2 client side for BouncyCastle's {@code DTLSClientProtocol}: offers {@code use_srtp}
 * with our suites and no MKI, checks the server's certificate against the SDP fingerprint,
 * presents our certificate when asked (DTLS-SRTP authenticates both ends), exports the keys.
 */
final class SrtpTlsClient extends DefaultTlsClient {

    /** ECDHE only (forward secrecy); ECDSA first (ours and Meta's), RSA for peers with RSA certificates. */
    static final int[] CIPHER_SUITES = {
            CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
            CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
            CipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
            CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
            CipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
            CipherSuite.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
            CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,
            CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,
    };

    private final HandshakeOutcome outcome;

    SrtpTlsClient(HandshakeOutcome outcome) {
        super(outcome.crypto);
        this.outcome = outcome;
    }

    @Override
    protected ProtocolVersion[] getSupportedVersions() {
        return ProtocolVersion.DTLSv12.only();
    }

    @Override
    protected int[] getSupportedCipherSuites() {
        return TlsUtils.getSupportedCipherSuites(getCrypto(), CIPHER_SUITES);
    }

    @Override
    public int getHandshakeTimeoutMillis() {
        return (int) outcome.settings.handshakeTimeout().toMillis();
    }

    @Override
    public int getHandshakeResendTimeMillis() {
        return (int) outcome.settings.initialResend().toMillis();
    }

    @Override
    @SuppressWarnings({"rawtypes", "unchecked"})
    public Hashtable getClientExtensions() throws IOException {
        Hashtable extensions = TlsExtensionsUtils.ensureExtensionsInitialised(super.getClientExtensions());
        TlsSRTPUtils.addUseSRTPExtension(extensions,
                new UseSRTPData(SrtpProfiles.profilesOf(outcome.settings.srtpSuites()), TlsUtils.EMPTY_BYTES));
        return extensions;
    }

    @Override
    @SuppressWarnings("rawtypes")
    public void processServerExtensions(Hashtable serverExtensions) throws IOException {
        super.processServerExtensions(serverExtensions);
        UseSRTPData useSrtp = TlsSRTPUtils.getUseSRTPExtension(serverExtensions);
        if (useSrtp == null) {
            throw outcome.fail(DtlsFailure.Kind.NO_SRTP_PROFILE, "the server did not accept use_srtp (offered "
                    + SrtpProfiles.describe(SrtpProfiles.profilesOf(outcome.settings.srtpSuites())) + ")",
                    AlertDescription.handshake_failure);
        }
        int[] chosen = useSrtp.getProtectionProfiles();
        // RFC 5764 section 4.1.1: the server answers with exactly one of the offered profiles
        SrtpSuite suite = chosen.length == 1 ? SrtpProfiles.suiteOf(chosen[0])
                .filter(outcome.settings.srtpSuites()::contains).orElse(null) : null;
        if (suite == null) {
            throw outcome.fail(DtlsFailure.Kind.NO_SRTP_PROFILE, "the server chose SRTP profile(s) "
                    + SrtpProfiles.describe(chosen) + ", not one of those offered", AlertDescription.illegal_parameter);
        }
        // we offered no MKI; a non-empty one in the answer must abort (RFC 5764 section 4.1.1)
        if (useSrtp.getMki().length != 0) {
            throw outcome.fail(DtlsFailure.Kind.NO_SRTP_PROFILE, "the server answered use_srtp with an MKI we did not offer",
                    AlertDescription.illegal_parameter);
        }
        outcome.negotiated(suite);
    }

    @Override
    public TlsAuthentication getAuthentication() {
        return new TlsAuthentication() {
            @Override
            public void notifyServerCertificate(TlsServerCertificate serverCertificate) throws IOException {
                outcome.verifyPeer(serverCertificate.getCertificate());
            }

            @Override
            public TlsCredentials getClientCredentials(CertificateRequest request) throws IOException {
                return outcome.signer(context, request.getSupportedSignatureAlgorithms());
            }
        };
    }

    @Override
    public void notifyHandshakeComplete() throws IOException {
        super.notifyHandshakeComplete();
        outcome.handshakeComplete(context);
    }

    @Override
    public void notifyAlertReceived(short level, short description) {
        outcome.alertReceived(level, description);
    }

    @Override
    public void notifyConnectionClosed() {
        outcome.connectionClosed();
    }

    @Override
    public void notifyAlertRaised(short level, short description, String message, Throwable cause) {
        // our own alerts: the failure is reported through the endpoint's listener, not logged here
    }
}
