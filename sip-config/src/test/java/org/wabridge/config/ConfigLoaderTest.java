package org.wabridge.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.wabridge.config.ProblemAssertions.assertProblem;
import static org.wabridge.config.ProblemAssertions.dump;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wabridge.config.Problem.Severity;

class ConfigLoaderTest {

    private static final String MINIMAL = """
            pbx:
              allowedSources: ["10.0.0.5/32"]
            meta:
              sipServerHostname: sip.example.com
              numbers:
                - number: +15550100001
                  password: secret-1
            """;

    private static BridgeConfig parse(String yaml, Map<String, String> env) throws ConfigException {
        return ConfigLoader.parse(yaml, "test.yaml", env);
    }

    private static List<Problem> problemsOf(String yaml, Map<String, String> env) {
        ConfigException e = assertThrows(ConfigException.class, () -> parse(yaml, env));
        return e.problems();
    }

    @Test
    void minimalConfigGetsEveryDocumentedDefault() throws ConfigException {
        BridgeConfig cfg = parse(MINIMAL, Map.of());

        PbxSide pbx = cfg.pbx();
        assertEquals(List.of(new ListenPoint(Transport.UDP, "127.0.0.1", 5060), new ListenPoint(Transport.TCP, "127.0.0.1", 5060)),
                pbx.listen());
        assertEquals(List.of(Cidr.parse("10.0.0.5/32")), pbx.allowedSources());
        assertNull(pbx.target());
        assertEquals(List.of(), pbx.numberRules());
        assertEquals("+15550100001", pbx.defaultBusinessNumber(), "the only business number is the default");

        MetaSide meta = cfg.meta();
        assertEquals("sip:wa.meta.vc:5061;transport=tls", meta.edgeUri());
        assertNull(meta.edgeAddress());
        assertEquals("sip.example.com", meta.sipServerHostname());
        assertEquals("sip.example.com", meta.fromDomain());
        assertNull(meta.tlsTrust());
        assertEquals(new ListenPoint(Transport.TLS, "0.0.0.0", 5061), meta.listen());
        assertEquals("sip.example.com", meta.publicHost());
        assertEquals(5061, meta.publicPort());
        assertNull(meta.tlsCertificate());
        assertNull(meta.tlsKey());
        assertEquals(List.of(new BusinessNumber("+15550100001", "secret-1", null)), meta.numbers());
        assertEquals(Duration.ofSeconds(10), meta.noResponseTimeout());

        MediaSettings media = cfg.media();
        assertEquals(MediaSettings.MediaMode.RELAY, media.mode());
        assertEquals("0.0.0.0", media.bindAddress());
        assertEquals("0.0.0.0", media.publicAddress());
        assertEquals(20000, media.portMin());
        assertEquals(29999, media.portMax());
        assertFalse(media.g711EnabledAtMeta());
        assertEquals(Duration.ofSeconds(1), media.pbxSilenceFill());
        assertEquals(Duration.ofSeconds(2), media.prebuffer());
        assertEquals(Duration.ofSeconds(5), media.rtcpInterval());
        assertEquals(Duration.ofSeconds(30), media.metaSilenceTimeout());
        assertEquals(Duration.ofSeconds(60), media.pbxSilenceTimeout());
        assertEquals(Duration.ofHours(1), media.holdTimeout());
        assertEquals(MediaSettings.DEFAULT_MAX_TRANSCODED_CALLS, media.maxTranscodedCalls());

        assertEquals(new Limits(1000, 0), cfg.limits());
    }

    @Test
    void theOnlyBusinessNumberIsTheDefaultForPbxCallsFromOtherNumbers() throws ConfigException {
        assertEquals("+15550100001", parse(MINIMAL, Map.of()).pbx().defaultBusinessNumber());

        String two = MINIMAL + "    - number: +15550100002\n      password: secret-2\n";
        assertNull(parse(two, Map.of()).pbx().defaultBusinessNumber(), "two numbers: the PBX's From must choose");
        assertEquals("+15550100002", parse(two.replace("pbx:\n", "pbx:\n  defaultBusinessNumber: \"+15550100002\"\n"),
                Map.of()).pbx().defaultBusinessNumber());
        // An explicit default is kept even when it is not the only number (the validator refuses it).
        assertEquals("+15550100009", parse(MINIMAL.replace("pbx:\n", "pbx:\n  defaultBusinessNumber: \"+15550100009\"\n"),
                Map.of()).pbx().defaultBusinessNumber());
    }

