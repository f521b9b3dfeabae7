package org.wabridge.b2bua;

import java.time.Instant;
import java.util.regex.Pattern;
import javax.sip.header.CSeqHeader;
import javax.sip.message.Message;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.wabridge.b2bua.events.CallObserver;
import org.wabridge.b2bua.events.SipMessageEvent;

/**
 * One log line per SIP message in or out (the call's ladder), the same to the {@link CallObserver}, and the
 * full message at DEBUG with SRTP keys and digest responses masked: SDES keys travel in SDP and must never
 * reach a log file. The call a message belongs to is the one in the logging context ("call").
 */
public final class SipTrace {

    private static final Logger LADDER = LoggerFactory.getLogger("org.wabridge.ladder");
    private static final Logger WIRE = LoggerFactory.getLogger("org.wabridge.wire");
    private static final Pattern SDES_KEY = Pattern.compile("inline:[^\\s|]+");
    private static final Pattern DIGEST_RESPONSE = Pattern.compile("(?i)(response\\s*=\\s*\")[0-9a-f]+\"");

    public enum Side { PBX, META }

    private final CallObserver observer;

    SipTrace(CallObserver observer) {
        this.observer = observer;
    }

    void received(Side side, Message message) {
        log(side, false, message);
    }

    void sent(Side side, Message message) {
        log(side, true, message);
    }

    private void log(Side side, boolean outgoing, Message message) {
        String first = firstLine(message);
        LADDER.info("{} {} {}", side, outgoing ? "->" : "<-", first);
        if (WIRE.isDebugEnabled()) {
            WIRE.debug("{} {}\n{}", side, outgoing ? "->" : "<-", mask(message.toString()));
        }
        String callId = MDC.get("call");
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

    /** The text with SDES keys and digest responses replaced, for logs. */
    public static String mask(String text) {
        String s = SDES_KEY.matcher(text).replaceAll("inline:****");
        return DIGEST_RESPONSE.matcher(s).replaceAll("$1****\"");
    }
}
