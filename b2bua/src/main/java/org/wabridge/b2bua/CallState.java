package org.wabridge.b2bua;

/** Where a call is. Transitions only go forward; ENDED is final. */
enum CallState {
    /** INVITE sent to the far leg, nothing heard back yet. */
    CALLING,
    /** The far leg sent a provisional response. */
    PROCEEDING,
    /** Both legs answered and acknowledged. */
    CONNECTED,
    /** Finished; all resources released. */
    ENDED
}
