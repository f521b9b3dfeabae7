package org.wabridge.b2bua.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The masking of secrets in SIP text for captures and logs, on header shapes real peers send. */
class SipSecretsTest {

    // Kamailio's challenge (auth module, qop=auth, plus the lab's opaque), as the lab edge sends it.
    static final String KAMAILIO_407_MD5 = "SIP/2.0 407 Proxy Authentication Required\r\n"
            + "Via: SIP/2.0/TLS 127.0.0.1:40123;branch=z9hG4bK-1;rport=40123\r\n"
            + "From: <sip:+15550100001@bridge.example.test>;tag=a1\r\n"
            + "To: <sip:+15550100099@wa.meta.vc>;tag=b2\r\n"
            + "Call-ID: 7d1c@127.0.0.1\r\n"
            + "CSeq: 1 INVITE\r\n"
            + "Proxy-Authenticate: Digest realm=\"wa.meta.vc\", nonce=\"ZtKqXWbSqCxlYwQ1bvB+9wH0pZt3Bh2k\", "
            + "qop=\"auth\", algorithm=MD5, opaque=\"5e8b0b4b1c1d7f0a\"\r\n"
            + "Server: wa-lab-edge\r\n"
            + "Content-Length: 0\r\n\r\n";

    // Our answer (DigestClient's parameter order, Meta's sample), SHA-256.
    static final String OUR_INVITE_SHA256 = "INVITE sip:+15550100099@wa.meta.vc;transport=tls SIP/2.0\r\n"
            + "Via: SIP/2.0/TLS 127.0.0.1:40123;branch=z9hG4bK-2\r\n"
            + "CSeq: 2 INVITE\r\n"
            + "Call-ID: 7d1c@127.0.0.1\r\n"
            + "Proxy-Authorization: Digest username=\"15550100001\", realm=\"wa.meta.vc\", "
            + "nonce=\"ZtKqXWbSqCxlYwQ1bvB+9wH0pZt3Bh2k\", uri=\"sip:+15550100099@wa.meta.vc;transport=tls\", "
            + "response=\"0f4e7c7a34c1b1e2f6a0d9b8c7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8\", algorithm=SHA-256, "
            + "cnonce=\"c9e1f0a27b3d4c85\", opaque=\"5e8b0b4b1c1d7f0a\", qop=auth, nc=00000001\r\n"
            + "Content-Type: application/sdp\r\n"
            + "Content-Length: 160\r\n\r\n"
            + "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 20000 RTP/SAVP 111\r\n"
            + "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:3gsZiM1tBwRzw8bsoz5uj9pnWhGU2l7d2JXxsZlE|2^31|1:1\r\n";

    // SIPp's [authentication] (its own order, no spaces), MD5, as the lab's Meta caller sends it to us.
    static final String SIPP_AUTHORIZATION = "Proxy-Authorization: Digest username=\"15550100001\","
            + "realm=\"bridge.example.test\",cnonce=\"6b8b4567\",nc=00000001,qop=auth,"
            + "uri=\"sip:+15550100001;tgrp=wacall;trunk-context=byoc.example.test@bridge.example.test\","
            + "nonce=\"MTc1MDcxNjg2NzkxMzpNRDU6c2lnbmF0dXJl\",response=\"1b7bd2fa5e1c0a3e8d0e0c6f6f7e1d2a\","
            + "algorithm=MD5,opaque=\"b2b-opaque\"";

