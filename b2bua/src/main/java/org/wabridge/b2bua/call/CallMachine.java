package org.wabridge.b2bua.call;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.wabridge.b2bua.CallFailures;
import org.wabridge.b2bua.CallFailures.Outcome;
import org.wabridge.b2bua.SipTrace.Side;
import org.wabridge.b2bua.call.Action.AbandonInvite;
import org.wabridge.b2bua.call.Action.AnswerRequest;
import org.wabridge.b2bua.call.Action.ArmTimer;
import org.wabridge.b2bua.call.Action.CancelTimer;
import org.wabridge.b2bua.call.Action.CloseMedia;
import org.wabridge.b2bua.call.Action.Connected;
import org.wabridge.b2bua.call.Action.End;
import org.wabridge.b2bua.call.Action.Record;
import org.wabridge.b2bua.call.Action.ResendAck;
import org.wabridge.b2bua.call.Action.Respond;
import org.wabridge.b2bua.call.Action.SendAck;
import org.wabridge.b2bua.call.Action.SendAuthenticatedInvite;
import org.wabridge.b2bua.call.Action.SendBye;
import org.wabridge.b2bua.call.Action.SendCancel;
import org.wabridge.b2bua.call.Action.SendInvite;
import org.wabridge.b2bua.call.Action.SendPlainInvite;
import org.wabridge.b2bua.call.Action.StartMetaMedia;
import org.wabridge.b2bua.causes.ReasonHeaders;
import org.wabridge.b2bua.digest.DigestChallenge;
import org.wabridge.b2bua.events.Direction;
import org.wabridge.config.SrtpKeyExchange;
import org.wabridge.media.MediaEvents;
import org.wabridge.media.MediaException;
import org.wabridge.media.MediaMilestone;
import org.wabridge.media.MediaRelay;
import org.wabridge.media.MediaSession;
import org.wabridge.media.MetaLegFailure;
import org.wabridge.media.SdpException;

/**
 * One call as a state machine: an {@link Input} in, the {@link Action}s it implies out, nothing else. No SIP
 * stack, no sockets, no threads: the caller feeds it one input at a time (the call's serial executor) and
 * carries out the actions in order. Both directions share it; where they differ (which leg is Meta's, how a
 * failure is explained, when media may start) the {@link Direction} decides.
 *
 * <p>Every way out goes through {@link #end}, which cancels the armed timers, closes the media and emits
 * {@link End} exactly once.
 */
public final class CallMachine {

    private static final Logger LOG = LoggerFactory.getLogger(CallMachine.class);
    static final String NORMAL_CLEARING = "Q.850;cause=16;text=\"NORMAL_CLEARING\"";
    static final String TEMPORARY_FAILURE = "Q.850;cause=41;text=\"TEMPORARY_FAILURE\"";
    static final String INCOMPATIBLE_DESTINATION = "Q.850;cause=88;text=\"INCOMPATIBLE_DESTINATION\"";

    /** What a call needs to know of the configuration. {@code answer} is null for business-initiated calls. */
    public record Timeouts(Duration noResponse, Duration answer) {}

    private final Direction direction;
    private final String callId;
    private final String businessNumber;
    private final String waUser;
    private final SrtpKeyExchange keying;
    private final Timeouts timeouts;
    private final CallFailures failures;
    private final MediaRelay relay;
    private final MediaEvents mediaEvents;
    private final LongSupplier nanoClock;
    private final long startedAt;

    private final Side inbound;
    private final Side outbound;
    private final Set<CallTimer> armed = EnumSet.noneOf(CallTimer.class);

    private CallState state = CallState.OFFERING;
    private MediaSession media;
    private boolean started;
    private boolean inviteSent;
    private boolean ringingSent;
    private boolean challengeAnswered;
    private boolean plainInviteSent;
    private boolean outboundAcked;
    private String metaCallId;
    private int finalCode;
    private String finalPhrase;
    private String causeId;
    private Duration setupTime;
    /** The CSeq of the PBX re-INVITE whose 200 carried our offer, until its ACK brings the answer; -1 when none. */
    private long pbxOfferedInCSeq = -1;

