package org.wabridge.b2bua.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.wabridge.media.NettyMediaRelay;

/**
 * A 200 OK the far side sends again after our ACK (its copy of the ACK was lost) is acknowledged again, with the
 * same ACK (RFC 3261 section 13.2.2.4). The test plays the PBX with a bare UDP socket on a user-initiated call
 * ({@link MetaTlsUac} plays Meta): it answers, takes the bridge's ACK, sends the very same 200 again and must get
 * the ACK again.
 */
class AnswerSentAgainTest {

    static final String PASSWORD = "lab-secret";

    @TempDir
    static Path tmp;

    @Test
    @Timeout(60)
    void aTwoHundredThePbxSendsAgainIsAcknowledgedAgainWithTheSameAck() throws Exception {
        Path certs = Lab.certs(tmp.resolve("certs"));
        BridgeUnderTest.Ports ports = new BridgeUnderTest.Ports();
        int pbxPort = Lab.freePort();
        try (LogCapture log = new LogCapture(); NettyMediaRelay relay = new NettyMediaRelay(ports.mediaSettings());
             BridgeUnderTest bridge = new BridgeUnderTest(ports, certs, Lab.freePort(), PASSWORD,
                     Map.of("pbxTarget", "sip:127.0.0.1:" + pbxPort, "metaAllowedSources", "127.0.0.0/8"), relay);
             MetaTlsUac meta = new MetaTlsUac(certs.resolve("edge-ca.pem"), bridge.metaPort);
             RawPbx pbx = new RawPbx(bridge.pbxPort, pbxPort)) {
            String offer = MetaTlsUac.sdesOffer(40999); // a media port nothing reads: no media is checked here
            FutureTask<MetaTlsUac.Message> call = new FutureTask<>(() -> meta.call(offer, PASSWORD, 20_000));
            new Thread(call, "meta-call").start();

            String invite = pbx.awaitRequest("INVITE", 10_000);
            assertTrue(invite != null, "the PBX got no INVITE:\n" + log.text());
            String ok = answer(invite, pbxPort);
            pbx.send(ok);
            String ack = pbx.awaitRequest("ACK", 5000);
            assertTrue(ack != null, "the 200 was not acknowledged:\n" + log.text());
            assertEquals(200, call.get(10, TimeUnit.SECONDS).status(), "Meta's side is answered");
            meta.ackOk();

            pbx.send(ok); // our ACK "was lost": the same 200 again
            String again = pbx.awaitRequest("ACK", 2000);
            assertTrue(again != null, "the 200 sent again was not acknowledged:\n" + log.text());
            assertEquals(RawPbx.header(ack, "Via"), RawPbx.header(again, "Via"), "the same ACK, sent again");
            assertEquals(RawPbx.header(ack, "CSeq"), RawPbx.header(again, "CSeq"));
            assertEquals(null, pbx.awaitRequest("ACK", 1000), "one ACK for each 200 sent again");

            assertEquals(200, meta.bye().status());
            String bye = pbx.awaitRequest("BYE", 5000);
            assertTrue(bye != null, "the PBX got no BYE:\n" + log.text());
            pbx.send(response(bye, "200 OK", ""));
            BusinessInitiatedCallTest.assertNoLeftovers(bridge, relay);
        }
    }

    /** The PBX's 200 to {@code invite}: the first codec the bridge offered, media on a port nothing reads. */
    private static String answer(String invite, int pbxPort) {
        Matcher m = Pattern.compile("m=audio \\d+ RTP/AVP (\\d+)").matcher(invite);
        assertTrue(m.find(), "no audio offer in\n" + invite);
        String pt = m.group(1);
        Matcher rtpmap = Pattern.compile("a=rtpmap:" + pt + " (\\S+)").matcher(invite);
        assertTrue(rtpmap.find(), invite);
        String sdp = "v=0\r\no=- 7 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
                + "m=audio 40998 RTP/AVP " + pt + "\r\na=rtpmap:" + pt + " " + rtpmap.group(1) + "\r\na=sendrecv\r\n";
        return response(invite, "200 OK", sdp).replaceFirst("(?m)^(To: .*?)\r$", "$1;tag=pbx1\r")
                .replace("Content-Length:", "Contact: <sip:pbx@127.0.0.1:" + pbxPort + ">\r\nContent-Length:");
    }

    /** A response to {@code request} with its Via, From, To, Call-ID and CSeq, and {@code sdp} as body if any. */
    private static String response(String request, String status, String sdp) {
        return "SIP/2.0 " + status + "\r\n"
                + "Via: " + RawPbx.header(request, "Via") + "\r\n"
                + "From: " + RawPbx.header(request, "From") + "\r\n"
                + "To: " + RawPbx.header(request, "To") + "\r\n"
                + "Call-ID: " + RawPbx.header(request, "Call-ID") + "\r\n"
                + "CSeq: " + RawPbx.header(request, "CSeq") + "\r\n"
                + (sdp.isEmpty() ? "" : "Content-Type: application/sdp\r\n")
                + "Content-Length: " + sdp.length() + "\r\n\r\n" + sdp;
    }
}