    @Test
    void md5ChallengeAndSha256AnswerKeepTheirLengthAndLoseTheirSecrets() {
        String challenge = SipSecrets.maskKeepingLength(KAMAILIO_407_MD5);
        assertEquals(KAMAILIO_407_MD5.length(), challenge.length());
        assertFalse(challenge.contains("ZtKqXWbSqCxlYwQ1bvB+9wH0pZt3Bh2k"), challenge);
        assertTrue(challenge.contains("realm=\"wa.meta.vc\""), "the realm stays readable");
        assertTrue(challenge.contains("opaque=\"5e8b0b4b1c1d7f0a\""), "the opaque stays readable");
        assertTrue(challenge.contains("qop=\"auth\", algorithm=MD5,"), challenge);

        String answer = SipSecrets.maskKeepingLength(OUR_INVITE_SHA256);
        assertEquals(OUR_INVITE_SHA256.length(), answer.length(), "Content-Length must stay right");
        assertFalse(answer.contains("0f4e7c7a34c1b1e2f6a0d9b8c7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8"), answer);
        assertTrue(answer.contains("response=\"" + "x".repeat(64) + "\""), answer);
        assertTrue(answer.contains("cnonce=\"" + "x".repeat(16) + "\""), answer);
        assertFalse(answer.contains("ZtKqXWbSqCxlYwQ1bvB+9wH0pZt3Bh2k"), answer);
        assertTrue(answer.contains("username=\"15550100001\", realm=\"wa.meta.vc\""), answer);
        assertTrue(answer.contains("uri=\"sip:+15550100099@wa.meta.vc;transport=tls\""), answer);
        assertTrue(answer.contains("algorithm=SHA-256,"), answer);
        assertTrue(answer.contains("qop=auth, nc=00000001"), answer);
        // the SDES key too, with its lifetime and MKI left
        assertTrue(answer.contains("inline:" + "A".repeat(40) + "|2^31|1:1\r\n"), answer);

        // The challenge's nonce and the answer's get the same placeholder: a reader can match them.
        assertEquals(param(challenge, "nonce"), param(answer, "nonce"));
        assertEquals(32, param(answer, "nonce").length());
    }

    @Test
    void sippCredentialsWithoutSpaces() {
        String masked = SipSecrets.maskKeepingLength(SIPP_AUTHORIZATION + "\r\n");
        assertEquals(SIPP_AUTHORIZATION.length() + 2, masked.length());
        assertTrue(masked.contains(",cnonce=\"xxxxxxxx\",nc=00000001,qop=auth,"), masked);
        assertTrue(masked.contains(",response=\"" + "x".repeat(32) + "\",algorithm=MD5,opaque=\"b2b-opaque\""), masked);
        assertFalse(masked.contains("MTc1MDcxNjg2NzkxMzpNRDU6c2lnbmF0dXJl"), masked);
        assertTrue(masked.contains("uri=\"sip:+15550100001;tgrp=wacall;"), masked);
    }

    @Test
    void unquotedValuesSpacesAroundEqualsAndHeaderNameCase() {
        String header = "proxy-authorization : Digest username=15550100001 , nonce = abc123def456 ,"
                + " response= 0123456789abcdef0123456789abcdef , cnonce =deadbeef, qop=auth, nc=00000002\r\n";
        String masked = SipSecrets.maskKeepingLength(header);
        assertEquals(header.length(), masked.length());
        assertTrue(masked.contains("response= " + "x".repeat(32) + " ,"), masked);
        assertTrue(masked.contains("cnonce =xxxxxxxx,"), masked);
        assertFalse(masked.contains("abc123def456"), masked);
        assertTrue(masked.contains("username=15550100001 ,"), masked);
        assertTrue(masked.contains("nc=00000002"), masked);
    }

    @Test
    void severalChallengesInOneHeaderAndSeveralHeaders() {
        String text = "SIP/2.0 401 Unauthorized\r\n"
                + "WWW-Authenticate: Digest realm=\"wa.meta.vc\", nonce=\"n-sha-0001\", algorithm=SHA-256, qop=\"auth\","
                + " Digest realm=\"wa.meta.vc\", nonce=\"n-md5-0002\", algorithm=MD5, qop=\"auth\"\r\n"
                + "WWW-Authenticate: Digest realm=\"other\", nonce=n-other-03, stale=true\r\n"
                + "Content-Length: 0\r\n\r\n";
        String masked = SipSecrets.maskKeepingLength(text);
        assertEquals(text.length(), masked.length());
        for (String nonce : new String[] {"n-sha-0001", "n-md5-0002", "n-other-03"}) {
            assertFalse(masked.contains(nonce), nonce + " in " + masked);
        }
        assertTrue(masked.contains("algorithm=SHA-256, qop=\"auth\", Digest realm=\"wa.meta.vc\", nonce=\""), masked);
        assertTrue(masked.contains("stale=true"), masked);
        Matcher nonces = Pattern.compile("nonce=\"?([^\",]+)").matcher(masked);
        java.util.Set<String> placeholders = new java.util.HashSet<>();
        while (nonces.find()) {
            placeholders.add(nonces.group(1));
        }
        assertEquals(3, placeholders.size(), "different nonces stay different: " + placeholders);
    }

