package org.wabridge.b2bua;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import javax.sip.header.Header;
import javax.sip.message.Request;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.wabridge.b2bua.digest.DigestAlgorithm;
import org.wabridge.b2bua.digest.DigestVerifier;
import org.wabridge.config.BusinessNumber;
import org.wabridge.config.MetaSide;

/**
 * Challenges Meta's INVITEs with the number's SIP password (Meta's recommended set-up) and checks the answers:
 * 407 (or 401) with a fresh nonce per configured algorithm (meta.inboundChallengeAlgorithm), 403 for a wrong
 * answer, a new challenge for a stale one. A source that keeps answering wrong is blocked for a while
 * ({@link DigestFailures}): 403 at once, no challenge, one log line when the block starts.
 */
final class InboundChallenger {

    private static final Logger LOG = LoggerFactory.getLogger(InboundChallenger.class);

    /** What to do with an INVITE: let it in, challenge it ({@code header: value} per value in a {@code code}), or refuse. */
    sealed interface Verdict {
        record Accept() implements Verdict {}
        record Challenge(int code, String header, List<String> values) implements Verdict {}
        record Forbidden(String phrase) implements Verdict {}
    }

    private final int mode;
    private final List<DigestAlgorithm> algorithms;
    private final DigestVerifier verifier;
    private final DigestFailures failures;
    private final FloodCounters counters;

    InboundChallenger(MetaSide meta, FloodCounters counters) {
        this.mode = meta.inboundChallenge();
        this.algorithms = algorithms(meta.inboundChallengeAlgorithm());
        this.counters = counters;
        byte[] nonceSecret = new byte[32];
        new SecureRandom().nextBytes(nonceSecret);
        this.verifier = new DigestVerifier(meta.sipServerHostname(), nonceSecret, Clock.systemUTC(),
                Duration.ofMinutes(5));
        this.failures = new DigestFailures(Clock.systemUTC());
    }

    /** meta.inboundChallengeAlgorithm as challenges in order: RFC 8760 puts the preferred (SHA-256) first. */
    static List<DigestAlgorithm> algorithms(String setting) {
        if ("both".equalsIgnoreCase(setting)) {
            return List.of(DigestAlgorithm.SHA_256, DigestAlgorithm.MD5);
        }
        return List.of("SHA-256".equalsIgnoreCase(setting) ? DigestAlgorithm.SHA_256 : DigestAlgorithm.MD5);
    }

    Verdict check(Request invite, BusinessNumber number, String source) {
        if (mode == 0) {
            return new Verdict.Accept();
        }
        if (failures.blocked(source)) {
            counters.digestBlocked.increment();
            return new Verdict.Forbidden("Too many invalid digest responses");
        }
        Header credentials = invite.getHeader(mode == 407 ? "Proxy-Authorization" : "Authorization");
        boolean stale = false;
        if (credentials != null) {
            DigestVerifier.Verdict verdict = verifier.verify(
                    ((gov.nist.javax.sip.header.SIPHeader) credentials).getHeaderValue(), Request.INVITE,
                    number.digestUsername(), number.password());
            switch (verdict) {
                case OK -> {
                    failures.succeeded(source);
                    return new Verdict.Accept();
                }
                case WRONG_USERNAME, WRONG_RESPONSE -> {
                    counters.digestWrong.increment();
                    int inWindow = failures.failed(source);
                    if (inWindow == 1) {
                        // the first of a window: a wrong password in the configuration shows up at once
                        LOG.warn("Meta's digest answer for {} from {} rejected with 403: {}", number.number(), source,
                                verdict.explanation());
                    } else if (inWindow == DigestFailures.MAX_FAILURES) {
                        LOG.warn("{} wrong digest answers from {} within {} s: its INVITEs get 403 without a "
                                        + "challenge for {} s (counted in wabridge_sip_refused_total)",
                                DigestFailures.MAX_FAILURES, source, DigestFailures.WINDOW.toSeconds(),
                                DigestFailures.BLOCK.toSeconds());
                    } else {
                        LOG.debug("digest answer for {} from {} rejected with 403: {}", number.number(), source,
                                verdict.explanation());
                    }
                    return new Verdict.Forbidden("Invalid digest auth response");
                }
                case STALE_NONCE -> stale = true;
                default -> LOG.debug("digest answer not usable ({}): challenging again", verdict.explanation());
            }
        }
        boolean staleNonce = stale;
        return new Verdict.Challenge(mode, mode == 407 ? "Proxy-Authenticate" : "WWW-Authenticate",
                algorithms.stream().map(a -> verifier.challenge(a, staleNonce)).toList());
    }
}
