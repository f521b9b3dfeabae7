package org.wabridge.b2bua.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.Layout;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.classic.spi.ILoggingEvent;
import org.junit.jupiter.api.Test;

/** The bridge's logback.xml masks secrets in every message and stack trace, whoever logs them. */
class MaskedLogConvertersTest {

    @Test
    void messagesAndExceptionChainsAreMaskedByTheShippedConfiguration() throws Exception {
        LoggerContext context = new LoggerContext();
        try {
            JoranConfigurator configurator = new JoranConfigurator();
            configurator.setContext(context);
            configurator.doConfigure(getClass().getClassLoader().getResource("logback.xml"));
            @SuppressWarnings("unchecked")
            var stdout = (OutputStreamAppender<ILoggingEvent>) context.getLogger("ROOT").getAppender("STDOUT");
            Layout<ILoggingEvent> layout = ((PatternLayoutEncoder) stdout.getEncoder()).getLayout();
            // events come from the running context (it has the MDC); the layout is the shipped configuration's
            LoggerContext events = (LoggerContext) org.slf4j.LoggerFactory.getILoggerFactory();

            // what JAIN-SIP logs at DEBUG: a whole message
            String message = "SIP/2.0 407 Proxy Authentication Required\r\n"
                    + "Proxy-Authenticate: Digest realm=\"wa.meta.vc\", nonce=\"SECRETNONCE\", qop=\"auth\"\r\n\r\n"
                    + "INVITE sip:x SIP/2.0\r\nProxy-Authorization: Digest username=\"1\", nonce=\"SECRETNONCE\", "
                    + "response=\"d41d8cd98f00b204e9800998ecf8427e\", cnonce=\"SECRETCNONCE\"\r\n\r\n"
                    + "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:X1mQx4pP/qZB9T6vrrOGu3s6WJlWEFF8jVkjS/yA\r\n";
            Exception cause = new IllegalArgumentException("bad line a=crypto:1 AES_CM_128_HMAC_SHA1_80 "
                    + "inline:BDZqHmVowBWa9gQGV4qlee0bM7gRHbiEXQgVZJF2");
            Exception thrown = new IllegalStateException("cannot parse Authorization: Digest "
                    + "response=\"0cc175b9c0f1b6a831c399e269772661\"", cause);
            LoggingEvent event = new LoggingEvent("test", events.getLogger("gov.nist.Test"), Level.DEBUG,
                    "message: {}", thrown, new Object[] {message});
            String line = layout.doLayout(event);

            for (String secret : new String[] {"SECRETNONCE", "d41d8cd98f00b204e9800998ecf8427e", "SECRETCNONCE",
                    "X1mQx4pP", "BDZqHmVo", "0cc175b9c0f1b6a831c399e269772661"}) {
                assertFalse(line.contains(secret), secret + " in:\n" + line);
            }
            assertTrue(line.contains("inline:****"), line);
            assertTrue(line.contains("Caused by: java.lang.IllegalArgumentException: bad line"), "the stack trace stays:\n" + line);
            assertTrue(line.contains("at org.wabridge.b2bua.capture.MaskedLogConvertersTest"), line);
            String plain = layout.doLayout(new LoggingEvent("test", events.getLogger("x"), Level.INFO, "call {} ended",
                    null, new Object[] {"c1@pbx"}));
            assertTrue(plain.endsWith(" INFO  [-] x: call c1@pbx ended" + System.lineSeparator()), plain);
            assertEquals(1, plain.lines().count(), "no stack trace, no extra line: " + plain);
        } finally {
            context.stop();
        }
    }
}
