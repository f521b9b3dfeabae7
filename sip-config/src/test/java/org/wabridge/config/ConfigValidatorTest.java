package org.wabridge.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.wabridge.config.ProblemAssertions.assertNoProblemAt;
import static org.wabridge.config.ProblemAssertions.assertNoProblems;
import static org.wabridge.config.ProblemAssertions.assertProblem;
import static org.wabridge.config.ProblemAssertions.dump;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.wabridge.config.Problem.Severity;
import org.yaml.snakeyaml.Yaml;

/** Pre-flight rules other than the TLS files (see {@link TlsValidationTest}). */
class ConfigValidatorTest {

    /** A configuration that passes every check: each test changes one thing. */
    static final String BASE = """
            pbx:
              allowedSources: ["10.0.0.5/32"]
              target: "sip:10.0.0.5:5060"
            meta:
              sipServerHostname: sip.example.test
              listen: {transport: tcp, host: 127.0.0.1, port: 5062}
              numbers:
                - {number: "+15550100001", password: pw1}
            media:
              publicAddress: 192.0.2.10
            """;

    static final Clock NOW = Clock.systemUTC();

    /** BASE with {@code path, value} pairs applied (a null value removes the key), loaded and validated. */
    static List<Problem> validate(Clock clock, Object... pathsAndValues) {
        try {
            return ConfigValidator.validate(load(pathsAndValues), clock);
        } catch (ConfigException e) {
            throw new AssertionError("the test configuration does not load: " + e.getMessage(), e);
        }
    }

    static List<Problem> validate(Object... pathsAndValues) {
        return validate(NOW, pathsAndValues);
    }

    static BridgeConfig load(Object... pathsAndValues) throws ConfigException {
        Yaml yaml = new Yaml();
        Map<String, Object> root = yaml.load(BASE);
        for (int i = 0; i < pathsAndValues.length; i += 2) {
            set(root, (String) pathsAndValues[i], pathsAndValues[i + 1]);
        }
        return ConfigLoader.parse(yaml.dump(root), "test.yaml", Map.of());
    }

    @SuppressWarnings("unchecked")
    private static void set(Map<String, Object> root, String path, Object value) {
        String[] parts = path.split("\\.");
        Object node = root;
        for (int i = 0; i < parts.length; i++) {
            String part = parts[i];
            int bracket = part.indexOf('[');
            String key = bracket < 0 ? part : part.substring(0, bracket);
            Map<String, Object> map = (Map<String, Object>) node;
            boolean last = i == parts.length - 1;
            if (bracket < 0) {
                if (last) {
                    if (value == null) {
                        map.remove(key);
                    } else {
                        map.put(key, value);
                    }
                    return;
                }
                node = map.computeIfAbsent(key, k -> new LinkedHashMap<String, Object>());
            } else {
                int index = Integer.parseInt(part.substring(bracket + 1, part.length() - 1));
                List<Object> list = (List<Object>) map.computeIfAbsent(key, k -> new ArrayList<>());
                while (list.size() <= index) {
                    list.add(new LinkedHashMap<String, Object>());
                }
                if (last) {
                    list.set(index, value);
                    return;
                }
                node = list.get(index);
            }
        }
    }

    @Test
    void baseConfigurationHasNoProblems() {
        assertNoProblems(validate());
    }

    @Nested
    class MetaListener {
        @Test
        void defaultsAreValidAndDocumentedValues() throws ConfigException {
            MetaListenerLimits limits = load().meta().listenerLimits();
            assertEquals(new MetaListenerLimits(256, 32, java.time.Duration.ofHours(2)), limits);
            assertNoProblemAt(validate(), "meta.tlsMaxConnections");
        }

        @Test
        void keysAreRead() throws ConfigException {
            MetaListenerLimits limits = load("meta.tlsMaxConnections", 10, "meta.tlsMaxConnectionsPerSource", 3,
                    "meta.tlsIdleTimeout", "30m").meta().listenerLimits();
            assertEquals(new MetaListenerLimits(10, 3, java.time.Duration.ofMinutes(30)), limits);
        }

        @Test
        void capsMustBePositiveAndConsistent() {
            assertProblem(validate("meta.tlsMaxConnections", 0), Severity.ERROR, "meta.tlsMaxConnections",
                    "must be at least 1 (got 0)");
            assertProblem(validate("meta.tlsMaxConnectionsPerSource", -1), Severity.ERROR,
                    "meta.tlsMaxConnectionsPerSource", "must be at least 1 (got -1)");
            assertProblem(validate("meta.tlsMaxConnections", 4, "meta.tlsMaxConnectionsPerSource", 5), Severity.ERROR,
                    "meta.tlsMaxConnectionsPerSource", "more than meta.tlsMaxConnections (4)");
        }