    @Test
    void quotedStringsAreNotMistakenForParameters() {
        // "response=" inside another parameter's quoted value is text, not a parameter; an escaped quote does
        // not end the string.
        String header = "Authorization: Digest username=\"a\\\"b response=keepme\", realm=\"r, nonce=keep2\", "
                + "response=\"abcdef012345\"\r\n";
        String masked = SipSecrets.maskKeepingLength(header);
        assertTrue(masked.contains("username=\"a\\\"b response=keepme\""), masked);
        assertTrue(masked.contains("realm=\"r, nonce=keep2\""), masked);
        assertTrue(masked.contains("response=\"xxxxxxxxxxxx\""), masked);
    }

    @Test
    void foldedHeaderAndAuthenticationInfo() {
        String text = "SIP/2.0 200 OK\r\n"
                + "Proxy-Authorization: Digest username=\"15550100001\",\r\n"
                + "\tresponse=\"feedfacefeedfacefeedfacefeedface\",\r\n"
                + " nonce=\"folded-nonce\"\r\n"
                + "Authentication-Info: qop=auth, rspauth=\"6629fae49393a05397450978507c4ef1\", cnonce=\"0a4f113b\","
                + " nc=00000001, nextnonce=\"next-one\"\r\n"
                + "Subject: response=\"not-a-digest\"\r\n"
                + "Content-Length: 0\r\n\r\n";
        String masked = SipSecrets.maskKeepingLength(text);
        assertEquals(text.length(), masked.length());
        for (String secret : new String[] {"feedface", "folded-nonce", "6629fae4", "0a4f113b", "next-one"}) {
            assertFalse(masked.contains(secret), secret + " in " + masked);
        }
        assertTrue(masked.contains("Subject: response=\"not-a-digest\""), "other headers are left alone");
    }

    @Test
    void headerValuesQuotedMidLineAsLibrariesAndExceptionsDo() {
        String log = "DEBUG parsing header Proxy-Authorization: Digest username=\"1\", response=\"aaaabbbbccccdddd\"; "
                + "value was Digest nonce=\"n-77\", cnonce=\"c-88\", response=\"0000111122223333\"\n"
                + "next line response=\"untouched\"";
        String masked = SipSecrets.maskForLog(log);
        for (String secret : new String[] {"aaaabbbb", "n-77", "c-88", "00001111"}) {
            assertFalse(masked.contains(secret), secret + " in " + masked);
        }
        assertTrue(masked.endsWith("next line response=\"untouched\""), "only after an anchor: " + masked);
        // "Digest" inside a header is not a second anchor: the nonce is masked once, equal to the challenge's
        String challenge = SipSecrets.maskKeepingLength("WWW-Authenticate: Digest nonce=\"same\"");
        String bare = SipSecrets.maskKeepingLength("Digest nonce=\"same\"");
        assertEquals(param(challenge, "nonce"), param(bare, "nonce"));
    }

    @Test
    void maskingTwiceChangesNothingMore() {
        // SipTrace masks its wire line, then logback's converter masks the whole line again
        String once = SipSecrets.maskForLog(KAMAILIO_407_MD5 + OUR_INVITE_SHA256);
        assertEquals(once, SipSecrets.maskForLog(once));
        String capture = SipSecrets.maskKeepingLength(OUR_INVITE_SHA256);
        assertEquals(capture, SipSecrets.maskKeepingLength(capture));
        assertEquals(param(capture, "nonce"), param(once, "nonce"), "logs and captures show the same placeholder");
    }

    @Test
    void unterminatedQuoteIsMaskedToTheEndOfTheHeaderAndNothingThrows() {
        String text = "Proxy-Authorization: Digest nonce=\"n1\", response=\"0123456789abcdef\r\nCSeq: 2 INVITE\r\n";
        String masked = SipSecrets.maskKeepingLength(text);
        assertTrue(masked.contains("response=\"xxxxxxxxxxxxxxxx\r\nCSeq: 2 INVITE"), masked);
        for (String odd : new String[] {"", "Authorization:", "Authorization: Digest response=", "WWW-Authenticate: =\"",
                "Proxy-Authenticate: Digest nonce", "Authorization: \"", "a=crypto:1 X inline:"}) {
            assertEquals(odd.length(), SipSecrets.maskKeepingLength(odd).length(), odd);
        }
    }

