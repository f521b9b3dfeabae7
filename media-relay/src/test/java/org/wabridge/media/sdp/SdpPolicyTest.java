package org.wabridge.media.sdp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.wabridge.media.SdpException;
import org.wabridge.media.sdp.SdpPolicy.Agreement;
import org.wabridge.media.sdp.SdpPolicy.MetaOffer;
import org.wabridge.media.sdp.SdpPolicy.PbxOffer;
import org.wabridge.media.sdp.SessionDescription.MediaDescription;
import org.wabridge.media.srtp.SrtpSuite;

class SdpPolicyTest {

    private static final String OPUS_FMTP =
            "a=fmtp:111 maxaveragebitrate=20000;maxplaybackrate=16000;minptime=20;sprop-maxcapturerate=16000;useinbandfec=1";
    private static final String META_CRYPTO_80 = "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" + MetaSdps.KEY;

    /** An Asterisk-like offer with everything Meta must not see: G.711, 48 kHz DTMF, L16, video, ICE. */
    private static final String PBX_OFFER = String.join("\r\n",
            "v=0",
            "o=- 4242 4242 IN IP4 192.0.2.10",
            "s=Asterisk",
            "c=IN IP4 192.0.2.10",
            "t=0 0",
            "m=audio 19534 RTP/AVP 96 0 8 97 98 101",
            "a=rtpmap:96 opus/48000/2",
            "a=fmtp:96 useinbandfec=1",
            "a=rtpmap:0 PCMU/8000",
            "a=rtpmap:8 PCMA/8000",
            "a=rtpmap:97 L16/16000",
            "a=rtpmap:98 telephone-event/48000",
            "a=rtpmap:101 telephone-event/8000",
            "a=fmtp:101 0-16",
            "a=ice-ufrag:abcd",
            "a=ice-pwd:efghijklmnopqrstuvwxyz",
            "a=candidate:1 1 udp 2130706431 192.0.2.10 19534 typ host",
            "a=ptime:20",
            "a=sendrecv",
            "m=video 19536 RTP/AVP 99",
            "a=rtpmap:99 H264/90000",
            "");

    private static LocalMedia local(boolean g711) {
        byte[] key = new byte[30];
        new SecureRandom().nextBytes(key);
        return new LocalMedia("203.0.113.5", 40000, 40002,
                new CryptoAttribute(1, SrtpSuite.AES_CM_128_HMAC_SHA1_80, key), 3735928559L, "relay-cname", 77, g711);
    }

    private static List<String> lines(String sdp, String prefix) {
        return sdp.lines().filter(l -> l.startsWith(prefix)).toList();
    }

    // ---------------------------------------------------------------- business-initiated

    @Test
    void offerToMetaHasExactlyWhatMetaWants() throws Exception {
        LocalMedia local = local(false);
        String offer = SdpPolicy.metaOfferFromPbxOffer(PBX_OFFER, local).sdp();

        assertEquals(List.of("m=audio 40002 RTP/SAVP 111 126"), lines(offer, "m="));
        assertEquals(List.of("c=IN IP4 203.0.113.5"), lines(offer, "c="));
        assertTrue(offer.contains("a=rtpmap:111 opus/48000/2\r\n"));
        assertTrue(offer.contains(OPUS_FMTP + "\r\n"));
        assertTrue(offer.contains("a=rtpmap:126 telephone-event/8000\r\n"));
        for (String must : List.of("a=ptime:20", "a=maxptime:20", "a=sendrecv", "a=rtcp-mux")) {
            assertEquals(1, lines(offer, must).size(), must);
        }
        assertEquals(List.of("a=ssrc:3735928559 cname:relay-cname"), lines(offer, "a=ssrc:"));
        List<String> crypto = lines(offer, "a=crypto:");
        assertEquals(1, crypto.size());
        Matcher m = Pattern.compile("a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:(\\S+)").matcher(crypto.get(0));
        assertTrue(m.matches(), crypto.get(0));
        assertEquals(30, Base64.getDecoder().decode(m.group(1)).length);
        for (String never : List.of("PCMU", "PCMA", "L16", "telephone-event/48000", "H264", "m=video", "ice-",
                "candidate", "fingerprint", "\n\n")) {
            assertFalse(offer.contains(never), never + " must not reach Meta:\n" + offer);
        }
        assertTrue(offer.endsWith("\r\n"));
    }

