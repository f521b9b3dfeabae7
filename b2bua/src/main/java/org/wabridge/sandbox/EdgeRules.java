package org.wabridge.sandbox;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.wabridge.b2bua.digest.DigestAlgorithm;

/**
 * What the sandbox edge knows of "Meta's side" of the business numbers, taken from the bridge's own YAML
 * (numbers, passwords, configured hostname) and its {@code sandbox} section (users table, digest algorithms).
 *
 * @param edgeHost          the edge's name, the host of {@code meta.edgeUri} (wa.meta.vc)
 * @param configuredHost    the {@code hostname} the numbers are configured with at Meta ({@code meta.sipServerHostname})
 * @param passwords         business number ("+E164") to its SIP password
 * @param algorithms        the digest challenges offered, in header order (MD5, SHA-256, or both)
 * @param users             called number to behaviour; numbers not listed get {@code defaultBehaviour}
 * @param dailyLimit        connected business-initiated calls per business and user pair per day (Meta: 100)
 * @param retryAfter        the Retry-After of a 503
 * @param ringTime          how long the user's phone rings before the user's answer
 * @param noAnswerAfter     how long a user who never answers rings before Meta's 480
 * @param noMediaAtStart    Meta hangs up when no business media arrived this long after the answer (20 s)
 * @param noMediaMidCall    Meta hangs up when business media stopped this long (30 s)
 */
public record EdgeRules(String edgeHost, String configuredHost, Map<String, String> passwords,
                        List<DigestAlgorithm> algorithms, Map<String, UserBehaviour> users,
                        UserBehaviour defaultBehaviour, int dailyLimit, Duration retryAfter, Duration ringTime,
                        Duration noAnswerAfter, Duration noMediaAtStart, Duration noMediaMidCall) {

    public EdgeRules {
        passwords = Map.copyOf(passwords);
        algorithms = List.copyOf(algorithms);
        users = Map.copyOf(users);
        if (algorithms.isEmpty()) {
            throw new IllegalArgumentException("sandbox.digest names no algorithm; use MD5, SHA-256 or both");
        }
    }

    /** How long the user's phone rings before the answer {@code behaviour} gives. */
    public Duration ringFor(UserBehaviour behaviour) {
        return behaviour == UserBehaviour.NO_ANSWER ? noAnswerAfter : behaviour.rings() ? ringTime : Duration.ZERO;
    }

    /** The behaviour of the WhatsApp user at {@code number}. */
    public UserBehaviour behaviourOf(String number) {
        return users.getOrDefault(number, defaultBehaviour);
    }

    @Override
    public String toString() {
        // never the passwords
        return "EdgeRules[edge=" + edgeHost + ", configuredHost=" + configuredHost + ", numbers=" + passwords.keySet()
                + ", digest=" + algorithms + ", users=" + users + ", default=" + defaultBehaviour + "]";
    }
}
