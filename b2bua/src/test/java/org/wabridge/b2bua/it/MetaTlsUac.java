package org.wabridge.b2bua.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import org.wabridge.b2bua.sip.TlsContexts;
import javax.net.ssl.SSLSocket;

/**
 * The "Meta" side of a user-initiated call as raw SIP over one TLS connection to the bridge's Meta listener:
 * INVITE, the 407 answered with digest (MD5, qop=auth, the number's password), ACK, BYE. A reader thread stamps
 * every message the moment its first byte is readable, with {@link System#nanoTime()} and the wall clock, so a
 * test can compare the arrival of the 200 OK with the arrival of media on the same machine.
 */
final class MetaTlsUac implements AutoCloseable {

    /** Meta's Request-URI for the lab number: user-part parameters and transport=tls (whatsapp-sip-facts 3.2). */
    static final String REQUEST_URI =
            "sip:+15550100001;tgrp=wacall;trunk-context=byoc.example.test@bridge.example.test;transport=tls";
    /** Meta's digest uri is the Request-URI without ;transport=tls. */
    static final String AUTH_URI = "sip:+15550100001;tgrp=wacall;trunk-context=byoc.example.test@bridge.example.test";

    /**
     * One SIP message from the bridge: {@code nanos} and {@code at} when its first byte could be read,
     * {@code completeAt} once all of it (body included) was read.
     */
    record Message(String text, long nanos, Instant at, Instant completeAt) {
        String startLine() {
            return text.substring(0, text.indexOf("\r\n"));
        }

        int status() {
            return startLine().startsWith("SIP/2.0 ") ? Integer.parseInt(startLine().substring(8, 11)) : -1;
        }

        String header(String name) {
            Matcher m = Pattern.compile("(?im)^" + Pattern.quote(name) + "\\s*:\\s*(.*?)\\s*$").matcher(headers());
            return m.find() ? m.group(1) : null;
        }

        String headers() {
            int end = text.indexOf("\r\n\r\n");
            return end < 0 ? text : text.substring(0, end);
        }

        String body() {
            int end = text.indexOf("\r\n\r\n");
            return end < 0 ? "" : text.substring(end + 4);
        }

        String cseqMethod() {
            String cseq = header("CSeq");
            return cseq == null ? "" : cseq.replaceAll("^\\d+\\s+", "");
        }
    }

    private static final AtomicLong COUNTER = new AtomicLong(System.nanoTime());

    private final SSLSocket socket;
    private final OutputStream out;
    private final Thread reader;
    private final LinkedBlockingQueue<Message> inbox = new LinkedBlockingQueue<>();
    /** Every message received, in order. */
    final List<Message> received = new CopyOnWriteArrayList<>();
    /** Every message sent, in order (for assertion messages). */
    final List<String> sent = new CopyOnWriteArrayList<>();
    private final int localPort;
    private final String id = Long.toHexString(COUNTER.incrementAndGet());
    private final String callId = "outgoing:wacid.media-start-" + id + "@127.0.0.1";
    private final String fromTag = "wa" + id;
    private int cseq = 1;
    private String inviteVia;
    private String toWithTag;
    private String remoteTarget;

    MetaTlsUac(Path caPem, int bridgeTlsPort) throws Exception {
        SSLContext tls = TlsContexts.client(caPem); // the lab CA, as the bridge's own client trusts it
        socket = (SSLSocket) tls.getSocketFactory().createSocket("127.0.0.1", bridgeTlsPort);
        socket.setTcpNoDelay(true);
        socket.startHandshake();
        localPort = socket.getLocalPort();
        out = socket.getOutputStream();
        InputStream in = socket.getInputStream();
        reader = new Thread(() -> readLoop(in), "meta-tls-uac-reader");
        reader.setDaemon(true);
        reader.start();
    }

    int localPort() {
        return localPort;
    }

    private void readLoop(InputStream in) {
        try {
            while (true) {
                int first = in.read();
                long nanos = System.nanoTime();
                Instant at = Instant.now();
                if (first < 0) {
                    return;
                }
                if (first == '\r' || first == '\n') {
                    continue; // keep-alive CRLF
                }
                ByteArrayOutputStream head = new ByteArrayOutputStream();
                head.write(first);
                int matched = 0;
                int b;
                while (matched < 4 && (b = in.read()) >= 0) {
                    head.write(b);
                    matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
                }
                String text = head.toString(StandardCharsets.UTF_8);
                Matcher length = Pattern.compile("(?im)^(?:Content-Length|l)\\s*:\\s*(\\d+)").matcher(text);
                if (length.find()) {
                    text += new String(in.readNBytes(Integer.parseInt(length.group(1))), StandardCharsets.UTF_8);
                }
                Message message = new Message(text, nanos, at, Instant.now());
                received.add(message);
                inbox.add(message);
            }
        } catch (IOException closed) {
            // the test closed the connection
        }
    }

