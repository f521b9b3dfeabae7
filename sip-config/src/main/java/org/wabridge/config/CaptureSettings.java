package org.wabridge.config;

/**
 * Per-call packet captures (pcap) for Meta support tickets: the call's SIP on both legs (TLS decrypted) and its
 * RTP/SRTP, written when the call ends.
 *
 * @param mode            OFF, FAILED (calls that did not connect or ended on a cause) or ALL
 * @param dir             directory the .pcap files go to
 * @param maxBytesPerCall packets beyond this are left out of a call's capture (memory bound)
 */
public record CaptureSettings(Mode mode, String dir, long maxBytesPerCall) {

    public enum Mode { OFF, FAILED, ALL }

    public static final CaptureSettings DEFAULTS = new CaptureSettings(Mode.OFF, "captures", 20_000_000L);
}