    @Test
    void derivedDefaultsFollowTheValuesTheyDependOn() throws ConfigException {
        BridgeConfig cfg = parse(MINIMAL.replace("meta:\n", "meta:\n  listen: {port: 5071}\n")
                + "media:\n  bindAddress: 192.0.2.7\n", Map.of());
        assertEquals(new ListenPoint(Transport.TLS, "0.0.0.0", 5071), cfg.meta().listen());
        assertEquals(5071, cfg.meta().publicPort());
        assertEquals("192.0.2.7", cfg.media().publicAddress());
    }

    @Test
    void everyKeyIsRead() throws ConfigException {
        String yaml = """
                pbx:
                  listen: [{transport: tcp, host: 10.0.0.2, port: 5070}]
                  allowedSources: ["10.0.0.0/24", "2001:db8::/48"]
                  target: sip:10.0.0.5:5060
                  numberRules: [{prefix: "00", replacement: "+"}, {prefix: 0, replacement: "+44"}]
                  defaultBusinessNumber: "+15550100001"
                meta:
                  edgeUri: sip:edge.example.test:5061;transport=tls
                  edgeAddress: 127.0.0.1
                  sipServerHostname: bar.foo.com
                  fromDomain: foo.com
                  tlsTrust: ca.pem
                  listen: {transport: tls, host: 0.0.0.0, port: 5062}
                  publicHost: public.foo.com
                  publicPort: 5063
                  tlsCertificate: cert.pem
                  tlsKey: key.pem
                  numbers: [{number: "+15550100001", password: pw, pbxTarget: "sip:sales@10.0.0.5", srtpKeyExchange: sdes}]
                  noResponseTimeout: 1500ms
                media:
                  mode: PassThrough
                  bindAddress: 10.0.0.2
                  publicAddress: 203.0.113.10
                  portMin: 40000
                  portMax: 40999
                  g711EnabledAtMeta: yes
                  pbxSilenceFill: 500ms
                  prebuffer: 3
                  rtcpInterval: 4s
                  metaSilenceTimeout: 2m
                  pbxSilenceTimeout: 90s
                  holdTimeout: 2h
                  maxTranscodedCalls: 6
                  ioEngine: io_uring
                  sharedPorts: true
                limits:
                  maxCallsPerNumber: 50
                  dailyCallsPerUserPair: 20
                """;
        BridgeConfig cfg = parse(yaml, Map.of());
        assertEquals(new PbxSide(List.of(new ListenPoint(Transport.TCP, "10.0.0.2", 5070)),
                List.of(Cidr.parse("10.0.0.0/24"), Cidr.parse("2001:db8::/48")), "sip:10.0.0.5:5060",
                List.of(new NumberRule("00", "+"), new NumberRule("0", "+44")), "+15550100001",
                Duration.ofSeconds(5), Duration.ofSeconds(60)), cfg.pbx());
        assertEquals(new MetaSide("sip:edge.example.test:5061;transport=tls", "127.0.0.1", "bar.foo.com", "foo.com", "ca.pem",
                new ListenPoint(Transport.TLS, "0.0.0.0", 5062), "public.foo.com", 5063, "cert.pem", "key.pem",
                List.of(new BusinessNumber("+15550100001", "pw", "sip:sales@10.0.0.5", SrtpKeyExchange.SDES)),
                Duration.ofMillis(1500),
                MetaSide.META_NETWORKS.stream().map(Cidr::parse).toList(), 407), cfg.meta());
        assertEquals(new MediaSettings(MediaSettings.MediaMode.PASSTHROUGH, "10.0.0.2", "203.0.113.10", 40000, 40999, true,
                Duration.ofMillis(500), Duration.ofSeconds(3), Duration.ofSeconds(4), Duration.ofMinutes(2),
                Duration.ofSeconds(90), Duration.ofHours(2), 6, MediaSettings.IoEngine.IO_URING, true), cfg.media());
        assertEquals(new Limits(50, 20), cfg.limits());
    }

    @Test
    void sharedMediaPortsAreOffUnlessChosen() throws ConfigException {
        assertEquals(false, parse(MINIMAL, Map.of()).media().sharedPorts());
        assertEquals(true, parse(MINIMAL + "media:\n  sharedPorts: true\n", Map.of()).media().sharedPorts());
    }

