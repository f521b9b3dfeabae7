package org.wabridge.b2bua.digest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RememberedChallengesTest {

    private static final DigestChallenge META = DigestChallenge.parse(DigestChallengeTest.META_407).orElseThrow();
    private static final RememberedChallenges.Remembered ANSWERED = new RememberedChallenges.Remembered(407,
            List.of(META));

    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final RememberedChallenges remembered = new RememberedChallenges(true, now::get);

    private void advance(Duration d) {
        now.addAndGet(d.toNanos());
    }

    @Test
    void anAcceptedAnswerIsOfferedToTheSameUsernameOnlyAndOnlyWhileYoung() {
        assertEquals(Optional.empty(), remembered.recall("15550100001"), "nothing before a first answer");
        remembered.accepted("15550100001", ANSWERED);
        assertEquals(Optional.of(ANSWERED), remembered.recall("15550100001"));
        assertEquals("Proxy-Authorization", remembered.recall("15550100001").orElseThrow().headerName());
        assertEquals(Optional.empty(), remembered.recall("15550100002"), "another number has its own credentials");
        advance(RememberedChallenges.MAX_AGE);
        assertEquals(Optional.of(ANSWERED), remembered.recall("15550100001"));
        advance(Duration.ofMillis(1));
        assertEquals(Optional.empty(), remembered.recall("15550100001"), "an old nonce is not offered");
        remembered.accepted("15550100001", ANSWERED);
        assertEquals(Optional.of(ANSWERED), remembered.recall("15550100001"), "a fresh answer starts again");
    }

    @Test
    void aRefusalPausesReuseForThatUsernameAndSaysSoOnce() {
        remembered.accepted("15550100001", ANSWERED);
        remembered.accepted("15550100002", ANSWERED);
        assertTrue(remembered.refused("15550100001"), "the first refusal starts a pause");
        assertFalse(remembered.refused("15550100001"), "a call already under way refused too: same pause");
        assertEquals(Optional.empty(), remembered.recall("15550100001"));
        assertEquals(Optional.of(ANSWERED), remembered.recall("15550100002"), "other numbers keep theirs");
        remembered.accepted("15550100001", ANSWERED); // a challenged call during the pause
        advance(RememberedChallenges.PAUSE.minusMillis(1));
        assertEquals(Optional.empty(), remembered.recall("15550100001"), "still paused");
        advance(Duration.ofMillis(1));
        remembered.accepted("15550100001", ANSWERED);
        assertEquals(Optional.of(ANSWERED), remembered.recall("15550100001"), "reuse resumes after the pause");
        assertTrue(remembered.refused("15550100001"), "a refusal after the pause starts a new one");
    }

    @Test
    void switchedOffNothingIsEverOffered() {
        RememberedChallenges off = new RememberedChallenges(false, now::get);
        off.accepted("15550100001", ANSWERED);
        assertEquals(Optional.empty(), off.recall("15550100001"));
    }

    @Test
    void onlyAChallengeStatusWithAtLeastOneChallengeCanBeRemembered() {
        assertThrows(IllegalArgumentException.class, () -> new RememberedChallenges.Remembered(403, List.of(META)));
        assertThrows(IllegalArgumentException.class, () -> new RememberedChallenges.Remembered(407, List.of()));
        assertEquals("Authorization", new RememberedChallenges.Remembered(401, List.of(META)).headerName());
    }
}
