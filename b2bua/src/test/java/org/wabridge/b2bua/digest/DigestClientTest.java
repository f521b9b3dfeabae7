package org.wabridge.b2bua.digest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The business-initiated case: answering Meta's 407, shaped as in Meta's sample trace. */
class DigestClientTest {

    private static final String USERNAME = "17125550259";
    private static final String PASSWORD = "s3cret-Pa55word";
    private static final String REQUEST_URI = "sip:+12195550714@wa.meta.vc;transport=tls";
    private static final String CNONCE = "/mVZtYFCEj65YQJCrBEAAg";

    private static DigestChallenge metaChallenge(String nonce) {
        return DigestChallenge.parse("Digest realm=\"wa.meta.vc\",nonce=\"" + nonce
                + "\",opaque=\"440badfc05072367\",algorithm=MD5,qop=\"auth\"").orElseThrow();
    }

    /** An independent MD5 over the digest formula, so the client is not checked against its own helper. */
    private static String md5(String text) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(text.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void answersMetaInItsOwnFormat() throws Exception {
        String header = new DigestClient(() -> CNONCE)
                .answer(metaChallenge("419ac2415577f8e1"), USERNAME, PASSWORD, "INVITE", REQUEST_URI);

        String expectedResponse = md5(md5(USERNAME + ":wa.meta.vc:" + PASSWORD) + ":419ac2415577f8e1:00000001:" + CNONCE
                + ":auth:" + md5("INVITE:" + REQUEST_URI));
        assertEquals("Digest username=\"17125550259\", realm=\"wa.meta.vc\", nonce=\"419ac2415577f8e1\", "
                + "uri=\"sip:+12195550714@wa.meta.vc;transport=tls\", response=\"" + expectedResponse + "\", algorithm=MD5, "
                + "cnonce=\"/mVZtYFCEj65YQJCrBEAAg\", opaque=\"440badfc05072367\", qop=auth, nc=00000001", header);
    }

    @Test
    void roundTripsThroughCredentialsParsingAndServerSideRecomputation() {
        String header = new DigestClient(() -> CNONCE)
                .answer(metaChallenge("419ac2415577f8e1"), USERNAME, PASSWORD, "INVITE", REQUEST_URI);
        DigestCredentials credentials = DigestCredentials.parse(header).orElseThrow();

        assertEquals(USERNAME, credentials.username());
        assertEquals("wa.meta.vc", credentials.realm());
        assertEquals(REQUEST_URI, credentials.uri());
        assertEquals("440badfc05072367", credentials.opaque());
        assertEquals(credentials.response(), DigestResponse.compute(credentials.algorithm(), credentials.username(),
                credentials.realm(), PASSWORD, "INVITE", credentials.uri(), credentials.nonce(), true,
                credentials.nc(), credentials.cnonce()));
        assertNotEquals(credentials.response(), DigestResponse.compute(credentials.algorithm(), credentials.username(),
                credentials.realm(), PASSWORD + "x", "INVITE", credentials.uri(), credentials.nonce(), true,
                credentials.nc(), credentials.cnonce()));
    }

    @Test
    void nonceCountIncrementsPerNonceAndRestartsForANewOne() {
        DigestClient client = new DigestClient(() -> CNONCE);
        DigestChallenge first = metaChallenge("419ac2415577f8e1");
        DigestChallenge second = metaChallenge("77aa00bb11cc22dd");

        assertEquals("00000001", nc(client.answer(first, USERNAME, PASSWORD, "INVITE", REQUEST_URI)));
        assertEquals("00000002", nc(client.answer(first, USERNAME, PASSWORD, "INVITE", REQUEST_URI)));
        assertEquals("00000001", nc(client.answer(second, USERNAME, PASSWORD, "INVITE", REQUEST_URI)));
        assertEquals("00000003", nc(client.answer(first, USERNAME, PASSWORD, "BYE", REQUEST_URI)));
        // Another client instance keeps its own counts.
        assertEquals("00000001", nc(new DigestClient(() -> CNONCE).answer(first, USERNAME, PASSWORD, "INVITE", REQUEST_URI)));
    }

    @Test
    void nonceCountIsLowercaseHex() {
        DigestClient client = new DigestClient(() -> CNONCE);
        DigestChallenge challenge = metaChallenge("n");
        String header = "";
        for (int i = 0; i < 10; i++) {
            header = client.answer(challenge, USERNAME, PASSWORD, "INVITE", REQUEST_URI);
        }
        assertEquals("0000000a", nc(header));
    }

    private static String nc(String header) {
        return DigestCredentials.parse(header).orElseThrow().nc();
    }

    @Test
    void sha256ChallengeIsAnsweredWithSha256() {
        DigestChallenge challenge = DigestChallenge.parse(
                "Digest realm=\"wa.meta.vc\", nonce=\"abc\", algorithm=SHA-256, qop=\"auth\"").orElseThrow();
        String header = new DigestClient(() -> CNONCE).answer(challenge, USERNAME, PASSWORD, "INVITE", REQUEST_URI);
        DigestCredentials credentials = DigestCredentials.parse(header).orElseThrow();
        assertTrue(header.contains(", algorithm=SHA-256, "), header);
        assertEquals(64, credentials.response().length());
        assertFalse(header.contains("opaque="), "no opaque to echo: " + header);
    }

    @Test
    void defaultCnoncesAreRandomBase64Url() {
        DigestClient client = new DigestClient();
        Pattern base64Url = Pattern.compile("[A-Za-z0-9_-]{22}");
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            String cnonce = DigestCredentials.parse(client.answer(metaChallenge("n"), USERNAME, PASSWORD, "INVITE", REQUEST_URI))
                    .orElseThrow().cnonce();
            assertTrue(base64Url.matcher(cnonce).matches(), cnonce);
            seen.add(cnonce);
        }
        assertEquals(50, seen.size());
    }