        @Test
        void idleTimeoutMustBePositiveAndAShortOneIsFlagged() {
            assertProblem(validate("meta.tlsIdleTimeout", "0s"), Severity.ERROR, "meta.tlsIdleTimeout", "must be positive");
            assertProblem(validate("meta.tlsIdleTimeout", "1m"), Severity.WARNING, "meta.tlsIdleTimeout", "is short");
            assertNoProblemAt(validate("meta.tlsIdleTimeout", "10m"), "meta.tlsIdleTimeout");
        }
    }

    @Nested
    class EdgeUri {
        @Test
        void defaultEdgeIsAccepted() {
            assertNoProblemAt(validate("meta.edgeUri", "sip:wa.meta.vc:5061;transport=tls"), "meta.edgeUri");
        }

        @Test
        void sipsSchemeIsAnError() {
            Problem p = assertProblem(validate("meta.edgeUri", "sips:wa.meta.vc:5061"), Severity.ERROR, "meta.edgeUri",
                    "uses the sips: scheme", "Meta answers 404");
            assertTrue(p.fix().contains(";transport=tls"), p.fix());
        }

        @Test
        void publicIpHostIsAnError() {
            Problem p = assertProblem(validate("meta.edgeUri", "sip:157.240.0.10:5061;transport=tls"), Severity.ERROR,
                    "meta.edgeUri", "has an IP address as host", "404");
            assertTrue(p.fix().contains("meta.edgeAddress"), p.fix());
        }

        @Test
        void loopbackIpHostIsOnlyAWarning() {
            List<Problem> problems = validate("meta.edgeUri", "sip:127.0.0.1:5061;transport=tls");
            assertProblem(problems, Severity.WARNING, "meta.edgeUri", "loopback IP", "404");
            assertFalse(ConfigValidator.hasErrors(problems), dump(problems));
        }

        @Test
        void ipv6HostIsAnErrorToo() {
            assertProblem(validate("meta.edgeUri", "sip:[2a03:2880::1]:5061;transport=tls"), Severity.ERROR, "meta.edgeUri",
                    "has an IP address as host");
        }

        @Test
        void transportOtherThanTlsIsAWarning() {
            assertProblem(validate("meta.edgeUri", "sip:wa.meta.vc:5060;transport=tcp"), Severity.WARNING, "meta.edgeUri",
                    "uses transport tcp", "Meta requires TLS");
            assertTrue(validate("meta.edgeUri", "sip:wa.meta.vc:5061").stream().noneMatch(p -> p.path().equals("meta.edgeUri")),
                    "no transport parameter means TLS toward the edge: nothing to warn about");
            assertTrue(validate("meta.edgeUri", "sips:wa.meta.vc").stream()
                            .noneMatch(p -> p.message().contains("Meta requires TLS")),
                    "sips: is already an error; no second, wrong transport warning");
        }

        @Test
        void loopbackLabEdgeMayUseTcp() {
            List<Problem> problems = validate("meta.edgeUri", "sip:localhost:5070;transport=tcp");
            assertNoProblemAt(problems, "meta.edgeUri");
        }

        @Test
        void malformedUrisAreErrors() {
            assertProblem(validate("meta.edgeUri", "wa.meta.vc:5061"), Severity.ERROR, "meta.edgeUri",
                    "not a SIP URI", "does not start with sip:");
            assertProblem(validate("meta.edgeUri", "sip:wa.meta.vc:99999;transport=tls"), Severity.ERROR, "meta.edgeUri",
                    "invalid port '99999'");
            assertProblem(validate("meta.edgeUri", "sip:+15550100001@wa.meta.vc;transport=tls"), Severity.ERROR,
                    "meta.edgeUri", "has a user part");
        }

        @Test
        void edgeAddressMustBeAnAddressOrName() {
            assertNoProblemAt(validate("meta.edgeAddress", "157.240.0.10"), "meta.edgeAddress");
            assertProblem(validate("meta.edgeAddress", "157.240.0.10:5061"), Severity.ERROR, "meta.edgeAddress",
                    "neither an IP address nor a host name");
        }
    }

