package org.wabridge.b2bua.ops.calllog;

import java.time.Instant;

/**
 * Which calls to list, newest first.
 *
 * @param since      only calls started at or after this instant; null = no lower bound
 * @param failedOnly only calls that failed, or that connected and then ended on a fault (cause id set)
 * @param limit      at most this many
 */
public record CallQuery(Instant since, boolean failedOnly, int limit) {

    public static final int DEFAULT_LIMIT = 50;
    public static final int MAX_LIMIT = 1000;

    public CallQuery {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit " + limit + " is outside 1.." + MAX_LIMIT);
        }
    }
}
