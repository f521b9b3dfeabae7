package org.wabridge.b2bua.sip;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
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
