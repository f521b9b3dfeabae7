package org.wabridge.b2bua.capture;

import ch.qos.logback.classic.pattern.ThrowableProxyConverter;
import ch.qos.logback.classic.spi.IThrowableProxy;

/**
 * {@code %maskedEx} in logback.xml: the stack trace with SDES keys and digest secrets masked in every exception
 * message of the chain (a parser's exception may quote the header or SDP line it could not read).
 */
public final class MaskedThrowableConverter extends ThrowableProxyConverter {
    @Override
    protected String throwableProxyToString(IThrowableProxy tp) {
        return SipSecrets.maskForLog(super.throwableProxyToString(tp));
    }
}
