package org.wabridge.media.dtls;

/**
 * What a datagram on a shared media 5-tuple is, from its first byte (RFC 7983 section 7, which
 * updates RFC 5764 section 5.1.2). One socket carries STUN (ICE checks and consent), DTLS (the
 * handshake) and SRTP/SRTCP; the relay reads the first byte and hands the packet to the right
 * component.
 */
public enum DatagramKind {
    /** 0..3: STUN (ICE connectivity checks, consent freshness). */
    STUN,
    /** 16..19: ZRTP. Not used by this bridge; dropped. */
    ZRTP,
    /** 20..63: DTLS records (the handshake, alerts). */
    DTLS,
    /** 64..79: TURN channel data. Not used by this bridge (Meta provides no TURN). */
    TURN_CHANNEL,
    /** 128..191: RTP or RTCP (SRTP/SRTCP here; RFC 5761 tells them apart). */
    RTP_OR_RTCP,
    /** Anything else, or an empty datagram: to be dropped. */
    UNKNOWN;

    public static DatagramKind of(byte[] datagram, int offset, int length) {
        if (length < 1) {
            return UNKNOWN;
        }
        return ofFirstByte(datagram[offset] & 0xFF);
    }

    public static DatagramKind ofFirstByte(int b) {
        if (b >= 0 && b <= 3) {
            return STUN;
        }
        if (b >= 16 && b <= 19) {
            return ZRTP;
        }
        if (b >= 20 && b <= 63) {
            return DTLS;
        }
        if (b >= 64 && b <= 79) {
            return TURN_CHANNEL;
        }
        if (b >= 128 && b <= 191) {
            return RTP_OR_RTCP;
        }
        return UNKNOWN;
    }
}
