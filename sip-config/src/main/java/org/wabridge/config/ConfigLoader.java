package org.wabridge.config;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Loads the bridge configuration from YAML. Every scalar goes through environment interpolation
 * ({@code ${NAME}}, {@code ${NAME:-default}}, {@code $$}) before it is typed, unknown keys are errors,
 * and all problems found are reported together in one {@link ConfigException}.
 *
 * <p>The YAML is read as a node tree rather than as Java objects, so that values such as
 * {@code +15550100001} or {@code 00} keep their exact text, and so that problems can cite line numbers.
 * Semantic checks (certificates, E.164, port ranges...) are {@link ConfigValidator}'s job.
 */
public final class ConfigLoader {

    static final List<String> TOP_KEYS = List.of("pbx", "meta", "media", "limits", "causes", "admin", "callLog",
            "capture", "sandbox");
    static final List<String> CAPTURE_KEYS = List.of("mode", "dir", "maxBytesPerCall");
    static final List<String> CAUSES_KEYS = List.of("overrides");
    static final List<String> PBX_KEYS = List.of("listen", "allowedSources", "target", "numberRules", "defaultBusinessNumber",
            "noResponseTimeout", "answerTimeout");
    static final List<String> META_KEYS = List.of("edgeUri", "edgeAddress", "sipServerHostname", "fromDomain", "tlsTrust",
            "listen", "publicHost", "publicPort", "tlsCertificate", "tlsKey", "numbers", "noResponseTimeout",
            "allowedSources", "inboundChallenge", "inboundChallengeAlgorithm", "tlsMaxConnections",
            "tlsMaxConnectionsPerSource", "tlsIdleTimeout");
    static final List<String> MEDIA_KEYS = List.of("mode", "bindAddress", "publicAddress", "portMin", "portMax",
            "g711EnabledAtMeta", "pbxSilenceFill", "prebuffer", "rtcpInterval", "metaSilenceTimeout",
            "pbxSilenceTimeout", "holdTimeout", "maxTranscodedCalls", "ioEngine", "sharedPorts");
    static final List<String> LIMITS_KEYS = List.of("maxCallsPerNumber", "dailyCallsPerUserPair");
    static final List<String> ADMIN_KEYS = List.of("enabled", "host", "port", "token");
    static final List<String> CALL_LOG_KEYS = List.of("enabled", "file", "jdbcUrl", "retention", "queueSize");
    static final List<String> LISTEN_KEYS = List.of("transport", "host", "port");
    static final List<String> RULE_KEYS = List.of("prefix", "replacement");
    static final List<String> NUMBER_KEYS = List.of("number", "password", "pbxTarget", "srtpKeyExchange");

    public static final String DEFAULT_EDGE_URI = "sip:wa.meta.vc:5061;transport=tls";

    private final String sourceName;
    private final Map<String, String> env;
    private final List<Problem> problems = new ArrayList<>();

    private ConfigLoader(String sourceName, Map<String, String> env) {
        this.sourceName = sourceName;
        this.env = env;
    }

    /** Reads and parses {@code file} (UTF-8). */
    public static BridgeConfig load(Path file, Map<String, String> env) throws ConfigException {
        return parse(readFile(file), file.toString(), env);
    }

    /**
     * Reads only the {@code callLog} section of {@code file}, for commands that read the call log: they
     * need neither the other sections nor the secrets those reference from the environment.
     */
    public static CallLogSettings loadCallLog(Path file, Map<String, String> env) throws ConfigException {
        ConfigLoader loader = new ConfigLoader(file.toString(), env);
        Map<String, Node> top = loader.topLevel(readFile(file));
        CallLogSettings settings = top == null ? null : loader.readCallLog(top.get("callLog"));
        if (!loader.problems.isEmpty()) {
            throw new ConfigException(file.toString(), loader.problems);
        }
        return settings;
    }

