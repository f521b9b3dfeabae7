package org.wabridge.media.srtp;

/**
 * The packets received of one SSRC (RFC 3711 3.3.2): the highest index accepted and which of the 63 before it were
 * seen. Anything older than the window counts as a replay, as RFC 3711 asks. For SRTP the highest index is also the
 * receiver's rollover counter and highest sequence number (its upper 32 and lower 16 bits).
 */
final class ReplayWindow {

    static final int SIZE = 64;

    private long highest = -1;
    /** Bit d: index {@code highest - d} was accepted. */
    private long seen;

    /** The highest index accepted, -1 before the first. */
    long highest() {
        return highest;
    }

    /** Whether a packet of this index must be refused: accepted before, or older than the window. */
    boolean isReplay(long index) {
        if (highest < 0 || index > highest) {
            return false;
        }
        long behind = highest - index;
        return behind >= SIZE || (seen >>> behind & 1) != 0;
    }

    /** Records an authenticated packet's index (one {@link #isReplay} refused nothing for). */
    void accept(long index) {
        if (index > highest) {
            long ahead = highest < 0 ? SIZE : index - highest;
            seen = ahead >= SIZE ? 1 : seen << ahead | 1;
            highest = index;
        } else {
            seen |= 1L << (highest - index);
        }
    }

    /**
     * RFC 3711 3.3.1 (Appendix A): the 48-bit index of a packet with sequence number {@code seq}, given the highest
     * index so far ({@code -1}: none yet, the first packet starts rollover counter 0). Returns -1 for a packet from
     * before rollover counter 0 (older than the stream's start).
     */
    static long estimateIndex(long highest, int seq) {
        if (highest < 0) {
            return seq;
        }
        long roc = highest >>> 16;
        int last = (int) (highest & 0xFFFF);
        long v;
        if (last < 0x8000) {
            v = seq - last > 0x8000 ? roc - 1 : roc;
        } else {
            v = last - 0x8000 > seq ? roc + 1 : roc;
        }
        return v < 0 ? -1 : v << 16 | seq;
    }
}
