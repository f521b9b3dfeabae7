package org.wabridge.b2bua.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * Puts one raw message on the wire to a bridge listener, from its own socket (UDP) or connection (TCP, TLS), and
 * reports the status lines that came back within a window: what a scanner or a broken peer would see.
 */
public final class SipProbe {

    /** Largest UDP payload over IPv4. */
    public static final int MAX_DATAGRAM = 65_507;
    private static final Pattern STATUS = Pattern.compile("(?m)^SIP/2\\.0 (\\d{3})[^\\r\\n]*");

    /** What came back: status codes in arrival order, and how the exchange ended (for reports). */
    public record Answer(String transport, String message, List<Integer> codes, String ending) {
        /** "none" or the first code's class ("2xx", "4xx"...). */
        public String outcome() {
            return codes.isEmpty() ? "none" : codes.get(0) / 100 + "xx";
        }

        @Override
        public String toString() {
            return transport + " " + message + ": " + (codes.isEmpty() ? "no answer" : codes) + " (" + ending + ")";
        }
    }

    private final InetAddress host = InetAddress.getLoopbackAddress();
    private final SSLContext tls;
    private final long datagramWindowMillis;
    private final long streamWindowMillis;

    /**
     * @param tls                  client context trusting the bridge's certificate, for "TLS" probes
     * @param datagramWindowMillis how long a UDP probe waits for answers
     * @param streamWindowMillis   how long a TCP/TLS probe keeps its connection open for answers
     */
    public SipProbe(SSLContext tls, long datagramWindowMillis, long streamWindowMillis) {
        this.tls = tls;
        this.datagramWindowMillis = datagramWindowMillis;
        this.streamWindowMillis = streamWindowMillis;
    }

    public Answer send(String transport, int port, TortureCorpus.Message message) throws IOException {
        return "UDP".equals(transport) ? udp(port, message) : stream(transport, port, message);
    }

    private Answer udp(int port, TortureCorpus.Message message) throws IOException {
        byte[] bytes = message.bytes();
        String ending = "sent";
        if (bytes.length > MAX_DATAGRAM) {
            bytes = java.util.Arrays.copyOf(bytes, MAX_DATAGRAM);
            ending = "cut to one datagram";
        }
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(host, 0))) {
            socket.send(new DatagramPacket(bytes, bytes.length, host, port));
            List<Integer> codes = new ArrayList<>();
            long deadline = System.currentTimeMillis() + datagramWindowMillis;
            byte[] buffer = new byte[70_000];
            while (true) {
                long left = deadline - System.currentTimeMillis();
                if (left <= 0) {
                    break;
                }
                socket.setSoTimeout((int) left);
                DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                try {
                    socket.receive(packet);
                } catch (SocketTimeoutException e) {
                    break;
                }
                codes.addAll(statusCodes(new String(buffer, 0, packet.getLength(), StandardCharsets.ISO_8859_1)));
            }
            return new Answer("UDP", message.name(), codes, ending);
        }
    }

    private Answer stream(String transport, int port, TortureCorpus.Message message) throws IOException {
        Socket socket = "TLS".equals(transport) ? tls.getSocketFactory().createSocket() : new Socket();
        try (socket) {
            socket.connect(new InetSocketAddress(host, port), 2000);
            if (socket instanceof SSLSocket s) {
                s.setSoTimeout(2000);
                s.startHandshake();
            }
            String ending = "window over";
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            try {
                socket.getOutputStream().write(message.bytes());
                socket.getOutputStream().flush();
            } catch (IOException e) {
                ending = "write failed: " + e.getMessage();
            }
            InputStream in = socket.getInputStream();
            long deadline = System.currentTimeMillis() + streamWindowMillis;
            byte[] buffer = new byte[8192];
            while (ending.equals("window over")) {
                long left = deadline - System.currentTimeMillis();
                if (left <= 0) {
                    break;
                }
                socket.setSoTimeout((int) left);
                try {
                    int n = in.read(buffer);
                    if (n < 0) {
                        ending = "closed by the bridge";
                    } else {
                        received.write(buffer, 0, n);
                    }
                } catch (SocketTimeoutException e) {
                    break;
                } catch (IOException e) {
                    ending = "closed by the bridge (" + e.getMessage() + ")";
                }
            }
            return new Answer(transport, message.name(),
                    statusCodes(received.toString(StandardCharsets.ISO_8859_1)), ending);
        }
    }

    static List<Integer> statusCodes(String text) {
        List<Integer> codes = new ArrayList<>();
        Matcher m = STATUS.matcher(text);
        while (m.find()) {
            codes.add(Integer.parseInt(m.group(1)));
        }
        return codes;
    }
}
