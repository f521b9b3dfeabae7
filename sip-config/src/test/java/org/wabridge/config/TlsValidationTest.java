package org.wabridge.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.wabridge.config.ConfigValidatorTest.validate;
import static org.wabridge.config.ProblemAssertions.assertNoProblemAt;
import static org.wabridge.config.ProblemAssertions.assertNoProblems;
import static org.wabridge.config.ProblemAssertions.assertProblem;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wabridge.config.Problem.Severity;

/** TLS listener and trust-file checks against certificates generated with openssl at test time. */
class TlsValidationTest {

    private static final String HOST = "sip.example.test";

    @TempDir
    static Path dir;

    @BeforeAll
    static void generateCertificates() throws Exception {
        selfSigned("good", "ec", 365, "/CN=" + HOST, "subjectAltName=DNS:" + HOST);
        selfSigned("other", "ec", 365, "/CN=other.example.test", "subjectAltName=DNS:other.example.test");
        selfSigned("soon", "ec", 5, "/CN=" + HOST, "subjectAltName=DNS:" + HOST);
        selfSigned("wildcard", "ec", 365, "/CN=*.example.test", "subjectAltName=DNS:*.example.test");
        selfSigned("cnonly", "ec", 365, "/CN=" + HOST, null);
        selfSigned("withip", "ec", 365, "/CN=" + HOST, "subjectAltName=DNS:" + HOST + ",IP:192.0.2.10");
        selfSigned("rsa", "rsa", 365, "/CN=" + HOST, "subjectAltName=DNS:" + HOST);
        openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "rsa2.key");

        // A private CA and leaves it signed: what a real (non-self-signed) deployment looks like.
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "ca.key",
                "-out", "ca.pem", "-days", "365", "-subj", "/CN=Test CA",
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
        signedLeaf("leaf", HOST);
        // Like scripts/lab/certs.sh: the lab's Contact host is 127.0.0.1, so the certificate carries that IP too.
        signedLeaf("labbridge", "bridge.example.test", ",IP:127.0.0.1");

