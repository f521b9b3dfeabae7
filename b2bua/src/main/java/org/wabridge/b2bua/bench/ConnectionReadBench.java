package org.wabridge.b2bua.bench;

import gov.nist.javax.sip.SipStackImpl;
import gov.nist.javax.sip.message.SIPMessage;
import gov.nist.javax.sip.parser.MessageParser;
import gov.nist.javax.sip.parser.Pipeline;
import gov.nist.javax.sip.parser.PipelinedMsgParser;
import gov.nist.javax.sip.parser.SIPMessageListener;
import gov.nist.javax.sip.stack.SIPTransactionStack;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import org.wabridge.b2bua.sip.CompleteMessageParser;
import org.wabridge.b2bua.sip.SipStreamFramer;

/**
 * What reading a connection costs per message, in one run, three ways: Meta's 200 OK with an SDES answer (886 bytes)
 * arrives as one read, as one TLS record brings it, and is parsed into a {@link SIPMessage} for the listener.
 * JAIN-SIP's way: the reading thread writes it into a {@link Pipeline} and its {@link PipelinedMsgParser} thread
 * reads it back a byte at a time, parses it and calls the listener. The bridge's ({@code sip/ConnectionReader}):
 * {@link SipStreamFramer} cuts it on the reading thread and a second thread parses and delivers it. And the form
 * tried first: framed, parsed and delivered on the reading thread. Each way has a reading thread, woken per message
 * as a socket read wakes it, and the message is delivered before the next is sent, as on a connection where answers
 * come one at a time. The figure is the CPU time per message of every thread the way uses (the sender's is not
 * counted). No sockets, no TLS.
 *
 * <pre>java -cp b2bua/target/classes:$CP org.wabridge.b2bua.bench.ConnectionReadBench [messages] [rounds]</pre>
 */
public final class ConnectionReadBench {

    private static final String SDP = "v=0\r\no=- 1733400000 1733400000 IN IP4 157.240.19.130\r\ns=-\r\n"
            + "c=IN IP4 157.240.19.130\r\nt=0 0\r\nm=audio 3480 RTP/SAVP 111 126\r\n"
            + "a=rtpmap:111 opus/48000/2\r\na=fmtp:111 maxplaybackrate=16000;sprop-maxcapturerate=16000;"
            + "maxaveragebitrate=20000;useinbandfec=1\r\na=rtpmap:126 telephone-event/8000\r\na=maxptime:20\r\n"
            + "a=ptime:20\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz\r\n"
            + "a=sendrecv\r\n";
    private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();

    private ConnectionReadBench() {
    }

