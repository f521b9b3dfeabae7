package org.wabridge.b2bua.sip;

import gov.nist.javax.sip.message.SIPMessage;
import gov.nist.javax.sip.message.SIPRequest;
import gov.nist.javax.sip.parser.StringMsgParser;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.ParseException;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Parses and re-encodes the messages of one business-initiated call with JAIN-SIP's own parser, in memory, before
 * the stack listens. JAIN-SIP loads a parser class per header name on first sight and every class runs
 * interpreted at first: the first call through a fresh bridge otherwise spent tens of milliseconds on that in
 * each step (BENCHMARKS.md, "Call set-up latency"). Nothing is sent; the messages are shaped like the lab's
 * (Asterisk's INVITE, Meta's 407, 180 and 200).
 */
public final class SipWarmUp {

    private static final AtomicInteger RUNS = new AtomicInteger();
    private static volatile int parsed = -1;

    private SipWarmUp() {}

    /** Messages parsed by the last run, or -1 before the first. */
    public static int parsed() {
        return parsed;
    }

    /** Runs so far in this JVM (one per SIP stack created). */
    public static int runs() {
        return RUNS.get();
    }

    /**
     * Parses, encodes and answers (where a request) each sample message; returns how many parsed. Never throws: a
     * sample the parser refuses is skipped.
     */
    public static int run() {
        int ok = 0;
        StringMsgParser parser = new StringMsgParser();
        for (String text : MESSAGES) {
            try {
                SIPMessage m = parser.parseSIPMessage(crlf(text).getBytes(StandardCharsets.UTF_8), true, false, null);
                m.encodeAsBytes("TLS");
                if (m instanceof SIPRequest request && !"ACK".equals(request.getMethod())) {
                    request.createResponse(200).encode();
                }
                ok++;
            } catch (ParseException | RuntimeException e) {
                // a sample the parser refuses only warms less
            }
        }
        try {
            MessageDigest.getInstance("MD5").digest(new byte[16]);
            MessageDigest.getInstance("SHA-256").digest(new byte[16]);
        } catch (NoSuchAlgorithmException e) {
            // digest answers will fail the same way, and say so then
        }
        parsed = ok;
        RUNS.incrementAndGet();
        return ok;
    }

    private static String crlf(String text) {
        String headersAndBody = text.stripIndent().strip().replace("\n", "\r\n");
        int blank = headersAndBody.indexOf("\r\n\r\n");
        String body = blank < 0 ? "" : headersAndBody.substring(blank + 4);
        String head = blank < 0 ? headersAndBody : headersAndBody.substring(0, blank);
        if (!body.isEmpty()) {
            body += "\r\n";
        }
        return head + "\r\nContent-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body;
    }

    private static final String SDP_PBX = """
            v=0
            o=- 1700000000 1700000000 IN IP4 127.0.0.1
            s=Asterisk
            c=IN IP4 127.0.0.1
            t=0 0
            m=audio 17000 RTP/AVP 107 0 8 101
            a=rtpmap:107 opus/48000/2
            a=rtpmap:0 PCMU/8000
            a=rtpmap:101 telephone-event/8000
            a=fmtp:101 0-16
            a=ptime:20
            a=sendrecv""";

    private static final String SDP_META = """
            v=0
            o=- 1746657286595 2 IN IP4 127.0.0.1
            s=-
            t=0 0
            m=audio 16000 RTP/SAVP 111 126
            c=IN IP4 127.0.0.1
            a=rtcp-mux
            a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:BDZqHmVowBWa9gQGV4qlee0bM7gRHbiEXQgVZJF2
            a=rtpmap:111 opus/48000/2
            a=rtpmap:126 telephone-event/8000
            a=ptime:20""";