    /**
     * @param keying the business number's {@code srtpKeyExchange}: what the relay offers Meta on a
     *               business-initiated call (a user-initiated call follows Meta's offer)
     */
    public CallMachine(Direction direction, String callId, String businessNumber, String waUser,
                       SrtpKeyExchange keying, Timeouts timeouts, CallFailures failures, MediaRelay relay,
                       MediaEvents mediaEvents, LongSupplier nanoClock) {
        this.direction = direction;
        this.callId = callId;
        this.businessNumber = businessNumber;
        this.waUser = waUser;
        this.keying = keying;
        this.timeouts = timeouts;
        this.failures = failures;
        this.relay = relay;
        this.mediaEvents = mediaEvents;
        this.nanoClock = nanoClock;
        this.startedAt = nanoClock.getAsLong();
        this.inbound = direction == Direction.BUSINESS_INITIATED ? Side.PBX : Side.META;
        this.outbound = inbound == Side.PBX ? Side.META : Side.PBX;
    }

    public CallState state() {
        return state;
    }

    public Set<CallTimer> armedTimers() {
        return Set.copyOf(armed);
    }

    /** The media session, once opened (for stats at the end); null before. */
    public MediaSession media() {
        return media;
    }

    /**
     * The end has been reported: from now on the call keeps only its media's final figures, not the closed session
     * (the SIP stack may hold the ended call for its timers a while longer).
     */
    public void releaseMedia() {
        if (state == CallState.ENDED && media != null && !(media instanceof EndedMedia)) {
            media = new EndedMedia(media.stats());
        }
    }

    public String metaCallId() {
        return metaCallId;
    }

    /** Feeds one input; returns what to do, in order. */
    public List<Action> handle(Input input) {
        List<Action> out = new ArrayList<>();
        if (input instanceof Input.Start s) {
            start(s, out);
        } else if (input instanceof Input.OutboundProvisional p) {
            outboundProvisional(p, out);
        } else if (input instanceof Input.OutboundAnswer a) {
            outboundAnswer(a, out);
        } else if (input instanceof Input.OutboundChallenge c) {
            outboundChallenge(c, out);
        } else if (input instanceof Input.ReusedCredentialsRefused r) {
            reusedCredentialsRefused(r, out);
        } else if (input instanceof Input.OutboundFailure f) {
            outboundFailure(f.code(), f.phrase(), f.warnings(), out);
        } else if (input instanceof Input.OutboundUnreachable u) {
            outboundUnreachable(u, out);
        } else if (input instanceof Input.InboundCancel) {
            inboundCancel(out);
        } else if (input instanceof Input.Ack a) {
            ack(a, out);
        } else if (input instanceof Input.AckTimeout t) {
            ackTimeout(t, out);
        } else if (input instanceof Input.Bye b) {
            bye(b, out);
        } else if (input instanceof Input.Reoffer r) {
            reoffer(r, out);
        } else if (input instanceof Input.MetaCallId m) {
            if (metaCallId == null && m.id() != null && !m.id().isBlank()) {
                metaCallId = m.id().trim();
                out.add(new Record("meta-call-id", metaCallId));
            }
        } else if (input instanceof Input.TimerFired t) {
            timerFired(t.timer(), out);
        } else if (input instanceof Input.MediaTimeout m) {
            mediaTimeout(m, out);
        } else if (input instanceof Input.MetaLegFailed f) {
            metaLegFailed(f, out);
        } else if (input instanceof Input.MediaMilestone m) {
            milestone(m, out);
        } else if (input instanceof Input.HangUp h) {
            hangUp(h, out);
        }
        return out;
    }

    // ------------------------------------------------------------------ set-up