    @Test
    void theRelaysIoEngineIsEpollUnlessIoUringIsChosen() throws ConfigException {
        assertEquals(MediaSettings.IoEngine.EPOLL, parse(MINIMAL, Map.of()).media().ioEngine());
        assertEquals(MediaSettings.IoEngine.IO_URING,
                parse(MINIMAL + "media:\n  ioEngine: IO_URING\n", Map.of()).media().ioEngine());
        ConfigException e = assertThrows(ConfigException.class,
                () -> parse(MINIMAL + "media:\n  ioEngine: kqueue\n", Map.of()));
        assertProblem(e.problems(), Severity.ERROR, "media.ioEngine", "'kqueue' is not one of epoll, io_uring");
    }

    @Test
    void unquotedNumbersAndPrefixesKeepTheirExactText() throws ConfigException {
        BridgeConfig cfg = parse(MINIMAL + "  \n", Map.of());
        assertEquals("+15550100001", cfg.meta().numbers().get(0).number());
        cfg = parse(MINIMAL.replace("pbx:\n", "pbx:\n  numberRules: [{prefix: 0044, replacement: +44}]\n"), Map.of());
        assertEquals(new NumberRule("0044", "+44"), cfg.pbx().numberRules().get(0));
    }

    // ---------------------------------------------------------------- environment

    @Test
    void environmentVariablesAreInterpolatedBeforeTyping() throws ConfigException {
        String yaml = MINIMAL.replace("password: secret-1", "password: \"${SIP_PW}\"")
                + "media:\n  portMin: \"${MIN:-30000}\"\n  portMax: \"${MAX:-30999}\"\n  rtcpInterval: \"${RTCP}\"\n";
        BridgeConfig cfg = parse(yaml, Map.of("SIP_PW", "from-env", "MAX", "31999", "RTCP", "3s"));
        assertEquals("from-env", cfg.meta().numbers().get(0).password());
        assertEquals(30000, cfg.media().portMin(), "unset variable takes its default");
        assertEquals(31999, cfg.media().portMax(), "set variable wins over the default");
        assertEquals(Duration.ofSeconds(3), cfg.media().rtcpInterval());
    }

    @Test
    void interpolationHandlesEmbeddedReferencesEmptyValuesAndDollarEscapes() throws ConfigException {
        String yaml = MINIMAL.replace("password: secret-1", "password: \"pa$$word-${SUFFIX}\"")
                .replace("pbx:\n", "pbx:\n  target: \"sip:${PBX_HOST:-127.0.0.1}:${PBX_PORT:-5090}\"\n")
                + "limits:\n  maxCallsPerNumber: \"${EMPTY:-7}\"\n";
        BridgeConfig cfg = parse(yaml, Map.of("SUFFIX", "x", "PBX_PORT", "5099", "EMPTY", ""));
        assertEquals("pa$word-x", cfg.meta().numbers().get(0).password());
        assertEquals("sip:127.0.0.1:5099", cfg.pbx().target());
        assertEquals(7, cfg.limits().maxCallsPerNumber(), "':-' applies to an empty variable too");
    }

    @Test
    void missingVariableNamesTheVariableAndTheKeyPath() {
        String yaml = MINIMAL.replace("password: secret-1", "password: \"${META_SIP_PASSWORD}\"");
        List<Problem> problems = problemsOf(yaml, Map.of());
        Problem p = assertProblem(problems, Severity.ERROR, "meta.numbers[0].password",
                "environment variable META_SIP_PASSWORD is not set", "test.yaml line 7");
        assertTrue(p.fix().contains("${META_SIP_PASSWORD:-value}"), p.fix());
        assertEquals(1, problems.size(), dump(problems));
    }

    @Test
    void emptyVariableWithoutDefaultIsAnError() {
        List<Problem> problems = problemsOf(MINIMAL.replace("sip.example.com", "${HOST}"), Map.of("HOST", ""));
        assertProblem(problems, Severity.ERROR, "meta.sipServerHostname", "HOST is set but empty");
    }

    @Test
    void malformedReferencesAreReported() {
        List<Problem> problems = problemsOf(MINIMAL.replace("secret-1", "\"${OPEN\"")
                .replace("sip.example.com", "\"${1BAD}\""), Map.of());
        assertProblem(problems, Severity.ERROR, "meta.numbers[0].password", "without a closing '}'");
        assertProblem(problems, Severity.ERROR, "meta.sipServerHostname", "'${1BAD}' does not name an environment variable");
    }

