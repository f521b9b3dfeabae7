package org.wabridge.b2bua.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.Test;

class SandboxLabTest {

    private static IntSupplier candidates(int... ports) {
        AtomicInteger next = new AtomicInteger();
        return () -> ports[Math.min(next.getAndIncrement(), ports.length - 1)];
    }

    @Test
    void theMediaRangeHoldsNoneOfTheLabsOtherPorts() {
        // 41501 -> 41500..41599 holds the stand-in's 41555; 41300..41399 ends below the listener's 41400
        assertEquals(41300, SandboxLab.mediaBase(candidates(41501, 41300), List.of("41555", "41400", "not-a-port")));
        assertEquals(41500, SandboxLab.mediaBase(candidates(41500), Arrays.asList("41499", "41600", null)));
        assertEquals(60000, SandboxLab.mediaBase(candidates(60999), List.of("59999")), "capped below 60100");
    }

    @Test
    void noClearRangeIsAnErrorNotALoop() {
        assertThrows(IllegalStateException.class, () -> SandboxLab.mediaBase(candidates(41500), List.of("41550")));
    }
}