    @Nested
    class FromDomain {
        @Test
        void equalOrParentDomainIsAccepted() {
            assertNoProblemAt(validate("meta.fromDomain", "sip.example.test"), "meta.fromDomain");
            assertNoProblemAt(validate("meta.fromDomain", "example.test"), "meta.fromDomain");
            assertNoProblemAt(validate("meta.fromDomain", "Example.Test."), "meta.fromDomain");
        }

        @Test
        void unrelatedDomainCitesMetas403() {
            Problem p = assertProblem(validate("meta.fromDomain", "other.test"), Severity.ERROR, "meta.fromDomain",
                    "From domain 'other.test' is neither sipServerHostname 'sip.example.test' nor a parent domain",
                    "403 \"SIP server other.test from INVITE does not match any SIP server configured");
            assertTrue(p.fix().contains("set fromDomain to sip.example.test"), p.fix());
        }

        @Test
        void suffixThatIsNotAWholeLabelIsNotAParent() {
            assertProblem(validate("meta.fromDomain", "ample.test"), Severity.ERROR, "meta.fromDomain", "nor a parent domain");
        }

        @Test
        void subdomainOfTheHostnameIsNotAccepted() {
            assertProblem(validate("meta.fromDomain", "a.sip.example.test"), Severity.ERROR, "meta.fromDomain",
                    "nor a parent domain");
        }

        @Test
        void ipAsSipServerHostnameIsAWarning() {
            assertProblem(validate("meta.sipServerHostname", "192.0.2.20"), Severity.WARNING, "meta.sipServerHostname",
                    "is an IP address");
        }

        @Test
        void invalidHostnameIsAnError() {
            assertProblem(validate("meta.sipServerHostname", "sip_example.test"), Severity.ERROR, "meta.sipServerHostname",
                    "not a valid host name");
        }
    }

    @Nested
    class BusinessNumbers {
        @Test
        void missingPlusIsAnErrorThatShowsTheNormalisedForm() {
            Problem p = assertProblem(validate("meta.numbers[0].number", "15550100001"), Severity.ERROR,
                    "meta.numbers[0].number", "'15550100001' is not a normalised E.164 number");
            assertEquals("write it as +15550100001", p.fix());
        }

        @Test
        void separatorsAreAnErrorThatShowsTheNormalisedForm() {
            Problem p = assertProblem(validate("meta.numbers[0].number", "+1 (555) 010-0001"), Severity.ERROR,
                    "meta.numbers[0].number", "not a normalised E.164 number");
            assertEquals("write it as +15550100001", p.fix());
        }

        @Test
        void leadingZeroOrWrongLengthIsAnError() {
            Problem p = assertProblem(validate("meta.numbers[0].number", "+05550100001"), Severity.ERROR,
                    "meta.numbers[0].number", "the first not 0");
            assertTrue(p.fix().contains("full international number"), p.fix());
            assertProblem(validate("meta.numbers[0].number", "+1555010"), Severity.ERROR, "meta.numbers[0].number", "8 to 15");
            assertProblem(validate("meta.numbers[0].number", "+1234567890123456"), Severity.ERROR, "meta.numbers[0].number",
                    "8 to 15");
        }

        @Test
        void duplicateNumbersAreAnError() {
            List<Problem> problems = validate("meta.numbers[1]", Map.of("number", "+15550100001", "password", "pw2"));
            assertProblem(problems, Severity.ERROR, "meta.numbers[1].number",
                    "+15550100001 is configured twice (also meta.numbers[0])");
        }

        @Test
        void missingPasswordIsAnError() {
            Problem p = assertProblem(validate("meta.numbers[0].password", null), Severity.ERROR, "meta.numbers[0].password",
                    "SIP password for +15550100001 is missing", "403");
            assertTrue(p.fix().contains("include_sip_credentials=true"), p.fix());
        }

        @Test
        void passwordWithAnUnresolvedPlaceholderIsAnErrorThatDoesNotShowIt() {
            // "$$" is the escape for a literal dollar, so the loaded password is "${SECRET_NAME}".
            List<Problem> problems = validate("meta.numbers[0].password", "$${SECRET_NAME}");
            Problem p = assertProblem(problems, Severity.ERROR, "meta.numbers[0].password", "unresolved '${' placeholder");
            assertFalse(p.toString().contains("SECRET_NAME"), p.toString());
        }

