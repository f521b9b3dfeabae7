package org.wabridge.b2bua.it;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.wabridge.b2bua.B2bua;
import org.wabridge.b2bua.capture.CallCaptures;
import org.wabridge.b2bua.causes.CauseCatalog;
import org.wabridge.b2bua.events.CallObserver;
import org.wabridge.b2bua.sip.HostResolver;
import org.wabridge.config.BridgeConfig;
import org.wabridge.config.ConfigLoader;
import org.wabridge.config.MediaSettings;
import org.wabridge.media.MediaRelay;

/** A bridge started in-process from a lab YAML, with its ports picked free. */
public final class BridgeUnderTest implements AutoCloseable {

    /** The ports of one bridge, known before it starts so the relay can be built first. */
    public static final class Ports {
        private static final AtomicInteger NEXT_MEDIA = new AtomicInteger(40000 + (int) (ProcessHandle.current().pid() % 100) * 200);
        public final int pbx = Lab.freePort();
        public final int meta = Lab.freePort();
        public final int mediaMin = NEXT_MEDIA.getAndAdd(40);
        public final int mediaMax = mediaMin + 39;

        public MediaSettings mediaSettings() {
            return mediaSettings(Duration.ofSeconds(30));
        }

        /** As {@link #mediaSettings()}, with another limit for a silent Meta leg. */
        public MediaSettings mediaSettings(Duration metaSilenceTimeout) {
            return new MediaSettings(MediaSettings.MediaMode.RELAY, "127.0.0.1", "127.0.0.1", mediaMin, mediaMax,
                    true, Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(5),
                    metaSilenceTimeout, Duration.ofSeconds(60), Duration.ofHours(1));
        }
    }

    public final int pbxPort;
    public final int metaPort;
    public final BridgeConfig config;
    /** The YAML the bridge was started from (for CLI commands that read a config file). */
    public final String yaml;

    /** Builds the bridge's observer from its configuration. */
    @FunctionalInterface
    public interface ObserverFactory {
        CallObserver create(BridgeConfig config) throws Exception;
    }
    public final B2bua b2bua;

    /**
     * @param edgePort      TLS port of the lab edge (or a closed port for unreachable-edge tests)
     * @param overrides     extra YAML lines per section key: "pbx", "meta", "media", "number"; single settings:
     *                      "allowedSources" (pbx), "pbxTarget", "inboundChallengeAlgorithm" (meta), "answerTimeout" (pbx),
     *                      "metaAllowedSources" (default 127.0.0.0/8),
     *                      "secondNumber" (another business number, same password)
     */
    public BridgeUnderTest(Ports ports, Path certs, int edgePort, String password, Map<String, String> overrides,
                           MediaRelay relay) throws Exception {
        this(ports, certs, edgePort, password, overrides, relay, new CallCaptures(CallCaptures.Mode.OFF, null, 0));
    }

    /** As above; {@code observer} learns about every call (call ends with their media counters). */
    public BridgeUnderTest(Ports ports, Path certs, int edgePort, String password, Map<String, String> overrides,
                           MediaRelay relay, CallObserver observer) throws Exception {
        this(ports, certs, edgePort, password, overrides, relay, new CallCaptures(CallCaptures.Mode.OFF, null, 0),
                cfg -> observer);
    }

    /** @param captures per-call packet captures the bridge records */
    public BridgeUnderTest(Ports ports, Path certs, int edgePort, String password, Map<String, String> overrides,
                           MediaRelay relay, CallCaptures captures) throws Exception {
        this(ports, certs, edgePort, password, overrides, relay, captures, cfg -> CallObserver.NONE);
    }

    /**
     * @param observerFor builds the observer (call log, metrics) from the parsed configuration before the bridge
     *                    starts; overrides "extraYaml" adds top-level sections (callLog, admin...)
     */
    public BridgeUnderTest(Ports ports, Path certs, int edgePort, String password, Map<String, String> overrides,
                           MediaRelay relay, CallCaptures captures,
                           ObserverFactory observerFor) throws Exception {
        this(ports, certs, edgePort, password, overrides, relay, captures, observerFor, new HostResolver());
    }