    private void start(Input.Start s, List<Action> out) {
        if (started || state == CallState.ENDED) {
            return;
        }
        started = true;
        if (s.offer() == null || s.offer().isBlank()) {
            failLocal("local.sdp-unusable", direction == Direction.BUSINESS_INITIATED
                    ? "the PBX's INVITE has no SDP offer (late offer is not supported)"
                    : "Meta's INVITE has no SDP offer", out);
            return;
        }
        String offer;
        try {
            media = relay.open(callId, keying, mediaEvents);
            offer = direction == Direction.BUSINESS_INITIATED
                    ? media.metaOfferFromPbxOffer(s.offer())
                    : media.pbxOfferFromMetaOffer(s.offer());
        } catch (MediaException e) {
            failLocal("local.media-ports-exhausted", "media relay: " + e.getMessage(), out);
            return;
        } catch (SdpException e) {
            failLocal(sdpCause(e), (direction == Direction.BUSINESS_INITIATED ? "" : "Meta's offer: ")
                    + e.getMessage(), out);
            return;
        }
        if (direction == Direction.BUSINESS_INITIATED) {
            LOG.info("calling WhatsApp user {} from business number {}", waUser, businessNumber);
        } else {
            LOG.info("WhatsApp user {} calls business number {}; ringing the PBX", waUser, businessNumber);
        }
        out.add(new SendInvite(offer));
        inviteSent = true;
        arm(CallTimer.NO_RESPONSE, timeouts.noResponse(), out);
        if (timeouts.answer() != null) {
            arm(CallTimer.ANSWER, timeouts.answer(), out);
        }
    }

    // ------------------------------------------------------ outbound responses

    private void outboundProvisional(Input.OutboundProvisional p, List<Action> out) {
        switch (state) {
            case OFFERING, CHALLENGED, EARLY -> {
                cancel(CallTimer.NO_RESPONSE, out);
                state = CallState.EARLY;
                // Never early media toward Meta, and Meta sends none: a plain 180 lets the PBX ring back locally.
                if (p.code() > 100 && !ringingSent) {
                    ringingSent = true;
                    out.add(new Respond(180, null, null, List.of(), null));
                }
            }
            case CANCELLING -> {
                // the inbound leg gave up before this provisional: now the CANCEL may go out
                out.add(new SendCancel());
                end("cancelled by the " + sideName(inbound), out);
            }
            default -> { /* overtaken by the 200, or too late: no 180 after 200 */ }
        }
    }

    private void outboundAnswer(Input.OutboundAnswer a, List<Action> out) {
        switch (state) {
            case OFFERING, CHALLENGED, EARLY -> bridge(a.sdp(), out);
            case ANSWERING, CONFIRMED -> out.add(new ResendAck()); // a retransmitted 2xx: our ACK was lost
            case CANCELLING -> {
                // answered while the inbound leg was gone: take the dialog and hang it up at once
                out.add(new SendAck());
                outboundAcked = true;
                out.add(new SendBye(outbound, NORMAL_CLEARING));
                end(sideName(inbound) + " cancelled while the " + sideName(outbound) + " answered", out);
            }
            case ENDED -> {
                if (outboundAcked) {
                    out.add(new ResendAck());
                } else {
                    // the call ended (cancel crossing the 200, timeout, shutdown): acknowledge and hang up
                    outboundAcked = true;
                    out.add(new SendAck());
                    out.add(new SendBye(outbound, NORMAL_CLEARING));
                }
            }
        }
    }

    /** The outbound leg answered: acknowledge, answer the inbound leg, start Meta's media. */
    private void bridge(String farSdp, List<Action> out) {
        cancel(CallTimer.NO_RESPONSE, out);
        cancel(CallTimer.ANSWER, out);
        out.add(new SendAck());
        outboundAcked = true;
        String answer;
        try {
            if (farSdp == null || farSdp.isBlank()) {
                throw new SdpException(direction == Direction.BUSINESS_INITIATED
                        ? "Meta's 200 OK carries no SDP answer" : "the PBX's 200 OK carries no SDP answer");
            }
            answer = direction == Direction.BUSINESS_INITIATED
                    ? media.pbxAnswerFromMetaAnswer(farSdp)
                    : media.metaAnswerFromPbxAnswer(farSdp);
        } catch (SdpException e) {
            out.add(new SendBye(outbound, INCOMPATIBLE_DESTINATION));
            failLocal(sdpCause(e), (direction == Direction.BUSINESS_INITIATED ? "Meta's answer: "
                    : "the PBX's answer: ") + e.getMessage(), out);
            return;
        }
        if (direction == Direction.BUSINESS_INITIATED) {
            // Meta has its answer and our ACK: its leg may run while the PBX gets its 200.
            out.add(new StartMetaMedia(media));
            out.add(new Respond(200, null, answer, List.of(), null));
        } else {
            // Nothing toward Meta before our 200 OK: a WhatsApp client takes the first packet as "answered".
            out.add(new Respond(200, null, answer, List.of(), null));
            out.add(new StartMetaMedia(media));
        }
        state = CallState.ANSWERING;
        finalCode = 200;
        finalPhrase = "OK";
        setupTime = Duration.ofNanos(nanoClock.getAsLong() - startedAt);
        LOG.info("call connected after {} ms", setupTime.toMillis());
        out.add(new Connected(setupTime));
    }

