package org.wabridge.config;

import java.util.Objects;

/**
 * One thing wrong (or risky) in a configuration, addressed to the admin who wrote it.
 *
 * @param severity ERROR stops the bridge from starting; WARNING is reported and tolerated
 * @param path     where in the YAML, e.g. {@code meta.numbers[1].password}
 * @param message  what is wrong, without a trailing period
 * @param fix      what to change, without a trailing period
 */
public record Problem(Severity severity, String path, String message, String fix) {

    public enum Severity { ERROR, WARNING }

    public Problem {
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(fix, "fix");
    }

    public static Problem error(String path, String message, String fix) {
        return new Problem(Severity.ERROR, path, message, fix);
    }

    public static Problem warning(String path, String message, String fix) {
        return new Problem(Severity.WARNING, path, message, fix);
    }

    public boolean isError() {
        return severity == Severity.ERROR;
    }

    @Override
    public String toString() {
        return severity + " " + path + ": " + message + ". Fix: " + fix;
    }
}
