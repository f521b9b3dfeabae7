package org.wabridge.b2bua.cli;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.wabridge.config.AdminSettings;
import org.wabridge.config.BridgeConfig;
import org.wabridge.config.ConfigException;
import org.wabridge.config.ConfigLoader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bridge capture --calls N -c FILE}: the running bridge captures its next N calls (admin API). */
@Command(name = "capture", mixinStandardHelpOptions = true,
        description = "Make the running bridge write a pcap of each of its next N calls to capture.dir, whatever "
                + "capture.mode says (for a Meta support ticket). Uses the admin API of the configuration.")
final class CaptureCommand implements Callable<Integer> {

    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "bridge YAML file")
    Path config;

    @Option(names = "--calls", required = true, paramLabel = "N", description = "how many calls (1-100; 0 cancels)")
    int calls;

    @Override
    public Integer call() throws Exception {
        BridgeConfig cfg;
        try {
            cfg = ConfigLoader.load(config, System.getenv());
        } catch (ConfigException e) {
            System.err.println(config + ": cannot be loaded:");
            e.problems().forEach(p -> System.err.println("  " + p));
            return 1;
        }
        AdminSettings admin = cfg.admin();
        if (!admin.enabled()) {
            System.err.println("admin.enabled is false in " + config + ": the running bridge has no admin API to ask");
            return 1;
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://" + admin.host() + ":" + admin.port()
                + "/capture?calls=" + calls)).POST(HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(5));
        if (admin.token() != null) {
            request.header("Authorization", "Bearer " + admin.token());
        }
        try {
            HttpResponse<String> response = HttpClient.newHttpClient().send(request.build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                System.err.println("the bridge answered " + response.statusCode() + ": " + response.body());
                return 1;
            }
        } catch (java.io.IOException e) {
            System.err.println("no bridge answers at " + admin.host() + ":" + admin.port() + " (" + e.getMessage()
                    + "): is it running with this configuration?");
            return 1;
        }
        System.out.println(calls == 0 ? "on-demand capture cancelled"
                : "the next " + calls + " call(s) will be captured into " + cfg.capture().dir());
        return 0;
    }
}
