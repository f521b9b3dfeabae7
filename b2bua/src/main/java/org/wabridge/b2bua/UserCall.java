package org.wabridge.b2bua;

import gov.nist.javax.sip.header.SIPHeader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
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
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.wabridge.b2bua.CallFailures.Outcome;
import org.wabridge.b2bua.SipTrace.Side;
import org.wabridge.b2bua.events.Direction;
import org.wabridge.config.BusinessNumber;
import org.wabridge.media.MediaException;
import org.wabridge.media.SdpException;

/**
 * One user-initiated call: Meta's INVITE (server leg, over TLS) bridged to an INVITE toward the PBX (client
 * leg). Meta hears 100 at once, 180 without SDP while the PBX rings (a media packet would make the WhatsApp
 * client treat the call as answered), and 200 with our SRTP answer when the PBX answers; the relay sends the
 * first SRTP packet once that 200 OK is sent.
 */
final class UserCall extends BridgedCall {

    private static final Logger LOG = LoggerFactory.getLogger(UserCall.class);

    private final ServerTransaction metaTx;
    private final Request metaInvite;
    private final String metaToTag;

    private ClientTransaction pbxTx;
    private Dialog pbxDialog;
    private Request pbxAck;
    private boolean pbxProvisional;
    private boolean ringingSent;
    private boolean metaCancelled;
    private ScheduledFuture<?> noResponseTimer;
    private ScheduledFuture<?> answerTimer;

    UserCall(B2bua b2b, ServerTransaction metaTx, BusinessNumber number, String waUser) {
        super(b2b, metaTx, Direction.USER_INITIATED, number, waUser);
        this.metaTx = metaTx;
        this.metaInvite = metaTx.getRequest();
        this.metaToTag = B2bua.newTag();
        metaTx.setApplicationData(this);
        if (metaTx.getDialog() != null) {
            metaTx.getDialog().setApplicationData(this);
        }
        noteMetaCallId(metaInvite);
        if (metaCallId == null && callId.startsWith("outgoing:wacid.")) {
            metaCallId = callId; // Meta's Call-ID embeds the WhatsApp call id
        }
    }

    /** Opens media and sends the INVITE to the PBX. */
    synchronized void start() {
        byte[] body = metaInvite.getRawContent();
        if (body == null || body.length == 0) {
            failLocal("local.sdp-unusable", "Meta's INVITE has no SDP offer");
            return;
        }
        Request pbxInvite;
        try {
            media = b2b.relay().open(callId, this);
            String offer = media.pbxOfferFromMetaOffer(new String(body, StandardCharsets.UTF_8));
            pbxInvite = b2b.pbxRequests().pbxInvite(number, waUser, offer, metaInvite);
            b2b.captures().alias(B2bua.callIdOf(pbxInvite), callId);
        } catch (MediaException e) {
            failLocal("local.internal-error", "media relay: " + e.getMessage());
            return;
        } catch (SdpException e) {
            failLocal("local.sdp-unusable", "Meta's offer: " + e.getMessage());
            return;
        } catch (Exception e) {
            LOG.error("cannot build the INVITE toward the PBX", e);
            failLocal("local.internal-error", e.toString());
            return;
        }
        LOG.info("WhatsApp user {} calls business number {}; ringing the PBX at {}", waUser, number.number(),
                pbxInvite.getRequestURI());
        try {
            pbxTx = b2b.pbx().getNewClientTransaction(pbxInvite);
            pbxTx.setApplicationData(this);
            b2b.trace().sent(Side.PBX, pbxInvite);
            pbxTx.sendRequest();
            pbxDialog = pbxTx.getDialog();
            if (pbxDialog != null) {
                pbxDialog.setApplicationData(this);
            }
        } catch (SipException e) {
            transportFailed(e);
            return;
        }
        noResponseTimer = schedule(b2b.config().pbx().noResponseTimeout(), this::pbxSilent);
        answerTimer = schedule(b2b.config().pbx().answerTimeout(), this::pbxDidNotAnswer);
    }

    private ScheduledFuture<?> schedule(Duration after, Runnable action) {
        return b2b.scheduler().schedule(() -> b2b.inCallContext(this, action), after.toMillis(), TimeUnit.MILLISECONDS);
    }

    private synchronized void pbxSilent() {
        if (state == CallState.CALLING) {
            terminatePbxAttempt();
            failLocal("local.pbx-no-answer", "the PBX did not respond within "
                    + b2b.config().pbx().noResponseTimeout().toSeconds() + " s");
        }
    }

    private synchronized void pbxDidNotAnswer() {
        if (state == CallState.CALLING || state == CallState.PROCEEDING) {
            terminatePbxAttempt();
            failLocal("local.pbx-no-answer", "the PBX did not answer within "
                    + b2b.config().pbx().answerTimeout().toSeconds() + " s");
        }
    }

