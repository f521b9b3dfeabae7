package org.wabridge.media.transcode;

import java.util.List;

/** Meta-side test audio for tests in other packages. */
public final class CallTranscoderTestAccess {

    private CallTranscoderTestAccess() {
    }

    /** Opus RTP packets of a tone, as Meta would send them (payload type 111, 48 kHz clock). */
    public static List<byte[]> metaTone(double hz, double amplitude, int frames) throws Exception {
        return CallTranscoderTest.metaTone(hz, amplitude, frames, 0);
    }
}
