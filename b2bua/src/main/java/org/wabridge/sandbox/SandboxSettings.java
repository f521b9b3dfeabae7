package org.wabridge.sandbox;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.wabridge.b2bua.digest.DigestAlgorithm;
import org.wabridge.config.BridgeConfig;
import org.wabridge.config.BusinessNumber;
import org.wabridge.config.SrtpKeyExchange;
import org.wabridge.config.Durations;

/**
 * Everything the sandbox runs with, derived from the bridge's YAML: the edge listens where the bridge's
 * {@code meta.edgeUri} / {@code meta.edgeAddress} point, knows the numbers and passwords of {@code meta.numbers},
 * checks the From domain against {@code meta.sipServerHostname}, and calls the bridge at its {@code meta.listen}.
 * The {@code sandbox} section adds the users table and the rest (see sip-config/examples/lab.yaml).
 *
 * @param udpPort   an extra UDP listener for peers without TLS (SIPp in tests), 0 for none
 * @param certDir   where the lab CA and the edge certificate are (made when missing)
 * @param caller    the WhatsApp user who places user-initiated calls
 */
public record SandboxSettings(EdgeRules rules, String listenHost, int tlsPort, int udpPort, Path certDir,
                              String bridgeHost, String bridgeAddress, int bridgePort, String mediaAddress,
                              String caller, Map<String, SrtpKeyExchange> keying) {

    static final List<String> KEYS = List.of("users", "defaultUser", "digest", "dailyLimit", "retryAfter", "ringTime",
            "noAnswerAfter", "noMediaAtStart", "noMediaMidCall", "udpPort", "certDir", "caller");

    /** Builds the settings; throws IllegalArgumentException with the key at fault. */
    public static SandboxSettings of(BridgeConfig config, Map<String, Object> section) {
        for (String key : section.keySet()) {
            if (!KEYS.contains(key)) {
                throw new IllegalArgumentException("sandbox." + key + ": unknown key; known: " + String.join(", ", KEYS));
            }
        }
        // sip:HOST[:PORT][;params]: validated by the bridge's configuration check already
        String hostPort = config.meta().edgeUri().replaceFirst("^sips?:", "").split(";", 2)[0];
        int colon = hostPort.lastIndexOf(':');
        String edgeHost = colon > 0 ? hostPort.substring(0, colon) : hostPort;
        int edgePort = colon > 0 ? Integer.parseInt(hostPort.substring(colon + 1)) : 5061;
        String listenHost = config.meta().edgeAddress() != null ? config.meta().edgeAddress() : "127.0.0.1";
        Map<String, String> passwords = new LinkedHashMap<>();
        Map<String, SrtpKeyExchange> keying = new LinkedHashMap<>();
        for (BusinessNumber n : config.meta().numbers()) {
            passwords.put(n.number(), n.password());
            keying.put(n.number(), n.srtpKeyExchange()); // what Meta offers on this number's user-initiated calls
        }
        Map<String, UserBehaviour> users = new LinkedHashMap<>();
        Object table = section.get("users");
        if (table instanceof Map<?, ?> map) {
            for (Map.Entry<?, ?> e : map.entrySet()) {
                users.put(String.valueOf(e.getKey()), behaviour(String.valueOf(e.getValue()), "sandbox.users." + e.getKey()));
            }
        } else if (table != null) {
            throw new IllegalArgumentException("sandbox.users: must map called numbers to behaviours ("
                    + UserBehaviour.words() + ")");
        }
        UserBehaviour defaultUser = behaviour(text(section, "defaultUser", "answer"), "sandbox.defaultUser");
        EdgeRules rules = new EdgeRules(edgeHost, config.meta().sipServerHostname(), passwords,
                algorithms(text(section, "digest", "MD5")), users, defaultUser,
                Integer.parseInt(text(section, "dailyLimit", "100")),
                duration(section, "retryAfter", "30s"), duration(section, "ringTime", "1s"),
                duration(section, "noAnswerAfter", "30s"),
                duration(section, "noMediaAtStart", "20s"), duration(section, "noMediaMidCall", "30s"));
        String certDir = text(section, "certDir", config.meta().tlsTrust() != null
                ? Path.of(config.meta().tlsTrust()).toAbsolutePath().getParent().toString() : "lab/certs");
        String bridgeAddress = config.meta().listen().host();
        if (bridgeAddress.equals("0.0.0.0") || bridgeAddress.equals("::")) {
            bridgeAddress = "127.0.0.1";
        }
        return new SandboxSettings(rules, listenHost, edgePort, Integer.parseInt(text(section, "udpPort", "0")),
                Path.of(certDir), config.meta().sipServerHostname(), bridgeAddress, config.meta().listen().port(),
                config.media().bindAddress().equals("0.0.0.0") ? "127.0.0.1" : config.media().bindAddress(),
                text(section, "caller", "+15550100077"), Map.copyOf(keying));
    }

    /** The same settings with another UDP port (tests give SIPp one). */
    public SandboxSettings withUdpPort(int port) {
        return new SandboxSettings(rules, listenHost, tlsPort, port, certDir, bridgeHost, bridgeAddress, bridgePort,
                mediaAddress, caller, keying);
    }

    private static UserBehaviour behaviour(String word, String key) {
        return UserBehaviour.fromWord(word).orElseThrow(() -> new IllegalArgumentException(key + ": '" + word
                + "' is not a behaviour; use one of " + UserBehaviour.words()));
    }

    static List<DigestAlgorithm> algorithms(String value) {
        List<DigestAlgorithm> out = new ArrayList<>();
        for (String token : value.split("[,\\s]+")) {
            String t = token.trim().toUpperCase(Locale.ROOT);
            if (t.isEmpty()) {
                continue;
            }
            if (t.equals("BOTH")) {
                return List.of(DigestAlgorithm.SHA_256, DigestAlgorithm.MD5);
            }
            out.add(DigestAlgorithm.fromToken(t).orElseThrow(() -> new IllegalArgumentException(
                    "sandbox.digest: '" + token + "' is not MD5, SHA-256 or both")));
        }
        return out;
    }

    private static String text(Map<String, Object> section, String key, String otherwise) {
        Object v = section.get(key);
        return v == null ? otherwise : String.valueOf(v);
    }

    private static Duration duration(Map<String, Object> section, String key, String otherwise) {
        String v = text(section, key, otherwise);
        try {
            return Durations.parse(v);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("sandbox." + key + ": '" + v + "' is not a duration such as 20s or 500ms");
        }
    }
}
