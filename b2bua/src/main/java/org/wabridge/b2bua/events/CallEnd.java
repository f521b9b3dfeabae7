package org.wabridge.b2bua.events;

import java.time.Duration;
import java.time.Instant;
import org.wabridge.media.MediaStats;

/**
 * @param callId      the call's id
 * @param metaCallId  Meta's call id (x-wa-meta-wacid or the outgoing:wacid. Call-ID), null when unknown
 * @param at          when it ended
 * @param connected   true when both legs answered
 * @param finalCode   the final SIP code of the call: 200 for a connected call, else the failure answered
 * @param finalPhrase its reason phrase
 * @param causeId     the cause catalog id for a failed or timed-out call, null for a normal end
 * @param reason      why it ended, in words ("PBX hung up", "Meta answered 486 User declined the call")
 * @param setupTime   from the first INVITE to the answer; null when never connected
 * @param duration    from the first INVITE to the end
 * @param media       media counters of both legs (zeros when no media session was opened)
 */
public record CallEnd(String callId, String metaCallId, Instant at, boolean connected, int finalCode,
                      String finalPhrase, String causeId, String reason, Duration setupTime, Duration duration,
                      MediaStats media) {}