    /** Stops ringing the PBX: CANCEL after a provisional, else let the transaction die quietly. */
    private void terminatePbxAttempt() {
        if (pbxProvisional) {
            sendPbxCancel();
        } else if (pbxTx != null) {
            try {
                pbxTx.terminate();
            } catch (Exception ignored) {
                // already gone
            }
        }
    }

    // --------------------------------------------------------- dispatching

    @Override
    synchronized void onResponse(Side side, ResponseEvent event) {
        if (side != Side.PBX) {
            return; // answers to our BYEs toward Meta need nothing more
        }
        Response response = event.getResponse();
        if (!Request.INVITE.equals(((CSeqHeader) response.getHeader(CSeqHeader.NAME)).getMethod())) {
            return;
        }
        int code = response.getStatusCode();
        if (state == CallState.ENDED) {
            if (code / 100 == 2 && event.getDialog() != null) {
                pbxDialog = event.getDialog();
                if (ack(pbxDialog, response, Side.PBX) != null) {
                    sendBye(pbxDialog, b2b.pbx(), Side.PBX, "Q.850;cause=16;text=\"NORMAL_CLEARING\"");
                }
            }
            return;
        }
        cancel(noResponseTimer);
        if (code < 200 && state == CallState.CONNECTED) {
            return; // overtaken by the 200 (the stack may deliver them out of order): no 180 after our 200 OK
        }
        if (code < 200) {
            onPbxProvisional(code);
        } else if (code < 300) {
            onPbxAnswer(event);
        } else {
            onPbxFailure(response);
        }
    }

    private void onPbxProvisional(int code) {
        if (state == CallState.CONNECTED) {
            return; // overtaken by the 200: Meta must not see 180 after 200
        }
        pbxProvisional = true;
        if (state == CallState.CALLING) {
            state = CallState.PROCEEDING;
        }
        if (metaCancelled) {
            sendPbxCancel();
            return;
        }
        // Never early media toward Meta: 180 without SDP, whatever the PBX sent (183 + SDP included).
        if (code > 100 && !ringingSent) {
            ringingSent = true;
            b2b.respond(metaTx, Response.RINGING, null, metaToTag, null, List.of(), null);
        }
    }

    private void onPbxAnswer(ResponseEvent event) {
        Response response = event.getResponse();
        if (event.getDialog() != null) {
            pbxDialog = event.getDialog();
            pbxDialog.setApplicationData(this);
        }
        if (state == CallState.CONNECTED) {
            resendAck(pbxDialog, pbxAck, Side.PBX);
            return;
        }
        pbxAck = ack(pbxDialog, response, Side.PBX);
        if (pbxAck == null) {
            failLocal("local.internal-error", "cannot acknowledge the PBX's 200 OK");
            return;
        }
        if (metaCancelled) {
            sendBye(pbxDialog, b2b.pbx(), Side.PBX, "Q.850;cause=16;text=\"NORMAL_CLEARING\"");
            finish("Meta cancelled while the PBX answered");
            return;
        }
        String metaAnswer;
        try {
            byte[] body = response.getRawContent();
            if (body == null || body.length == 0) {
                throw new SdpException("the PBX's 200 OK carries no SDP answer");
            }
            metaAnswer = media.metaAnswerFromPbxAnswer(new String(body, StandardCharsets.UTF_8));
        } catch (SdpException e) {
            sendBye(pbxDialog, b2b.pbx(), Side.PBX, "Q.850;cause=88;text=\"INCOMPATIBLE_DESTINATION\"");
            failLocal("local.sdp-unusable", "the PBX's answer: " + e.getMessage());
            return;
        }
        cancel(answerTimer);
        b2b.respond(metaTx, Response.OK, null, metaToTag, metaAnswer, List.of(), null);
        media.startMetaLeg(); // only now: a media packet makes the WhatsApp client show the call as answered
        connected();
    }

    /** Busy stays busy for the WhatsApp user; every other PBX failure reads as "not available now". */
    private void onPbxFailure(Response response) {
        int code = response.getStatusCode();
        cancel(answerTimer);
        if (metaCancelled) {
            finish("cancelled; the PBX answered " + code);
            return;
        }
        boolean busy = code == 486 || code == 600 || code == 603;
        int metaCode = busy ? Response.BUSY_HERE : Response.TEMPORARILY_UNAVAILABLE;
        String reason = "SIP;cause=" + code + ";text=\"" + response.getReasonPhrase().replace("\"", "'") + "\"";
        LOG.warn("call failed: call-id={} meta-call-id={} PBX answered {} {}; Meta gets {}", callId,
                metaCallId == null ? "-" : metaCallId, code, response.getReasonPhrase(), metaCode);
        finalCode = metaCode;
        finalPhrase = busy ? "Busy Here" : "Temporarily Unavailable";
        b2b.respond(metaTx, metaCode, null, metaToTag, null, List.of(reason), null);
        finish("the PBX answered " + code + " " + response.getReasonPhrase());
    }

