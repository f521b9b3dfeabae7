package org.wabridge.b2bua.ops;

import java.util.Locale;
import org.wabridge.b2bua.events.CallEnd;

/** How a call turned out, as the call log and the metrics count it. */
public enum CallOutcome {
    /** Started and not ended yet (or the bridge stopped before it could record the end). */
    IN_PROGRESS,
    /** Both legs answered. */
    CONNECTED,
    /** Never connected: refused by Meta, the PBX or the bridge, or timed out. */
    FAILED,
    /** The caller gave up before the answer (487 Request Terminated). */
    CANCELLED;

    private static final int REQUEST_TERMINATED = 487;

    public static CallOutcome of(CallEnd end) {
        if (end.connected()) {
            return CONNECTED;
        }
        return end.finalCode() == REQUEST_TERMINATED ? CANCELLED : FAILED;
    }

    /** The lower-case name used in the database, JSON and metric labels, e.g. {@code in-progress}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static CallOutcome fromLabel(String label) {
        for (CallOutcome o : values()) {
            if (o.label().equals(label)) {
                return o;
            }
        }
        throw new IllegalArgumentException("unknown call outcome '" + label + "'");
    }
}
