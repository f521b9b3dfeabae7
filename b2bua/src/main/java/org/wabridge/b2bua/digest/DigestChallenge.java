package org.wabridge.b2bua.digest;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A Digest challenge from a {@code WWW-Authenticate} or {@code Proxy-Authenticate} header, reduced to
 * what the bridge can answer.
 *
 * @param realm     protection space, e.g. "wa.meta.vc"
 * @param nonce     server nonce, echoed verbatim
 * @param opaque    server data to echo verbatim, or null when the challenge has none
 * @param algorithm hash algorithm (MD5 when the challenge names none)
 * @param qopAuth   true when the challenge offers {@code qop=auth}; false for an RFC 2069 challenge without qop
 * @param stale     true when the server says our previous nonce expired but the password was right
 */
public record DigestChallenge(String realm, String nonce, String opaque, DigestAlgorithm algorithm,
                              boolean qopAuth, boolean stale) {

    public DigestChallenge {
        AuthHeaderParser.requirePrintable(realm, "digest realm");
        AuthHeaderParser.requirePrintable(nonce, "digest nonce");
        if (nonce.isEmpty()) {
            throw new IllegalArgumentException("digest nonce is empty");
        }
        if (opaque != null) {
            AuthHeaderParser.requirePrintable(opaque, "digest opaque");
        }
        Objects.requireNonNull(algorithm, "digest algorithm is null");
    }

    /**
     * Reads the first Digest challenge in a header value that the bridge can answer.
     *
     * @return empty when the value holds no Digest challenge, the challenge lacks a realm or nonce,
     *         names an unsupported algorithm (e.g. {@code MD5-sess}), or offers qop without {@code auth}
     *         (e.g. only {@code auth-int}); never throws
     */
    public static Optional<DigestChallenge> parse(String headerValue) {
        for (AuthHeaderParser.Scheme scheme : AuthHeaderParser.parse(headerValue)) {
            Optional<DigestChallenge> challenge = fromScheme(scheme);
            if (challenge.isPresent()) {
                return challenge;
            }
        }
        return Optional.empty();
    }

    /**
     * Picks the challenges to answer from all challenge header values of one response: one per realm,
     * SHA-256 over MD5 within a realm (RFC 8760 section 2.4), unsupported ones skipped.
     *
     * @return challenges in the order their realms first appear
     */
    public static List<DigestChallenge> choose(List<String> headerValues) {
        if (headerValues == null) {
            return List.of();
        }
        Map<String, DigestChallenge> byRealm = new LinkedHashMap<>();
        for (String headerValue : headerValues) {
            for (AuthHeaderParser.Scheme scheme : AuthHeaderParser.parse(headerValue)) {
                fromScheme(scheme).ifPresent(offered -> byRealm.merge(offered.realm(), offered, DigestChallenge::stronger));
            }
        }
        return List.copyOf(byRealm.values());
    }

    private static DigestChallenge stronger(DigestChallenge kept, DigestChallenge offered) {
        return kept.algorithm() == DigestAlgorithm.MD5 && offered.algorithm() == DigestAlgorithm.SHA_256 ? offered : kept;
    }

    private static Optional<DigestChallenge> fromScheme(AuthHeaderParser.Scheme scheme) {
        if (!scheme.name().equalsIgnoreCase("Digest")) {
            return Optional.empty();
        }
        Map<String, String> params = scheme.params();
        String realm = params.get("realm");
        String nonce = params.get("nonce");
        if (realm == null || nonce == null || nonce.isEmpty()) {
            return Optional.empty();
        }
        Optional<DigestAlgorithm> algorithm = DigestAlgorithm.fromToken(params.get("algorithm"));
        if (algorithm.isEmpty()) {
            return Optional.empty();
        }
        String qop = params.get("qop");
        boolean qopAuth = qop != null && offersAuth(qop);
        if (qop != null && !qopAuth) {
            return Optional.empty();
        }
        boolean stale = "true".equalsIgnoreCase(params.get("stale"));
        return Optional.of(new DigestChallenge(realm, nonce, params.get("opaque"), algorithm.get(), qopAuth, stale));
    }

    private static boolean offersAuth(String qopOptions) {
        for (String option : qopOptions.split(",")) {
            if (option.trim().equalsIgnoreCase("auth")) {
                return true;
            }
        }
        return false;
    }

    /** Writes this challenge as a header value, e.g. {@code Digest realm="r", nonce="n", opaque="o", algorithm=MD5, qop="auth"}. */
    public String toHeaderValue() {
        StringBuilder header = new StringBuilder("Digest realm=").append(AuthHeaderParser.quote(realm))
                .append(", nonce=").append(AuthHeaderParser.quote(nonce));
        if (opaque != null) {
            header.append(", opaque=").append(AuthHeaderParser.quote(opaque));
        }
        header.append(", algorithm=").append(algorithm.token());
        if (qopAuth) {
            header.append(", qop=\"auth\"");
        }
        if (stale) {
            header.append(", stale=true");
        }
        return header.toString();
    }
}
