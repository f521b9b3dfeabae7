package org.wabridge.media.srtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** RFC 3711 3.3.1's index estimate and 3.3.2's replay list. */
class ReplayWindowTest {

    private static long index(long roc, int seq) {
        return roc << 16 | seq;
    }

    @Test
    void theIndexFollowsTheSequenceNumberAcrossItsWrapBothWays() {
        assertEquals(40_000, ReplayWindow.estimateIndex(-1, 40_000), "the first packet starts rollover counter 0");
        assertEquals(index(0, 7), ReplayWindow.estimateIndex(index(0, 5), 7));
        assertEquals(index(1, 0), ReplayWindow.estimateIndex(index(0, 65_535), 0), "the wrap");
        assertEquals(index(3, 100), ReplayWindow.estimateIndex(index(2, 40_000), 100), "a jump past the wrap");
        assertEquals(index(0, 65_530), ReplayWindow.estimateIndex(index(1, 5), 65_530), "late, from before the wrap");
        assertEquals(index(2, 40_000), ReplayWindow.estimateIndex(index(2, 40_100), 40_000), "late, same counter");
        assertEquals(-1, ReplayWindow.estimateIndex(index(0, 5), 65_530), "from before the stream's first packet");
    }

    @Test
    void aPacketIsAcceptedOnceAndNothingOlderThanTheWindowIs() {
        ReplayWindow window = new ReplayWindow();
        assertFalse(window.isReplay(100));
        window.accept(100);
        assertTrue(window.isReplay(100), "the same packet again");
        assertFalse(window.isReplay(99), "late but not seen");
        window.accept(99);
        assertTrue(window.isReplay(99));

        window.accept(200); // 100 ahead: the whole window moves
        assertEquals(200, window.highest());
        assertFalse(window.isReplay(137), "63 behind: inside the window, not seen");
        assertTrue(window.isReplay(136), "64 behind: older than the window");
        window.accept(137);
        assertTrue(window.isReplay(137));
        assertFalse(window.isReplay(138));

        window.accept(201); // one ahead: 137 is now 64 behind, 138 63 behind and still unseen
        assertTrue(window.isReplay(137));
        assertFalse(window.isReplay(138));
        assertTrue(window.isReplay(200));
        assertTrue(window.isReplay(201));
        assertFalse(window.isReplay(202));
    }
}
