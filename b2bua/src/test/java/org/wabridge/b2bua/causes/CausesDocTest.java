package org.wabridge.b2bua.causes;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** docs/CAUSES.md is what admins read; it must list every cause the bridge can report. */
class CausesDocTest {

    @Test
    void docsMentionEveryCatalogId() throws IOException {
        // Maven runs tests with the module directory (b2bua/) as working directory.
        Path doc = Path.of("..", "docs", "CAUSES.md");
        assertTrue(Files.isRegularFile(doc), "missing " + doc.toAbsolutePath().normalize());
        String text = Files.readString(doc);
        List<String> missing = new ArrayList<>();
        for (MetaCause cause : CauseCatalog.builtIn().all()) {
            if (!text.contains("`" + cause.id() + "`")) {
                missing.add(cause.id());
            }
        }
        assertTrue(missing.isEmpty(), "docs/CAUSES.md does not mention " + missing);
    }
}
