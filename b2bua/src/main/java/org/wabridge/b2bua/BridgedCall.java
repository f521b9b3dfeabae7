package org.wabridge.b2bua;

import gov.nist.javax.sip.header.SIPHeader;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.ListIterator;
import javax.sip.ClientTransaction;
import javax.sip.Dialog;
import javax.sip.RequestEvent;
import javax.sip.ResponseEvent;
import javax.sip.ServerTransaction;
import javax.sip.SipProvider;
import javax.sip.header.Header;
import javax.sip.message.Message;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.wabridge.b2bua.CallFailures.Outcome;
import org.wabridge.b2bua.SipTrace.Side;
import org.wabridge.b2bua.events.CallEnd;
import org.wabridge.b2bua.events.CallEvent;
import org.wabridge.b2bua.events.CallStart;
import org.wabridge.b2bua.events.Direction;
import org.wabridge.config.BusinessNumber;
import org.wabridge.media.Leg;
import org.wabridge.media.MediaEvents;
import org.wabridge.media.MediaSession;
import org.wabridge.media.MediaStats;

/**
 * What both call directions share: state, the media session, the end-of-call bookkeeping, BYEs and the
 * timeline. Every event of a call runs under the call's lock; every way out ends in {@link #finish}, which
 * releases the media session, timers and the concurrency slot exactly once and reports the call's end.
 */
abstract class BridgedCall implements MediaEvents {

    private static final Logger LOG = LoggerFactory.getLogger(BridgedCall.class);
    private static final MediaStats.LegStats NO_MEDIA = new MediaStats.LegStats(0, 0, 0, 0, 0, 0, 0);
    private static final MediaStats EMPTY_STATS = new MediaStats(NO_MEDIA, NO_MEDIA);

    protected final B2bua b2b;
    protected final String callId;
    protected final BusinessNumber number;
    protected final String waUser;
    private final long startedAt = System.nanoTime();

    protected CallState state = CallState.CALLING;
    protected MediaSession media;
    protected String metaCallId;
    /** What the call ended with, for the call log: the final answer on the calling leg and the catalog cause. */
    protected int finalCode;
    protected String finalPhrase;
    protected String causeId;
    private Duration setupTime;

    BridgedCall(B2bua b2b, ServerTransaction inviteTx, Direction direction, BusinessNumber number, String waUser) {
        this.b2b = b2b;
        this.callId = B2bua.callIdOf(inviteTx.getRequest());
        this.number = number;
        this.waUser = waUser;
        b2b.observer().callStarted(new CallStart(callId, direction, number.number(), waUser, Instant.now()));
        b2b.trace().captureReceived(inviteTx.getRequest()); // it arrived before the call (and its capture) existed
        b2b.respond(inviteTx, 100, null, null, null, List.of(), null);
    }

    String callId() {
        return callId;
    }

    String businessNumber() {
        return number.number();
    }

    // ----------------------------------------------------- events from B2bua

    /** A response on {@code side}'s client transaction of this call. */
    abstract void onResponse(Side side, ResponseEvent event);

    /** A BYE from {@code side} (already has a server transaction). */
    abstract void onBye(Side side, RequestEvent event);

    /** A CANCEL from {@code side} for this call's INVITE (the CANCEL itself is already answered). */
    abstract void onCancel(Side side);

    /**
     * A re-INVITE or UPDATE from {@code side}, answered on that leg only: the PBX's (hold, resume, session refresh)
     * by the relay on the PBX leg, never sent to Meta (which answers re-INVITEs with 500); Meta sends none, so one
     * is refused without touching media.
     */
    synchronized void onReoffer(Side side, RequestEvent event) {
        ServerTransaction tx = event.getServerTransaction();
        byte[] body = event.getRequest().getRawContent();
        if (side == Side.META) {
            b2b.respond(tx, Response.NOT_ACCEPTABLE_HERE, null, null, null, List.of(), null);
            return;
        }
        String answer = null;
        if (body != null && body.length > 0 && media != null) {
            try {
                answer = media.pbxReoffer(new String(body, java.nio.charset.StandardCharsets.UTF_8));
            } catch (org.wabridge.media.SdpException e) {
                LOG.warn("PBX re-offer refused: {}", e.getMessage());
                b2b.respond(tx, Response.NOT_ACCEPTABLE_HERE, null, null, null, List.of(), null);
                return;
            }
        }
        b2b.respond(tx, Response.OK, null, null, answer, List.of(), null);
    }

    /** Our 200 OK on {@code side} was never acknowledged. */
    abstract void onAckTimeout(Side side);

    /** The INVITE toward the far side could not be delivered (transport error or transaction timeout). */
    abstract void transportFailed(Throwable e);

    /** Ends the call cleanly on both legs (bridge shutdown). */
    abstract void hangUp(String why);

    /** Sends BYE on every answered leg with {@code reason} (media timeout, ACK timeout). */
    protected abstract void byeBothLegs(String reason);

    // ------------------------------------------------------------- media

    @Override
    public boolean capturesPackets() {
        return b2b.captures().capturing(callId);
    }

    @Override
    public void packet(java.net.InetSocketAddress from, java.net.InetSocketAddress to, byte[] data, int length) {
        b2b.captures().packet(callId, from, to, data, length);
    }

