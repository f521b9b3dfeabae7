package org.wabridge.media.ice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.ice4j.ice.harvest.HarvestConfig;
import org.junit.jupiter.api.Test;

/**
 * ice4j stays off the network: the harvesters that reach out are disabled before ice4j's configuration is read,
 * and this package's code refers to no ice4j class that could create an Agent, a harvester, a socket or a stack.
 */
class Ice4jOfflineTest {

    @Test
    void usingTheCodecDisablesIce4jsNetworkHarvestersInItsEffectiveConfiguration() {
        StunCodec.isStun(new byte[20], 0, 20); // the first use of the package
        assertEquals("false", System.getProperty("ice4j.harvest.mapping.aws.enabled"));
        assertEquals("true", System.getProperty("org.ice4j.ice.harvest.DISABLE_AWS_HARVESTER"));
        // what an Agent would read: ice4j's own configuration object (reading it creates nothing)
        assertFalse(HarvestConfig.config.enableAwsHarvester(), "AWS metadata harvester enabled");
        assertTrue(HarvestConfig.config.stunMappingCandidateHarvesterAddresses().isEmpty());
    }

    /**
     * Only ice4j's message and attribute classes (and their exception and address types) are referenced. The one
     * exception is {@code StunStack} as the parameter type in the descriptor of {@code Message.encode(StunStack)},
     * which {@link StunCodec} calls with null: a class constant for it (any use of the class itself) fails.
     */
    @Test
    void theIcePackageReferencesNoIce4jAgentStackSocketOrHarvester() throws IOException, URISyntaxException {
        Path classes = Path.of(StunCodec.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .resolve("org/wabridge/media/ice");
        Set<String> referenced = new TreeSet<>();
        Pattern ref = Pattern.compile("org/ice4j/[A-Za-z0-9_/$]+");
        List<Path> files;
        try (Stream<Path> s = Files.list(classes)) {
            files = s.filter(p -> p.toString().endsWith(".class")).toList();
        }
        assertTrue(files.size() >= 2, files.toString());
        for (Path f : files) {
            String bytes = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
            Matcher m = ref.matcher(bytes);
            while (m.find()) {
                boolean encodeDescriptor = m.group().equals("org/ice4j/stack/StunStack") && m.start() > 1
                        && bytes.startsWith("(L", m.start() - 2) && bytes.startsWith(";)[B", m.end());
                if (!encodeDescriptor) {
                    referenced.add(m.group());
                }
            }
        }
        assertFalse(referenced.isEmpty());
        for (String r : referenced) {
            assertTrue(r.startsWith("org/ice4j/message/") || r.startsWith("org/ice4j/attribute/")
                    || r.equals("org/ice4j/StunException") || r.equals("org/ice4j/TransportAddress")
                    || r.equals("org/ice4j/Transport"), "the ice package refers to " + r + " (all: " + referenced + ")");
        }
    }
}
