package org.wabridge.b2bua.sip;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** Builds the TLS contexts of the Meta leg from PEM files, without touching JVM-wide properties. */
public final class TlsContexts {

    private static final Pattern PRIVATE_KEY =
            Pattern.compile("-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");

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
        List<Certificate> chain = readCertificates(chainPem);
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

    static List<Certificate> readCertificates(Path pem) throws IOException, GeneralSecurityException {
        try (var in = Files.newInputStream(pem)) {
            Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
            return new ArrayList<>(certs);
        }
    }

    static PrivateKey readPrivateKey(Path pem, String algorithm) throws IOException, GeneralSecurityException {
        Matcher m = PRIVATE_KEY.matcher(Files.readString(pem, StandardCharsets.US_ASCII));
        if (!m.find()) {
            // Say what is wrong without echoing the file's content.
            throw new GeneralSecurityException(pem + " holds no unencrypted PKCS#8 key (-----BEGIN PRIVATE KEY-----); "
                    + "convert it with: openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8");
        }
        byte[] der = Base64.getMimeDecoder().decode(m.group(1));
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
    }
}
