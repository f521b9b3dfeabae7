package org.wabridge.sandbox;

import java.util.Locale;
import java.util.Optional;

/**
 * What the sandbox's "WhatsApp user" does with a business-initiated call, per called number (the
 * {@code sandbox.users} table). Each failure is one of Meta's documented SIP answers (troubleshooting guide,
 * business-initiated table), with Meta's phrase.
 */
public enum UserBehaviour {
    /** Rings, answers, talks (generated audio) until a side hangs up or media stops. */
    ANSWER("answer", 200, "OK", true),
    /** Rings, then declines. */
    DECLINE("decline", 486, "User declined the call", true),
    /** Rings and never answers: Meta ends the attempt with 480. */
    NO_ANSWER("no-answer", 480, "Temporarily Unavailable", false),
    /** The user gave no call permission (or is not on WhatsApp: Meta does not tell). */
    NO_PERMISSION("no-permission", 403, "No Approved Call Permission Found", true),
    /** Too many connected business-initiated calls to this user today. */
    DAILY_LIMIT("daily-limit", 403, "Business Initiated Connected Call Per Day Limit Hit", true),
    /** The WhatsApp client got no media. */
    RTP_TIMEOUT("rtp-timeout", 408, "RTP Timeout", true),
    /** Meta's generic internal error: retry later. */
    UNAVAILABLE("unavailable", 503, "Service Unavailable", false),
    /** One active call per business and user pair. */
    DUPLICATE_CALL("duplicate-call", 403, "Duplicate call", true),
    /** Meta refuses the offer's SDP. */
    SDP_INVALID("sdp-invalid", 403, "SDP Validation Error", true),
    /** The business has a payment problem. */
    PAYMENT_ISSUE("payment-issue", 403, "Business eligibility payment issue", true),
    /** The Meta app that configured the SIP server lacks the permission for the number (ids are the sandbox's). */
    APP_NOT_AUTHORIZED("app-not-authorized", 403, "The app 900000000000001 configured for SIP server wa-sandbox is not "
            + "authorized for phone number id " + EdgePolicy.PHONE_NUMBER_ID, true);

    private final String word;
    private final int status;
    private final String phrase;
    private final boolean warning;

    UserBehaviour(String word, int status, String phrase, boolean warning) {
        this.word = word;
        this.status = status;
        this.phrase = phrase;
        this.warning = warning;
    }

    /** The word used in the configuration, e.g. {@code no-permission}. */
    public String word() {
        return word;
    }

    /** Meta's final status for this behaviour (200 for {@link #ANSWER}). */
    public int status() {
        return status;
    }

    /** Meta's reason phrase. */
    public String phrase() {
        return phrase;
    }

    /** True when Meta adds {@code Warning: 399 wa.meta.vc "phrase"} (the lab's recorded answers do). */
    public boolean warning() {
        return warning;
    }

    /** True when Meta sends 180 before the final answer (the user's phone rings). */
    public boolean rings() {
        return this == ANSWER || this == DECLINE || this == NO_ANSWER || this == RTP_TIMEOUT;
    }

    public static Optional<UserBehaviour> fromWord(String word) {
        String w = word == null ? "" : word.trim().toLowerCase(Locale.ROOT);
        for (UserBehaviour b : values()) {
            if (b.word.equals(w)) {
                return Optional.of(b);
            }
        }
        return Optional.empty();
    }

    /** The accepted words, for error messages. */
    public static String words() {
        StringBuilder sb = new StringBuilder();
        for (UserBehaviour b : values()) {
            sb.append(sb.length() == 0 ? "" : ", ").append(b.word);
        }
        return sb.toString();
    }
}
