package org.wabridge.b2bua.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.wabridge.b2bua.B2bua;
import org.wabridge.b2bua.BridgeException;
import org.wabridge.b2bua.capture.CallCaptures;
import org.wabridge.b2bua.causes.CauseCatalog;
import org.wabridge.b2bua.events.CallObserver;
import org.wabridge.b2bua.ops.Operations;
import org.wabridge.b2bua.ops.calllog.CallLogException;
import org.wabridge.config.BridgeConfig;
import org.wabridge.media.MediaRelay;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bridge run -c FILE}: runs the bridge until SIGTERM/SIGINT, then ends live calls cleanly. */
@Command(name = "run", mixinStandardHelpOptions = true, description = "Run the bridge.")
final class RunCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(RunCommand.class);

    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "bridge YAML file")
    Path config;

    @Option(names = "--drain-seconds", defaultValue = "30", paramLabel = "S",
            description = "on SIGTERM: refuse new calls (503) and let live calls finish for up to S seconds, "
                    + "then end the rest with BYE on both legs (default: ${DEFAULT-VALUE})")
    int drainSeconds;

    @Override
    public Integer call() throws InterruptedException {
        BridgeConfig cfg = ConfigFiles.loadChecked(config, System.err);
        if (cfg == null) {
            return 1;
        }
        java.util.concurrent.atomic.AtomicReference<Running> started = new java.util.concurrent.atomic.AtomicReference<>();
        CallCaptures captures = CallCaptures.of(cfg.capture());
        Operations ops;
        try {
            ops = Operations.start(cfg, () -> started.get() == null ? 0 : started.get().b2bua().activeCalls(),
                    () -> started.get() != null && started.get().b2bua().ready(), captures::captureNext);
        } catch (CallLogException | java.io.IOException e) {
            LOG.error("{}", e.getMessage());
            return 1;
        }
        Running running;
        try {
            running = Running.start(cfg, ops.observer(), captures);
        } catch (BridgeException e) {
            LOG.error("{}", e.getMessage());
            ops.close();
            return 1;
        }
        started.set(running);
        ops.metrics().watchTranscoding(running.relay()::transcodedCalls, cfg.media().maxTranscodedCalls());
        ops.metrics().watchSharedPorts(running.relay()::unmatchedSharedPackets);
        ops.metrics().watchUnsentPackets(running.relay()::unsentPackets);
        ops.metrics().watchSipFloods(running.b2bua().floodCounters());
        ops.metrics().watchMetaListener(running.b2bua().metaListener());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            running.drain(java.time.Duration.ofSeconds(drainSeconds));
            running.close();
            ops.close(); // last: the ends of the last calls are written to the call log
            stopped.countDown();
        }, "bridge-shutdown"));
        LOG.info("bridge running ({} business number(s)); stop with SIGTERM", cfg.meta().numbers().size());
        stopped.await();
        return 0;
    }

    /** A started bridge: the SIP side and the relay it owns. */
    record Running(B2bua b2bua, MediaRelay relay) implements AutoCloseable {
        static Running start(BridgeConfig cfg, CallObserver observer) throws BridgeException {
            return start(cfg, observer, CallCaptures.of(cfg.capture()));
        }

        static Running start(BridgeConfig cfg, CallObserver observer, CallCaptures captures) throws BridgeException {
            CauseCatalog catalog = catalog(cfg);
            MediaRelay relay = Relays.create(cfg.media());
            try {
                return new Running(B2bua.start(cfg, relay, catalog, observer, captures), relay);
            } catch (BridgeException | RuntimeException e) {
                relay.close();
                throw e;
            }
        }

        /** The built-in cause catalog with {@code causes.overrides} applied. */
        static CauseCatalog catalog(BridgeConfig cfg) throws BridgeException {
            try {
                return CauseCatalog.builtIn().withOverrides(CauseCatalog.parseOverrides(cfg.causeOverrides()));
            } catch (IllegalArgumentException e) {
                throw new BridgeException("causes.overrides: " + e.getMessage(), e);
            }
        }

        /** Refuses new calls and waits until the live ones end or {@code grace} passes. */
        void drain(java.time.Duration grace) {
            b2bua.drain();
            long deadline = System.nanoTime() + grace.toNanos();
            while (b2bua.activeCalls() > 0 && System.nanoTime() < deadline) {
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            if (b2bua.activeCalls() > 0) {
                LOG.info("drain time over: ending {} call(s) with BYE", b2bua.activeCalls());
            }
        }

        @Override
        public void close() {
            b2bua.close();
            relay.close();
        }
    }
}
