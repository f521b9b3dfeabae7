package org.wabridge.b2bua.sip;

import gov.nist.javax.sip.message.SIPMessage;
import gov.nist.javax.sip.stack.MessageProcessor;
import gov.nist.javax.sip.stack.OIOMessageProcessorFactory;
import gov.nist.javax.sip.stack.SIPTransactionStack;
import gov.nist.javax.sip.stack.TCPMessageChannel;
import gov.nist.javax.sip.stack.TCPMessageProcessor;
import gov.nist.javax.sip.stack.TLSMessageChannel;
import gov.nist.javax.sip.stack.TLSMessageProcessor;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JAIN-SIP's blocking message processors, with connections that others open to the bridge (a PBX over TCP,
 * Meta's edge or a scanner over TLS) made safe for hostile peers:
 * <ul>
 * <li>an RFC 5626 keep-alive ping (CRLF CRLF) before the first SIP message gets its CRLF pong: JAIN-SIP's channel
 *     learned its transport only from the first message's Via, so that pong failed inside the stack
 *     (NullPointerException, "transport" is null), logged at ERROR for every ping;</li>
 * <li>answers go on the connection the peer opened, never a new one: JAIN-SIP reconnected to the host of the
 *     first Via (a name it would look up, an address that could be anyone's) when the peer had hung up, and
 *     logged each failure at ERROR. A peer that hung up before its answer is not called back.</li>
 * </ul>
 * UDP is JAIN-SIP's own; TLS sockets still come from {@link TlsNetworkLayer}. Named by
 * gov.nist.javax.sip.MESSAGE_PROCESSOR_FACTORY.
 */
public final class KeepAliveTcpProcessors extends OIOMessageProcessorFactory {

    private static final Logger LOG = LoggerFactory.getLogger(KeepAliveTcpProcessors.class);

    @Override
    public MessageProcessor createMessageProcessor(SIPTransactionStack stack, InetAddress address, int port,
                                                   String transport) throws IOException {
        if ("TCP".equalsIgnoreCase(transport)) {
            return new TcpProcessor(address, stack, port);
        }
        if ("TLS".equalsIgnoreCase(transport)) {
            return new TlsProcessor(address, stack, port);
        }
        return super.createMessageProcessor(stack, address, port, transport);
    }

    /** JAIN-SIP's TCP listener, accepting into {@link TcpChannel}s. */
    static final class TcpProcessor extends TCPMessageProcessor {
        TcpProcessor(InetAddress address, SIPTransactionStack stack, int port) {
            super(address, stack, port);
        }

        @Override
        public void run() {
            serve(sock, "TCP", () -> isRunning, () -> isRunning = false, accepted -> {
                TcpChannel channel = new TcpChannel(accepted, sipStack, this,
                        "TCPMessageChannelThread-" + countConnection());
                incomingMessageChannels.put(channel.getKey(), channel);
            });
        }

        private synchronized int countConnection() {
            return ++nConnections; // JAIN-SIP counts down as a channel closes
        }
    }

    /** JAIN-SIP's TLS listener, accepting into {@link TlsChannel}s. */
    static final class TlsProcessor extends TLSMessageProcessor {
        TlsProcessor(InetAddress address, SIPTransactionStack stack, int port) {
            super(address, stack, port);
        }

        @Override
        public void run() {
            serve(sock, "TLS", () -> isRunning, () -> isRunning = false, accepted -> {
                TlsChannel channel = new TlsChannel(accepted, sipStack, this,
                        "TLSMessageChannelThread-" + countConnection());
                incomingMessageChannels.put(channel.getKey(), channel);
            });
        }

        private synchronized int countConnection() {
            return ++nConnections;
        }
    }

    /** Makes a channel of an accepted connection and registers it with its processor. */
    @FunctionalInterface
    private interface ChannelOpener {
        void open(Socket accepted) throws IOException;
    }

    /**
     * The accept loop of both listeners: runs while the processor runs, stops when the listening socket is closed;
     * a connection lost before its channel exists is only logged.
     */
    private static void serve(ServerSocket listener, String transport, BooleanSupplier running, Runnable stopped,
                              ChannelOpener opener) {
        while (running.getAsBoolean()) {
            Socket accepted = accept(listener, transport);
            if (accepted == null) {
                if (listener.isClosed()) {
                    stopped.run();
                }
                continue;
            }
            try {
                opener.open(accepted);
            } catch (IOException e) {
                LOG.debug("{} connection from {} lost at once: {}", transport, accepted.getRemoteSocketAddress(),
                        e.toString());
            }
        }
    }

    /** The next connection, or null when the listener refused or lost one (or was closed). */
    private static Socket accept(ServerSocket listener, String transport) {
        try {
            return listener.accept();
        } catch (SocketException e) {
            if (!listener.isClosed()) {
                LOG.debug("{} accept failed: {}", transport, e.toString());
            }
            return null;
        } catch (IOException e) {
            LOG.debug("{} accept failed: {}", transport, e.toString()); // a failed handshake, a refused source
            return null;
        }
    }

    /** A TCP connection someone opened to us. */
    static final class TcpChannel extends TCPMessageChannel {
        TcpChannel(Socket socket, SIPTransactionStack stack, TCPMessageProcessor processor, String name)
                throws IOException {
            super(socket, stack, processor, name);
        }

        @Override
        public void processMessage(SIPMessage message) throws Exception {
            if (peerAddressAdvertisedInHeaders == null && peerAddress != null) {
                peerAddressAdvertisedInHeaders = peerAddress.getHostAddress(); // JAIN-SIP keeps the first value
            }
            super.processMessage(message);
        }

        @Override
        protected synchronized void sendMessage(byte[] message, boolean isClient) throws IOException {
            writeOnAccepted(mySock, message, this::close, peerAddress, peerPort);
        }

        /** JAIN-SIP's 400 for a message it cannot parse comes this way: on the connection too. */
        @Override
        public synchronized void sendMessage(byte[] message, InetAddress address, int port, boolean retry)
                throws IOException {
            writeOnAccepted(mySock, message, this::close, peerAddress, peerPort);
        }

        @Override
        public void sendSingleCLRF() {
            if (peerProtocol == null) {
                peerProtocol = "TCP";
            }
            pong(() -> super.sendSingleCLRF(), peerAddress, peerPort);
        }
    }

    /** A TLS connection someone opened to us. */
    static final class TlsChannel extends TLSMessageChannel {
        TlsChannel(Socket socket, SIPTransactionStack stack, TLSMessageProcessor processor, String name)
                throws IOException {
            super(socket, stack, processor, name);
        }

        @Override
        public void processMessage(SIPMessage message) throws Exception {
            if (peerAddressAdvertisedInHeaders == null && peerAddress != null) {
                peerAddressAdvertisedInHeaders = peerAddress.getHostAddress();
            }
            super.processMessage(message);
        }

        @Override
        protected synchronized void sendMessage(byte[] message, boolean isClient) throws IOException {
            writeOnAccepted(mySock, message, this::close, peerAddress, peerPort);
        }

        /** JAIN-SIP's 400 for a message it cannot parse comes this way: on the connection too. */
        @Override
        public synchronized void sendMessage(byte[] message, InetAddress address, int port, boolean retry)
                throws IOException {
            writeOnAccepted(mySock, message, this::close, peerAddress, peerPort);
        }

        @Override
        public void sendSingleCLRF() {
            if (peerProtocol == null) {
                peerProtocol = "TLS";
            }
            pong(() -> super.sendSingleCLRF(), peerAddress, peerPort);
        }
    }

    /** What sends the pong: JAIN-SIP's own code. */
    @FunctionalInterface
    private interface Pong {
        void send() throws Exception;
    }

    /** Sends a keep-alive pong; a peer that left meanwhile costs a DEBUG line, not an ERROR. */
    private static void pong(Pong pong, InetAddress peer, int port) {
        try {
            pong.send();
        } catch (Exception e) {
            LOG.debug("no keep-alive pong to {}:{}: {}", peer, port, e.toString());
        }
    }

    /** Writes {@code message} on the accepted {@code socket}; a lost connection is closed and reported, not redialled. */
    private static void writeOnAccepted(Socket socket, byte[] message, Runnable close, InetAddress peer, int port)
            throws IOException {
        if (socket == null || socket.isClosed() || socket.isOutputShutdown()) {
            throw new IOException("connection from " + peer + ":" + port + " is closed");
        }
        try {
            OutputStream out = socket.getOutputStream();
            out.write(message);
            out.flush();
        } catch (IOException e) {
            LOG.debug("connection from {}:{} lost before its answer: {}", peer, port, e.toString());
            close.run();
            throw e;
        }
    }
}
