package org.wabridge.b2bua;

import gov.nist.javax.sip.header.SIPHeader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import javax.sip.ClientTransaction;
import javax.sip.Dialog;
import javax.sip.RequestEvent;
import javax.sip.ResponseEvent;
import javax.sip.ServerTransaction;
import javax.sip.SipException;
import javax.sip.header.CSeqHeader;
import javax.sip.header.Header;
import javax.sip.header.ViaHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.wabridge.b2bua.CallFailures.Outcome;
import org.wabridge.b2bua.SipTrace.Side;
import org.wabridge.b2bua.digest.DigestChallenge;
import org.wabridge.b2bua.ops.calllog.CallLogObserver;
import org.wabridge.b2bua.events.Direction;
import org.wabridge.config.BusinessNumber;
import org.wabridge.media.MediaException;
import org.wabridge.media.SdpException;

/**
 * One business-initiated call: the PBX's INVITE (server leg) bridged to an INVITE toward Meta (client leg).
 * Every event of the call runs under the call's lock; every way out ends in {@link #finish}, which releases
 * the media session, the timer and the concurrency slot exactly once.
 */
final class BusinessCall extends BridgedCall {

    private static final Logger LOG = LoggerFactory.getLogger(BusinessCall.class);

    private final ServerTransaction pbxTx;
    private final Request pbxInvite;
    private final String pbxToTag;

    private Request metaInvite;
    private ClientTransaction metaTx;
    private Dialog metaDialog;
    private Request metaAck;
    private boolean challengeAnswered;
    private boolean ringingSent;
    private boolean metaProvisional;
    private boolean pbxCancelled;
    private ScheduledFuture<?> noResponseTimer;

    BusinessCall(B2bua b2b, ServerTransaction pbxTx, BusinessNumber number, String waUser) {
        super(b2b, pbxTx, Direction.BUSINESS_INITIATED, number, waUser);
        this.pbxTx = pbxTx;
        this.pbxInvite = pbxTx.getRequest();
        this.pbxToTag = B2bua.newTag();
        pbxTx.setApplicationData(this);
        if (pbxTx.getDialog() != null) {
            pbxTx.getDialog().setApplicationData(this); // in-dialog requests from the PBX find the call here
        }
    }

    // --------------------------------------------------------- dispatching

    @Override
    void onResponse(Side side, ResponseEvent event) {
        if (side == Side.META) {
            onMetaResponse(event);
        }
    }

    @Override
    void onBye(Side side, RequestEvent event) {
        if (side == Side.PBX) {
            onPbxBye(event);
        } else {
            onMetaBye(event);
        }
    }

    @Override
    synchronized void onCancel(Side side) {
        if (side == Side.PBX) {
            onPbxCancel();
        }
    }

    @Override
    synchronized void onAckTimeout(Side side) {
        if (side == Side.PBX) {
            onPbxAckTimeout();
        }
    }

    // ----------------------------------------------------------------- start

    /** Opens the media session and sends the INVITE to Meta. */
    synchronized void start() {
        byte[] body = pbxInvite.getRawContent();
        if (body == null || body.length == 0) {
            failLocal("local.sdp-unusable", "the PBX's INVITE has no SDP offer (late offer is not supported)");
            return;
        }
        try {
            media = b2b.relay().open(callId, this);
            String offer = media.metaOfferFromPbxOffer(new String(body, StandardCharsets.UTF_8));
            metaInvite = b2b.requests().metaInvite(number, waUser, offer);
            b2b.captures().alias(B2bua.callIdOf(metaInvite), callId);
            event(CallLogObserver.REQUEST_ID_EVENT, B2bua.callIdOf(metaInvite)); // Meta knows the call by this Call-ID
        } catch (MediaException e) {
            failLocal("local.internal-error", "media relay: " + e.getMessage());
            return;
        } catch (SdpException e) {
            failLocal("local.sdp-unusable", e.getMessage());
            return;
        } catch (Exception e) {
            LOG.error("cannot build the INVITE toward Meta", e);
            failLocal("local.internal-error", e.toString());
            return;
        }
        LOG.info("calling WhatsApp user {} from business number {}", waUser, number.number());
        sendMetaInvite();
    }

