package org.wabridge.b2bua.call;

/**
 * Where a call is, from its two dialogs. The inbound leg is the one that called us (the PBX for a
 * business-initiated call, Meta for a user-initiated one); the outbound leg is the one we call.
 */
public enum CallState {
    /** Our INVITE is out on the outbound leg; nothing but perhaps 100 back yet. */
    OFFERING,
    /** The outbound leg challenged us; our authenticated INVITE is out (business-initiated only). */
    CHALLENGED,
    /** The outbound leg sent a provisional response: it may now be cancelled. */
    EARLY,
    /** The inbound leg gave up (CANCEL, shutdown) before the outbound leg sent a provisional: the CANCEL
     * waits for that provisional (RFC 3261 9.1), a final answer, or the no-response timer. */
    CANCELLING,
    /** Both legs answered; our 200 OK on the inbound leg awaits its ACK. Media flows. */
    ANSWERING,
    /** Both dialogs confirmed. */
    CONFIRMED,
    /** Finished: every resource released. Late answers are still acknowledged and hung up. */
    ENDED;

    /** Before the outbound leg answered: the inbound INVITE still waits for its final response. */
    boolean beforeAnswer() {
        return this == OFFERING || this == CHALLENGED || this == EARLY;
    }

    /** Both legs answered and not yet ended. */
    boolean answered() {
        return this == ANSWERING || this == CONFIRMED;
    }
}
