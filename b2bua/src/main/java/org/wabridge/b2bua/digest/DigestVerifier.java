package org.wabridge.b2bua.digest;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Server side of Digest: challenges a peer (Meta, on user-initiated calls) and checks its answer.
 *
 * <p>Nonces carry their own state: the issue time plus an HMAC-SHA256 over it (keyed with {@code nonceSecret},
 * bound to the realm and algorithm), so any instance sharing the secret can check them. The only memory
 * kept is, per nonce in use, the highest nonce count accepted, to refuse a replayed request (RFC 7616
 * section 5.5); it is bounded and forgets nonces once they expire. Call {@link #verify} once per request.
 * Thread-safe.
 */
public final class DigestVerifier {

    /** The outcome of {@link #verify}, with what the caller should answer. */
    public enum Verdict {
        /** Credentials are right: let the request through. */
        OK("digest credentials accepted"),
        /**
         * Password right but the nonce expired, or its nonce count was already used (a replay):
         * challenge again with {@code stale=true}.
         */
        STALE_NONCE("the nonce expired or its nonce count was already used; the peer will be re-challenged with stale=true"),
        /** The username is not the one configured for this number: reject with 403, do not re-challenge. */
        WRONG_USERNAME("the digest username the peer sent is not the configured one; for Meta it is the business "
                + "number without '+', check the number in the bridge configuration"),
        /** Username right, response wrong, so the password differs: reject with 403, do not re-challenge. */
        WRONG_RESPONSE("the digest response does not match: the SIP password configured in the bridge differs "
                + "from the one Meta generated for this number (sip_user_password); fetch it again from the "
                + "Graph API settings endpoint and update the configuration"),
        /** The nonce (or realm, or opaque) was not issued by this verifier, e.g. before a restart with a new secret: challenge again. */
        FOREIGN_NONCE("the credentials answer a challenge this bridge did not issue (other realm, unknown nonce "
                + "or opaque, or a nonce from before the nonce secret changed); the peer will be re-challenged"),
        /** Not parseable as Digest credentials we can check (missing fields, qop other than auth, unknown algorithm): 400 or a new challenge. */
        MALFORMED("the Authorization header is not valid Digest credentials with qop=auth and MD5 or SHA-256");

        private final String explanation;

        Verdict(String explanation) {
            this.explanation = explanation;
        }

        /** One sentence for the log that tells an admin what happened and what to fix. */
        public String explanation() {
            return explanation;
        }
    }

    private static final int MIN_SECRET_BYTES = 16;
    private static final int TIMESTAMP_BYTES = Long.BYTES;
    private static final int MAC_BYTES = 32;
    private static final int OPAQUE_BYTES = 12;
    private static final String HMAC = "HmacSHA256";
    /** Caps the replay memory; far above the nonces a bridge has live within one nonce lifetime. */
    private static final int MAX_TRACKED_NONCES = 100_000;

    private final String realm;
    private final SecretKeySpec nonceKey;
    private final Clock clock;
    private final Duration nonceLifetime;
    private final String opaque;
    /** Nonce -> highest accepted count, in the order nonces were first accepted (roughly issue order). */
    private final LinkedHashMap<String, AcceptedCount> acceptedCounts = new LinkedHashMap<>();

    private record AcceptedCount(long issuedAtMillis, long nonceCount) {}

    /**
     * @param realm         the realm to challenge with; any value works with Meta
     * @param nonceSecret   at least 16 random bytes, copied; instances sharing it accept each other's nonces
     * @param clock         time source for nonce issue and expiry
     * @param nonceLifetime how long a nonce is accepted before the verdict is {@link Verdict#STALE_NONCE}
     */
    public DigestVerifier(String realm, byte[] nonceSecret, Clock clock, Duration nonceLifetime) {
        AuthHeaderParser.requirePrintable(realm, "digest realm");
        if (realm.isBlank()) {
            throw new IllegalArgumentException("digest realm is blank: set a realm for challenging inbound calls, e.g. the bridge's host name");
        }
        Objects.requireNonNull(nonceSecret, "digest nonce secret is null");
        if (nonceSecret.length < MIN_SECRET_BYTES) {
            throw new IllegalArgumentException("digest nonce secret has " + nonceSecret.length + " bytes; use at least "
                    + MIN_SECRET_BYTES + " random bytes");
        }
        Objects.requireNonNull(clock, "clock is null");
        Objects.requireNonNull(nonceLifetime, "digest nonce lifetime is null");
        if (nonceLifetime.isNegative() || nonceLifetime.isZero()) {
            throw new IllegalArgumentException("digest nonce lifetime must be positive, got " + nonceLifetime);
        }
        this.realm = realm;
        this.nonceKey = new SecretKeySpec(nonceSecret.clone(), HMAC);
        this.clock = clock;
        this.nonceLifetime = nonceLifetime;
        // hex, as Meta's own opaque ("440badfc05072367"): peers that expect hex (the SIPp lab scenarios) accept it
        this.opaque = java.util.HexFormat.of().formatHex(Arrays.copyOf(mac("opaque", new byte[0]), OPAQUE_BYTES));
    }

    /** The realm this verifier challenges with. */
    public String realm() {
        return realm;
    }

    /**
     * Builds a {@code WWW-Authenticate} / {@code Proxy-Authenticate} header value with a fresh nonce,
     * {@code qop="auth"} and an opaque.
     *
     * @param stale true after {@link Verdict#STALE_NONCE}, so the peer retries without doubting its password
     */
    public String challenge(DigestAlgorithm algorithm, boolean stale) {
        Objects.requireNonNull(algorithm, "digest algorithm is null");
        String nonce = issueNonce(algorithm, clock.millis());
        return new DigestChallenge(realm, nonce, opaque, algorithm, true, stale).toHeaderValue();
    }

    /**
     * Checks credentials against the expected username and password. HA2 is computed over the {@code uri}
     * parameter exactly as sent (Meta's omits the {@code ;transport=tls} its Request-URI carries).
     *
     * @param authorizationHeaderValue the {@code Authorization} or {@code Proxy-Authorization} value; null gives MALFORMED
     * @param method                   the SIP method of the request, e.g. "INVITE"
     * @param expectedUsername         the configured digest username (for Meta: the business number without '+')
     * @param password                 the configured SIP password; never logged or put in an exception
     */
    public Verdict verify(String authorizationHeaderValue, String method, String expectedUsername, String password) {
        Objects.requireNonNull(method, "SIP method is null");
        Objects.requireNonNull(expectedUsername, "expected digest username is null");
        Objects.requireNonNull(password, "SIP password is null: configure the password Meta generated for this number");
        Optional<DigestCredentials> parsed = DigestCredentials.parse(authorizationHeaderValue);
        if (parsed.isEmpty() || parsed.get().qop() == null) {
            return Verdict.MALFORMED; // our challenges always offer qop=auth, so an answer without it is not to one of ours
        }
        DigestCredentials credentials = parsed.get();
        if (!credentials.realm().equals(realm)
                || (credentials.opaque() != null && !credentials.opaque().equals(opaque))) {
            return Verdict.FOREIGN_NONCE;
        }
        OptionalLong issuedAt = issuedAt(credentials.nonce(), credentials.algorithm());
        if (issuedAt.isEmpty()) {
            return Verdict.FOREIGN_NONCE;
        }
        if (!credentials.username().equals(expectedUsername)) {
            return Verdict.WRONG_USERNAME;
        }
        String expected = DigestResponse.compute(credentials.algorithm(), credentials.username(), realm, password,
                method, credentials.uri(), credentials.nonce(), true, credentials.nc(), credentials.cnonce());
        byte[] sent = credentials.response().toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII);
        if (!MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII), sent)) {
            return Verdict.WRONG_RESPONSE;
        }
        long age = clock.millis() - issuedAt.getAsLong();
        // A negative age means the clock stepped back; a fresh nonce is the safe answer either way.
        if (age > nonceLifetime.toMillis() || age < -nonceLifetime.toMillis()) {
            return Verdict.STALE_NONCE;
        }
        if (!acceptNonceCount(credentials.nonce(), issuedAt.getAsLong(), Long.parseLong(credentials.nc(), 16))) {
            return Verdict.STALE_NONCE;
        }
        return Verdict.OK;
    }

    /** Records {@code nonceCount} for {@code nonce}; false when it is not above the highest already accepted. */
    private synchronized boolean acceptNonceCount(String nonce, long issuedAtMillis, long nonceCount) {
        forgetExpiredNonces();
        AcceptedCount previous = acceptedCounts.get(nonce);
        if (previous != null && nonceCount <= previous.nonceCount()) {
            return false;
        }
        acceptedCounts.put(nonce, new AcceptedCount(issuedAtMillis, nonceCount));
        if (acceptedCounts.size() > MAX_TRACKED_NONCES) {
            acceptedCounts.remove(acceptedCounts.keySet().iterator().next());
        }
        return true;
    }

    private void forgetExpiredNonces() {
        long oldestLive = clock.millis() - nonceLifetime.toMillis();
        Iterator<AcceptedCount> counts = acceptedCounts.values().iterator();
        // Entries are in first-acceptance order, close to issue order, so the expired ones sit at the front.
        while (counts.hasNext() && counts.next().issuedAtMillis() < oldestLive) {
            counts.remove();
        }
    }

    /** How many nonces the replay memory holds; for tests. */
    synchronized int trackedNonces() {
        return acceptedCounts.size();
    }

    private String issueNonce(DigestAlgorithm algorithm, long issuedAtMillis) {
        byte[] timestamp = ByteBuffer.allocate(TIMESTAMP_BYTES).putLong(issuedAtMillis).array();
        byte[] nonce = ByteBuffer.allocate(TIMESTAMP_BYTES + MAC_BYTES)
                .put(timestamp).put(mac(algorithm.token(), timestamp)).array();
        return base64Url(nonce);
    }

    /** The issue time of a nonce this verifier made for {@code algorithm}, or empty when it did not make it. */
    private OptionalLong issuedAt(String nonce, DigestAlgorithm algorithm) {
        byte[] decoded;
        try {
            decoded = Base64.getUrlDecoder().decode(nonce);
        } catch (IllegalArgumentException notBase64) {
            return OptionalLong.empty();
        }
        // Only the exact form we issued: a padded variant would be a second name for the same nonce.
        if (decoded.length != TIMESTAMP_BYTES + MAC_BYTES || !base64Url(decoded).equals(nonce)) {
            return OptionalLong.empty();
        }
        byte[] timestamp = Arrays.copyOfRange(decoded, 0, TIMESTAMP_BYTES);
        byte[] sentMac = Arrays.copyOfRange(decoded, TIMESTAMP_BYTES, decoded.length);
        if (!MessageDigest.isEqual(mac(algorithm.token(), timestamp), sentMac)) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(ByteBuffer.wrap(timestamp).getLong());
    }

    /** HMAC over purpose, realm and data, so a nonce is only good for the realm and algorithm it was made for. */
    private byte[] mac(String purpose, byte[] data) {
        try {
            Mac mac = Mac.getInstance(HMAC);
            mac.init(nonceKey);
            mac.update(purpose.getBytes(StandardCharsets.UTF_8));
            mac.update((byte) 0);
            mac.update(realm.getBytes(StandardCharsets.UTF_8));
            mac.update((byte) 0);
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM cannot compute " + HMAC + ", which every Java 17 JDK must support", e);
        }
    }

    private static String base64Url(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    @Override
    public String toString() {
        return "DigestVerifier[realm=" + realm + ", nonceLifetime=" + nonceLifetime + "]";
    }
}