    @Test
    void quotesAndBackslashesInValuesAreEscaped() {
        DigestChallenge challenge = new DigestChallenge("odd \"realm\"", "n\\1", null, DigestAlgorithm.MD5, true, false);
        String header = new DigestClient(() -> "c\"n").answer(challenge, "u\"x", PASSWORD, "INVITE", REQUEST_URI);
        DigestCredentials credentials = DigestCredentials.parse(header).orElseThrow();
        assertEquals("u\"x", credentials.username());
        assertEquals("odd \"realm\"", credentials.realm());
        assertEquals("n\\1", credentials.nonce());
        assertEquals("c\"n", credentials.cnonce());
    }

    @Test
    void passwordNeverAppearsInOutputOrExceptions() {
        DigestClient client = new DigestClient(() -> CNONCE);
        String header = client.answer(metaChallenge("n"), USERNAME, PASSWORD, "INVITE", REQUEST_URI);
        assertFalse(header.contains(PASSWORD), header);
        assertFalse(client.toString().contains(PASSWORD));

        IllegalArgumentException badUri = assertThrows(IllegalArgumentException.class,
                () -> client.answer(metaChallenge("n"), USERNAME, PASSWORD, "INVITE", "sip:x\r\nX-Evil: 1"));
        assertFalse(badUri.getMessage().contains(PASSWORD));
        assertTrue(badUri.getMessage().contains("uri"), badUri.getMessage());

        IllegalArgumentException badUser = assertThrows(IllegalArgumentException.class,
                () -> client.answer(metaChallenge("n"), PASSWORD + "\n", PASSWORD, "INVITE", REQUEST_URI));
        assertFalse(badUser.getMessage().contains(PASSWORD), badUser.getMessage());

        NullPointerException noPassword = assertThrows(NullPointerException.class,
                () -> client.answer(metaChallenge("n"), USERNAME, null, "INVITE", REQUEST_URI));
        assertTrue(noPassword.getMessage().contains("password"), noPassword.getMessage());
    }

    @Test
    void emptyCnonceFromTheSourceIsRefused() {
        DigestClient client = new DigestClient(() -> "");
        assertThrows(IllegalStateException.class, () -> client.answer(metaChallenge("n"), USERNAME, PASSWORD, "INVITE", REQUEST_URI));
    }

    @Test
    void nonceCountIsEightLowerCaseHexDigits() {
        assertEquals("00000001", DigestClient.eightHexDigits(1));
        assertEquals("00000abc", DigestClient.eightHexDigits(0xabc));
        assertEquals("ffffffff", DigestClient.eightHexDigits(0xffffffffL));
        assertEquals("100000000", DigestClient.eightHexDigits(0x100000000L));
    }
}
