package org.wabridge.b2bua.ops.calllog;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.wabridge.b2bua.events.CallEnd;
import org.wabridge.b2bua.events.CallStart;
import org.wabridge.b2bua.events.Direction;
import org.wabridge.b2bua.ops.CallOutcome;
import org.wabridge.config.CallLogSettings;
import org.wabridge.media.MediaStats;
import org.wabridge.media.MediaStats.LegStats;

/**
 * The call log tables over one JDBC connection: {@code calls} (one row per call) and {@code call_events}
 * (its timeline). Plain SQL that SQLite and PostgreSQL both accept; times are epoch milliseconds (UTC).
 * Methods are synchronized: the writer thread and admin queries share the connection.
 */
public final class CallLogStore implements CallLogReader, AutoCloseable {

    private static final String[] LEG_FIELDS =
            {"packets_in", "bytes_in", "packets_out", "bytes_out", "dropped", "auth_failures", "longest_gap_ms"};

    private static final String CALL_COLUMNS = "call_id, started_at, direction, signaling, meta_call_id, request_id, "
            + "business_number, wa_user, outcome, ended_at, final_code, final_phrase, cause_id, reason, setup_ms, "
            + "duration_ms, " + legColumns("pbx") + ", " + legColumns("meta");

    /** Failed calls, and connected calls that ended on a fault (e.g. a media timeout). */
    private static final String FAILED = "(outcome = 'failed' OR (outcome = 'connected' AND cause_id IS NOT NULL))";

    /** The end of a call: ids, outcome, end fields and both legs' counters. */
    private static final String END_UPDATE = "UPDATE calls SET meta_call_id = COALESCE(meta_call_id, ?), outcome = ?, "
            + "ended_at = ?, final_code = ?, final_phrase = ?, cause_id = ?, reason = ?, setup_ms = ?, duration_ms = ?"
            + legAssignments("pbx") + legAssignments("meta") + " WHERE call_id = ?";

    private final Connection connection;
    /**
     * The writer's statements, prepared once: a call makes about twenty writes, and compiling the SQL of each again
     * was most of the call log's CPU (the busiest thread after the JIT at 300 calls/s, issue 11).
     */
    private final Map<String, PreparedStatement> writes = new HashMap<>();
    private final String where;

    private CallLogStore(Connection connection, String where) {
        this.connection = connection;
        this.where = where;
    }

    /** The JDBC connection, for tests that check how it was opened. */
    Connection connection() {
        return connection;
    }

    /** Opens (creating the file and tables when missing) the database the settings name. */
    public static CallLogStore open(CallLogSettings settings) throws CallLogException {
        String url = settings.effectiveJdbcUrl();
        String where = settings.maskedJdbcUrl();
        Connection c = connect(url, where);
        try {
            CallLogStore store = new CallLogStore(c, where);
            store.createSchema(url.startsWith("jdbc:sqlite:"));
            return store;
        } catch (SQLException e) {
            closeQuietly(c);
            throw new CallLogException("cannot create the call log tables in " + where + ": " + e.getMessage()
                    + " (check that the database user may create tables)", e);
        }
    }

    /**
     * Opens an existing call log to read it ({@code bridge calls}); unlike {@link #open} it does not create an
     * SQLite file that is not there, since that means the path is wrong.
     */
    public static CallLogStore openExisting(CallLogSettings settings) throws CallLogException {
        if (settings.jdbcUrl() == null) {
            Path file = Path.of(settings.file()).toAbsolutePath();
            if (!Files.isRegularFile(file)) {
                throw new CallLogException("no call log at " + file + " (callLog.file '" + settings.file() + "'"
                        + (Path.of(settings.file()).isAbsolute() ? "" : ", relative to the current directory")
                        + "): run this from the bridge's working directory, give callLog.file as an absolute path, "
                        + "or check that the bridge has handled a call", null);
            }
        }
        return open(settings);
    }

