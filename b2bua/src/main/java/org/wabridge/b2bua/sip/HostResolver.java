package org.wabridge.b2bua.sip;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.Security;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.wabridge.config.IpLiterals;

/**
 * Host names of our peers (Meta's edge), looked up without stalling SIP threads: the first look-up of a name
 * blocks (the bridge does it at start), later ones are answered from memory. An answer older than the refresh
 * interval is still served while one background thread looks the name up again, so a change of Meta's edge
 * addresses is picked up without a restart and no SIP thread ever waits on DNS; a failed look-up keeps the last
 * good answer. Java has no TTL API, so the interval follows the JVM's {@code networkaddress.cache.ttl} (security
 * property, or {@code -Dsun.net.inetaddr.ttl}) when set above 0, else {@link #DEFAULT_REFRESH}.
 *
 * <p>A name may have several A/AAAA records: {@link #resolve} gives the first one whose last connection did not
 * fail, and {@link #connectInOrder} tries the others in order when a connection is refused or times out. It also
 * remembers which name each address was reached by, so TLS can verify the peer certificate against that name.
 * Pinned names (lab, DNS-less set-ups) are never looked up.
 */
public final class HostResolver {

    /** Refresh interval when the JVM sets no positive {@code networkaddress.cache.ttl}. */
    public static final Duration DEFAULT_REFRESH = Duration.ofSeconds(60);

    /** Where names are looked up: the JVM's resolver in production, a fake in tests. */
    @FunctionalInterface
    public interface Lookup {
        List<InetAddress> all(String host) throws UnknownHostException;
    }

    /** Opens a connection to one address; {@link #connectInOrder} calls it per candidate. */
    @FunctionalInterface
    public interface Connector<T> {
        T connect(InetAddress address) throws IOException;
    }

    public static final Lookup SYSTEM = host -> List.of(InetAddress.getAllByName(host));

    private static final Logger LOG = LoggerFactory.getLogger(HostResolver.class);

