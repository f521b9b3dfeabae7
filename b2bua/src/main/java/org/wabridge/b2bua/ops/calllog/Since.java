package org.wabridge.b2bua.ops.calllog;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The start of a call list as an admin writes it: {@code 30m}, {@code 2h}, {@code 7d}, an ISO instant or a date. */
public final class Since {

    private static final Pattern RELATIVE = Pattern.compile("(\\d{1,6})([smhd])");

    private Since() {}

    /** @throws IllegalArgumentException naming the accepted forms */
    public static Instant parse(String text, Clock clock) {
        String t = text.trim();
        Matcher m = RELATIVE.matcher(t);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            Duration back = switch (m.group(2)) {
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
            return clock.instant().minus(back);
        }
        try {
            return Instant.parse(t);
        } catch (DateTimeParseException notAnInstant) {
            try {
                return LocalDate.parse(t).atStartOfDay(ZoneOffset.UTC).toInstant();
            } catch (DateTimeParseException notADate) {
                throw new IllegalArgumentException("'" + text + "' is not a time: write 30m, 2h or 7d (that long ago), "
                        + "an instant such as 2026-11-25T18:00:00Z, or a date such as 2026-11-25 (UTC)");
            }
        }
    }
}