    private void sendMetaInvite() {
        try {
            metaTx = b2b.meta().getNewClientTransaction(metaInvite);
            metaTx.setApplicationData(this);
            b2b.trace().sent(Side.META, metaInvite);
            metaTx.sendRequest();
            metaDialog = metaTx.getDialog();
            if (metaDialog != null) {
                metaDialog.setApplicationData(this);
            }
            armNoResponseTimer();
        } catch (SipException e) {
            transportFailed(e);
        }
    }

    /** The edge could not be reached at all (connect refused, TLS verification failed, timeout). */
    @Override
    synchronized void transportFailed(Throwable e) {
        if (state == CallState.ENDED) {
            return;
        }
        if (isTlsFailure(e)) {
            String why = rootMessage(e);
            if (why.contains("No subject alternative") || why.contains("No name matching")) {
                why = "the edge's certificate does not cover " + b2b.edgeHost() + " (" + why + ")";
            }
            failLocal("local.tls-verify-failed", "TLS to " + b2b.edgeHost() + " failed: " + why);
        } else {
            failLocal("local.edge-unreachable", "cannot reach " + b2b.edgeHost() + ": " + rootMessage(e));
        }
    }

    /** A transport error toward the edge: fatal only while we are still waiting for Meta's first answer. */
    synchronized void edgeIoFailed(String where) {
        if (state == CallState.CALLING) {
            transportFailed(new java.io.IOException("connection to " + where + " failed"));
        }
    }

