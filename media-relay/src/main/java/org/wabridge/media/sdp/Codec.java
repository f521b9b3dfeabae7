package org.wabridge.media.sdp;

/**
 * One payload format of an m-line.
 *
 * @param payloadType RTP payload type number
 * @param name        encoding name as written in a=rtpmap (case kept)
 * @param clockRate   RTP clock rate
 * @param channels    audio channels (1 when absent)
 * @param fmtp        the a=fmtp parameters, or null
 */
public record Codec(int payloadType, String name, int clockRate, int channels, String fmtp) {

    public static final String OPUS = "opus";
    public static final String PCMU = "PCMU";
    public static final String PCMA = "PCMA";
    public static final String TELEPHONE_EVENT = "telephone-event";

    public boolean is(String encoding, int rate) {
        return name.equalsIgnoreCase(encoding) && clockRate == rate;
    }

    public boolean isOpus() {
        return is(OPUS, 48000);
    }

    public boolean isG711() {
        return is(PCMU, 8000) || is(PCMA, 8000);
    }

    public boolean isTelephoneEvent8k() {
        return is(TELEPHONE_EVENT, 8000);
    }

    /** Same encoding, rate (and channels): what makes two payload types of two SDPs the same codec. */
    public boolean sameFormat(Codec other) {
        return name.equalsIgnoreCase(other.name) && clockRate == other.clockRate;
    }

    public Codec withFmtp(String newFmtp) {
        return new Codec(payloadType, name, clockRate, channels, newFmtp);
    }

    public String rtpmapValue() {
        return name + "/" + clockRate + (channels > 1 ? "/" + channels : "");
    }
}