    private void outboundChallenge(Input.OutboundChallenge c, List<Action> out) {
        if (!state.beforeAnswer() && state != CallState.CANCELLING) {
            return;
        }
        if (direction == Direction.BUSINESS_INITIATED && state != CallState.CANCELLING && !challengeAnswered) {
            List<DigestChallenge> chosen = DigestChallenge.choose(c.challenges());
            if (!chosen.isEmpty()) {
                cancel(CallTimer.NO_RESPONSE, out);
                challengeAnswered = true;
                for (DigestChallenge challenge : chosen) {
                    // DEBUG like the ladder: every call to Meta has one; the call log keeps it (digest-challenge)
                    LOG.debug("answering {} challenge of realm {} with {}", c.code(), challenge.realm(),
                            challenge.algorithm());
                    out.add(new Record("digest-challenge", c.code() + " realm " + challenge.realm() + " "
                            + challenge.algorithm().token()));
                }
                out.add(new SendAuthenticatedInvite(c.code(), chosen));
                state = CallState.CHALLENGED;
                arm(CallTimer.NO_RESPONSE, timeouts.noResponse(), out);
                return;
            }
            LOG.warn("no usable digest challenge in {}: {}", c.code(), c.challenges());
        }
        if (direction == Direction.BUSINESS_INITIATED && challengeAnswered) {
            // A second challenge after our answer means the credentials are wrong; Meta itself says 403.
            metaFailure(c.code(), c.phrase(), failures.forMeta(403, "Invalid digest auth response", c.warnings()), out);
            return;
        }
        outboundFailure(c.code(), c.phrase(), c.warnings(), out);
    }

    /**
     * Meta refused the credentials our INVITE reused from an earlier challenge. Once per call the INVITE goes again
     * without them, to be challenged afresh; a second refusal is Meta's answer to the call itself.
     */
    private void reusedCredentialsRefused(Input.ReusedCredentialsRefused r, List<Action> out) {
        if (direction == Direction.BUSINESS_INITIATED && state.beforeAnswer() && state != CallState.CANCELLING
                && !plainInviteSent && !challengeAnswered) {
            plainInviteSent = true;
            cancel(CallTimer.NO_RESPONSE, out);
            out.add(new Record("digest-reuse-refused", r.code() + " " + r.phrase() + "; sending the INVITE again"
                    + " without the reused credentials"));
            out.add(new SendPlainInvite());
            arm(CallTimer.NO_RESPONSE, timeouts.noResponse(), out);
            return;
        }
        outboundFailure(r.code(), r.phrase(), r.warnings(), out);
    }

    private void outboundFailure(int code, String phrase, List<String> warnings, List<Action> out) {
        if (state == CallState.CANCELLING) {
            end("cancelled; the " + sideName(outbound) + " answered " + code, out);
            return;
        }
        if (!state.beforeAnswer()) {
            return;
        }
        if (direction == Direction.BUSINESS_INITIATED) {
            metaFailure(code, phrase, failures.forMeta(code, phrase, warnings), out);
        } else {
            pbxFailure(code, phrase, out);
        }
    }

    /** Meta refused: the PBX gets the catalog's answer with Q.850 and SIP Reasons, the log the documented fix. */
    private void metaFailure(int code, String phrase, Outcome outcome, List<Action> out) {
        LOG.warn(failures.logLine(callId, metaCallId, code, phrase, outcome));
        answerInboundFailure(outcome.answer().sipCode(), outcome.answer().phrase(), outcome.reasons(),
                outcome.answer().retryAfterSeconds(), outcome.cause().id(), out);
        end("Meta answered " + code + " " + phrase, out);
    }

