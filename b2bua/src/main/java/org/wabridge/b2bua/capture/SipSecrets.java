package org.wabridge.b2bua.capture;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Removes the secrets a SIP message carries before it is written to a capture or a log, keeping every length so
 * that Content-Length stays right and Wireshark still dissects the SDP and the authentication headers.
 *
 * <p>What is masked:
 * <ul>
 *   <li>SDES keys ({@code a=crypto ... inline:KEY|...}): the key is replaced by {@code A}s (valid base64 of zero
 *       bytes; in logs by {@code ****}). The lifetime and MKI after {@code |} stay.</li>
 *   <li>In {@code Authorization} and {@code Proxy-Authorization}: {@code response} and {@code cnonce} by
 *       {@code x}s, {@code nonce} by a placeholder (below).</li>
 *   <li>In {@code WWW-Authenticate} and {@code Proxy-Authenticate}: {@code nonce} by the placeholder.</li>
 *   <li>In {@code Authentication-Info} and {@code Proxy-Authentication-Info}: {@code rspauth} and {@code cnonce} by
 *       {@code x}s, {@code nextnonce} by the placeholder.</li>
 *   <li>The same parameters after the scheme name {@code Digest} wherever it appears (a header value quoted
 *       without its name, in a log line or an exception message), up to the end of that line.</li>
 * </ul>
 *
 * <p>Why these: the digest {@code response} (and the server's {@code rspauth}) is a hash over the password and
 * values that travel in clear (username, realm, nonce, cnonce, nc, qop, method, uri); with all of them an
 * offline dictionary or brute-force guess of the SIP password is possible, and Meta's SIP passwords are
 * long-lived. Masking the response alone already defeats that guess; the nonce and cnonce are masked as well so a
 * capture never supplies the remaining inputs should a response surface elsewhere (a peer's log, a bridge
 * version without this masking). The challenge's nonce is masked too because it is the same value as the one in
 * the answer: masking one and not the other would be pointless. The nonce placeholder is an HMAC of the nonce
 * under a key made at random when the process starts and never stored: the same nonce gets the same placeholder
 * in every capture and log line of this process, so a reader can still match a 407 to the INVITE that answers
 * it and see a reused or stale nonce, but cannot recover the value. {@code opaque}, {@code realm},
 * {@code username}, {@code uri}, {@code nc}, {@code qop}, {@code algorithm} and {@code stale} are not inputs an
 * attacker lacks (or not inputs at all) and stay readable for troubleshooting.
 *
 * <p>Never throws: a malformed header (an unterminated quote, say) is masked to its end.
 */
public final class SipSecrets {

    private SipSecrets() {}

    private static final Pattern SDES_KEY = Pattern.compile("(?i)(inline:)([^\\s|]+)");
    /**
     * Where digest parameters start: one of the authentication headers' names, or the scheme name "Digest" (a
     * header value quoted without its name, in an exception message or a library's log line). Anywhere in a
     * line: a log line or an exception message may quote a header mid-sentence.
     */
    private static final Pattern AUTH_HEADER = Pattern.compile("(?i)(?:\\b(?:proxy-authorization|authorization|"
            + "proxy-authenticate|www-authenticate|proxy-authentication-info|authentication-info)[ \\t]*:"
            + "|\\bdigest(?=[ \\t]))");
    /** Parameters replaced by 'x's (no need to correlate them). */
    private static final Set<String> HIDDEN = Set.of("response", "cnonce", "rspauth");
    /** Parameters replaced by the keyed placeholder (equal values stay equal). */
    private static final Set<String> NONCES = Set.of("nonce", "nextnonce");
    private static final byte[] PLACEHOLDER_KEY = new byte[32];
    /**
     * Nonce placeholders made recently, so that masking already masked text (SipTrace's wire log line, then the
     * logback converter) leaves them as they are instead of hashing them again. Bounded: cleared when full, at
     * worst a placeholder is then hashed twice.
     */
    private static final java.util.Map<String, Boolean> PRODUCED = new java.util.concurrent.ConcurrentHashMap<>() {
        @Override
        public Boolean put(String key, Boolean value) {
            if (size() >= 4096) {
                clear();
            }
            return super.put(key, value);
        }
    };

    static {
        new SecureRandom().nextBytes(PLACEHOLDER_KEY);
    }

    /** For captures: SDES keys become 'A's, digest secrets placeholders; the result has the same length. */
    public static byte[] maskKeepingLength(byte[] sip) {
        String text = new String(sip, StandardCharsets.ISO_8859_1);
        return maskKeepingLength(text).getBytes(StandardCharsets.ISO_8859_1);
    }

    /** As {@link #maskKeepingLength(byte[])}, on text. */
    public static String maskKeepingLength(String sip) {
        if (!mayHoldSecret(sip)) {
            return sip;
        }
        Matcher m = SDES_KEY.matcher(maskDigest(sip));
        StringBuilder out = new StringBuilder(sip.length());
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(m.group(1) + "A".repeat(m.group(2).length())));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** For logs: SDES keys become {@code ****} (clearly not a key), digest secrets as in captures. */
    public static String maskForLog(String text) {
        if (text == null || !mayHoldSecret(text)) {
            return text; // every log line comes here: most hold neither a key nor a digest header
        }
        return SDES_KEY.matcher(maskDigest(text)).replaceAll("$1****");
    }

    /**
     * A cheap scan that finds every text the patterns could change: an SDES key needs "inline:", a digest
     * parameter follows "Digest" or a header name containing "authori" (Authorization) or "authent"
     * (Authenticate, Authentication-Info). Not just "auth": every call's end line holds "authFailures".
     * False positives only cost the full masking.
     */
    static boolean mayHoldSecret(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = (char) (text.charAt(i) | 0x20);
            if ((c == 'i' && text.regionMatches(true, i, "inline:", 0, 7))
                    || (c == 'd' && text.regionMatches(true, i, "digest", 0, 6))
                    || (c == 'a' && (text.regionMatches(true, i, "authori", 0, 7)
                            || text.regionMatches(true, i, "authent", 0, 7)))) {
                return true;
            }
        }
        return false;
    }

    /** Digest secrets in the authentication headers of {@code text} replaced, keeping every length. */
    static String maskDigest(String text) {
        Matcher header = AUTH_HEADER.matcher(text);
        if (!header.find()) {
            return text;
        }
        char[] chars = text.toCharArray();
        int done = 0;
        do {
            if (header.start() < done) {
                continue; // "Digest" inside a header already masked: never mask twice (nonce placeholders)
            }
            int start = header.end();
            done = endOfHeader(text, start);
            maskParameters(chars, start, done);
        } while (header.find());
        return new String(chars);
    }

    /** Where the header value starting at {@code from} ends: at a line end not followed by a folded line. */
    private static int endOfHeader(String text, int from) {
        int i = from;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '\r' || c == '\n') {
                int next = c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n' ? i + 2 : i + 1;
                if (next < text.length() && (text.charAt(next) == ' ' || text.charAt(next) == '\t')) {
                    i = next; // folded continuation line (RFC 3261 7.3.1)
                    continue;
                }
                return i;
            }
            i++;
        }
        return i;
    }

    /**
     * Walks {@code name=value} pairs in {@code chars[from, to)}, outside quoted strings, and replaces the values
     * of secret parameters (their content only: quotes stay). Several schemes in one value are just more pairs.
     */
    private static void maskParameters(char[] chars, int from, int to) {
        int i = from;
        while (i < to) {
            char c = chars[i];
            if (c == '"') {
                i = endOfQuoted(chars, i, to);
                continue;
            }
            if (!isTokenChar(c)) {
                i++;
                continue;
            }
            int nameStart = i;
            while (i < to && isTokenChar(chars[i])) {
                i++;
            }
            String name = new String(chars, nameStart, i - nameStart).toLowerCase(Locale.ROOT);
            int j = skipWhitespace(chars, i, to);
            if (j >= to || chars[j] != '=') {
                continue; // a scheme name such as "Digest", or a token68
            }
            j = skipWhitespace(chars, j + 1, to);
            int valueStart;
            int valueEnd;
            int next;
            if (j < to && chars[j] == '"') {
                valueStart = j + 1;
                next = endOfQuoted(chars, j, to);
                // the content only: the closing quote stays (an unterminated value runs to the header's end)
                valueEnd = next - 1 >= valueStart && chars[next - 1] == '"' ? next - 1 : next;
            } else {
                valueStart = j;
                int k = j;
                while (k < to && chars[k] != ',' && chars[k] != ';' && chars[k] != '"'
                        && !Character.isWhitespace(chars[k])) {
                    k++;
                }
                valueEnd = k;
                next = k;
            }
            if (HIDDEN.contains(name)) {
                fill(chars, valueStart, valueEnd, null);
            } else if (NONCES.contains(name)) {
                String value = new String(chars, valueStart, valueEnd - valueStart);
                if (!PRODUCED.containsKey(value)) { // masking twice (wire log, then logback) keeps one placeholder
                    fill(chars, valueStart, valueEnd, placeholder(value));
                    PRODUCED.put(new String(chars, valueStart, valueEnd - valueStart), Boolean.TRUE);
                }
            }
            i = Math.max(next, i + 1);
        }
    }

    /** The index after the closing quote of the quoted string opening at {@code open} (or {@code to}). */
    private static int endOfQuoted(char[] chars, int open, int to) {
        int i = open + 1;
        while (i < to) {
            char c = chars[i];
            if (c == '\\' && i + 1 < to) {
                i += 2;
            } else if (c == '"') {
                return i + 1;
            } else {
                i++;
            }
        }
        return to; // unterminated: the value runs to the end of the header
    }

    private static int skipWhitespace(char[] chars, int i, int to) {
        while (i < to && (chars[i] == ' ' || chars[i] == '\t' || chars[i] == '\r' || chars[i] == '\n')) {
            i++;
        }
        return i;
    }

    /** RFC 3261 25.1 token characters. */
    private static boolean isTokenChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || "-.!%*_+`'~".indexOf(c) >= 0;
    }

    /** Replaces {@code chars[from, to)} with 'x's, or with {@code pattern} repeated when it is given. */
    private static void fill(char[] chars, int from, int to, String pattern) {
        for (int i = from; i < to; i++) {
            chars[i] = pattern == null ? 'x' : pattern.charAt((i - from) % pattern.length());
        }
    }

    /** Lowercase hex of HMAC-SHA256(process key, value): equal values, equal placeholders; not reversible. */
    static String placeholder(String value) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(PLACEHOLDER_KEY, "HmacSHA256"));
            byte[] digest = mac.doFinal(value.getBytes(StandardCharsets.UTF_8));
            StringBuilder hex = new StringBuilder(digest.length * 2);
            for (byte b : digest) {
                hex.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
            }
            return hex.toString();
        } catch (GeneralSecurityException e) {
            return "x"; // HmacSHA256 is in every JDK; should it be missing, mask without correlation
        }
    }
}
