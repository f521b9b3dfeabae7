package org.wabridge.b2bua.call;

import java.time.Duration;
import java.util.List;
import org.wabridge.b2bua.SipTrace.Side;
import org.wabridge.media.MetaLegFailure;

/**
 * Everything that can happen to a call, as plain data: the SIP adapter turns JAIN-SIP events into these,
 * timers and the media relay post them too. {@code request} fields are opaque handles the adapter gets back
 * in {@link Action.AnswerRequest}; the state machine never looks inside them.
 */
public sealed interface Input {

    /** The inbound INVITE was admitted: set the call up. {@code offer} is its SDP body, or null. */
    record Start(String offer) implements Input {}

    /** A 1xx to our INVITE on the outbound leg. */
    record OutboundProvisional(int code) implements Input {}

    /** A 2xx to our INVITE on the outbound leg (the first or a retransmission). */
    record OutboundAnswer(String sdp) implements Input {}

    /** A 401/407 to our INVITE; {@code challenges} are the header values offered. */
    record OutboundChallenge(int code, String phrase, List<String> challenges, List<String> warnings) implements Input {}

    /**
     * Meta's "invalid digest" 403 to an INVITE that carried credentials reused from an earlier call's challenge
     * (Meta may refuse a reused nonce instead of challenging again): worth one more INVITE without them. Any other
     * answer to such an INVITE comes as the usual input.
     */
    record ReusedCredentialsRefused(int code, String phrase, List<String> warnings) implements Input {}

    /** Any other final failure to our INVITE. */
    record OutboundFailure(int code, String phrase, List<String> warnings) implements Input {}

    /** Our INVITE could not be delivered: transport error, TLS failure or transaction timeout. */
    record OutboundUnreachable(String detail, boolean tlsFailure) implements Input {}

    /** The inbound leg cancelled its INVITE (the CANCEL itself is already answered). */
    record InboundCancel() implements Input {}

    /**
     * An ACK from {@code side}: for our 200 to the INVITE that set the call up or to a re-INVITE, told apart by
     * {@code cseq} (an ACK for a 2xx carries its INVITE's CSeq number). {@code sdp} is its body or null: the PBX's
     * answer when our 200 carried an offer.
     */
    record Ack(Side side, long cseq, String sdp) implements Input {}

    /** Our 200 OK on {@code side} was never acknowledged. */
    record AckTimeout(Side side) implements Input {}

    /**
     * A BYE from {@code side}. {@code reason} is its Reason header or null; {@code metaDuration} Meta's
     * {@code x-wa-meta-call-duration} or null.
     */
    record Bye(Side side, String reason, String metaDuration, Object request) implements Input {}

    /**
     * A re-INVITE ({@code invite} true) or UPDATE from {@code side} with CSeq number {@code cseq}; {@code sdp} may be
     * null (no body).
     */
    record Reoffer(Side side, String sdp, boolean invite, long cseq, Object request) implements Input {}

    /** Meta's own id for the call, seen in a header. */
    record MetaCallId(String id) implements Input {}

    /** An armed timer fired. */
    record TimerFired(CallTimer timer) implements Input {}

    /** The relay heard nothing from {@code leg} for {@code silentFor}. */
    record MediaTimeout(Side leg, Duration silentFor) implements Input {}

    /** The relay's Meta leg cannot carry media (ICE, consent or DTLS failed); {@code detail} is what it saw. */
    record MetaLegFailed(MetaLegFailure.Kind kind, String detail) implements Input {}

    /** A set-up step of the Meta leg, {@code sinceStart} after the leg started: for the timeline only. */
    record MediaMilestone(org.wabridge.media.MediaMilestone milestone, Duration sinceStart) implements Input {}

    /** End the call now on both legs (shutdown, admin, or an internal fault with {@code fault} true). */
    record HangUp(String why, boolean fault) implements Input {}
}
