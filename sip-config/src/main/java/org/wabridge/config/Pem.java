package org.wabridge.config;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** Minimal PEM reading with the JDK only (no BouncyCastle in this module); the TLS listener uses it too. */
public final class Pem {

    public record Block(String type, byte[] der) {}

    private static final Pattern BLOCK =
            Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \\1-----", Pattern.DOTALL);

    private Pem() {}

    /** Every PEM block in the file, in order; text around the blocks (e.g. openssl's "subject=" lines) is ignored. */
    public static List<Block> read(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.US_ASCII);
        List<Block> blocks = new ArrayList<>();
        Matcher m = BLOCK.matcher(text);
        while (m.find()) {
            // Legacy blocks may carry RFC 1421 headers ("Proc-Type: 4,ENCRYPTED"): they are not base64.
            String base64 = m.group(2).lines().filter(line -> line.indexOf(':') < 0).collect(Collectors.joining());
            blocks.add(new Block(m.group(1), Base64.getMimeDecoder().decode(base64)));
        }
        return blocks;
    }

    public static List<X509Certificate> certificates(List<Block> blocks) throws GeneralSecurityException {
        CertificateFactory factory = CertificateFactory.getInstance("X.509");
        List<X509Certificate> certificates = new ArrayList<>();
        for (Block block : blocks) {
            if (block.type().equals("CERTIFICATE")) {
                certificates.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(block.der())));
            }
        }
        return certificates;
    }

    /** Decodes an unencrypted PKCS#8 key of the given algorithm ("RSA", "EC", "Ed25519"...). */
    public static PrivateKey pkcs8(Block block, String algorithm) throws GeneralSecurityException {
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(block.der()));
    }
}
