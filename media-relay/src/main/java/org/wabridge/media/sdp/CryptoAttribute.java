package org.wabridge.media.sdp;

import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;
import org.wabridge.media.srtp.SrtpSuite;

/**
 * An SDES {@code a=crypto} attribute (RFC 4568) with an inline 30-byte master key and salt.
 * The key material is a secret: {@link #toString()} never shows it.
 */
public final class CryptoAttribute {

    private final int tag;
    private final SrtpSuite suite;
    private final byte[] keyAndSalt;

    public CryptoAttribute(int tag, SrtpSuite suite, byte[] keyAndSalt) {
        if (keyAndSalt.length != SrtpSuite.KEY_AND_SALT_LENGTH) {
            throw new IllegalArgumentException("SRTP master key and salt must be "
                    + SrtpSuite.KEY_AND_SALT_LENGTH + " bytes, got " + keyAndSalt.length);
        }
        this.tag = tag;
        this.suite = suite;
        this.keyAndSalt = keyAndSalt.clone();
    }

    /**
     * Parses the value after {@code a=crypto:}, e.g. {@code 1 AES_CM_128_HMAC_SHA1_80 inline:KEY|2^31|1:1}.
     * Returns empty for a suite or key form we do not support (the caller tries the next line).
     */
    public static Optional<CryptoAttribute> parse(String value) {
        String[] parts = SessionDescription.WHITESPACE.split(value.trim());
        if (parts.length < 3) {
            return Optional.empty();
        }
        int tag;
        try {
            tag = Integer.parseInt(parts[0]);
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        Optional<SrtpSuite> suite = SrtpSuite.fromSdpName(parts[1]);
        // only one key parameter, no session parameters (UNENCRYPTED_SRTP, KDR...) we do not implement
        if (suite.isEmpty() || parts.length > 3 || !parts[2].startsWith("inline:")) {
            return Optional.empty();
        }
        String keyParam = parts[2].substring("inline:".length());
        String[] keyFields = keyParam.split("\\|", -1); // -1: "inline:||" has an (empty) key field, not none
        for (int i = 1; i < keyFields.length; i++) {
            // a lifetime is fine; an MKI (contains ':') is not supported
            if (keyFields[i].contains(":")) {
                return Optional.empty();
            }
        }
        byte[] material;
        try {
            material = Base64.getDecoder().decode(keyFields[0]);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        if (material.length != SrtpSuite.KEY_AND_SALT_LENGTH) {
            return Optional.empty();
        }
        return Optional.of(new CryptoAttribute(tag, suite.get(), material));
    }

    /** The attribute value (without {@code a=crypto:}). Contains the key: only for SDP bodies. */
    public String format() {
        return tag + " " + suite.sdpName() + " inline:" + Base64.getEncoder().encodeToString(keyAndSalt);
    }

    public int tag() {
        return tag;
    }

    public SrtpSuite suite() {
        return suite;
    }

    public byte[] masterKey() {
        return Arrays.copyOfRange(keyAndSalt, 0, SrtpSuite.MASTER_KEY_LENGTH);
    }

    public byte[] masterSalt() {
        return Arrays.copyOfRange(keyAndSalt, SrtpSuite.MASTER_KEY_LENGTH, keyAndSalt.length);
    }

    public CryptoAttribute withTagAndSuite(int newTag, SrtpSuite newSuite) {
        return new CryptoAttribute(newTag, newSuite, keyAndSalt);
    }

    @Override
    public String toString() {
        return "crypto:" + tag + " " + suite.sdpName() + " inline:<hidden>";
    }
}
