package org.wabridge.b2bua;

import gov.nist.javax.sip.header.SIPHeader;
import gov.nist.javax.sip.stack.SIPDialog;
import gov.nist.javax.sip.stack.SIPServerTransaction;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.ListIterator;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import javax.sip.ClientTransaction;
import javax.sip.Dialog;
import javax.sip.RequestEvent;
import javax.sip.ResponseEvent;
import javax.sip.ServerTransaction;
import javax.sip.SipException;
import javax.sip.header.CSeqHeader;
import javax.sip.header.Header;
import javax.sip.header.ViaHeader;
import javax.sip.message.Message;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.wabridge.b2bua.SipTrace.Side;
import org.wabridge.b2bua.call.Action;
import org.wabridge.b2bua.call.CallMachine;
import org.wabridge.b2bua.call.CallState;
import org.wabridge.b2bua.call.CallTimer;
import org.wabridge.b2bua.call.Input;
import org.wabridge.b2bua.call.SerialExecutor;
import org.wabridge.b2bua.digest.DigestChallenge;
import org.wabridge.b2bua.digest.RememberedChallenges;
import org.wabridge.b2bua.events.CallEnd;
import org.wabridge.b2bua.events.CallEvent;
import org.wabridge.b2bua.events.CallStart;
import org.wabridge.b2bua.events.Direction;
import org.wabridge.b2bua.ops.calllog.CallLogObserver;
import org.wabridge.config.BusinessNumber;
import org.wabridge.media.Leg;
import org.wabridge.media.MediaEvents;
import org.wabridge.media.MediaMilestone;
import org.wabridge.media.MediaSession;
import org.wabridge.media.MediaStats;
import org.wabridge.media.MetaLegFailure;

/**
 * The thin adapter between one {@link CallMachine} and JAIN-SIP: it turns the stack's events into
 * {@link Input}s on the call's own {@link SerialExecutor}, and carries out the machine's {@link Action}s with
 * the call's transactions and dialogs. Every field is touched on that executor only; threads of the stack, the
 * timer and the relay only ever post to it.
 */
final class SipCall implements MediaEvents, CallRegistry.Entry {

    private static final Logger LOG = LoggerFactory.getLogger(SipCall.class);
    private static final MediaStats.LegStats NO_MEDIA = new MediaStats.LegStats(0, 0, 0, 0, 0, 0, 0);
    private static final MediaStats EMPTY_STATS = new MediaStats(NO_MEDIA, NO_MEDIA);

    private final CallServices services;
    private final SipSignalling sip;
    private final Direction direction;
    private final BusinessNumber number;
    private final String waUser;
    private final String callId;
    private final Side inbound;
    private final Side outbound;
    /** The INVITE that made the call; dropped once the call is confirmed (with the set-up references below). */
    private ServerTransaction inboundTx;
    private Dialog inboundDialog;
    private final String inboundToTag = SipSignalling.newTag();
    private final CallMachine machine;
    private final SerialExecutor queue;
    private final long startedAt = System.nanoTime();
    private final Map<CallTimer, ScheduledFuture<?>> timers = new EnumMap<>(CallTimer.class);

    private Request outboundInvite;
    private ClientTransaction outboundTx;
    private Dialog outboundDialog;
    private Response outboundAnswer;
    /** The credentials in {@link #outboundInvite} were reused from an earlier call's challenge. */
    private boolean outboundReusedCredentials;
    /** The challenge {@link #outboundInvite} answered, remembered for later calls once Meta accepts the answer. */
    private RememberedChallenges.Remembered answeredChallenge;
    /** Set once the end is reported. */
    private boolean ended;

