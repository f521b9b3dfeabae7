package org.wabridge.b2bua.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.wabridge.config.BridgeConfig;
import org.wabridge.config.BusinessNumber;
import org.wabridge.config.MetaSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bridge meta-settings -c FILE}: what to POST to Meta for every number of this configuration. */
@Command(name = "meta-settings", mixinStandardHelpOptions = true,
        description = "Print the JSON to POST to https://graph.facebook.com/<version>/<PHONE_NUMBER_ID>/settings "
                + "for each business number, so Meta's settings match this configuration. Numbers with different "
                + "srtpKeyExchange need different JSON: each is printed after a '# POST for' line, or use -n.")
final class MetaSettingsCommand implements Callable<Integer> {

    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "bridge YAML file")
    Path config;

    @Option(names = {"-n", "--number"}, paramLabel = "E164",
            description = "print only this number's JSON (one of meta.numbers), e.g. to pipe it to curl")
    String number;

    @Override
    public Integer call() {
        BridgeConfig cfg = ConfigFiles.loadChecked(config, System.err);
        if (cfg == null) {
            return 1;
        }
        List<BusinessNumber> numbers = cfg.meta().numbers();
        if (number != null) {
            String wanted = number.startsWith("+") ? number : "+" + number;
            numbers = numbers.stream().filter(n -> n.number().equals(wanted)).toList();
            if (numbers.isEmpty()) {
                System.err.println(number + " is not one of meta.numbers: " + names(cfg.meta().numbers()));
                return 1;
            }
        }
        // Only the keying differs between numbers: one JSON per keying, so a single-keying file prints plain JSON.
        Map<String, List<BusinessNumber>> byJson = new LinkedHashMap<>();
        for (BusinessNumber n : numbers) {
            byJson.computeIfAbsent(MetaSettings.json(cfg, n), json -> new ArrayList<>()).add(n);
        }
        boolean several = byJson.size() > 1;
        byJson.forEach((json, group) -> {
            if (several) {
                System.out.println("# POST for " + String.join(", ", names(group)));
            }
            System.out.println(json);
        });
        System.err.println("POST the JSON above to /<PHONE_NUMBER_ID>/settings of each of: " + names(numbers)
                + "; then GET .../settings?include_sip_credentials=true for each number's SIP password "
                + "(meta.numbers[].password).");
        for (List<BusinessNumber> group : byJson.values()) {
            System.err.println(names(group) + ", srtp_key_exchange_protocol " + group.get(0).srtpKeyExchange() + ":");
            MetaSettings.notes(cfg, group.get(0)).forEach(line -> System.err.println("  " + line));
        }
        return 0;
    }

    private static List<String> names(List<BusinessNumber> numbers) {
        return numbers.stream().map(BusinessNumber::number).toList();
    }
}
