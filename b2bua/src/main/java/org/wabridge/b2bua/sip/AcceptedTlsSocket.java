package org.wabridge.b2bua.sip;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A TLS connection accepted from Meta (or whoever reached the listener), as its {@link ConnectionReader} sees it. JSSE's
 * socket does the work; this wrapper adds what the listener needs per connection:
 * <ul>
 *   <li>a handshake deadline: the read timeout is {@code handshakeTimeoutMillis} until the handshake completes, so a
 *       client that connects and sends nothing is closed (JAIN-SIP's own watchdog, at the same 5 s, only closes
 *       the socket from a timer thread);</li>
 *   <li>the idle timeout ({@code meta.tlsIdleTimeout}) afterwards: a read that waits longer ends the stream, and
 *       the reader closes the connection as if the peer had;</li>
 *   <li>failed handshakes and broken connections that end quietly, counted and warned about at a bounded rate,
 *       instead of JAIN-SIP's ERROR with a stack trace per connection;</li>
 *   <li>the listener's slot given back exactly once, whoever closes it.</li>
 * </ul>
 */
final class AcceptedTlsSocket extends DelegatingSslSocket {

    private static final Logger LOG = LoggerFactory.getLogger(AcceptedTlsSocket.class);

    private final MetaConnectionGuard guard;
    private final InetAddress source;
    private final AtomicBoolean released = new AtomicBoolean();
    private volatile boolean handshakeDone;
    /** The handshake failed, or the peer was gone before JAIN-SIP could read: reads end the stream. */
    private volatile boolean unusable;
    private InputStream input;

    /** @param delegate accepted, admitted by {@code guard}, policy applied; its read timeout is set here */
    AcceptedTlsSocket(SSLSocket delegate, MetaConnectionGuard guard) throws IOException {
        super(delegate);
        this.guard = guard;
        this.source = delegate.getInetAddress();
        delegate.setSoTimeout(guard.handshakeTimeoutMillis());
    }

    /**
     * Runs the handshake within the handshake deadline. A failure is counted and warned about (once per source per
     * interval) and not thrown: JAIN-SIP would log each one as an ERROR with its stack trace, a line per scanner
     * connection. Instead the connection reads as closed by the peer ({@link #getInputStream}), which JAIN-SIP
     * handles quietly by closing it.
     */
    @Override
    public void startHandshake() {
        if (handshakeDone || unusable) {
            return; // once: a second one would be a renegotiation (TLS 1.2) or a key update (TLS 1.3)
        }
        try {
            delegate.startHandshake();
            delegate.setSoTimeout(guard.idleTimeoutMillis());
            handshakeDone = true;
        } catch (IOException e) {
            unusable = true;
            guard.handshakeFailed(source, e instanceof SocketTimeoutException
                    ? "not completed within " + guard.handshakeTimeoutMillis() + " ms" : String.valueOf(e.getMessage()));
        }
    }

    /**
     * The stream the connection's reader reads. Never throws: had the peer already gone, JAIN-SIP's channel would
     * fail in its constructor and the socket be dropped unclosed (a descriptor and a slot lost); an empty stream
     * instead ends the reader, which closes the socket.
     */
    @Override
    public synchronized InputStream getInputStream() {
        if (input == null) {
            InputStream raw;
            try {
                raw = delegate.getInputStream();
            } catch (IOException e) {
                unusable = true; // the first read ends the stream, which closes the socket
                raw = InputStream.nullInputStream();
            }
            input = new EndOnError(raw);
        }
        return input;
    }

    @Override
    public void close() throws IOException {
        try {
            delegate.close();
        } finally {
            if (released.compareAndSet(false, true)) {
                guard.release(source);
            }
        }
    }

    /** Ends the stream on any read failure (an idle timeout counted and logged), and closes the socket there. */
    private final class EndOnError extends FilterInputStream {
        EndOnError(InputStream in) {
            super(in);
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            int n = readOrEnd(b, off, len);
            if (n < 0) {
                closeQuietly();
            }
            return n;
        }

        private int readOrEnd(byte[] b, int off, int len) {
            if (unusable) {
                return -1;
            }
            try {
                return in.read(b, off, len);
            } catch (SocketTimeoutException e) {
                if (handshakeDone) {
                    guard.idleClosed();
                    LOG.info("Meta listener: closing the connection from {}: no bytes for {} (meta.tlsIdleTimeout)",
                            source.getHostAddress(), Duration.ofMillis(guard.idleTimeoutMillis()));
                }
                return -1;
            } catch (IOException e) {
                LOG.debug("Meta listener: connection from {} ended: {}", source.getHostAddress(), e.toString());
                return -1;
            }
        }
    }

    private void closeQuietly() {
        try {
            close();
        } catch (IOException e) {
            LOG.debug("Meta listener: closing the connection from {}: {}", source.getHostAddress(), e.toString());
        }
    }
}
