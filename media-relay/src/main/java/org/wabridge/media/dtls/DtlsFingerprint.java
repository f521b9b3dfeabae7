package org.wabridge.media.dtls;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A certificate fingerprint as SDP carries it in {@code a=fingerprint} (RFC 8122 section 5):
 * a hash function name and the hash of the DER certificate as upper-case hex pairs joined by
 * colons, e.g. {@code sha-256 4A:AD:...}. Meta sends {@code sha-256}; the other hash functions of
 * RFC 8122 that are still sound enough to name a certificate are accepted as well.
 */
public final class DtlsFingerprint {

    /** SDP hash function name (lower case, as RFC 8122 writes them) to JCA digest name. */
    private static final Map<String, String> HASHES = Map.of(
            "sha-1", "SHA-1",
            "sha-224", "SHA-224",
            "sha-256", "SHA-256",
            "sha-384", "SHA-384",
            "sha-512", "SHA-512");

    private static final HexFormat HEX = HexFormat.ofDelimiter(":").withUpperCase();

    private final String hashFunction;
    private final byte[] value;

    private DtlsFingerprint(String hashFunction, byte[] value) {
        this.hashFunction = hashFunction;
        this.value = value;
    }

    /** The SHA-256 fingerprint of a DER-encoded certificate (what we put in our own SDP). */
    public static DtlsFingerprint sha256(byte[] derCertificate) {
        return of("sha-256", derCertificate);
    }

    /** The fingerprint of a DER-encoded certificate with the named SDP hash function. */
    public static DtlsFingerprint of(String hashFunction, byte[] derCertificate) {
        String name = hashFunction.toLowerCase(Locale.ROOT);
        return new DtlsFingerprint(name, digest(name, derCertificate));
    }

    /**
     * Parses the value after {@code a=fingerprint:}, e.g. {@code sha-256 AB:CD:...}. Empty when the
     * hash function is unknown or the hex does not have that function's length.
     */
    public static Optional<DtlsFingerprint> parse(String sdpValue) {
        String[] parts = sdpValue.trim().split("\\s+");
        if (parts.length != 2) {
            return Optional.empty();
        }
        String name = parts[0].toLowerCase(Locale.ROOT);
        if (!HASHES.containsKey(name)) {
            return Optional.empty();
        }
        byte[] value;
        try {
            value = HEX.parseHex(parts[1].toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        if (value.length != digestLength(name)) {
            return Optional.empty();
        }
        return Optional.of(new DtlsFingerprint(name, value));
    }

    /** The attribute value, e.g. {@code sha-256 4A:AD:...} (without {@code a=fingerprint:}). */
    public String toSdpValue() {
        return hashFunction + " " + HEX.formatHex(value);
    }

    public String hashFunction() {
        return hashFunction;
    }

    public byte[] value() {
        return value.clone();
    }

    /** Whether this fingerprint names the given DER certificate (hashed with this hash function). */
    public boolean matches(byte[] derCertificate) {
        return MessageDigest.isEqual(value, digest(hashFunction, derCertificate));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DtlsFingerprint other && hashFunction.equals(other.hashFunction)
                && Arrays.equals(value, other.value);
    }

    @Override
    public int hashCode() {
        return 31 * hashFunction.hashCode() + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return toSdpValue();
    }

    private static int digestLength(String name) {
        return messageDigest(name).getDigestLength();
    }

    private static byte[] digest(String name, byte[] data) {
        return messageDigest(name).digest(data);
    }

    private static MessageDigest messageDigest(String name) {
        String jca = HASHES.get(name);
        if (jca == null) {
            throw new IllegalArgumentException("unsupported fingerprint hash function: " + name);
        }
        try {
            return MessageDigest.getInstance(jca);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(jca + " is part of every Java runtime", e);
        }
    }
}