    // ---------------------------------------------------------------- errors with paths

    @Test
    void unknownKeyIsReportedWithItsPathAndTheKnownKeys() {
        List<Problem> problems = problemsOf(MINIMAL.replace("sipServerHostname", "sipServerHostnam"), Map.of());
        Problem p = assertProblem(problems, Severity.ERROR, "meta.sipServerHostnam", "unknown key 'sipServerHostnam'",
                "known keys under meta: edgeUri, edgeAddress, sipServerHostname");
        assertTrue(p.fix().contains("did you mean 'sipServerHostname'"), p.fix());
    }

    @Test
    void unknownKeysAreFoundInListItemsAndAtTheTopLevel() {
        List<Problem> problems = problemsOf(MINIMAL.replace("password:", "pasword:") + "limit:\n  x: 1\n", Map.of());
        assertProblem(problems, Severity.ERROR, "meta.numbers[0].pasword", "known keys under meta.numbers[0]: number, password, pbxTarget");
        assertProblem(problems, Severity.ERROR, "limit", "known keys at the top level: pbx, meta, media, limits");
    }

    @Test
    void badDurationNamesTheKeyAndTheAcceptedForms() {
        List<Problem> problems = problemsOf(MINIMAL + "media:\n  rtcpInterval: 5 seconds\n", Map.of());
        Problem p = assertProblem(problems, Severity.ERROR, "media.rtcpInterval", "'5 seconds' is not a duration");
        assertTrue(p.fix().contains("500ms, 30s, 5m or 1h"), p.fix());
    }

    @Test
    void badPortIsReportedAtTheListenPoint() {
        String yaml = MINIMAL.replace("pbx:\n", "pbx:\n  listen: [{transport: udp, port: 5o60}, {transport: sctp, port: 5060}]\n");
        List<Problem> problems = problemsOf(yaml, Map.of());
        assertProblem(problems, Severity.ERROR, "pbx.listen[0].port", "'5o60' is not a whole number");
        assertProblem(problems, Severity.ERROR, "pbx.listen[1].transport", "'sctp' is not one of udp, tcp, tls");
    }

    @Test
    void listenPointOfThePbxNeedsATransport() {
        List<Problem> problems = problemsOf(MINIMAL.replace("pbx:\n", "pbx:\n  listen: [{port: 5060}]\n"), Map.of());
        assertProblem(problems, Severity.ERROR, "pbx.listen[0].transport", "required");
    }

    @Test
    void badCidrIsReportedWithItsIndexAndNeverResolvedAsAName() {
        String yaml = MINIMAL.replace("[\"10.0.0.5/32\"]", "[\"10.0.0.5/32\", \"10.0.0.300/8\", cafe, \"10.0.0.0/33\"]");
        List<Problem> problems = problemsOf(yaml, Map.of());
        assertProblem(problems, Severity.ERROR, "pbx.allowedSources[1]", "'10.0.0.300/8' is not an IP network");
        assertProblem(problems, Severity.ERROR, "pbx.allowedSources[2]", "'cafe' is not an IP network");
        assertProblem(problems, Severity.ERROR, "pbx.allowedSources[3]", "prefix length outside 0..32");
    }

    @Test
    void allProblemsAreReportedTogether() {
        String yaml = """
                pbx:
                  listen: {transport: udp}
                meta:
                  numbers: []
                  noResponseTimeout: soon
                media:
                  mode: bridge
                  portMin: low
                limits:
                  maxCallsPerNumber: many
                """;
        ConfigException e = assertThrows(ConfigException.class, () -> parse(yaml, Map.of()));
        List<Problem> problems = e.problems();
        assertProblem(problems, Severity.ERROR, "pbx.listen", "expected a list, found a map");
        assertProblem(problems, Severity.ERROR, "pbx.allowedSources", "required");
        assertProblem(problems, Severity.ERROR, "meta.sipServerHostname", "required");
        assertProblem(problems, Severity.ERROR, "meta.numbers", "at least one business number");
        assertProblem(problems, Severity.ERROR, "meta.noResponseTimeout", "'soon' is not a duration");
        assertProblem(problems, Severity.ERROR, "media.mode", "'bridge' is not one of relay, passthrough");
        assertProblem(problems, Severity.ERROR, "media.portMin", "'low' is not a whole number");
        assertProblem(problems, Severity.ERROR, "limits.maxCallsPerNumber", "'many' is not a whole number");
        assertEquals(8, problems.size(), dump(problems));
        assertTrue(e.getMessage().startsWith("8 problems in test.yaml:"), e.getMessage());
        assertTrue(e.getMessage().contains("ERROR media.mode: 'bridge' is not one of relay, passthrough"), e.getMessage());
    }

