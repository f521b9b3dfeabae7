package org.wabridge.sandbox;

import java.util.Optional;
import org.wabridge.media.SdpException;
import org.wabridge.media.dtls.DtlsFingerprint;
import org.wabridge.media.ice.IceCredentials;
import org.wabridge.media.sdp.Codec;
import org.wabridge.media.sdp.CryptoAttribute;
import org.wabridge.media.sdp.SessionDescription;

/**
 * SDP shaped like Meta's: in SDES mode (Meta's sample 200 OK and INVITE): {@code RTP/SAVP}, one audio m-line with
 * Opus and telephone-event/8000, BUNDLE group, {@code a=rtcp-mux} with the {@code a=rtcp:9} placeholder, msid,
 * one SSRC with cname {@code WhatsAppAudioStream1}, ptime 20, no ICE and no fingerprint.
 */
final class MetaSdp {

    static final String OPUS_FMTP = "maxaveragebitrate=20000;maxplaybackrate=16000;minptime=20;"
            + "sprop-maxcapturerate=16000;useinbandfec=1";

    /** What Meta keeps of the business's offer: the payload types it answers with and the business's key. */
    record Offer(String address, int port, int opusPt, int dtmfPt, CryptoAttribute theirs) {}

    /** What Meta keeps of the business's DTLS-SRTP offer. */
    record DtlsOffer(String address, int port, int opusPt, int dtmfPt, DtlsFingerprint fingerprint) {}

    private MetaSdp() {}

    /** True when the business offers DTLS-SRTP ({@code UDP/TLS/RTP/SAVPF}). */
    static boolean isDtls(String sdp) throws SdpException {
        return SessionDescription.parse(sdp, "the business").audio("the business").isDtlsSrtp();
    }

    /** Reads the business's DTLS-SRTP offer; the policy has already refused one without a usable fingerprint. */
    static DtlsOffer readDtls(String sdp, String whose) throws SdpException {
        SessionDescription.MediaDescription audio = SessionDescription.parse(sdp, whose).audio(whose);
        int opusPt = audio.codecs().stream().filter(Codec::isOpus).map(Codec::payloadType).findFirst().orElse(111);
        int dtmfPt = audio.codecs().stream().filter(Codec::isTelephoneEvent8k).map(Codec::payloadType).findFirst()
                .orElse(126);
        DtlsFingerprint fp = audio.fingerprint() == null ? null : DtlsFingerprint.parse(audio.fingerprint()).orElse(null);
        if (fp == null) {
            throw new SdpException(SdpException.Problem.NO_FINGERPRINT, whose + "'s DTLS-SRTP SDP has no usable a=fingerprint");
        }
        return new DtlsOffer(audio.address(), audio.port(), opusPt, dtmfPt, fp);
    }

    /**
     * Meta's answer to a DTLS-SRTP offer (Meta's DTLS sample: ICE-lite with one host candidate, our fingerprint,
     * {@code a=setup:passive}: the business is the DTLS client).
     */
    static String dtlsAnswer(DtlsOffer offer, String address, int port, IceCredentials ice, DtlsFingerprint ours,
                             long ssrc) {
        return dtlsBody(offer.opusPt(), offer.dtmfPt(), address, port, ice, ours, "passive", ssrc);
    }

    /**
     * Meta's DTLS-SRTP offer in a user-initiated INVITE: ICE-lite, {@code a=setup:actpass}; the business answers
     * {@code active} and runs ICE and the handshake as client.
     */
    static String dtlsOffer(String address, int port, IceCredentials ice, DtlsFingerprint ours, long ssrc) {
        return dtlsBody(111, 126, address, port, ice, ours, "actpass", ssrc);
    }

