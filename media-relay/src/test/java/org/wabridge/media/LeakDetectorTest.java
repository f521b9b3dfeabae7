package org.wabridge.media;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.util.ResourceLeakDetector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LeakDetectorTest {

    private final ResourceLeakDetector.Level before = ResourceLeakDetector.getLevel();

    @AfterEach
    void restore() {
        System.clearProperty("io.netty.leakDetection.level");
        ResourceLeakDetector.setLevel(before);
    }

    @Test
    void theRelayTurnsNettysLeakDetectorOff() {
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.SIMPLE);
        NettyMediaRelay.quietLeakDetector();
        assertEquals(ResourceLeakDetector.Level.DISABLED, ResourceLeakDetector.getLevel());
    }

    @Test
    void aLevelTheJvmNamesWins() {
        System.setProperty("io.netty.leakDetection.level", "paranoid");
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        NettyMediaRelay.quietLeakDetector();
        assertEquals(ResourceLeakDetector.Level.PARANOID, ResourceLeakDetector.getLevel());
    }
}
