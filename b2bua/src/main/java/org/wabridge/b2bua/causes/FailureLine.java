package org.wabridge.b2bua.causes;

/** The one log line the bridge writes for every failed call. */
public final class FailureLine {
    private FailureLine() {}

    /**
     * E.g. {@code call failed: call-id=a84b4c76e66710 meta-call-id=wacid.HBgL... sip=480 "Temporarily Unavailable"
     * cause=meta.480.unavailable "WhatsApp user is not reachable or did not answer the call"; fix: Try messaging or
     * calling later. ...}: the catalog's description says what happened, so the admin needs no {@code bridge explain}
     * to read the line.
     *
     * @param callId     the bridge's Call-ID of the failed leg
     * @param metaCallId Meta's call id ({@code x-wa-meta-wacid}), null when unknown
     * @param code       the SIP status that ended the call
     * @param phrase     its reason phrase or Warning text, may be null
     * @param cause      the matched cause
     */
    public static String format(String callId, String metaCallId, int code, String phrase, MetaCause cause) {
        return "call failed: call-id=" + token(callId)
                + " meta-call-id=" + token(metaCallId)
                + " sip=" + code + " " + ReasonHeaders.quoted(phrase == null ? "" : phrase)
                + " cause=" + cause.id() + " " + ReasonHeaders.quoted(cause.description())
                + "; fix: " + oneLine(cause.firstSolution());
    }

    /** Ids come from the network: keep them to one word so the line stays parseable. */
    private static String token(String value) {
        if (value == null || value.isBlank()) {
            return "-";
        }
        return value.strip().replaceAll("[\\s\"]+", "_");
    }

    private static String oneLine(String text) {
        return text.replaceAll("[\\r\\n]+", " ").strip();
    }
}
