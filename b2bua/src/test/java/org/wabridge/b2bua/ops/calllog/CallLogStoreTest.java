package org.wabridge.b2bua.ops.calllog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteConnection;
import org.wabridge.config.CallLogSettings;

class CallLogStoreTest {

    @TempDir
    Path dir;

    @Test
    void theSqliteFileIsOpenedWithoutFetchingGeneratedKeysAfterEachInsert() throws Exception {
        CallLogSettings settings =
                new CallLogSettings(true, dir.resolve("calls.db").toString(), null, Duration.ofDays(30), 1000);
        try (CallLogStore store = CallLogStore.open(settings)) {
            SQLiteConnection sqlite = store.connection().unwrap(SQLiteConnection.class);
            assertFalse(sqlite.getConnectionConfig().isGetGeneratedKeys(),
                    "the driver would run SELECT last_insert_rowid() after every timeline row");
            // the pragmas set after opening still hold
            try (Statement s = sqlite.createStatement(); ResultSet mode = s.executeQuery("PRAGMA journal_mode")) {
                assertTrue(mode.next());
                assertEquals("wal", mode.getString(1));
            }
        }
    }
}
