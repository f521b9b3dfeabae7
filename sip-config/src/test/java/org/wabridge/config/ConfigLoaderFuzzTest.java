package org.wabridge.config;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.mutation.annotation.NotNull;
import java.util.Map;

/**
 * Any text as a configuration file: a {@link BridgeConfig} or a {@link ConfigException} listing problems, never
 * another exception. Seeds: {@code ConfigLoaderFuzzTestInputs/}; {@code scripts/fuzz ConfigLoaderFuzzTest SECONDS}.
 */
class ConfigLoaderFuzzTest {

    private static final Map<String, String> ENV = Map.of("META_SIP_PASSWORD", "fuzz-secret", "PORT", "5060",
            "EMPTY", "");

    @FuzzTest(maxDuration = "10m")
    void configLoader(@NotNull String yaml) {
        try {
            assertNotNull(ConfigLoader.parse(yaml, "fuzz.yaml", ENV));
        } catch (ConfigException e) {
            assertFalse(e.problems().isEmpty(), "a refusal lists its problems");
            for (Problem p : e.problems()) {
                assertNotNull(p.message());
            }
        }
    }
}
