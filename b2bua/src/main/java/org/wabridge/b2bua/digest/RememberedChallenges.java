package org.wabridge.b2bua.digest;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The last challenge each digest username answered successfully, so the next INVITE can carry its credentials
 * before being asked: Meta accepts a nonce again with a higher count ({@code nc=00000002} in its own sample), and a
 * call that skips the 407 round saves Meta one round trip of set-up and the bridge three SIP messages and a
 * transaction.
 *
 * <p>A nonce is reused for {@link #MAX_AGE} at most, then the next call is challenged again and refreshes it. If
 * Meta refuses reused credentials outright (a 403 where a 407 would have asked for new ones), reuse stops for that
 * username for {@link #PAUSE} and the call is retried the usual way: at worst one round trip per pause is lost.
 * Thread-safe.
 */
public final class RememberedChallenges {

    /** Under the usual nonce lifetimes (Kamailio's default is 300 s); an older nonce is not offered. */
    public static final Duration MAX_AGE = Duration.ofSeconds(240);
    /** How long reuse stays off for a username whose reused credentials Meta refused. */
    public static final Duration PAUSE = Duration.ofMinutes(10);

    /** Challenges answered together (one per realm) and the status code that carried them (401 or 407). */
    public record Remembered(int code, List<DigestChallenge> challenges) {
        public Remembered {
            if (code != 401 && code != 407) {
                throw new IllegalArgumentException("a digest challenge comes in a 401 or 407, not " + code);
            }
            challenges = List.copyOf(challenges);
            if (challenges.isEmpty()) {
                throw new IllegalArgumentException("no challenge to remember");
            }
        }

        /** The header the credentials go in. */
        public String headerName() {
            return code == 407 ? "Proxy-Authorization" : "Authorization";
        }
    }

    private record Entry(Remembered remembered, long at) {}

    private final boolean enabled;
    private final LongSupplier nanoClock;
    private final Map<String, Entry> byUsername = new ConcurrentHashMap<>();
    /** Username -> when reuse may start again (nanoClock time). */
    private final Map<String, Long> paused = new ConcurrentHashMap<>();

    /**
     * @param enabled   false: nothing is remembered and every call is challenged (the JVM option
     *                  {@code -Dwabridge.digest.reuse=false})
     * @param nanoClock monotonic nanoseconds
     */
    public RememberedChallenges(boolean enabled, LongSupplier nanoClock) {
        this.enabled = enabled;
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock is null");
    }

    /** Reuse on unless {@code -Dwabridge.digest.reuse=false}, on the system clock. */
    public static RememberedChallenges fromSystemProperties() {
        return new RememberedChallenges(!"false".equalsIgnoreCase(System.getProperty("wabridge.digest.reuse")),
                System::nanoTime);
    }

    /** {@code username}'s credentials were accepted in answer to {@code remembered}. */
    public void accepted(String username, Remembered remembered) {
        if (enabled) {
            byUsername.put(username, new Entry(remembered, nanoClock.getAsLong()));
        }
    }

    /** What the next INVITE of {@code username} may answer before being asked; empty when it should be asked. */
    public Optional<Remembered> recall(String username) {
        Entry entry = byUsername.get(username);
        if (entry == null) {
            return Optional.empty();
        }
        long now = nanoClock.getAsLong();
        Long until = paused.get(username);
        if (until != null) {
            if (now - until < 0) {
                return Optional.empty();
            }
            paused.remove(username, until);
        }
        if (now - entry.at() > MAX_AGE.toNanos()) {
            byUsername.remove(username, entry);
            return Optional.empty();
        }
        return Optional.of(entry.remembered());
    }

    /**
     * Meta refused {@code username}'s reused credentials: forget them and reuse none for {@link #PAUSE}.
     *
     * @return true when this starts a pause (say so once), false when one was already running
     */
    public boolean refused(String username) {
        byUsername.remove(username);
        long now = nanoClock.getAsLong();
        Long before = paused.put(username, now + PAUSE.toNanos());
        return before == null || now - before >= 0;
    }
}
