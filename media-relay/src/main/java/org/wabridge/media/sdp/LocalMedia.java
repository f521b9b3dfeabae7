package org.wabridge.media.sdp;

/**
 * What our side of one call puts into SDP.
 *
 * @param publicAddress     c= address for both legs
 * @param pbxRtpPort        RTP port toward the PBX (RTCP is the next port unless muxed)
 * @param metaPort          RTP/RTCP-mux port toward Meta
 * @param ourCrypto         our SRTP master key and salt (tag and suite are adapted when answering)
 * @param ssrc              our one outgoing SSRC toward Meta
 * @param cname             our RTCP CNAME
 * @param sessionId         o= session id
 * @param g711EnabledAtMeta PCMU/PCMA may be offered to and accepted from Meta
 */
public record LocalMedia(String publicAddress, int pbxRtpPort, int metaPort, CryptoAttribute ourCrypto,
                         long ssrc, String cname, long sessionId, boolean g711EnabledAtMeta) {
}