    private synchronized void send(String message) throws IOException {
        sent.add(message);
        out.write(message.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** The next message from the bridge, or an AssertionError naming what was expected. */
    Message next(long timeoutMillis, String expecting) throws InterruptedException {
        Message m = inbox.poll(timeoutMillis, TimeUnit.MILLISECONDS);
        if (m == null) {
            throw new AssertionError("no " + expecting + " from the bridge within " + timeoutMillis + " ms; received "
                    + received.stream().map(Message::startLine).toList());
        }
        return m;
    }

    /** The next final response to our INVITE, skipping provisionals (they stay in {@link #received}). */
    Message finalInviteResponse(long timeoutMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (true) {
            Message m = next(Math.max(1, deadline - System.currentTimeMillis()), "final response to the INVITE");
            if (m.status() >= 200 && "INVITE".equals(m.cseqMethod())) {
                return m;
            }
        }
    }

    /**
     * Sends the INVITE with {@code sdp}, answers the bridge's digest challenge and returns the final response to
     * the authenticated INVITE (ACKed here when it is not a 2xx; a 2xx is ACKed by {@link #ackOk}).
     */
    Message call(String sdp, String password, long timeoutMillis) throws Exception {
        sendInvite(sdp, null);
        Message challenge = finalInviteResponse(10_000);
        if (challenge.status() != 407) {
            throw new AssertionError("expected the bridge's 407 challenge, got " + challenge.text());
        }
        toWithTag = challenge.header("To");
        sendNon2xxAck();
        cseq++;
        sendInvite(sdp, digest(challenge.header("Proxy-Authenticate"), password));
        Message answer = finalInviteResponse(timeoutMillis);
        toWithTag = answer.header("To");
        if (answer.status() >= 300) {
            sendNon2xxAck();
        } else {
            String contact = answer.header("Contact");
            Matcher uri = Pattern.compile("<([^>]+)>").matcher(contact == null ? "" : contact);
            if (!uri.find()) {
                throw new AssertionError("200 OK without a Contact URI:\n" + answer.text());
            }
            remoteTarget = uri.group(1);
        }
        return answer;
    }

    private void sendInvite(String sdp, String proxyAuthorization) throws IOException {
        inviteVia = "SIP/2.0/TLS 127.0.0.1:" + localPort + ";rport;branch=z9hG4bK" + id + "i" + cseq;
        send("INVITE " + REQUEST_URI + " SIP/2.0\r\n"
                + "Via: " + inviteVia + "\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: \"12195550714\" <sip:+12195550714@wa.meta.vc>;tag=" + fromTag + "\r\n"
                + "To: <sip:+15550100001@bridge.example.test>\r\n"
                + "Contact: <sip:+12195550714@127.0.0.1:" + localPort + ";transport=tls>\r\n"
                + "Call-ID: " + callId + "\r\n"
                + "CSeq: " + cseq + " INVITE\r\n"
                + (proxyAuthorization == null ? "" : "Proxy-Authorization: " + proxyAuthorization + "\r\n")
                + "x-wa-meta-wacid: wacid.media-start-" + id + "\r\n"
                + "Allow: INVITE, ACK, BYE, CANCEL, NOTIFY, OPTIONS\r\n"
                + "User-Agent: Facebook SipGateway\r\n"
                + "Content-Type: application/sdp\r\n"
                + "Content-Length: " + sdp.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + sdp);
    }

    /** ACK for a non-2xx final response: same branch as the INVITE (RFC 3261 17.1.1.3). */
    private void sendNon2xxAck() throws IOException {
        send("ACK " + REQUEST_URI + " SIP/2.0\r\n"
                + "Via: " + inviteVia + "\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: \"12195550714\" <sip:+12195550714@wa.meta.vc>;tag=" + fromTag + "\r\n"
                + "To: " + toWithTag + "\r\n"
                + "Call-ID: " + callId + "\r\n"
                + "CSeq: " + cseq + " ACK\r\n"
                + "Content-Length: 0\r\n\r\n");
    }

    /** ACK for the 200 OK, to its Contact, in a new transaction. */
    void ackOk() throws IOException {
        send(inDialog("ACK", cseq, ""));
    }

    /** BYE as Meta sends it when the WhatsApp user hangs up; returns the bridge's answer to it. */
    Message bye() throws Exception {
        send(inDialog("BYE", cseq + 1, "x-wa-meta-call-duration: 1\r\nReason: Q.850;cause=16;text=\"NORMAL_CLEARING\"\r\n"));
        while (true) {
            Message m = next(10_000, "answer to our BYE");
            if ("BYE".equals(m.cseqMethod()) && m.status() >= 200) {
                return m;
            }
        }
    }

    private String inDialog(String method, int number, String extraHeaders) {
        return method + " " + remoteTarget + " SIP/2.0\r\n"
                + "Via: SIP/2.0/TLS 127.0.0.1:" + localPort + ";rport;branch=z9hG4bK" + id + method.charAt(0) + number
                + "\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: \"12195550714\" <sip:+12195550714@wa.meta.vc>;tag=" + fromTag + "\r\n"
                + "To: " + toWithTag + "\r\n"
                + "Call-ID: " + callId + "\r\n"
                + "CSeq: " + number + " " + method + "\r\n"
                + extraHeaders
                + "Content-Length: 0\r\n\r\n";
    }

    /** RFC 2617/7616 digest response with qop=auth for the INVITE, username = the business number without '+'. */
    /**
     * Meta's SDES offer (Opus, PCMA as with audio.additional_codecs, DTMF) toward {@code mediaPort}, with a fresh
     * key.
     */
    static String sdesOffer(int mediaPort) {
        byte[] key = new byte[30];
        new SecureRandom().nextBytes(key);
        return "v=0\r\no=- 1750716867913 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
                + "m=audio " + mediaPort + " RTP/SAVP 111 8 126\r\nc=IN IP4 127.0.0.1\r\n"
                + "a=rtcp-mux\r\na=sendrecv\r\n"
                + "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" + Base64.getEncoder().encodeToString(key) + "\r\n"
                + "a=rtpmap:111 opus/48000/2\r\n"
                + "a=fmtp:111 maxaveragebitrate=20000;maxplaybackrate=16000;minptime=20;useinbandfec=1\r\n"
                + "a=rtpmap:8 PCMA/8000\r\na=rtpmap:126 telephone-event/8000\r\na=ptime:20\r\n"
                + "a=ssrc:215879358 cname:WhatsAppAudioStream1\r\n";
    }

    static String digest(String challenge, String password) throws Exception {
        if (challenge == null) {
            throw new AssertionError("the 407 carries no Proxy-Authenticate");
        }
        Map<String, String> p = new java.util.HashMap<>();
        Matcher m = Pattern.compile("(\\w+)=(?:\"([^\"]*)\"|([^,\\s]+))").matcher(challenge);
        while (m.find()) {
            p.put(m.group(1).toLowerCase(), m.group(2) != null ? m.group(2) : m.group(3));
        }
        String algorithm = p.getOrDefault("algorithm", "MD5");
        if (!algorithm.equalsIgnoreCase("MD5")) {
            throw new AssertionError("this test answers MD5 challenges only: " + challenge);
        }
        String user = "15550100001";
        String cnonce = "c" + Long.toHexString(System.nanoTime());
        String nc = "00000001";
        String ha1 = md5(user + ":" + p.get("realm") + ":" + password);
        String ha2 = md5("INVITE:" + AUTH_URI);
        String response = md5(ha1 + ":" + p.get("nonce") + ":" + nc + ":" + cnonce + ":auth:" + ha2);
        return "Digest username=\"" + user + "\", realm=\"" + p.get("realm") + "\", nonce=\"" + p.get("nonce")
                + "\", uri=\"" + AUTH_URI + "\", response=\"" + response + "\", algorithm=MD5, cnonce=\"" + cnonce
                + "\", qop=auth, nc=" + nc + (p.containsKey("opaque") ? ", opaque=\"" + p.get("opaque") + "\"" : "");
    }

    private static String md5(String s) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(s.getBytes(StandardCharsets.UTF_8)));
    }

    /** What went over the connection, for assertion messages. */
    String transcript() {
        StringBuilder sb = new StringBuilder();
        sent.forEach(s -> sb.append(">>> ").append(s.substring(0, s.indexOf("\r\n"))).append('\n'));
        received.forEach(r -> sb.append("<<< ").append(r.startLine()).append('\n'));
        return sb.toString();
    }

    @Override
    public void close() throws Exception {
        socket.close();
        reader.join(2000);
    }
}