    @Test
    void emptyDocumentNamesEveryRequiredKey() {
        List<Problem> problems = problemsOf("", Map.of());
        assertProblem(problems, Severity.ERROR, "pbx.allowedSources", "required");
        assertProblem(problems, Severity.ERROR, "meta.sipServerHostname", "required");
        assertProblem(problems, Severity.ERROR, "meta.numbers", "required");
        assertEquals(3, problems.size(), dump(problems));
    }

    @Test
    void numberEntryWithoutNumberIsAnError() {
        List<Problem> problems = problemsOf(MINIMAL.replace("- number: +15550100001\n      password", "- password"),
                Map.of());
        assertProblem(problems, Severity.ERROR, "meta.numbers[0].number", "required");
    }

    @Test
    void srtpKeyExchangeDefaultsToDtlsAsAtMeta() throws ConfigException {
        assertEquals(SrtpKeyExchange.DTLS, parse(MINIMAL, Map.of()).meta().numbers().get(0).srtpKeyExchange());
    }

    @Test
    void srtpKeyExchangeIsReadPerNumberWhateverItsCase() throws ConfigException {
        for (String value : List.of("SDES", "sdes", "Sdes")) {
            assertEquals(SrtpKeyExchange.SDES, keyingOf(value), value);
        }
        for (String value : List.of("DTLS", "dtls")) {
            assertEquals(SrtpKeyExchange.DTLS, keyingOf(value), value);
        }
        BridgeConfig two = parse(MINIMAL + """
                    - {number: "+15550100002", password: secret-2, srtpKeyExchange: SDES}
                """, Map.of());
        assertEquals(List.of(SrtpKeyExchange.DTLS, SrtpKeyExchange.SDES),
                two.meta().numbers().stream().map(BusinessNumber::srtpKeyExchange).toList());
    }

    @Test
    void srtpKeyExchangeOtherThanDtlsOrSdesIsAnErrorListingTheAllowedValues() {
        List<Problem> problems = problemsOf(MINIMAL + "      srtpKeyExchange: ZRTP\n", Map.of());
        Problem p = assertProblem(problems, Severity.ERROR, "meta.numbers[0].srtpKeyExchange", "'ZRTP'", "dtls, sdes",
                "test.yaml line 8");
        assertTrue(p.fix().contains("dtls") && p.fix().contains("sdes"), p.toString());
        assertEquals(1, problems.size(), dump(problems));
    }

    private static SrtpKeyExchange keyingOf(String value) throws ConfigException {
        return parse(MINIMAL + "      srtpKeyExchange: " + value + "\n", Map.of()).meta().numbers().get(0).srtpKeyExchange();
    }

    @Test
    void duplicateKeysAreErrors() {
        List<Problem> problems = problemsOf(MINIMAL + "media:\n  portMin: 20000\n  portMin: 30000\n", Map.of());
        assertProblem(problems, Severity.ERROR, "media.portMin", "appears twice");
    }

    @Test
    void wrongShapeIsReportedWithoutEchoingTheValue() {
        List<Problem> problems = problemsOf(MINIMAL.replace("password: secret-1", "password: [hunter2]"), Map.of());
        Problem p = assertProblem(problems, Severity.ERROR, "meta.numbers[0].password", "expected a single value, found a list");
        assertFalse(p.toString().contains("hunter2"));
    }

    @Test
    void yamlSyntaxErrorGivesThePositionButNotTheLineText() {
        String yaml = MINIMAL.replace("password: secret-1", "password: s3cret: x");
        ConfigException e = assertThrows(ConfigException.class, () -> parse(yaml, Map.of()));
        Problem p = assertProblem(e.problems(), Severity.ERROR, "test.yaml", "not valid YAML", "line 7");
        assertFalse(e.getMessage().contains("s3cret"), e.getMessage());
        assertFalse(p.toString().contains("s3cret"));
    }

