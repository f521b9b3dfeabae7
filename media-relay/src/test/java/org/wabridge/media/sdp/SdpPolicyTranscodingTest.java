package org.wabridge.media.sdp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.wabridge.media.SdpException;
import org.wabridge.media.sdp.SdpPolicy.Agreement;
import org.wabridge.media.sdp.SdpPolicy.MetaOffer;
import org.wabridge.media.sdp.SdpPolicy.PbxOffer;
import org.wabridge.media.srtp.SrtpSuite;
import org.wabridge.media.transcode.CallTranscoder;
import org.wabridge.media.transcode.G711Law;

/** The SDP of both legs when the relay transcodes for a PBX without Opus. */
class SdpPolicyTranscodingTest {

    private static final String META_CRYPTO_80 = "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" + MetaSdps.KEY;
    private static final String G711_PBX = String.join("\r\n",
            "v=0", "o=- 1 1 IN IP4 192.0.2.10", "s=-", "c=IN IP4 192.0.2.10", "t=0 0",
            "m=audio 19534 RTP/AVP 0 8 96", "a=rtpmap:0 PCMU/8000", "a=rtpmap:8 PCMA/8000",
            "a=rtpmap:96 telephone-event/8000", "a=fmtp:96 0-16", "a=ptime:20", "a=sendrecv", "");

    private static LocalMedia local(boolean g711AtMeta) {
        byte[] key = new byte[30];
        new SecureRandom().nextBytes(key);
        return new LocalMedia("203.0.113.5", 40000, 40002,
                new CryptoAttribute(1, SrtpSuite.AES_CM_128_HMAC_SHA1_80, key), 3735928559L, "c", 77, g711AtMeta);
    }

    private static List<String> lines(String sdp, String prefix) {
        return sdp.lines().filter(l -> l.startsWith(prefix)).toList();
    }

    @Test
    void aG711OnlyPbxCallsMetaWithOpusAndGetsItsG711Back() throws Exception {
        LocalMedia local = local(false);
        MetaOffer offer = SdpPolicy.metaOfferFromPbxOffer(G711_PBX, local, true);
        assertTrue(offer.transcoded());
        assertEquals(List.of("m=audio 40002 RTP/SAVP 111 126"), lines(offer.sdp(), "m="), offer.sdp());
        assertFalse(offer.sdp().contains("PCMU"), "Meta never sees G.711 it has not enabled");
        // Meta's documented answer (section 2.2: it kept the offerer's numbers, here 107 and 101)
        Agreement a = SdpPolicy.pbxAnswerFromMetaAnswer(MetaSdps.answer22(META_CRYPTO_80)
                .replace("107", "111").replace("101", "126"), offer, local);
        assertEquals(List.of("m=audio 40000 RTP/AVP 0 96"), lines(a.sdp(), "m="), a.sdp());
        assertTrue(a.sdp().contains("a=rtpmap:0 PCMU/8000") && a.sdp().contains("a=rtpmap:96 telephone-event/8000"));
        assertEquals(new CallTranscoder.Plan(G711Law.PCMU, 0, 96, 111, 126), a.transcoding());
        assertTrue(a.metaLeg().silenceCodec().isOpus(), "silence toward Meta stays Opus");
        assertEquals(111, a.payloads().toMeta(0));
        assertEquals(126, a.payloads().toMeta(96));
        assertEquals(0, a.payloads().toPbx(111));
    }

    @Test
    void opusFromThePbxAndG711EnabledAtMetaStillPassThrough() throws Exception {
        String opusToo = G711_PBX.replace("RTP/AVP 0 8 96", "RTP/AVP 0 8 97 96")
                .replace("a=rtpmap:96", "a=rtpmap:97 opus/48000/2\r\na=rtpmap:96");
        MetaOffer opus = SdpPolicy.metaOfferFromPbxOffer(opusToo, local(false), true);
        assertFalse(opus.transcoded(), "a PBX with Opus is never transcoded");
        MetaOffer metaTranscodes = SdpPolicy.metaOfferFromPbxOffer(G711_PBX, local(true), true);
        assertFalse(metaTranscodes.transcoded(), "G.711 enabled at Meta: Meta gets G.711");
        assertEquals(List.of("m=audio 40002 RTP/SAVP 0 8 126"), lines(metaTranscodes.sdp(), "m="));
    }

