package org.wabridge.b2bua.sip;

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
 * A TLS connection accepted from Meta (or whoever reached the listener), as JAIN-SIP's reader thread sees it. JSSE's
 * socket does the work; this wrapper adds what the listener needs per connection:
 * <ul>
 *   <li>a handshake deadline: the read timeout is {@code handshakeTimeoutMillis} until the handshake completes, so a
 *       client that connects and sends nothing is closed (JAIN-SIP's own watchdog, at the same 5 s, only closes
 *       the socket from a timer thread);</li>
 *   <li>the idle timeout ({@code meta.tlsIdleTimeout}) afterwards: a read that waits longer ends the stream, and
 *       JAIN-SIP closes the connection as if the peer had;</li>
 *   <li>failed handshakes and broken connections that end quietly, counted and warned about at a bounded rate,
 *       instead of JAIN-SIP's ERROR with a stack trace per connection;</li>
 *   <li>answers to RFC 5626 CRLF keep-alives sent before the first request: JAIN-SIP knows an accepted connection
 *       only once a request arrived on it, and its answer to an earlier ping went to a new outbound connection
 *       to the client's port, which failed with errors in the log ({@link KeepAliveAnsweringInput});</li>
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
     * The stream JAIN-SIP's reader thread reads. Never throws: had the peer already gone, JAIN-SIP's accept loop
     * would log the exception and drop the socket unclosed (a descriptor and a slot lost); an empty stream instead
     * ends the reader, which closes the socket.
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
            input = new EndOnError(new KeepAliveAnsweringInput(raw, delegate::getOutputStream));
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

    /**
     * Ends the stream on any read failure, and closes the socket before JAIN-SIP learns of the end. On the end of
     * a connection JAIN-SIP's reader (1.3.0-91) feeds its parser a double CRLF, which the parser takes for a
     * keep-alive ping; the pong goes out only if the socket is still open, and then fails: with a
     * NullPointerException on a connection that never carried a request, or by trying a new connection to the
     * client's port. Closed first, the socket gets no pong and the log no ERROR.
     */
    private final class EndOnError extends ClosingAtEndInput {
        EndOnError(InputStream in) {
            super(in);
        }

        @Override
        int readOrEnd(byte[] b, int off, int len) {
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

        @Override
        void closeSocket() {
            closeQuietly();
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