    SipCall(CallServices services, Direction direction, ServerTransaction inboundTx, BusinessNumber number,
            String waUser) {
        this.services = services;
        this.sip = services.signalling();
        this.direction = direction;
        this.number = number;
        this.waUser = waUser;
        this.inboundTx = inboundTx;
        this.callId = SipSignalling.callIdOf(inboundTx.getRequest());
        this.inbound = direction == Direction.BUSINESS_INITIATED ? Side.PBX : Side.META;
        this.outbound = inbound == Side.PBX ? Side.META : Side.PBX;
        this.queue = new SerialExecutor(services.workers());
        CallMachine.Timeouts timeouts = direction == Direction.BUSINESS_INITIATED
                ? new CallMachine.Timeouts(services.config().meta().noResponseTimeout(), null)
                : new CallMachine.Timeouts(services.config().pbx().noResponseTimeout(),
                        services.config().pbx().answerTimeout());
        this.machine = new CallMachine(direction, callId, number.number(), waUser, number.srtpKeyExchange(), timeouts,
                services.failures(), services.relay(), this, System::nanoTime);
        inboundTx.setApplicationData(this);
        if (inboundTx.getDialog() != null) {
            inboundTx.getDialog().setApplicationData(this); // in-dialog requests find the call here
        }
    }

    @Override
    public String callId() {
        return callId;
    }

    @Override
    public String businessNumber() {
        return number.number();
    }

    Direction direction() {
        return direction;
    }

    // ------------------------------------------------ events, from any thread

    /** Sets the call up: 100 Trying, then the machine's first step. */
    void begin() {
        run(() -> {
            services.observer().callStarted(new CallStart(callId, direction, number.number(), waUser, Instant.now()));
            sip.trace().captureReceived(inboundTx.getRequest()); // it arrived before the call (and its capture)
            sip.respond(inboundTx, 100, null, null, null, List.of(), null);
            Request invite = inboundTx.getRequest();
            if (direction == Direction.USER_INITIATED) {
                String wacid = headerValue(invite, "x-wa-meta-wacid");
                feed(new Input.MetaCallId(wacid != null ? wacid
                        : callId.startsWith("outgoing:wacid.") ? callId : null)); // Meta's Call-ID embeds its id
            }
            feed(new Input.Start(body(invite)));
        });
    }

    /** A response on one of our client transactions. */
    void onResponse(ResponseEvent event) {
        Response response = event.getResponse();
        Dialog dialog = event.getDialog();
        ClientTransaction tx = event.getClientTransaction();
        run(() -> {
            noteMetaCallId(response);
            if (!Request.INVITE.equals(((CSeqHeader) response.getHeader(CSeqHeader.NAME)).getMethod())) {
                return; // answers to our BYE/CANCEL need nothing more
            }
            int code = response.getStatusCode();
            if (answeredChallenge != null && code > 100 && code < 300 && tx == outboundTx) {
                // Past the edge's authentication: the answer was right, later calls may reuse it.
                services.challenges().accepted(number.digestUsername(), answeredChallenge);
                answeredChallenge = null;
            }
            if (code < 200) {
                feed(new Input.OutboundProvisional(code));
            } else if (code < 300) {
                if (dialog != null) {
                    outboundDialog = dialog;
                    dialog.setApplicationData(this);
                }
                outboundAnswer = response;
                feed(new Input.OutboundAnswer(body(response)));
            } else if (code == 401 || code == 407) {
                if (tx != null && tx != outboundTx) {
                    return; // a stale answer to an earlier attempt
                }
                feed(new Input.OutboundChallenge(code, response.getReasonPhrase(),
                        headerValues(response, code == 407 ? "Proxy-Authenticate" : "WWW-Authenticate"),
                        headerValues(response, "Warning")));
            } else if (outboundReusedCredentials && tx == outboundTx && services.failures().refusesCredentials(code,
                    response.getReasonPhrase(), headerValues(response, "Warning"))) {
                if (services.challenges().refused(number.digestUsername())) {
                    LOG.warn("Meta refused credentials reused from an earlier challenge ({} {}): the call is sent"
                            + " again to be challenged, and {}'s calls are challenged every time for the next {}"
                            + " minutes", code, response.getReasonPhrase(), number.number(),
                            RememberedChallenges.PAUSE.toMinutes());
                }
                feed(new Input.ReusedCredentialsRefused(code, response.getReasonPhrase(),
                        headerValues(response, "Warning")));
            } else {
                feed(new Input.OutboundFailure(code, response.getReasonPhrase(), headerValues(response, "Warning")));
            }
        });
    }

