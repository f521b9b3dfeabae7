package org.wabridge.b2bua.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.wabridge.b2bua.BridgeException;
import org.wabridge.config.BridgeConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bridge check -c FILE}: explains every problem of a configuration before a call is lost to it. */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = "Validate a configuration and explain every problem (exit 1 on errors).")
final class CheckCommand implements Callable<Integer> {

    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "bridge YAML file")
    Path config;

    @Override
    public Integer call() {
        BridgeConfig cfg = ConfigFiles.loadChecked(config, System.out);
        if (cfg == null) {
            return 1;
        }
        try {
            RunCommand.Running.catalog(cfg);
        } catch (BridgeException e) {
            System.out.println("  ERROR " + e.getMessage());
            return 1;
        }
        System.out.println(config + ": OK (" + cfg.meta().numbers().size() + " business number(s), edge "
                + cfg.meta().edgeUri() + ")");
        return 0;
    }
}
