package org.wabridge.media;

import java.time.Duration;
import org.wabridge.config.MediaSettings;
import org.wabridge.config.MediaSettings.MediaMode;

/** Media settings for tests: loopback, the documented defaults, a port range given by the test. */
public final class TestSettings {

    private TestSettings() {
    }

    public static MediaSettings loopback(int portMin, int portMax) {
        return new MediaSettings(MediaMode.RELAY, "127.0.0.1", "127.0.0.1", portMin, portMax, false,
                Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(30),
                Duration.ofSeconds(60), Duration.ofSeconds(120));
    }

    public static MediaSettings withG711(MediaSettings s) {
        return new MediaSettings(s.mode(), s.bindAddress(), s.publicAddress(), s.portMin(), s.portMax(), true,
                s.pbxSilenceFill(), s.prebuffer(), s.rtcpInterval(), s.metaSilenceTimeout(), s.pbxSilenceTimeout(),
                s.holdTimeout());
    }
}
