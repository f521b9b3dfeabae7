package org.wabridge.b2bua.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.wabridge.config.BridgeConfig;
import org.wabridge.config.MetaSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bridge meta-settings -c FILE}: what to POST to Meta for every number of this configuration. */
@Command(name = "meta-settings", mixinStandardHelpOptions = true,
        description = "Print the JSON to POST to https://graph.facebook.com/<version>/<PHONE_NUMBER_ID>/settings "
                + "for each business number, so Meta's settings match this configuration.")
final class MetaSettingsCommand implements Callable<Integer> {

    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "bridge YAML file")
    Path config;

    @Override
    public Integer call() {
        BridgeConfig cfg = ConfigFiles.loadChecked(config, System.err);
        if (cfg == null) {
            return 1;
        }
        System.out.println(MetaSettings.json(cfg));
        System.err.println("POST it for each of: " + cfg.meta().numbers().stream().map(n -> n.number()).toList()
                + "; then GET .../settings?include_sip_credentials=true for each number's SIP password "
                + "(meta.numbers[].password), and GET again to confirm srtp_key_exchange_protocol is SDES.");
        return 0;
    }
}
