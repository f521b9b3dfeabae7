package org.wabridge.b2bua;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.reflect.Proxy;
import java.util.ConcurrentModificationException;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sip.SipStack;
import org.junit.jupiter.api.Test;

class StackStopTest {

    /** A stack whose stop() throws for its first {@code failures} calls, as JAIN-SIP's UDP listener's stop can. */
    private static SipStack stackFailingFirst(int failures, AtomicInteger stops) {
        return (SipStack) Proxy.newProxyInstance(SipStack.class.getClassLoader(), new Class<?>[] {SipStack.class},
                (proxy, method, args) -> {
                    if (!method.getName().equals("stop")) {
                        throw new UnsupportedOperationException(method.getName());
                    }
                    if (stops.incrementAndGet() <= failures) {
                        throw new ConcurrentModificationException();
                    }
                    return null;
                });
    }

    @Test
    void aStopThatThrowsIsRepeatedSoTheRestOfTheStackStops() {
        AtomicInteger stops = new AtomicInteger();
        SipSignalling.stop(stackFailingFirst(1, stops));
        assertEquals(2, stops.get(), "stopped again after the exception, then no more");
    }

    @Test
    void aStackThatNeverStopsCleanlyIsGivenUpOnWithoutAnException() {
        AtomicInteger stops = new AtomicInteger();
        SipSignalling.stop(stackFailingFirst(Integer.MAX_VALUE, stops));
        assertEquals(3, stops.get());
    }
}
