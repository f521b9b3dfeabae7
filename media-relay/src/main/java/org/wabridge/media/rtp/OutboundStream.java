package org.wabridge.media.rtp;

/**
 * The one RTP stream we send toward Meta. PBX packets (whatever their SSRC) and generated silence
 * leave with our SSRC, a sequence number that never jumps, and a timestamp that follows the PBX's
 * own timing while it streams and wall-clock time across gaps and source changes.
 *
 * <p>While one PBX stream runs, sequence and timestamp are the PBX's plus fixed offsets, so reordering,
 * loss and DTMF events (constant timestamp across an event's packets) pass through unchanged. When
 * the source changes (new PBX SSRC, silence fill starts or stops) the offsets are re-anchored after
 * the last packet sent.
 */
public final class OutboundStream {

    private static final long TS_MASK = 0xFFFF_FFFFL;

    private final long ssrc;
    private int nextSeq;
    private long lastTs;
    private long lastSentAtMillis = Long.MIN_VALUE;
    private boolean anyPacketSent;
    /** The last packet sent was generated (silence). */
    private boolean generatedRun;
    /** Timestamp and time of the first frame of the current generated run: its frames stay on the wall clock. */
    private long generatedAnchorTs;
    private long generatedAnchorAt;

    /** Offsets of the current PBX run; {@code runSsrc} -1 when no run is active. */
    private long runSsrc = -1;
    private int seqOffset;
    private long tsOffset;
    private int highestRunSeq;

    private long packetsSent;
    private long octetsSent;

    public OutboundStream(long ssrc, int initialSeq, long initialTs) {
        this.ssrc = ssrc;
        this.nextSeq = initialSeq & 0xFFFF;
        this.lastTs = initialTs & TS_MASK;
    }

    public long ssrc() {
        return ssrc;
    }

    /**
     * Rewrites a PBX packet in place (SSRC, sequence, timestamp, payload type).
     *
     * @param clockRate clock of the outgoing payload type, to advance the timestamp over a gap
     */
    public void rewritePbxPacket(byte[] p, int len, int outPt, int clockRate, long nowMillis) {
        long inSsrc = Rtp.ssrc(p);
        int inSeq = Rtp.sequence(p);
        long inTs = Rtp.timestamp(p);
        boolean newRun = inSsrc != runSsrc;
        generatedRun = false;
        if (newRun) {
            long ts = anyPacketSent ? advancedTimestamp(clockRate, nowMillis) : lastTs;
            seqOffset = (nextSeq - inSeq) & 0xFFFF;
            tsOffset = (ts - inTs) & TS_MASK;
            runSsrc = inSsrc;
            highestRunSeq = inSeq;
        } else if (inSeq == highestRunSeq) {
            // The same sequence number again (some PBXes repeat RFC 4733 end packets that way): SRTP refuses a
            // repeated index as a replay, so the repeat takes the next number and the run shifts by one. A packet
            // of the run that arrives later than such a repeat may then collide and is dropped (and counted).
            seqOffset = (seqOffset + 1) & 0xFFFF;
            highestRunSeq = (inSeq - 1) & 0xFFFF;
        }
        int outSeq = (inSeq + seqOffset) & 0xFFFF;
        long outTs = (inTs + tsOffset) & TS_MASK;
        if (newRun || seqNewer(inSeq, highestRunSeq)) {
            highestRunSeq = inSeq;
            nextSeq = (outSeq + 1) & 0xFFFF;
            lastTs = outTs;
        }
        Rtp.setSsrc(p, ssrc);
        Rtp.setSequence(p, outSeq);
        Rtp.setTimestamp(p, outTs);
        Rtp.setPayloadType(p, outPt);
        if (newRun && anyPacketSent) {
            Rtp.setMarker(p, true); // a new talkspurt for the receiver's jitter buffer
        }
        noteSent(len - Rtp.HEADER_LENGTH, nowMillis);
    }

    /** The next generated packet (silence) continuing the stream; ends any PBX run. */
    public byte[] nextGenerated(int pt, byte[] payload, int clockRate, long nowMillis) {
        long ts;
        if (!anyPacketSent) {
            ts = lastTs;
        } else if (generatedRun) {
            // generated frames are paced by a fixed-rate timer: one frame each whatever its jitter, but whole frames
            // the timer lost (a loaded machine skips missed ticks) still count, or the stream would fall behind the
            // wall clock, and Meta's jitter buffer with it
            long frame = clockRate / 50;
            long onClock = generatedAnchorTs + ((nowMillis - generatedAnchorAt) / 20) * frame;
            long next = lastTs + frame;
            ts = (((onClock - next) & TS_MASK) < 0x8000_0000L ? onClock : next) & TS_MASK;
        } else {
            ts = advancedTimestamp(clockRate, nowMillis);
        }
        boolean marker = runSsrc != -1 || !anyPacketSent;
        if (!generatedRun) {
            generatedAnchorTs = ts;
            generatedAnchorAt = nowMillis;
        }
        generatedRun = true;
        runSsrc = -1;
        byte[] p = Rtp.build(pt, marker, nextSeq, ts, ssrc, payload);
        nextSeq = (nextSeq + 1) & 0xFFFF;
        lastTs = ts;
        noteSent(payload.length, nowMillis);
        return p;
    }

    /** The RTP timestamp that corresponds to now, for sender reports. */
    public long timestampAt(int clockRate, long nowMillis) {
        if (!anyPacketSent) {
            return lastTs;
        }
        return (lastTs + (nowMillis - lastSentAtMillis) * clockRate / 1000) & TS_MASK;
    }

    public long packetsSent() {
        return packetsSent;
    }

    public long octetsSent() {
        return octetsSent;
    }

    /** At least one 20 ms frame after the last packet, more if more wall-clock time passed. */
    private long advancedTimestamp(int clockRate, long nowMillis) {
        long elapsedMillis = Math.max(20, nowMillis - lastSentAtMillis);
        // round to whole 20 ms frames so the receiver sees a clean frame grid
        long frames = Math.max(1, Math.round(elapsedMillis / 20.0));
        return (lastTs + frames * (clockRate / 50)) & TS_MASK;
    }

    private void noteSent(int payloadBytes, long nowMillis) {
        anyPacketSent = true;
        lastSentAtMillis = nowMillis;
        packetsSent++;
        octetsSent += Math.max(0, payloadBytes);
    }

    private static boolean seqNewer(int a, int b) {
        int diff = (a - b) & 0xFFFF;
        return diff != 0 && diff < 0x8000;
    }
}
