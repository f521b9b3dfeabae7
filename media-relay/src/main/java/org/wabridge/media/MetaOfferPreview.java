package org.wabridge.media;

import java.security.SecureRandom;
import org.wabridge.config.MediaSettings;
import org.wabridge.config.SrtpKeyExchange;
import org.wabridge.media.dtls.DtlsCertificate;
import org.wabridge.media.sdp.LocalMedia;
import org.wabridge.media.sdp.SdpPolicy;

/**
 * The SDP offer the relay would send Meta on a business-initiated call, built without sockets or threads, so that
 * {@code bridge check} judges the configuration by what Meta would actually get. Ports are the first block of the
 * range; keys, ICE credentials and the certificate are throw-away ones.
 */
public final class MetaOfferPreview {

    /** A PBX offering Opus and RFC 4733 DTMF, as Asterisk and FreeSWITCH do toward the bridge. */
    private static final String PBX_OFFER = "v=0\r\no=- 1 1 IN IP4 192.0.2.10\r\ns=-\r\nc=IN IP4 192.0.2.10\r\n"
            + "t=0 0\r\nm=audio 10000 RTP/AVP 96 101\r\na=rtpmap:96 opus/48000/2\r\n"
            + "a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\na=sendrecv\r\n";

    /** A PBX that speaks only G.711 (Asterisk without codec_opus, many gateways). */
    private static final String G711_PBX_OFFER = "v=0\r\no=- 1 1 IN IP4 192.0.2.10\r\ns=-\r\nc=IN IP4 192.0.2.10\r\n"
            + "t=0 0\r\nm=audio 10000 RTP/AVP 0 8 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n"
            + "a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\na=sendrecv\r\n";

    private MetaOfferPreview() {
    }

    /**
     * What the relay does with a PBX that offers only PCMU/PCMA, in one sentence, judged by the same SDP rules a
     * call goes through: Meta transcodes (G.711 enabled there), the relay transcodes (within
     * {@code media.maxTranscodedCalls}), or the call is refused with 488.
     */
    public static String g711PbxChoice(MediaSettings settings, SrtpKeyExchange keying) {
        LocalMedia local = NettyMediaRelay.localMedia(settings, keying, settings.portMin(), settings.portMin() + 2,
                new SecureRandom(), NettyMediaRelay.candidateAddress(settings.publicAddress()),
                DtlsCertificate.generate().fingerprint());
        try {
            SdpPolicy.MetaOffer offer = SdpPolicy.metaOfferFromPbxOffer(G711_PBX_OFFER, local,
                    settings.maxTranscodedCalls() > 0);
            if (offer.transcoded()) {
                return "a PBX offering only PCMU/PCMA is transcoded by the relay (Opus toward Meta, G.711 toward the"
                        + " PBX), up to " + settings.maxTranscodedCalls() + " such calls at once on this node"
                        + " (media.maxTranscodedCalls; beyond: 503 local.transcoding-busy)";
            }
            return "a PBX offering only PCMU/PCMA gets G.711 passed to Meta, which transcodes"
                    + " (media.g711EnabledAtMeta)";
        } catch (SdpException e) {
            return "a PBX offering only PCMU/PCMA is refused with 488: " + e.getMessage();
        }
    }

    /**
     * @throws SdpException when the relay could not build an offer at all
     */
    public static String offer(MediaSettings settings, SrtpKeyExchange keying) throws SdpException {
        LocalMedia local = NettyMediaRelay.localMedia(settings, keying, settings.portMin(), settings.portMin() + 2,
                new SecureRandom(), NettyMediaRelay.candidateAddress(settings.publicAddress()),
                DtlsCertificate.generate().fingerprint());
        return SdpPolicy.metaOfferFromPbxOffer(PBX_OFFER, local).sdp();
    }
}
