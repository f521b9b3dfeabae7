package org.wabridge.b2bua.causes;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code bridge explain CODE ["reason text"]}: exit 0 when the code is documented, 2 when it is not. */
@Command(name = "explain",
        description = {"Explain why a WhatsApp call failed: Meta's description, the documented fix and what the PBX is told.",
                "CODE is a SIP status (e.g. 403), a Calling API error code (e.g. 138006) or a cause id (e.g. local.edge-timeout)."},
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {"0:the code is documented", "2:the code is unknown"})
public final class ExplainCommand implements Callable<Integer> {
    static final int UNKNOWN_CODE = 2;

    @Spec
    private CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    private boolean help;

    @Parameters(index = "0", paramLabel = "CODE", description = "SIP status, Calling API error code or cause id")
    private String code;

    @Parameters(index = "1", arity = "0..1", paramLabel = "REASON",
            description = "the reason phrase or Warning text Meta sent, e.g. \"No Approved Call Permission Found\"")
    private String reason;

    @Override
    public Integer call() {
        Explainer.Explanation explanation = Explainer.describe(CauseCatalog.builtIn(), code, reason);
        spec.commandLine().getOut().print(explanation.text());
        spec.commandLine().getOut().flush();
        return explanation.found() ? 0 : UNKNOWN_CODE;
    }
}