    private static Connection connect(String url, String where) throws CallLogException {
        try {
            Properties options = new Properties();
            if (url.startsWith("jdbc:sqlite:")) {
                // The driver otherwise runs a regex and a "SELECT last_insert_rowid()" after every INSERT, for keys
                // the call log never reads: more than half the writer thread's CPU (BENCHMARKS.md).
                options.setProperty("jdbc.get_generated_keys", "false");
            }
            return DriverManager.getConnection(url, options);
        } catch (SQLException e) {
            if ("08001".equals(e.getSQLState()) || String.valueOf(e.getMessage()).startsWith("No suitable driver")) {
                throw new CallLogException("no JDBC driver for " + where + " on the class path: copy the driver jar "
                        + "(for PostgreSQL org.postgresql:postgresql) into the bridge's lib directory "
                        + "(b2bua/target/lib for scripts/bridge), or remove "
                        + "callLog.jdbcUrl to use the built-in SQLite file", e);
            }
            throw new CallLogException("cannot open the call log database " + where + ": " + e.getMessage()
                    + " (check callLog.file / callLog.jdbcUrl, the directory's permissions and the database server)", e);
        }
    }

    private void createSchema(boolean sqlite) throws SQLException {
        try (Statement s = connection.createStatement()) {
            if (sqlite) {
                // WAL lets `bridge calls` read while the bridge writes; busy_timeout rides out short locks.
                s.execute("PRAGMA journal_mode=WAL");
                s.execute("PRAGMA busy_timeout=5000");
                // In WAL mode NORMAL syncs at checkpoints, not at every commit: the writer's fsync per batch cost
                // more CPU than the rest of a call's signalling (BENCHMARKS.md). A power cut may lose the last
                // rows written; it cannot corrupt the file.
                s.execute("PRAGMA synchronous=NORMAL");
            }
            StringBuilder legs = new StringBuilder();
            for (String leg : new String[] {"pbx", "meta"}) {
                for (String f : LEG_FIELDS) {
                    legs.append(", ").append(leg).append('_').append(f).append(" BIGINT");
                }
            }
            s.execute("CREATE TABLE IF NOT EXISTS calls (call_id TEXT PRIMARY KEY, started_at BIGINT NOT NULL, "
                    + "direction TEXT, signaling TEXT NOT NULL, meta_call_id TEXT, request_id TEXT, "
                    + "business_number TEXT, wa_user TEXT, outcome TEXT NOT NULL, ended_at BIGINT, final_code INTEGER, "
                    + "final_phrase TEXT, cause_id TEXT, reason TEXT, setup_ms BIGINT, duration_ms BIGINT" + legs + ")");
            s.execute("CREATE INDEX IF NOT EXISTS calls_started_at ON calls (started_at)");
            s.execute("CREATE INDEX IF NOT EXISTS calls_meta_call_id ON calls (meta_call_id)");
            s.execute("CREATE TABLE IF NOT EXISTS call_events (call_id TEXT NOT NULL, seq BIGINT NOT NULL, "
                    + "event_at BIGINT NOT NULL, kind TEXT NOT NULL, leg TEXT, outgoing INTEGER, detail TEXT, "
                    + "PRIMARY KEY (call_id, seq))");
            s.execute("CREATE INDEX IF NOT EXISTS call_events_at ON call_events (event_at)");
        }
    }

    // ---------------------------------------------------------------- writes (writer thread)

    synchronized void recordStart(CallStart start) throws SQLException {
        String requestId = start.direction() == Direction.USER_INITIATED ? start.callId() : null;
        PreparedStatement p = write("INSERT INTO calls (call_id, started_at, direction, "
                + "signaling, request_id, business_number, wa_user, outcome) VALUES (?, ?, ?, 'SIP', ?, ?, ?, ?)");
        p.setString(1, start.callId());
        p.setLong(2, start.at().toEpochMilli());
        p.setString(3, start.direction().name());
        p.setString(4, requestId);
        p.setString(5, start.businessNumber());
        p.setString(6, start.waUser());
        p.setString(7, CallOutcome.IN_PROGRESS.label());
        p.executeUpdate();
    }

