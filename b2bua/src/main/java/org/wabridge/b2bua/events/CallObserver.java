package org.wabridge.b2bua.events;

/**
 * What the call log, the metrics and captures learn about calls. Called on SIP and relay threads:
 * implementations must return quickly and never block (queue the work).
 */
public interface CallObserver {

    /** A call was accepted for processing (after source and number checks). */
    default void callStarted(CallStart start) {}

    /** A SIP message of a call went in or out on one leg. */
    default void sipMessage(SipMessageEvent message) {}

    /** Something else worth a line in the call's timeline (digest answered, media started, timeout...). */
    default void callEvent(CallEvent event) {}

    /** The call is over; all its resources are released. */
    default void callEnded(CallEnd end) {}

    /** Observes nothing. */
    CallObserver NONE = new CallObserver() {};
}
