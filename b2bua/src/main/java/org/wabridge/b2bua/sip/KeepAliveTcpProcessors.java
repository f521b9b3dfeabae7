package org.wabridge.b2bua.sip;

import gov.nist.core.HostPort;
import gov.nist.javax.sip.message.SIPMessage;
import gov.nist.javax.sip.stack.ConnectionOrientedMessageChannel;
import gov.nist.javax.sip.stack.HandshakeCompletedListenerImpl;
import gov.nist.javax.sip.stack.MessageChannel;
import gov.nist.javax.sip.stack.MessageProcessor;
import gov.nist.javax.sip.stack.OIOMessageProcessorFactory;
import gov.nist.javax.sip.stack.SIPTransactionStack;
import gov.nist.javax.sip.stack.TCPMessageChannel;
import gov.nist.javax.sip.stack.TCPMessageProcessor;
import gov.nist.javax.sip.stack.TLSMessageChannel;
import gov.nist.javax.sip.stack.TLSMessageProcessor;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import javax.net.ssl.SSLSocket;
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
 * Every connection, accepted or opened by the bridge (to Meta's edge, to a PBX over TCP), is read by a
 * {@link ConnectionReader} (a thread that reads, frames, parses and delivers while it keeps up, a second that takes
 * the parsing and delivery when it falls behind) instead of JAIN-SIP's pipe read back a byte at a time.
 * UDP is JAIN-SIP's own but for its read loop ({@link UdpProcessor}); TLS sockets still come from
 * {@link TlsNetworkLayer}. Named by
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
        if ("UDP".equalsIgnoreCase(transport)) {
            return new UdpProcessor(address, stack, port);
        }
        return super.createMessageProcessor(stack, address, port, transport);
    }

    /** JAIN-SIP's TCP listener, accepting into {@link TcpChannel}s. */
    static final class TcpProcessor extends TCPMessageProcessor implements Readers {
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
            return ++nConnections; // only names threads: JAIN-SIP counts down only under MAX_CONNECTIONS, unset here
        }

        @Override
        public synchronized MessageChannel createMessageChannel(HostPort target) throws IOException {
            return cachedOrNew(messageChannels, MessageChannel.getKey(target, "TCP"),
                    () -> new ConnectedTcpChannel(target.getInetAddress(), target.getPort(), sipStack, this));
        }

        @Override
        public synchronized MessageChannel createMessageChannel(InetAddress host, int port) throws IOException {
            return cachedOrNew(messageChannels, MessageChannel.getKey(host, port, "TCP"),
                    () -> new ConnectedTcpChannel(host, port, sipStack, this));
        }

        @Override
        public synchronized void readingStarted() {
            useCount++;
        }

        @Override
        public synchronized void readingEnded(ConnectionOrientedMessageChannel channel) {
            remove(channel);
            useCount--;
        }
    }

    /** JAIN-SIP's TLS listener, accepting into {@link TlsChannel}s. */
    static final class TlsProcessor extends TLSMessageProcessor implements Readers {
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

        @Override
        public synchronized MessageChannel createMessageChannel(HostPort target) throws IOException {
            return cachedOrNew(messageChannels, MessageChannel.getKey(target, "TLS"),
                    () -> new ConnectedTlsChannel(target.getInetAddress(), target.getPort(), sipStack, this));
        }

        @Override
        public synchronized MessageChannel createMessageChannel(InetAddress host, int port) throws IOException {
            return cachedOrNew(messageChannels, MessageChannel.getKey(host, port, "TLS"),
                    () -> new ConnectedTlsChannel(host, port, sipStack, this));
        }

        @Override
        public synchronized void readingStarted() {
            useCount++;
        }

        @Override
        public synchronized void readingEnded(ConnectionOrientedMessageChannel channel) {
            remove(channel);
            useCount--;
        }
    }

    /** Makes a channel whose connection opens with its first message. */
    @FunctionalInterface
    private interface ChannelMaker {
        ConnectionOrientedMessageChannel make() throws IOException;
    }

    /** The processor's cached channel to a peer, or a new one (cached under {@code key}) as JAIN-SIP's would. */
    private static MessageChannel cachedOrNew(Map<String, ConnectionOrientedMessageChannel> channels, String key,
                                              ChannelMaker maker) throws IOException {
        ConnectionOrientedMessageChannel cached = channels.get(key);
        if (cached != null) {
            return cached;
        }
        ConnectionOrientedMessageChannel channel = maker.make();
        channels.put(key, channel);
        return channel;
    }

    /** JAIN-SIP's count of the connections a processor reads, which its listening point checks before it closes. */
    interface Readers {
        void readingStarted();

        /** The connection is closed; the processor forgets it. */
        void readingEnded(ConnectionOrientedMessageChannel channel);
    }

    /**
     * A channel's thread: reads its connection to the end, closes it and lets its processor forget it, as JAIN-SIP's
     * loop did. {@code in} null: nothing to read (a failed handshake), only the closing.
     */
    private static void read(ConnectionOrientedMessageChannel channel, InputStream in, SIPTransactionStack stack,
                             MessageProcessor processor, Consumer<Boolean> running) {
        Readers readers = (Readers) processor;
        readers.readingStarted();
        running.accept(true);
        try {
            if (in != null) {
                new ConnectionReader(channel, stack).readUntilEnd(in);
            }
            channel.close();
        } finally {
            running.accept(false);
            readers.readingEnded(channel);
        }
    }

    /**
     * The handshake of an accepted TLS connection, on its reader thread as JAIN-SIP's TLS channel does it
     * ({@link AcceptedTlsSocket} bounds it in time): JAIN-SIP's listener keeps the peer's certificates for the
     * transactions, and renegotiation stays off unless the stack allows it. True when the connection can be read.
     */
    private static boolean handshake(TLSMessageChannel channel, Socket socket, SIPTransactionStack stack) {
        if (!(socket instanceof SSLSocket tls) || channel.isHandshakeCompleted()) {
            return socket != null;
        }
        HandshakeCompletedListenerImpl listener = new HandshakeCompletedListenerImpl(channel, tls);
        channel.setHandshakeCompletedListener(listener);
        tls.addHandshakeCompletedListener(listener);
        listener.startHandshakeWatchdog();
        try {
            tls.startHandshake();
            channel.setHandshakeCompleted(true);
            if (!stack.isSslRenegotiationEnabled()) {
                tls.getSession().invalidate();
                tls.setEnableSessionCreation(false);
            }
            return true;
        } catch (IOException e) {
            LOG.debug("TLS handshake with {} failed: {}", tls.getInetAddress(), e.toString());
            tls.removeHandshakeCompletedListener(listener);
            return false;
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

        /** Started by JAIN-SIP's constructor, before this class's own fields exist: it uses none. */
        @Override
        public void run() {
            read(this, myClientInputStream, sipStack, messageProcessor, running -> isRunning = running);
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

        /** Started by JAIN-SIP's constructor, before this class's own fields exist: it uses none. */
        @Override
        public void run() {
            boolean shaken = handshake(this, mySock, sipStack);
            read(this, shaken ? myClientInputStream : null, sipStack, messageProcessor, running -> isRunning = running);
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

    /** A TCP connection the bridge opens (to a PBX): JAIN-SIP's, read by a {@link ConnectionReader}. */
    static final class ConnectedTcpChannel extends TCPMessageChannel {
        ConnectedTcpChannel(InetAddress address, int port, SIPTransactionStack stack, TCPMessageProcessor processor)
                throws IOException {
            super(address, port, stack, processor);
            isCached = true;
        }

        /** Started once the first message opened the connection. */
        @Override
        public void run() {
            read(this, myClientInputStream, sipStack, messageProcessor, running -> isRunning = running);
        }
    }

    /** A TLS connection the bridge opens (to Meta's edge): JAIN-SIP's, read by a {@link ConnectionReader}. */
    static final class ConnectedTlsChannel extends TLSMessageChannel {
        ConnectedTlsChannel(InetAddress address, int port, SIPTransactionStack stack, TLSMessageProcessor processor)
                throws IOException {
            super(address, port, stack, processor);
            isCached = true;
        }

        /**
         * Started once a message opened the connection, whose handshake JAIN-SIP's IOHandler completed first. Never
         * a second one here: a channel made after the first was dropped can adopt the IOHandler's socket without
         * its handshake flag, and JAIN-SIP's reader (and ours, in its first form) then "shook" it again with a
         * 5 s watchdog that nothing cancels on an established session, closing the edge connection every 5 s.
         */
        @Override
        public void run() {
            setHandshakeCompleted(true);
            read(this, myClientInputStream, sipStack, messageProcessor, running -> isRunning = running);
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
