package org.wabridge.b2bua.sip;

import gov.nist.javax.sip.message.SIPMessage;
import gov.nist.javax.sip.message.SIPRequest;
import gov.nist.javax.sip.parser.MessageParser;
import gov.nist.javax.sip.parser.MessageParserFactory;
import gov.nist.javax.sip.parser.StringMsgParserFactory;
import gov.nist.javax.sip.stack.SIPTransactionStack;
import java.text.ParseException;

/**
 * JAIN-SIP's message parser, plus the check it leaves to later code: a message must carry the headers every SIP
 * message has (RFC 3261 8.1.1: Via, Call-ID, CSeq, From, To) and a request's CSeq must name its method. JAIN-SIP's
 * lenient parser lets a message cut in its headers through, and its UDP and TCP paths then failed on it
 * (NullPointerException on the missing CSeq, "Bad CSeq method"), each logged at ERROR with the whole datagram.
 * Refused here, such a message is a parse error: JAIN-SIP answers 400 where it can (UDP) or drops it, and logs
 * it at DEBUG. Named by gov.nist.javax.sip.MESSAGE_PARSER_FACTORY.
 */
public final class CompleteMessageParser implements MessageParserFactory {

    private final MessageParserFactory jainSip = new StringMsgParserFactory();

    @Override
    public MessageParser createMessageParser(SIPTransactionStack stack) {
        MessageParser parser = jainSip.createMessageParser(stack);
        return (bytes, readBody, strict, listener) -> complete(parser.parseSIPMessage(bytes, readBody, strict,
                listener));
    }

    static SIPMessage complete(SIPMessage message) throws ParseException {
        if (message == null) {
            return null; // blank lines, keep-alives
        }
        String missing = message.getTopmostVia() == null ? "Via"
                : message.getCallId() == null ? "Call-ID"
                : message.getCSeq() == null ? "CSeq"
                : message.getFrom() == null ? "From"
                : message.getTo() == null ? "To" : null;
        if (missing != null) {
            throw new ParseException("no " + missing + " header", 0);
        }
        if (message instanceof SIPRequest request && !request.getMethod().equals(message.getCSeq().getMethod())) {
            throw new ParseException("CSeq method " + message.getCSeq().getMethod() + " is not the request's "
                    + request.getMethod(), 0);
        }
        return message;
    }
}
