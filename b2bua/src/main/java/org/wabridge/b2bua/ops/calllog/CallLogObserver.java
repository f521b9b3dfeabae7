package org.wabridge.b2bua.ops.calllog;

import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.wabridge.b2bua.events.CallEnd;
import org.wabridge.b2bua.events.CallEvent;
import org.wabridge.b2bua.events.CallObserver;
import org.wabridge.b2bua.events.CallStart;
import org.wabridge.b2bua.events.SipMessageEvent;
import org.wabridge.config.CallLogSettings;

/**
 * Writes every call and its timeline to the call log. Observer methods only put a write on a bounded queue
 * (never waiting: when the queue is full the write is dropped and counted); one background thread applies
 * the writes in small transactions and purges calls older than the retention period once an hour.
 */
public final class CallLogObserver implements CallObserver, CallLogReader, AutoCloseable {

    /** A {@link CallEvent} kind the bridge may send with the Call-ID of its own INVITE toward Meta. */
    public static final String REQUEST_ID_EVENT = "request-id";
    /** The {@link CallEvent} kind the bridge sends with Meta's call id. */
    public static final String META_CALL_ID_EVENT = "meta-call-id";

    static final Duration PURGE_INTERVAL = Duration.ofHours(1);
    static final Duration DROP_LOG_INTERVAL = Duration.ofMinutes(1);
    private static final int BATCH = 256;
    /**
     * How long the writer lets writes gather after the first one before it commits them together. A commit costs
     * about as much as twenty rows: committing each call's few rows at once took 3-4 ms of CPU per call at 20-100
     * calls/s, most of a call's signalling cost (BENCHMARKS.md). Rows show up in the call log this much later.
     */
    static final long GATHER_MILLIS = 50;
    private static final Logger LOG = LoggerFactory.getLogger(CallLogObserver.class);

    private final CallLogStore store;
    private final Duration retention;
    private final Clock clock;
    private final BlockingQueue<Write> queue;
    private final Thread writer;
    private final AtomicLong sequence = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong lastDropLog = new AtomicLong(Long.MIN_VALUE / 2);
    private volatile boolean closing;
    private Instant nextPurge;

    /** A change to the database, applied on the writer thread. */
    interface Write {
        void apply(CallLogStore store) throws SQLException;
    }

    CallLogObserver(CallLogStore store, Duration retention, int queueSize, Clock clock) {
        this.store = store;
        this.retention = retention;
        this.clock = clock;
        this.queue = new ArrayBlockingQueue<>(queueSize);
        this.nextPurge = clock.instant();
        this.writer = new Thread(this::writeLoop, "call-log-writer");
        writer.setDaemon(true);
        writer.start();
    }

    /** Opens the database the settings name and starts the writer thread. */
    public static CallLogObserver open(CallLogSettings settings) throws CallLogException {
        return open(settings, Clock.systemUTC());
    }

    static CallLogObserver open(CallLogSettings settings, Clock clock) throws CallLogException {
        CallLogStore store = CallLogStore.open(settings);
        LOG.info("call log: {} (retention {} days)", settings.maskedJdbcUrl(), settings.retention().toDays());
        if (settings.jdbcUrl() == null) {
            // The SQLite file is this bridge's alone: a row still in progress is a call the last run never ended.
            // A shared database (callLog.jdbcUrl) may hold other bridges' live calls, so it is left alone.
            try {
                int closed = store.closeInterrupted();
                if (closed > 0) {
                    LOG.warn("call log: {} call(s) left in progress by the last run closed as interrupted by restart",
                            closed);
                }
            } catch (SQLException e) {
                LOG.warn("call log: cannot close the calls the last run left in progress: {}", e.getMessage());
            }
        }
        return new CallLogObserver(store, settings.retention(), settings.queueSize(), clock);
    }

    // ---------------------------------------------------------------- CallObserver (SIP and relay threads)

    @Override
    public void callStarted(CallStart start) {
        offer(s -> s.recordStart(start));
    }

    @Override
    public void sipMessage(SipMessageEvent m) {
        long seq = sequence.incrementAndGet();
        TimelineEntry entry = new TimelineEntry(m.at(), TimelineEntry.SIP, m.leg(), m.outgoing(), m.firstLine());
        offer(s -> s.recordEvent(m.callId(), seq, entry));
    }

    @Override
    public void callEvent(CallEvent e) {
        long seq = sequence.incrementAndGet();
        TimelineEntry entry = new TimelineEntry(e.at(), e.kind(), null, null, e.detail());
        String idColumn = switch (e.kind()) {
            case META_CALL_ID_EVENT -> "meta_call_id";
            case REQUEST_ID_EVENT -> "request_id";
            default -> null;
        };
        offer(s -> {
            s.recordEvent(e.callId(), seq, entry);
            if (idColumn != null && e.detail() != null) {
                s.recordId(e.callId(), idColumn, e.detail());
            }
        });
    }

