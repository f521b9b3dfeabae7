package org.wabridge.media.sdp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.wabridge.config.SrtpKeyExchange;
import org.wabridge.media.SdpException;
import org.wabridge.media.dtls.DtlsCertificate;
import org.wabridge.media.dtls.DtlsRole;
import org.wabridge.media.ice.IceCredentials;
import org.wabridge.media.ice.IceSdp;
import org.wabridge.media.sdp.LocalMedia.LocalDtls;
import org.wabridge.media.sdp.SdpPolicy.Agreement;
import org.wabridge.media.sdp.SdpPolicy.MetaOffer;
import org.wabridge.media.sdp.SdpPolicy.PbxOffer;
import org.wabridge.media.srtp.SrtpSuite;

/** DTLS mode of the Meta leg's SDP: Meta's section 4.3 offer in, our ICE/fingerprint/setup out, both directions. */
class SdpPolicyDtlsTest {

    private static final DtlsCertificate CERTIFICATE = DtlsCertificate.generate();
    private static final String PBX_OFFER = String.join("\r\n",
            "v=0", "o=- 1 1 IN IP4 192.0.2.10", "s=-", "c=IN IP4 192.0.2.10", "t=0 0",
            "m=audio 19534 RTP/AVP 96 101", "a=rtpmap:96 opus/48000/2", "a=rtpmap:101 telephone-event/8000",
            "a=fmtp:101 0-16", "a=sendrecv", "");
    private static final String PBX_ANSWER = PBX_OFFER;

    private static LocalMedia local(SrtpKeyExchange offerKeying) {
        byte[] key = new byte[30];
        new SecureRandom().nextBytes(key);
        LocalDtls dtls = new LocalDtls(new IceCredentials("ourUfrag", "ourPasswordOurPassword12"),
                IceSdp.hostCandidates(List.of(new InetSocketAddress("203.0.113.5", 40002))), CERTIFICATE.fingerprint());
        return new LocalMedia("203.0.113.5", 40000, 40002, new CryptoAttribute(1, SrtpSuite.AES_CM_128_HMAC_SHA1_80, key),
                3735928559L, "relay-cname", 77, false, offerKeying, dtls);
    }

    private static List<String> lines(String sdp, String prefix) {
        return sdp.lines().filter(l -> l.startsWith(prefix)).toList();
    }

    @Test
    void answersMetasDtlsOfferAsTheIceFullDtlsClient() throws Exception {
        LocalMedia local = local(SrtpKeyExchange.SDES); // the number's setting does not matter: Meta's offer leads
        PbxOffer offer = SdpPolicy.pbxOfferFromMetaOffer(MetaSdps.OFFER_43_DTLS, local);
        assertTrue(offer.metaLeg().keyedByDtls());
        assertEquals(DtlsRole.CLIENT, offer.metaLeg().dtls().ourRole(), "Meta's actpass makes us the client");
        assertEquals("Xy7q", offer.metaLeg().dtls().ice().credentials().ufrag());
        assertTrue(offer.metaLeg().dtls().ice().lite());
        assertEquals(new InetSocketAddress("57.144.135.35", 3480),
                offer.metaLeg().dtls().ice().candidates().get(0).address());
        assertNull(offer.metaLeg().theirCrypto(), "no SDES keys in DTLS mode");
        assertTrue(offer.sdp().contains("m=audio 40000 RTP/AVP 111 126"), "the PBX leg is plain RTP as ever:\n" + offer.sdp());

        Agreement a = SdpPolicy.metaAnswerFromPbxAnswer(PBX_ANSWER, offer, local);
        String answer = a.sdp();
        assertEquals(List.of("m=audio 40002 UDP/TLS/RTP/SAVPF 111 126"), lines(answer, "m="));
        assertEquals(List.of("a=setup:active"), lines(answer, "a=setup:"));
        assertEquals(List.of("a=fingerprint:" + CERTIFICATE.fingerprint().toSdpValue()), lines(answer, "a=fingerprint:"));
        assertEquals(List.of("a=ice-ufrag:ourUfrag"), lines(answer, "a=ice-ufrag:"));
        assertEquals(List.of("a=ice-pwd:ourPasswordOurPassword12"), lines(answer, "a=ice-pwd:"));
        List<String> candidates = lines(answer, "a=candidate:");
        assertEquals(1, candidates.size());
        assertTrue(candidates.get(0).contains(" udp ") && candidates.get(0).contains(" 203.0.113.5 40002 typ host"),
                candidates.get(0));
        assertEquals(List.of("a=mid:audio"), lines(answer, "a=mid:"), "Meta's mid, echoed");
        assertEquals(List.of("a=group:BUNDLE audio"), lines(answer, "a=group:"));
        assertTrue(answer.indexOf("a=group:BUNDLE") < answer.indexOf("m=audio"), "BUNDLE is session-level");
        assertEquals(1, lines(answer, "a=rtcp-mux").size());
        assertTrue(lines(answer, "a=crypto").isEmpty(), "no SDES keys next to a fingerprint");
        assertTrue(lines(answer, "a=ice-lite").isEmpty(), "we are a full ICE agent");
        assertTrue(lines(answer, "a=rtcp-fb").isEmpty(), "no transport-cc: we send no such feedback");
        SessionDescription.parse(answer, "ours").audio("ours"); // and it is SDP
    }

