package org.wabridge.media.ice;

import java.time.Duration;

/** What ICE tells its owner; called from inside the agent's methods, on the caller's thread. Must not block. */
public interface IceEvents {

    /** The nominated pair succeeded: media and DTLS may use {@code pair} from now on, and it never changes. */
    void completed(SelectedPair pair, Duration after);

    /** ICE did not complete (no pair nominated in time, or every pair failed); {@code reason} says what was seen. */
    void failed(String reason);

    /** RFC 7675: no authenticated answer to consent checks on the selected pair for {@code silentFor}: stop sending. */
    void consentLost(Duration silentFor);
}