    @Override
    public void callEnded(CallEnd end) {
        long seq = sequence.incrementAndGet();
        TimelineEntry entry = new TimelineEntry(end.at(), "ended", null, null,
                end.finalCode() + " " + end.finalPhrase() + (end.causeId() == null ? "" : " [" + end.causeId() + "]")
                        + (end.reason() == null ? "" : ": " + end.reason()));
        offer(s -> {
            s.recordEnd(end);
            s.recordEvent(end.callId(), seq, entry);
        });
    }

    /** Queues a write of call data; counts it as dropped when it cannot be queued. */
    boolean offer(Write write) {
        if (enqueue(write)) {
            return true;
        }
        long total = dropped.incrementAndGet();
        long now = clock.millis();
        long last = lastDropLog.get();
        if (now - last >= DROP_LOG_INTERVAL.toMillis() && lastDropLog.compareAndSet(last, now)) {
            LOG.warn("call log: {} write(s) dropped so far because {}; calls go on, but their log is incomplete",
                    total, closing ? "the call log is closing"
                            : "the write queue is full (" + queue.size() + " waiting): the database is too slow or "
                            + "unreachable; check the disk or the database server, or raise callLog.queueSize");
        }
        return false;
    }

    private boolean enqueue(Write write) {
        return !closing && queue.offer(write);
    }

    // ---------------------------------------------------------------- writer thread

    private void writeLoop() {
        List<Write> batch = new ArrayList<>(BATCH);
        purgeWhenDue(); // first at start, before any write: a restarted bridge cleans up at once
        while (true) {
            try {
                Write first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first != null) {
                    batch.add(first);
                    queue.drainTo(batch, BATCH - 1);
                    if (batch.size() < BATCH && !closing) {
                        Thread.sleep(GATHER_MILLIS); // a full batch is worth its commit already
                        queue.drainTo(batch, BATCH - batch.size());
                    }
                    apply(batch);
                    batch.clear();
                } else if (closing) {
                    break;
                }
                purgeWhenDue();
            } catch (InterruptedException e) {
                break;
            }
        }
        List<Write> rest = new ArrayList<>(batch); // what an interrupt caught gathering
        queue.drainTo(rest);
        if (!rest.isEmpty()) {
            apply(rest);
        }
    }

    private void apply(List<Write> batch) {
        try {
            store.inTransaction(() -> {
                for (Write w : batch) {
                    w.apply(store);
                }
            });
        } catch (SQLException | RuntimeException batchFailure) {
            // One bad write must not take the others with it: retry them one by one.
            for (Write w : batch) {
                try {
                    store.inTransaction(() -> w.apply(store));
                } catch (SQLException | RuntimeException e) {
                    if (failed.incrementAndGet() == 1 || failed.get() % 1000 == 0) {
                        LOG.warn("call log: a write failed ({} so far): {}", failed.get(), e.toString());
                    }
                }
            }
        }
        for (Write w : batch) {
            if (w instanceof Flush f) {
                f.done().complete(null);
            }
        }
    }

    /** Completes once the writes queued before it are committed (after the batch, not inside it). */
    private record Flush(CompletableFuture<Void> done) implements Write {
        @Override
        public void apply(CallLogStore store) {}
    }

    private void purgeWhenDue() {
        Instant now = clock.instant();
        if (now.isBefore(nextPurge)) {
            return;
        }
        nextPurge = now.plus(PURGE_INTERVAL);
        try {
            int deleted = store.purgeBefore(now.minus(retention));
            if (deleted > 0) {
                LOG.info("call log: deleted {} call(s) older than {} days", deleted, retention.toDays());
            }
        } catch (SQLException e) {
            LOG.warn("call log: purge of old calls failed, will retry in an hour: {}", e.toString());
        }
    }

    // ---------------------------------------------------------------- control and queries

    /** Completes once every write queued before it is in the database (fails when the queue is full). */
    public CompletableFuture<Void> flush() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (!enqueue(new Flush(done))) {
            done.completeExceptionally(new IllegalStateException("the call log queue is full or closed"));
        }
        return done;
    }

    /** Deletes calls older than the retention period now (after the writes already queued); the count deleted. */
    public CompletableFuture<Integer> purgeNow() {
        CompletableFuture<Integer> done = new CompletableFuture<>();
        if (!enqueue(s -> done.complete(s.purgeBefore(clock.instant().minus(retention))))) {
            done.completeExceptionally(new IllegalStateException("the call log queue is full or closed"));
        }
        return done;
    }

    /** Writes dropped because the queue was full (or the log closing) since start. */
    public long droppedWrites() {
        return dropped.get();
    }

    /** Writes the database refused since start. */
    public long failedWrites() {
        return failed.get();
    }

    @Override
    public List<CallRecord> calls(CallQuery query) throws CallLogException {
        return store.calls(query);
    }

    @Override
    public Optional<CallRecord> call(String id) throws CallLogException {
        return store.call(id);
    }

    /** Stops taking writes, applies the ones queued (waiting up to 10 s) and closes the database. */
    @Override
    public void close() {
        closing = true;
        try {
            writer.join(Duration.ofSeconds(10).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (writer.isAlive()) {
            LOG.warn("call log: {} write(s) still queued at shutdown are lost", queue.size());
            writer.interrupt();
        }
        store.close();
    }
}