    synchronized void recordEvent(String callId, long seq, TimelineEntry e) throws SQLException {
        PreparedStatement p = write("INSERT INTO call_events (call_id, seq, event_at, kind, "
                + "leg, outgoing, detail) VALUES (?, ?, ?, ?, ?, ?, ?)");
        p.setString(1, callId);
        p.setLong(2, seq);
        p.setLong(3, e.at().toEpochMilli());
        p.setString(4, e.kind());
        p.setString(5, e.leg());
        if (e.outgoing() == null) {
            p.setNull(6, Types.INTEGER);
        } else {
            p.setInt(6, e.outgoing() ? 1 : 0);
        }
        p.setString(7, e.detail());
        p.executeUpdate();
    }

    /** Sets one of the ids learned during the call ({@code meta_call_id} or {@code request_id}) if not yet known. */
    synchronized void recordId(String callId, String column, String value) throws SQLException {
        if (!column.equals("meta_call_id") && !column.equals("request_id")) {
            throw new IllegalArgumentException(column);
        }
        PreparedStatement p = write("UPDATE calls SET " + column + " = ? WHERE call_id = ? AND " + column + " IS NULL");
        p.setString(1, value);
        p.setString(2, callId);
        p.executeUpdate();
    }

    synchronized void recordEnd(CallEnd end) throws SQLException {
        PreparedStatement update = write(END_UPDATE);
        int i = bindEndFrom(update, end, 0);
        update.setString(i, end.callId());
        int updated = update.executeUpdate();
        if (updated == 0) {
            // The start was never recorded (dropped from a full queue): keep what the end tells.
            Instant started = end.duration() == null ? end.at() : end.at().minus(end.duration());
            try (PreparedStatement p = connection.prepareStatement("INSERT INTO calls (call_id, started_at, signaling, "
                    + "meta_call_id, outcome, ended_at, final_code, final_phrase, cause_id, reason, setup_ms, duration_ms, "
                    + legColumns("pbx") + ", " + legColumns("meta") + ") VALUES (?, ?, 'SIP'" + ", ?".repeat(23) + ")")) {
                p.setString(1, end.callId());
                p.setLong(2, started.toEpochMilli());
                bindEndFrom(p, end, 2);
                p.executeUpdate();
            }
        }
    }

    /** The cached statement for {@code sql} (writer thread, under this store's monitor). */
    private PreparedStatement write(String sql) throws SQLException {
        PreparedStatement p = writes.get(sql);
        if (p == null) {
            p = connection.prepareStatement(sql);
            writes.put(sql, p);
        }
        return p;
    }

    /** Binds meta call id, outcome, end fields and 14 media counters after {@code offset}; the next index. */
    private static int bindEndFrom(PreparedStatement p, CallEnd end, int offset) throws SQLException {
        int i = offset + 1;
        p.setString(i++, end.metaCallId());
        p.setString(i++, CallOutcome.of(end).label());
        p.setLong(i++, end.at().toEpochMilli());
        p.setInt(i++, end.finalCode());
        p.setString(i++, end.finalPhrase());
        p.setString(i++, end.causeId());
        p.setString(i++, end.reason());
        setMillis(p, i++, end.setupTime());
        setMillis(p, i++, end.duration());
        MediaStats media = end.media();
        for (LegStats leg : new LegStats[] {media == null ? null : media.pbx(), media == null ? null : media.meta()}) {
            long[] values = leg == null ? new long[LEG_FIELDS.length] : new long[] {leg.packetsIn(), leg.bytesIn(),
                    leg.packetsOut(), leg.bytesOut(), leg.dropped(), leg.authFailures(), leg.longestGapMillis()};
            for (long v : values) {
                p.setLong(i++, v);
            }
        }
        return i;
    }

