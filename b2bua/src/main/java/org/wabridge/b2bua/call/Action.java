package org.wabridge.b2bua.call;

import java.time.Duration;
import java.util.List;
import org.wabridge.b2bua.SipTrace.Side;
import org.wabridge.b2bua.digest.DigestChallenge;
import org.wabridge.media.MediaSession;

/**
 * What the state machine asks the adapters to do, in order. Plain data: tests read them, the SIP adapter
 * carries them out on the call's executor.
 */
public sealed interface Action {

    /** A response to the inbound INVITE (provisional or final); {@code sdp} and {@code retryAfter} may be null. */
    record Respond(int code, String phrase, String sdp, List<String> reasons, Integer retryAfter) implements Action {}

    /** Answers an in-dialog request (BYE, re-INVITE, UPDATE) given in an {@link Input}. */
    record AnswerRequest(Object request, int code, String sdp) implements Action {}

    /** Sends our INVITE with {@code sdp} on the outbound leg. */
    record SendInvite(String sdp) implements Action {}

    /** Sends the INVITE again with digest answers to {@code challenges} (of a {@code code} 401/407). */
    record SendAuthenticatedInvite(int code, List<DigestChallenge> challenges) implements Action {}

    /** Sends the INVITE again (next CSeq) without the credentials it reused from an earlier call's challenge. */
    record SendPlainInvite() implements Action {}

    /** ACKs the outbound leg's 2xx (the latest one received). */
    record SendAck() implements Action {}

    /** Sends our ACK again: the outbound leg retransmitted its 2xx. */
    record ResendAck() implements Action {}

    /** CANCELs our INVITE on the outbound leg (only after a provisional). */
    record SendCancel() implements Action {}

    /** Forgets our INVITE without a CANCEL (no provisional came, so none may be sent). */
    record AbandonInvite() implements Action {}

    /** BYE on {@code side}'s dialog with a Reason header value. */
    record SendBye(Side side, String reason) implements Action {}

    /** The Meta leg may send now: our 200 OK (or Meta's) and the ACK are out. */
    record StartMetaMedia(MediaSession media) implements Action {}

    /** Stops the call's media and frees its ports. */
    record CloseMedia(MediaSession media) implements Action {}

    record ArmTimer(CallTimer timer, Duration after) implements Action {}

    record CancelTimer(CallTimer timer) implements Action {}

    /** A timeline event for the call log ({@code kind} as in {@code CallEvent}). */
    record Record(String kind, String detail) implements Action {}

    /** Both legs answered after {@code setupTime} (timeline, per-pair daily count). */
    record Connected(Duration setupTime) implements Action {}

    /**
     * The call is over: report it and forget it. Emitted once, after the timers are cancelled and the media
     * closed.
     */
    record End(int finalCode, String finalPhrase, String causeId, String why, String metaCallId,
               boolean connected, Duration setupTime) implements Action {}
}
