package org.wabridge.sandbox;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.wabridge.b2bua.sip.HostResolver;
import org.wabridge.config.Pem;

/**
 * The lab's test PKI made in Java (BouncyCastle), so the sandbox needs no openssl: the same files as
 * {@code scripts/lab/certs.sh} (edge-ca.pem/.key, edge.pem/.key for the edge name, bridge.pem/.key for the
 * bridge's hostname and 127.0.0.1), EC P-256, unencrypted PKCS#8 keys, leaf chains leaf-then-CA. Only missing
 * files are made; files made by certs.sh are used as they are.
 */
public final class LabCa {

    private static final SecureRandom RANDOM = new SecureRandom();

    private LabCa() {}

    /** Makes whatever of the lab PKI is missing in {@code dir}. */
    public static void ensure(Path dir, String edgeHost, String bridgeHost) throws IOException, GeneralSecurityException {
        Files.createDirectories(dir);
        Path caPem = dir.resolve("edge-ca.pem");
        Path caKey = dir.resolve("edge-ca.key");
        if (!Files.exists(caPem) || !Files.exists(caKey)) {
            KeyPair ca = newKey();
            X509Certificate cert = sign(new X500Name("O=WA Bridge Lab,CN=WA Bridge Lab Test CA"), ca, null, ca, true,
                    List.of(), Duration.ofDays(3650));
            writeKey(caKey, ca.getPrivate());
            Files.writeString(caPem, pem("CERTIFICATE", cert.getEncoded()), StandardCharsets.US_ASCII);
        }
        X509Certificate caCert = (X509Certificate) Pem.certificates(Pem.read(caPem)).get(0);
        PrivateKey caPrivate = null;
        for (Pem.Block b : Pem.read(caKey)) {
            if (b.type().equals("PRIVATE KEY")) {
                caPrivate = Pem.pkcs8(b, caCert.getPublicKey().getAlgorithm());
            }
        }
        if (caPrivate == null) {
            throw new GeneralSecurityException(caKey + " holds no PKCS#8 private key");
        }
        KeyPair caPair = new KeyPair(caCert.getPublicKey(), caPrivate);
        leaf(dir, "edge", edgeHost, List.of(edgeHost), caCert, caPair);
        List<String> bridgeNames = new ArrayList<>(List.of(bridgeHost));
        if (!bridgeNames.contains("127.0.0.1")) {
            bridgeNames.add("127.0.0.1");
        }
        leaf(dir, "bridge", bridgeHost, bridgeNames, caCert, caPair);
    }

    private static void leaf(Path dir, String name, String cn, List<String> names, X509Certificate caCert,
                             KeyPair ca) throws IOException, GeneralSecurityException {
        Path pem = dir.resolve(name + ".pem");
        Path key = dir.resolve(name + ".key");
        if (Files.exists(pem) && Files.exists(key)) {
            return;
        }
        KeyPair pair = newKey();
        X509Certificate cert = sign(new X500Name("O=WA Bridge Lab,CN=" + cn), pair,
                X500Name.getInstance(caCert.getSubjectX500Principal().getEncoded()), ca, false, names, Duration.ofDays(825));
        writeKey(key, pair.getPrivate());
        Files.writeString(pem, pem("CERTIFICATE", cert.getEncoded()) + pem("CERTIFICATE", caCert.getEncoded()),
                StandardCharsets.US_ASCII);
    }

    private static KeyPair newKey() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
        return g.generateKeyPair();
    }

    private static X509Certificate sign(X500Name subject, KeyPair subjectKey, X500Name issuer, KeyPair issuerKey,
                                        boolean isCa, List<String> names, Duration validity)
            throws GeneralSecurityException, IOException {
        Instant now = Instant.now();
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer == null ? subject : issuer,
                new BigInteger(96, RANDOM), Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(validity)),
                subject, subjectKey.getPublic());
        JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(isCa));
        b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(subjectKey.getPublic()));
        if (isCa) {
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        } else {
            b.addExtension(Extension.authorityKeyIdentifier, false,
                    ext.createAuthorityKeyIdentifier(issuerKey.getPublic()));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement));
            b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(
                    new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
            GeneralName[] sans = names.stream().map(n -> HostResolver.isIpLiteral(n)
                    ? new GeneralName(GeneralName.iPAddress, n) : new GeneralName(GeneralName.dNSName, n))
                    .toArray(GeneralName[]::new);
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(sans));
        }
        try {
            return new JcaX509CertificateConverter().getCertificate(
                    b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey.getPrivate())));
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException("cannot sign the lab certificate: " + e.getMessage(), e);
        }
    }

    private static void writeKey(Path file, PrivateKey key) throws IOException {
        Files.deleteIfExists(file);
        Files.createFile(file);
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException notPosix) {
            // not a POSIX file system: the directory's permissions protect it
        }
        Files.writeString(file, pem("PRIVATE KEY", key.getEncoded()), StandardCharsets.US_ASCII);
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}
