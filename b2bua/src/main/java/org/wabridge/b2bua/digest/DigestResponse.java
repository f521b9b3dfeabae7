package org.wabridge.b2bua.digest;

/**
 * The digest {@code response} computation shared by client and verifier
 * (RFC 7616 section 3.4.1, RFC 2617 section 3.2.2, RFC 2069 when there is no qop).
 */
final class DigestResponse {

    private DigestResponse() {}

    /**
     * Computes the lowercase-hex response.
     *
     * @param uri    the {@code uri} parameter exactly as written in the credentials (HA2 is over it, not the Request-URI)
     * @param nc     the nonce count as written (8 hex digits), ignored when {@code qopAuth} is false
     * @param cnonce the client nonce, ignored when {@code qopAuth} is false
     */
    static String compute(DigestAlgorithm algorithm, String username, String realm, String password,
                          String method, String uri, String nonce, boolean qopAuth, String nc, String cnonce) {
        String ha1 = algorithm.hash(username + ":" + realm + ":" + password);
        String ha2 = algorithm.hash(method + ":" + uri);
        if (!qopAuth) {
            return algorithm.hash(ha1 + ":" + nonce + ":" + ha2);
        }
        return algorithm.hash(ha1 + ":" + nonce + ":" + nc + ":" + cnonce + ":auth:" + ha2);
    }
}
