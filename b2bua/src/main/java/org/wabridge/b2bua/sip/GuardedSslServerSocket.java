package org.wabridge.b2bua.sip;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.nio.channels.ServerSocketChannel;
import java.util.Set;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JSSE server socket of our TLS listener (Meta's side). JAIN-SIP accepts through {@link #accept()} on its one
 * accept thread, then starts a reader thread per connection. Before that, each connection passes the
 * {@link MetaConnectionGuard}: one from outside {@code meta.allowedSources}, or over the listener's or its source's
 * cap, is closed here at once (reset, before any TLS byte is read) and never reaches JAIN-SIP, so it costs no thread.
 * An admitted one gets {@code TCP_NODELAY}, the {@link TlsPolicy} and its timeouts ({@link AcceptedTlsSocket}).
 * JAIN-SIP configures the listener through the {@link SSLServerSocket} methods; protocols and suites it sets are
 * narrowed to the policy, never widened. JSSE's own socket does the TLS work.
 */
final class GuardedSslServerSocket extends SSLServerSocket {

    private static final Logger LOG = LoggerFactory.getLogger(GuardedSslServerSocket.class);

    private final SSLServerSocket delegate;
    private final MetaConnectionGuard guard;

    GuardedSslServerSocket(SSLServerSocket delegate, MetaConnectionGuard guard) throws IOException {
        super(); // unbound and never bound: every socket operation goes to the delegate
        this.delegate = delegate;
        this.guard = guard;
    }

    /**
     * Waits for a connection the guard admits. Refused ones are closed here and the wait goes on: JAIN-SIP's accept
     * loop logs an error for any exception but a closed listener's, so only that one is thrown.
     */
    @Override
    public Socket accept() throws IOException {
        while (true) {
            SSLSocket accepted = (SSLSocket) delegate.accept();
            InetAddress source = accepted.getInetAddress();
            if (guard.admit(source) != null) {
                reset(accepted);
                continue;
            }
            try {
                accepted.setTcpNoDelay(true);
                accepted.setSSLParameters(TlsPolicy.narrow(accepted.getSSLParameters()));
                return new AcceptedTlsSocket(accepted, guard);
            } catch (IOException | RuntimeException e) {
                // the peer went away between accept and set-up: nothing to hand to JAIN-SIP
                guard.release(source);
                reset(accepted);
                LOG.debug("Meta listener: connection from {} gone before set-up: {}", source, e.toString());
            }
        }
    }

    /** Closes with a TCP reset: no TLS alert, no lingering, the descriptor free at once. */
    static void reset(Socket socket) {
        try {
            socket.setSoLinger(true, 0);
        } catch (IOException e) {
            // closing is what matters
        }
        try {
            socket.close();
        } catch (IOException e) {
            // already gone
        }
    }

    // ---------------------------------------------------------------- ServerSocket, delegated

    @Override
    public void bind(SocketAddress endpoint) throws IOException {
        delegate.bind(endpoint);
    }

    @Override
    public void bind(SocketAddress endpoint, int backlog) throws IOException {
        delegate.bind(endpoint, backlog);
    }

    @Override
    public InetAddress getInetAddress() {
        return delegate.getInetAddress();
    }

    @Override
    public int getLocalPort() {
        return delegate.getLocalPort();
    }

    @Override
    public SocketAddress getLocalSocketAddress() {
        return delegate.getLocalSocketAddress();
    }

    @Override
    public void close() throws IOException {
        try {
            delegate.close();
        } finally {
            super.close();
        }
    }

    @Override
    public ServerSocketChannel getChannel() {
        return delegate.getChannel();
    }

    @Override
    public boolean isBound() {
        return delegate.isBound();
    }

    @Override
    public boolean isClosed() {
        return delegate.isClosed();
    }

    @Override
    public void setSoTimeout(int timeout) throws SocketException {
        delegate.setSoTimeout(timeout);
    }

    @Override
    public int getSoTimeout() throws IOException {
        return delegate.getSoTimeout();
    }

    @Override
    public void setReuseAddress(boolean on) throws SocketException {
        delegate.setReuseAddress(on);
    }

    @Override
    public boolean getReuseAddress() throws SocketException {
        return delegate.getReuseAddress();
    }

    @Override
    public void setReceiveBufferSize(int size) throws SocketException {
        delegate.setReceiveBufferSize(size);
    }

    @Override
    public int getReceiveBufferSize() throws SocketException {
        return delegate.getReceiveBufferSize();
    }

    @Override
    public void setPerformancePreferences(int connectionTime, int latency, int bandwidth) {
        delegate.setPerformancePreferences(connectionTime, latency, bandwidth);
    }

    @Override
    public <T> ServerSocket setOption(SocketOption<T> name, T value) throws IOException {
        delegate.setOption(name, value);
        return this;
    }

    @Override
    public <T> T getOption(SocketOption<T> name) throws IOException {
        return delegate.getOption(name);
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return delegate.supportedOptions();
    }

    @Override
    public String toString() {
        return delegate.toString();
    }

    // ---------------------------------------------------------------- SSLServerSocket, delegated

    @Override
    public String[] getEnabledCipherSuites() {
        return delegate.getEnabledCipherSuites();
    }

    @Override
    public void setEnabledCipherSuites(String[] suites) {
        delegate.setEnabledCipherSuites(TlsPolicy.restrictCipherSuites(suites));
    }

    @Override
    public String[] getSupportedCipherSuites() {
        return delegate.getSupportedCipherSuites();
    }

    @Override
    public String[] getSupportedProtocols() {
        return delegate.getSupportedProtocols();
    }

    @Override
    public String[] getEnabledProtocols() {
        return delegate.getEnabledProtocols();
    }

    @Override
    public void setEnabledProtocols(String[] protocols) {
        delegate.setEnabledProtocols(TlsPolicy.restrictProtocols(protocols));
    }

    @Override
    public void setNeedClientAuth(boolean need) {
        delegate.setNeedClientAuth(need);
    }

    @Override
    public boolean getNeedClientAuth() {
        return delegate.getNeedClientAuth();
    }

    @Override
    public void setWantClientAuth(boolean want) {
        delegate.setWantClientAuth(want);
    }

    @Override
    public boolean getWantClientAuth() {
        return delegate.getWantClientAuth();
    }

    @Override
    public void setUseClientMode(boolean mode) {
        delegate.setUseClientMode(mode);
    }

    @Override
    public boolean getUseClientMode() {
        return delegate.getUseClientMode();
    }

    @Override
    public void setEnableSessionCreation(boolean flag) {
        delegate.setEnableSessionCreation(flag);
    }

    @Override
    public boolean getEnableSessionCreation() {
        return delegate.getEnableSessionCreation();
    }

    @Override
    public SSLParameters getSSLParameters() {
        return delegate.getSSLParameters();
    }

    @Override
    public void setSSLParameters(SSLParameters params) {
        delegate.setSSLParameters(TlsPolicy.narrow(params));
    }
}
