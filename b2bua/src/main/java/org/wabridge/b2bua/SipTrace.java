package org.wabridge.b2bua;

import gov.nist.javax.sip.message.SIPMessage;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.Locale;
import java.util.function.Function;
import javax.sip.ListeningPoint;
import javax.sip.SipProvider;
import javax.sip.address.Hop;
import javax.sip.address.Router;
import javax.sip.header.ViaHeader;
import javax.sip.header.CSeqHeader;
import javax.sip.message.Message;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.wabridge.b2bua.capture.CallCaptures;
import org.wabridge.b2bua.capture.SipSecrets;
import org.wabridge.b2bua.events.CallObserver;
import org.wabridge.config.IpLiterals;
import org.wabridge.b2bua.events.SipMessageEvent;

/**
 * One log line per SIP message in or out (the call's ladder, logger {@code org.wabridge.ladder} at DEBUG: a dozen
 * lines per call cost more CPU at a few hundred calls/s than the rest of the call's logging, and the call log keeps
 * the ladder of every call anyway), the same to the {@link CallObserver}, and the full message at DEBUG (logger
 * {@code org.wabridge.wire}) with SRTP keys and digest secrets (response, cnonce, nonces) masked: SDES keys travel in
 * SDP and must never reach a log file, nor what allows an offline guess of the SIP password. Captures get the
 * same masking ({@link CallCaptures#sip}). The call a message belongs to is the one in the logging context
 * ("call").
 */
public final class SipTrace {

    private static final Logger LADDER = LoggerFactory.getLogger("org.wabridge.ladder");
    private static final Logger WIRE = LoggerFactory.getLogger("org.wabridge.wire");
    private static final Logger LOG_SELF = LoggerFactory.getLogger(SipTrace.class);

    public enum Side { PBX, META }

    private final CallObserver observer;
    private final CallCaptures captures;
    private final Router router;
    private final Function<Side, SipProvider> providers;

    SipTrace(CallObserver observer, CallCaptures captures, Router router, Function<Side, SipProvider> providers) {
        this.observer = observer;
        this.captures = captures;
        this.router = router;
        this.providers = providers;
    }

    void received(Side side, Message message) {
        log(side, false, message);
        captureReceived(message);
    }

    /** Adds a received message to its call's capture (the INVITE that created the call, once the call exists). */
    void captureReceived(Message message) {
        if (captures.active() && message instanceof SIPMessage m && m.getRemoteAddress() != null) {
            capture(m, new InetSocketAddress(m.getRemoteAddress(), m.getRemotePort()),
                    new InetSocketAddress(m.getLocalAddress(), m.getLocalPort()));
        }
    }

    void sent(Side side, Message message) {
        log(side, true, message);
        if (captures.active()) {
            try {
                // Where the stack sends it: a response to the top Via's received/rport (RFC 3261 18.2.2), a
                // request to the hop of our own router (the one the stack uses).
                String host;
                int port;
                String transport;
                if (message instanceof Response r) {
                    ViaHeader via = (ViaHeader) r.getHeader(ViaHeader.NAME);
                    host = via.getReceived() != null ? via.getReceived() : via.getHost();
                    port = via.getRPort() > 0 ? via.getRPort() : via.getPort() > 0 ? via.getPort() : 5060;
                    transport = via.getTransport();
                } else {
                    Hop hop = router.getNextHop((Request) message);
                    host = hop.getHost();
                    port = hop.getPort();
                    transport = hop.getTransport();
                }
                ListeningPoint lp = providers.apply(side).getListeningPoint(transport.toLowerCase(Locale.ROOT));
                InetAddress peer = IpLiterals.parse(host); // a Via host name is never looked up for a capture
                if (lp != null && peer != null) {
                    capture((SIPMessage) message, new InetSocketAddress(lp.getIPAddress(), lp.getPort()),
                            new InetSocketAddress(peer, port));
                }
            } catch (Exception e) {
                LOG_SELF.debug("message not captured: {}", e.toString());
            }
        }
    }

    private void capture(SIPMessage message, InetSocketAddress from, InetSocketAddress to) {
        ViaHeader via = message.getTopmostVia();
        captures.sip(message.getCallId().getCallId(), from, to,
                message.encodeAsBytes(via == null ? "UDP" : via.getTransport()));
    }

    private void log(Side side, boolean outgoing, Message message) {
        String callId = MDC.get("call");
        boolean ladder = LADDER.isDebugEnabled();
        if (callId == null && !ladder && !WIRE.isDebugEnabled()) {
            return;
        }
        String first = firstLine(message);
        if (ladder) {
            LADDER.debug("{} {} {}", side, outgoing ? "->" : "<-", first);
        }
        if (WIRE.isDebugEnabled()) {
            WIRE.debug("{} {}\n{}", side, outgoing ? "->" : "<-", mask(message.toString()));
        }
        if (callId != null) {
            CSeqHeader cseq = (CSeqHeader) message.getHeader(CSeqHeader.NAME);
            observer.sipMessage(new SipMessageEvent(callId, Instant.now(), side.name(), outgoing,
                    message instanceof Request r ? r.getMethod() : cseq == null ? "?" : cseq.getMethod(),
                    message instanceof Response r ? r.getStatusCode() : 0, first));
        }
    }

    public static String firstLine(Message message) {
        if (message instanceof Request r) {
            return r.getMethod() + " " + r.getRequestURI();
        }
        Response r = (Response) message;
        CSeqHeader cseq = (CSeqHeader) r.getHeader(CSeqHeader.NAME);
        return r.getStatusCode() + " " + r.getReasonPhrase() + (cseq == null ? "" : " (" + cseq.getMethod() + ")");
    }

    /** The text with SDES keys and digest secrets replaced, for logs ({@link SipSecrets#maskForLog}). */
    public static String mask(String text) {
        return SipSecrets.maskForLog(text);
    }
}