    /** Busy stays busy for the WhatsApp user; every other PBX failure reads as "not available now". */
    private void pbxFailure(int code, String phrase, List<Action> out) {
        boolean busy = code == 486 || code == 600 || code == 603;
        int metaCode = busy ? 486 : 480;
        String reason = "SIP;cause=" + code + ";text=\"" + String.valueOf(phrase).replace("\"", "'") + "\"";
        LOG.warn("call failed: call-id={} meta-call-id={} PBX answered {} {}; Meta gets {}", callId,
                metaCallId == null ? "-" : metaCallId, code, phrase, metaCode);
        answerInboundFailure(metaCode, busy ? "Busy Here" : "Temporarily Unavailable", List.of(reason), null, null,
                out);
        end("the PBX answered " + code + " " + phrase, out);
    }

    private void outboundUnreachable(Input.OutboundUnreachable u, List<Action> out) {
        switch (state) {
            case OFFERING, CHALLENGED -> {
                if (direction == Direction.USER_INITIATED) {
                    failLocal("local.pbx-no-answer", "cannot reach the PBX: " + u.detail(), out);
                } else {
                    failLocal(u.tlsFailure() ? "local.tls-verify-failed" : "local.edge-unreachable", u.detail(), out);
                }
            }
            case CANCELLING -> end("cancelled; the " + sideName(outbound) + " could not be reached", out);
            default -> { /* a provisional came, so the INVITE got through: a transport error is another's */ }
        }
    }

    // ------------------------------------------------------- inbound requests

    private void inboundCancel(List<Action> out) {
        if (!state.beforeAnswer()) {
            return; // too late (answered: a BYE follows) or already cancelling/ended
        }
        finalCode = 487;
        finalPhrase = "Request Terminated";
        out.add(new Record("cancelled", direction == Direction.BUSINESS_INITIATED
                ? "the PBX cancelled before the answer" : "the WhatsApp user hung up before the PBX answered"));
        out.add(new Respond(487, null, null, List.of(NORMAL_CLEARING), null));
        LOG.info("{} cancelled the call", sideName(inbound));
        if (state == CallState.EARLY) {
            out.add(new SendCancel());
            end("cancelled by the " + sideName(inbound), out);
        } else {
            state = CallState.CANCELLING; // no provisional yet: the CANCEL waits for one (RFC 3261 9.1)
        }
    }

    private void ackTimeout(Input.AckTimeout t, List<Action> out) {
        if (t.side() != inbound || !state.answered()) {
            return;
        }
        if (inbound == Side.META) {
            LOG.warn("Meta never acknowledged our 200 OK: ending the call (check that nothing between the bridge and "
                    + "Meta rewrites Record-Route)");
        } else {
            LOG.warn("the PBX never acknowledged our 200 OK: ending the call");
        }
        out.add(new SendBye(outbound, TEMPORARY_FAILURE));
        end("no ACK from " + (inbound == Side.META ? "Meta" : "the PBX"), out);
    }

    private void bye(Input.Bye b, List<Action> out) {
        out.add(new AnswerRequest(b.request(), 200, null));
        if (b.side() == Side.META && b.metaDuration() != null) {
            out.add(new Record("meta-call-duration", b.metaDuration().trim() + " s"));
        }
        String who = b.side() == Side.META ? "WhatsApp side hung up" : "PBX hung up";
        String reason = b.reason() != null ? b.reason() : NORMAL_CLEARING;
        switch (state) {
            case ANSWERING, CONFIRMED -> {
                out.add(new SendBye(other(b.side()), reason));
                boolean withDuration = direction == Direction.BUSINESS_INITIATED && b.metaDuration() != null;
                end(who + (withDuration ? " (Meta duration " + b.metaDuration().trim() + " s)" : ""), out);
            }
            case OFFERING, CHALLENGED, EARLY -> {
                // A BYE before any answer (a confused peer): stop the attempt as a CANCEL would.
                if (b.side() == inbound) {
                    finalCode = 487;
                    finalPhrase = "Request Terminated";
                    stopOutboundAttempt(out);
                    end(who + " before the answer", out);
                }
            }
            default -> { /* crossing BYEs, or already ended */ }
        }
    }

