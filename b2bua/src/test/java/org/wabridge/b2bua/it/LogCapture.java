package org.wabridge.b2bua.it;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import java.util.stream.Collectors;
import org.slf4j.LoggerFactory;

/**
 * Collects every log line of the bridge during a test, to assert what an admin would read, with the SIP ladder
 * and the call machine's DEBUG lines (the 407 answered) turned on as an admin would turn them on to follow a call.
 */
public final class LogCapture implements AutoCloseable {

    private static final String[] DEBUG_LOGGERS = {"org.wabridge.ladder", "org.wabridge.b2bua.call.CallMachine",
        "org.wabridge.b2bua.SipCall"};

    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    private final Level[] levelsBefore = new Level[DEBUG_LOGGERS.length];

    public LogCapture() {
        appender.start();
        root.addAppender(appender);
        for (int i = 0; i < DEBUG_LOGGERS.length; i++) {
            Logger l = (Logger) LoggerFactory.getLogger(DEBUG_LOGGERS[i]);
            levelsBefore[i] = l.getLevel();
            l.setLevel(Level.DEBUG);
        }
    }

    public List<String> lines() {
        // logback appends under the appender's own lock, not the list's
        synchronized (appender) {
            return appender.list.stream().map(e -> e.getLevel() + " " + e.getFormattedMessage()
                    + (e.getThrowableProxy() == null ? "" : " " + e.getThrowableProxy().getClassName() + ": "
                            + e.getThrowableProxy().getMessage()))
                    .collect(Collectors.toList());
        }
    }

    /** ERROR lines and lines with an exception attached (a stack trace in the real log). */
    public List<String> problems() {
        synchronized (appender) {
            return appender.list.stream().filter(e -> e.getLevel() == Level.ERROR || e.getThrowableProxy() != null)
                    .map(e -> e.getLevel() + " " + e.getFormattedMessage()
                            + (e.getThrowableProxy() == null ? "" : " " + e.getThrowableProxy().getClassName() + ": "
                            + e.getThrowableProxy().getMessage()))
                    .collect(Collectors.toList());
        }
    }

    public String text() {
        return String.join("\n", lines());
    }

    @Override
    public void close() {
        root.detachAppender(appender);
        for (int i = 0; i < DEBUG_LOGGERS.length; i++) {
            ((Logger) LoggerFactory.getLogger(DEBUG_LOGGERS[i])).setLevel(levelsBefore[i]);
        }
    }
}
