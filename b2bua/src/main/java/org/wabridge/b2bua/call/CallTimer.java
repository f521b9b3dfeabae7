package org.wabridge.b2bua.call;

/** The timers a call arms; each fires into the call's queue as {@link Input.TimerFired}. */
public enum CallTimer {
    /** The outbound leg sent nothing back (Meta: {@code meta.noResponseTimeout}; PBX: {@code pbx.noResponseTimeout}). */
    NO_RESPONSE,
    /** The PBX did not answer a user-initiated call in {@code pbx.answerTimeout}. */
    ANSWER
}