    private void ack(Input.Ack a, List<Action> out) {
        if (a.side() == inbound && state == CallState.ANSWERING) {
            state = CallState.CONFIRMED;
        }
        boolean answersOurOffer = a.side() == Side.PBX && pbxOfferedInCSeq >= 0 && a.cseq() == pbxOfferedInCSeq;
        if (!answersOurOffer || state == CallState.ENDED) {
            return;
        }
        pbxOfferedInCSeq = -1;
        // A PBX that dislikes our offer answers it all the same and hangs up (RFC 3261 section 13.2.2.4); one whose
        // answer is missing or unusable keeps the media it had, which still works, rather than losing the call.
        String problem;
        if (a.sdp() == null || a.sdp().isBlank()) {
            problem = "the PBX's ACK carried no SDP answer to the offer in our 200";
        } else {
            try {
                media.pbxRefreshAnswer(a.sdp());
                return;
            } catch (SdpException e) {
                problem = "the PBX's SDP answer in its ACK was refused: " + e.getMessage();
            }
        }
        LOG.warn("{}; media goes on as before the re-INVITE", problem);
        out.add(new Record("pbx-answer-refused", problem));
    }

    private void reoffer(Input.Reoffer r, List<Action> out) {
        if (state == CallState.ENDED) {
            out.add(new AnswerRequest(r.request(), 481, null));
            return;
        }
        if (r.side() == Side.META) {
            // Meta sends no re-offers and must not renegotiate our media: refuse without touching it.
            out.add(new AnswerRequest(r.request(), 488, null));
            return;
        }
        if (!state.answered()) {
            out.add(new AnswerRequest(r.request(), 491, null)); // our own offer/answer is still in progress
            return;
        }
        if (r.sdp() == null || r.sdp().isBlank()) {
            if (r.invite()) {
                // RFC 3261 section 14.2: a re-INVITE without SDP asks for an offer; the answer comes in the ACK
                pbxOfferedInCSeq = r.cseq();
                out.add(new AnswerRequest(r.request(), 200, media.pbxRefreshOffer()));
            } else {
                out.add(new AnswerRequest(r.request(), 200, null)); // an UPDATE refreshing the session timer
            }
            return;
        }
        try {
            // Hold, resume and refreshes are answered on the PBX leg only: Meta answers re-INVITEs with 500.
            pbxOfferedInCSeq = -1;
            out.add(new AnswerRequest(r.request(), 200, media.pbxReoffer(r.sdp())));
        } catch (SdpException e) {
            LOG.warn("PBX re-offer refused: {}", e.getMessage());
            out.add(new AnswerRequest(r.request(), 488, null));
        }
    }

    // ------------------------------------------------------ timers and media

    private void timerFired(CallTimer timer, List<Action> out) {
        if (!armed.remove(timer)) {
            return; // cancelled while its firing was already queued
        }
        switch (state) {
            case OFFERING, CHALLENGED, EARLY -> {
                stopOutboundAttempt(out);
                if (direction == Direction.BUSINESS_INITIATED) {
                    failLocal("local.edge-timeout", "no response from Meta's edge within "
                            + timeouts.noResponse().toSeconds() + " s", out);
                } else if (timer == CallTimer.NO_RESPONSE) {
                    failLocal("local.pbx-no-answer", "the PBX did not respond within "
                            + timeouts.noResponse().toSeconds() + " s", out);
                } else {
                    failLocal("local.pbx-no-answer", "the PBX did not answer within "
                            + timeouts.answer().toSeconds() + " s", out);
                }
            }
            case CANCELLING -> {
                out.add(new AbandonInvite());
                end("cancelled before the " + sideName(outbound) + " answered anything", out);
            }
            default -> { }
        }
    }

    private void mediaTimeout(Input.MediaTimeout m, List<Action> out) {
        if (!state.answered()) {
            return;
        }
        String cause = m.leg() == Side.META ? "local.media-timeout-meta" : "local.media-timeout-pbx";
        String text = (m.leg() == Side.META ? "WhatsApp side" : "PBX") + " sent no media for "
                + m.silentFor().toSeconds() + " s";
        out.add(new Record("media-timeout", text));
        failAnswered(cause, text, out);
    }