    @Test
    void offersDtlsToMetaWhenTheNumberIsSetToDtls() throws Exception {
        LocalMedia local = local(SrtpKeyExchange.DTLS);
        MetaOffer offer = SdpPolicy.metaOfferFromPbxOffer(PBX_OFFER, local);
        String sdp = offer.sdp();
        assertEquals(List.of("m=audio 40002 UDP/TLS/RTP/SAVPF 111 126"), lines(sdp, "m="));
        assertEquals(List.of("a=setup:actpass"), lines(sdp, "a=setup:"));
        assertEquals(1, lines(sdp, "a=fingerprint:sha-256 ").size());
        assertEquals(1, lines(sdp, "a=candidate:").size());
        assertEquals(List.of("a=group:BUNDLE audio"), lines(sdp, "a=group:"));
        assertTrue(lines(sdp, "a=crypto").isEmpty());

        // Meta answers passive (we stay the client), with its ICE-lite candidates
        String metaAnswer = MetaSdps.OFFER_43_DTLS.replace("a=setup:actpass", "a=setup:passive");
        Agreement a = SdpPolicy.pbxAnswerFromMetaAnswer(metaAnswer, offer, local);
        assertEquals(DtlsRole.CLIENT, a.metaLeg().dtls().ourRole());
        assertNotNull(a.metaLeg().dtls().ice());
        assertTrue(a.sdp().contains("RTP/AVP 96 101"), a.sdp());

        // a peer that answers active makes us the server
        Agreement server = SdpPolicy.pbxAnswerFromMetaAnswer(
                MetaSdps.OFFER_43_DTLS.replace("a=setup:actpass", "a=setup:active"), offer, local);
        assertEquals(DtlsRole.SERVER, server.metaLeg().dtls().ourRole());
    }

    @Test
    void offersSdesWhenTheNumberIsSetToSdesEvenThoughDtlsIsPossible() throws Exception {
        String sdp = SdpPolicy.metaOfferFromPbxOffer(PBX_OFFER, local(SrtpKeyExchange.SDES)).sdp();
        assertEquals(List.of("m=audio 40002 RTP/SAVP 111 126"), lines(sdp, "m="));
        assertEquals(1, lines(sdp, "a=crypto:").size());
        assertTrue(lines(sdp, "a=fingerprint").isEmpty() && lines(sdp, "a=ice-ufrag").isEmpty());
    }

    @Test
    void metasDtlsSdpWithoutFingerprintIsMetasOwnNoFingerprintCause() {
        String noFingerprint = MetaSdps.OFFER_43_DTLS.replaceAll("a=fingerprint:[^\r]*\r\n", "");
        SdpException e = assertThrows(SdpException.class,
                () -> SdpPolicy.pbxOfferFromMetaOffer(noFingerprint, local(SrtpKeyExchange.DTLS)));
        assertEquals(SdpException.Problem.NO_FINGERPRINT, e.problem());
        assertTrue(e.getMessage().contains("No fingerprint found in SDP"), e.getMessage());
    }

    @Test
    void keyingMismatchesBetweenOurOfferAndMetasAnswerSayWhatToChange() throws Exception {
        MetaOffer dtlsOffer = SdpPolicy.metaOfferFromPbxOffer(PBX_OFFER, local(SrtpKeyExchange.DTLS));
        SdpException sdesAnswer = assertThrows(SdpException.class, () -> SdpPolicy.pbxAnswerFromMetaAnswer(
                MetaSdps.answer22("a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" + MetaSdps.KEY), dtlsOffer,
                local(SrtpKeyExchange.DTLS)));
        assertTrue(sdesAnswer.getMessage().contains("srtpKeyExchange to SDES"), sdesAnswer.getMessage());

        MetaOffer sdesOffer = SdpPolicy.metaOfferFromPbxOffer(PBX_OFFER, local(SrtpKeyExchange.SDES));
        SdpException dtlsAnswer = assertThrows(SdpException.class, () -> SdpPolicy.pbxAnswerFromMetaAnswer(
                MetaSdps.OFFER_43_DTLS, sdesOffer, local(SrtpKeyExchange.SDES)));
        assertTrue(dtlsAnswer.getMessage().contains("srtpKeyExchange to DTLS"), dtlsAnswer.getMessage());
    }

    @Test
    void unusableDtlsAttributesAreRefusedWithTheLine() {
        SdpException holdconn = assertThrows(SdpException.class, () -> SdpPolicy.pbxOfferFromMetaOffer(
                MetaSdps.OFFER_43_DTLS.replace("a=setup:actpass", "a=setup:holdconn"), local(SrtpKeyExchange.DTLS)));
        assertTrue(holdconn.getMessage().contains("a=setup:holdconn"), holdconn.getMessage());
        SdpException badHash = assertThrows(SdpException.class, () -> SdpPolicy.pbxOfferFromMetaOffer(
                MetaSdps.OFFER_43_DTLS.replace("a=fingerprint:sha-256 12:34", "a=fingerprint:md2 12:34"),
                local(SrtpKeyExchange.DTLS)));
        assertEquals(SdpException.Problem.UNUSABLE, badHash.problem());
        assertTrue(badHash.getMessage().contains("unusable a=fingerprint"), badHash.getMessage());
    }

    @Test
    void aRelayWithoutDtlsParametersStillSaysToSwitchMetaToSdes() {
        LocalMedia sdesOnly = new LocalMedia("203.0.113.5", 40000, 40002,
                new CryptoAttribute(1, SrtpSuite.AES_CM_128_HMAC_SHA1_80, new byte[30]), 1, "c", 1, false);
        SdpException e = assertThrows(SdpException.class,
                () -> SdpPolicy.pbxOfferFromMetaOffer(MetaSdps.OFFER_43_DTLS, sdesOnly));
        assertTrue(e.getMessage().contains("set srtp_key_exchange_protocol to SDES"), e.getMessage());
    }
}
