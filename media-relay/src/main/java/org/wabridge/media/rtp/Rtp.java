package org.wabridge.media.rtp;

/** RTP/RTCP header access on raw packets (RFC 3550), and RTP vs RTCP demultiplexing (RFC 5761). */
public final class Rtp {

    public static final int HEADER_LENGTH = 12;

    private Rtp() {
    }

    /** At least a fixed header, version 2, and the CSRC list and extension inside the packet. */
    public static boolean isValidRtp(byte[] p, int len) {
        if (len < HEADER_LENGTH || (p[0] & 0xC0) != 0x80) {
            return false;
        }
        return headerLength(p, len) <= len;
    }

    /**
     * RFC 5761 section 4: on a muxed port, a second byte of 192..223 (RTCP packet types 200..204
     * with the marker bit position) is RTCP, everything else RTP.
     */
    public static boolean looksLikeRtcp(byte[] p, int len) {
        if (len < 2) {
            return false;
        }
        int type = p[1] & 0xFF;
        return type >= 192 && type <= 223;
    }

    /** Fixed header, CSRCs and header extension; may exceed len for a truncated packet. */
    public static int headerLength(byte[] p, int len) {
        int length = HEADER_LENGTH + 4 * (p[0] & 0x0F);
        if ((p[0] & 0x10) != 0) {
            if (length + 4 > len) {
                return Integer.MAX_VALUE;
            }
            length += 4 + 4 * u16(p, length + 2);
        }
        return length;
    }

    public static int payloadType(byte[] p) {
        return p[1] & 0x7F;
    }

    public static boolean marker(byte[] p) {
        return (p[1] & 0x80) != 0;
    }

    public static int sequence(byte[] p) {
        return u16(p, 2);
    }

    public static long timestamp(byte[] p) {
        return u32(p, 4);
    }

    public static long ssrc(byte[] p) {
        return u32(p, 8);
    }

    public static void setPayloadType(byte[] p, int pt) {
        p[1] = (byte) ((p[1] & 0x80) | (pt & 0x7F));
    }

    public static void setMarker(byte[] p, boolean marker) {
        p[1] = (byte) (marker ? p[1] | 0x80 : p[1] & 0x7F);
    }

    public static void setSequence(byte[] p, int seq) {
        p[2] = (byte) (seq >>> 8);
        p[3] = (byte) seq;
    }

    public static void setTimestamp(byte[] p, long ts) {
        putU32(p, 4, ts);
    }

    public static void setSsrc(byte[] p, long ssrc) {
        putU32(p, 8, ssrc);
    }

    /** A new RTP packet with a plain 12-byte header. */
    public static byte[] build(int pt, boolean marker, int seq, long ts, long ssrc, byte[] payload) {
        byte[] p = new byte[HEADER_LENGTH + payload.length];
        p[0] = (byte) 0x80;
        p[1] = (byte) ((marker ? 0x80 : 0) | (pt & 0x7F));
        setSequence(p, seq);
        setTimestamp(p, ts);
        setSsrc(p, ssrc);
        System.arraycopy(payload, 0, p, HEADER_LENGTH, payload.length);
        return p;
    }

    public static int u16(byte[] p, int off) {
        return ((p[off] & 0xFF) << 8) | (p[off + 1] & 0xFF);
    }

    public static long u32(byte[] p, int off) {
        return ((long) (p[off] & 0xFF) << 24) | ((p[off + 1] & 0xFF) << 16) | ((p[off + 2] & 0xFF) << 8)
                | (p[off + 3] & 0xFF);
    }

    public static void putU32(byte[] p, int off, long v) {
        p[off] = (byte) (v >>> 24);
        p[off + 1] = (byte) (v >>> 16);
        p[off + 2] = (byte) (v >>> 8);
        p[off + 3] = (byte) v;
    }
}
