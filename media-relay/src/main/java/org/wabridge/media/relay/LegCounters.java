package org.wabridge.media.relay;

import org.wabridge.media.MediaStats.LegStats;

/** Mutable counters of one leg, guarded by the owning session. */
final class LegCounters {
    long packetsIn;
    long bytesIn;
    long packetsOut;
    long bytesOut;
    long dropped;
    long authFailures;
    long longestGapMillis;
    long lastReceivedAt = -1;

    void received(int bytes, long now) {
        if (lastReceivedAt >= 0) {
            longestGapMillis = Math.max(longestGapMillis, now - lastReceivedAt);
        }
        lastReceivedAt = now;
        packetsIn++;
        bytesIn += bytes;
    }

    void sent(int bytes) {
        packetsOut++;
        bytesOut += bytes;
    }

    LegStats snapshot() {
        return new LegStats(packetsIn, bytesIn, packetsOut, bytesOut, dropped, authFailures, longestGapMillis);
    }
}