    @Test
    void g711IsOfferedToMetaOnlyWhenEnabled() throws Exception {
        String offer = SdpPolicy.metaOfferFromPbxOffer(PBX_OFFER, local(true)).sdp();
        assertEquals(List.of("m=audio 40002 RTP/SAVP 111 0 8 126"), lines(offer, "m="));
        assertTrue(offer.contains("a=rtpmap:0 PCMU/8000"));
    }

    @Test
    void g711OnlyPbxWithoutG711AtMetaAndTranscodingOffIsRefusedWithTheFix() {
        String g711Only = PBX_OFFER.replace("m=audio 19534 RTP/AVP 96 0 8 97 98 101", "m=audio 19534 RTP/AVP 0 8 101");
        SdpException e = assertThrows(SdpException.class, () -> SdpPolicy.metaOfferFromPbxOffer(g711Only, local(false)));
        assertTrue(e.getMessage().contains("only PCMU/PCMA, G.711 is not enabled at Meta and transcoding is off"),
                e.getMessage());
        assertTrue(e.getMessage().contains("media.maxTranscodedCalls"), e.getMessage());
        assertTrue(e.getMessage().contains("audio.additional_codecs"), e.getMessage());
        assertTrue(e.getMessage().contains("media.g711EnabledAtMeta"), e.getMessage());
    }

    @Test
    void pbxWithNoCodecMetaTakesIsRefused() {
        String g729 = PBX_OFFER.replace("m=audio 19534 RTP/AVP 96 0 8 97 98 101", "m=audio 19534 RTP/AVP 18 101");
        SdpException e = assertThrows(SdpException.class, () -> SdpPolicy.metaOfferFromPbxOffer(g729, local(true)));
        assertTrue(e.getMessage().contains("G729"), e.getMessage());
        assertTrue(e.getMessage().contains("Transcoding is off"), e.getMessage());
        // with transcoding on, G.729 is still neither Opus nor G.711
        e = assertThrows(SdpException.class, () -> SdpPolicy.metaOfferFromPbxOffer(g729, local(false), true));
        assertTrue(e.getMessage().contains("the bridge transcodes only PCMU/PCMA"), e.getMessage());
    }

    @Test
    void metaAnswerFromSection22BecomesThePbxAnswerWithThePbxPayloadTypes() throws Exception {
        LocalMedia local = local(false);
        MetaOffer offer = SdpPolicy.metaOfferFromPbxOffer(PBX_OFFER, local);
        Agreement a = SdpPolicy.pbxAnswerFromMetaAnswer(MetaSdps.answer22(META_CRYPTO_80), offer, local);

        String pbxAnswer = a.sdp();
        assertEquals(List.of("m=audio 40000 RTP/AVP 96 101"), lines(pbxAnswer, "m="));
        assertTrue(pbxAnswer.contains("a=rtpmap:96 opus/48000/2"));
        assertTrue(pbxAnswer.contains("a=fmtp:96 useinbandfec=1"), "the PBX's own fmtp");
        assertTrue(pbxAnswer.contains("a=rtcp:40001"), "separate RTCP port toward the PBX");
        assertFalse(pbxAnswer.contains("crypto"));
        assertFalse(pbxAnswer.contains("a=rtcp-mux"));
        assertTrue(pbxAnswer.contains("c=IN IP4 203.0.113.5"));
        // Meta answered with PTs 107/101 (it keeps the offerer's numbers): rewrite per direction
        assertEquals(107, a.payloads().toMeta(96));
        assertEquals(101, a.payloads().toMeta(101));
        assertEquals(96, a.payloads().toPbx(107));
        assertEquals(-1, a.payloads().toMeta(0), "PCMU was not negotiated");
        assertEquals("157.240.19.130", a.metaLeg().address());
        assertEquals(3480, a.metaLeg().port());
        assertEquals(107, a.metaLeg().silenceCodec().payloadType());
        assertEquals("19534", Integer.toString(a.pbx().port()));
    }

