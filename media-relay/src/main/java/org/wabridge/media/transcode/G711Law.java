package org.wabridge.media.transcode;

/**
 * ITU-T G.711 companding of 16-bit linear PCM: µ-law (PCMU, RTP payload type 0) and A-law (PCMA, 8).
 *
 * <p>Both laws are done by lookup: the 256 reconstruction values and the 65536 codes are computed once from the
 * segment rules of G.711 (µ-law on a 14-bit, A-law on a 13-bit magnitude scale, shifted to 16 bits), so a 20 ms
 * frame costs 160 array reads each way.
 */
public enum G711Law {
    PCMU, PCMA;

    private static final int MU_BIAS = 0x84;
    private static final int MU_CLIP = 32635;

    private final short[] decodeTable = new short[256];
    private final byte[] encodeTable = new byte[65536];

    G711Law() {
        for (int code = 0; code < 256; code++) {
            decodeTable[code] = ordinal() == 0 ? muToLinear(code) : aToLinear(code);
        }
        for (int i = 0; i < 65536; i++) {
            short pcm = (short) i;
            encodeTable[i] = ordinal() == 0 ? linearToMu(pcm) : linearToA(pcm);
        }
    }

    /** The law of an RTP encoding name (PCMU or PCMA, any case). */
    public static G711Law of(String encodingName) {
        if (encodingName.equalsIgnoreCase("PCMU")) {
            return PCMU;
        }
        if (encodingName.equalsIgnoreCase("PCMA")) {
            return PCMA;
        }
        throw new IllegalArgumentException("not a G.711 encoding: " + encodingName);
    }

    public short decode(byte code) {
        return decodeTable[code & 0xFF];
    }

    public byte encode(short sample) {
        return encodeTable[sample & 0xFFFF];
    }

    /** Decodes {@code count} codes into {@code pcm} from {@code pcmOff}. */
    public void decode(byte[] codes, int off, int count, short[] pcm, int pcmOff) {
        for (int i = 0; i < count; i++) {
            pcm[pcmOff + i] = decodeTable[codes[off + i] & 0xFF];
        }
    }

    /** Encodes {@code count} samples into a new array. */
    public byte[] encode(short[] pcm, int off, int count) {
        byte[] codes = new byte[count];
        for (int i = 0; i < count; i++) {
            codes[i] = encodeTable[pcm[off + i] & 0xFFFF];
        }
        return codes;
    }

    /** The code of digital silence: what a quiet line sends. */
    public byte silence() {
        return encode((short) 0);
    }

    // µ-law: sign, 3-bit segment, 4-bit step, all bits inverted on the line
    private static short muToLinear(int code) {
        int u = ~code & 0xFF;
        int segment = (u >> 4) & 0x07;
        int magnitude = ((((u & 0x0F) << 3) + MU_BIAS) << segment) - MU_BIAS;
        return (short) ((u & 0x80) != 0 ? -magnitude : magnitude);
    }

    private static byte linearToMu(short sample) {
        int value = sample;
        int sign = 0;
        if (value < 0) {
            sign = 0x80;
            value = -value;
        }
        value = Math.min(value, MU_CLIP) + MU_BIAS;
        // segment = position of the highest set bit above bit 7
        int segment = 31 - Integer.numberOfLeadingZeros(value) - 7;
        int step = (value >> (segment + 3)) & 0x0F;
        return (byte) ~(sign | (segment << 4) | step);
    }

    // A-law: sign (1 = positive), 3-bit segment, 4-bit step, even bits inverted on the line (XOR 0x55)
    private static short aToLinear(int code) {
        int a = code ^ 0x55;
        int segment = (a >> 4) & 0x07;
        int magnitude = ((a & 0x0F) << 4) + 8;
        if (segment > 0) {
            magnitude = (magnitude + 0x100) << (segment - 1);
        }
        return (short) ((a & 0x80) != 0 ? magnitude : -magnitude);
    }

    private static byte linearToA(short sample) {
        int value = sample >> 3; // 13-bit scale
        int mask;
        if (value >= 0) {
            mask = 0xD5;
        } else {
            mask = 0x55;
            value = -value - 1;
        }
        int segment = value <= 0x1F ? 0 : 32 - Integer.numberOfLeadingZeros(value) - 5;
        if (segment > 7) {
            return (byte) (0x7F ^ mask);
        }
        int step = segment < 2 ? (value >> 1) & 0x0F : (value >> segment) & 0x0F;
        return (byte) (((segment << 4) | step) ^ mask);
    }
}
