package org.wabridge.b2bua;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
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
 * 407 (or 401) with a fresh nonce, 403 for a wrong answer, a new challenge for a stale one.
 */
final class InboundChallenger {

    private static final Logger LOG = LoggerFactory.getLogger(InboundChallenger.class);

    /** What to do with an INVITE: let it in, challenge it ({@code header: value} in a {@code code}), or refuse. */
    sealed interface Verdict {
        record Accept() implements Verdict {}
        record Challenge(int code, String header, String value) implements Verdict {}
        record Forbidden(String phrase) implements Verdict {}
    }

    private final int mode;
    private final DigestVerifier verifier;

    InboundChallenger(MetaSide meta) {
        this.mode = meta.inboundChallenge();
        byte[] nonceSecret = new byte[32];
        new SecureRandom().nextBytes(nonceSecret);
        this.verifier = new DigestVerifier(meta.sipServerHostname(), nonceSecret, Clock.systemUTC(),
                Duration.ofMinutes(5));
    }

    Verdict check(Request invite, BusinessNumber number) {
        if (mode == 0) {
            return new Verdict.Accept();
        }
        Header credentials = invite.getHeader(mode == 407 ? "Proxy-Authorization" : "Authorization");
        boolean stale = false;
        if (credentials != null) {
            DigestVerifier.Verdict verdict = verifier.verify(
                    ((gov.nist.javax.sip.header.SIPHeader) credentials).getHeaderValue(), Request.INVITE,
                    number.digestUsername(), number.password());
            switch (verdict) {
                case OK -> {
                    return new Verdict.Accept();
                }
                case WRONG_USERNAME, WRONG_RESPONSE -> {
                    LOG.warn("Meta's digest answer for {} rejected with 403: {}", number.number(),
                            verdict.explanation());
                    return new Verdict.Forbidden("Invalid digest auth response");
                }
                case STALE_NONCE -> stale = true;
                default -> LOG.info("digest answer not usable ({}): challenging again", verdict.explanation());
            }
        }
        return new Verdict.Challenge(mode, mode == 407 ? "Proxy-Authenticate" : "WWW-Authenticate",
                verifier.challenge(DigestAlgorithm.MD5, stale));
    }
}