    @Test
    void pbxRtcpMuxIsKeptWhenThePbxOfferedIt() throws Exception {
        LocalMedia local = local(false);
        MetaOffer offer = SdpPolicy.metaOfferFromPbxOffer(PBX_OFFER.replace("a=ptime:20", "a=ptime:20\r\na=rtcp-mux"), local);
        String pbxAnswer = SdpPolicy.pbxAnswerFromMetaAnswer(MetaSdps.answer22(META_CRYPTO_80), offer, local).sdp();
        assertTrue(pbxAnswer.contains("a=rtcp-mux"));
        assertFalse(pbxAnswer.contains("a=rtcp:"));
    }

    @Test
    void metaAnswerWithoutUsableCryptoIsRefused() throws Exception {
        LocalMedia local = local(false);
        MetaOffer offer = SdpPolicy.metaOfferFromPbxOffer(PBX_OFFER, local);
        for (String crypto : List.of("a=mid:audio", "a=crypto:1 AES_CM_128_HMAC_SHA1_32 inline:" + MetaSdps.KEY,
                "a=crypto:1 AES_256_CM_HMAC_SHA1_80 inline:" + MetaSdps.KEY)) {
            SdpException e = assertThrows(SdpException.class,
                    () -> SdpPolicy.pbxAnswerFromMetaAnswer(MetaSdps.answer22(crypto), offer, local));
            assertTrue(e.getMessage().contains("a=crypto"), e.getMessage());
        }
    }

    // ---------------------------------------------------------------- user-initiated

    @Test
    void metaOfferFromSection32BecomesAPlainOfferAndOurAnswerCarriesOurKey() throws Exception {
        LocalMedia local = local(false);
        String meta32 = MetaSdps.offer32("a=crypto:1 AES_CM_128_HMAC_SHA1_32 inline:" + MetaSdps.KEY,
                "a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:" + MetaSdps.KEY);
        PbxOffer pbxOffer = SdpPolicy.pbxOfferFromMetaOffer(meta32, local);

        String toPbx = pbxOffer.sdp();
        assertEquals(List.of("m=audio 40000 RTP/AVP 111 126"), lines(toPbx, "m="));
        assertTrue(toPbx.contains("a=rtcp:40001"));
        assertFalse(toPbx.contains("crypto"));
        assertFalse(toPbx.contains("WhatsApp"), "Meta's SSRC/msid stay on the Meta leg");
        assertEquals(SrtpSuite.AES_CM_128_HMAC_SHA1_80, pbxOffer.metaLeg().theirCrypto().suite(), "_80 preferred");

        String pbxAnswer = "v=0\r\no=- 1 1 IN IP4 192.0.2.10\r\ns=-\r\nc=IN IP4 192.0.2.10\r\nt=0 0\r\n"
                + "m=audio 12000 RTP/AVP 111 126\r\na=rtpmap:111 opus/48000/2\r\na=rtpmap:126 telephone-event/8000\r\n";
        Agreement a = SdpPolicy.metaAnswerFromPbxAnswer(pbxAnswer, pbxOffer, local);
        String toMeta = a.sdp();
        assertEquals(List.of("m=audio 40002 RTP/SAVP 111 126"), lines(toMeta, "m="));
        List<String> crypto = lines(toMeta, "a=crypto:");
        assertEquals(1, crypto.size());
        assertTrue(crypto.get(0).startsWith("a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:"), "Meta's tag and suite");
        assertFalse(crypto.get(0).contains(MetaSdps.KEY), "our own key, never Meta's");
        assertTrue(crypto.get(0).endsWith(Base64.getEncoder().encodeToString(
                concat(local.ourCrypto().masterKey(), local.ourCrypto().masterSalt()))));
        assertTrue(toMeta.contains(OPUS_FMTP));
        assertTrue(toMeta.contains("a=rtcp-mux"));
        assertTrue(toMeta.contains("a=ssrc:3735928559 cname:relay-cname"));
        assertEquals("57.144.219.49", a.metaLeg().address());
        assertEquals(12000, a.pbx().port());
    }

