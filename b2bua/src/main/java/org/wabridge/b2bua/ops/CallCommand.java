package org.wabridge.b2bua.ops;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.wabridge.b2bua.ops.calllog.CallLogException;
import org.wabridge.b2bua.ops.calllog.CallLogStore;
import org.wabridge.b2bua.ops.calllog.CallRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code bridge call ID}: one call from the call log with its SIP ladder and events. */
@Command(name = "call", mixinStandardHelpOptions = true,
        description = "Show one call from the call log: its facts, media counters and timeline.")
public final class CallCommand implements Callable<Integer> {

    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "bridge YAML file")
    Path config;

    @Parameters(index = "0", paramLabel = "ID", description = "our call id (as 'bridge calls' shows it) or Meta's call id")
    String id;

    private final PrintStream out;
    private final PrintStream err;
    private final Map<String, String> env;

    public CallCommand() {
        this(System.out, System.err, System.getenv());
    }

    CallCommand(PrintStream out, PrintStream err, Map<String, String> env) {
        this.out = out;
        this.err = err;
        this.env = env;
    }

    @Override
    public Integer call() {
        try (CallLogStore store = CallLogCommands.open(config, env, err)) {
            if (store == null) {
                return 1;
            }
            Optional<CallRecord> call = store.call(id);
            if (call.isEmpty()) {
                err.println("no call with id '" + id + "' in the call log (it may be older than callLog.retention); "
                        + "list recent ones with: bridge calls -c " + config);
                return 1;
            }
            out.print(CallLogText.timeline(call.get()));
            return 0;
        } catch (CallLogException e) {
            err.println(e.getMessage());
            return 1;
        }
    }
}