    /** A local failure: the catalog's cause in the log; Meta gets 503 for our own trouble, else 480 or 488. */
    private void failLocal(String localCause, String detail) {
        Outcome outcome = b2b.failures().local(localCause);
        causeId = outcome.cause().id();
        LOG.warn(b2b.failures().logLine(callId, metaCallId, outcome.answer().sipCode(), detail, outcome));
        if (state != CallState.CONNECTED && !metaCancelled) {
            int metaCode = switch (localCause) {
                case "local.sdp-unusable" -> Response.NOT_ACCEPTABLE_HERE;
                case "local.pbx-no-answer" -> Response.TEMPORARILY_UNAVAILABLE;
                default -> Response.SERVICE_UNAVAILABLE;
            };
            finalCode = metaCode;
            finalPhrase = outcome.answer().phrase();
            b2b.respond(metaTx, metaCode, outcome.answer().phrase(), metaToTag, null, outcome.reasons(), null);
        }
        finish(detail);
    }

    @Override
    synchronized void transportFailed(Throwable e) {
        if (state == CallState.CALLING) {
            failLocal("local.pbx-no-answer", "cannot reach the PBX: " + rootMessage(e));
        }
    }

    @Override
    synchronized void onBye(Side side, RequestEvent event) {
        Request bye = event.getRequest();
        b2b.respond(event.getServerTransaction(), Response.OK, null, null, null, List.of(), null);
        String reason = reasonOf(bye, "Q.850;cause=16;text=\"NORMAL_CLEARING\"");
        if (side == Side.META) {
            noteMetaCallId(bye);
            Header duration = bye.getHeader("x-wa-meta-call-duration");
            if (duration != null) {
                event("meta-call-duration", ((SIPHeader) duration).getHeaderValue().trim() + " s");
            }
            if (state == CallState.CONNECTED) {
                sendBye(pbxDialog, b2b.pbx(), Side.PBX, reason);
            }
            finish("WhatsApp side hung up");
        } else {
            if (state == CallState.CONNECTED) {
                sendBye(metaTx.getDialog(), b2b.meta(), Side.META, reason);
            }
            finish("PBX hung up");
        }
    }

    @Override
    synchronized void onCancel(Side side) {
        if (side != Side.META || state == CallState.CONNECTED || state == CallState.ENDED) {
            return;
        }
        metaCancelled = true;
        finalCode = Response.REQUEST_TERMINATED;
        finalPhrase = "Request Terminated";
        event("cancelled", "the WhatsApp user hung up before the PBX answered");
        b2b.respond(metaTx, Response.REQUEST_TERMINATED, null, metaToTag, null, List.of(), null);
        if (pbxProvisional) {
            sendPbxCancel(); // else the first provisional from the PBX triggers it (RFC 3261 9.1)
        }
        finish("cancelled by the WhatsApp user");
    }

    private void sendPbxCancel() {
        sendCancel(pbxTx, b2b.pbx(), Side.PBX);
    }

    @Override
    synchronized void onAckTimeout(Side side) {
        if (side == Side.META && state == CallState.CONNECTED) {
            // Usually a modified Record-Route on the way: Meta's ACK never came back (the ~32 s drop).
            LOG.warn("Meta never acknowledged our 200 OK: ending the call (check that nothing between the bridge and "
                    + "Meta rewrites Record-Route)");
            sendBye(pbxDialog, b2b.pbx(), Side.PBX, "Q.850;cause=41;text=\"TEMPORARY_FAILURE\"");
            finish("no ACK from Meta");
        }
    }

    @Override
    protected void byeBothLegs(String reason) {
        sendBye(metaTx.getDialog(), b2b.meta(), Side.META, reason);
        sendBye(pbxDialog, b2b.pbx(), Side.PBX, reason);
    }

    @Override
    synchronized void hangUp(String why) {
        if (state == CallState.CONNECTED) {
            byeBothLegs("Q.850;cause=16;text=\"NORMAL_CLEARING\"");
        } else if (state != CallState.ENDED && !metaCancelled) {
            terminatePbxAttempt();
            failLocal("local.internal-error", why);
            return;
        }
        finish(why);
    }

    @Override
    protected void stopTimers() {
        cancel(noResponseTimer);
        cancel(answerTimer);
    }

    private static void cancel(ScheduledFuture<?> timer) {
        if (timer != null) {
            timer.cancel(false);
        }
    }
}
