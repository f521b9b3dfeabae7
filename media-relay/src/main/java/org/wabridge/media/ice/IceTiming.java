package org.wabridge.media.ice;

import java.time.Duration;

/**
 * The clock of ICE toward an ICE-lite peer.
 *
 * @param ta                    pacing of new checks (RFC 8445 section 14.2; 50 ms is its default, ample for 1-2 pairs)
 * @param rto                   first retransmission timeout of a check (RFC 8445 section 14.3: at least 500 ms with
 *                              Ta 50 ms and up to 10 pairs); it doubles after each retransmission (RFC 5389 7.2.1)
 * @param maxTransmissions      Rc: transmissions of one request, the first included (RFC 5389: 7)
 * @param lastWaitFactor        Rm: after the last transmission a request fails when Rm x rto passes (RFC 5389: 16)
 * @param nominationWait        after the first pair succeeds, how long higher-priority pairs still being checked may
 *                              take before the best valid pair is nominated anyway
 * @param completionTimeout     ICE fails when no pair is nominated by then (the bounded time of the whole step)
 * @param consentInterval       consent checks on the selected pair, each randomized to 0.8-1.2 of this (RFC 7675)
 * @param consentTimeout        consent is lost when no authenticated response arrived for this long (RFC 7675: 30 s)
 */
public record IceTiming(Duration ta, Duration rto, int maxTransmissions, int lastWaitFactor, Duration nominationWait,
                        Duration completionTimeout, Duration consentInterval, Duration consentTimeout) {

    public static final IceTiming DEFAULT = new IceTiming(Duration.ofMillis(50), Duration.ofMillis(500), 7, 16,
            Duration.ofMillis(200), Duration.ofSeconds(10), Duration.ofSeconds(5), Duration.ofSeconds(30));

    public IceTiming {
        if (ta.isNegative() || ta.isZero() || rto.isNegative() || rto.isZero() || maxTransmissions < 1
                || lastWaitFactor < 1 || nominationWait.isNegative() || completionTimeout.isNegative()
                || completionTimeout.isZero() || consentInterval.isNegative() || consentInterval.isZero()
                || consentTimeout.compareTo(consentInterval) <= 0) {
            throw new IllegalArgumentException("invalid ICE timing " + this);
        }
    }

    public IceTiming withCompletionTimeout(Duration d) {
        return new IceTiming(ta, rto, maxTransmissions, lastWaitFactor, nominationWait, d, consentInterval,
                consentTimeout);
    }
}