    private static String dtlsBody(int opusPt, int dtmfPt, String address, int port, IceCredentials ice,
                                   DtlsFingerprint ours, String setup, long ssrc) {
        String v = address.contains(":") ? "IP6" : "IP4";
        return "v=0\r\n"
                + "o=- " + System.currentTimeMillis() + " 2 IN IP4 127.0.0.1\r\n"
                + "s=-\r\n"
                + "t=0 0\r\n"
                + "a=ice-lite\r\n"
                + "a=group:BUNDLE audio\r\n"
                + "m=audio " + port + " UDP/TLS/RTP/SAVPF " + opusPt + " " + dtmfPt + "\r\n"
                + "c=IN " + v + " " + address + "\r\n"
                + "a=rtcp:9 IN IP4 0.0.0.0\r\n"
                + "a=candidate:1 1 udp 2122260223 " + address + " " + port + " typ host generation 0\r\n"
                + "a=ice-ufrag:" + ice.ufrag() + "\r\n"
                + "a=ice-pwd:" + ice.pwd() + "\r\n"
                + "a=fingerprint:" + ours.toSdpValue() + "\r\n"
                + "a=setup:" + setup + "\r\n"
                + "a=mid:audio\r\n"
                + "a=sendrecv\r\n"
                + "a=rtcp-mux\r\n"
                + "a=rtpmap:" + opusPt + " opus/48000/2\r\n"
                + "a=fmtp:" + opusPt + " " + OPUS_FMTP + "\r\n"
                + "a=rtpmap:" + dtmfPt + " telephone-event/8000\r\n"
                + "a=ptime:20\r\n"
                + "a=ssrc:" + ssrc + " cname:WhatsAppAudioStream1\r\n";
    }

    /** Reads the business's SDES offer (or answer); the policy has already refused what Meta would. */
    static Offer read(String sdp, String whose) throws SdpException {
        SessionDescription.MediaDescription audio = SessionDescription.parse(sdp, whose).audio(whose);
        Optional<Codec> opus = audio.codecs().stream().filter(Codec::isOpus).findFirst();
        int dtmfPt = audio.codecs().stream().filter(Codec::isTelephoneEvent8k).map(Codec::payloadType).findFirst()
                .orElse(126);
        CryptoAttribute theirs = audio.cryptoLines().stream().map(CryptoAttribute::parse).flatMap(Optional::stream)
                .filter(c -> c.suite().sdpName().equals("AES_CM_128_HMAC_SHA1_80")).findFirst()
                .orElseThrow(() -> new SdpException(whose + "'s SDP has no usable AES_CM_128_HMAC_SHA1_80 key"));
        return new Offer(audio.address(), audio.port(), opus.map(Codec::payloadType).orElse(111), dtmfPt, theirs);
    }

    /** Meta's answer to a business offer: the offerer's payload type numbers are kept, as in Meta's sample. */
    static String answer(Offer offer, String address, int port, CryptoAttribute ours, long ssrc) {
        return body(address, port, offer.opusPt(), offer.dtmfPt(), ours.withTagAndSuite(offer.theirs().tag(),
                offer.theirs().suite()), ssrc);
    }

    /** Meta's offer in a user-initiated INVITE (PT 111 Opus, 126 telephone-event). */
    static String offer(String address, int port, CryptoAttribute ours, long ssrc) {
        return body(address, port, 111, 126, ours, ssrc);
    }

    private static String body(String address, int port, int opusPt, int dtmfPt, CryptoAttribute crypto, long ssrc) {
        String v = address.contains(":") ? "IP6" : "IP4";
        return "v=0\r\n"
                + "o=- " + System.currentTimeMillis() + " 2 IN IP4 127.0.0.1\r\n"
                + "s=-\r\n"
                + "t=0 0\r\n"
                + "a=group:BUNDLE audio\r\n"
                + "a=msid-semantic: WMS sandbox-stream\r\n"
                + "m=audio " + port + " RTP/SAVP " + opusPt + " " + dtmfPt + "\r\n"
                + "c=IN " + v + " " + address + "\r\n"
                + "a=rtcp:9 IN IP4 0.0.0.0\r\n"
                + "a=mid:audio\r\n"
                + "a=sendrecv\r\n"
                + "a=msid:sandbox-stream WhatsAppTrack1\r\n"
                + "a=rtcp-mux\r\n"
                + "a=crypto:" + crypto.format() + "\r\n"
                + "a=rtpmap:" + opusPt + " opus/48000/2\r\n"
                + "a=fmtp:" + opusPt + " " + OPUS_FMTP + "\r\n"
                + "a=rtpmap:" + dtmfPt + " telephone-event/8000\r\n"
                + "a=maxptime:20\r\n"
                + "a=ptime:20\r\n"
                + "a=ssrc:" + ssrc + " cname:WhatsAppAudioStream1\r\n";
    }
}