        @Test
        void defaultBusinessNumberMustBeE164AndConfigured() {
            assertNoProblemAt(validate("pbx.defaultBusinessNumber", "+15550100001"), "pbx.defaultBusinessNumber");
            assertProblem(validate("pbx.defaultBusinessNumber", "+15550100099"), Severity.ERROR, "pbx.defaultBusinessNumber",
                    "is not one of meta.numbers");
            Problem p = assertProblem(validate("pbx.defaultBusinessNumber", "1-555-010-0001"), Severity.ERROR,
                    "pbx.defaultBusinessNumber", "not a normalised E.164 number");
            assertEquals("write it as +15550100001", p.fix());
        }

        @Test
        void theOnlyNumberAsImplicitDefaultIsCheckedOnceWhereItIsWritten() {
            List<Problem> problems = validate("meta.numbers[0].number", "1-555-010-0001");
            assertProblem(problems, Severity.ERROR, "meta.numbers[0].number", "not a normalised E.164 number");
            assertNoProblemAt(problems, "pbx.defaultBusinessNumber");
        }
    }

    @Nested
    class PbxSideRules {
        @Test
        void targetsMustBeSipUris() {
            assertProblem(validate("pbx.target", "http://10.0.0.5"), Severity.ERROR, "pbx.target", "not a SIP URI");
            assertProblem(validate("meta.numbers[0].pbxTarget", "sips:sales@10.0.0.5"), Severity.ERROR,
                    "meta.numbers[0].pbxTarget", "uses sips:");
            assertNoProblemAt(validate("meta.numbers[0].pbxTarget", "sip:sales@10.0.0.5:5070;transport=tcp"),
                    "meta.numbers[0].pbxTarget");
        }

        @Test
        void noTargetForSomeNumberIsAWarning() {
            assertProblem(validate("pbx.target", null), Severity.WARNING, "pbx.target", "calls from WhatsApp users");
            assertNoProblemAt(validate("pbx.target", null, "meta.numbers[0].pbxTarget", "sip:10.0.0.5"), "pbx.target");
        }

        @Test
        void emptyAllowedSourcesIsAnError() {
            assertProblem(validate("pbx.allowedSources", List.of()), Severity.ERROR, "pbx.allowedSources", "empty");
        }

        @Test
        void everythingNetworksAreWarnings() {
            List<Problem> problems = validate("pbx.allowedSources", List.of("10.0.0.5/32", "0.0.0.0/0", "::/0"));
            assertProblem(problems, Severity.WARNING, "pbx.allowedSources[1]", "0.0.0.0/0 admits every address");
            assertProblem(problems, Severity.WARNING, "pbx.allowedSources[2]", "::/0 admits every address");
            assertNoProblemAt(problems, "pbx.allowedSources[0]");
        }

        @Test
        void emptyRulePrefixIsAnError() throws ConfigException {
            // The loader already refuses an empty prefix; this covers configurations built in code.
            BridgeConfig cfg = load();
            PbxSide pbx = cfg.pbx();
            BridgeConfig withRule = new BridgeConfig(new PbxSide(pbx.listen(), pbx.allowedSources(), pbx.target(),
                    List.of(new NumberRule("", "+")), null, pbx.noResponseTimeout(), pbx.answerTimeout()),
                    cfg.meta(), cfg.media(), cfg.limits(), cfg.causeOverrides());
            assertProblem(ConfigValidator.validate(withRule, NOW), Severity.ERROR, "pbx.numberRules[0].prefix", "empty prefix");
        }
    }

    @Nested
    class Sockets {
        @Test
        void portsOutsideTheValidRangeAreErrors() {
            assertProblem(validate("meta.listen.port", 0), Severity.ERROR, "meta.listen.port", "port 0 is outside 1..65535");
            assertProblem(validate("pbx.listen", List.of(Map.of("transport", "udp", "port", 70000))), Severity.ERROR,
                    "pbx.listen[0].port", "port 70000 is outside 1..65535");
            assertProblem(validate("meta.publicPort", 65536), Severity.ERROR, "meta.publicPort", "outside 1..65535");
        }

        @Test
        void sameTransportHostAndPortTwiceIsAnError() {
            List<Problem> problems = validate("pbx.listen", List.of(
                    Map.of("transport", "udp", "host", "127.0.0.1", "port", 5060),
                    Map.of("transport", "udp", "host", "127.0.0.1", "port", 5060)));
            assertProblem(problems, Severity.ERROR, "pbx.listen[1]", "both need UDP port 5060");
        }

