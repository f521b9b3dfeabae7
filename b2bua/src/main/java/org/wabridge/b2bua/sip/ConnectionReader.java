package org.wabridge.b2bua.sip;

import gov.nist.javax.sip.message.SIPMessage;
import gov.nist.javax.sip.parser.MessageParser;
import gov.nist.javax.sip.stack.ConnectionOrientedMessageChannel;
import gov.nist.javax.sip.stack.SIPTransactionStack;
import java.io.IOException;
import java.io.InputStream;
import java.text.ParseException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The read loop of one SIP connection, TCP or TLS, accepted or opened, in place of JAIN-SIP's: the connection's
 * thread reads, frames ({@link SipStreamFramer}), and while it keeps up also parses each whole message and hands it to
 * its channel; once it falls behind, a second thread of the connection takes the parsing and delivery, in order,
 * until it has caught up. JAIN-SIP's loop wrote every read into a pipe that its second thread ({@code PipelineThread})
 * read back one synchronized {@code read()} per byte, and woke that thread for every message.
 * <p>Why not always on the reading thread: the socket must keep being drained while the stack is slow (a cold JIT, a
 * burst). With parsing and delivery always on the reading thread, the lab's edge found its write queue full at 500
 * calls/s and closed the connection (BENCHMARKS.md, "The edge connection's reader"). So the reading thread delivers
 * a message itself only when nothing is waiting for the second thread (the order is kept) and it read the socket
 * less than {@link #INLINE_BUDGET_NANOS} ago; otherwise it queues the message and reads on ({@link KeepUpDelivery}).
 * <p>What JAIN-SIP did with a message is unchanged: headers parsed by the stack's parser with the channel as the
 * listener of bad headers, the body attached after, a message that does not parse dropped and the connection kept,
 * keep-alives answered by the channel.
 */
final class ConnectionReader implements SipStreamFramer.Sink {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectionReader.class);
    /** One TLS record's plaintext at most; a message usually arrives in one read. */
    private static final int READ_SIZE = 16 * 1024;
    /**
     * How long the reading thread may go on delivering after its last read before it hands the rest to the second
     * thread: a warm message costs 20-40 µs, so this only trips on a slow stack, and then the peer's bytes wait at
     * most this long plus one message for the next read (the socket's receive buffer holds them meanwhile).
     */
    private static final long INLINE_BUDGET_NANOS = 1_000_000;
    private static final long SECOND_THREAD_IDLE_SECONDS = 2;

    private final ConnectionOrientedMessageChannel channel;
    private final MessageParser parser;
    private final SipStreamFramer framer;
    /**
     * The connection's second thread: parses and delivers the messages the reading thread queues, in order. Started
     * when the reading thread falls behind, and gone again after {@link #SECOND_THREAD_IDLE_SECONDS} without work
     * (a connection whose reader keeps up has no second thread).
     */
    private final ExecutorService messages;
    private final KeepUpDelivery delivery;

    ConnectionReader(ConnectionOrientedMessageChannel channel, SIPTransactionStack stack) {
        this.channel = channel;
        this.parser = stack.getMessageParserFactory().createMessageParser(stack);
        this.framer = new SipStreamFramer(stack.getMaxMessageSize());
        String name = Thread.currentThread().getName() + "-messages";
        ThreadPoolExecutor second = new ThreadPoolExecutor(1, 1, SECOND_THREAD_IDLE_SECONDS, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), task -> {
                    Thread thread = new Thread(task, name);
                    thread.setDaemon(true);
                    return thread;
                });
        second.allowCoreThreadTimeOut(true);
        this.messages = second;
        this.delivery = new KeepUpDelivery(messages, INLINE_BUDGET_NANOS, System::nanoTime);
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
                delivery.read();
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
        delivery.run(() -> deliver(head, body));
    }

    /** Parses and hands on one message; whatever it throws stays here (it must neither end the reading nor a thread). */
    private void deliver(byte[] head, byte[] body) {
        SIPMessage message;
        try {
            message = parser.parseSIPMessage(head, false, false, channel);
        } catch (ParseException e) {
            LOG.debug("SIP over {} from {}:{}: a message that does not parse, dropped: {}", channel.getTransport(),
                    channel.getPeerAddress(), channel.getPeerPort(), firstLine(e.getMessage()));
            return;
        } catch (RuntimeException e) {
            // the stack's parser failed on it (its bug); the first line only: it may quote an Authorization header
            LOG.warn("SIP over {} from {}:{}: a message the parser failed on, dropped: {}", channel.getTransport(),
                    channel.getPeerAddress(), channel.getPeerPort(), firstLine(e.toString()));
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
        delivery.run(this::answerPing);
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
        delivery.run(this::pongReceived);
    }

    private void pongReceived() {
        try {
            channel.cancelPingKeepAliveTimeoutTaskIfStarted();
        } catch (RuntimeException e) {
            LOG.debug("SIP over {} from {}:{}: keep-alive pong not taken: {}", channel.getTransport(),
                    channel.getPeerAddress(), channel.getPeerPort(), e.toString());
        }
    }
}
