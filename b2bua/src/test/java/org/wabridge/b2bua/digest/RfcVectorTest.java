package org.wabridge.b2bua.digest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * Published Digest examples, run through the whole client path: the RFC's challenge text is parsed,
 * answered, and the answer parsed back. The expected responses are the RFCs' (also recomputed with
 * openssl dgst while writing this test).
 */
class RfcVectorTest {

    private static final String RFC7616_NONCE = "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v";
    private static final String RFC7616_OPAQUE = "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS";
    private static final String RFC7616_CNONCE = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";

    /** RFC 7616 section 3.9.1 challenge, with the RFC's line breaks joined by spaces. */
    private static String rfc7616Challenge(String algorithm) {
        return "Digest realm=\"http-auth@example.org\", qop=\"auth, auth-int\", algorithm=" + algorithm
                + ", nonce=\"" + RFC7616_NONCE + "\", opaque=\"" + RFC7616_OPAQUE + "\"";
    }

    private static DigestCredentials answerRfc7616(String algorithm) {
        DigestChallenge challenge = DigestChallenge.parse(rfc7616Challenge(algorithm)).orElseThrow();
        String header = new DigestClient(() -> RFC7616_CNONCE)
                .answer(challenge, "Mufasa", "Circle of Life", "GET", "/dir/index.html");
        return DigestCredentials.parse(header).orElseThrow();
    }

    @Test
    void rfc7616Md5Example() {
        DigestCredentials credentials = answerRfc7616("MD5");
        assertEquals("8ca523f5e9506fed4657c9700eebdbec", credentials.response());
        assertEquals(DigestAlgorithm.MD5, credentials.algorithm());
        assertEquals("00000001", credentials.nc());
        assertEquals("auth", credentials.qop());
        assertEquals(RFC7616_CNONCE, credentials.cnonce());
        assertEquals(RFC7616_OPAQUE, credentials.opaque());
    }

    @Test
    void rfc7616Sha256Example() {
        DigestCredentials credentials = answerRfc7616("SHA-256");
        assertEquals("753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1", credentials.response());
        assertEquals(DigestAlgorithm.SHA_256, credentials.algorithm());
    }

    @Test
    void rfc2617Section35Example() {
        DigestChallenge challenge = DigestChallenge.parse("Digest realm=\"testrealm@host.com\", qop=\"auth,auth-int\", "
                + "nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"").orElseThrow();
        String header = new DigestClient(() -> "0a4f113b")
                .answer(challenge, "Mufasa", "Circle Of Life", "GET", "/dir/index.html");
        assertEquals("Digest username=\"Mufasa\", realm=\"testrealm@host.com\", nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", "
                + "uri=\"/dir/index.html\", response=\"6629fae49393a05397450978507c4ef1\", algorithm=MD5, cnonce=\"0a4f113b\", "
                + "opaque=\"5ccc069c403ebaf9f0171e9517f40e41\", qop=auth, nc=00000001", header);
    }

    @Test
    void rfc2069ExampleWithoutQop() {
        // RFC 2069 section 2.4 inputs; the response is the corrected value from the RFC 2069 errata.
        DigestChallenge challenge = DigestChallenge.parse("Digest realm=\"testrealm@host.com\", "
                + "nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"").orElseThrow();
        String header = new DigestClient(() -> {
            throw new AssertionError("no cnonce without qop");
        }).answer(challenge, "Mufasa", "CircleOfLife", "GET", "/dir/index.html");
        assertEquals("Digest username=\"Mufasa\", realm=\"testrealm@host.com\", nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", "
                + "uri=\"/dir/index.html\", response=\"1949323746fe6a43ef61f9606e7febea\", algorithm=MD5, "
                + "opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"", header);
    }

    @Test
    void rfc7616AuthorizationHeaderParsesAsCredentials() {
        // The SHA-256 Authorization header of RFC 7616 section 3.9.1, parameter order as in the RFC.
        DigestCredentials credentials = DigestCredentials.parse("Digest username=\"Mufasa\", "
                + "realm=\"http-auth@example.org\", uri=\"/dir/index.html\", algorithm=SHA-256, nonce=\"" + RFC7616_NONCE
                + "\", nc=00000001, cnonce=\"" + RFC7616_CNONCE + "\", qop=auth, "
                + "response=\"753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1\", opaque=\"" + RFC7616_OPAQUE + "\"")
                .orElseThrow();
        assertEquals(new DigestCredentials("Mufasa", "http-auth@example.org", RFC7616_NONCE, "/dir/index.html",
                "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1", DigestAlgorithm.SHA_256,
                RFC7616_CNONCE, "00000001", "auth", RFC7616_OPAQUE), credentials);
        assertEquals(credentials.response(), DigestResponse.compute(credentials.algorithm(), credentials.username(),
                credentials.realm(), "Circle of Life", "GET", credentials.uri(), credentials.nonce(), true,
                credentials.nc(), credentials.cnonce()));
    }
}