    private void armNoResponseTimer() {
        Duration timeout = b2b.config().meta().noResponseTimeout();
        noResponseTimer = b2b.scheduler().schedule(() -> b2b.inCallContext(this, this::noResponse),
                timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private synchronized void noResponse() {
        if (state != CallState.CALLING) {
            return;
        }
        if (metaTx != null) {
            try {
                metaTx.terminate();
            } catch (Exception ignored) {
                // the transaction may already be gone; the call ends either way
            }
        }
        if (pbxCancelled) {
            finish("cancelled before Meta answered anything");
        } else {
            failLocal("local.edge-timeout", "no response from " + b2b.edgeHost() + " within "
                    + b2b.config().meta().noResponseTimeout().toSeconds() + " s");
        }
    }

    // ------------------------------------------------------- Meta's responses

    private synchronized void onMetaResponse(ResponseEvent event) {
        Response response = event.getResponse();
        String method = ((CSeqHeader) response.getHeader(CSeqHeader.NAME)).getMethod();
        if (!Request.INVITE.equals(method)) {
            return; // answers to our BYE/CANCEL need nothing more
        }
        int code = response.getStatusCode();
        noteMetaCallId(response);
        if (state == CallState.ENDED) {
            if (code / 100 == 2) {
                lateAnswer(event); // the call ended (e.g. PBX cancelled) while Meta was answering
            }
            return;
        }
        cancelNoResponseTimer();
        if (code < 200) {
            onMetaProvisional(code);
        } else if (code < 300) {
            onMetaAnswer(event);
        } else if ((code == 401 || code == 407) && !challengeAnswered && !pbxCancelled) {
            answerChallenge(response);
        } else {
            onMetaFailure(response);
        }
    }

    private void onMetaProvisional(int code) {
        if (state == CallState.CONNECTED) {
            return; // a provisional overtaken by the 200 (relays may reorder): the PBX must not see 180 after 200
        }
        metaProvisional = true;
        if (state == CallState.CALLING) {
            state = CallState.PROCEEDING;
        }
        if (pbxCancelled) {
            sendMetaCancel();
            return;
        }
        // Meta sends no early media: the PBX plays its own ringback on a plain 180.
        if (code > 100 && !ringingSent) {
            ringingSent = true;
            b2b.respond(pbxTx, Response.RINGING, null, pbxToTag, null, List.of(), null);
        }
    }

    private void onMetaAnswer(ResponseEvent event) {
        Response response = event.getResponse();
        Dialog dialog = event.getDialog();
        if (dialog != null) {
            metaDialog = dialog;
            metaDialog.setApplicationData(this);
        }
        if (state == CallState.CONNECTED) {
            resendAck(metaDialog, metaAck, Side.META); // a retransmitted 200: our ACK was lost
            return;
        }
        metaAck = ack(metaDialog, response, Side.META);
        if (metaAck == null) {
            failLocal("local.internal-error", "cannot acknowledge Meta's 200 OK");
            return;
        }
        if (pbxCancelled) {
            sendMetaBye("Q.850;cause=16;text=\"NORMAL_CLEARING\"");
            finish("PBX cancelled while Meta answered");
            return;
        }
        String pbxAnswer;
        try {
            byte[] body = response.getRawContent();
            if (body == null || body.length == 0) {
                throw new SdpException("Meta's 200 OK carries no SDP answer");
            }
            pbxAnswer = media.pbxAnswerFromMetaAnswer(new String(body, StandardCharsets.UTF_8));
        } catch (SdpException e) {
            sendMetaBye("Q.850;cause=88;text=\"INCOMPATIBLE_DESTINATION\"");
            failLocal("local.sdp-unusable", "Meta's answer: " + e.getMessage());
            return;
        }
        media.startMetaLeg(); // Meta's 200 is ACKed
        b2b.respond(pbxTx, Response.OK, null, pbxToTag, pbxAnswer, List.of(), null);
        connected();
        b2b.dailyLimit().connected(number.number(), waUser);
    }

    private void lateAnswer(ResponseEvent event) {
        Dialog dialog = event.getDialog();
        if (dialog == null) {
            return;
        }
        metaDialog = dialog;
        if (ack(metaDialog, event.getResponse(), Side.META) != null) {
            sendMetaBye("Q.850;cause=16;text=\"NORMAL_CLEARING\"");
        }
    }

    private void answerChallenge(Response response) {
        boolean proxy = response.getStatusCode() == 407;
        List<String> offered = headerValues(response, proxy ? "Proxy-Authenticate" : "WWW-Authenticate");
        List<DigestChallenge> challenges = DigestChallenge.choose(offered);
        if (challenges.isEmpty()) {
            LOG.warn("no usable digest challenge in {}: {}", response.getStatusCode(), offered);
            onMetaFailure(response);
            return;
        }
        challengeAnswered = true;
        Request retry = (Request) metaInvite.clone();
        try {
            CSeqHeader cseq = (CSeqHeader) retry.getHeader(CSeqHeader.NAME);
            cseq.setSeqNumber(cseq.getSeqNumber() + 1);
            retry.removeHeader(ViaHeader.NAME);
            retry.addHeader(b2b.requests().metaVia());
            String uri = retry.getRequestURI().toString();
            for (DigestChallenge challenge : challenges) {
                String value = b2b.digest().answer(challenge, number.digestUsername(), number.password(),
                        Request.INVITE, uri);
                retry.addHeader(b2b.headers().createHeader(proxy ? "Proxy-Authorization" : "Authorization", value));
                LOG.info("answering {} challenge of realm {} with {}", response.getStatusCode(),
                        challenge.realm(), challenge.algorithm());
                event("digest-challenge", response.getStatusCode() + " realm " + challenge.realm() + " "
                        + challenge.algorithm().token());
            }
        } catch (Exception e) {
            LOG.error("cannot build the authenticated INVITE", e);
            failLocal("local.internal-error", "cannot answer Meta's digest challenge: " + e);
            return;
        }
        metaInvite = retry;
        sendMetaInvite();
    }

    private void onMetaFailure(Response response) {
        int code = response.getStatusCode();
        String phrase = response.getReasonPhrase();
        if (pbxCancelled) {
            finish("cancelled; Meta answered " + code);
            return;
        }
        List<String> warnings = headerValues(response, "Warning");
        Outcome outcome;
        if ((code == 401 || code == 407) && challengeAnswered) {
            // A second challenge after our answer means the credentials are wrong; Meta itself says 403.
            outcome = b2b.failures().forMeta(403, "Invalid digest auth response", warnings);
        } else {
            outcome = b2b.failures().forMeta(code, phrase, warnings);
        }
        LOG.warn(b2b.failures().logLine(callId, metaCallId, code, phrase, outcome));
        answerPbxFailure(outcome);
        finish("Meta answered " + code + " " + phrase);
    }

    private void failLocal(String localCause, String detail) {
        Outcome outcome = b2b.failures().local(localCause);
        causeId = outcome.cause().id();
        LOG.warn(b2b.failures().logLine(callId, metaCallId, outcome.answer().sipCode(), detail, outcome));
        if (state != CallState.CONNECTED && !pbxCancelled) {
            answerPbxFailure(outcome);
        }
        finish(detail);
    }

    private void answerPbxFailure(Outcome outcome) {
        finalCode = outcome.answer().sipCode();
        finalPhrase = outcome.answer().phrase();
        causeId = outcome.cause().id();
        b2b.respond(pbxTx, outcome.answer().sipCode(), outcome.answer().phrase(), pbxToTag, null,
                outcome.reasons(), outcome.answer().retryAfterSeconds());
    }

    // ----------------------------------------------------------- PBX requests

    private void onPbxCancel() {
        if (state == CallState.CONNECTED || state == CallState.ENDED) {
            return; // too late: the INVITE was answered; the PBX will send BYE
        }
        pbxCancelled = true;
        finalCode = Response.REQUEST_TERMINATED;
        finalPhrase = "Request Terminated";
        event("cancelled", "the PBX cancelled before the answer");
        b2b.respond(pbxTx, Response.REQUEST_TERMINATED, null, pbxToTag, null,
                List.of("Q.850;cause=16;text=\"NORMAL_CLEARING\""), null);
        if (metaProvisional) {
            sendMetaCancel();
        }
        // Without a provisional from Meta a CANCEL may not be sent (RFC 3261 9.1): the first provisional
        // triggers it, or the no-response timer ends the attempt.
        LOG.info("PBX cancelled the call");
    }

    private void sendMetaCancel() {
        sendCancel(metaTx, b2b.meta(), Side.META);
        finish("cancelled by the PBX");
    }

    private synchronized void onPbxBye(RequestEvent event) {
        b2b.respond(event.getServerTransaction(), Response.OK, null, null, null, List.of(), null);
        if (state == CallState.CONNECTED) {
            sendMetaBye(reasonOf(event.getRequest(), "Q.850;cause=16;text=\"NORMAL_CLEARING\""));
        }
        finish("PBX hung up");
    }

    private synchronized void onMetaBye(RequestEvent event) {
        Request bye = event.getRequest();
        noteMetaCallId(bye);
        b2b.respond(event.getServerTransaction(), Response.OK, null, null, null, List.of(), null);
        Header duration = bye.getHeader("x-wa-meta-call-duration");
        if (state == CallState.CONNECTED) {
            sendPbxBye(reasonOf(bye, "Q.850;cause=16;text=\"NORMAL_CLEARING\""));
        }
        finish("WhatsApp side hung up" + (duration == null ? "" : " (Meta duration "
                + ((SIPHeader) duration).getHeaderValue() + " s)"));
    }

    /** Our 200 OK to the PBX was never acknowledged: the PBX leg is dead. */
    private void onPbxAckTimeout() {
        if (state == CallState.CONNECTED) {
            LOG.warn("the PBX never acknowledged our 200 OK: ending the call");
            sendMetaBye("Q.850;cause=41;text=\"TEMPORARY_FAILURE\"");
            finish("no ACK from the PBX");
        }
    }

    // -------------------------------------------------------------- teardown

    private void sendMetaBye(String reason) {
        sendBye(metaDialog, b2b.meta(), Side.META, reason);
    }

    private void sendPbxBye(String reason) {
        sendBye(pbxTx.getDialog(), b2b.pbx(), Side.PBX, reason);
    }

    @Override
    protected void byeBothLegs(String reason) {
        sendMetaBye(reason);
        sendPbxBye(reason);
    }

    /** Ends a live call cleanly on both legs (bridge shutdown). */
    @Override
    synchronized void hangUp(String why) {
        if (state == CallState.CONNECTED) {
            sendMetaBye("Q.850;cause=16;text=\"NORMAL_CLEARING\"");
            sendPbxBye("Q.850;cause=16;text=\"NORMAL_CLEARING\"");
        } else if (state != CallState.ENDED && !pbxCancelled) {
            failLocal("local.internal-error", why);
            return;
        }
        finish(why);
    }

    // ---------------------------------------------------------------- helpers

    @Override
    protected void stopTimers() {
        cancelNoResponseTimer();
    }

    private void cancelNoResponseTimer() {
        if (noResponseTimer != null) {
            noResponseTimer.cancel(false);
            noResponseTimer = null;
        }
    }

    private static boolean isTlsFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SSLException || t instanceof java.security.cert.CertificateException) {
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
