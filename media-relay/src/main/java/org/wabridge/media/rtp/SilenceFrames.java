package org.wabridge.media.rtp;

import java.util.Arrays;
import org.wabridge.media.sdp.Codec;

/** One 20 ms frame of silence per codec, sent toward Meta while the PBX is quiet. */
public final class SilenceFrames {

    /** Opus: TOC 0xF8 (CELT FB 20 ms, mono, one frame) and the two-byte silent frame. */
    private static final byte[] OPUS = {(byte) 0xF8, (byte) 0xFF, (byte) 0xFE};

    private SilenceFrames() {
    }

    /** The 20 ms silence payload of an audio codec. */
    public static byte[] payload(Codec codec) {
        if (codec.isOpus()) {
            return OPUS.clone();
        }
        byte[] frame = new byte[160];
        if (codec.is(Codec.PCMU, 8000)) {
            Arrays.fill(frame, (byte) 0xFF);
        } else if (codec.is(Codec.PCMA, 8000)) {
            Arrays.fill(frame, (byte) 0xD5);
        } else {
            throw new IllegalArgumentException("no silence frame for " + codec.rtpmapValue());
        }
        return frame;
    }

    /** RTP timestamp units in 20 ms at the codec's clock. */
    public static int samplesPer20ms(Codec codec) {
        return codec.clockRate() / 50;
    }
}
