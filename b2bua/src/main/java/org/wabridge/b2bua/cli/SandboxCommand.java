package org.wabridge.b2bua.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.wabridge.config.BridgeConfig;
import org.wabridge.config.ConfigException;
import org.wabridge.config.ConfigLoader;
import org.wabridge.config.SipUri;
import org.wabridge.sandbox.PbxStandIn;
import org.wabridge.sandbox.SandboxEdge;
import org.wabridge.sandbox.SandboxSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bridge sandbox}: Meta's SIP edge and a PBX in Java, for rehearsing without a Meta account.
 * With {@code -c FILE} it runs the edge (where the file's {@code meta.edgeUri} points, with its numbers and
 * passwords) and a PBX stand-in at {@code pbx.target}, until stopped; start the bridge with the same file.
 * With {@code --demo} it runs the bridge too and places one call each way (the default {@code scripts/demo}).
 */
@Command(name = "sandbox", mixinStandardHelpOptions = true,
        description = "Run a stand-in for Meta's SIP edge and a PBX stand-in (no Meta account, nothing outside the JVM).")
final class SandboxCommand implements Callable<Integer> {

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "the bridge's YAML (its meta and sandbox "
            + "sections); default with --demo: sip-config/examples/lab.yaml under --home")
    Path config;

    @Option(names = "--demo", description = "run the bridge as well, place one call each way, print the ladders, "
            + "digest steps, media counters and call-log rows; exit 0 when both calls completed with media")
    boolean demo;

    @Option(names = "--meta-edge", paramLabel = "HOST[:PORT]", description = "with --demo: use this external edge "
            + "(e.g. the Kamailio lab edge) instead of the sandbox's; only the business-initiated call is placed")
    String metaEdge;

    @Option(names = "--home", paramLabel = "DIR", description = "the repository/install directory; default: "
            + "$BRIDGE_HOME or .")
    Path home;

    @Option(names = "--hold", paramLabel = "MS", defaultValue = "3000", description = "how long each call lasts")
    int holdMillis;

    @Option(names = "--call", paramLabel = "+E164", description = "without --demo: once started, place one "
            + "user-initiated call to this business number")
    String call;

    @Override
    public Integer call() throws Exception {
        Path root = (home != null ? home : Path.of(System.getenv().getOrDefault("BRIDGE_HOME", ".")))
                .toAbsolutePath().normalize();
        if (demo) {
            if (config != null && !config.toAbsolutePath().normalize()
                    .equals(root.resolve("sip-config/examples/lab.yaml"))) {
                System.err.println("sandbox --demo runs with sip-config/examples/lab.yaml (free ports, state in a "
                        + "temporary directory); drop -c, or run `bridge sandbox -c FILE` next to `bridge run -c FILE`");
                return 2;
            }
            return new SandboxDemo(root, metaEdge, Duration.ofMillis(holdMillis), System.out).run();
        }
        if (config == null) {
            System.err.println("sandbox: give the bridge's configuration with -c FILE (or --demo)");
            return 2;
        }
        BridgeConfig cfg = ConfigFiles.loadChecked(config, System.err);
        if (cfg == null) {
            return 1;
        }
        SandboxSettings settings;
        try {
            settings = SandboxSettings.of(cfg, ConfigLoader.loadSandbox(config, System.getenv()));
        } catch (ConfigException | IllegalArgumentException e) {
            System.err.println("sandbox: " + e.getMessage());
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        try (SandboxEdge edge = SandboxEdge.start(settings, System.out::println);
             PbxStandIn pbx = startPbx(cfg)) {
            Runtime.getRuntime().addShutdownHook(new Thread(stopped::countDown, "sandbox-shutdown"));
            System.out.println("sandbox running; start the bridge with: scripts/bridge run -c " + config
                    + "   (stop the sandbox with Ctrl-C)");
            if (call != null) {
                SandboxEdge.CallResult r = edge.callBusiness(call, Duration.ofMillis(holdMillis))
                        .get(60, TimeUnit.SECONDS);
                System.out.println("user-initiated call " + r.callId() + ": " + r.finalStatus() + " " + r.reason()
                        + ", media " + r.media());
            }
            stopped.await();
        }
        return 0;
    }

    /** A PBX stand-in where the bridge sends user-initiated calls, when {@code pbx.target} is on this host. */
    private static PbxStandIn startPbx(BridgeConfig cfg) throws Exception {
        String target = cfg.pbx().target();
        if (target == null) {
            return null;
        }
        SipUri uri = SipUri.parse(target); // checked with the rest of the configuration
        if (!uri.host().startsWith("127.")) {
            System.out.println("PBX stand-in not started: pbx.target " + target + " is not on 127.0.0.0/8");
            return null;
        }
        return PbxStandIn.start(uri.host(), uri.port() > 0 ? uri.port() : 5060, PbxStandIn.Answer.ANSWER,
                Duration.ofSeconds(1), Duration.ofSeconds(30), "1#", System.out::println);
    }
}
