package org.wabridge.b2bua.sip;

import gov.nist.javax.sip.SipStackImpl;
import gov.nist.javax.sip.stack.DatagramQueuedMessageDispatch;
import gov.nist.javax.sip.stack.SIPTransactionStack;
import gov.nist.javax.sip.stack.UDPMessageChannel;
import gov.nist.javax.sip.stack.UDPMessageProcessor;
import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.net.DatagramPacket;
import java.net.InetAddress;
import java.net.SocketException;
import java.util.Arrays;
import java.util.LinkedList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JAIN-SIP's UDP listener with two changes. Every datagram is read into one buffer that is kept, and only its bytes
 * are handed on: JAIN-SIP's loop allocated a buffer of the largest datagram (64 KB) for every datagram it read, and
 * without that the bridge allocated a quarter less at 500 calls/s (BENCHMARKS.md, "A buffer per datagram"). And a
 * datagram that arrived while the loop was waiting for one (nothing else was waiting to be read) is processed on
 * the loop's own thread, as JAIN-SIP's workers process theirs, instead of waking a worker for it: one thread
 * hand-off less per message from the PBX (BENCHMARKS.md, "The PBX's datagrams processed where they are read").
 * Datagrams that were already waiting go to the stack's workers as before, so a burst is read at once and
 * processed in parallel. JAIN-SIP's workers never kept the order of datagrams either (16 of them take from one
 * queue); SIP over UDP does not rely on it.
 */
final class UdpProcessor extends UDPMessageProcessor {

    private static final Logger LOG = LoggerFactory.getLogger(UdpProcessor.class);
    /** The largest UDP payload; a larger datagram cannot arrive. */
    private static final int MAX_DATAGRAM = 65_535;
    /**
     * A receive that took at least this long waited for its datagram: nothing else was queued in the socket. One
     * that finds a datagram waiting returns in a few microseconds; one that waits costs a thread switch at least.
     */
    private static final long WAITED_NANOS = 50_000;
    /** JAIN-SIP's processing of one datagram (parse, match, deliver), which its workers run; private there. */
    private static final MethodHandle PROCESS = processMethod();

    UdpProcessor(InetAddress address, SIPTransactionStack stack, int port) throws IOException {
        super(address, stack, port);
        sendFromListeningSocket(stack);
        if (PROCESS == null) {
            throw new IOException("this JAIN-SIP has no UDPMessageChannel.processIncomingDataPacket(DatagramPacket)"
                    + " to process a datagram on the reading thread");
        }
    }

    private static MethodHandle processMethod() {
        try {
            return MethodHandles.privateLookupIn(UDPMessageChannel.class, MethodHandles.lookup()).findVirtual(
                    UDPMessageChannel.class, "processIncomingDataPacket",
                    MethodType.methodType(void.class, DatagramPacket.class));
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /**
     * What JAIN-SIP's factory does beside making its processor: with the stack's package-private {@code udpFlag}
     * set, every datagram the stack sends leaves from the listening socket (port 5060), not from a fresh socket of
     * its own whose port the peer never heard of. Not settable from outside its package, hence reflection; a stack
     * without the field fails here, at start, not later on the wire.
     */
    private static void sendFromListeningSocket(SIPTransactionStack stack) throws IOException {
        try {
            Field udpFlag = SIPTransactionStack.class.getDeclaredField("udpFlag");
            udpFlag.setAccessible(true);
            udpFlag.setBoolean(stack, true);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IOException("this JAIN-SIP has no udpFlag to send UDP from the listening socket", e);
        }
    }

    @Override
    public void run() {
        int workers = workers();
        if (workers <= 0) {
            super.run(); // JAIN-SIP's thread per datagram: not how the bridge runs the stack (THREAD_POOL_SIZE is set)
            return;
        }
        SIPTransactionStack stack = getSIPStack();
        String prefix = ((SipStackImpl) stack).getStackName() + "-UDPMessageChannelThread-";
        messageChannels = new LinkedList<>();
        for (int i = 0; i < workers; i++) {
            messageChannels.add(new Worker(stack, this, prefix + i));
        }
        Inline here = new Inline(stack, this);
        byte[] buffer = new byte[MAX_DATAGRAM];
        DatagramPacket received = new DatagramPacket(buffer, buffer.length);
        int failures = 0;
        while (isRunning) {
            try {
                long waitFrom = System.nanoTime();
                sock.receive(received);
                boolean waited = System.nanoTime() - waitFrom >= WAITED_NANOS;
                int length = received.getLength();
                DatagramPacket datagram = new DatagramPacket(Arrays.copyOf(buffer, length), length,
                        received.getAddress(), received.getPort());
                if (waited) {
                    here.process(datagram);
                } else {
                    messageQueue.offer(new DatagramQueuedMessageDispatch(datagram, System.currentTimeMillis()));
                }
                failures = 0;
            } catch (SocketException e) {
                if (!isRunning) {
                    return; // stop() closed the socket
                }
                failures = failed(e, failures);
            } catch (IOException | RuntimeException e) {
                failures = failed(e, failures);
            }
        }
    }

    /** The stack's UDP worker threads, as JAIN-SIP reads them (it keeps the number to itself). */
    private int workers() {
        String size = ((SipStackImpl) getSIPStack()).getConfigurationProperties()
                .getProperty("gov.nist.javax.sip.THREAD_POOL_SIZE");
        try {
            return size == null ? -1 : Integer.parseInt(size.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** A receive that failed is logged, the first ten in a row only (as JAIN-SIP's loop did), and reading goes on. */
    private int failed(Exception e, int failures) {
        if (failures < 10) {
            LOG.warn("SIP over UDP on port {}: receive failed ({}){}", getPort(), e.toString(),
                    failures == 9 ? "; further failures in a row are not logged" : "");
        }
        return failures + 1;
    }

    /** One of the stack's UDP worker threads: takes datagrams from the queue and processes them, as JAIN-SIP's. */
    private static final class Worker extends UDPMessageChannel {
        Worker(SIPTransactionStack stack, UDPMessageProcessor processor, String threadName) {
            super(stack, processor, threadName);
        }
    }

    /**
     * The reading thread's own channel: processes a datagram the way a worker does (JAIN-SIP's method, which keeps
     * the datagram's peer in the channel for as long as it runs), without a thread of its own.
     */
    private static final class Inline extends UDPMessageChannel {
        Inline(SIPTransactionStack stack, UdpProcessor processor) {
            super(processor.getIpAddress(), processor.getPort(), stack, processor);
        }

        void process(DatagramPacket datagram) {
            try {
                PROCESS.invokeExact((UDPMessageChannel) this, datagram);
            } catch (Error e) {
                throw e;
            } catch (Throwable e) { // as JAIN-SIP's worker does with a datagram that throws: log it, read on
                // the first line only: a parser's message may quote the datagram, Authorization header and all
                LOG.warn("SIP over UDP from {}:{}: processing a datagram of {} bytes failed: {}",
                        datagram.getAddress().getHostAddress(), datagram.getPort(), datagram.getLength(),
                        e.toString().lines().findFirst().orElse(""));
            }
        }
    }
}