    /**
     * The Meta leg cannot carry media (ICE, consent or DTLS failed). The relay starts that leg only once both
     * legs answered, so this normally ends an answered call; the other states are defined all the same.
     */
    private void metaLegFailed(Input.MetaLegFailed f, List<Action> out) {
        String cause = causeOf(f.kind());
        String text = stepOf(f.kind()) + (f.detail() == null || f.detail().isBlank() ? "" : ": " + f.detail().strip());
        switch (state) {
            case ANSWERING, CONFIRMED -> {
                out.add(new Record("meta-leg-failed", text));
                failAnswered(cause, text, out);
            }
            case OFFERING, CHALLENGED, EARLY -> {
                out.add(new Record("meta-leg-failed", text));
                stopOutboundAttempt(out);
                failLocal(cause, text, out);
            }
            // The inbound leg has its 487 and our CANCEL waits for a provisional (RFC 3261 9.1): ending now would
            // leave the outbound leg ringing with nobody to cancel it. The call ends on its own shortly.
            case CANCELLING -> LOG.info("Meta leg failed while the call is being cancelled: {}", text);
            case ENDED -> { }
        }
    }

    /** A set-up step of the Meta leg, for the call's timeline; nothing changes. */
    private void milestone(Input.MediaMilestone m, List<Action> out) {
        if (state == CallState.ENDED || m.milestone() == null) {
            return;
        }
        String after = (m.sinceStart() == null ? "" : " " + m.sinceStart().toMillis() + " ms")
                + " after the Meta leg started";
        if (m.milestone() == MediaMilestone.ICE_COMPLETED) {
            out.add(new Record("ice-completed", "ICE completed" + after));
        } else if (m.milestone() == MediaMilestone.DTLS_CONNECTED) {
            out.add(new Record("dtls-connected", "DTLS handshake completed, SRTP keys agreed" + after));
        } else if (m.milestone() == MediaMilestone.FIRST_SRTP_SENT) {
            out.add(new Record("first-srtp-sent", "first SRTP packet sent to Meta" + after));
        } else if (m.milestone() == MediaMilestone.FIRST_SRTP_RECEIVED) {
            out.add(new Record("first-srtp-received", "first SRTP packet received from Meta" + after));
        }
    }

    /** An answered call fails: both legs get a BYE whose Q.850 Reason names the cause and the step. */
    private void failAnswered(String localCause, String text, List<Action> out) {
        Outcome outcome = failures.local(localCause);
        causeId = outcome.cause().id();
        LOG.warn(failures.logLine(callId, metaCallId, outcome.answer().sipCode(), text, outcome));
        String reason = "Q.850;cause=" + outcome.answer().q850Cause() + ";text=" + ReasonHeaders.quoted(text);
        out.add(new SendBye(Side.META, reason));
        out.add(new SendBye(Side.PBX, reason));
        end(text, out);
    }

    private void hangUp(Input.HangUp h, List<Action> out) {
        switch (state) {
            case ANSWERING, CONFIRMED -> {
                out.add(new SendBye(Side.META, NORMAL_CLEARING));
                out.add(new SendBye(Side.PBX, NORMAL_CLEARING));
                if (h.fault()) {
                    causeId = "local.internal-error";
                }
                end(h.why(), out);
            }
            case OFFERING, CHALLENGED, EARLY -> {
                stopOutboundAttempt(out);
                failLocal("local.internal-error", h.why(), out);
            }
            case CANCELLING -> {
                out.add(new AbandonInvite());
                end(h.why(), out);
            }
            case ENDED -> { }
        }
    }

    // ----------------------------------------------------------------- helpers

    /** Stops ringing the outbound leg: CANCEL after a provisional, else forget the INVITE quietly. */
    private void stopOutboundAttempt(List<Action> out) {
        if (!inviteSent) {
            return;
        }
        out.add(state == CallState.EARLY ? new SendCancel() : new AbandonInvite());
    }

