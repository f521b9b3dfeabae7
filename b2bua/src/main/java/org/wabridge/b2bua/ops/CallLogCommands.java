package org.wabridge.b2bua.ops;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import org.wabridge.b2bua.ops.calllog.CallLogException;
import org.wabridge.b2bua.ops.calllog.CallLogStore;
import org.wabridge.config.CallLogSettings;
import org.wabridge.config.ConfigException;
import org.wabridge.config.ConfigLoader;

/** What {@code bridge calls} and {@code bridge call} share: finding and opening the call log of a config file. */
final class CallLogCommands {

    private CallLogCommands() {}

    /** The call log named by the config, or null after printing why it cannot be read. */
    static CallLogStore open(Path config, Map<String, String> env, PrintStream err) {
        CallLogSettings settings;
        try {
            // Only the callLog section: other sections' problems or secrets missing from this shell must not hide the log.
            settings = ConfigLoader.loadCallLog(config, env);
        } catch (ConfigException e) {
            err.println(config + ": cannot be loaded:");
            e.problems().forEach(p -> err.println("  " + p));
            return null;
        }
        if (!settings.enabled()) {
            err.println(config + ": the call log is off (callLog.enabled: false), so there is nothing to show");
            return null;
        }
        try {
            return CallLogStore.openExisting(settings);
        } catch (CallLogException e) {
            err.println(e.getMessage());
            return null;
        }
    }
}