        @Test
        void udpAndTcpMayShareAPort() {
            assertNoProblems(validate("pbx.listen", List.of(
                    Map.of("transport", "udp", "host", "127.0.0.1", "port", 5060),
                    Map.of("transport", "tcp", "host", "127.0.0.1", "port", 5060))));
        }

        @Test
        void streamListenersOnOverlappingAddressesClash() {
            List<Problem> problems = validate(
                    "pbx.listen", List.of(Map.of("transport", "tcp", "host", "0.0.0.0", "port", 5062)));
            assertProblem(problems, Severity.ERROR, "meta.listen", "both need TCP port 5062");
        }

        @Test
        void nonTlsMetaListenerReachableFromOutsideIsAWarning() {
            assertProblem(validate("meta.listen", Map.of("transport", "tcp", "host", "0.0.0.0", "port", 5062)),
                    Severity.WARNING, "meta.listen.transport", "only over TLS");
        }

        @Test
        void listenHostMustBeAnAddress() {
            assertProblem(validate("meta.listen", Map.of("transport", "tcp", "host", "sip.example.test", "port", 5062)),
                    Severity.ERROR, "meta.listen.host", "not an IP address to bind to");
        }
    }

    @Nested
    class Media {
        @Test
        void portRangeRules() {
            assertProblem(validate("media.portMin", 20001), Severity.ERROR, "media.portMin", "is odd");
            assertProblem(validate("media.portMin", 80), Severity.ERROR, "media.portMin", "outside 1024..65535");
            assertProblem(validate("media.portMax", 70000), Severity.ERROR, "media.portMax", "outside 1024..65535");
            assertProblem(validate("media.portMin", 30000, "media.portMax", 29999), Severity.ERROR, "media.portMax",
                    "portMax 29999 is not above portMin 30000");
        }

        @Test
        void smallRangeWarnsWithTheCallsItSupports() {
            Problem p = assertProblem(validate("media.portMin", 20000, "media.portMax", 20399), Severity.WARNING,
                    "media.portMax", "support 100 concurrent calls", "1000 x 1 numbers = 1000");
            assertTrue(p.fix().contains("at least 4000 ports"), p.fix());
            assertNoProblemAt(validate("media.portMin", 20000, "media.portMax", 20399, "limits.maxCallsPerNumber", 100),
                    "media.portMax");
        }

        @Test
        void passthroughIsAWarning() {
            assertProblem(validate("media.mode", "passthrough"), Severity.WARNING, "media.mode", "labs only");
        }

        @Test
        void wildcardOrNamedPublicAddressIsAnError() {
            assertProblem(validate("media.publicAddress", null), Severity.ERROR, "media.publicAddress",
                    "advertise 0.0.0.0 in SDP");
            assertProblem(validate("media.publicAddress", "media.example.test"), Severity.ERROR, "media.publicAddress",
                    "not an IP address");
        }

        @Test
        void dtlsNumbersSayThatPublicAddressIsTheirIceHostCandidate() {
            assertProblem(validate("media.publicAddress", "0.0.0.0"), Severity.ERROR, "media.publicAddress",
                    "advertise 0.0.0.0 in SDP", "ICE host candidate of the DTLS-keyed numbers");
            assertProblem(validate("media.publicAddress", "::"), Severity.ERROR, "media.publicAddress",
                    "advertise :: in SDP", "ICE host candidate");
            assertProblem(validate("media.publicAddress", "media.example.test"), Severity.ERROR, "media.publicAddress",
                    "not an IP address", "ICE host candidate");
            Problem sdes = assertProblem(validate("media.publicAddress", null, "meta.numbers[0].srtpKeyExchange", "SDES"),
                    Severity.ERROR, "media.publicAddress", "advertise 0.0.0.0 in SDP");
            assertFalse(sdes.message().contains("ICE"), sdes.toString());
            assertNoProblems(validate("media.publicAddress", "2001:db8::10"));
        }

        @Test
        void passthroughCannotKeyDtlsNumbers() {
            List<Problem> problems = validate("media.mode", "passthrough");
            Problem p = assertProblem(problems, Severity.WARNING, "meta.numbers[0].srtpKeyExchange",
                    "+15550100001 is keyed by DTLS", "passthrough copies SDP and cannot key");
            assertTrue(p.fix().contains("media.mode: relay") && p.fix().contains("SDES"), p.fix());
            assertNoProblemAt(validate("media.mode", "passthrough", "meta.numbers[0].srtpKeyExchange", "sdes"),
                    "meta.numbers[0].srtpKeyExchange");
            assertNoProblemAt(validate(), "meta.numbers[0].srtpKeyExchange");
        }