    private static final List<String> MESSAGES = List.of("""
            INVITE sip:+15550100099@127.0.0.1:5060 SIP/2.0
            Via: SIP/2.0/UDP 127.0.0.1:5091;branch=z9hG4bK-warm-1;rport
            Max-Forwards: 70
            From: <sip:+15550100001@127.0.0.1>;tag=warm-1
            To: <sip:+15550100099@127.0.0.1:5060>
            Call-ID: warm-up-1@127.0.0.1
            CSeq: 1 INVITE
            Contact: <sip:asterisk@127.0.0.1:5091;transport=udp>
            Allow: INVITE, ACK, CANCEL, OPTIONS, BYE, REFER, SUBSCRIBE, NOTIFY, INFO
            Supported: replaces, timer
            User-Agent: Asterisk PBX 20.5.0
            Content-Type: application/sdp

            """ + SDP_PBX, """
            SIP/2.0 407 Proxy Authentication Required
            Via: SIP/2.0/TLS 127.0.0.1:5062;branch=z9hG4bK-warm-2;rport=40000;received=127.0.0.1
            From: <sip:+15550100001@bridge.example.test>;tag=warm-2
            To: <sip:+15550100099@wa.meta.vc>;tag=warm-3
            Call-ID: warm-up-2@127.0.0.1
            CSeq: 1 INVITE
            Proxy-Authenticate: Digest realm="wa.meta.vc", nonce="Z2FyYmFnZQ", qop="auth", algorithm=MD5, opaque="0123"
            Server: wa-lab-edge""", """
            INVITE sip:+15550100099@wa.meta.vc;transport=tls SIP/2.0
            Via: SIP/2.0/TLS 127.0.0.1:5062;branch=z9hG4bK-warm-4
            Max-Forwards: 70
            From: <sip:+15550100001@bridge.example.test>;tag=warm-2
            To: <sip:+15550100099@wa.meta.vc>
            Call-ID: warm-up-2@127.0.0.1
            CSeq: 2 INVITE
            Contact: <sip:+15550100001@127.0.0.1:5062;transport=tls>
            Proxy-Authorization: Digest username="15550100001", realm="wa.meta.vc", nonce="Z2FyYmFnZQ", uri="sip:+15550100099@wa.meta.vc;transport=tls", response="00000000000000000000000000000000", algorithm=MD5, cnonce="abc", qop=auth, nc=00000001, opaque="0123"
            Content-Type: application/sdp

            """ + SDP_META, """
            SIP/2.0 180 Ringing
            Via: SIP/2.0/TLS 127.0.0.1:5062;branch=z9hG4bK-warm-4;rport=40000;received=127.0.0.1
            Record-Route: <sip:127.0.0.1:5061;transport=tls;r2=on;lr>, <sip:127.0.0.1:5065;r2=on;lr>
            From: <sip:+15550100001@bridge.example.test>;tag=warm-2
            To: <sip:+15550100099@wa.meta.vc>;tag=warm-5
            Call-ID: warm-up-2@127.0.0.1
            CSeq: 2 INVITE
            Contact: <sip:+15550100099@127.0.0.1:5070;transport=udp>
            X-FB-External-Domain: wa.meta.vc""", """
            SIP/2.0 200 OK
            Via: SIP/2.0/TLS 127.0.0.1:5062;branch=z9hG4bK-warm-4;rport=40000;received=127.0.0.1
            Record-Route: <sip:127.0.0.1:5061;transport=tls;r2=on;lr>, <sip:127.0.0.1:5065;r2=on;lr>
            From: <sip:+15550100001@bridge.example.test>;tag=warm-2
            To: <sip:+15550100099@wa.meta.vc>;tag=warm-5
            Call-ID: warm-up-2@127.0.0.1
            CSeq: 2 INVITE
            Contact: <sip:+15550100099@127.0.0.1:5070;transport=udp>
            Allow: INVITE, ACK, BYE, CANCEL, NOTIFY, OPTIONS
            Supported: timer
            Content-Type: application/sdp

            """ + SDP_META, """
            ACK sip:+15550100099@127.0.0.1:5070;transport=udp SIP/2.0
            Via: SIP/2.0/TLS 127.0.0.1:5062;branch=z9hG4bK-warm-6
            Route: <sip:127.0.0.1:5061;transport=tls;r2=on;lr>, <sip:127.0.0.1:5065;r2=on;lr>
            Max-Forwards: 70
            From: <sip:+15550100001@bridge.example.test>;tag=warm-2
            To: <sip:+15550100099@wa.meta.vc>;tag=warm-5
            Call-ID: warm-up-2@127.0.0.1
            CSeq: 2 ACK""", """
            BYE sip:bridge@127.0.0.1:5060;transport=udp SIP/2.0
            Via: SIP/2.0/UDP 127.0.0.1:5091;branch=z9hG4bK-warm-7
            Max-Forwards: 70
            From: <sip:+15550100001@127.0.0.1>;tag=warm-1
            To: <sip:+15550100099@127.0.0.1:5060>;tag=warm-8
            Call-ID: warm-up-1@127.0.0.1
            CSeq: 2 BYE
            Reason: Q.850;cause=16;text="Normal Clearing\"""");
}
