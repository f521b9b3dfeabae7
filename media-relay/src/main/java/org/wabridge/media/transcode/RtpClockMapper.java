package org.wabridge.media.transcode;

/**
 * Carries RTP timestamps from one clock to another (8000 to 48000 Hz or back) for one stream. The first timestamp
 * anchors the mapping; later ones move by their signed 32-bit distance from the newest timestamp seen, scaled, so
 * wrap-around and DTMF events that repeat an older timestamp map correctly.
 */
final class RtpClockMapper {

    private static final long MASK = 0xFFFF_FFFFL;

    private final int inRate;
    private final int outRate;
    private boolean anchored;
    private long anchorIn;
    private long anchorOut;

    RtpClockMapper(int inRate, int outRate) {
        this.inRate = inRate;
        this.outRate = outRate;
    }

    /** Starts over at the next timestamp, which will map to {@code outTs}. */
    void reanchor(long outTs) {
        anchored = false;
        anchorOut = outTs & MASK;
    }

    boolean anchored() {
        return anchored;
    }

    /** The out-clock timestamp of {@code inTs}; a newer timestamp becomes the anchor. */
    long map(long inTs) {
        inTs &= MASK;
        if (!anchored) {
            anchored = true;
            anchorIn = inTs;
            return anchorOut;
        }
        int delta = (int) (inTs - anchorIn); // signed distance on the 32-bit circle
        long out = (anchorOut + Math.floorDiv((long) delta * outRate, inRate)) & MASK;
        if (delta > 0 && ((long) delta * outRate) % inRate == 0) {
            anchorIn = inTs; // exact: move the anchor along, so the mapping never runs out of range
            anchorOut = out;
        }
        return out;
    }

    /** Samples at the in clock scaled to the out clock. */
    long scale(long inSamples) {
        return inSamples * outRate / inRate;
    }
}
