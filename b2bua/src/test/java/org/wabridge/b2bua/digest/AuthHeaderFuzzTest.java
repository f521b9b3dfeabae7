package org.wabridge.b2bua.digest;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

/**
 * Any authentication header value from a peer: Meta's challenge (407/401 toward us) and Meta's credentials
 * (on its INVITE to our challenge). Documented answers: a list of schemes (possibly empty), an Optional, a
 * verifier verdict; never an exception. Seeds: {@code AuthHeaderFuzzTestInputs/}; {@code scripts/fuzz digest}.
 */
class AuthHeaderFuzzTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
    private static final DigestVerifier VERIFIER = new DigestVerifier("bridge.example.test", new byte[32], CLOCK,
            Duration.ofMinutes(5));

    @FuzzTest(maxDuration = "10m")
    void authHeaders(FuzzedDataProvider data) {
        String first = data.consumeString(400);
        String value = data.consumeRemainingAsString();
        assertNotNull(AuthHeaderParser.parse(value));
        assertNotNull(DigestChallenge.parse(value));
        assertNotNull(DigestChallenge.choose(List.of(first, value)));
        assertNotNull(DigestCredentials.parse(value));
        assertNotNull(VERIFIER.verify(value, "INVITE", "+15550100001", "fuzz-password"));
    }
}
