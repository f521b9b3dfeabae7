package org.wabridge.b2bua.sip;

import gov.nist.core.net.NetworkLayer;
import gov.nist.javax.sip.SipStackImpl;
import java.io.IOException;
import java.net.ConnectException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JAIN-SIP's socket factory, replaced so that TLS toward Meta is safe: our own trust material, SNI with the
 * edge host name, host name verification of the peer certificate, TLS 1.2+, no ALPN (Meta rejects "sip"),
 * and a TLS server that never asks for a client certificate; the {@link TlsPolicy} (TLS 1.2+, AEAD suites) on every
 * socket, made or accepted. Accepted Meta-side connections pass the {@link MetaConnectionGuard} (source allowlist,
 * caps) before JAIN-SIP sees them ({@link GuardedSslServerSocket}). JAIN-SIP creates this class by name, so it
 * reads its settings from the stack's {@link StackContext}.
 *
 * <p>Every TCP and TLS socket it hands out, connected or accepted, has {@code TCP_NODELAY} (Nagle off); JAIN-SIP
 * never sets it. With Nagle on, a SIP message written while an earlier small one (an ACK, a 100 Trying) was still
 * unacknowledged waited for the peer's delayed ACK, about 40 ms on Linux: call set-up through the bridge took
 * tens of milliseconds of such stalls (BENCHMARKS.md, "Call set-up latency").
 */
public class TlsNetworkLayer implements NetworkLayer { // not final: a test extends it to slow one socket down

    private static final Logger LOG = LoggerFactory.getLogger(TlsNetworkLayer.class);

    private StackContext settings;
    private TlsContexts.WarmUp warmUp;

    public TlsNetworkLayer() {}

    /** For tests: a layer with its settings, without a SIP stack. */
    TlsNetworkLayer(StackContext settings) {
        this.settings = settings;
    }

