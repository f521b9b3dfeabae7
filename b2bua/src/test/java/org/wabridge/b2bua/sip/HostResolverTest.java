package org.wabridge.b2bua.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class HostResolverTest {

    @Test
    void literalsComeBackAsTheyAreWrittenAndAreNotRemembered() throws Exception {
        HostResolver resolver = new HostResolver();
        assertEquals(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), resolver.resolve("127.0.0.1"));
        assertEquals(InetAddress.getByAddress(new byte[] {10, 0, 0, 5}), resolver.resolve("010.0.0.5"));
        InetAddress v6 = resolver.resolve("[2001:db8::5]");
        assertEquals(InetAddress.getByName("2001:db8::5"), v6);
        assertTrue(resolver.nameOf(v6).isEmpty(), "a literal is nobody's name");
    }

    @Test
    void ipLiteralsAreCheckedByTheSharedParser() {
        assertTrue(HostResolver.isIpLiteral("127.0.0.1"));
        assertTrue(HostResolver.isIpLiteral("10.0.0.5"));
        assertTrue(HostResolver.isIpLiteral("::1"));
        assertTrue(HostResolver.isIpLiteral("2001:db8::5"));
        assertFalse(HostResolver.isIpLiteral("wa.meta.vc"));
        assertFalse(HostResolver.isIpLiteral("127.0.0.1a"));
        assertFalse(HostResolver.isIpLiteral(""));
        assertFalse(HostResolver.isIpLiteral("999.0.0.1"), "digits and dots, but no address (JDK: a DNS name)");
        assertFalse(HostResolver.isIpLiteral("1.2.3.4.5"));
        assertFalse(HostResolver.isIpLiteral("fe80::1%eth0"));
    }

    @Test
    void aPinnedNameResolvesToItsAddressWithoutALookUp() throws Exception {
        HostResolver resolver = new HostResolver();
        InetAddress lab = InetAddress.getByAddress(new byte[] {127, 0, 0, 2});
        resolver.pin("wa.meta.vc", lab);
        assertEquals(lab, resolver.resolve("WA.meta.vc"));
        assertEquals("wa.meta.vc", resolver.nameOf(lab).orElseThrow());
    }

    static InetAddress ip(int last) throws UnknownHostException {
        return InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) last});
    }

    /** A DNS whose answer the test changes, counting look-ups and the threads they ran on. */
    static final class FakeDns implements HostResolver.Lookup {
        final AtomicReference<List<InetAddress>> answer = new AtomicReference<>();
        final AtomicInteger lookups = new AtomicInteger();
        final List<String> threads = new CopyOnWriteArrayList<>();
        volatile CountDownLatch block = new CountDownLatch(0);

        FakeDns(InetAddress... addresses) {
            answer.set(List.of(addresses));
        }

        @Override
        public List<InetAddress> all(String host) throws UnknownHostException {
            lookups.incrementAndGet();
            threads.add(Thread.currentThread().getName());
            try {
                block.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            List<InetAddress> now = answer.get();
            if (now == null) {
                throw new UnknownHostException(host + ": SERVFAIL");
            }
            return now;
        }
    }

    /** Resolves until {@code expected} comes back (the refresh runs in the background), at most 5 s. */
    static void awaitAnswer(HostResolver resolver, InetAddress expected) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        InetAddress got = resolver.resolve("wa.meta.vc");
        while (!got.equals(expected) && System.nanoTime() < deadline) {
            Thread.sleep(20);
            got = resolver.resolve("wa.meta.vc");
        }
        assertEquals(expected, got, "the new DNS answer must be picked up without a restart");
    }

    @Test
    void aChangedAnswerIsPickedUpAfterTheRefreshIntervalWithoutBlockingTheCaller() throws Exception {
        FakeDns dns = new FakeDns(ip(10));
        HostResolver resolver = new HostResolver(dns, Duration.ofMillis(200));
        assertEquals(ip(10), resolver.resolve("wa.meta.vc"));
        assertEquals(ip(10), resolver.resolve("WA.meta.vc"), "answered from memory within the interval");
        assertEquals(1, dns.lookups.get(), "one look-up within the interval");

        dns.answer.set(List.of(ip(20)));
        dns.block = new CountDownLatch(1); // DNS hangs: the caller must not
        Thread.sleep(250);
        long start = System.nanoTime();
        assertEquals(ip(10), resolver.resolve("wa.meta.vc"), "the last good answer while the refresh runs");
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(2), "resolve() waited on DNS");
        dns.block.countDown();
        awaitAnswer(resolver, ip(20));
        assertEquals("wa.meta.vc", resolver.nameOf(ip(20)).orElseThrow(), "the new address is known by its name");
        assertTrue(dns.threads.subList(1, dns.threads.size()).stream().allMatch("dns-refresh"::equals),
                "refreshes run on the background thread, got " + dns.threads);
    }

    @Test
    void aFailedRefreshKeepsTheLastGoodAnswer() throws Exception {
        FakeDns dns = new FakeDns(ip(10));
        HostResolver resolver = new HostResolver(dns, Duration.ofMillis(100));
        resolver.resolve("wa.meta.vc");
        dns.answer.set(null); // SERVFAIL from now on
        for (int i = 0; i < 20; i++) {
            Thread.sleep(25);
            assertEquals(ip(10), resolver.resolve("wa.meta.vc"));
        }
        assertTrue(dns.lookups.get() >= 2, "it kept trying, " + dns.lookups.get() + " look-ups");
        dns.answer.set(List.of(ip(30)));
        awaitAnswer(resolver, ip(30));
    }

    @Test
    void aPinnedNameIsNeverLookedUp() throws Exception {
        FakeDns dns = new FakeDns(ip(10));
        HostResolver resolver = new HostResolver(dns, Duration.ofMillis(10));
        resolver.pin("wa.meta.vc", ip(2));
        for (int i = 0; i < 5; i++) {
            Thread.sleep(20);
            assertEquals(ip(2), resolver.resolve("wa.meta.vc"));
        }
        assertEquals(0, dns.lookups.get(), "a pinned name must not reach DNS");
    }

    @Test
    void aFirstLookUpThatFindsNothingIsAnUnknownHost() {
        HostResolver resolver = new HostResolver(host -> List.of(), Duration.ofSeconds(60));
        assertThrows(UnknownHostException.class, () -> resolver.resolve("wa.meta.vc"));
    }

    @Test
    void theNextAddressIsTriedWhenOneRefusesAndIsPreferredAfterwards() throws Exception {
        HostResolver resolver = new HostResolver(new FakeDns(ip(10), ip(11), ip(12)), Duration.ofSeconds(60));
        assertEquals(List.of(ip(10), ip(11), ip(12)), resolver.addresses("wa.meta.vc"));
        InetAddress first = resolver.resolve("wa.meta.vc");
        assertEquals(ip(10), first);
        List<InetAddress> tried = new ArrayList<>();
        String connected = resolver.connectInOrder(first, a -> {
            tried.add(a);
            if (!a.equals(ip(12))) {
                throw new ConnectException("Connection refused");
            }
            return "socket to " + a.getHostAddress();
        });
        assertEquals("socket to 127.0.0.12", connected);
        assertEquals(List.of(ip(10), ip(11), ip(12)), tried, "the name's addresses in DNS order");
        assertEquals(ip(12), resolver.resolve("wa.meta.vc"), "the next hop is the address that worked");
    }

    @Test
    void whenNoAddressConnectsTheFirstFailureIsThrownWithTheOthers() throws Exception {
        HostResolver resolver = new HostResolver(new FakeDns(ip(10), ip(11)), Duration.ofSeconds(60));
        IOException e = assertThrows(IOException.class, () -> resolver.connectInOrder(resolver.resolve("wa.meta.vc"),
                a -> {
                    throw new ConnectException("refused by " + a.getHostAddress());
                }));
        assertEquals("refused by 127.0.0.10", e.getMessage());
        assertEquals(1, e.getSuppressed().length);
        assertEquals(ip(10), resolver.resolve("wa.meta.vc"), "all failed: back to the first");
    }

    @Test
    void anAddressNoNameKnowsIsTriedAlone() throws Exception {
        HostResolver resolver = new HostResolver(new FakeDns(ip(10), ip(11)), Duration.ofSeconds(60));
        AtomicInteger attempts = new AtomicInteger();
        assertThrows(ConnectException.class, () -> resolver.connectInOrder(ip(99), a -> {
            attempts.incrementAndGet();
            throw new ConnectException("refused");
        }));
        assertEquals(1, attempts.get());
    }

    @Test
    void theRefreshIntervalFollowsTheJvmTtlWhenPositive() {
        String before = java.security.Security.getProperty("networkaddress.cache.ttl");
        try {
            java.security.Security.setProperty("networkaddress.cache.ttl", "17");
            assertEquals(Duration.ofSeconds(17), HostResolver.refreshFromJvm());
            java.security.Security.setProperty("networkaddress.cache.ttl", "-1");
            assertEquals(HostResolver.DEFAULT_REFRESH, HostResolver.refreshFromJvm(), "forever is not a refresh interval");
        } finally {
            java.security.Security.setProperty("networkaddress.cache.ttl", before == null ? "-1" : before);
        }
    }
}