    /** The reason written on calls a restart found still in progress. */
    public static final String INTERRUPTED_BY_RESTART =
            "interrupted by restart: the bridge stopped (killed or crashed) while the call was up";

    /**
     * Closes the rows of calls a previous run left in progress (it was killed before it could end them): outcome
     * failed, ended at their last timeline entry (or their start), {@link #INTERRUPTED_BY_RESTART} as the reason.
     * Only for a call log this bridge alone writes; the number of rows closed.
     */
    synchronized int closeInterrupted() throws SQLException {
        try (PreparedStatement p = connection.prepareStatement("UPDATE calls SET outcome = ?, reason = ?, "
                + "ended_at = COALESCE((SELECT MAX(e.event_at) FROM call_events e WHERE e.call_id = calls.call_id), "
                + "started_at) WHERE outcome = ?")) {
            p.setString(1, CallOutcome.FAILED.label());
            p.setString(2, INTERRUPTED_BY_RESTART);
            p.setString(3, CallOutcome.IN_PROGRESS.label());
            int closed = p.executeUpdate();
            if (closed > 0) {
                try (PreparedStatement d = connection.prepareStatement("UPDATE calls SET duration_ms = ended_at - "
                        + "started_at WHERE reason = ? AND duration_ms IS NULL")) {
                    d.setString(1, INTERRUPTED_BY_RESTART);
                    d.executeUpdate();
                }
            }
            return closed;
        }
    }

    /** Deletes calls started before {@code cutoff} and timeline entries older than it; the number of calls deleted. */
    synchronized int purgeBefore(Instant cutoff) throws SQLException {
        try (PreparedStatement calls = connection.prepareStatement("DELETE FROM calls WHERE started_at < ?");
             PreparedStatement events = connection.prepareStatement("DELETE FROM call_events WHERE event_at < ?")) {
            calls.setLong(1, cutoff.toEpochMilli());
            events.setLong(1, cutoff.toEpochMilli());
            int deleted = calls.executeUpdate();
            events.executeUpdate();
            return deleted;
        }
    }

    /** Runs the writes in one transaction; on failure nothing of them stays. */
    synchronized void inTransaction(SqlWork work) throws SQLException {
        connection.setAutoCommit(false);
        try {
            work.run();
            connection.commit();
        } catch (SQLException | RuntimeException e) {
            connection.rollback();
            throw e;
        } finally {
            connection.setAutoCommit(true);
        }
    }

    interface SqlWork {
        void run() throws SQLException;
    }

    // ---------------------------------------------------------------- reads

    @Override
    public synchronized List<CallRecord> calls(CallQuery query) throws CallLogException {
        String sql = "SELECT " + CALL_COLUMNS + " FROM calls WHERE started_at >= ?"
                + (query.failedOnly() ? " AND " + FAILED : "") + " ORDER BY started_at DESC, call_id LIMIT ?";
        try (PreparedStatement p = connection.prepareStatement(sql)) {
            p.setLong(1, query.since() == null ? Long.MIN_VALUE : query.since().toEpochMilli());
            p.setInt(2, query.limit());
            List<CallRecord> result = new ArrayList<>();
            try (ResultSet r = p.executeQuery()) {
                while (r.next()) {
                    result.add(callFrom(r, List.of()));
                }
            }
            return result;
        } catch (SQLException e) {
            throw readFailure(e);
        }
    }

    @Override
    public synchronized Optional<CallRecord> call(String id) throws CallLogException {
        try (PreparedStatement p = connection.prepareStatement("SELECT " + CALL_COLUMNS
                + " FROM calls WHERE call_id = ? OR meta_call_id = ? ORDER BY started_at DESC LIMIT 1")) {
            p.setString(1, id);
            p.setString(2, id);
            try (ResultSet r = p.executeQuery()) {
                if (!r.next()) {
                    return Optional.empty();
                }
                String callId = r.getString("call_id");
                return Optional.of(callFrom(r, events(callId)));
            }
        } catch (SQLException e) {
            throw readFailure(e);
        }
    }

