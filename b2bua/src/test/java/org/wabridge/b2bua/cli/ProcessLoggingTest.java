package org.wabridge.b2bua.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import gov.nist.core.CommonLogger;
import java.net.URL;
import java.util.List;
import java.util.Properties;
import javax.sip.SipFactory;
import javax.sip.SipStack;
import org.jitsi.utils.logging2.LoggerImpl;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** What the CLI sets up before anything logs: every library's lines reach logback, at logback's levels. */
class ProcessLoggingTest {

    @Test
    void jitsiUtilsJulRecordsReachLogback() {
        ProcessLogging.install();
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        ch.qos.logback.classic.Logger ice4j = context.getLogger("org.ice4j");
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.setContext(context);
        appender.start();
        ice4j.addAppender(appender);
        try {
            // jitsi-utils' logger, as ice4j's STUN classes use it: a java.util.logging logger underneath.
            new LoggerImpl("org.ice4j.stack.StunStack").warn("STUN transaction failed");
            List<ILoggingEvent> events = appender.list;
            assertEquals(1, events.size(), "the JUL record must arrive in logback once: " + events);
            ILoggingEvent e = events.get(0);
            assertEquals(Level.WARN, e.getLevel());
            assertEquals("org.ice4j.stack.StunStack", e.getLoggerName());
            assertTrue(e.getFormattedMessage().contains("STUN transaction failed"), e.getFormattedMessage());
        } finally {
            ice4j.detachAppender(appender);
        }
    }

    @Test
    void jainSipStartUpWarningsAboutDefaultKeyAndTrustStoresAreNotShownButItsOtherWarningsAre() throws Exception {
        boolean legacyLogger = CommonLogger.useLegacyLogger;
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        SipStack stack = null;
        try {
            ProcessLogging.install();
            configure(context, "logback.xml");
            appender.setContext(context);
            appender.start();
            context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).addAppender(appender);
            Properties p = new Properties();
            p.setProperty("javax.sip.STACK_NAME", "logging-test-" + ProcessHandle.current().pid());
            stack = SipFactory.getInstance().createSipStack(p); // logs what every start of the bridge logs
            List<String> lines = appender.list.stream()
                    .map(e -> e.getLevel() + " " + e.getLoggerName() + ": " + e.getFormattedMessage()).toList();
            assertTrue(lines.stream().noneMatch(l -> l.contains("keystore") || l.contains("truststore")
                    || l.contains("TLS server settings") || l.contains("TLS trust settings")), String.join("\n", lines));
            assertTrue(lines.contains("WARN gov.nist.javax.sip.SipStackImpl: using default tls security policy"),
                    "JAIN-SIP's other warnings stay visible:\n" + String.join("\n", lines));
        } finally {
            if (stack != null) {
                stack.stop();
            }
            CommonLogger.useLegacyLogger = legacyLogger;
            configure(context, "logback-test.xml"); // the other tests' configuration, as it was
        }
    }

    private static void configure(LoggerContext context, String resource) throws Exception {
        URL url = ProcessLoggingTest.class.getClassLoader().getResource(resource);
        assertNotNull(url, resource + " on the class path");
        context.reset();
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        configurator.doConfigure(url);
    }

    @Test
    void productionConfigurationCopiesItsLevelsToJul() throws Exception {
        URL production = getClass().getClassLoader().getResource("logback.xml");
        assertNotNull(production, "b2bua's logback.xml on the class path");
        LoggerContext context = new LoggerContext();
        try {
            JoranConfigurator configurator = new JoranConfigurator();
            configurator.setContext(context);
            configurator.doConfigure(production);
            // org.jitsi is WARN in logback.xml: JUL must drop jitsi's FINE and INFO records itself (cheap).
            java.util.logging.Logger jitsi = java.util.logging.Logger.getLogger("org.jitsi.utils.concurrent.RecurringRunnableExecutor");
            assertFalse(jitsi.isLoggable(java.util.logging.Level.INFO), "JUL level of org.jitsi: "
                    + java.util.logging.Logger.getLogger("org.jitsi").getLevel());
            assertTrue(jitsi.isLoggable(java.util.logging.Level.WARNING));
        } finally {
            context.stop();
        }
    }
}
