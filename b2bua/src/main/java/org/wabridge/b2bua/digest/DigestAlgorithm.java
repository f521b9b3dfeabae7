package org.wabridge.b2bua.digest;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;

/**
 * The digest hash algorithms the bridge speaks (RFC 7616 section 3.3, RFC 8760 for SIP).
 * The {@code -sess} variants are deliberately absent: neither Meta nor common PBXs use them.
 */
public enum DigestAlgorithm {
    MD5("MD5", "MD5"),
    SHA_256("SHA-256", "SHA-256");

    private final String token;
    private final String jcaName;

    DigestAlgorithm(String token, String jcaName) {
        this.token = token;
        this.jcaName = jcaName;
    }

    /** The value of the {@code algorithm} parameter on the wire, e.g. "SHA-256". */
    public String token() {
        return token;
    }

    /** Hashes the UTF-8 bytes of {@code input}; returns lowercase hex as the digest scheme requires. */
    public String hash(String input) {
        MessageDigest digest;
        try {
            // MessageDigest instances are not thread-safe, so each call takes its own.
            digest = MessageDigest.getInstance(jcaName);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no " + jcaName + " MessageDigest, which every Java 17 JDK must have", e);
        }
        return HexFormat.of().formatHex(digest.digest(input.getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * Maps an {@code algorithm} parameter value to an algorithm, ignoring case.
     *
     * @param token the parameter value, or null when the parameter is absent (which means MD5)
     * @return empty for unknown algorithms and for the unsupported {@code -sess} variants
     */
    public static Optional<DigestAlgorithm> fromToken(String token) {
        if (token == null) {
            return Optional.of(MD5);
        }
        String wanted = token.trim().toUpperCase(Locale.ROOT);
        for (DigestAlgorithm algorithm : values()) {
            if (algorithm.token.equals(wanted)) {
                return Optional.of(algorithm);
            }
        }
        return Optional.empty();
    }
}