    @Test
    void withoutPbxDtmfMetaIsStillOfferedItButEventsHaveNowhereToGo() throws Exception {
        LocalMedia local = local(false);
        String noDtmf = G711_PBX.replace("RTP/AVP 0 8 96", "RTP/AVP 8");
        MetaOffer offer = SdpPolicy.metaOfferFromPbxOffer(noDtmf, local, true);
        Agreement a = SdpPolicy.pbxAnswerFromMetaAnswer(MetaSdps.answer22(META_CRYPTO_80)
                .replace("107", "111").replace("101", "126"), offer, local);
        assertEquals(List.of("m=audio 40000 RTP/AVP 8"), lines(a.sdp(), "m="));
        assertEquals(new CallTranscoder.Plan(G711Law.PCMA, 8, -1, 111, -1), a.transcoding());
    }

    @Test
    void metaCallingIsOfferedToThePbxWithG711AfterOpusAndTranscodedWhenThePbxPicksIt() throws Exception {
        LocalMedia local = local(false);
        PbxOffer offer = SdpPolicy.pbxOfferFromMetaOffer(MetaSdps.offer32(META_CRYPTO_80), local, true);
        assertEquals(List.of("m=audio 40000 RTP/AVP 111 0 8 126"), lines(offer.sdp(), "m="), offer.sdp());
        String pcma = "v=0\r\no=- 1 1 IN IP4 192.0.2.10\r\ns=-\r\nc=IN IP4 192.0.2.10\r\nt=0 0\r\n"
                + "m=audio 12000 RTP/AVP 8 126\r\n";
        Agreement a = SdpPolicy.metaAnswerFromPbxAnswer(pcma, offer, local);
        assertEquals(List.of("m=audio 40002 RTP/SAVP 111 126"), lines(a.sdp(), "m="), a.sdp());
        assertEquals(new CallTranscoder.Plan(G711Law.PCMA, 8, 126, 111, 126), a.transcoding());

        PbxOffer without = SdpPolicy.pbxOfferFromMetaOffer(MetaSdps.offer32(META_CRYPTO_80), local, false);
        assertEquals(List.of("m=audio 40000 RTP/AVP 111 126"), lines(without.sdp(), "m="), "no slot: no G.711");
        Agreement opus = SdpPolicy.metaAnswerFromPbxAnswer(pcma.replace("RTP/AVP 8 126", "RTP/AVP 111"), offer, local);
        assertNull(opus.transcoding(), "a PBX answering Opus passes through");
    }

    @Test
    void aReofferKeepsTheLawAndMayRenumberIt() throws Exception {
        LocalMedia local = local(false);
        MetaOffer offer = SdpPolicy.metaOfferFromPbxOffer(G711_PBX, local, true);
        Agreement a = SdpPolicy.pbxAnswerFromMetaAnswer(MetaSdps.answer22(META_CRYPTO_80)
                .replace("107", "111").replace("101", "126"), offer, local);
        Agreement hold = SdpPolicy.pbxReoffer(G711_PBX.replace("a=sendrecv", "a=sendonly")
                .replace("RTP/AVP 0 8 96", "RTP/AVP 0 101").replace("rtpmap:96", "rtpmap:101"), a, local);
        assertEquals(new CallTranscoder.Plan(G711Law.PCMU, 0, 101, 111, 126), hold.transcoding());
        assertTrue(hold.sdp().contains("a=recvonly"));
        SdpException e = assertThrows(SdpException.class, () -> SdpPolicy.pbxReoffer(
                G711_PBX.replace("RTP/AVP 0 8 96", "RTP/AVP 8"), a, local));
        assertTrue(e.getMessage().contains("PCMU/8000"), e.getMessage());
    }
}
