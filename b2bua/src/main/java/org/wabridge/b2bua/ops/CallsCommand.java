package org.wabridge.b2bua.ops;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Callable;
import org.wabridge.b2bua.ops.calllog.CallLogException;
import org.wabridge.b2bua.ops.calllog.CallLogStore;
import org.wabridge.b2bua.ops.calllog.CallQuery;
import org.wabridge.b2bua.ops.calllog.Since;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bridge calls}: the latest calls from the call log, one line each. */
@Command(name = "calls", mixinStandardHelpOptions = true,
        description = "List calls from the call log, newest first (see 'bridge call ID' for one call's timeline).")
public final class CallsCommand implements Callable<Integer> {

    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "bridge YAML file")
    Path config;

    @Option(names = "--since", paramLabel = "WHEN",
            description = "only calls since then: 30m, 2h, 7d, 2026-11-25T18:00:00Z or 2026-11-25 (UTC)")
    String since;

    @Option(names = "--failed", description = "only failed calls and connected calls that ended on a fault")
    boolean failed;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "50", description = "at most N calls (default 50)")
    int limit;

    private final PrintStream out;
    private final PrintStream err;
    private final Map<String, String> env;
    private final Clock clock;

    public CallsCommand() {
        this(System.out, System.err, System.getenv(), Clock.systemUTC());
    }

    CallsCommand(PrintStream out, PrintStream err, Map<String, String> env, Clock clock) {
        this.out = out;
        this.err = err;
        this.env = env;
        this.clock = clock;
    }

    @Override
    public Integer call() {
        CallQuery query;
        try {
            Instant from = since == null ? null : Since.parse(since, clock);
            query = new CallQuery(from, failed, limit);
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage().startsWith("limit") ? "--" + e.getMessage() : "--since " + e.getMessage());
            return 2;
        }
        try (CallLogStore store = CallLogCommands.open(config, env, err)) {
            if (store == null) {
                return 1;
            }
            out.print(CallLogText.table(store.calls(query)));
            return 0;
        } catch (CallLogException e) {
            err.println(e.getMessage());
            return 1;
        }
    }
}
