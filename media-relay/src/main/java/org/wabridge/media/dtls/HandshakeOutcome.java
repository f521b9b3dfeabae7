package org.wabridge.media.dtls;

import java.io.IOException;
import java.util.Arrays;
import java.util.Vector;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.AlertLevel;
import org.bouncycastle.tls.Certificate;
import org.bouncycastle.tls.HashAlgorithm;
import org.bouncycastle.tls.SignatureAlgorithm;
import org.bouncycastle.tls.SignatureAndHashAlgorithm;
import org.bouncycastle.tls.TlsContext;
import org.bouncycastle.tls.TlsCredentialedSigner;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.crypto.TlsCertificate;
import org.bouncycastle.tls.crypto.TlsCryptoParameters;
import org.bouncycastle.tls.crypto.impl.bc.BcDefaultTlsCredentialedSigner;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;
import org.wabridge.media.srtp.SrtpSuite;

/**
 * What one handshake's BouncyCastle peer ({@link SrtpTlsClient} or {@link SrtpTlsServer}) needs
 * and learns: our identity, the fingerprint the peer must prove, the negotiated suite, the
 * exported keys, and the first reason it failed. Written by the handshake thread only; read by
 * the endpoint on that same thread once BouncyCastle returns or throws.
 */
final class HandshakeOutcome {

    final DtlsRole role;
    final DtlsSettings settings;
    final BcTlsCrypto crypto;
    private final DtlsCertificate certificate;
    private final DtlsFingerprint expectedPeer;

    private DtlsFailure failure;
    private SrtpSuite suite;
    private boolean peerVerified;
    private DtlsSrtpKeys keys;
    private volatile short fatalAlertReceived = -1;
    private volatile boolean peerClosed;

    HandshakeOutcome(DtlsRole role, DtlsSettings settings, BcTlsCrypto crypto, DtlsCertificate certificate,
                     DtlsFingerprint expectedPeer) {
        this.role = role;
        this.settings = settings;
        this.crypto = crypto;
        this.certificate = certificate;
        this.expectedPeer = expectedPeer;
    }

    /**
     * Records why the handshake fails (the first reason wins) and returns the alert to throw, so
     * BouncyCastle tells the peer and stops.
     */
    TlsFatalAlert fail(DtlsFailure.Kind kind, String detail, short alert) {
        if (failure == null) {
            failure = new DtlsFailure(kind, detail, null);
        }
        return new TlsFatalAlert(alert, detail);
    }

    /** RFC 5763 section 5 / RFC 8122: the peer's end-entity certificate must hash to its SDP fingerprint. */
    void verifyPeer(Certificate chain) throws IOException {
        if (chain == null || chain.isEmpty()) {
            throw fail(DtlsFailure.Kind.HANDSHAKE_FAILED, "the peer sent no certificate (DTLS-SRTP needs one on both sides)",
                    AlertDescription.handshake_failure);
        }
        byte[] der = chain.getCertificateAt(0).getEncoded();
        if (!expectedPeer.matches(der)) {
            DtlsFingerprint actual = DtlsFingerprint.of(expectedPeer.hashFunction(), der);
            throw fail(DtlsFailure.Kind.FINGERPRINT_MISMATCH, "fingerprint mismatch: the peer's certificate is "
                    + actual.toSdpValue() + " but its SDP says a=fingerprint:" + expectedPeer.toSdpValue(),
                    AlertDescription.bad_certificate);
        }
        peerVerified = true;
    }

    void negotiated(SrtpSuite negotiated) {
        this.suite = negotiated;
    }

    /** At the end of the handshake: both checks done, then the RFC 5764 keys exported. */
    void handshakeComplete(TlsContext context) throws IOException {
        if (!peerVerified) {
            throw fail(DtlsFailure.Kind.HANDSHAKE_FAILED, "the peer's certificate was never verified",
                    AlertDescription.handshake_failure);
        }
        if (suite == null) {
            throw fail(DtlsFailure.Kind.NO_SRTP_PROFILE, "no SRTP protection profile was negotiated",
                    AlertDescription.handshake_failure);
        }
        byte[] material = context.exportKeyingMaterial(DtlsSrtpKeys.EXPORTER_LABEL, null,
                DtlsSrtpKeys.keyingMaterialLength(suite));
        try {
            keys = DtlsSrtpKeys.fromKeyingMaterial(material, suite, role);
        } finally {
            Arrays.fill(material, (byte) 0);
        }
    }

    void alertReceived(short level, short description) {
        if (description == AlertDescription.close_notify) {
            peerClosed = true;
        } else if (level == AlertLevel.fatal) {
            fatalAlertReceived = description;
        }
    }

    void connectionClosed() {
        peerClosed = true;
    }

    boolean peerClosed() {
        return peerClosed;
    }

    /** The fatal alert the peer sent, or -1. */
    short fatalAlertReceived() {
        return fatalAlertReceived;
    }

    DtlsFailure failure() {
        return failure;
    }

    DtlsSrtpKeys keys() {
        return keys;
    }

    /**
     * Our certificate and key as BouncyCastle credentials, signing with ECDSA and the first hash
     * the peer accepts (SHA-256 when it lists it, as a P-256 key should).
     */
    TlsCredentialedSigner signer(TlsContext context, Vector<?> peerSignatureAlgorithms) throws IOException {
        SignatureAndHashAlgorithm chosen = SignatureAndHashAlgorithm.getInstance(HashAlgorithm.sha256, SignatureAlgorithm.ecdsa);
        if (peerSignatureAlgorithms != null && !peerSignatureAlgorithms.contains(chosen)) {
            chosen = null;
            for (Object o : peerSignatureAlgorithms) {
                SignatureAndHashAlgorithm candidate = (SignatureAndHashAlgorithm) o;
                if (candidate.getSignature() == SignatureAlgorithm.ecdsa) {
                    chosen = candidate;
                    break;
                }
            }
            if (chosen == null) {
                throw fail(DtlsFailure.Kind.HANDSHAKE_FAILED, "the peer accepts no ECDSA signature; our certificate is ECDSA P-256",
                        AlertDescription.handshake_failure);
            }
        }
        TlsCertificate ours = crypto.createCertificate(certificate.derEncoded());
        return new BcDefaultTlsCredentialedSigner(new TlsCryptoParameters(context), crypto, certificate.privateKey(),
                new Certificate(new TlsCertificate[] {ours}), chosen);
    }
}