    @Test
    void loadReadsAFileAndReportsAMissingOne(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("bridge.yaml");
        Files.writeString(file, MINIMAL);
        assertEquals("sip.example.com", ConfigLoader.load(file, Map.of()).meta().sipServerHostname());

        Path missing = dir.resolve("nope.yaml");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(missing, Map.of()));
        assertProblem(e.problems(), Severity.ERROR, missing.toString(), "cannot read the configuration file");
    }

    @Test
    void problemPrintsSeverityPathMessageAndFix() {
        assertEquals("ERROR meta.fromDomain: it is wrong. Fix: set it right",
                Problem.error("meta.fromDomain", "it is wrong", "set it right").toString());
        assertEquals("WARNING media.mode: lab only. Fix: use relay",
                Problem.warning("media.mode", "lab only", "use relay").toString());
    }

    @Test
    void passwordsNeverAppearInToString() throws ConfigException {
        BridgeConfig cfg = parse(MINIMAL, Map.of());
        assertFalse(cfg.toString().contains("secret-1"), cfg.toString());
    }

    // ---------------------------------------------------------------- examples

    @Test
    void labExampleLoadsWithItsDefaults() throws ConfigException {
        BridgeConfig cfg = ConfigLoader.load(Path.of("examples/lab.yaml"), Map.of());
        assertEquals(List.of(new ListenPoint(Transport.UDP, "127.0.0.1", 5060), new ListenPoint(Transport.TCP, "127.0.0.1", 5060)),
                cfg.pbx().listen());
        assertEquals(List.of(Cidr.parse("127.0.0.0/8")), cfg.pbx().allowedSources());
        assertEquals("sip:127.0.0.1:5090", cfg.pbx().target());
        assertEquals("sip:wa.meta.vc:5061;transport=tls", cfg.meta().edgeUri());
        assertEquals("127.0.0.1", cfg.meta().edgeAddress());
        assertEquals("lab/certs/edge-ca.pem", cfg.meta().tlsTrust());
        assertEquals("bridge.example.test", cfg.meta().sipServerHostname());
        assertEquals("bridge.example.test", cfg.meta().fromDomain());
        assertEquals(new ListenPoint(Transport.TLS, "127.0.0.1", 5062), cfg.meta().listen());
        assertEquals(5062, cfg.meta().publicPort());
        assertEquals("lab/certs/bridge.pem", cfg.meta().tlsCertificate());
        assertEquals("lab/certs/bridge.key", cfg.meta().tlsKey());
        // The lab's SIPp and baresip peers speak SDES only.
        assertEquals(List.of(new BusinessNumber("+15550100001", "lab-secret", null, SrtpKeyExchange.SDES)),
                cfg.meta().numbers());
        assertEquals(30000, cfg.media().portMin());
        assertEquals(30999, cfg.media().portMax());
        assertEquals("127.0.0.1", cfg.media().publicAddress());
        // The lab's state stays under lab/ (git-ignored): never calls.db in the repository root.
        assertEquals("lab/calls.db", cfg.callLog().file());
        assertEquals("lab/captures", cfg.capture().dir());
    }

    @Test
    void labExampleTakesEveryValueFromTheEnvironment() throws ConfigException {
        Map<String, String> env = Map.ofEntries(
                Map.entry("PBX_LISTEN_PORT", "6060"), Map.entry("PBX_TARGET", "sip:127.0.0.1:6090"),
                Map.entry("META_EDGE", "sip:127.0.0.1:6061;transport=tcp"), Map.entry("META_EDGE_ADDRESS", "127.0.0.2"),
                Map.entry("META_TLS_TRUST", "/tmp/ca.pem"), Map.entry("META_DOMAIN", "b.example.test"),
                Map.entry("META_LISTEN_PORT", "6062"), Map.entry("META_TLS_CERT", "/tmp/b.pem"),
                Map.entry("META_TLS_KEY", "/tmp/b.key"), Map.entry("BUSINESS_NUMBER", "+15550100009"),
                Map.entry("META_SIP_PASSWORD", "pw9"), Map.entry("MEDIA_PORT_MIN", "40000"),
                Map.entry("MEDIA_PORT_MAX", "40999"), Map.entry("CALL_LOG_FILE", "/tmp/lab/calls.db"),
                Map.entry("CAPTURE_DIR", "/tmp/lab/captures"), Map.entry("SRTP_KEY_EXCHANGE", "DTLS"));
        BridgeConfig cfg = ConfigLoader.load(Path.of("examples/lab.yaml"), env);
        assertEquals(List.of(new ListenPoint(Transport.UDP, "127.0.0.1", 6060), new ListenPoint(Transport.TCP, "127.0.0.1", 6060)),
                cfg.pbx().listen());
        assertEquals(new MetaSide("sip:127.0.0.1:6061;transport=tcp", "127.0.0.2", "b.example.test", "b.example.test",
                        "/tmp/ca.pem", new ListenPoint(Transport.TLS, "127.0.0.1", 6062), "127.0.0.1", 6062,
                        "/tmp/b.pem", "/tmp/b.key", List.of(new BusinessNumber("+15550100009", "pw9", null, SrtpKeyExchange.DTLS)),
                        Duration.ofSeconds(10), List.of(Cidr.parse("127.0.0.0/8")), 407),
                cfg.meta());
        assertEquals("sip:127.0.0.1:6090", cfg.pbx().target());
        assertEquals("+15550100009", cfg.pbx().defaultBusinessNumber());
        assertEquals("/tmp/lab/calls.db", cfg.callLog().file());
        assertEquals("/tmp/lab/captures", cfg.capture().dir());
        assertEquals(40000, cfg.media().portMin());
        assertEquals(40999, cfg.media().portMax());
    }

    @Test
    void productionExampleLoadsWithItsSecretsFromTheEnvironment() throws ConfigException {
        Map<String, String> env = Map.of("WA_SIP_PASSWORD_SUPPORT", "pw-support", "WA_SIP_PASSWORD_SALES", "pw-sales");
        BridgeConfig cfg = ConfigLoader.load(Path.of("examples/production.yaml"), env);
        assertEquals(List.of(new BusinessNumber("+15550100001", "pw-support", null, SrtpKeyExchange.DTLS),
                new BusinessNumber("+15550100002", "pw-sales", "sip:sales@10.0.0.5:5060")), cfg.meta().numbers());
        assertNull(cfg.meta().edgeAddress(), "an empty key means the default");
        assertNull(cfg.meta().tlsTrust());
        assertEquals("203.0.113.10", cfg.media().publicAddress());

        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigLoader.load(Path.of("examples/production.yaml"), Map.of()));
        assertProblem(e.problems(), Severity.ERROR, "meta.numbers[0].password", "WA_SIP_PASSWORD_SUPPORT is not set");
        assertProblem(e.problems(), Severity.ERROR, "meta.numbers[1].password", "WA_SIP_PASSWORD_SALES is not set");
    }

    @Test
    void causeOverridesAreReadAsPlainValuesWithEnvironmentInterpolation() throws Exception {
        String yaml = """
                pbx: {allowedSources: ["127.0.0.0/8"]}
                meta:
                  sipServerHostname: sip.example.test
                  numbers: [{number: "+15550100001", password: pw}]
                causes:
                  overrides:
                    meta.503: {sip: 503, phrase: "Try later", q850: 34, q850Text: NORMAL_CIRCUIT_CONGESTION, retryAfter: "${RETRY}"}
                """;
        BridgeConfig cfg = parse(yaml, Map.of("RETRY", "120"));
        assertEquals(Map.of("meta.503", Map.of("sip", 503, "phrase", "Try later", "q850", 34,
                "q850Text", "NORMAL_CIRCUIT_CONGESTION", "retryAfter", 120)), cfg.causeOverrides());
        assertEquals(Map.of(), parse(yaml.substring(0, yaml.indexOf("causes:")), Map.of()).causeOverrides());
    }

    @Test
    void inboundChallengeAlgorithmIsMd5UnlessSetToSha256OrBoth() throws ConfigException {
        assertEquals("MD5", parse(MINIMAL, Map.of()).meta().inboundChallengeAlgorithm());
        String with = MINIMAL.replace("  sipServerHostname: sip.example.com\n",
                "  sipServerHostname: sip.example.com\n  inboundChallengeAlgorithm: %s\n");
        assertEquals("SHA-256", parse(with.formatted("sha-256"), Map.of()).meta().inboundChallengeAlgorithm());
        assertEquals("both", parse(with.formatted("BOTH"), Map.of()).meta().inboundChallengeAlgorithm());
        assertProblem(problemsOf(with.formatted("SHA-512"), Map.of()), Severity.ERROR,
                "meta.inboundChallengeAlgorithm", "must be MD5, SHA-256 or both (got 'SHA-512')");
    }
}