    /** A failure of ours, explained by the catalog; the inbound leg gets its answer if it still waits for one. */
    private void failLocal(String localCause, String detail, List<Action> out) {
        Outcome outcome = failures.local(localCause);
        causeId = outcome.cause().id();
        LOG.warn(failures.logLine(callId, metaCallId, outcome.answer().sipCode(), detail, outcome));
        if (state.beforeAnswer()) {
            if (direction == Direction.BUSINESS_INITIATED) {
                answerInboundFailure(outcome.answer().sipCode(), outcome.answer().phrase(), outcome.reasons(),
                        outcome.answer().retryAfterSeconds(), causeId, out);
            } else {
                // Meta reads our answer: 488 for media it cannot have, 480 when the PBX is away, else 503.
                int metaCode = switch (localCause) {
                    case "local.sdp-unusable", "local.dtls-no-fingerprint" -> 488;
                    case "local.pbx-no-answer" -> 480;
                    default -> 503;
                };
                answerInboundFailure(metaCode, outcome.answer().phrase(), outcome.reasons(), null, causeId, out);
            }
        }
        end(detail, out);
    }

    private void answerInboundFailure(int code, String phrase, List<String> reasons, Integer retryAfter,
                                      String cause, List<Action> out) {
        finalCode = code;
        finalPhrase = phrase;
        if (cause != null) {
            causeId = cause;
        }
        out.add(new Respond(code, phrase, null, reasons, retryAfter));
    }

    private void arm(CallTimer timer, Duration after, List<Action> out) {
        armed.add(timer);
        out.add(new ArmTimer(timer, after));
    }

    private void cancel(CallTimer timer, List<Action> out) {
        if (armed.remove(timer)) {
            out.add(new CancelTimer(timer));
        }
    }

    /** The only way out: timers cancelled, media closed, the end reported, once. */
    private void end(String why, List<Action> out) {
        if (state == CallState.ENDED) {
            return;
        }
        state = CallState.ENDED;
        for (CallTimer timer : EnumSet.allOf(CallTimer.class)) {
            cancel(timer, out);
        }
        if (media != null) {
            // before this step's BYEs: a peer that hears our BYE may send its last packets in clear (a 56-byte plain
            // RTCP from baresip was seen), which, judged, would count as SRTP authentication failures
            int firstBye = 0;
            while (firstBye < out.size() && !(out.get(firstBye) instanceof SendBye)) {
                firstBye++;
            }
            out.add(firstBye, new CloseMedia(media));
        }
        out.add(new End(finalCode, finalPhrase, causeId, why, metaCallId, setupTime != null, setupTime));
    }

    /**
     * Meta's "No fingerprint found in SDP" and a full transcoding budget (503, try later) have their own causes;
     * every other SDP problem is one cause.
     */
    private static String sdpCause(SdpException e) {
        switch (e.problem()) {
            case NO_FINGERPRINT:
                return "local.dtls-no-fingerprint";
            case TRANSCODING_BUSY:
                return "local.transcoding-busy";
            default:
                return "local.sdp-unusable";
        }
    }

    private static String causeOf(MetaLegFailure.Kind kind) {
        return switch (kind) {
            case ICE_FAILED -> "local.ice-failed";
            case CONSENT_LOST -> "local.ice-consent-lost";
            case DTLS_TIMEOUT -> "local.dtls-timeout";
            case FINGERPRINT_MISMATCH -> "local.dtls-fingerprint-mismatch";
            case DTLS_FAILED -> "local.dtls-failed";
        };
    }

    /** The step that failed, as the Reason text and the timeline say it. */
    private static String stepOf(MetaLegFailure.Kind kind) {
        return switch (kind) {
            case ICE_FAILED -> "ICE with Meta did not complete";
            case CONSENT_LOST -> "Meta stopped answering ICE consent checks";
            case DTLS_TIMEOUT -> "DTLS handshake with Meta timed out";
            case FINGERPRINT_MISMATCH -> "Meta's DTLS certificate does not match the fingerprint in its SDP";
            case DTLS_FAILED -> "DTLS handshake with Meta failed";
        };
    }

    private static Side other(Side side) {
        return side == Side.PBX ? Side.META : Side.PBX;
    }

    private static String sideName(Side side) {
        return side == Side.PBX ? "PBX" : "WhatsApp side";
    }
}
