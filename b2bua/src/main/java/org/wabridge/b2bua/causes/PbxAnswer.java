package org.wabridge.b2bua.causes;

/**
 * What the bridge answers the PBX for one failure cause: the final SIP response and the
 * {@code Reason: Q.850} cause that Asterisk (HANGUPCAUSE) and FreeSWITCH (hangup_cause) read.
 *
 * @param sipCode           final response status, 300..699
 * @param phrase            reason phrase of that response
 * @param q850Cause         ITU-T Q.850 cause value, 1..127
 * @param q850Text          the cause's name as Asterisk and FreeSWITCH print it, e.g. {@code CALL_REJECTED}
 * @param retryAfterSeconds value of a {@code Retry-After} header, or null for none
 */
public record PbxAnswer(int sipCode, String phrase, int q850Cause, String q850Text, Integer retryAfterSeconds) {

    public PbxAnswer {
        if (sipCode < 300 || sipCode > 699) {
            throw new IllegalArgumentException("PBX answer SIP code " + sipCode
                    + " is not a failure response; use a code from 300 to 699");
        }
        requireHeaderText("phrase", phrase);
        if (q850Cause < 1 || q850Cause > 127) {
            throw new IllegalArgumentException("Q.850 cause " + q850Cause + " is out of range; Q.850 causes are 1..127");
        }
        requireHeaderText("q850Text", q850Text);
        if (retryAfterSeconds != null && retryAfterSeconds <= 0) {
            throw new IllegalArgumentException("retryAfter must be a positive number of seconds, got " + retryAfterSeconds);
        }
    }

    private static void requireHeaderText(String field, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("PBX answer " + field + " must not be empty");
        }
        if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("PBX answer " + field + " must be a single line: " + value.strip());
        }
    }
}
