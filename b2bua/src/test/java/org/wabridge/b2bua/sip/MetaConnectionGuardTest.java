package org.wabridge.b2bua.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.wabridge.config.Cidr;
import org.wabridge.config.MetaListenerLimits;
import org.wabridge.b2bua.sip.MetaConnectionGuard.Refusal;

class MetaConnectionGuardTest {

    private final AtomicLong now = new AtomicLong(1_000);
    private final MetaConnectionGuard guard = new MetaConnectionGuard(List.of(Cidr.parse("10.0.0.0/24")),
            new MetaListenerLimits(3, 2, Duration.ofHours(2)), -1, 5000, now::get);

    private static InetAddress ip(String s) throws Exception {
        return InetAddress.getByName(s);
    }

    @Test
    void capsCountPerSourceAndInTotalAndReleasedSlotsCanBeTakenAgain() throws Exception {
        assertNull(guard.admit(ip("10.0.0.1")));
        assertNull(guard.admit(ip("10.0.0.1")));
        assertEquals(Refusal.SOURCE_FULL, guard.admit(ip("10.0.0.1")));
        assertNull(guard.admit(ip("10.0.0.2")));
        assertEquals(Refusal.LISTENER_FULL, guard.admit(ip("10.0.0.3")));
        assertEquals(3, guard.openConnections(), "refusals take no slot");
        guard.release(ip("10.0.0.1"));
        assertNull(guard.admit(ip("10.0.0.1")), "a released slot is free again");
        assertEquals(1, guard.refused(Refusal.SOURCE_FULL));
        assertEquals(1, guard.refused(Refusal.LISTENER_FULL));
    }

    @Test
    void sourcesOutsideTheAllowlistAreRefusedFirst() throws Exception {
        assertEquals(Refusal.SOURCE_NOT_ALLOWED, guard.admit(ip("10.0.1.1")));
        assertEquals(Refusal.SOURCE_NOT_ALLOWED, guard.admitSourceOnly(ip("192.0.2.1")));
        assertNull(guard.admitSourceOnly(ip("10.0.0.9")));
        assertEquals(2, guard.refused(Refusal.SOURCE_NOT_ALLOWED));
        assertEquals(0, guard.openConnections());
    }

    @Test
    void aRefusedSourceIsWarnedAboutOncePerIntervalWithTheCountHeldBack() throws Exception {
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        Logger logger = (Logger) LoggerFactory.getLogger(MetaConnectionGuard.class);
        logger.addAppender(appender);
        try {
            for (int i = 0; i < 100; i++) {
                guard.admit(ip("192.0.2.7"));
            }
            guard.admit(ip("192.0.2.8"));
            assertEquals(2, appender.list.size(), "one line per source, not per connection");
            now.addAndGet(MetaConnectionGuard.WARN_INTERVAL.toNanos());
            guard.admit(ip("192.0.2.7"));
            assertEquals(3, appender.list.size());
            String last = appender.list.get(2).getFormattedMessage();
            assertEquals(true, last.contains("192.0.2.7") && last.contains("(99 more refused since the last warning)"),
                    last);
            assertEquals(102, guard.refused(Refusal.SOURCE_NOT_ALLOWED), "every refusal counted");
        } finally {
            logger.detachAppender(appender);
        }
    }
}
