package org.wabridge.media.ice;

import java.security.SecureRandom;
import java.util.Random;
import java.util.regex.Pattern;

/**
 * ICE credentials of one side: {@code a=ice-ufrag} and {@code a=ice-pwd}.
 *
 * <p>Ours are generated from ice-chars (ALPHA / DIGIT / "+" / "/", RFC 8839 section 5.4) with more randomness than
 * RFC 8445 section 5.3 asks (24 bits for the ufrag, 128 for the password): 8 chars (48 bits) and 24 chars
 * (144 bits). The peer's are taken as they come within RFC 8839's lengths, with any visible ASCII except ':'
 * in the ufrag (it separates the two ufrags in USERNAME): Meta's passwords look like base64 with "==", which is not
 * an ice-char but works as a key.
 */
public record IceCredentials(String ufrag, String pwd) {

    public static final int UFRAG_LENGTH = 8;
    public static final int PWD_LENGTH = 24;
    private static final String ICE_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    private static final Pattern REMOTE_UFRAG = Pattern.compile("[\\x21-\\x39\\x3b-\\x7e]{4,256}");
    private static final Pattern REMOTE_PWD = Pattern.compile("[\\x21-\\x7e]{22,256}");
    private static final SecureRandom RANDOM = new SecureRandom();

    public IceCredentials {
        if (ufrag == null || !REMOTE_UFRAG.matcher(ufrag).matches()) {
            throw new IllegalArgumentException("ICE ufrag must be 4 to 256 visible characters without ':', not \""
                    + ufrag + "\"");
        }
        if (pwd == null || !REMOTE_PWD.matcher(pwd).matches()) {
            throw new IllegalArgumentException("ICE password must be 22 to 256 visible characters (it has "
                    + (pwd == null ? "none" : pwd.length() + "") + ")");
        }
    }

    /** Fresh credentials for one call's Meta leg. */
    public static IceCredentials generate() {
        return generate(RANDOM);
    }

    /** Fresh credentials from {@code random} (tests pass a seeded one; production uses a SecureRandom). */
    public static IceCredentials generate(Random random) {
        return new IceCredentials(iceChars(random, UFRAG_LENGTH), iceChars(random, PWD_LENGTH));
    }

    private static String iceChars(Random random, int n) {
        StringBuilder b = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            b.append(ICE_CHARS.charAt(random.nextInt(ICE_CHARS.length())));
        }
        return b.toString();
    }

    /** The MESSAGE-INTEGRITY key for messages checked with this side's password. */
    public byte[] key() {
        return StunCodec.shortTermKey(pwd);
    }

    @Override
    public String toString() {
        return "IceCredentials[ufrag=" + ufrag + ", pwd=(" + pwd.length() + " chars)]";
    }
}