    /**
     * Reads only the {@code sandbox} section of {@code file} (the bridge ignores it; {@code bridge sandbox} reads
     * it) as plain values after interpolation: maps, strings and integers; empty when absent.
     */
    public static Map<String, Object> loadSandbox(Path file, Map<String, String> env) throws ConfigException {
        ConfigLoader loader = new ConfigLoader(file.toString(), env);
        Map<String, Node> top = loader.topLevel(readFile(file));
        Node node = top == null ? null : top.get("sandbox");
        Object plain = node == null || isNull(node) ? Map.of() : loader.plain(node, "sandbox");
        if (!(plain instanceof Map<?, ?>)) {
            loader.problems.add(Problem.error("sandbox", "must be a mapping (users, digest, ...)",
                    "see sip-config/examples/lab.yaml for the sandbox section"));
        }
        if (!loader.problems.isEmpty()) {
            throw new ConfigException(file.toString(), loader.problems);
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> section = (Map<String, Object>) plain;
        return section;
    }

    private static String readFile(Path file) throws ConfigException {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException(file.toString(), List.of(Problem.error(file.toString(),
                    "cannot read the configuration file (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")",
                    "check the path given with -c and that the bridge's user may read it")));
        }
    }

    /**
     * Parses YAML text.
     *
     * @param sourceName names the source in messages (usually the file name)
     * @param env        environment used for {@code ${NAME}} references (usually {@code System.getenv()})
     */
    public static BridgeConfig parse(String yaml, String sourceName, Map<String, String> env) throws ConfigException {
        ConfigLoader loader = new ConfigLoader(sourceName, env);
        BridgeConfig config = loader.readDocument(yaml);
        if (!loader.problems.isEmpty()) {
            throw new ConfigException(sourceName, loader.problems);
        }
        return config;
    }

    private BridgeConfig readDocument(String yaml) {
        Map<String, Node> top = topLevel(yaml);
        if (top == null) {
            return null;
        }
        MetaSide meta = readMeta(top.get("meta"));
        PbxSide pbx = readPbx(top.get("pbx"));
        MediaSettings media = readMedia(top.get("media"));
        Limits limits = readLimits(top.get("limits"));
        Map<String, Object> causeOverrides = readCauseOverrides(top.get("causes"));
        AdminSettings admin = readAdmin(top.get("admin"));
        CallLogSettings callLog = readCallLog(top.get("callLog"));
        CaptureSettings capture = readCapture(top.get("capture"));
        return new BridgeConfig(pbx, meta, media, limits, causeOverrides, admin, callLog, capture);
    }

    /** The top-level sections by key, or null after recording why the YAML cannot be read. */
    private Map<String, Node> topLevel(String yaml) {
        Node root;
        try {
            root = new Yaml(new LoaderOptions()).compose(new StringReader(yaml));
        } catch (MarkedYAMLException e) {
            // Only the problem and position: the exception's own text quotes the line, which may hold a password.
            Mark mark = e.getProblemMark();
            String at = mark == null ? "" : " at line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1);
            problems.add(Problem.error(sourceName, "not valid YAML: " + e.getProblem() + at,
                    "correct the YAML syntax (indent with spaces, quote values that contain ': ' or start with '*', '&', '!')"));
            return null;
        } catch (YAMLException e) {
            problems.add(Problem.error(sourceName, "not valid YAML: " + e.getMessage(),
                    "correct the YAML syntax; the file must hold a single document"));
            return null;
        }
        return root == null || isNull(root) ? Map.of() : entries(root, "", TOP_KEYS);
    }

    // ---------------------------------------------------------------- sections

    /** {@code causes.overrides} as plain values (maps, strings, integers) after interpolation. */
    private Map<String, Object> readCauseOverrides(Node node) {
        Map<String, Node> e = section(node, "causes", CAUSES_KEYS);
        Node overrides = e.get("overrides");
        if (overrides == null || isNull(overrides)) {
            return Map.of();
        }
        Object plain = plain(overrides, "causes.overrides");
        if (!(plain instanceof Map<?, ?> map)) {
            problems.add(Problem.error("causes.overrides", "must map cause ids to PBX answers",
                    "e.g. overrides: {meta.503: {sip: 503, phrase: \"Try later\", q850: 34, q850Text: "
                            + "NORMAL_CIRCUIT_CONGESTION, retryAfter: 60}}"));
            return Map.of();
        }
        Map<String, Object> result = new java.util.LinkedHashMap<>();
        map.forEach((k, v) -> result.put(String.valueOf(k), v));
        return result;
    }

    private Object plain(Node node, String path) {
        if (node instanceof MappingNode mapping) {
            Map<String, Object> map = new java.util.LinkedHashMap<>();
            for (var tuple : mapping.getValue()) {
                String key = scalar(tuple.getKeyNode(), path);
                map.put(key, plain(tuple.getValueNode(), path + "." + key));
            }
            return map;
        }
        String text = scalar(node, path);
        return text != null && text.matches("-?[0-9]{1,9}") ? (Object) Integer.valueOf(text) : text;
    }

    private PbxSide readPbx(Node node) {
        Map<String, Node> e = section(node, "pbx", PBX_KEYS);
        List<ListenPoint> listen = e.containsKey("listen")
                ? list(e.get("listen"), "pbx.listen", (item, path) -> listenPoint(item, path, null, "127.0.0.1", 5060))
                : List.of(new ListenPoint(Transport.UDP, "127.0.0.1", 5060), new ListenPoint(Transport.TCP, "127.0.0.1", 5060));
        List<Cidr> allowed = List.of();
        if (e.containsKey("allowedSources")) {
            allowed = list(e.get("allowedSources"), "pbx.allowedSources", this::cidr);
        } else {
            problems.add(Problem.error("pbx.allowedSources", "required: the networks the PBX may send from are not configured",
                    "list the PBX's addresses, e.g. allowedSources: [\"10.0.0.5/32\"] (127.0.0.0/8 for a PBX on this host)"));
        }
        String target = string(e, "pbx", "target", null);
        List<NumberRule> rules = e.containsKey("numberRules")
                ? list(e.get("numberRules"), "pbx.numberRules", this::numberRule) : List.of();
        String defaultNumber = string(e, "pbx", "defaultBusinessNumber", null);
        return new PbxSide(listen, allowed, target, rules, defaultNumber,
                duration(e, "pbx", "noResponseTimeout", Duration.ofSeconds(5)),
                duration(e, "pbx", "answerTimeout", Duration.ofSeconds(60)));
    }

    private MetaSide readMeta(Node node) {
        Map<String, Node> e = section(node, "meta", META_KEYS);
        String edgeUri = string(e, "meta", "edgeUri", DEFAULT_EDGE_URI);
        String edgeAddress = string(e, "meta", "edgeAddress", null);
        String hostname = string(e, "meta", "sipServerHostname", null);
        if (hostname == null && !hasProblemAt("meta.sipServerHostname")) {
            problems.add(Problem.error("meta.sipServerHostname",
                    "required: the hostname configured at Meta for your numbers (servers[].hostname) is not set",
                    "set sipServerHostname to the hostname you POSTed to /<PHONE_NUMBER_ID>/settings, e.g. sip.example.com"));
        }
        String fromDomain = string(e, "meta", "fromDomain", hostname);
        String tlsTrust = string(e, "meta", "tlsTrust", null);
        ListenPoint listen = e.containsKey("listen")
                ? listenPoint(e.get("listen"), "meta.listen", Transport.TLS, "0.0.0.0", 5061)
                : new ListenPoint(Transport.TLS, "0.0.0.0", 5061);
        String publicHost = string(e, "meta", "publicHost", hostname);
        Integer publicPort = integer(e, "meta", "publicPort", listen == null ? 5061 : listen.port());
        String certificate = string(e, "meta", "tlsCertificate", null);
        String key = string(e, "meta", "tlsKey", null);
        List<BusinessNumber> numbers = List.of();
        if (e.containsKey("numbers")) {
            numbers = list(e.get("numbers"), "meta.numbers", this::businessNumber);
        }
        if (numbers.isEmpty() && !hasProblemUnder("meta.numbers")) {
            problems.add(Problem.error("meta.numbers", "required: at least one business number with its SIP password",
                    "add numbers: [{number: \"+15550100001\", password: \"${META_SIP_PASSWORD}\"}]"));
        }
        Duration noResponse = duration(e, "meta", "noResponseTimeout", Duration.ofSeconds(10));
        List<Cidr> metaSources = e.containsKey("allowedSources")
                ? list(e.get("allowedSources"), "meta.allowedSources", this::cidr)
                : MetaSide.META_NETWORKS.stream().map(Cidr::parse).toList();
        Integer challenge = integer(e, "meta", "inboundChallenge", 407);
        if (challenge != null && challenge != 0 && challenge != 401 && challenge != 407) {
            problems.add(Problem.error("meta.inboundChallenge", "must be 407, 401 or 0 (got " + challenge + ")",
                    "use 407 (Proxy-Authenticate, the default), 401 (WWW-Authenticate) or 0 to accept Meta's INVITEs "
                            + "on source address and TLS alone"));
        }
        String algorithm = string(e, "meta", "inboundChallengeAlgorithm", "MD5");
        String knownAlgorithm = algorithm == null ? "MD5" : MetaSide.CHALLENGE_ALGORITHMS.stream()
                .filter(a -> a.equalsIgnoreCase(algorithm.trim())).findFirst().orElse(null);
        if (knownAlgorithm == null) {
            problems.add(Problem.error("meta.inboundChallengeAlgorithm", "must be MD5, SHA-256 or both (got '"
                    + algorithm + "')", "use MD5 (the default, what Meta's documentation shows), SHA-256, or both "
                    + "(SHA-256 offered first, MD5 second)"));
        }
        MetaListenerLimits d = MetaListenerLimits.DEFAULTS;
        MetaListenerLimits limits = new MetaListenerLimits(
                orZero(integer(e, "meta", "tlsMaxConnections", d.maxConnections())),
                orZero(integer(e, "meta", "tlsMaxConnectionsPerSource", d.maxConnectionsPerSource())),
                duration(e, "meta", "tlsIdleTimeout", d.idleTimeout()));
        return new MetaSide(edgeUri, edgeAddress, hostname, fromDomain, tlsTrust, listen, publicHost,
                publicPort == null ? 0 : publicPort, certificate, key, numbers, noResponse, metaSources,
                challenge == null ? 407 : challenge, knownAlgorithm == null ? "MD5" : knownAlgorithm, limits);
    }

    private MediaSettings readMedia(Node node) {
        Map<String, Node> e = section(node, "media", MEDIA_KEYS);
        MediaSettings.MediaMode mode = choice(e, "media", "mode", MediaSettings.MediaMode.RELAY,
                MediaSettings.MediaMode.class);
        String bind = string(e, "media", "bindAddress", "0.0.0.0");
        String publicAddress = string(e, "media", "publicAddress", bind);
        Integer portMin = integer(e, "media", "portMin", 20000);
        Integer portMax = integer(e, "media", "portMax", 29999);
        Boolean g711 = bool(e, "media", "g711EnabledAtMeta", false);
        return new MediaSettings(mode, bind, publicAddress, orZero(portMin), orZero(portMax), g711 != null && g711,
                duration(e, "media", "pbxSilenceFill", Duration.ofSeconds(1)),
                duration(e, "media", "prebuffer", Duration.ofSeconds(2)),
                duration(e, "media", "rtcpInterval", Duration.ofSeconds(5)),
                duration(e, "media", "metaSilenceTimeout", Duration.ofSeconds(30)),
                duration(e, "media", "pbxSilenceTimeout", Duration.ofSeconds(60)),
                duration(e, "media", "holdTimeout", Duration.ofHours(1)),
                orZero(integer(e, "media", "maxTranscodedCalls", MediaSettings.DEFAULT_MAX_TRANSCODED_CALLS)),
                choice(e, "media", "ioEngine", MediaSettings.IoEngine.EPOLL, MediaSettings.IoEngine.class),
                Boolean.TRUE.equals(bool(e, "media", "sharedPorts", false)));
    }

    private Limits readLimits(Node node) {
        Map<String, Node> e = section(node, "limits", LIMITS_KEYS);
        return new Limits(orZero(integer(e, "limits", "maxCallsPerNumber", 1000)),
                orZero(integer(e, "limits", "dailyCallsPerUserPair", 0)));
    }

    private CaptureSettings readCapture(Node node) {
        Map<String, Node> e = section(node, "capture", CAPTURE_KEYS);
        CaptureSettings.Mode mode = choice(e, "capture", "mode", CaptureSettings.DEFAULTS.mode(), CaptureSettings.Mode.class);
        String dir = string(e, "capture", "dir", CaptureSettings.DEFAULTS.dir());
        Integer maxBytes = integer(e, "capture", "maxBytesPerCall", (int) CaptureSettings.DEFAULTS.maxBytesPerCall());
        if (maxBytes != null && maxBytes <= 0) {
            problems.add(Problem.error("capture.maxBytesPerCall", "must be positive (got " + maxBytes + ")",
                    "e.g. maxBytesPerCall: 20000000 (about 20 MB, a 30-minute G.711 call)"));
        }
        return new CaptureSettings(mode == null ? CaptureSettings.Mode.OFF : mode, dir,
                maxBytes == null ? CaptureSettings.DEFAULTS.maxBytesPerCall() : maxBytes);
    }

    private AdminSettings readAdmin(Node node) {
        Map<String, Node> e = section(node, "admin", ADMIN_KEYS);
        Boolean enabled = bool(e, "admin", "enabled", true);
        String host = string(e, "admin", "host", AdminSettings.DEFAULT_HOST);
        Integer port = integer(e, "admin", "port", AdminSettings.DEFAULT_PORT);
        String token = string(e, "admin", "token", null);
        return new AdminSettings(enabled == null || enabled, host, orZero(port), token);
    }

    private CallLogSettings readCallLog(Node node) {
        Map<String, Node> e = section(node, "callLog", CALL_LOG_KEYS);
        Boolean enabled = bool(e, "callLog", "enabled", true);
        String file = string(e, "callLog", "file", CallLogSettings.DEFAULT_FILE);
        String jdbcUrl = string(e, "callLog", "jdbcUrl", null);
        Duration retention = typed(e, "callLog", "retention", CallLogSettings.DEFAULT_RETENTION, ConfigLoader::days,
                "write a number with a unit: 30d, 12h or 90m (a plain number means seconds)");
        Integer queueSize = integer(e, "callLog", "queueSize", CallLogSettings.DEFAULT_QUEUE_SIZE);
        return new CallLogSettings(enabled == null || enabled, file, jdbcUrl, retention, orZero(queueSize));
    }

    /** A duration that may also be written in days ({@code 30d}), as retention periods are. */
    private static Duration days(String text) {
        if (text.matches("\\d{1,6}\\s*d")) {
            return Duration.ofDays(Long.parseLong(text.replaceAll("\\D", "")));
        }
        return Durations.parse(text);
    }

    // ---------------------------------------------------------------- list items

    private ListenPoint listenPoint(Node node, String path, Transport defaultTransport, String defaultHost, int defaultPort) {
        Map<String, Node> e = entries(node, path, LISTEN_KEYS);
        if (e == null) {
            return null;
        }
        Transport transport = choice(e, path, "transport", defaultTransport, Transport.class);
        if (transport == null && !e.containsKey("transport")) {
            problems.add(Problem.error(path + ".transport", "required: the transport of this listen point is missing" + where(node),
                    "add transport: udp (or tcp)"));
        }
        String host = string(e, path, "host", defaultHost);
        Integer port = integer(e, path, "port", defaultPort);
        return transport == null || port == null ? null : new ListenPoint(transport, host, port);
    }

    private Cidr cidr(Node node, String path) {
        String text = scalar(node, path);
        if (text == null) {
            return null;
        }
        try {
            return Cidr.parse(text);
        } catch (IllegalArgumentException e) {
            problems.add(Problem.error(path, e.getMessage() + where(node),
                    "write an IPv4 or IPv6 network in CIDR form, e.g. 10.0.0.0/24, 192.0.2.10/32 or 2001:db8::/48"));
            return null;
        }
    }

    private NumberRule numberRule(Node node, String path) {
        Map<String, Node> e = entries(node, path, RULE_KEYS);
        if (e == null) {
            return null;
        }
        String prefix = string(e, path, "prefix", null);
        String replacement = string(e, path, "replacement", "");
        if (prefix == null && !hasProblemAt(path + ".prefix")) {
            problems.add(Problem.error(path + ".prefix", "required: the dialled prefix this rule replaces is missing or empty" + where(node),
                    "write e.g. {prefix: \"00\", replacement: \"+\"} (quote the prefix so YAML keeps leading zeros)"));
        }
        return prefix == null || replacement == null ? null : new NumberRule(prefix, replacement);
    }

    private BusinessNumber businessNumber(Node node, String path) {
        Map<String, Node> e = entries(node, path, NUMBER_KEYS);
        if (e == null) {
            return null;
        }
        String number = string(e, path, "number", null);
        if (number == null && !hasProblemAt(path + ".number")) {
            problems.add(Problem.error(path + ".number", "required: the business phone number is missing" + where(node),
                    "add number: \"+15550100001\" (E.164 with '+')"));
        }
        String password = string(e, path, "password", null);
        String pbxTarget = string(e, path, "pbxTarget", null);
        SrtpKeyExchange keying = choice(e, path, "srtpKeyExchange", SrtpKeyExchange.DTLS, SrtpKeyExchange.class);
        return number == null ? null : new BusinessNumber(number, password, pbxTarget, keying);
    }

    // ---------------------------------------------------------------- node helpers

    private Map<String, Node> section(Node node, String path, List<String> known) {
        if (node == null) {
            return Map.of();
        }
        Map<String, Node> e = entries(node, path, known);
        return e == null ? Map.of() : e;
    }

    /** The key/value pairs of a mapping node; null values are left out (a key without value means "use the default"). */
    private Map<String, Node> entries(Node node, String path, List<String> known) {
        if (!(node instanceof MappingNode mapping)) {
            problems.add(Problem.error(path.isEmpty() ? sourceName : path, "expected a map of keys, found " + kind(node) + where(node),
                    "write the keys " + String.join(", ", known) + " indented under " + (path.isEmpty() ? "the top level" : path)));
            return null;
        }
        Map<String, Node> result = new LinkedHashMap<>();
        List<String> seen = new ArrayList<>();
        for (NodeTuple tuple : mapping.getValue()) {
            Node keyNode = tuple.getKeyNode();
            String key = keyNode instanceof ScalarNode s ? s.getValue() : null;
            String keyPath = key == null ? path : child(path, key);
            if (key == null) {
                problems.add(Problem.error(path.isEmpty() ? sourceName : path, "a key is not a plain name" + where(keyNode),
                        "use one of " + String.join(", ", known)));
            } else if (!known.contains(key)) {
                problems.add(Problem.error(keyPath, "unknown key '" + key + "'" + where(keyNode)
                                + "; known keys" + (path.isEmpty() ? " at the top level" : " under " + path) + ": "
                                + String.join(", ", known),
                        suggestion(key, known)));
            } else if (seen.contains(key)) {
                problems.add(Problem.error(keyPath, "key '" + key + "' appears twice" + where(keyNode),
                        "keep one '" + key + "' entry"));
            } else {
                seen.add(key);
                if (!isNull(tuple.getValueNode())) {
                    result.put(key, tuple.getValueNode());
                }
            }
        }
        return result;
    }

    private interface ItemReader<T> {
        T read(Node item, String path);
    }

    private <T> List<T> list(Node node, String path, ItemReader<T> reader) {
        if (!(node instanceof SequenceNode sequence)) {
            problems.add(Problem.error(path, "expected a list, found " + kind(node) + where(node),
                    "write a YAML list: one '- item' per line, or [a, b]"));
            return List.of();
        }
        List<T> items = new ArrayList<>();
        List<Node> nodes = sequence.getValue();
        for (int i = 0; i < nodes.size(); i++) {
            T item = reader.read(nodes.get(i), path + "[" + i + "]");
            if (item != null) {
                items.add(item);
            }
        }
        return List.copyOf(items);
    }

    /** The interpolated text of a scalar, or null after recording a problem. */
    private String scalar(Node node, String path) {
        if (!(node instanceof ScalarNode s)) {
            problems.add(Problem.error(path, "expected a single value, found " + kind(node) + where(node),
                    "write a plain value after '" + lastKey(path) + ":'"));
            return null;
        }
        return EnvInterpolation.apply(s.getValue(), env, path, where(node), problems);
    }

    /** An optional string; absent, null or empty after interpolation yields the default. */
    private String string(Map<String, Node> e, String section, String key, String defaultValue) {
        Node node = e.get(key);
        if (node == null) {
            return defaultValue;
        }
        String value = scalar(node, child(section, key));
        if (value == null) {
            return null;
        }
        value = value.trim();
        return value.isEmpty() ? defaultValue : value;
    }

    private Integer integer(Map<String, Node> e, String section, String key, int defaultValue) {
        return typed(e, section, key, defaultValue, text -> {
            if (!text.matches("[+-]?\\d{1,9}")) {
                throw new IllegalArgumentException("'" + text + "' is not a whole number");
            }
            return Integer.parseInt(text);
        }, key.toLowerCase(Locale.ROOT).contains("port") ? "write a port number such as 5060" : "write a whole number such as 100");
    }

    private Boolean bool(Map<String, Node> e, String section, String key, boolean defaultValue) {
        return typed(e, section, key, defaultValue, text -> switch (text.toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> throw new IllegalArgumentException("'" + text + "' is not true or false");
        }, "write true or false");
    }

    private Duration duration(Map<String, Node> e, String section, String key, Duration defaultValue) {
        return typed(e, section, key, defaultValue, Durations::parse,
                "write a number with a unit: 500ms, 30s, 5m or 1h (a plain number means seconds)");
    }

    private <E extends Enum<E>> E choice(Map<String, Node> e, String section, String key, E defaultValue, Class<E> type) {
        List<String> names = new ArrayList<>();
        for (E constant : type.getEnumConstants()) {
            names.add(constant.name().toLowerCase(Locale.ROOT));
        }
        return typed(e, section, key, defaultValue, text -> {
            for (E constant : type.getEnumConstants()) {
                if (constant.name().equalsIgnoreCase(text)) {
                    return constant;
                }
            }
            throw new IllegalArgumentException("'" + text + "' is not one of " + String.join(", ", names));
        }, "write one of " + String.join(", ", names));
    }

    private <T> T typed(Map<String, Node> e, String section, String key, T defaultValue,
                        Function<String, T> parser, String fix) {
        Node node = e.get(key);
        if (node == null) {
            return defaultValue;
        }
        String path = child(section, key);
        String text = scalar(node, path);
        if (text == null) {
            return null;
        }
        text = text.trim();
        if (text.isEmpty()) {
            return defaultValue;
        }
        try {
            return parser.apply(text);
        } catch (IllegalArgumentException ex) {
            problems.add(Problem.error(path, ex.getMessage() + where(node), fix));
            return null;
        }
    }

    // ---------------------------------------------------------------- small utilities

    private String where(Node node) {
        Mark mark = node == null ? null : node.getStartMark();
        return mark == null ? "" : " (" + sourceName + " line " + (mark.getLine() + 1) + ")";
    }

    private boolean hasProblemAt(String path) {
        return problems.stream().anyMatch(p -> p.path().equals(path));
    }

    private boolean hasProblemUnder(String path) {
        return problems.stream().anyMatch(p -> p.path().startsWith(path));
    }

    private static boolean isNull(Node node) {
        return node instanceof ScalarNode && Tag.NULL.equals(node.getTag());
    }

    private static String kind(Node node) {
        if (node instanceof MappingNode) {
            return "a map";
        }
        if (node instanceof SequenceNode) {
            return "a list";
        }
        // Never echo the value itself: a misplaced scalar may be a password.
        return node == null ? "nothing" : "a single value";
    }

    private static String child(String path, String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    private static String lastKey(String path) {
        return path.substring(path.lastIndexOf('.') + 1);
    }

    /** Points at the known key closest to a typo (case-insensitive, small edit distance). */
    private static String suggestion(String key, List<String> known) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : known) {
            int d = editDistance(key.toLowerCase(Locale.ROOT), candidate.toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                bestDistance = d;
                best = candidate;
            }
        }
        if (best != null && bestDistance <= Math.max(2, key.length() / 3)) {
            return "did you mean '" + best + "'? Keys are case-sensitive";
        }
        return "remove it or use one of the known keys";
    }

    private static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }

    private static int orZero(Integer value) {
        return value == null ? 0 : value;
    }
}