        @Test
        void sharedPortsWithoutARelayCarryNothingAndDtlsNumbersShareToo() {
            assertNoProblemAt(validate("media.sharedPorts", true), "media.sharedPorts"); // DTLS numbers share PBX ports
            assertProblem(validate("media.sharedPorts", true, "media.mode", "passthrough"), Severity.WARNING,
                    "media.sharedPorts", "no effect with media.mode passthrough");
            assertNoProblemAt(validate("media.sharedPorts", true, "meta.numbers[0].srtpKeyExchange", "SDES"),
                    "media.sharedPorts");
            assertNoProblemAt(validate(), "media.sharedPorts");
        }

        @Test
        void durationsMustBePositive() {
            assertProblem(validate("media.prebuffer", "0s"), Severity.ERROR, "media.prebuffer", "must be positive");
            assertProblem(validate("meta.noResponseTimeout", "0"), Severity.ERROR, "meta.noResponseTimeout", "must be positive");
        }

        @Test
        void silenceFillMustComeBeforeMetasTimeout() {
            assertProblem(validate("media.pbxSilenceFill", "30s"), Severity.ERROR, "media.pbxSilenceFill",
                    "after 30s, not before the Meta silence timeout of 30s");
            assertNoProblemAt(validate("media.pbxSilenceFill", "29s"), "media.pbxSilenceFill");
        }

        @Test
        void transcodingBudgetIsZeroOrPositiveAndWithinTheCores() {
            assertNoProblemAt(validate("media.maxTranscodedCalls", 0), "media.maxTranscodedCalls");
            assertNoProblemAt(validate("media.maxTranscodedCalls", 10), "media.maxTranscodedCalls");
            assertProblem(validate("media.maxTranscodedCalls", -1), Severity.ERROR, "media.maxTranscodedCalls",
                    "-1 is negative");
            int tooMany = ConfigValidator.MAX_TRANSCODED_CALLS_PER_CORE * Runtime.getRuntime().availableProcessors() + 1;
            assertProblem(validate("media.maxTranscodedCalls", tooMany), Severity.WARNING, "media.maxTranscodedCalls",
                    "more than this host's");
        }

        @Test
        void rtcpIntervalAtMostTenSeconds() {
            assertNoProblemAt(validate("media.rtcpInterval", "10s"), "media.rtcpInterval");
            assertProblem(validate("media.rtcpInterval", "10001ms"), Severity.ERROR, "media.rtcpInterval",
                    "RTCP every 10001ms is too rare");
        }
    }

    @Nested
    class LimitsRules {
        @Test
        void limitsAgainstMetas() {
            assertProblem(validate("limits.maxCallsPerNumber", 0), Severity.ERROR, "limits.maxCallsPerNumber", "refuse every call");
            assertProblem(validate("limits.maxCallsPerNumber", 1001, "media.portMax", 65535), Severity.WARNING,
                    "limits.maxCallsPerNumber", "above Meta's limit of 1000");
            assertProblem(validate("limits.dailyCallsPerUserPair", 101), Severity.WARNING, "limits.dailyCallsPerUserPair",
                    "above Meta's limit of 100");
            assertProblem(validate("limits.dailyCallsPerUserPair", -1), Severity.ERROR, "limits.dailyCallsPerUserPair",
                    "negative");
            assertNoProblems(validate("limits.dailyCallsPerUserPair", 100));
        }
    }

    @Test
    void productionExampleOnlyLacksItsCertificateFilesOnThisMachine() throws ConfigException {
        BridgeConfig cfg = ConfigLoader.load(Path.of("examples/production.yaml"),
                Map.of("WA_SIP_PASSWORD_SUPPORT", "pw-support", "WA_SIP_PASSWORD_SALES", "pw-sales"));
        List<Problem> problems = ConfigValidator.validate(cfg, Clock.fixed(Instant.parse("2026-11-25T00:00:00Z"), ZoneOffset.UTC));
        assertProblem(problems, Severity.ERROR, "meta.tlsCertificate", "/etc/wa-bridge/tls/fullchain.pem does not exist");
        assertProblem(problems, Severity.ERROR, "meta.tlsKey", "/etc/wa-bridge/tls/privkey.pem does not exist");
        assertEquals(2, problems.size(), dump(problems));
    }
}
