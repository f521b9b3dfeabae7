package org.wabridge.b2bua.sip;

import gov.nist.core.ThreadAuditor;
import gov.nist.javax.sip.SipStackImpl;
import gov.nist.javax.sip.stack.DatagramQueuedMessageDispatch;
import gov.nist.javax.sip.stack.SIPTransactionStack;
import gov.nist.javax.sip.stack.UDPMessageChannel;
import gov.nist.javax.sip.stack.UDPMessageProcessor;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.InetAddress;
import java.net.SocketException;
import java.util.Arrays;
import java.util.LinkedList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JAIN-SIP's UDP listener, receiving every datagram into one buffer. JAIN-SIP's own loop allocates a new array of
 * the stack's maximum message size (64 KB here) for each datagram and hands it to its parser threads: at 300 calls/s
 * that was a quarter of everything the bridge allocated (BENCHMARKS.md), for messages of about 1 KB. Here each
 * datagram is copied out at its own length before it is queued to the same parser threads, which copy it once more
 * as they always did. Messages, threads, queue and limits are JAIN-SIP's; only the receive loop is ours.
 *
 * <p>With no positive {@code gov.nist.javax.sip.THREAD_POOL_SIZE} (a parser per datagram), JAIN-SIP's own loop runs.
 */
final class CompactUdpProcessor extends UDPMessageProcessor {

    private static final Logger LOG = LoggerFactory.getLogger(CompactUdpProcessor.class);
    /** The largest UDP payload; also what JAIN-SIP's loop uses when the stack's limit is larger or unset. */
    static final int LARGEST_DATAGRAM = 65_536;
    /** Receive errors logged at WARN; more in a row only at DEBUG (a socket that fails keeps failing). */
    private static final int WARNINGS_IN_A_ROW = 5;

    private final int parserThreads;

    CompactUdpProcessor(InetAddress address, SIPTransactionStack stack, int port) throws IOException {
        super(address, stack, port);
        this.parserThreads = parserThreads(stack);
    }

    /** The stack's {@code THREAD_POOL_SIZE}, or 0 when it has none (JAIN-SIP then parses each datagram apart). */
    static int parserThreads(SIPTransactionStack stack) {
        if (!(stack instanceof SipStackImpl impl)) {
            return 0;
        }
        String value = impl.getConfigurationProperties().getProperty("gov.nist.javax.sip.THREAD_POOL_SIZE");
        try {
            return value == null ? 0 : Math.max(0, Integer.parseInt(value.trim()));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** The receive buffer: the stack's message size limit, at most one datagram's largest payload. */
    static int bufferSize(int stackLimit) {
        return stackLimit > 0 && stackLimit < LARGEST_DATAGRAM ? stackLimit : LARGEST_DATAGRAM;
    }

    @Override
    public void run() {
        if (parserThreads <= 0) {
            super.run();
            return;
        }
        String stackName = ((SipStackImpl) sipStack).getStackName();
        messageChannels = new LinkedList<>();
        for (int i = 0; i < parserThreads; i++) {
            messageChannels.add(new ParserThread(sipStack, this, stackName + "-UDPMessageChannelThread-" + i));
        }
        ThreadAuditor auditor = sipStack.getThreadAuditor();
        ThreadAuditor.ThreadHandle audit = auditor == null ? null : auditor.addCurrentThread();
        byte[] buffer = new byte[bufferSize(sipStack.getMaxMessageSize())];
        int failuresInARow = 0;
        while (isRunning) {
            if (audit != null) {
                audit.ping();
            }
            DatagramPacket received = new DatagramPacket(buffer, buffer.length);
            try {
                sock.receive(received);
            } catch (IOException e) {
                if (!isRunning || (e instanceof SocketException && sock.isClosed())) {
                    return;
                }
                if (++failuresInARow <= WARNINGS_IN_A_ROW) {
                    LOG.warn("UDP receive on port {} failed: {}", getPort(), e.toString());
                } else {
                    LOG.debug("UDP receive on port {} failed: {}", getPort(), e.toString());
                }
                continue;
            }
            failuresInARow = 0;
            byte[] datagram = Arrays.copyOf(buffer, received.getLength());
            messageQueue.offer(new DatagramQueuedMessageDispatch(
                    new DatagramPacket(datagram, datagram.length, received.getSocketAddress()),
                    System.currentTimeMillis()));
        }
    }

    /** One of JAIN-SIP's parser threads, taking datagrams from this processor's queue (its constructor starts it). */
    private static final class ParserThread extends UDPMessageChannel {
        ParserThread(SIPTransactionStack stack, UDPMessageProcessor processor, String name) {
            super(stack, processor, name);
        }
    }
}