    @Test
    void shortTagOfferIsAnsweredWithTheShortTag() throws Exception {
        LocalMedia local = local(false);
        PbxOffer pbxOffer = SdpPolicy.pbxOfferFromMetaOffer(
                MetaSdps.offer32("a=crypto:3 AES_CM_128_HMAC_SHA1_32 inline:" + MetaSdps.KEY), local);
        assertEquals(3, pbxOffer.metaLeg().ourCrypto().tag());
        assertEquals(SrtpSuite.AES_CM_128_HMAC_SHA1_32, pbxOffer.metaLeg().ourCrypto().suite());
    }

    @Test
    void dtlsOfferFromSection43IsRefusedWithTheSetting() {
        SdpException e = assertThrows(SdpException.class,
                () -> SdpPolicy.pbxOfferFromMetaOffer(MetaSdps.OFFER_43_DTLS, local(false)));
        assertTrue(e.getMessage().contains("DTLS"), e.getMessage());
        assertTrue(e.getMessage().contains("SDES"), e.getMessage());
    }

    @Test
    void metaOfferWithoutCryptoIsRefused() {
        SdpException e = assertThrows(SdpException.class,
                () -> SdpPolicy.pbxOfferFromMetaOffer(MetaSdps.offer32("a=mid:audio"), local(false)));
        assertTrue(e.getMessage().contains("no usable a=crypto"), e.getMessage());
    }

    @Test
    void pbxAnswerWithoutACommonCodecIsRefused() throws Exception {
        LocalMedia local = local(false);
        PbxOffer pbxOffer = SdpPolicy.pbxOfferFromMetaOffer(MetaSdps.offer32(META_CRYPTO_80), local);
        String pcmuAnswer = "v=0\r\no=- 1 1 IN IP4 192.0.2.10\r\ns=-\r\nc=IN IP4 192.0.2.10\r\nt=0 0\r\n"
                + "m=audio 12000 RTP/AVP 0\r\n";
        SdpException e = assertThrows(SdpException.class,
                () -> SdpPolicy.metaAnswerFromPbxAnswer(pcmuAnswer, pbxOffer, local));
        assertTrue(e.getMessage().contains("G.711 for transcoding was not offered"), e.getMessage());
    }

    // ---------------------------------------------------------------- malformed input, re-offers

    @Test
    void unusableSdpIsRefusedWithWhatIsWrong() {
        LocalMedia local = local(false);
        assertTrue(assertThrows(SdpException.class, () -> SdpPolicy.metaOfferFromPbxOffer("hello world", local))
                .getMessage().contains("not valid"));
        assertTrue(assertThrows(SdpException.class, () -> SdpPolicy.metaOfferFromPbxOffer("", local))
                .getMessage().contains("no SDP"));
        String videoOnly = "v=0\r\no=- 1 1 IN IP4 192.0.2.10\r\ns=-\r\nc=IN IP4 192.0.2.10\r\nt=0 0\r\n"
                + "m=video 5000 RTP/AVP 99\r\na=rtpmap:99 H264/90000\r\n";
        assertTrue(assertThrows(SdpException.class, () -> SdpPolicy.metaOfferFromPbxOffer(videoOnly, local))
                .getMessage().contains("no active audio"));
        String badPort = PBX_OFFER.replace("m=audio 19534", "m=audio 99999");
        assertTrue(assertThrows(SdpException.class, () -> SdpPolicy.metaOfferFromPbxOffer(badPort, local))
                .getMessage().contains("invalid port"));
    }

