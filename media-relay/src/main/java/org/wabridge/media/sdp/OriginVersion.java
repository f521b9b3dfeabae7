package org.wabridge.media.sdp;

/**
 * The version in the o= line of the SDP we send one peer over a call (RFC 3264 section 8): it goes up by one each
 * time our SDP changes (hold answered recvonly, a codec dropped, a new offer) and stays when the SDP is the same,
 * so a peer that compares versions (pjsip-based PBXs do) sees every change. Not thread-safe: one per call leg,
 * used under the call's own ordering.
 */
public final class OriginVersion {

    private String last; // as SdpPolicy wrote it, always with version 1
    private long version = 1;

    /** {@code sdp}, written by {@link SdpPolicy} with version 1, with the version this peer is due. */
    public String stamp(String sdp) {
        if (last != null && !last.equals(sdp)) {
            version++;
        }
        last = sdp;
        return version == 1 ? sdp : withVersion(sdp, version);
    }

    /** Replaces the third field of the o= line (o=username sess-id sess-version nettype addrtype address). */
    static String withVersion(String sdp, long version) {
        int start = sdp.indexOf("\r\no=") + 2;
        int end = start < 2 ? -1 : sdp.indexOf("\r\n", start);
        String[] origin = end < 0 ? new String[0] : sdp.substring(start, end).split(" ");
        if (origin.length != 6) {
            throw new IllegalArgumentException("not an SDP with an o= line as SdpWriter writes it");
        }
        origin[2] = Long.toString(version);
        return sdp.substring(0, start) + String.join(" ", origin) + sdp.substring(end);
    }
}
