package org.wabridge.media;

import java.time.Duration;

/** What a media session tells the B2BUA. Called on relay threads: implementations must not block. */
public interface MediaEvents {

    /** A leg received nothing for {@code silentFor}: the call should end. */
    void mediaTimeout(Leg leg, Duration silentFor);
}
