package org.wabridge.b2bua.digest;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Answers Digest challenges: computes {@code Authorization} / {@code Proxy-Authorization} header values.
 *
 * <p>Keeps the nonce count per nonce, so one instance should serve all requests of a trunk: Meta accepts
 * a nonce again with a higher count ({@code nc=00000002} in its own sample). Thread-safe.
 *
 * <p>Answer each challenge once: Meta reports a wrong password as 403 ("Invalid digest auth response"),
 * and a second 401/407 for the same request without {@code stale=true} also means the credentials are wrong.
 */
public final class DigestClient {

    /**
     * Enough for every nonce live at once on a busy trunk. An evicted nonce restarts at 1; a server that
     * tracks counts answers that with stale=true and the retry gets a fresh nonce.
     */
    private static final int MAX_REMEMBERED_NONCES = 1024;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Supplier<String> cnonceSource;
    private final Map<String, Long> nonceCounts = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
            return size() > MAX_REMEMBERED_NONCES;
        }
    };

    /** A client whose cnonces are 16 random bytes, base64url without padding. */
    public DigestClient() {
        this(DigestClient::randomCnonce);
    }

    /** A client taking its cnonces from {@code cnonceSource} (one call per answer). */
    public DigestClient(Supplier<String> cnonceSource) {
        this.cnonceSource = Objects.requireNonNull(cnonceSource, "cnonceSource is null");
    }

    private static String randomCnonce() {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /**
     * Builds the credentials header value answering {@code challenge}.
     *
     * @param username the digest username (for Meta: the business number without '+')
     * @param password the SIP password; it only enters the hash and never appears in the result or an exception
     * @param method   the SIP method of the request being authorized, e.g. "INVITE"
     * @param uri      the Request-URI exactly as sent in the request line, e.g. "sip:+12195550714@wa.meta.vc;transport=tls"
     * @return e.g. {@code Digest username="...", realm="...", nonce="...", uri="...", response="...", algorithm=MD5,
     *         cnonce="...", opaque="...", qop=auth, nc=00000001}
     */
    public String answer(DigestChallenge challenge, String username, String password, String method, String uri) {
        Objects.requireNonNull(challenge, "digest challenge is null");
        AuthHeaderParser.requirePrintable(username, "digest username");
        Objects.requireNonNull(password, "SIP password is null: configure the password Meta generated for this number");
        AuthHeaderParser.requirePrintable(method, "SIP method");
        AuthHeaderParser.requirePrintable(uri, "digest uri");

        String cnonce = null;
        String nc = null;
        if (challenge.qopAuth()) {
            cnonce = AuthHeaderParser.requirePrintable(cnonceSource.get(), "cnonce");
            if (cnonce.isEmpty()) {
                throw new IllegalStateException("the cnonce source returned an empty cnonce");
            }
            nc = eightHexDigits(nextCount(challenge.realm(), challenge.nonce()));
        }
        String response = DigestResponse.compute(challenge.algorithm(), username, challenge.realm(), password,
                method, uri, challenge.nonce(), challenge.qopAuth(), nc, cnonce);

        // Parameter order follows Meta's own sample, which its edge is known to accept.
        StringBuilder header = new StringBuilder("Digest username=").append(AuthHeaderParser.quote(username))
                .append(", realm=").append(AuthHeaderParser.quote(challenge.realm()))
                .append(", nonce=").append(AuthHeaderParser.quote(challenge.nonce()))
                .append(", uri=").append(AuthHeaderParser.quote(uri))
                .append(", response=").append(AuthHeaderParser.quote(response))
                .append(", algorithm=").append(challenge.algorithm().token());
        if (challenge.qopAuth()) {
            header.append(", cnonce=").append(AuthHeaderParser.quote(cnonce));
        }
        if (challenge.opaque() != null) {
            header.append(", opaque=").append(AuthHeaderParser.quote(challenge.opaque()));
        }
        if (challenge.qopAuth()) {
            header.append(", qop=auth, nc=").append(nc);
        }
        return header.toString();
    }

    /** {@code %08x} without a Formatter (it showed in the per-call profile). */
    static String eightHexDigits(long count) {
        String hex = Long.toHexString(count);
        return hex.length() >= 8 ? hex : "00000000".substring(hex.length()) + hex;
    }

    private synchronized long nextCount(String realm, String nonce) {
        // The nonce alone identifies the server state; the realm keeps two servers' equal nonces apart.
        return nonceCounts.merge(realm + '\u0000' + nonce, 1L, Long::sum);
    }
}
