package org.wabridge.media;

/** Counters of one call's two legs. */
public record MediaStats(LegStats pbx, LegStats meta) {

    /**
     * @param packetsIn   packets received and accepted on this leg
     * @param bytesIn     bytes received and accepted
     * @param packetsOut  packets sent on this leg (including generated silence and RTCP)
     * @param bytesOut    bytes sent
     * @param dropped     packets dropped (malformed, unexpected source, SRTP auth or replay failure)
     * @param authFailures SRTP/SRTCP authentication failures (Meta leg)
     * @param longestGapMillis longest gap between received packets
     */
    public record LegStats(long packetsIn, long bytesIn, long packetsOut, long bytesOut,
                           long dropped, long authFailures, long longestGapMillis) {}
}