    static byte[] answer(int n) {
        return ("SIP/2.0 200 OK\r\n"
                + "Via: SIP/2.0/TLS 10.20.30.40:5061;branch=z9hG4bK-" + n + ";rport=5061;received=10.20.30.40\r\n"
                + "Record-Route: <sip:157.240.19.130:5061;transport=tls;lr>\r\n"
                + "From: <sip:+15550100099@bridge.example.com>;tag=" + n + "\r\n"
                + "To: <sip:+447700900123@wa.meta.vc>;tag=meta-" + n + "\r\n"
                + "Call-ID: " + n + "-bench@10.20.30.40\r\nCSeq: 2 INVITE\r\n"
                + "Contact: <sip:+447700900123@157.240.19.130:5061;transport=tls>\r\n"
                + "Allow: INVITE, ACK, BYE, CANCEL, OPTIONS\r\nServer: wa-edge\r\n"
                + "Content-Type: application/sdp\r\nContent-Length: " + SDP.length() + "\r\n\r\n" + SDP)
                .getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * One way of reading, on a reading thread of its own: woken for each message as a socket read would wake it,
     * and done when its listener has the message (which wakes the sender, the same cost for both ways).
     */
    private abstract static class Reader {
        private final Semaphore arrived = new Semaphore(0);
        private final Semaphore handedOver = new Semaphore(0);
        private volatile byte[] inbox;
        private final Thread reading;
        long sink;

        Reader(String name) {
            reading = new Thread(this::readForEver, name);
            reading.setDaemon(true);
        }

        Reader started() {
            reading.start();
            return this;
        }

        private void readForEver() {
            try {
                while (true) {
                    arrived.acquire();
                    read(inbox);
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        /** On the reading thread: one read's bytes. */
        abstract void read(byte[] bytes) throws Exception;

        /** The threads of this way other than the reading thread. */
        long otherThreadsCpuNanos() {
            return 0;
        }

        /** Parses a framed message as the bridge does (headers, then the body attached) and delivers it. */
        final void parseAndDeliver(MessageParser parser, byte[] head, byte[] body) {
            try {
                SIPMessage message = parser.parseSIPMessage(head, false, false, null);
                message.setMessageContent(body);
                delivered(message);
            } catch (ParseException e) {
                throw new IllegalStateException(e);
            }
        }

        final void delivered(SIPMessage message) {
            delivered(message.getContentLength().getContentLength());
        }

        final void delivered(int bytes) {
            sink += bytes;
            handedOver.release();
        }

        final long cpuNanos() {
            return CPU.getThreadCpuTime(reading.getId()) + otherThreadsCpuNanos();
        }

        final void send(byte[] bytes) throws InterruptedException {
            inbox = bytes;
            arrived.release();
            handedOver.acquire();
        }
    }

    /** JAIN-SIP's connection loop: a pipe, and a parser thread reading it back. */
    private static final class PipeReader extends Reader implements SIPMessageListener {
        private final Pipeline pipe = new Pipeline(InputStream.nullInputStream(), -1, null);
        private final long parserThread;

        PipeReader(SIPTransactionStack stack) throws InterruptedException {
            super("pipe-reader");
            PipelinedMsgParser parser = new PipelinedMsgParser(stack, this, pipe, 65536);
            parser.processInput();
            Thread.sleep(100);
            parserThread = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().startsWith("PipelineThread-")).mapToLong(Thread::getId).max()
                    .orElseThrow();
        }

        @Override
        void read(byte[] bytes) throws Exception {
            pipe.write(bytes);
        }

        @Override
        long otherThreadsCpuNanos() {
            return CPU.getThreadCpuTime(parserThread);
        }

        @Override
        public void processMessage(SIPMessage message) {
            delivered(message);
        }

        @Override
        public void sendSingleCLRF() {
        }

        @Override
        public void handleException(ParseException e, SIPMessage m, Class headerClass, String header, String message)
                throws ParseException {
            throw e;
        }
    }

    /** The form tried first: framed, parsed and delivered on the reading thread. */
    private static final class FramingReader extends Reader implements SipStreamFramer.Sink {
        private final SipStreamFramer framer = new SipStreamFramer(65536);
        private final MessageParser parser;

        FramingReader(SIPTransactionStack stack) {
            super("framing-reader");
            parser = stack.getMessageParserFactory().createMessageParser(stack);
        }

        @Override
        void read(byte[] bytes) throws Exception {
            framer.feed(bytes, 0, bytes.length, this);
        }

        @Override
        public void message(byte[] head, byte[] body) {
            parseAndDeliver(parser, head, body);
        }

        @Override
        public void ping() {
        }

        @Override
        public void pong() {
        }
    }

    /** The bridge's: framed on the reading thread, parsed and delivered on a second thread of the connection. */
    private static final class HandOffReader extends Reader implements SipStreamFramer.Sink {
        private final SipStreamFramer framer = new SipStreamFramer(65536);
        private final MessageParser parser;
        private volatile long messagesThread;
        private final ExecutorService messages = Executors.newSingleThreadExecutor(task -> {
            Thread thread = new Thread(task, "hand-off-messages");
            thread.setDaemon(true);
            messagesThread = thread.getId();
            return thread;
        });

        HandOffReader(SIPTransactionStack stack) {
            super("hand-off-reader");
            parser = stack.getMessageParserFactory().createMessageParser(stack);
        }

        @Override
        void read(byte[] bytes) throws Exception {
            framer.feed(bytes, 0, bytes.length, this);
        }

        @Override
        long otherThreadsCpuNanos() {
            return messagesThread == 0 ? 0 : CPU.getThreadCpuTime(messagesThread);
        }

        @Override
        public void message(byte[] head, byte[] body) {
            messages.execute(() -> parseAndDeliver(parser, head, body));
        }

        @Override
        public void ping() {
        }

        @Override
        public void pong() {
        }
    }

    private static double cpuMicrosPerMessage(Reader reader, byte[][] messages) throws Exception {
        long before = reader.cpuNanos();
        for (byte[] m : messages) {
            reader.send(m);
        }
        return (reader.cpuNanos() - before) / 1000.0 / messages.length;
    }

    public static void main(String[] args) throws Exception {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        Properties p = new Properties();
        p.setProperty("javax.sip.STACK_NAME", "connection-read-bench");
        p.setProperty("gov.nist.javax.sip.MESSAGE_PARSER_FACTORY", CompleteMessageParser.class.getName());
        SipStackImpl stack = new SipStackImpl(p);
        byte[][] messages = new byte[count][];
        for (int i = 0; i < count; i++) {
            messages[i] = answer(i);
        }
        Reader pipe = new PipeReader(stack).started();
        Reader framing = new FramingReader(stack).started();
        Reader handOff = new HandOffReader(stack).started();
        for (int i = 0; i < 10; i++) { // compiled before anything is measured
            cpuMicrosPerMessage(pipe, messages);
            cpuMicrosPerMessage(framing, messages);
            cpuMicrosPerMessage(handOff, messages);
        }
        System.out.printf("%d messages of %d bytes per round%n%n", count, messages[0].length);
        System.out.println("| round | JAIN-SIP: a pipe read back a byte at a time by a parser thread | framed on the "
                + "reading thread, parsed and delivered on a second (the bridge's) | all on the reading thread (tried) |");
        System.out.println("|---:|---:|---:|---:|");
        for (int round = 1; round <= rounds; round++) {
            double old = cpuMicrosPerMessage(pipe, messages);
            double shipped = cpuMicrosPerMessage(handOff, messages);
            double inline = cpuMicrosPerMessage(framing, messages);
            System.out.printf("| %d | %.1f | %.1f (%.2f) | %.1f (%.2f) |%n", round, old, shipped, shipped / old, inline,
                    inline / old);
        }
        stack.stop();
        System.exit(0); // the parser thread blocks on its pipe for ever
    }
}
