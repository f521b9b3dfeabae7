package org.wabridge.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.wabridge.config.ProblemAssertions.assertNoProblemAt;
import static org.wabridge.config.ProblemAssertions.assertProblem;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wabridge.config.Problem.Severity;

/** The {@code admin} and {@code callLog} sections: defaults, every key, checks, secrets kept out of toString. */
class OpsSettingsTest {

    private static BridgeConfig parse(String extra) throws ConfigException {
        return ConfigLoader.parse(ConfigValidatorTest.BASE + extra, "test.yaml", Map.of("DB_PW", "s3cr3t-db"));
    }

    private static List<Problem> validate(String extra) throws ConfigException {
        return ConfigValidator.validate(parse(extra), ConfigValidatorTest.NOW);
    }

    @Test
    void withoutTheSectionsTheDefaultsApply() throws ConfigException {
        BridgeConfig cfg = parse("");
        assertEquals(new AdminSettings(true, "127.0.0.1", 8088, null), cfg.admin());
        assertEquals(new CallLogSettings(true, "calls.db", null, Duration.ofDays(30), 10_000), cfg.callLog());
        assertEquals("jdbc:sqlite:calls.db", cfg.callLog().effectiveJdbcUrl());
        assertNoProblemAt(validate(""), "admin.host");
    }

    @Test
    void everyKeyIsRead() throws ConfigException {
        BridgeConfig cfg = parse("""
                admin: {enabled: false, host: 10.0.0.2, port: 9099, token: abcdefghijklmnopqrstuvwxyz}
                callLog:
                  enabled: false
                  file: /var/lib/wa-sip-bridge/calls.db
                  jdbcUrl: "jdbc:postgresql://192.0.2.7/wabridge?user=bridge&password=${DB_PW}"
                  retention: 7d
                  queueSize: 50
                """);
        assertEquals(new AdminSettings(false, "10.0.0.2", 9099, "abcdefghijklmnopqrstuvwxyz"), cfg.admin());
        CallLogSettings log = cfg.callLog();
        assertFalse(log.enabled());
        assertEquals("/var/lib/wa-sip-bridge/calls.db", log.file());
        assertEquals("jdbc:postgresql://192.0.2.7/wabridge?user=bridge&password=s3cr3t-db", log.jdbcUrl());
        assertEquals(log.jdbcUrl(), log.effectiveJdbcUrl());
        assertEquals(Duration.ofDays(7), log.retention());
        assertEquals(50, log.queueSize());
    }

    @Test
    void retentionAcceptsTheUsualDurationFormsToo() throws ConfigException {
        assertEquals(Duration.ofHours(12), parse("callLog: {retention: 12h}\n").callLog().retention());
        assertEquals(Duration.ofSeconds(90), parse("callLog: {retention: 90}\n").callLog().retention());
        ConfigException e = assertThrows(ConfigException.class, () -> parse("callLog: {retention: a month}\n"));
        assertProblem(e.problems(), Severity.ERROR, "callLog.retention", "'a month' is not a duration");
    }

    @Test
    void unknownKeysInTheNewSectionsAreNamed() {
        ConfigException e = assertThrows(ConfigException.class, () -> parse("admin: {tokn: x}\n"));
        Problem p = assertProblem(e.problems(), Severity.ERROR, "admin.tokn", "known keys under admin: enabled, host, port, token");
        assertTrue(p.fix().contains("did you mean 'token'"), p.fix());
    }

    @Test
    void secretsStayOutOfToString() throws ConfigException {
        BridgeConfig cfg = parse("""
                admin: {token: the-admin-token-123456}
                callLog: {jdbcUrl: "jdbc:postgresql://bridge:${DB_PW}@192.0.2.7/wabridge?password=${DB_PW}"}
                """);
        String text = cfg.admin() + " " + cfg.callLog() + " " + cfg.callLog().maskedJdbcUrl();
        assertFalse(text.contains("the-admin-token-123456"), text);
        assertFalse(text.contains("s3cr3t-db"), text);
        assertTrue(text.contains("token=****"), text);
        assertTrue(text.contains("password=****"), text);
    }

    @Test
    void adminListenerOutsideLoopbackWithoutTokenIsAWarning() throws ConfigException {
        assertProblem(validate("admin: {host: 10.0.0.2}\n"), Severity.WARNING, "admin.host", "without a token");
        assertNoProblemAt(validate("admin: {host: 10.0.0.2, token: abcdefghijklmnopqrstuvwxyz}\n"), "admin.host");
        assertProblem(validate("admin: {token: short}\n"), Severity.WARNING, "admin.token", "shorter than 16");
    }

    @Test
    void badAdminAndCallLogValuesAreErrors() throws ConfigException {
        List<Problem> problems = validate("""
                admin: {host: admin.example.com, port: 70000}
                callLog: {jdbcUrl: "postgresql://192.0.2.7/db?password=${DB_PW}", retention: 0s, queueSize: 0}
                """);
        assertProblem(problems, Severity.ERROR, "admin.port", "70000 is outside 1..65535");
        assertProblem(problems, Severity.ERROR, "admin.host", "'admin.example.com' is not an IP address");
        Problem url = assertProblem(problems, Severity.ERROR, "callLog.jdbcUrl", "is not a JDBC URL");
        assertFalse(url.message().contains("s3cr3t-db"), url.message());
        assertProblem(problems, Severity.ERROR, "callLog.retention", "must be positive");
        assertProblem(problems, Severity.ERROR, "callLog.queueSize", "would drop every call log write");
    }

    @Test
    void theCallLogSectionLoadsAloneWithoutTheOtherSectionsSecrets(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("bridge.yaml");
        Files.writeString(file, ConfigValidatorTest.BASE.replace("password: pw1", "password: \"${META_SIP_PASSWORD}\"")
                + "callLog: {file: /var/lib/wa-sip-bridge/calls.db, retention: 2d}\n");
        assertThrows(ConfigException.class, () -> ConfigLoader.load(file, Map.of()), "the full load needs the password");

        CallLogSettings log = ConfigLoader.loadCallLog(file, Map.of());
        assertEquals("/var/lib/wa-sip-bridge/calls.db", log.file());
        assertEquals(Duration.ofDays(2), log.retention());

        Files.writeString(file, "callLog: {jdbcUrl: \"${DB_URL}\"}\nsurprise: 1\n");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.loadCallLog(file, Map.of()));
        assertProblem(e.problems(), Severity.ERROR, "callLog.jdbcUrl", "DB_URL");
        assertProblem(e.problems(), Severity.ERROR, "surprise", "unknown key 'surprise'");
    }

    @Test
    void disabledSectionsAreNotChecked() throws ConfigException {
        List<Problem> problems = validate("admin: {enabled: false, port: 0}\ncallLog: {enabled: false, queueSize: 0}\n");
        assertNoProblemAt(problems, "admin.port");
        assertNoProblemAt(problems, "callLog.queueSize");
        assertNull(parse("").admin().token());
    }
}
