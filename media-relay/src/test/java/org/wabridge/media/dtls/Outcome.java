package org.wabridge.media.dtls;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** Test helper: a listener that records the one outcome and counts callbacks. */
final class Outcome implements DtlsEndpoint.Listener {

    record Connected(DtlsSrtpKeys keys, Duration handshakeTime, String thread) {
    }

    final CompletableFuture<Connected> connected = new CompletableFuture<>();
    final CompletableFuture<DtlsFailure> failed = new CompletableFuture<>();
    final AtomicInteger callbacks = new AtomicInteger();
    volatile long reportedAtNanos;

    @Override
    public void onConnected(DtlsSrtpKeys keys, Duration handshakeTime) {
        reportedAtNanos = System.nanoTime();
        callbacks.incrementAndGet();
        connected.complete(new Connected(keys, handshakeTime, Thread.currentThread().getName()));
    }

    @Override
    public void onFailed(DtlsFailure failure) {
        reportedAtNanos = System.nanoTime();
        callbacks.incrementAndGet();
        failed.complete(failure);
    }

    Connected awaitConnected(long seconds, MemoryPipe pipe) throws Exception {
        try {
            return CompletableFuture.anyOf(connected, failed.thenApply(f -> {
                throw new AssertionError("handshake failed: " + f + (pipe == null ? "" : "\n" + pipe.ladder()), f.cause());
            })).thenApply(Connected.class::cast).get(seconds, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof AssertionError ae) {
                throw ae;
            }
            throw e;
        }
    }

    DtlsFailure awaitFailed(long seconds) throws Exception {
        return CompletableFuture.anyOf(failed, connected.thenApply(c -> {
            throw new AssertionError("expected a failure, got a handshake with " + c.keys());
        })).thenApply(DtlsFailure.class::cast).get(seconds, TimeUnit.SECONDS);
    }
}
