package org.wabridge.b2bua.ops;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;
import org.wabridge.b2bua.events.CallObserver;
import org.wabridge.b2bua.ops.admin.AdminServer;
import org.wabridge.b2bua.ops.calllog.CallLogException;
import org.wabridge.b2bua.ops.calllog.CallLogObserver;
import org.wabridge.b2bua.ops.metrics.MetricsObserver;
import org.wabridge.config.BridgeConfig;

/**
 * Everything an admin operates the bridge with, started from the configuration: the call log (when
 * {@code callLog.enabled}), the metrics and the admin HTTP API (when {@code admin.enabled}). Pass
 * {@link #observer()} to the B2BUA; close this after the B2BUA so that the last calls' ends are written.
 */
public final class Operations implements AutoCloseable {

    private final MetricsObserver metrics;
    private final CallLogObserver callLog;
    private final AdminServer admin;
    private final FanOutObserver observer;

    private Operations(MetricsObserver metrics, CallLogObserver callLog, AdminServer admin) {
        this.metrics = metrics;
        this.callLog = callLog;
        this.admin = admin;
        List<CallObserver> all = new ArrayList<>();
        if (callLog != null) {
            all.add(callLog);
        }
        all.add(metrics);
        this.observer = new FanOutObserver(all);
    }

    /** As {@link #start(BridgeConfig, IntSupplier, BooleanSupplier)}, counting active calls from the events. */
    public static Operations start(BridgeConfig config, BooleanSupplier ready) throws CallLogException, IOException {
        return start(config, null, ready);
    }

    /**
     * @param activeCalls calls in progress, read at each metrics scrape (may read a B2BUA created later);
     *                    null counts the calls the observer saw start and not end
     * @param ready       true while the bridge takes calls ({@code /health})
     * @throws CallLogException the call log database cannot be opened (the message says what to check)
     * @throws IOException      the admin API cannot listen on its address (the message says what to change)
     */
    public static Operations start(BridgeConfig config, IntSupplier activeCalls, BooleanSupplier ready)
            throws CallLogException, IOException {
        return start(config, activeCalls, ready, null);
    }

    /** As above; {@code captureNext} (nullable) is what the admin API's {@code POST /capture?calls=N} calls. */
    public static Operations start(BridgeConfig config, IntSupplier activeCalls, BooleanSupplier ready,
                                   java.util.function.IntConsumer captureNext) throws CallLogException, IOException {
        MetricsObserver metrics = new MetricsObserver(activeCalls);
        CallLogObserver callLog = config.callLog().enabled() ? CallLogObserver.open(config.callLog()) : null;
        if (callLog != null) {
            metrics.watchCallLog(callLog, CallLogObserver::droppedWrites, CallLogObserver::failedWrites);
        }
        AdminServer admin = null;
        if (config.admin().enabled()) {
            try {
                admin = AdminServer.start(config.admin(), ready, metrics, callLog, captureNext);
            } catch (IOException e) {
                if (callLog != null) {
                    callLog.close();
                }
                throw e;
            }
        }
        return new Operations(metrics, callLog, admin);
    }

    /** The observer to give the B2BUA: call log and metrics. */
    public CallObserver observer() {
        return observer;
    }

    public MetricsObserver metrics() {
        return metrics;
    }

    public Optional<CallLogObserver> callLog() {
        return Optional.ofNullable(callLog);
    }

    public Optional<AdminServer> admin() {
        return Optional.ofNullable(admin);
    }

    /** Stops the admin API, then writes the queued call log entries and closes the database. */
    @Override
    public void close() {
        if (admin != null) {
            admin.close();
        }
        if (callLog != null) {
            callLog.close();
        }
    }
}
