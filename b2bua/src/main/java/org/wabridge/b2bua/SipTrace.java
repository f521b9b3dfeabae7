package org.wabridge.b2bua;

import java.util.regex.Pattern;
import javax.sip.message.Message;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One log line per SIP message in or out (the call's ladder), and the full message at DEBUG with SRTP keys
 * masked: SDES keys travel in SDP and must never reach a log file.
 */
public final class SipTrace {

    private static final Logger LADDER = LoggerFactory.getLogger("org.wabridge.ladder");
    private static final Logger WIRE = LoggerFactory.getLogger("org.wabridge.wire");
    private static final Pattern SDES_KEY = Pattern.compile("inline:[^\\s|]+");
    private static final Pattern DIGEST_RESPONSE = Pattern.compile("(?i)(response\\s*=\\s*\")[0-9a-f]+\"");

    public enum Side { PBX, META }

    /** Sees every ladder line too (the demo prints the ladder of its call); null when unused. */
    private static volatile java.util.function.Consumer<String> observer;

    public static void observe(java.util.function.Consumer<String> lines) {
        observer = lines;
    }

    private SipTrace() {}

    public static void received(Side side, Message message) {
        log(side, "<-", message);
    }

    public static void sent(Side side, Message message) {
        log(side, "->", message);
    }

    private static void log(Side side, String arrow, Message message) {
        String line = side + " " + arrow + " " + firstLine(message);
        LADDER.info(line);
        java.util.function.Consumer<String> o = observer;
        if (o != null) {
            o.accept(line);
        }
        if (WIRE.isDebugEnabled()) {
            WIRE.debug("{} {}\n{}", side, arrow, mask(message.toString()));
        }
    }

    public static String firstLine(Message message) {
        if (message instanceof Request r) {
            return r.getMethod() + " " + r.getRequestURI();
        }
        Response r = (Response) message;
        return r.getStatusCode() + " " + r.getReasonPhrase()
                + " (" + ((javax.sip.header.CSeqHeader) r.getHeader("CSeq")).getMethod() + ")";
    }

    /** The text with SDES keys and digest responses replaced, for logs. */
    public static String mask(String text) {
        String s = SDES_KEY.matcher(text).replaceAll("inline:****");
        return DIGEST_RESPONSE.matcher(s).replaceAll("$1****\"");
    }
}
