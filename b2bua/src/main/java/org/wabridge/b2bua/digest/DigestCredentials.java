package org.wabridge.b2bua.digest;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Digest credentials from an {@code Authorization} or {@code Proxy-Authorization} header (server side).
 *
 * @param username  as sent
 * @param realm     as sent
 * @param nonce     as sent
 * @param uri       as sent; the response is computed over this value, not over the Request-URI
 * @param response  the client's response hash, lowercase hex
 * @param algorithm MD5 when the client named none
 * @param cnonce    client nonce, null when {@code qop} is null
 * @param nc        nonce count as sent (8 hex digits), null when {@code qop} is null
 * @param qop       "auth", or null for RFC 2069 credentials without qop
 * @param opaque    echoed opaque, null when absent
 */
public record DigestCredentials(String username, String realm, String nonce, String uri, String response,
                                DigestAlgorithm algorithm, String cnonce, String nc, String qop, String opaque) {

    /**
     * Reads Digest credentials.
     *
     * @return empty when the value is not a single set of Digest credentials with username, realm, nonce,
     *         uri and response; when it names an unsupported algorithm or a qop other than {@code auth};
     *         or when {@code qop=auth} comes without a cnonce or an 8-hex-digit nc. Never throws.
     */
    public static Optional<DigestCredentials> parse(String authorizationHeaderValue) {
        List<AuthHeaderParser.Scheme> schemes = AuthHeaderParser.parse(authorizationHeaderValue);
        if (schemes.size() != 1 || !schemes.get(0).name().equalsIgnoreCase("Digest")) {
            return Optional.empty();
        }
        Map<String, String> params = schemes.get(0).params();
        String username = params.get("username");
        String realm = params.get("realm");
        String nonce = params.get("nonce");
        String uri = params.get("uri");
        String response = params.get("response");
        if (username == null || realm == null || nonce == null || uri == null || response == null) {
            return Optional.empty();
        }
        Optional<DigestAlgorithm> algorithm = DigestAlgorithm.fromToken(params.get("algorithm"));
        if (algorithm.isEmpty()) {
            return Optional.empty();
        }
        String qop = params.get("qop");
        String cnonce = null;
        String nc = null;
        if (qop != null) {
            if (!qop.equalsIgnoreCase("auth")) {
                return Optional.empty();
            }
            qop = "auth";
            cnonce = params.get("cnonce");
            nc = params.get("nc");
            if (cnonce == null || cnonce.isEmpty() || nc == null || !isEightHexDigits(nc)) {
                return Optional.empty();
            }
        }
        return Optional.of(new DigestCredentials(username, realm, nonce, uri, response, algorithm.get(),
                cnonce, nc, qop, params.get("opaque")));
    }

    private static boolean isEightHexDigits(String value) {
        if (value.length() != 8) {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            boolean hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
            if (!hex) {
                return false;
            }
        }
        return true;
    }

    /** Leaves out the response hash: with the nonce it allows an offline guess of the password. */
    @Override
    public String toString() {
        return "DigestCredentials[username=" + username + ", realm=" + realm + ", uri=" + uri
                + ", algorithm=" + algorithm.token() + ", qop=" + qop + ", nc=" + nc + ", response=<hidden>]";
    }
}
