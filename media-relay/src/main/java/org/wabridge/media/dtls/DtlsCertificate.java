package org.wabridge.media.dtls;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.ECNamedCurveTable;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.generators.ECKeyPairGenerator;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.params.ECKeyGenerationParameters;
import org.bouncycastle.crypto.params.ECNamedDomainParameters;
import org.bouncycastle.crypto.util.SubjectPublicKeyInfoFactory;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.DefaultDigestAlgorithmIdentifierFinder;
import org.bouncycastle.operator.DefaultSignatureAlgorithmIdentifierFinder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.bc.BcECContentSignerBuilder;

/**
 * Our DTLS identity: a fresh self-signed X.509 certificate with an ECDSA P-256 key (Meta asks
 * for ECDSA/ECDH certificates so that handshake flights are small and need no fragmentation).
 * Peers do not check it against any CA: they check its hash against the {@code a=fingerprint} of
 * our SDP ({@link #fingerprint()}). One per relay start is enough; it is immutable and shared by
 * all calls. The private key never leaves this object (package-private accessor only).
 */
public final class DtlsCertificate {

    /** A relay may run for months; peers check the fingerprint, not the dates, but keep them sane. */
    public static final Duration DEFAULT_VALIDITY = Duration.ofDays(365);
    private static final String SIGNATURE_ALGORITHM = "SHA256withECDSA";

    private final byte[] der;
    private final AsymmetricKeyParameter privateKey;
    private final DtlsFingerprint fingerprint;

    private DtlsCertificate(byte[] der, AsymmetricKeyParameter privateKey) {
        this.der = der;
        this.privateKey = privateKey;
        this.fingerprint = DtlsFingerprint.sha256(der);
    }

    /** A new key pair and certificate, valid from a day ago for {@link #DEFAULT_VALIDITY}. */
    public static DtlsCertificate generate() {
        return generate(Instant.now(), DEFAULT_VALIDITY, new SecureRandom());
    }

    public static DtlsCertificate generate(Instant now, Duration validity, SecureRandom random) {
        X9ECParameters curve = ECNamedCurveTable.getByOID(SECObjectIdentifiers.secp256r1);
        // named domain parameters: the certificate names the curve by OID, as every TLS stack expects
        ECNamedDomainParameters domain = new ECNamedDomainParameters(SECObjectIdentifiers.secp256r1, curve);
        ECKeyPairGenerator generator = new ECKeyPairGenerator();
        generator.init(new ECKeyGenerationParameters(domain, random));
        AsymmetricCipherKeyPair keyPair = generator.generateKeyPair();
        try {
            SubjectPublicKeyInfo publicKey = SubjectPublicKeyInfoFactory.createSubjectPublicKeyInfo(keyPair.getPublic());
            X500Name name = new X500Name("CN=wa-sip-bridge");
            BigInteger serial = new BigInteger(63, random).add(BigInteger.ONE);
            X509v3CertificateBuilder builder = new X509v3CertificateBuilder(name, serial,
                    Date.from(now.minus(Duration.ofDays(1))), Date.from(now.plus(validity)), name, publicKey);
            AlgorithmIdentifier signatureAlgorithm = new DefaultSignatureAlgorithmIdentifierFinder().find(SIGNATURE_ALGORITHM);
            AlgorithmIdentifier digestAlgorithm = new DefaultDigestAlgorithmIdentifierFinder().find(signatureAlgorithm);
            ContentSigner signer = new BcECContentSignerBuilder(signatureAlgorithm, digestAlgorithm)
                    .build(keyPair.getPrivate());
            return new DtlsCertificate(builder.build(signer).getEncoded(), keyPair.getPrivate());
        } catch (IOException e) {
            throw new UncheckedIOException("encoding a self-signed certificate", e);
        } catch (OperatorCreationException e) {
            throw new IllegalStateException(SIGNATURE_ALGORITHM + " is built into BouncyCastle", e);
        }
    }

    /** {@code a=fingerprint} of this certificate: SHA-256, as Meta's own SDP uses. */
    public DtlsFingerprint fingerprint() {
        return fingerprint;
    }

    /** The DER encoding of the certificate (public; the private key is not in it). */
    public byte[] derEncoded() {
        return der.clone();
    }

    AsymmetricKeyParameter privateKey() {
        return privateKey;
    }

    @Override
    public String toString() {
        return "DtlsCertificate[ECDSA P-256, " + fingerprint.toSdpValue() + "]";
    }
}
