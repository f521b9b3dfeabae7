package org.wabridge.b2bua.ops.calllog;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.wabridge.b2bua.events.Direction;
import org.wabridge.b2bua.ops.CallOutcome;
import org.wabridge.media.MediaStats;

/**
 * One call as the call log holds it. Fields the bridge never learned are null.
 *
 * @param callId         our id of the call: the Call-ID of the INVITE that started it
 * @param startedAt      when that INVITE arrived
 * @param direction      who called; null when the start of the call was not recorded
 * @param signaling      always {@code SIP} (Meta's Call Logs also show GRAPH_API calls, which never reach the bridge)
 * @param metaCallId     Meta's call id (the WACID), the id Meta support asks for
 * @param requestId      the SIP Call-ID of the INVITE exchanged with Meta: Meta's Call-ID for user-initiated calls,
 *                       the bridge's Call-ID toward Meta for business-initiated calls when the bridge reports it
 * @param businessNumber E.164 business number
 * @param waUser         WhatsApp user: E.164 number or BSUID
 * @param outcome        how it ended
 * @param endedAt        when it ended
 * @param finalCode      final SIP code (200 for a connected call)
 * @param finalPhrase    its reason phrase
 * @param causeId        cause catalog id of a failure or fault (see {@code bridge explain})
 * @param reason         why it ended, in words
 * @param setupTime      first INVITE to answer
 * @param duration       first INVITE to end
 * @param media          relay counters of both legs
 * @param events         the timeline, oldest first; empty in lists
 */
public record CallRecord(String callId, Instant startedAt, Direction direction, String signaling, String metaCallId,
                         String requestId, String businessNumber, String waUser, CallOutcome outcome, Instant endedAt,
                         Integer finalCode, String finalPhrase, String causeId, String reason, Duration setupTime,
                         Duration duration, MediaStats media, List<TimelineEntry> events) {

    /** Meta's name for the direction: Outbound (business-initiated) or Inbound (user-initiated). */
    public String directionLabel() {
        if (direction == null) {
            return "unknown";
        }
        return direction == Direction.BUSINESS_INITIATED ? "outbound" : "inbound";
    }
}
