package org.wabridge.media.transcode;

import io.github.jaredmdobson.concentus.OpusDecoder;
import io.github.jaredmdobson.concentus.OpusException;
import java.util.ArrayList;
import java.util.List;

/**
 * Meta to PBX on a transcoded call: Opus (48 kHz RTP clock) in, G.711 (8 kHz) out, telephone-event passed on with
 * its timestamp moved to the 8 kHz clock.
 *
 * <p>The Opus decoder runs at 48 kHz and a {@link Decimator} takes that to 8 kHz. Decoding at 8 kHz directly would
 * save the filter, and libopus can, but Concentus 1.0.2 returns silence at any output rate below 48 kHz for the
 * hybrid (SILK+CELT) packets WhatsApp's 20 kbit/s wideband Opus is made of (tried: 8, 12, 16 and 24 kHz).
 *
 * <p>Loss: a gap in Meta's sequence numbers is filled before the packet that ends it is played: the last lost frame
 * from that packet's in-band FEC (Meta's fmtp has {@code useinbandfec=1}), earlier ones by the decoder's packet loss
 * concealment, at most {@link #MAX_CONCEALED_FRAMES}; a longer gap is left as a gap (the PBX's jitter buffer sees
 * the timestamp jump). A packet older than one already played is dropped: its time has passed.
 */
public final class OpusToG711 {

    /** 100 ms: longer losses are not papered over with made-up audio. */
    static final int MAX_CONCEALED_FRAMES = 5;
    private static final int RATE = 8000;
    private static final int DECODE_RATE = 48000;
    private static final int MAX_FRAME_SAMPLES = DECODE_RATE * 120 / 1000;
    private static final int DEFAULT_FRAME_SAMPLES = DECODE_RATE / 50;

    private final OpusDecoder decoder;
    private final G711Law law;
    private final int opusPt;
    private final int metaEventPt;
    private final int g711Pt;
    private final int pbxEventPt;
    private final RtpClockMapper clock = new RtpClockMapper(48000, RATE);
    private final short[] pcm = new short[MAX_FRAME_SAMPLES];
    private final short[] narrow = new short[MAX_FRAME_SAMPLES / Decimator.FACTOR];
    private final Decimator decimator = new Decimator();

    private boolean anyPacket;
    private int nextSeq;
    private long lastSsrc = -1;
    private long lastPbxTs;
    /** Length of the last decoded frame at 48 kHz: what one lost packet is assumed to have held. */
    private int lastFrameSamples = DEFAULT_FRAME_SAMPLES;
    private long concealedFrames;
    private long fecFrames;
    private long undecodable;

    /**
     * @param opusPt      Meta's Opus payload type
     * @param metaEventPt Meta's telephone-event/8000 payload type, or -1
     * @param law         the PBX's G.711 law
     * @param g711Pt      the PBX's payload type for it
     * @param pbxEventPt  the PBX's telephone-event/8000 payload type, or -1 (Meta's events are then dropped)
     * @param firstTs     the PBX-side timestamp of the first frame
     */
    public OpusToG711(int opusPt, int metaEventPt, G711Law law, int g711Pt, int pbxEventPt, long firstTs) {
        try {
            decoder = new OpusDecoder(DECODE_RATE, 1);
        } catch (OpusException e) {
            throw new IllegalStateException("Opus decoder refused: " + e.getMessage(), e);
        }
        this.opusPt = opusPt;
        this.metaEventPt = metaEventPt;
        this.law = law;
        this.g711Pt = g711Pt;
        this.pbxEventPt = pbxEventPt;
        clock.reanchor(firstTs);
    }

    /**
     * One RTP packet from Meta (already unprotected).
     *
     * @return the frames for the PBX in order: concealed ones first, then this packet's; empty when it is dropped
     */
    public List<TranscodedFrame> transcode(long ssrc, int seq, long ts, int pt, boolean marker,
                                           byte[] p, int off, int len) {
        List<TranscodedFrame> out = new ArrayList<>(2);
        if (ssrc != lastSsrc && anyPacket) {
            // a new stream from Meta: continue our timestamps, forget its sequence numbers
            clock.reanchor(lastPbxTs + lastFrameSamples / Decimator.FACTOR);
            anyPacket = false;
        }
        lastSsrc = ssrc;
        int gap = anyPacket ? (seq - nextSeq) & 0xFFFF : 0;
        if (gap >= 0x8000) {
            return out; // late or repeated: played (or concealed) already
        }
        anyPacket = true;
        nextSeq = (seq + 1) & 0xFFFF;
        if (pt == metaEventPt) {
            if (pbxEventPt >= 0) {
                out.add(new TranscodedFrame(pbxEventPt, marker, clock.map(ts), copy(p, off, len), false));
            }
            return out;
        }
        if (pt != opusPt) {
            return out;
        }
        long pbxTs = clock.map(ts);
        if (gap > 0 && gap <= MAX_CONCEALED_FRAMES) {
            conceal(gap, pbxTs, p, off, len, out);
        }
        int samples = decode(p, off, len, MAX_FRAME_SAMPLES, false);
        if (samples > 0) {
            lastFrameSamples = samples;
            lastPbxTs = pbxTs;
            out.add(new TranscodedFrame(g711Pt, marker || gap > MAX_CONCEALED_FRAMES, pbxTs, toG711(samples), false));
        }
        return out;
    }

    /** Fills {@code gap} lost frames before the packet at {@code pbxTs}: PLC, then FEC from that packet. */
    private void conceal(int gap, long pbxTs, byte[] p, int off, int len, List<TranscodedFrame> out) {
        int frame = lastFrameSamples;
        for (int i = gap; i >= 1; i--) {
            boolean last = i == 1;
            int samples = last ? decode(p, off, len, frame, true) : decode(null, 0, 0, frame, false);
            if (samples <= 0) {
                continue;
            }
            if (last) {
                fecFrames++;
            }
            concealedFrames++;
            long ts = pbxTs - (long) i * (frame / Decimator.FACTOR);
            out.add(new TranscodedFrame(g711Pt, false, ts & 0xFFFF_FFFFL, toG711(samples), true));
        }
    }

    private byte[] toG711(int samples48k) {
        int n = decimator.process(pcm, samples48k - samples48k % Decimator.FACTOR, narrow);
        return law.encode(narrow, 0, n);
    }

    private int decode(byte[] data, int off, int len, int frameSize, boolean fec) {
        try {
            return decoder.decode(data, off, len, pcm, 0, frameSize, fec);
        } catch (OpusException | RuntimeException e) {
            undecodable++; // a damaged packet costs its own frame only
            return 0;
        } catch (AssertionError e) {
            // one of libopus's internal checks, always on in Concentus: the decoder may be mid-frame, start afresh
            undecodable++;
            decoder.resetState();
            return 0;
        }
    }

    private static byte[] copy(byte[] p, int off, int len) {
        byte[] b = new byte[len];
        System.arraycopy(p, off, b, 0, len);
        return b;
    }

    /** Frames made up for lost packets (by PLC or FEC). */
    public long concealedFrames() {
        return concealedFrames;
    }

    /** Of those, frames recovered from the next packet's in-band FEC. */
    public long fecFrames() {
        return fecFrames;
    }

    public long undecodablePackets() {
        return undecodable;
    }
}
