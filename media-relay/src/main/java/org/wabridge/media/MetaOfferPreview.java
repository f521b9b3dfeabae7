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

    private MetaOfferPreview() {
    }

    /**
     * @throws SdpException when the relay could not build an offer at all
     */
    public static String offer(MediaSettings settings, SrtpKeyExchange keying) throws SdpException {
        LocalMedia local = NettyMediaRelay.localMedia(settings, keying, settings.portMin(), new SecureRandom(),
                NettyMediaRelay.candidateAddress(settings.publicAddress()), DtlsCertificate.generate().fingerprint());
        return SdpPolicy.metaOfferFromPbxOffer(PBX_OFFER, local).sdp();
    }
}
