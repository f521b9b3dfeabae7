package org.wabridge.media.transcode;

import io.github.jaredmdobson.concentus.OpusApplication;
import io.github.jaredmdobson.concentus.OpusEncoder;
import io.github.jaredmdobson.concentus.OpusException;
import io.github.jaredmdobson.concentus.OpusSignal;
import java.util.ArrayList;
import java.util.List;

/**
 * PBX to Meta on a transcoded call: G.711 (8 kHz) in, 20 ms Opus frames (48 kHz RTP clock, RFC 7587) out,
 * telephone-event passed on with its timestamp moved to the 48 kHz clock (Meta: DTMF shares the audio's timestamp
 * base; the event's duration field stays in its own 8 kHz units).
 *
 * <p>The encoder takes the 8 kHz samples as they are: Opus accepts 8 kHz input and codes it as narrowband (SILK),
 * which is all the band G.711 carries, so upsampling to 48 kHz first would only cost CPU. Frames are always 20 ms
 * whatever the PBX's ptime (Meta wants ptime 20): samples are gathered until a frame is full. A timestamp that does
 * not continue the gathered samples (a gap, a new stream) starts the gathering over; a packet older than what was
 * gathered is dropped.
 */
public final class G711ToOpus {

    private static final int RATE = 8000;
    static final int FRAME_SAMPLES = RATE / 50;
    /** Meta's fmtp: maxaveragebitrate=20000. */
    static final int BITRATE = 20000;
    private static final int MAX_PACKET = 400;

    private final OpusEncoder encoder;
    private final G711Law law;
    private final int g711Pt;
    private final int pbxEventPt;
    private final int opusPt;
    private final int metaEventPt;
    private final RtpClockMapper clock = new RtpClockMapper(RATE, 48000);
    private final short[] frame = new short[FRAME_SAMPLES];
    private final short[] decoded = new short[RATE]; // up to one second per packet
    private final byte[] packet = new byte[MAX_PACKET];

    private int gathered;
    /** PBX timestamp of frame[0], and the one the next sample must have. */
    private long frameStartTs;
    private long expectedTs;
    private boolean frameMarker;
    private long lastSsrc = -1;
    private long lastMetaTs;
    private long failures;

    /**
     * @param complexity Opus encoder complexity 0..10 (CPU against quality)
     * @param firstTs    the Meta-side timestamp of the first frame
     */
    public G711ToOpus(G711Law law, int g711Pt, int pbxEventPt, int opusPt, int metaEventPt, int complexity,
                      long firstTs) {
        try {
            encoder = new OpusEncoder(RATE, 1, OpusApplication.OPUS_APPLICATION_VOIP);
        } catch (OpusException e) {
            throw new IllegalStateException("Opus encoder at 8 kHz refused: " + e.getMessage(), e);
        }
        encoder.setBitrate(BITRATE);
        encoder.setComplexity(complexity);
        encoder.setSignalType(OpusSignal.OPUS_SIGNAL_VOICE);
        // in-band FEC lets Meta's decoder rebuild a lost frame from the next one; it is sent only when the encoder
        // expects loss, so tell it some
        encoder.setUseInbandFEC(true);
        encoder.setPacketLossPercent(5);
        this.law = law;
        this.g711Pt = g711Pt;
        this.pbxEventPt = pbxEventPt;
        this.opusPt = opusPt;
        this.metaEventPt = metaEventPt;
        clock.reanchor(firstTs);
    }

    /**
     * One RTP packet from the PBX.
     *
     * @return the Opus frames (and events) for Meta, in order; empty while a frame is still being gathered
     */
    public List<TranscodedFrame> transcode(long ssrc, long ts, int pt, boolean marker, byte[] p, int off, int len) {
        List<TranscodedFrame> out = new ArrayList<>(1);
        ts &= 0xFFFF_FFFFL;
        if (ssrc != lastSsrc && lastSsrc != -1) {
            // a new PBX stream: our timestamps go on from the last frame
            clock.reanchor(lastMetaTs + 960);
            gathered = 0;
        }
        lastSsrc = ssrc;
        if (pt == pbxEventPt) {
            if (metaEventPt >= 0) {
                out.add(new TranscodedFrame(metaEventPt, marker, clock.map(ts), copy(p, off, len), false));
            }
            return out;
        }
        if (pt != g711Pt) {
            return out;
        }
        if (gathered > 0 && ts != expectedTs) {
            if (((ts - expectedTs) & 0xFFFF_FFFFL) >= 0x8000_0000L) {
                return out; // older than what is gathered: its time has passed
            }
            gathered = 0; // a gap: the partial frame is dropped, the new packet starts a frame
        }
        int count = Math.min(len, decoded.length);
        law.decode(p, off, count, decoded, 0);
        for (int i = 0; i < count; i++) {
            if (gathered == 0) {
                frameStartTs = (ts + i) & 0xFFFF_FFFFL;
                frameMarker = marker && i == 0;
            }
            frame[gathered++] = decoded[i];
            if (gathered == FRAME_SAMPLES) {
                encodeFrame(out);
                gathered = 0;
            }
        }
        expectedTs = (ts + count) & 0xFFFF_FFFFL;
        return out;
    }

    private void encodeFrame(List<TranscodedFrame> out) {
        int n;
        try {
            n = encoder.encode(frame, 0, FRAME_SAMPLES, packet, 0, MAX_PACKET);
        } catch (OpusException | RuntimeException | AssertionError e) {
            // Concentus keeps libopus's internal range checks on (they throw AssertionError, whatever -ea says); a
            // check that fires leaves the encoder mid-frame, so it starts afresh: one frame is lost, not the call
            failures++;
            encoder.resetState();
            return;
        }
        if (n <= 0) {
            return;
        }
        byte[] payload = new byte[n];
        System.arraycopy(packet, 0, payload, 0, n);
        lastMetaTs = clock.map(frameStartTs);
        out.add(new TranscodedFrame(opusPt, frameMarker, lastMetaTs, payload, false));
    }

    /** Frames the encoder refused (each lost, the encoder reset). */
    public long failures() {
        return failures;
    }

    private static byte[] copy(byte[] p, int off, int len) {
        byte[] b = new byte[len];
        System.arraycopy(p, off, b, 0, len);
        return b;
    }
}
