package org.wabridge.b2bua.capture;

import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;

/**
 * {@code %maskedMsg} in logback.xml: the log message with SDES keys and digest secrets masked
 * ({@link SipSecrets#maskForLog}), whoever logged it. The bridge masks what it logs itself ({@code SipTrace}); this
 * catches the rest, above all JAIN-SIP, which at DEBUG logs every message it parses or sends in full.
 */
public final class MaskedMessageConverter extends ClassicConverter {
    @Override
    public String convert(ILoggingEvent event) {
        return SipSecrets.maskForLog(event.getFormattedMessage());
    }
}
