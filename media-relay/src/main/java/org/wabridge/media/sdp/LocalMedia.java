package org.wabridge.media.sdp;

import java.util.List;
import org.wabridge.config.SrtpKeyExchange;
import org.wabridge.media.dtls.DtlsFingerprint;
import org.wabridge.media.ice.IceCandidate;
import org.wabridge.media.ice.IceCredentials;

/**
 * What our side of one call puts into SDP.
 *
 * @param publicAddress     c= address for both legs
 * @param pbxRtpPort        RTP port toward the PBX (RTCP is the next port unless muxed)
 * @param metaPort          RTP/RTCP-mux port toward Meta
 * @param ourCrypto         our SRTP master key and salt for SDES (tag and suite are adapted when answering)
 * @param ssrc              our one outgoing SSRC toward Meta
 * @param cname             our RTCP CNAME
 * @param sessionId         o= session id
 * @param g711EnabledAtMeta PCMU/PCMA may be offered to and accepted from Meta
 * @param offerKeying       what our offers to Meta use (the business number's setting at Meta)
 * @param dtls              our ICE and DTLS parameters, used when Meta's side is keyed by DTLS; null when this
 *                          relay cannot do DTLS (then only SDES is offered and accepted)
 */
public record LocalMedia(String publicAddress, int pbxRtpPort, int metaPort, CryptoAttribute ourCrypto,
                         long ssrc, String cname, long sessionId, boolean g711EnabledAtMeta,
                         SrtpKeyExchange offerKeying, LocalDtls dtls) {

    /**
     * Our side of DTLS mode.
     *
     * @param ice         our ufrag and password
     * @param candidates  our host candidates (the Meta port on the public address)
     * @param fingerprint of the relay's DTLS certificate
     */
    public record LocalDtls(IceCredentials ice, List<IceCandidate> candidates, DtlsFingerprint fingerprint) {

        public LocalDtls {
            candidates = List.copyOf(candidates);
        }
    }

    public LocalMedia {
        if (offerKeying == SrtpKeyExchange.DTLS && dtls == null) {
            throw new IllegalArgumentException("DTLS offers need the local DTLS parameters");
        }
    }

    /** SDES only: what the relay did before DTLS mode. */
    public LocalMedia(String publicAddress, int pbxRtpPort, int metaPort, CryptoAttribute ourCrypto, long ssrc,
                      String cname, long sessionId, boolean g711EnabledAtMeta) {
        this(publicAddress, pbxRtpPort, metaPort, ourCrypto, ssrc, cname, sessionId, g711EnabledAtMeta,
                SrtpKeyExchange.SDES, null);
    }
}