    /** One daemon thread for every resolver of the JVM: refreshes are rare and must never run on a SIP thread. */
    private static final class Background {
        static final ExecutorService THREAD = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "dns-refresh");
            t.setDaemon(true);
            return t;
        });
    }

    /** The addresses of one name, when to look again, and whether it is pinned (never looked again). */
    private record Answer(List<InetAddress> addresses, long refreshAtNanos, boolean pinned) {}

    private final Lookup lookup;
    private final long refreshNanos;
    private final Map<String, Answer> byName = new ConcurrentHashMap<>();
    private final Map<InetAddress, String> nameByAddress = new ConcurrentHashMap<>();
    /** Addresses whose last connection attempt failed: offered last until the name's next refresh. */
    private final Set<InetAddress> failed = ConcurrentHashMap.newKeySet();
    private final Set<String> refreshing = ConcurrentHashMap.newKeySet();

    public HostResolver() {
        this(SYSTEM, refreshFromJvm());
    }

    public HostResolver(Lookup lookup, Duration refresh) {
        if (refresh.isZero() || refresh.isNegative()) {
            throw new IllegalArgumentException("DNS refresh interval must be positive, got " + refresh);
        }
        this.lookup = lookup;
        this.refreshNanos = refresh.toNanos();
    }

    /** The JVM's positive-answer cache TTL when set above 0, else {@link #DEFAULT_REFRESH}. */
    static Duration refreshFromJvm() {
        String ttl = Security.getProperty("networkaddress.cache.ttl");
        if (ttl == null) {
            ttl = System.getProperty("sun.net.inetaddr.ttl");
        }
        try {
            int seconds = ttl == null ? -1 : Integer.parseInt(ttl.trim());
            return seconds > 0 ? Duration.ofSeconds(seconds) : DEFAULT_REFRESH;
        } catch (NumberFormatException e) {
            return DEFAULT_REFRESH;
        }
    }

    /** How long an answer is served before it is looked up again. */
    public Duration refreshInterval() {
        return Duration.ofNanos(refreshNanos);
    }

    /** Pins {@code host} to {@code address} (e.g. the Meta edge to 127.0.0.1 in a lab): never looked up. */
    public void pin(String host, InetAddress address) {
        String key = host.trim().toLowerCase();
        byName.put(key, new Answer(List.of(address), Long.MAX_VALUE, true));
        nameByAddress.put(address, key);
    }

    /**
     * The address to use for {@code host}: an IP literal as is, else the first remembered address that has not
     * failed (looked up, blocking, only the first time). A stale answer is served and refreshed in the background.
     */
    public InetAddress resolve(String host) throws UnknownHostException {
        InetAddress literal = literalUnlessKnownName(host); // brackets and all: never a look-up
        if (literal != null) {
            return literal;
        }
        return preferred(answer(host.trim()).addresses);
    }

    /** Every address remembered for {@code host}, in the order they are tried (a literal: itself). */
    public List<InetAddress> addresses(String host) throws UnknownHostException {
        InetAddress literal = literalUnlessKnownName(host);
        return literal != null ? List.of(literal) : answer(host.trim()).addresses;
    }

    /**
     * {@code host} as an address when it is an IP literal. A name already remembered is not parsed again: the IP
     * library tells a name from a literal by throwing and catching two exceptions, which every call's INVITE to
     * the edge paid for.
     */
    private InetAddress literalUnlessKnownName(String host) {
        return host != null && byName.containsKey(host.trim().toLowerCase()) ? null : IpLiterals.parse(host);
    }

    private Answer answer(String host) throws UnknownHostException {
        String key = host.toLowerCase();
        Answer known = byName.get(key);
        if (known == null) {
            known = remember(key, lookUp(host));
        } else if (!known.pinned && System.nanoTime() - known.refreshAtNanos >= 0 && refreshing.add(key)) {
            Background.THREAD.execute(() -> refresh(host, key));
        }
        return known;
    }

    private List<InetAddress> lookUp(String host) throws UnknownHostException {
        List<InetAddress> found = lookup.all(host);
        if (found == null || found.isEmpty()) {
            throw new UnknownHostException(host + ": no address");
        }
        return List.copyOf(found);
    }

    private Answer remember(String key, List<InetAddress> addresses) {
        Answer answer = new Answer(addresses, System.nanoTime() + refreshNanos, false);
        byName.put(key, answer);
        for (InetAddress a : addresses) {
            nameByAddress.put(a, key);
        }
        return answer;
    }

    /** Looks {@code host} up again; on failure keeps the last good answer until the next interval. */
    private void refresh(String host, String key) {
        try {
            Answer old = byName.get(key);
            List<InetAddress> now;
            try {
                now = lookUp(host);
            } catch (UnknownHostException | RuntimeException e) {
                LOG.warn("DNS: cannot look up {} again ({}); keeping {} for another {} ms", host, e.getMessage(),
                        old == null ? "[]" : text(old.addresses), refreshInterval().toMillis());
                if (old != null) {
                    byName.put(key, new Answer(old.addresses, System.nanoTime() + refreshNanos, false));
                }
                return;
            }
            if (old != null && !old.addresses.equals(now)) {
                LOG.info("DNS: {} now {} (was {})", host, text(now), text(old.addresses));
            }
            if (old != null) {
                failed.removeAll(old.addresses); // a new answer gives every address another chance
            }
            remember(key, now);
        } finally {
            refreshing.remove(key);
        }
    }

    private InetAddress preferred(List<InetAddress> addresses) {
        for (InetAddress a : addresses) {
            if (!failed.contains(a)) {
                return a;
            }
        }
        return addresses.get(0);
    }

    /**
     * Connects to {@code address}; when that fails and the address is one of several of a name, to the name's
     * other addresses in order. The next {@link #resolve} of the name prefers the address that worked. Throws the
     * first failure (with the others suppressed) when none connects.
     */
    public <T> T connectInOrder(InetAddress address, Connector<T> connector) throws IOException {
        List<InetAddress> candidates = new ArrayList<>();
        candidates.add(address);
        String name = nameByAddress.get(address);
        Answer answer = name == null ? null : byName.get(name);
        if (answer != null) {
            for (InetAddress a : answer.addresses) {
                if (!a.equals(address)) {
                    candidates.add(a);
                }
            }
        }
        IOException first = null;
        for (InetAddress candidate : candidates) {
            try {
                T connected = connector.connect(candidate);
                failed.remove(candidate);
                return connected;
            } catch (IOException e) {
                failed.add(candidate);
                if (candidates.size() > 1) {
                    LOG.warn("connection to {} ({}) failed: {}{}", name, candidate.getHostAddress(), e.getMessage(),
                            candidate.equals(candidates.get(candidates.size() - 1)) ? "" : "; trying its next address");
                }
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        throw first;
    }

    private static String text(List<InetAddress> addresses) {
        return addresses.stream().map(InetAddress::getHostAddress).toList().toString();
    }

    /** True when {@code host} is an IP address as {@link IpLiterals} reads it (brackets allowed). */
    public static boolean isIpLiteral(String host) {
        return IpLiterals.isIpLiteral(host);
    }

    /** The host name we reached {@code address} by, if we resolved it. */
    public Optional<String> nameOf(InetAddress address) {
        return Optional.ofNullable(nameByAddress.get(address));
    }
}
