package org.wabridge.b2bua.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The PBX as a bare UDP socket whose SIP the test writes line by line: one business-initiated call (INVITE from
 * +15550100001 to +15550100099) and the requests of its dialog, with nothing of a SIP stack on this side, so a
 * test can send what SIPp's scenarios cannot easily (a re-INVITE without SDP, an answer in an ACK) and see
 * exactly what comes back.
 */
final class RawPbx implements AutoCloseable {

    final DatagramSocket socket;
    private final int bridgePort;
    private String invite;
    private String ok;

    RawPbx(int bridgePort) throws IOException {
        this(bridgePort, 0);
    }

    /** A PBX on {@code localPort} (0: any), for a bridge whose PBX listener is {@code bridgePort}. */
    RawPbx(int bridgePort, int localPort) throws IOException {
        this.bridgePort = bridgePort;
        socket = new DatagramSocket(localPort, InetAddress.getLoopbackAddress());
        socket.setSoTimeout(200);
    }

    int port() {
        return socket.getLocalPort();
    }

    /** Sends the call's INVITE with {@code sdp}. */
    void invite(String sdp) throws IOException {
        int local = port();
        invite = "INVITE sip:+15550100099@127.0.0.1 SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:" + local + ";branch=z9hG4bK" + System.nanoTime() + "\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: <sip:+15550100001@127.0.0.1>;tag=t" + System.nanoTime() + "\r\n"
                + "To: <sip:+15550100099@127.0.0.1>\r\n"
                + "Call-ID: raw-pbx-" + System.nanoTime() + "@127.0.0.1\r\n"
                + "CSeq: 1 INVITE\r\n"
                + "Contact: <sip:pbx@127.0.0.1:" + local + ">\r\n"
                + "Content-Type: application/sdp\r\n"
                + "Content-Length: " + sdp.length() + "\r\n\r\n" + sdp;
        send(invite);
    }

    /** Waits for the INVITE's final answer (provisionals skipped); a 200 opens the dialog. Null if none came. */
    String awaitAnswer(long millis) throws IOException {
        String answer = awaitFinal(1, "INVITE", millis);
        if (answer != null && answer.startsWith("SIP/2.0 200")) {
            ok = answer;
        }
        return answer;
    }

    /** The first final response for CSeq {@code cseq} {@code method} within {@code millis}, or null. */
    String awaitFinal(int cseq, String method, long millis) throws IOException {
        Pattern wanted = Pattern.compile("(?im)^CSeq:\\s*" + cseq + "\\s+" + method + "\\r?$");
        long deadline = System.nanoTime() + millis * 1_000_000L;
        while (System.nanoTime() < deadline) {
            String message = receive();
            if (message != null && message.startsWith("SIP/2.0 ") && !message.startsWith("SIP/2.0 1")
                    && wanted.matcher(message).find()) {
                return message;
            }
        }
        return null;
    }

    /** The first {@code method} request from the bridge within {@code millis}, or null. */
    String awaitRequest(String method, long millis) throws IOException {
        long deadline = System.nanoTime() + millis * 1_000_000L;
        while (System.nanoTime() < deadline) {
            String message = receive();
            if (message != null && message.startsWith(method + " ")) {
                return message;
            }
        }
        return null;
    }

    /** Sends a request in the dialog the 200 made, to its Contact, with {@code sdp} as body when not null. */
    void inDialog(String method, int cseq, String sdp) throws IOException {
        assertTrue(ok != null, "no dialog: the INVITE was not answered 200");
        String target = header(ok, "Contact").replaceAll("^.*<([^>]+)>.*$", "$1");
        String body = sdp == null ? "" : sdp;
        send(method + " " + target + " SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:" + port() + ";branch=z9hG4bK" + method + System.nanoTime() + "\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: " + header(invite, "From") + "\r\n"
                + "To: " + header(ok, "To") + "\r\n"
                + "Call-ID: " + header(invite, "Call-ID") + "\r\n"
                + "CSeq: " + cseq + " " + method + "\r\n"
                + (method.equals("INVITE") ? "Contact: <sip:pbx@127.0.0.1:" + port() + ">\r\n" : "")
                + (sdp == null ? "" : "Content-Type: application/sdp\r\n")
                + "Content-Length: " + body.length() + "\r\n\r\n" + body);
    }

    void send(String message) throws IOException {
        byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
        socket.send(new DatagramPacket(bytes, bytes.length, InetAddress.getLoopbackAddress(), bridgePort));
    }

    /** The next message, or null after 200 ms of silence. */
    String receive() throws IOException {
        byte[] buf = new byte[65535];
        DatagramPacket packet = new DatagramPacket(buf, buf.length);
        try {
            socket.receive(packet);
        } catch (SocketTimeoutException e) {
            return null;
        }
        return new String(buf, 0, packet.getLength(), StandardCharsets.UTF_8);
    }

    /** First lines of what arrives in 2 s: past T1 (500 ms) and 2*T1, when an unacknowledged 200 would come again. */
    List<String> heardWithinTwoSeconds() throws IOException {
        List<String> heard = new ArrayList<>();
        long until = System.nanoTime() + 2_000_000_000L;
        while (System.nanoTime() < until) {
            String message = receive();
            if (message != null) {
                heard.add(message.lines().findFirst().orElse(""));
            }
        }
        return heard;
    }

    static String header(String message, String name) {
        Matcher m = Pattern.compile("(?im)^" + name + ":\\s*(.*?)\\r?$").matcher(message);
        assertTrue(m.find(), "no " + name + " in\n" + message);
        return m.group(1);
    }

    static String body(String message) {
        int at = message.indexOf("\r\n\r\n");
        return at < 0 ? "" : message.substring(at + 4);
    }

    @Override
    public void close() {
        socket.close();
    }
}
