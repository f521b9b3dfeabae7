package org.wabridge.media.dtls;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.bouncycastle.tls.DatagramTransport;
import org.bouncycastle.tls.TlsTimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The datagram transport BouncyCastle's blocking DTLS protocol runs on, with no socket: datagrams
 * the caller feeds in wait in a small bounded queue that BouncyCastle's thread reads with a
 * timeout; datagrams BouncyCastle writes go straight to the caller's sink. The caller's side
 * ({@link #offer}) never blocks; the handshake deadline is enforced here as well as by
 * BouncyCastle, so even a peer that keeps sending garbage cannot hold the thread past it. During
 * the handshake, records go through an {@link EpochGate} (see there why).
 */
final class QueueTransport implements DatagramTransport {

    private static final Logger LOG = LoggerFactory.getLogger(QueueTransport.class);

    /** Larger than any sane handshake datagram (a peer may pack a whole flight into one). */
    static final int RECEIVE_LIMIT = 16384;
    /** A whole handshake is a dozen datagrams; more waiting than this means a flood. */
    static final int CAPACITY = 64;

    private final int sendLimit;
    private final DtlsEndpoint.Sink sink;
    private final long timeoutMillis;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition arrived = lock.newCondition();
    private final ArrayDeque<byte[]> queue = new ArrayDeque<>();
    private boolean accepting = true;
    private boolean closed;
    private long deadlineNanos;
    private boolean deadlineArmed;
    private long receiveCalls;
    /** Until the handshake is done; then datagrams go to BouncyCastle as they came. */
    private EpochGate gate;

    private final Object sendLock = new Object();
    private boolean sendClosed;

    private final AtomicLong received = new AtomicLong();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();

    QueueTransport(DtlsRole role, int sendLimit, long timeoutMillis, DtlsEndpoint.Sink sink) {
        this.gate = new EpochGate(role);
        this.sendLimit = sendLimit;
        this.timeoutMillis = timeoutMillis;
        this.sink = sink;
    }

    /** From the caller's thread: queues a copy, or drops it (full, too large, done). Never blocks. */
    boolean offer(byte[] datagram, int offset, int length) {
        lock.lock();
        try {
            if (closed || !accepting || queue.size() >= CAPACITY || length > RECEIVE_LIMIT || length <= 0) {
                dropped.incrementAndGet();
                return false;
            }
            queue.addLast(Arrays.copyOfRange(datagram, offset, offset + length));
            received.incrementAndGet();
            arrived.signal();
            return true;
        } finally {
            lock.unlock();
        }
    }

    void armDeadline(long startNanos) {
        lock.lock();
        try {
            deadlineNanos = startNanos + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
            deadlineArmed = true;
        } finally {
            lock.unlock();
        }
    }

    void handshakeDone() {
        lock.lock();
        try {
            deadlineArmed = false;
            if (gate == null) {
                return;
            }
            // records the gate let through but BouncyCastle has not read yet go first; held ones are moot
            ArrayDeque<byte[]> pending = new ArrayDeque<>();
            for (byte[] r = gate.poll(); r != null; r = gate.poll()) {
                pending.add(r);
            }
            pending.addAll(queue);
            queue.clear();
            queue.addAll(pending);
            gate = null;
        } finally {
            lock.unlock();
        }
    }

    /** No more datagrams are needed: later ones are dropped. */
    void stopAccepting() {
        lock.lock();
        try {
            accepting = false;
            queue.clear();
        } finally {
            lock.unlock();
        }
    }

    /**
     * The endpoint is closed: the reading thread wakes up and gets an exception, and no datagram
     * reaches the sink once this returned (a send under way finishes first: the sink never blocks).
     */
    void shutdown() {
        lock.lock();
        try {
            closed = true;
            accepting = false;
            queue.clear();
            arrived.signalAll();
        } finally {
            lock.unlock();
        }
        synchronized (sendLock) {
            sendClosed = true;
        }
    }

    long receiveCalls() {
        lock.lock();
        try {
            return receiveCalls;
        } finally {
            lock.unlock();
        }
    }

    long datagramsReceived() {
        return received.get();
    }

    long datagramsSent() {
        return sent.get();
    }

    long datagramsDropped() {
        return dropped.get();
    }

    @Override
    public int getReceiveLimit() {
        return RECEIVE_LIMIT;
    }

    @Override
    public int getSendLimit() {
        return sendLimit;
    }

    @Override
    public int receive(byte[] buf, int off, int len, int waitMillis) throws IOException {
        lock.lock();
        try {
            receiveCalls++;
            long now = System.nanoTime();
            long until = now + TimeUnit.MILLISECONDS.toNanos(Math.max(0, waitMillis));
            while (true) {
                if (closed) {
                    throw new IOException("DTLS endpoint closed");
                }
                byte[] record = gate == null ? null : gate.poll();
                if (record != null) {
                    return copy(record, buf, off, len);
                }
                if (!queue.isEmpty()) {
                    if (gate == null) {
                        return copy(queue.pollFirst(), buf, off, len);
                    }
                    gate.add(queue.pollFirst());
                    continue;
                }
                if (deadlineArmed && now - deadlineNanos >= 0) {
                    throw new TlsTimeoutException("no complete DTLS handshake within " + timeoutMillis + " ms");
                }
                if (until - now <= 0) {
                    return -1;
                }
                long wait = until - now;
                if (deadlineArmed) {
                    wait = Math.min(wait, deadlineNanos - now);
                }
                try {
                    arrived.awaitNanos(wait);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("DTLS handshake thread interrupted");
                }
                now = System.nanoTime();
            }
        } finally {
            lock.unlock();
        }
    }

    private static int copy(byte[] datagram, byte[] buf, int off, int len) {
        int n = Math.min(len, datagram.length);
        System.arraycopy(datagram, 0, buf, off, n);
        return n;
    }

    @Override
    public void send(byte[] buf, int off, int len) {
        synchronized (sendLock) {
            if (sendClosed) {
                return;
            }
            sent.incrementAndGet();
            try {
                sink.send(Arrays.copyOfRange(buf, off, off + len));
            } catch (RuntimeException e) {
                // as if lost on the way: the handshake's retransmissions cover it
                LOG.debug("DTLS datagram sink failed", e);
            }
        }
    }

    /** BouncyCastle is done with the transport (after a failure, or closing): nothing to release. */
    @Override
    public void close() {
    }
}