    @Override
    public void mediaTimeout(Leg leg, Duration silentFor) {
        b2b.inCallContext(this, () -> onMediaTimeout(leg, silentFor));
    }

    private synchronized void onMediaTimeout(Leg leg, Duration silentFor) {
        if (state != CallState.CONNECTED) {
            return;
        }
        String cause = leg == Leg.META ? "local.media-timeout-meta" : "local.media-timeout-pbx";
        String text = (leg == Leg.META ? "WhatsApp side" : "PBX") + " sent no media for " + silentFor.toSeconds() + " s";
        Outcome outcome = b2b.failures().local(cause);
        causeId = outcome.cause().id();
        event("media-timeout", text);
        LOG.warn(b2b.failures().logLine(callId, metaCallId, outcome.answer().sipCode(), text, outcome));
        byeBothLegs("Q.850;cause=" + outcome.answer().q850Cause() + ";text=\"" + text + "\"");
        finish(text);
    }

    // ------------------------------------------------------------ helpers

    protected void connected() {
        state = CallState.CONNECTED;
        finalCode = 200;
        finalPhrase = "OK";
        setupTime = Duration.ofNanos(System.nanoTime() - startedAt);
        LOG.info("call connected after {} ms", setupTime.toMillis());
        event("connected", "both legs answered; media relayed");
    }

    protected void event(String kind, String detail) {
        b2b.observer().callEvent(new CallEvent(callId, Instant.now(), kind, detail));
    }

    /** ACKs a 2xx on {@code dialog}; returns the ACK (kept to answer a retransmitted 2xx) or null. */
    protected Request ack(Dialog dialog, Response response, Side side) {
        try {
            long cseq = ((javax.sip.header.CSeqHeader) response.getHeader(javax.sip.header.CSeqHeader.NAME)).getSeqNumber();
            Request ack = dialog.createAck(cseq);
            b2b.trace().sent(side, ack);
            dialog.sendAck(ack);
            return ack;
        } catch (Exception e) {
            LOG.warn("cannot send ACK to {}: {}", side, e.toString());
            return null;
        }
    }

    /** Sends {@code ack} again: the far side retransmitted its 2xx, so ours was lost. */
    protected void resendAck(Dialog dialog, Request ack, Side side) {
        try {
            if (ack != null) {
                dialog.sendAck(ack);
            }
        } catch (Exception e) {
            LOG.warn("cannot resend ACK to {}: {}", side, e.toString());
        }
    }

    /** CANCELs our pending INVITE {@code inviteTx}. */
    protected void sendCancel(ClientTransaction inviteTx, SipProvider provider, Side side) {
        try {
            Request cancel = inviteTx.createCancel();
            ClientTransaction ct = provider.getNewClientTransaction(cancel);
            ct.setApplicationData(this);
            b2b.trace().sent(side, cancel);
            ct.sendRequest();
        } catch (Exception e) {
            LOG.warn("cannot send CANCEL to {}: {}", side, e.toString());
        }
    }

    /** Sends BYE on {@code dialog} through {@code provider}, logging instead of throwing. */
    protected void sendBye(Dialog dialog, SipProvider provider, Side side, String reason) {
        if (dialog == null) {
            return;
        }
        try {
            Request bye = dialog.createRequest(Request.BYE);
            bye.addHeader(b2b.headers().createHeader("Reason", reason));
            ClientTransaction ct = provider.getNewClientTransaction(bye);
            ct.setApplicationData(this);
            b2b.trace().sent(side, bye);
            dialog.sendRequest(ct);
        } catch (Exception e) {
            LOG.warn("cannot send BYE to {}: {}", side, e.toString());
        }
    }

    /** Releases everything the call holds and reports its end. Idempotent. */
    synchronized void finish(String why) {
        if (state == CallState.ENDED) {
            return;
        }
        state = CallState.ENDED;
        stopTimers();
        MediaStats stats = media == null ? EMPTY_STATS : media.stats();
        if (media != null) {
            media.close();
        }
        b2b.registry().remove(callId, number.number());
        Duration duration = Duration.ofNanos(System.nanoTime() - startedAt);
        LOG.info("call ended after {} ms: {} media={}", duration.toMillis(), why, stats);
        b2b.observer().callEnded(new CallEnd(callId, metaCallId, Instant.now(), setupTime != null,
                finalCode, finalPhrase, causeId, why, setupTime, duration, stats));
    }

    /** Cancels the call's timers; called once by {@link #finish}. */
    protected abstract void stopTimers();

    synchronized boolean ended() {
        return state == CallState.ENDED;
    }

    protected void noteMetaCallId(Message message) {
        Header wacid = message.getHeader("x-wa-meta-wacid");
        if (wacid != null && metaCallId == null) {
            metaCallId = ((SIPHeader) wacid).getHeaderValue().trim();
            event("meta-call-id", metaCallId);
        }
    }

    static String reasonOf(Request request, String fallback) {
        Header reason = request.getHeader("Reason");
        return reason == null ? fallback : ((SIPHeader) reason).getHeaderValue();
    }

    static List<String> headerValues(Message message, String name) {
        List<String> values = new ArrayList<>();
        ListIterator<?> it = message.getHeaders(name);
        while (it != null && it.hasNext()) {
            values.add(((SIPHeader) it.next()).getHeaderValue().trim());
        }
        return values;
    }

    static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }
}