    @Test
    void holdReofferIsAnsweredOnThePbxLegWithTheMirroredDirection() throws Exception {
        LocalMedia local = local(false);
        Agreement a = agreedBusinessCall(local);
        Agreement hold = SdpPolicy.pbxReoffer(PBX_OFFER.replace("a=sendrecv", "a=sendonly"), a, local);
        assertTrue(hold.sdp().contains("a=recvonly"));
        assertEquals(SessionDescription.Direction.SENDONLY, hold.pbx().direction());
        assertEquals(a.metaLeg(), hold.metaLeg(), "the Meta leg is not renegotiated");
        Agreement sessionLevelHold = SdpPolicy.pbxReoffer(
                PBX_OFFER.replace("t=0 0", "t=0 0\r\na=sendonly").replace("a=sendrecv\r\n", ""), a, local);
        assertEquals(SessionDescription.Direction.SENDONLY, sessionLevelHold.pbx().direction(), "session-level");
        Agreement oldHold = SdpPolicy.pbxReoffer(PBX_OFFER.replace("c=IN IP4 192.0.2.10", "c=IN IP4 0.0.0.0"), a, local);
        assertEquals(SessionDescription.Direction.INACTIVE, oldHold.pbx().direction());
        assertThrows(SdpException.class, () -> SdpPolicy.pbxReoffer(
                PBX_OFFER.replace("m=audio 19534 RTP/AVP 96 0 8 97 98 101", "m=audio 19534 RTP/AVP 0"), a, local));
    }

    @Test
    void aReInviteWithoutSdpGetsTheRunningCodecsOfferedSendrecvAndTheAckAnswerIsFollowed() throws Exception {
        LocalMedia local = local(false);
        Agreement a = agreedBusinessCall(local);
        Agreement held = SdpPolicy.pbxReoffer(PBX_OFFER.replace("a=sendrecv", "a=sendonly"), a, local);

        String ours = SdpPolicy.pbxRefreshOffer(held, local);
        SessionDescription parsed = SessionDescription.parse(ours, "test");
        MediaDescription audio = parsed.audio("test");
        assertEquals(SessionDescription.Direction.SENDRECV, audio.direction(), "the bridge never holds:\n" + ours);
        assertEquals(local.pbxRtpPort(), audio.port());
        assertEquals(held.pairs().stream().map(p -> p[0].rtpmapValue()).toList(),
                audio.codecs().stream().map(Codec::rtpmapValue).toList(), "the running codecs, in order");

        // the PBX stays on hold, and moves its media to another port
        String answer = PBX_OFFER.replace("a=sendrecv", "a=sendonly").replace("m=audio 19534", "m=audio 30000");
        Agreement after = SdpPolicy.pbxRefreshAnswer(answer, ours, held);
        assertEquals(30000, after.pbx().port());
        assertEquals(SessionDescription.Direction.SENDONLY, after.pbx().direction());
        assertEquals(a.metaLeg(), after.metaLeg(), "the Meta leg is not renegotiated");
        assertEquals(ours, after.sdp(), "the agreement's SDP is the offer the PBX answered");
        SdpException none = assertThrows(SdpException.class, () -> SdpPolicy.pbxRefreshAnswer(
                answer.replace("m=audio 30000 RTP/AVP 96 0 8 97 98 101", "m=audio 30000 RTP/AVP 18")
                        .replace("a=rtpmap:96 opus/48000/2", "a=rtpmap:18 G729/8000"), ours, held));
        assertTrue(none.getMessage().contains("none of the codecs offered"), none.getMessage());
    }

    /** A business-initiated call with the PBX's offer sent to Meta and Meta's answer back: what re-offers change. */
    private static Agreement agreedBusinessCall(LocalMedia local) throws SdpException {
        MetaOffer offer = SdpPolicy.metaOfferFromPbxOffer(PBX_OFFER, local);
        return SdpPolicy.pbxAnswerFromMetaAnswer(MetaSdps.answer22(META_CRYPTO_80), offer, local);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
