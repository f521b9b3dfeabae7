package org.wabridge.media;

import org.wabridge.config.SrtpKeyExchange;

/**
 * Anchors the media of calls. The B2BUA opens one {@link MediaSession} per call and closes it
 * when the call ends; the relay owns the sockets, SRTP contexts and timers behind it.
 */
public interface MediaRelay extends AutoCloseable {

    /**
     * Allocates the ports of a new call.
     *
     * @param callId  used in logs only
     * @param keying  what a business-initiated offer to Meta uses (the number's setting at Meta); a user-initiated
     *                call follows Meta's offer whatever this says
     * @param events  told about media timeouts and failures; called from a relay thread, must not block
     * @throws MediaException when no ports are free or sockets cannot be bound
     */
    MediaSession open(String callId, SrtpKeyExchange keying, MediaEvents events) throws MediaException;

    /** A call whose offers to Meta use SDES. */
    default MediaSession open(String callId, MediaEvents events) throws MediaException {
        return open(callId, SrtpKeyExchange.SDES, events);
    }

    /**
     * Sessions holding ports (for leak checks and metrics). {@link MediaSession#close()} releases ports
     * asynchronously, so a just-closed session counts until its ports are free.
     */
    int activeSessions();

    /** Calls transcoding Opus <-> G.711 now (slots of {@code media.maxTranscodedCalls} in use). */
    default int transcodedCalls() {
        return 0;
    }

    /** Packets the shared media ports dropped because no call's SDP names their sender (media.sharedPorts). */
    default long unmatchedSharedPackets() {
        return 0;
    }

    /**
     * Packets the relay dropped because the kernel refused to send them (a socket's send buffer full, a send
     * error): real-time media is dropped, not queued behind later packets.
     */
    default long unsentPackets() {
        return 0;
    }

    /** Closes every session and releases all threads and sockets. */
    @Override
    void close();
}
