package org.wabridge.media.dtls;

import java.io.IOException;
import java.util.Hashtable;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.Certificate;
import org.bouncycastle.tls.CertificateRequest;
import org.bouncycastle.tls.CipherSuite;
import org.bouncycastle.tls.ClientCertificateType;
import org.bouncycastle.tls.DefaultTlsServer;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.TlsCredentialedSigner;
import org.bouncycastle.tls.TlsSRTPUtils;
import org.bouncycastle.tls.TlsUtils;
import org.bouncycastle.tls.UseSRTPData;
import org.wabridge.media.srtp.SrtpSuite;

/**
 * The DTLS 1.2 server side for BouncyCastle's {@code DTLSServerProtocol}: picks our most preferred
 * SRTP profile among the client's, requires the client's certificate and checks it against the SDP
 * fingerprint, exports the keys.
 */
final class SrtpTlsServer extends DefaultTlsServer {

    /** Our certificate is ECDSA, so only ECDHE_ECDSA suites can be selected. */
    static final int[] CIPHER_SUITES = {
            CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
            CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
            CipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
            CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,
    };

    private final HandshakeOutcome outcome;
    private SrtpSuite chosen;

    SrtpTlsServer(HandshakeOutcome outcome) {
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
    @SuppressWarnings("rawtypes")
    public void processClientExtensions(Hashtable clientExtensions) throws IOException {
        super.processClientExtensions(clientExtensions);
        UseSRTPData offer = TlsSRTPUtils.getUseSRTPExtension(clientExtensions);
        if (offer == null) {
            throw outcome.fail(DtlsFailure.Kind.NO_SRTP_PROFILE, "the client did not offer use_srtp",
                    AlertDescription.handshake_failure);
        }
        chosen = SrtpProfiles.choose(outcome.settings.srtpSuites(), offer.getProtectionProfiles()).orElse(null);
        if (chosen == null) {
            throw outcome.fail(DtlsFailure.Kind.NO_SRTP_PROFILE, "the client offered SRTP profiles "
                    + SrtpProfiles.describe(offer.getProtectionProfiles()) + ", none of ours "
                    + outcome.settings.srtpSuites(), AlertDescription.handshake_failure);
        }
        outcome.negotiated(chosen);
    }

    @Override
    @SuppressWarnings({"rawtypes", "unchecked"})
    public Hashtable getServerExtensions() throws IOException {
        Hashtable extensions = super.getServerExtensions();
        // an empty MKI: we do not use one even if the client offered it (RFC 5764 section 4.1.1, option 2)
        TlsSRTPUtils.addUseSRTPExtension(extensions,
                new UseSRTPData(new int[] {SrtpProfiles.profileOf(chosen)}, TlsUtils.EMPTY_BYTES));
        return extensions;
    }

    @Override
    public CertificateRequest getCertificateRequest() {
        // RFC 5763 section 5: the server MUST request the client's certificate
        return new CertificateRequest(new short[] {ClientCertificateType.ecdsa_sign, ClientCertificateType.rsa_sign},
                TlsUtils.getDefaultSupportedSignatureAlgorithms(context), null);
    }

    @Override
    public void notifyClientCertificate(Certificate clientCertificate) throws IOException {
        outcome.verifyPeer(clientCertificate);
    }

    @Override
    protected TlsCredentialedSigner getECDSASignerCredentials() throws IOException {
        return outcome.signer(context, context.getSecurityParametersHandshake().getClientSigAlgs());
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