    @Test
    void sdesKeysBecomeAsInCapturesAndStarsInLogs() {
        String sdp = "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:X1mQx4pP/qZB9T6vrrOGu3s6WJlWEFF8jVkjS/yA\r\n"
                + "a=crypto:2 AES_CM_128_HMAC_SHA1_32 INLINE:BDZqHmVowBWa9gQGV4qlee0bM7gRHbiEXQgVZJF2|2^20\r\n";
        String capture = new String(SipSecrets.maskKeepingLength(sdp.getBytes(StandardCharsets.ISO_8859_1)),
                StandardCharsets.ISO_8859_1);
        assertEquals("a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" + "A".repeat(40) + "\r\n"
                + "a=crypto:2 AES_CM_128_HMAC_SHA1_32 INLINE:" + "A".repeat(40) + "|2^20\r\n", capture);
        String log = SipSecrets.maskForLog(sdp + SIPP_AUTHORIZATION);
        assertEquals("a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:****\r\n"
                + "a=crypto:2 AES_CM_128_HMAC_SHA1_32 INLINE:****|2^20\r\n", log.substring(0, log.indexOf("Proxy-")));
        assertFalse(log.contains("1b7bd2fa5e1c0a3e8d0e0c6f6f7e1d2a"), log);
        assertFalse(log.contains("6b8b4567"), log);
    }

    @Test
    void bytesOutsideAsciiSurviveUnchanged() {
        byte[] sip = ("INVITE sip:x SIP/2.0\r\nSubject: caf\u00e9\r\nProxy-Authorization: Digest response=\"ab\"\r\n\r\n")
                .getBytes(StandardCharsets.UTF_8);
        byte[] masked = SipSecrets.maskKeepingLength(sip);
        assertEquals(sip.length, masked.length);
        String text = new String(masked, StandardCharsets.UTF_8);
        assertTrue(text.contains("Subject: caf\u00e9\r\n") && text.contains("response=\"xx\""), text);
    }

    @Test
    void placeholdersAreKeyedNotPlainHashes() {
        assertEquals(SipSecrets.placeholder("n"), SipSecrets.placeholder("n"));
        assertNotEquals(SipSecrets.placeholder("n"), SipSecrets.placeholder("m"));
        // an HMAC under a random per-process key: not the SHA-256 anyone could compute from a guessed nonce
        assertNotEquals("1b16b1df538ba12dc3f97edbb85caa7050d46c148134290feba80f8236c83db9", SipSecrets.placeholder("n"));
    }

    private static String param(String text, String name) {
        Matcher m = Pattern.compile("[ ,]" + name + "=\"([^\"]*)\"").matcher(text);
        assertTrue(m.find(), name + " in " + text);
        return m.group(1);
    }

    @org.junit.jupiter.api.Test
    void theQuickScanPassesPlainLinesAndCatchesEveryKindOfSecret() {
        org.junit.jupiter.api.Assertions.assertFalse(SipSecrets.mayHoldSecret("ladder: PBX -> 200 OK (INVITE)"));
        // every call's end line: "auth" alone must not send it through the regexes
        org.junit.jupiter.api.Assertions.assertFalse(SipSecrets.mayHoldSecret(
                "call ended after 1017 ms: PBX hung up media=MediaStats[pbx=LegStats[dropped=0, authFailures=0]]"));
        for (String line : java.util.List.of("a=crypto:1 AES_CM_128_HMAC_SHA1_80 INLINE:abc", "x Digest realm=\"r\"",
                "Proxy-Authorization: y", "WWW-Authenticate: z", "Authentication-Info: rspauth=\"1\"",
                "authorization: a", "Proxy-Authenticate: b", "PROXY-AUTHENTICATION-INFO: nextnonce=\"2\"")) {
            org.junit.jupiter.api.Assertions.assertTrue(SipSecrets.mayHoldSecret(line), line);
        }
    }
}
