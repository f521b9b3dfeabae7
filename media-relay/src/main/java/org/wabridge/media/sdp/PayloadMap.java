package org.wabridge.media.sdp;

import java.util.Arrays;
import java.util.List;

/**
 * Payload type numbers of the same codec on the two legs (the PBX and Meta may number them
 * differently), and the clock rate of each Meta payload type.
 */
public final class PayloadMap {

    private static final int NONE = -1;
    private final int[] pbxToMeta = new int[128];
    private final int[] metaToPbx = new int[128];
    private final int[] metaClockRate = new int[128];

    /** @param pairs each entry is {pbx codec, meta codec} of the same format */
    public PayloadMap(List<Codec[]> pairs) {
        Arrays.fill(pbxToMeta, NONE);
        Arrays.fill(metaToPbx, NONE);
        for (Codec[] pair : pairs) {
            pbxToMeta[pair[0].payloadType()] = pair[1].payloadType();
            metaToPbx[pair[1].payloadType()] = pair[0].payloadType();
            metaClockRate[pair[1].payloadType()] = pair[1].clockRate();
        }
    }

    /** The Meta payload type for a PBX one, or -1 when the codec was not negotiated. */
    public int toMeta(int pbxPt) {
        return pbxToMeta[pbxPt & 0x7f];
    }

    /** The PBX payload type for a Meta one, or -1 when the codec was not negotiated. */
    public int toPbx(int metaPt) {
        return metaToPbx[metaPt & 0x7f];
    }

    public int metaClockRate(int metaPt) {
        return metaClockRate[metaPt & 0x7f];
    }
}