    /** A BYE from {@code side} (with a server transaction). */
    void onBye(Side side, RequestEvent event) {
        Request bye = event.getRequest();
        run(() -> {
            if (side == Side.META) {
                noteMetaCallId(bye);
            }
            feed(new Input.Bye(side, headerValue(bye, "Reason"),
                    side == Side.META ? headerValue(bye, "x-wa-meta-call-duration") : null, event));
        });
    }

    /** A re-INVITE or UPDATE from {@code side}. */
    void onReoffer(Side side, RequestEvent event) {
        Request request = event.getRequest();
        run(() -> feed(new Input.Reoffer(side, body(request), Request.INVITE.equals(request.getMethod()),
                cseqOf(request), event)));
    }

    void onCancel() {
        run(() -> feed(new Input.InboundCancel()));
    }

    /** An ACK from {@code side} in {@code dialog}: for our 200 to the INVITE that set the call up, or to a re-INVITE. */
    void onAck(Side side, Dialog dialog, Request ack) {
        run(() -> {
            recordAckInDialog(side, dialog);
            feed(new Input.Ack(side, cseqOf(ack), body(ack)));
        });
    }

    void onAckTimeout(Side side) {
        run(() -> feed(new Input.AckTimeout(side)));
    }

    /** Our INVITE could not be delivered (transport error, TLS failure, transaction timeout). */
    void onOutboundUnreachable(Throwable e) {
        run(() -> feed(unreachable(e)));
    }

    /** A transport error toward the far side that may be this call's INVITE. */
    void onTransportError(String where) {
        run(() -> feed(unreachable(new java.io.IOException("connection to " + where + " failed"))));
    }

    /** Ends the call on both legs (shutdown, admin). */
    void hangUp(String why) {
        run(() -> feed(new Input.HangUp(why, false)));
    }

    @Override
    public void mediaTimeout(Leg leg, Duration silentFor) {
        run(() -> feed(new Input.MediaTimeout(leg == Leg.META ? Side.META : Side.PBX, silentFor)));
    }

    @Override
    public void metaLegFailed(MetaLegFailure failure) {
        run(() -> feed(new Input.MetaLegFailed(failure.kind(), failure.detail())));
    }

    @Override
    public void milestone(MediaMilestone milestone, Duration sinceStart) {
        run(() -> feed(new Input.MediaMilestone(milestone, sinceStart)));
    }

    @Override
    public boolean capturesPackets() {
        return services.captures().capturing(callId);
    }

    @Override
    public void packet(InetSocketAddress from, InetSocketAddress to, byte[] data, int length) {
        services.captures().packet(callId, from, to, data, length);
    }