        openssl("pkey", "-in", "good.key", "-traditional", "-out", "legacy.key");
        openssl("pkcs8", "-topk8", "-in", "good.key", "-passout", "pass:test-only", "-out", "encrypted.key");
    }

    private static void selfSigned(String name, String keyType, int days, String subject, String san) throws Exception {
        List<String> args = new ArrayList<>(List.of("req", "-x509", "-newkey",
                keyType.equals("rsa") ? "rsa:2048" : "ec", "-nodes", "-keyout", name + ".key", "-out", name + ".pem",
                "-days", Integer.toString(days), "-subj", subject));
        if (keyType.equals("ec")) {
            args.addAll(4, List.of("-pkeyopt", "ec_paramgen_curve:P-256"));
        }
        if (san != null) {
            args.addAll(List.of("-addext", san));
        }
        openssl(args.toArray(String[]::new));
    }

    private static void signedLeaf(String name, String host) throws Exception {
        signedLeaf(name, host, "");
    }

    private static void signedLeaf(String name, String host, String extraSan) throws Exception {
        openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", name + ".key",
                "-out", name + ".csr", "-subj", "/CN=" + host, "-addext", "subjectAltName=DNS:" + host + extraSan);
        openssl("x509", "-req", "-in", name + ".csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                "-days", "90", "-copy_extensions", "copy", "-out", name + ".pem");
        Files.writeString(dir.resolve(name + "-fullchain.pem"),
                Files.readString(dir.resolve(name + ".pem")) + Files.readString(dir.resolve("ca.pem")));
    }

    private static void openssl(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add("openssl");
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, process.waitFor(), () -> String.join(" ", command) + " failed:\n" + output);
    }

    private static String file(String name) {
        return dir.resolve(name).toString();
    }

    private static X509Certificate certificate(String name) throws Exception {
        try (InputStream in = Files.newInputStream(dir.resolve(name))) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }

    /** BASE switched to a TLS listener reachable by Meta, with the given certificate and key files. */
    private static List<Problem> tls(Clock clock, String cert, String key, Object... more) {
        List<Object> args = new ArrayList<>(List.of(
                "meta.listen", Map.of("transport", "tls", "host", "0.0.0.0", "port", 5061),
                "meta.tlsCertificate", file(cert), "meta.tlsKey", file(key)));
        args.addAll(List.of(more));
        return validate(clock, args.toArray());
    }

    private static List<Problem> tls(String cert, String key, Object... more) {
        return tls(Clock.systemUTC(), cert, key, more);
    }

    @Test
    void caSignedFullChainWithItsKeyHasNoProblems() {
        assertNoProblems(tls("leaf-fullchain.pem", "leaf.key"));
    }

    @Test
    void certificateAndKeyAreRequiredForATlsListener() {
        List<Problem> problems = validate("meta.listen", Map.of("transport", "tls", "host", "0.0.0.0", "port", 5061));
        assertProblem(problems, Severity.ERROR, "meta.tlsCertificate", "not set, but meta.listen uses TLS");
        assertProblem(problems, Severity.ERROR, "meta.tlsKey", "not set, but meta.listen uses TLS");
    }

    @Test
    void missingFilesAreErrorsNamingTheFile() {
        List<Problem> problems = tls("missing.pem", "missing.key");
        assertProblem(problems, Severity.ERROR, "meta.tlsCertificate", file("missing.pem") + " does not exist");
        assertProblem(problems, Severity.ERROR, "meta.tlsKey", file("missing.key") + " does not exist");
    }

    @Test
    void certificateForAnotherNameIsAnError() {
        Problem p = assertProblem(tls("other.pem", "other.key"), Severity.ERROR, "meta.tlsCertificate",
                "is for [other.example.test] and does not cover 'sip.example.test'",
                "Meta validates your certificate against the configured hostname");
        assertTrue(p.fix().contains("DNS:sip.example.test"), p.fix());
    }

    @Test
    void publicHostMustBeCoveredToo() {
        assertProblem(tls("leaf-fullchain.pem", "leaf.key", "meta.publicHost", "public.example.test"), Severity.ERROR,
                "meta.tlsCertificate", "does not cover 'public.example.test' (meta.publicHost)");
    }

    @Test
    void wildcardCoversExactlyOneLabel() {
        assertNoProblemAt(ConfigValidatorTest.validate("meta.listen", Map.of("transport", "tls", "host", "127.0.0.1", "port", 5061),
                "meta.tlsCertificate", file("wildcard.pem"), "meta.tlsKey", file("wildcard.key")), "meta.tlsCertificate");
        assertProblem(tls("wildcard.pem", "wildcard.key", "meta.sipServerHostname", "a.sip.example.test"), Severity.ERROR,
                "meta.tlsCertificate", "does not cover 'a.sip.example.test'");
        assertProblem(tls("wildcard.pem", "wildcard.key", "meta.sipServerHostname", "example.test"), Severity.ERROR,
                "meta.tlsCertificate", "does not cover 'example.test'");
    }

    @Test
    void ipPublicHostIsMatchedAgainstIpEntries() {
        assertNoProblemAt(tls("withip.pem", "withip.key", "meta.publicHost", "192.0.2.10").stream()
                .filter(Problem::isError).toList(), "meta.tlsCertificate");
        assertProblem(tls("withip.pem", "withip.key", "meta.publicHost", "192.0.2.11"), Severity.ERROR,
                "meta.tlsCertificate", "is for [sip.example.test, 192.0.2.10] and does not cover '192.0.2.11'");
    }

    @Test
    void commonNameCountsOnlyWithoutSubjectAltName() {
        List<Problem> problems = tls("cnonly.pem", "cnonly.key");
        assertNoProblemAt(problems.stream().filter(Problem::isError).toList(), "meta.tlsCertificate");
        assertProblem(tls("cnonly.pem", "cnonly.key", "meta.sipServerHostname", "other.example.test"), Severity.ERROR,
                "meta.tlsCertificate", "is for [sip.example.test] and does not cover 'other.example.test'");
    }

    @Test
    void certificateExpiringWithinTwoWeeksIsAWarningWithTheDate() throws Exception {
        Instant notAfter = certificate("soon.pem").getNotAfter().toInstant();
        Clock fiveDaysBefore = Clock.fixed(notAfter.minus(Duration.ofDays(5)), ZoneOffset.UTC);
        String date = java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(ZoneOffset.UTC).format(notAfter);
        assertProblem(tls(fiveDaysBefore, "soon.pem", "soon.key"), Severity.WARNING, "meta.tlsCertificate",
                "expires on " + date + " UTC (in 5 days)");
        Clock fifteenDaysBefore = Clock.fixed(notAfter.minus(Duration.ofDays(15)), ZoneOffset.UTC);
        assertNoProblems(tls(fifteenDaysBefore, "leaf-fullchain.pem", "leaf.key").stream()
                .filter(p -> p.message().contains("expires")).toList());
    }

    @Test
    void expiredCertificateIsAnError() throws Exception {
        Instant notAfter = certificate("good.pem").getNotAfter().toInstant();
        assertProblem(tls(Clock.fixed(notAfter.plus(Duration.ofDays(1)), ZoneOffset.UTC), "good.pem", "good.key"),
                Severity.ERROR, "meta.tlsCertificate", "expired on", "Meta refuses the TLS connection");
    }

    @Test
    void notYetValidCertificateIsAnError() throws Exception {
        Instant notBefore = certificate("good.pem").getNotBefore().toInstant();
        assertProblem(tls(Clock.fixed(notBefore.minus(Duration.ofDays(1)), ZoneOffset.UTC), "good.pem", "good.key"),
                Severity.ERROR, "meta.tlsCertificate", "is not valid before");
    }

    @Test
    void selfSignedIsAWarningUnlessTheListenerIsLoopbackOnly() {
        assertProblem(tls("good.pem", "good.key"), Severity.WARNING, "meta.tlsCertificate",
                "is self-signed; Meta requires a publicly trusted certificate");
        assertNoProblems(validate("meta.listen", Map.of("transport", "tls", "host", "127.0.0.1", "port", 5061),
                "meta.tlsCertificate", file("good.pem"), "meta.tlsKey", file("good.key")));
    }

    @Test
    void chainInTheWrongOrderIsAnError() throws IOException {
        Files.writeString(dir.resolve("reversed.pem"),
                Files.readString(dir.resolve("ca.pem")) + Files.readString(dir.resolve("leaf.pem")));
        assertProblem(tls("reversed.pem", "leaf.key"), Severity.ERROR, "meta.tlsCertificate",
                "is a CA certificate (CN=Test CA); the server certificate must come first");
    }

    @Test
    void legacyEncryptedKeyWithPemHeadersIsRecognised() throws Exception {
        openssl("genrsa", "-traditional", "-aes128", "-passout", "pass:test-only", "-out", "legacy-encrypted.key", "2048");
        assertTrue(Files.readString(dir.resolve("legacy-encrypted.key")).contains("Proc-Type: 4,ENCRYPTED"));
        assertProblem(tls("rsa.pem", "legacy-encrypted.key"), Severity.ERROR, "meta.tlsKey", "legacy 'RSA PRIVATE KEY' format");
    }

    @Test
    void leafWithoutItsChainIsAWarning() {
        assertProblem(tls("leaf.pem", "leaf.key"), Severity.WARNING, "meta.tlsCertificate",
                "without the intermediate CA certificates");
    }

    @Test
    void keyOfAnotherCertificateIsAnError() {
        assertProblem(tls("good.pem", "other.key"), Severity.ERROR, "meta.tlsKey",
                "does not belong to the certificate in meta.tlsCertificate");
        assertProblem(tls("rsa.pem", "rsa2.key"), Severity.ERROR, "meta.tlsKey",
                "does not belong to the certificate in meta.tlsCertificate");
        assertProblem(tls("rsa.pem", "good.key"), Severity.ERROR, "meta.tlsKey", "is not a RSA private key");
    }

    @Test
    void matchingRsaKeyIsAccepted() {
        assertNoProblemAt(tls("rsa.pem", "rsa.key"), "meta.tlsKey");
    }

    @Test
    void legacyAndEncryptedKeysAreErrorsWithTheConversionCommand() {
        Problem legacy = assertProblem(tls("good.pem", "legacy.key"), Severity.ERROR, "meta.tlsKey",
                "legacy 'EC PRIVATE KEY' format");
        assertTrue(legacy.fix().startsWith("convert it: openssl pkcs8 -topk8 -nocrypt"), legacy.fix());
        assertProblem(tls("good.pem", "encrypted.key"), Severity.ERROR, "meta.tlsKey", "encrypted with a passphrase");
    }

    @Test
    void keyFileGivenAsCertificateIsAnError() {
        assertProblem(tls("good.key", "good.key"), Severity.ERROR, "meta.tlsCertificate", "holds no PEM certificate");
        assertProblem(tls("good.pem", "good.pem"), Severity.ERROR, "meta.tlsKey", "holds no PEM private key");
    }

    @Test
    void trustFileMustHoldACertificate() {
        assertNoProblemAt(validate("meta.tlsTrust", file("ca.pem")), "meta.tlsTrust");
        assertProblem(validate("meta.tlsTrust", file("ca.key")), Severity.ERROR, "meta.tlsTrust", "holds no PEM certificate");
        assertProblem(validate("meta.tlsTrust", file("nope.pem")), Severity.ERROR, "meta.tlsTrust", "does not exist");
    }

    @Test
    void secretsNeverAppearInProblems() throws Exception {
        String keyText = Files.readString(dir.resolve("other.key"));
        String base64Line = keyText.lines().filter(l -> !l.startsWith("-----")).findFirst().orElseThrow();
        for (Problem p : tls("good.pem", "other.key")) {
            assertFalse(p.toString().contains(base64Line), p.toString());
        }
    }

    @Test
    void labExampleIsCleanWithLabCertificates() throws ConfigException {
        BridgeConfig cfg = ConfigLoader.load(Path.of("examples/lab.yaml"), Map.of(
                "META_TLS_CERT", file("labbridge.pem"), "META_TLS_KEY", file("labbridge.key"),
                "META_TLS_TRUST", file("ca.pem")));
        assertNoProblems(ConfigValidator.validate(cfg, Clock.systemUTC()));
    }
}
