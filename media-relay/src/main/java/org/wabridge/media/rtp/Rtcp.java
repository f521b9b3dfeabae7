package org.wabridge.media.rtp;

import java.nio.charset.StandardCharsets;

/** RTCP shape checks and the sender report we send toward Meta (RFC 3550 section 6.4.1). */
public final class Rtcp {

    public static final int PT_SENDER_REPORT = 200;
    public static final int PT_SDES = 202;
    /** Seconds between 1900 (NTP epoch) and 1970 (Unix epoch). */
    private static final long NTP_UNIX_OFFSET = 2_208_988_800L;

    private Rtcp() {
    }

    /**
     * A compound RTCP packet whose first part is SR or RR and whose parts' length fields add up
     * exactly to {@code len} (no trailing bytes).
     */
    public static boolean isValidCompound(byte[] p, int len) {
        if (len < 8) {
            return false;
        }
        int first = p[1] & 0xFF;
        if (first != 200 && first != 201) {
            return false;
        }
        int offset = 0;
        while (offset < len) {
            if (offset + 4 > len || (p[offset] & 0xC0) != 0x80) {
                return false;
            }
            int type = p[offset + 1] & 0xFF;
            if (type < 192 || type > 223) {
                return false;
            }
            offset += 4 * (Rtp.u16(p, offset + 2) + 1);
        }
        return offset == len;
    }

    /** SR (no report blocks) followed by SDES with our CNAME. */
    public static byte[] senderReport(long ssrc, long wallClockMillis, long rtpTimestamp, long packetCount,
                                      long octetCount, String cname) {
        byte[] cnameBytes = cname.getBytes(StandardCharsets.US_ASCII);
        int chunk = 4 + 2 + cnameBytes.length + 1;
        int sdesLength = 4 + ((chunk + 3) / 4) * 4;
        byte[] p = new byte[28 + sdesLength];
        p[0] = (byte) 0x80;
        p[1] = (byte) PT_SENDER_REPORT;
        p[3] = 6;
        Rtp.putU32(p, 4, ssrc);
        long seconds = wallClockMillis / 1000 + NTP_UNIX_OFFSET;
        long fraction = ((wallClockMillis % 1000) << 32) / 1000;
        Rtp.putU32(p, 8, seconds);
        Rtp.putU32(p, 12, fraction);
        Rtp.putU32(p, 16, rtpTimestamp);
        Rtp.putU32(p, 20, packetCount);
        Rtp.putU32(p, 24, octetCount);
        int s = 28;
        p[s] = (byte) 0x81;
        p[s + 1] = (byte) PT_SDES;
        int words = sdesLength / 4 - 1;
        p[s + 2] = (byte) (words >>> 8);
        p[s + 3] = (byte) words;
        Rtp.putU32(p, s + 4, ssrc);
        p[s + 8] = 1; // CNAME item
        p[s + 9] = (byte) cnameBytes.length;
        System.arraycopy(cnameBytes, 0, p, s + 10, cnameBytes.length);
        // the rest stays zero: END item and padding to a 32-bit boundary
        return p;
    }

    public static long ssrc(byte[] p) {
        return Rtp.u32(p, 4);
    }
}