    private List<TimelineEntry> events(String callId) throws SQLException {
        try (PreparedStatement p = connection.prepareStatement("SELECT event_at, kind, leg, outgoing, detail "
                + "FROM call_events WHERE call_id = ? ORDER BY event_at, seq")) {
            p.setString(1, callId);
            List<TimelineEntry> result = new ArrayList<>();
            try (ResultSet r = p.executeQuery()) {
                while (r.next()) {
                    int outgoing = r.getInt("outgoing");
                    Boolean out = r.wasNull() ? null : outgoing == 1;
                    result.add(new TimelineEntry(Instant.ofEpochMilli(r.getLong("event_at")), r.getString("kind"),
                            r.getString("leg"), out, r.getString("detail")));
                }
            }
            return List.copyOf(result);
        }
    }

    private static CallRecord callFrom(ResultSet r, List<TimelineEntry> events) throws SQLException {
        String direction = r.getString("direction");
        Long endedAt = longOrNull(r, "ended_at");
        Long finalCode = longOrNull(r, "final_code");
        Long setup = longOrNull(r, "setup_ms");
        Long duration = longOrNull(r, "duration_ms");
        MediaStats media = endedAt == null ? null : new MediaStats(leg(r, "pbx"), leg(r, "meta"));
        return new CallRecord(r.getString("call_id"), Instant.ofEpochMilli(r.getLong("started_at")),
                direction == null ? null : Direction.valueOf(direction), r.getString("signaling"),
                r.getString("meta_call_id"), r.getString("request_id"), r.getString("business_number"),
                r.getString("wa_user"), CallOutcome.fromLabel(r.getString("outcome")),
                endedAt == null ? null : Instant.ofEpochMilli(endedAt), finalCode == null ? null : finalCode.intValue(),
                r.getString("final_phrase"), r.getString("cause_id"), r.getString("reason"),
                setup == null ? null : Duration.ofMillis(setup), duration == null ? null : Duration.ofMillis(duration),
                media, events);
    }

    private static LegStats leg(ResultSet r, String leg) throws SQLException {
        long[] v = new long[LEG_FIELDS.length];
        for (int i = 0; i < v.length; i++) {
            v[i] = r.getLong(leg + "_" + LEG_FIELDS[i]);
        }
        return new LegStats(v[0], v[1], v[2], v[3], v[4], v[5], v[6]);
    }

    private static Long longOrNull(ResultSet r, String column) throws SQLException {
        long v = r.getLong(column);
        return r.wasNull() ? null : v;
    }

    private static void setMillis(PreparedStatement p, int index, Duration d) throws SQLException {
        if (d == null) {
            p.setNull(index, Types.BIGINT);
        } else {
            p.setLong(index, d.toMillis());
        }
    }

    private static String legAssignments(String leg) {
        StringBuilder sb = new StringBuilder();
        for (String f : LEG_FIELDS) {
            sb.append(", ").append(leg).append('_').append(f).append(" = ?");
        }
        return sb.toString();
    }

    private static String legColumns(String leg) {
        StringBuilder s = new StringBuilder();
        for (String f : LEG_FIELDS) {
            s.append(s.length() == 0 ? "" : ", ").append(leg).append('_').append(f);
        }
        return s.toString();
    }

    private CallLogException readFailure(SQLException e) {
        return new CallLogException("cannot read the call log " + where + ": " + e.getMessage(), e);
    }

    @Override
    public synchronized void close() {
        for (PreparedStatement p : writes.values()) {
            try {
                p.close();
            } catch (SQLException ignored) {
                // closing: the connection goes next
            }
        }
        writes.clear();
        closeQuietly(connection);
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException ignored) {
            // closing: nothing left to do with it
        }
    }
}
