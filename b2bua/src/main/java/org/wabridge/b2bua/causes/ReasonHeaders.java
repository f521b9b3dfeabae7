package org.wabridge.b2bua.causes;

import java.util.ArrayList;
import java.util.List;

/**
 * Values of the {@code Reason:} headers (RFC 3326) the bridge puts on its answer to the PBX.
 * Asterisk (HANGUPCAUSE) and FreeSWITCH (hangup_cause) take the call's cause from the Q.850 one;
 * the SIP one carries Meta's own status and text so the PBX log shows what Meta said.
 */
public final class ReasonHeaders {
    private ReasonHeaders() {}

    /**
     * @param answer       what the bridge answers the PBX
     * @param metaSipCode  Meta's status, or null when the failure did not come from Meta
     * @param metaPhrase   Meta's reason phrase (or Warning text); may be null
     * @return e.g. {@code Q.850;cause=21;text="CALL_REJECTED"} and
     *         {@code SIP;cause=403;text="No Approved Call Permission Found"}
     */
    public static List<String> forPbx(PbxAnswer answer, Integer metaSipCode, String metaPhrase) {
        List<String> values = new ArrayList<>(2);
        values.add("Q.850;cause=" + answer.q850Cause() + ";text=" + quoted(answer.q850Text()));
        if (metaSipCode != null) {
            String sip = "SIP;cause=" + metaSipCode;
            if (metaPhrase != null && !metaPhrase.isBlank()) {
                sip += ";text=" + quoted(metaPhrase);
            }
            values.add(sip);
        }
        return List.copyOf(values);
    }

    /** An RFC 3261 quoted-string: one line, backslash and double quote escaped, other controls dropped. */
    public static String quoted(String text) {
        StringBuilder out = new StringBuilder(text.length() + 2).append('"');
        boolean lastWasSpace = false;
        for (char c : text.strip().toCharArray()) {
            if (c == '\r' || c == '\n' || c == '\t') {
                if (!lastWasSpace) {
                    out.append(' ');
                }
                lastWasSpace = true;
                continue;
            }
            if (Character.isISOControl(c)) {
                continue;
            }
            if (c == '"' || c == '\\') {
                out.append('\\');
            }
            out.append(c);
            lastWasSpace = c == ' ';
        }
        return out.append('"').toString();
    }
}