    /** Queues {@code task} on the call's executor with the call's id in the logging context. */
    private void run(Runnable task) {
        try {
            queue.execute(() -> {
                MDC.put("call", callId);
                try {
                    task.run();
                } finally {
                    MDC.remove("call");
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            LOG.debug("call {}: event after the bridge stopped, dropped", callId); // only during shutdown
        }
    }

    // -------------------------------------------------- on the call's executor

    /**
     * Makes sure the dialog knows our 200 OK was ACKed, the set-up's or a re-INVITE's. JAIN-SIP 1.3.0-91 records an
     * ACK only against the 200's retransmission timer, and starts that timer just after the 200 is on the wire: an
     * ACK read in that gap reaches us but not the dialog, which then resends the 200 until a later ACK (and reports
     * the ACK missing after 64*T1 if none comes). The 200 was sent on this queue, so by now the timer runs and the
     * ACK counts against the transaction it retransmits for.
     */
    private void recordAckInDialog(Side side, Dialog d) {
        if (!(d instanceof SIPDialog dialog) || dialog.getLastResponseStatusCode() == null || dialog.isAckSeen()) {
            return; // no answer of ours in it yet, or the stack saw the ACK
        }
        SIPServerTransaction retransmitting = dialog.getInviteTransaction(); // null once the timer is gone
        if (retransmitting != null) { // handleAck itself ignores a terminated dialog
            boolean recorded = dialog.handleAck(retransmitting) && dialog.isAckSeen();
            LOG.debug("the stack had missed the {}'s ACK (read before its 200's retransmission timer); {}", side,
                    recorded ? "recorded now" : "still not recorded");
        }
    }

    /** One input through the machine, then its actions in order. A fault ends the call, never leaks it. */
    private void feed(Input input) {
        List<Action> actions;
        try {
            actions = machine.handle(input);
        } catch (RuntimeException e) {
            LOG.error("call state machine failed on {}", input.getClass().getSimpleName(), e);
            try {
                actions = machine.handle(new Input.HangUp("internal error: " + e, true));
            } catch (RuntimeException again) {
                LOG.error("call state machine failed again; releasing the call", again);
                forceEnd("internal error: " + e);
                return;
            }
        }
        for (Action action : actions) {
            try {
                perform(action);
            } catch (RuntimeException e) {
                LOG.error("cannot carry out {}", action.getClass().getSimpleName(), e);
            }
        }
        if (inboundTx != null && machine.state() == CallState.CONFIRMED) {
            releaseSetup();
        }
    }

    /**
     * A confirmed call needs only its two dialogs (the stack keeps the ACK it may have to resend). The set-up's
     * transactions and messages go, so that they live as long as the stack keeps them, not as long as the call
     * (heap per call).
     */
    private void releaseSetup() {
        inboundDialog = inboundTx.getDialog();
        inboundTx = null;
        outboundTx = null;
        outboundInvite = null;
        outboundAnswer = null;
    }

    private void perform(Action action) {
        if (action instanceof Action.Respond r) {
            if (inboundTx == null) {
                LOG.warn("no answer {} sent: the call's INVITE was answered and confirmed already", r.code());
                return;
            }
            sip.respond(inboundTx, r.code(), r.phrase(), inboundToTag, r.sdp(), r.reasons(), r.retryAfter());
        } else if (action instanceof Action.AnswerRequest a) {
            sip.respond((RequestEvent) a.request(), a.code(), null, a.sdp());
        } else if (action instanceof Action.SendInvite i) {
            sendInvite(i.sdp());
        } else if (action instanceof Action.SendAuthenticatedInvite a) {
            sendAuthenticatedInvite(a.code(), a.challenges());
        } else if (action instanceof Action.SendPlainInvite) {
            sendPlainInvite();
        } else if (action instanceof Action.SendAck) {
            boolean sent = outboundDialog != null && outboundAnswer != null
                    && sip.ack(outbound, outboundDialog, outboundAnswer);
            if (!sent) {
                run(() -> feed(new Input.HangUp("cannot acknowledge the " + outbound + "'s 200 OK", true)));
            }
        } else if (action instanceof Action.ResendAck) {
            sip.resendAck(outbound, outboundDialog);
        } else if (action instanceof Action.SendCancel) {
            if (outboundTx != null) {
                sip.cancel(outbound, outboundTx, this);
            }
        } else if (action instanceof Action.AbandonInvite) {
            abandonInvite();
        } else if (action instanceof Action.SendBye b) {
            sip.bye(b.side(), b.side() == inbound ? inboundDialog() : outboundDialog, b.reason(), this);
        } else if (action instanceof Action.StartMetaMedia m) {
            m.media().startMetaLeg();
        } else if (action instanceof Action.CloseMedia m) {
            m.media().close();
        } else if (action instanceof Action.ArmTimer t) {
            cancelTimer(t.timer());
            timers.put(t.timer(), services.timers().schedule(() -> run(() -> feed(new Input.TimerFired(t.timer()))),
                    t.after().toMillis(), TimeUnit.MILLISECONDS));
        } else if (action instanceof Action.CancelTimer t) {
            cancelTimer(t.timer());
        } else if (action instanceof Action.Record r) {
            services.observer().callEvent(new CallEvent(callId, Instant.now(), r.kind(), r.detail()));
        } else if (action instanceof Action.Connected) {
            services.observer().callEvent(new CallEvent(callId, Instant.now(), "connected",
                    "both legs answered; media relayed"));
            if (direction == Direction.BUSINESS_INITIATED) {
                services.dailyLimit().connected(number.number(), waUser);
            }
        } else if (action instanceof Action.End e) {
            report(e);
        }
    }

    private void sendInvite(String sdp) {
        try {
            outboundInvite = direction == Direction.BUSINESS_INITIATED
                    ? sip.metaRequests().metaInvite(number, waUser, sdp)
                    : sip.pbxRequests().pbxInvite(number, waUser, sdp, inboundTx.getRequest());
        } catch (Exception e) {
            LOG.error("cannot build the INVITE toward the {}", outbound, e);
            run(() -> feed(new Input.HangUp("cannot build the INVITE: " + e, true)));
            return;
        }
        String outboundCallId = SipSignalling.callIdOf(outboundInvite);
        services.captures().alias(outboundCallId, callId);
        if (direction == Direction.BUSINESS_INITIATED) {
            // Meta knows the call by this Call-ID
            services.observer().callEvent(new CallEvent(callId, Instant.now(), CallLogObserver.REQUEST_ID_EVENT,
                    outboundCallId));
            services.challenges().recall(number.digestUsername()).ifPresent(this::reuseCredentials);
        } else {
            LOG.info("ringing the PBX at {}", outboundInvite.getRequestURI());
        }
        sendOutbound();
    }

    /**
     * Puts credentials answering {@code remembered} (an earlier call's accepted challenge) in the first INVITE, so
     * Meta need not challenge it. Without them the call is simply challenged.
     */
    private void reuseCredentials(RememberedChallenges.Remembered remembered) {
        try {
            addCredentials(outboundInvite, remembered);
        } catch (Exception e) {
            LOG.warn("cannot reuse the digest challenge of an earlier call; this call will be challenged", e);
            outboundInvite.removeHeader("Proxy-Authorization");
            outboundInvite.removeHeader("Authorization");
            return;
        }
        outboundReusedCredentials = true;
        services.observer().callEvent(new CallEvent(callId, Instant.now(), "digest-reused",
                remembered.code() + " realm " + remembered.challenges().get(0).realm() + " answered before asked"));
    }

    private void sendAuthenticatedInvite(int code, List<DigestChallenge> challenges) {
        RememberedChallenges.Remembered answering = new RememberedChallenges.Remembered(code, challenges);
        Request retry;
        try {
            retry = nextInvite();
            addCredentials(retry, answering);
        } catch (Exception e) {
            LOG.error("cannot build the authenticated INVITE", e);
            run(() -> feed(new Input.HangUp("cannot answer Meta's digest challenge: " + e, true)));
            return;
        }
        outboundInvite = retry;
        answeredChallenge = answering;
        sendOutbound();
    }

    private void sendPlainInvite() {
        try {
            outboundInvite = nextInvite();
        } catch (Exception e) {
            LOG.error("cannot build the INVITE again", e);
            run(() -> feed(new Input.HangUp("cannot send the INVITE again: " + e, true)));
            return;
        }
        sendOutbound();
    }

    /** The INVITE again as a new transaction of the same call (next CSeq, new branch), without credentials. */
    private Request nextInvite() throws Exception {
        Request next = (Request) outboundInvite.clone();
        CSeqHeader cseq = (CSeqHeader) next.getHeader(CSeqHeader.NAME);
        cseq.setSeqNumber(cseq.getSeqNumber() + 1);
        next.removeHeader(ViaHeader.NAME);
        next.addHeader(sip.metaRequests().metaVia());
        next.removeHeader("Proxy-Authorization");
        next.removeHeader("Authorization");
        outboundReusedCredentials = false;
        return next;
    }

    private void addCredentials(Request invite, RememberedChallenges.Remembered answering) throws Exception {
        String uri = invite.getRequestURI().toString();
        for (DigestChallenge challenge : answering.challenges()) {
            String value = services.digest().answer(challenge, number.digestUsername(), number.password(),
                    Request.INVITE, uri);
            invite.addHeader(sip.headers().createHeader(answering.headerName(), value));
        }
    }

    private void sendOutbound() {
        try {
            outboundTx = sip.sendRequest(outbound, outboundInvite, this);
            if (outboundTx.getDialog() != null) {
                outboundDialog = outboundTx.getDialog();
            }
        } catch (SipException e) {
            Input failure = unreachable(e);
            run(() -> feed(failure)); // after the rest of this step (its timers) is in place
        }
    }

    private Dialog inboundDialog() {
        return inboundTx != null ? inboundTx.getDialog() : inboundDialog;
    }

    private void abandonInvite() {
        if (outboundTx != null) {
            try {
                outboundTx.terminate();
            } catch (Exception ignored) {
                // already gone: the attempt is over either way
            }
        }
    }

    private void cancelTimer(CallTimer timer) {
        ScheduledFuture<?> future = timers.remove(timer);
        if (future != null) {
            future.cancel(false);
        }
    }

    /** The end: the call leaves the registry (its slot is free) and the observers hear of it. */
    private void report(Action.End e) {
        for (CallTimer timer : CallTimer.values()) {
            cancelTimer(timer);
        }
        machine.releaseMedia(); // the stack's transactions and dialogs still point here for up to 32 s
        MediaSession media = machine.media();
        MediaStats stats = media == null ? EMPTY_STATS : media.stats();
        ended = true;
        services.registry().remove(this);
        Duration duration = Duration.ofNanos(System.nanoTime() - startedAt);
        LOG.info("call ended after {} ms: {} media={}", duration.toMillis(), e.why(), stats);
        services.observer().callEnded(new CallEnd(callId, e.metaCallId(), Instant.now(), e.connected(),
                e.finalCode(), e.finalPhrase(), e.causeId(), e.why(), e.setupTime(), duration, stats));
    }

    /** The machine itself failed twice: release what the call holds without it. */
    private void forceEnd(String why) {
        if (ended) {
            return;
        }
        abandonInvite();
        if (machine.media() != null) {
            machine.media().close();
        }
        report(new Action.End(500, "Server Internal Error", "local.internal-error", why, machine.metaCallId(),
                false, null));
    }

    // ----------------------------------------------------------------- helpers

    private Input.OutboundUnreachable unreachable(Throwable e) {
        if (outbound == Side.PBX) {
            return new Input.OutboundUnreachable(rootMessage(e), false);
        }
        String edge = sip.edgeHost();
        if (isTlsFailure(e)) {
            String why = rootMessage(e);
            if (why.contains("No subject alternative") || why.contains("No name matching")) {
                why = "the edge's certificate does not cover " + edge + " (" + why + ")";
            } else if (why.contains("handshake_failure") || why.contains("protocol_version")
                    || why.contains("no cipher suites") || why.contains("protocol is disabled")) {
                why = "the edge offers no TLS version or cipher suite the bridge accepts (TLS 1.2+, AEAD suites only: "
                        + why + ")";
            }
            return new Input.OutboundUnreachable("TLS to " + edge + " failed: " + why, true);
        }
        return new Input.OutboundUnreachable("cannot reach " + edge + ": " + rootMessage(e), false);
    }

    private void noteMetaCallId(Message message) {
        String wacid = headerValue(message, "x-wa-meta-wacid");
        if (wacid != null) {
            feed(new Input.MetaCallId(wacid));
        }
    }

    private static long cseqOf(Request request) {
        CSeqHeader cseq = (CSeqHeader) request.getHeader(CSeqHeader.NAME);
        return cseq == null ? -1 : cseq.getSeqNumber();
    }

    private static String body(Message message) {
        byte[] raw = message.getRawContent();
        return raw == null || raw.length == 0 ? null : new String(raw, StandardCharsets.UTF_8);
    }

    private static String headerValue(Message message, String name) {
        Header h = message.getHeader(name);
        return h == null ? null : ((SIPHeader) h).getHeaderValue().trim();
    }

    private static List<String> headerValues(Message message, String name) {
        List<String> values = new ArrayList<>();
        ListIterator<?> it = message.getHeaders(name);
        while (it != null && it.hasNext()) {
            values.add(((SIPHeader) it.next()).getHeaderValue().trim());
        }
        return values;
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }

    private static boolean isTlsFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof javax.net.ssl.SSLException || t instanceof java.security.cert.CertificateException) {
                return true;
            }
            String m = String.valueOf(t.getMessage());
            if (m.contains("No subject alternative") || m.contains("PKIX path") || m.contains("handshake")) {
                return true;
            }
        }
        return false;
    }
}
