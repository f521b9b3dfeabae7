package org.wabridge.b2bua.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.wabridge.config.BridgeConfig;
import org.wabridge.config.ConfigException;
import org.wabridge.config.ConfigLoader;
import org.wabridge.config.ConfigValidator;
import org.wabridge.config.Problem;

/** Loads and pre-flight checks a configuration file, printing every problem found. */
final class ConfigFiles {

    private ConfigFiles() {}

    /** The config, or null after printing why it cannot be used (load errors or validation errors). */
    static BridgeConfig loadChecked(Path file, PrintStream out) {
        BridgeConfig config;
        try {
            config = ConfigLoader.load(file, System.getenv());
        } catch (ConfigException e) {
            out.println(file + ": cannot be loaded:");
            e.problems().forEach(p -> out.println("  " + p));
            return null;
        }
        List<Problem> problems = ConfigValidator.validate(config, Clock.systemUTC());
        problems.forEach(p -> out.println("  " + p));
        if (ConfigValidator.hasErrors(problems)) {
            out.println(file + ": " + problems.stream().filter(p -> p.severity() == Problem.Severity.ERROR).count()
                    + " error(s): fix them before any call is placed.");
            return null;
        }
        return config;
    }
}