    /**
     * @param resolver resolves Meta's edge name (a fake DNS in tests); with override "edgeAddress" set to "" the
     *                 YAML pins no address, so the edge name goes through it
     */
    public BridgeUnderTest(Ports ports, Path certs, int edgePort, String password, Map<String, String> overrides,
                           MediaRelay relay, CallCaptures captures,
                           ObserverFactory observerFor, HostResolver resolver) throws Exception {
        this.pbxPort = ports.pbx;
        this.metaPort = ports.meta;
        String yaml = yaml(ports, certs, edgePort, password, overrides);
        this.yaml = yaml;
        this.config = ConfigLoader.parse(yaml, "test.yaml", Map.of());
        this.b2bua = B2bua.start(config, relay, CauseCatalog.builtIn(), observerFor.create(config), captures, resolver);
    }

    /** The bridge's YAML for these ports and overrides (see the constructor), e.g. to run it as a process. */
    public static String yaml(Ports ports, Path certs, int edgePort, String password, Map<String, String> overrides) {
        return """
                pbx:
                  listen:
                    - {transport: udp, host: 127.0.0.1, port: %d}
                    - {transport: tcp, host: 127.0.0.1, port: %d}
                  allowedSources: [%s]
                %s%s%s
                meta:
                  edgeUri: "sip:wa.meta.vc:%d;transport=tls"
                %s  sipServerHostname: bridge.example.test
                  tlsTrust: %s
                  listen: {transport: tls, host: 127.0.0.1, port: %d}
                  publicHost: 127.0.0.1
                  tlsCertificate: %s
                  tlsKey: %s
                  noResponseTimeout: %s
                %s  numbers:
                    - {number: "%s", password: "%s", srtpKeyExchange: %s}
                %smedia:
                  mode: %s
                  bindAddress: 127.0.0.1
                  portMin: %d
                  portMax: %d
                  g711EnabledAtMeta: true
                limits:
                  maxCallsPerNumber: %s
                %s
                """.formatted(ports.pbx, ports.pbx, overrides.getOrDefault("allowedSources", "127.0.0.0/8"),
                optional(overrides, "pbxTarget", "  target: \"%s\"\n"),
                optional(overrides, "answerTimeout", "  answerTimeout: %s\n"),
                overrides.getOrDefault("pbx", ""), edgePort,
                overrides.getOrDefault("edgeAddress", "127.0.0.1").isEmpty() ? ""
                        : "  edgeAddress: " + overrides.getOrDefault("edgeAddress", "127.0.0.1") + "\n", certs.resolve("edge-ca.pem"), ports.meta,
                certs.resolve("bridge.pem"), certs.resolve("bridge.key"),
                overrides.getOrDefault("noResponseTimeout", "4s"),
                // the lab edge sends its in-dialog requests from loopback; the listener refuses other sources
                "  allowedSources: [" + overrides.getOrDefault("metaAllowedSources", "127.0.0.0/8") + "]\n"
                        + optional(overrides, "inboundChallengeAlgorithm", "  inboundChallengeAlgorithm: %s\n")
                        + overrides.getOrDefault("meta", ""),
                overrides.getOrDefault("number", "+15550100001"), password, keying(overrides),
                overrides.containsKey("secondNumber")
                        ? "    - {number: \"" + overrides.get("secondNumber") + "\", password: \"" + password
                        + "\", srtpKeyExchange: " + keying(overrides) + "}\n" : "",
                overrides.getOrDefault("mediaMode", "relay"),
                ports.mediaMin, ports.mediaMax,
                overrides.getOrDefault("maxCalls", "1000"), overrides.getOrDefault("extraYaml", ""));
    }

    /** The lab's Meta stand-ins (SIPp, baresip by default) do SDES; override "srtpKeyExchange" with DTLS. */
    private static String keying(Map<String, String> overrides) {
        return overrides.getOrDefault("srtpKeyExchange", "SDES");
    }

    /** The YAML line {@code format} filled with the override {@code key}, or nothing when it is not set. */
    private static String optional(Map<String, String> overrides, String key, String format) {
        String value = overrides.get(key);
        return value == null ? "" : format.formatted(value);
    }

    @Override
    public void close() {
        b2bua.close();
    }
}