    /**
     * JAIN-SIP calls this while the stack is created, before it listens, which makes it our place to warm the stack
     * up: the TLS contexts ({@link TlsContexts#warmUp}) and JAIN-SIP's parser ({@link SipWarmUp}), so the first
     * call is about as fast as later ones.
     */
    @Override
    public void setSipStack(SipStackImpl stack) {
        this.settings = StackContext.of(stack);
        warmUpTls();
        long start = System.nanoTime();
        int parsed = SipWarmUp.run();
        LOG.info("SIP parser ready ({} sample messages in {} ms)", parsed,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    }

    /** Runs the TLS warm-up once for this layer and returns what it did. */
    synchronized TlsContexts.WarmUp warmUpTls() {
        if (warmUp == null && settings.tlsClient() != null) {
            warmUp = TlsContexts.warmUp(settings.tlsClient(), settings.tlsServer(), settings.edgeHost());
            LOG.info("TLS ready ({} in {} ms{})", warmUp.handshakeCompleted() ? "in-memory handshake" : "partial warm-up",
                    TimeUnit.NANOSECONDS.toMillis(warmUp.nanos()), warmUp.note() == null ? "" : ": " + warmUp.note());
        }
        return warmUp;
    }

    /** What the TLS warm-up did, or null before it ran. */
    synchronized TlsContexts.WarmUp tlsWarmUp() {
        return warmUp;
    }

    @Override
    public SSLSocket createSSLSocket(InetAddress address, int port) throws IOException {
        return createSSLSocket(address, port, null);
    }

    @Override
    public SSLSocket createSSLSocket(InetAddress address, int port, InetAddress localAddress) throws IOException {
        // a name with several addresses: the next one when this one refuses or times out (HostResolver)
        return settings.resolver().connectInOrder(address, a -> connectTls(a, port, localAddress));
    }

    private SSLSocket connectTls(InetAddress address, int port, InetAddress localAddress) throws IOException {
        if (settings.tlsClient() == null) {
            throw new ConnectException("TLS client is not configured");
        }
        // The certificate must cover the name we meant to reach, not the IP we resolved it to.
        String serverName = settings.resolver().nameOf(address).orElse(settings.edgeHost());
        SSLSocket socket = (SSLSocket) settings.tlsClient().getSocketFactory().createSocket();
        // protocols and suites here, not only in stack properties: JAIN-SIP's reconnect path sets protocols only
        SSLParameters params = TlsPolicy.apply(socket.getSSLParameters());
        params.setServerNames(List.of(new SNIHostName(serverName)));
        params.setEndpointIdentificationAlgorithm("HTTPS");
        socket.setSSLParameters(params);
        socket.setTcpNoDelay(true);
        if (localAddress != null) {
            socket.bind(new InetSocketAddress(localAddress, 0));
        }
        try {
            socket.connect(new InetSocketAddress(address, port), settings.connectTimeoutMillis());
        } catch (SocketTimeoutException e) {
            socket.close();
            throw new ConnectException("TLS connect to " + serverName + " (" + address.getHostAddress() + ":" + port
                    + ") timed out after " + settings.connectTimeoutMillis() + " ms");
        } catch (IOException e) {
            socket.close();
            throw e;
        }
        return socket;
    }

    @Override
    public SSLServerSocket createSSLServerSocket(int port, int backlog, InetAddress bindAddress) throws IOException {
        if (settings.tlsServer() == null) {
            throw new IOException("TLS listener needs meta.tlsCertificate and meta.tlsKey");
        }
        SSLServerSocket server = (SSLServerSocket) settings.tlsServer().getServerSocketFactory()
                .createServerSocket(port, backlog, bindAddress);
        server.setSSLParameters(TlsPolicy.apply(server.getSSLParameters()));
        // Meta's client certificate names a random host: asking for it breaks calls.
        server.setNeedClientAuth(false);
        server.setWantClientAuth(false);
        return new GuardedSslServerSocket(server, settings.metaListener());
    }

    /**
     * The PBX's TCP listeners, and Meta's when it is plain TCP (a lab edge): that one closes connections from
     * outside {@code meta.allowedSources} at accept, as the TLS listener does.
     */
    @Override
    public ServerSocket createServerSocket(int port, int backlog, InetAddress bindAddress) throws IOException {
        MetaConnectionGuard guard = settings.metaListener();
        boolean meta = guard.guardsPlainTcp(port);
        return new ServerSocket(port, backlog, bindAddress) {
            @Override
            public Socket accept() throws IOException {
                while (true) {
                    Socket accepted = super.accept();
                    if (meta && guard.admitSourceOnly(accepted.getInetAddress()) != null) {
                        GuardedSslServerSocket.reset(accepted);
                        continue;
                    }
                    return noDelay(accepted);
                }
            }
        };
    }

    /** Turns Nagle off on an accepted socket; a socket that fails this is closed, not handed out half set up. */
    static Socket noDelay(Socket accepted) throws IOException {
        try {
            accepted.setTcpNoDelay(true);
            return accepted;
        } catch (IOException e) {
            accepted.close();
            throw e;
        }
    }

    @Override
    public Socket createSocket(InetAddress address, int port) throws IOException {
        return createSocket(address, port, null);
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress) throws IOException {
        return createSocket(address, port, localAddress, 0);
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
            throws IOException {
        Socket socket = new Socket();
        socket.setTcpNoDelay(true);
        if (localAddress != null) {
            socket.bind(new InetSocketAddress(localAddress, localPort));
        }
        try {
            socket.connect(new InetSocketAddress(address, port), settings.connectTimeoutMillis());
        } catch (IOException e) {
            socket.close();
            throw e;
        }
        return socket;
    }

    @Override
    public DatagramSocket createDatagramSocket() throws SocketException {
        return new DatagramSocket();
    }

    @Override
    public DatagramSocket createDatagramSocket(int port, InetAddress localAddress) throws SocketException {
        return new DatagramSocket(port, localAddress);
    }
}
