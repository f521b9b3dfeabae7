package org.wabridge.b2bua.cli;

import org.wabridge.b2bua.causes.ExplainCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code bridge}: the command line an admin uses (run, check, demo, sandbox, explain). */
@Command(name = "bridge", mixinStandardHelpOptions = true, version = "wa-sip-bridge 0.1.0",
        description = "SIP bridge between a PBX (Asterisk, FreeSWITCH) and WhatsApp Business Calling.",
        subcommands = {RunCommand.class, CheckCommand.class, DemoCommand.class, ExplainCommand.class,
                MetaSettingsCommand.class, CaptureCommand.class, org.wabridge.b2bua.ops.CallsCommand.class,
                org.wabridge.b2bua.ops.CallCommand.class, SandboxCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        ProcessLogging.install();
        System.exit(new CommandLine(new Main()).execute(args));
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
