package org.wabridge.b2bua.sip;

import gov.nist.javax.sip.message.SIPMessage;
import gov.nist.javax.sip.parser.MessageParser;
import gov.nist.javax.sip.stack.ConnectionOrientedMessageChannel;
import gov.nist.javax.sip.stack.SIPTransactionStack;
import java.io.IOException;
import java.io.InputStream;
import java.text.ParseException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The read loop of one SIP connection, TCP or TLS, accepted or opened, in place of JAIN-SIP's: the connection's
 * thread only reads and frames ({@link SipStreamFramer}); a second thread of the connection parses each whole message
 * and hands it to its channel, in order. JAIN-SIP's loop wrote every read into a pipe that its second thread
 * ({@code PipelineThread}) read back one synchronized {@code read()} per byte. The reading thread does nothing else,
 * so the peer's messages leave the socket as fast as they come even while the stack is slow (a cold JIT, a burst):
 * with parsing and delivery on the reading thread too, the lab's edge found its write queue full at 500 calls/s and
 * closed the connection (BENCHMARKS.md, "The edge connection's reader"). What JAIN-SIP did with
 * a message is unchanged: headers parsed by the stack's parser with the channel as the listener of bad headers,
 * the body attached after, a message that does not parse dropped and the connection kept, keep-alives answered by
 * the channel.
 */
final class ConnectionReader implements SipStreamFramer.Sink {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectionReader.class);
    /** One TLS record's plaintext at most; a message usually arrives in one read. */
    private static final int READ_SIZE = 16 * 1024;

    private final ConnectionOrientedMessageChannel channel;
    private final MessageParser parser;
    private final SipStreamFramer framer;
    /** The connection's second thread: parses and delivers its messages, answers its keep-alives, in order. */
    private final ExecutorService messages;

    ConnectionReader(ConnectionOrientedMessageChannel channel, SIPTransactionStack stack) {
        this.channel = channel;
        this.parser = stack.getMessageParserFactory().createMessageParser(stack);
        this.framer = new SipStreamFramer(stack.getMaxMessageSize());
        String name = Thread.currentThread().getName() + "-messages";
        this.messages = Executors.newSingleThreadExecutor(task -> {
            Thread thread = new Thread(task, name);
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Reads until the peer closes the connection, it breaks, or its stream can no longer be cut into messages
     * (logged at WARN: the connection is closed by the caller, and every call on it is cut off).
     */
    void readUntilEnd(InputStream in) {
        try {
            read(in);
        } finally {
            messages.shutdown(); // the messages already read are still delivered
        }
    }

    private void read(InputStream in) {
        byte[] chunk = new byte[READ_SIZE];
        try {
            for (int n = in.read(chunk, 0, chunk.length); n >= 0; n = in.read(chunk, 0, chunk.length)) {
                framer.feed(chunk, 0, n, this);
            }
        } catch (SipStreamFramer.FramingException e) {
            LOG.warn("SIP over {} from {}:{}: closing the connection, {}", channel.getTransport(),
                    channel.getPeerAddress(), channel.getPeerPort(), e.getMessage());
        } catch (IOException e) {
            LOG.debug("SIP over {} from {}:{} ended: {}", channel.getTransport(), channel.getPeerAddress(),
                    channel.getPeerPort(), e.toString());
        }
    }

    @Override
    public void message(byte[] head, byte[] body) {
        messages.execute(() -> deliver(head, body));
    }

    private void deliver(byte[] head, byte[] body) {
        SIPMessage message;
        try {
            message = parser.parseSIPMessage(head, false, false, channel);
        } catch (ParseException e) {
            LOG.debug("SIP over {} from {}:{}: a message that does not parse, dropped: {}", channel.getTransport(),
                    channel.getPeerAddress(), channel.getPeerPort(), firstLine(e.getMessage()));
            return;
        }
        if (message == null) {
            return;
        }
        if (body.length == 0) {
            message.removeContent();
        } else {
            message.setMessageContent(body);
        }
        try {
            channel.processMessage(message);
        } catch (RuntimeException e) {
            LOG.warn("SIP over {} from {}:{}: a message could not be processed", channel.getTransport(),
                    channel.getPeerAddress(), channel.getPeerPort(), e);
        } catch (Exception e) {
            // JAIN-SIP refused the request and answered it (400, 505, 513). Its parser thread stopped reading here
            // and left the connection deaf; this one reads on.
            LOG.debug("SIP over {} from {}:{}: refused by the stack: {}", channel.getTransport(),
                    channel.getPeerAddress(), channel.getPeerPort(), firstLine(e.getMessage()));
        }
    }

    /** A stack's message may quote the whole SIP message, an Authorization header with it: only its first line. */
    static String firstLine(String text) {
        if (text == null) {
            return "";
        }
        int end = 0;
        while (end < text.length() && text.charAt(end) != '\r' && text.charAt(end) != '\n') {
            end++;
        }
        return text.substring(0, end);
    }

    @Override
    public void ping() {
        messages.execute(this::answerPing);
    }

    private void answerPing() {
        try {
            channel.sendSingleCLRF();
        } catch (Exception e) {
            LOG.debug("SIP over {} to {}:{}: no keep-alive pong: {}", channel.getTransport(), channel.getPeerAddress(),
                    channel.getPeerPort(), e.toString());
        }
    }

    @Override
    public void pong() {
        messages.execute(channel::cancelPingKeepAliveTimeoutTaskIfStarted);
    }
}
