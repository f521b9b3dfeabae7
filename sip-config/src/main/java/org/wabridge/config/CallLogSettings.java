package org.wabridge.config;

import java.time.Duration;
import java.util.regex.Pattern;

/**
 * Where the bridge keeps its call log, and for how long.
 *
 * @param enabled   false keeps no call log
 * @param file      SQLite database file, used when {@code jdbcUrl} is not set; a relative path is relative to the
 *                  bridge's working directory
 * @param jdbcUrl   a JDBC URL (e.g. {@code jdbc:postgresql://db.example.com/wabridge?user=bridge&password=...})
 *                  that replaces the SQLite file; null = use {@code file}
 * @param retention calls that started longer ago than this are deleted
 * @param queueSize writes waiting for the database beyond this many are dropped (and counted), never waited for
 */
public record CallLogSettings(boolean enabled, String file, String jdbcUrl, Duration retention, int queueSize) {

    public static final String DEFAULT_FILE = "calls.db";
    public static final Duration DEFAULT_RETENTION = Duration.ofDays(30);
    public static final int DEFAULT_QUEUE_SIZE = 10_000;

    /** What a configuration without a {@code callLog} section gets. */
    public static final CallLogSettings DEFAULTS =
            new CallLogSettings(true, DEFAULT_FILE, null, DEFAULT_RETENTION, DEFAULT_QUEUE_SIZE);

    private static final Pattern URL_PASSWORD = Pattern.compile("(?i)(password=)[^&;]*");
    private static final Pattern URL_USER_INFO = Pattern.compile("(//[^/@:]*:)[^/@]*@");

    /** The JDBC URL to open: {@code jdbcUrl}, else SQLite on {@code file}. */
    public String effectiveJdbcUrl() {
        return jdbcUrl != null ? jdbcUrl : "jdbc:sqlite:" + file;
    }

    /** {@link #effectiveJdbcUrl()} with any password in it replaced, for logs and messages. */
    public String maskedJdbcUrl() {
        return maskUrl(effectiveJdbcUrl());
    }

    static String maskUrl(String url) {
        String s = URL_PASSWORD.matcher(url).replaceAll("$1****");
        return URL_USER_INFO.matcher(s).replaceAll("$1****@");
    }

    /** Never shows a password held in the JDBC URL. */
    @Override
    public String toString() {
        return "CallLogSettings[enabled=" + enabled + ", file=" + file + ", jdbcUrl="
                + (jdbcUrl == null ? null : maskUrl(jdbcUrl)) + ", retention=" + Durations.format(retention)
                + ", queueSize=" + queueSize + "]";
    }
}
