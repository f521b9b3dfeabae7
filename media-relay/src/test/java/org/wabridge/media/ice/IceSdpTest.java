package org.wabridge.media.ice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.wabridge.config.IpLiterals;
import org.wabridge.media.SdpException;

/** Our ICE credentials and candidate lines, and reading the peer's ICE lines (Meta's DTLS-mode SDP, facts 4.3). */
class IceSdpTest {

    /** Meta's DTLS-mode offer as the facts file describes it: ICE-lite, one IPv4 and one IPv6 host candidate. */
    static final String META_DTLS_OFFER = String.join("\r\n",
            "v=0",
            "o=- 1750716867914 2 IN IP4 127.0.0.1",
            "s=-",
            "t=0 0",
            "a=ice-lite",
            "a=group:BUNDLE audio",
            "m=audio 3480 UDP/TLS/RTP/SAVPF 111 126",
            "c=IN IP4 57.144.135.35",
            "a=rtcp:9 IN IP4 0.0.0.0",
            "a=candidate:1 1 udp 2122260223 57.144.135.35 3480 typ host generation 0 network-cost 50",
            "a=candidate:2 1 udp 2122262783 2a03:2880:f23d:0:face:b00c:0:3 3480 typ host generation 0 network-cost 50",
            "a=ice-ufrag:Xy7q",
            "a=ice-pwd:c2VjcmV0c2VjcmV0c2VjcmV0cw==",
            "a=fingerprint:sha-256 12:34:56:78:9A:BC:DE:F0:12:34:56:78:9A:BC:DE:F0:12:34:56:78:9A:BC:DE:F0:12:34:56:78:9A:BC:DE:F0",
            "a=setup:actpass",
            "a=mid:audio",
            "a=sendrecv",
            "a=rtcp-mux",
            "a=rtpmap:111 opus/48000/2",
            "a=rtpmap:126 telephone-event/8000",
            "");

    @Test
    void metasIceLinesAreRead() throws Exception {
        RemoteIce r = IceSdp.parseRemote(META_DTLS_OFFER, "Meta").orElseThrow();
        assertEquals("Xy7q", r.credentials().ufrag());
        assertEquals("c2VjcmV0c2VjcmV0c2VjcmV0cw==", r.credentials().pwd());
        assertTrue(r.lite());
        assertEquals(2, r.candidates().size());
        IceCandidate v4 = r.candidates().get(0);
        assertEquals(new InetSocketAddress("57.144.135.35", 3480), v4.address());
        assertEquals(2122260223L, v4.priority());
        assertEquals(IceCandidate.Type.HOST, v4.type());
        assertEquals("1", v4.foundation());
        IceCandidate v6 = r.candidates().get(1);
        assertEquals(new InetSocketAddress("2a03:2880:f23d:0:face:b00c:0:3", 3480), v6.address());
        assertTrue(v6.isIpv6());
    }

    @Test
    void sessionLevelCredentialsApplyAndMediaLevelOnesWin() throws Exception {
        String session = "v=0\r\na=ice-ufrag:sess\r\na=ice-pwd:sessionpasswordsessionpwd\r\nm=audio 1 RTP/AVP 0\r\n"
                + "a=candidate:1 1 UDP 1 192.0.2.1 1000 typ host\r\n";
        assertEquals("sess", IceSdp.parseRemote(session, "Peer").orElseThrow().credentials().ufrag());
        String both = session + "a=ice-ufrag:media\r\na=ice-pwd:mediapasswordmediapassword\r\n";
        RemoteIce r = IceSdp.parseRemote(both, "Peer").orElseThrow();
        assertEquals("media", r.credentials().ufrag());
        assertEquals("mediapasswordmediapassword", r.credentials().pwd());
        assertFalse(r.lite());
    }

    @Test
    void unusableCandidatesAreSkippedAndOnlyTheFirstAudioSectionCounts() throws Exception {
        String sdp = "v=0\r\na=ice-lite\r\nm=audio 3480 UDP/TLS/RTP/SAVPF 111\r\na=ice-ufrag:Xy7q\r\n"
                + "a=ice-pwd:c2VjcmV0c2VjcmV0c2VjcmV0cw==\r\n"
                + "a=candidate:3 1 tcp 1518280447 57.144.135.35 3478 typ host tcptype passive\r\n"
                + "a=candidate:4 2 udp 2122260222 57.144.135.35 3481 typ host\r\n"
                + "a=candidate:5 1 udp 2122260223 a1b2c3.local 3480 typ host\r\n"
                + "a=candidate:6 1 udp 1686052607 198.51.100.1 3480 typ srflx raddr 10.0.0.1 rport 3480\r\n"
                + "a=candidate:1 1 udp 2122260223 57.144.135.35 3480 typ host\r\n"
                + "m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=candidate:9 1 udp 2122260223 192.0.2.9 9 typ host\r\n";
        RemoteIce r = IceSdp.parseRemote(sdp, "Meta").orElseThrow();
        assertEquals(List.of(new InetSocketAddress("198.51.100.1", 3480), new InetSocketAddress("57.144.135.35", 3480)),
                r.candidates().stream().map(IceCandidate::address).toList());
        assertEquals(IceCandidate.Type.SRFLX, r.candidates().get(0).type());
    }

    @Test
    void anSdesSdpHasNoIceAndBrokenIceIsExplained() throws Exception {
        assertTrue(IceSdp.parseRemote("v=0\r\nm=audio 1 RTP/SAVP 0\r\nc=IN IP4 192.0.2.1\r\n", "Meta").isEmpty());
        SdpException noPwd = assertThrows(SdpException.class, () -> IceSdp.parseRemote(
                "v=0\r\nm=audio 1 RTP/AVP 0\r\na=ice-ufrag:abcd\r\n", "Meta"));
        assertEquals("Meta's SDP has a=ice-ufrag but no a=ice-pwd", noPwd.getMessage());
        SdpException noCandidate = assertThrows(SdpException.class, () -> IceSdp.parseRemote(
                "v=0\r\nm=audio 1 RTP/AVP 0\r\na=ice-ufrag:abcd\r\na=ice-pwd:abcdefghijklmnopqrstuvwx\r\n"
                        + "a=candidate:3 1 tcp 1 57.144.135.35 3478 typ host tcptype passive\r\n", "Meta"));
        assertTrue(noCandidate.getMessage().contains("no UDP candidate") && noCandidate.getMessage().contains("tcp"),
                noCandidate.getMessage());
        assertThrows(SdpException.class, () -> IceSdp.parseRemote(
                "v=0\r\nm=audio 1 RTP/AVP 0\r\na=ice-ufrag:abcd\r\na=ice-pwd:short\r\n"
                        + "a=candidate:1 1 udp 1 192.0.2.1 1 typ host\r\n", "Meta"));
        assertThrows(SdpException.class, () -> IceSdp.parseRemote(
                "v=0\r\nm=audio 1 RTP/AVP 0\r\na=ice-ufrag:abcd\r\na=ice-pwd:abcdefghijklmnopqrstuvwx\r\n"
                        + "a=candidate:1 1 udp 1 192.0.2.1\r\n", "Meta"));
    }

    @Test
    void ourHostCandidatesForIpv4AndIpv6() {
        List<IceCandidate> cs = IceSdp.hostCandidates(List.of(new InetSocketAddress("203.0.113.5", 40000),
                new InetSocketAddress("2001:db8:0:0:0:0:0:5", 40000)));
        assertEquals("a=candidate:1 1 udp 2130706431 203.0.113.5 40000 typ host", cs.get(0).sdpLine());
        assertEquals("a=candidate:2 1 udp 2130706175 2001:db8::5 40000 typ host", cs.get(1).sdpLine());
        IceCredentials creds = new IceCredentials("abcdEFGH", "abcdefghijklmnopqrstuvwx");
        assertEquals(List.of("a=ice-ufrag:abcdEFGH", "a=ice-pwd:abcdefghijklmnopqrstuvwx",
                cs.get(0).sdpLine(), cs.get(1).sdpLine()), IceSdp.localLines(creds, cs));
        // what we write, we read back
        String sdp = "v=0\r\nm=audio 40000 UDP/TLS/RTP/SAVPF 111\r\n" + String.join("\r\n", IceSdp.localLines(creds, cs))
                + "\r\n";
        try {
            RemoteIce back = IceSdp.parseRemote(sdp, "ours").orElseThrow();
            assertEquals(cs, back.candidates());
        } catch (SdpException e) {
            throw new AssertionError(e);
        }
        assertThrows(IllegalArgumentException.class,
                () -> IceSdp.hostCandidates(List.of(new InetSocketAddress("0.0.0.0", 40000))));
    }

    @Test
    void ipv6LiteralsAreWrittenInRfc5952Form() throws Exception {
        for (String[] c : new String[][] {{"2001:db8:0:0:0:0:0:1", "2001:db8::1"}, {"0:0:0:0:0:0:0:1", "::1"},
                {"2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"}, {"2001:0:0:1:0:0:0:0", "2001:0:0:1::"},
                {"2001:db8:1:2:3:4:5:6", "2001:db8:1:2:3:4:5:6"}, {"2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"},
                {"::", "::"}}) {
            assertEquals(c[1], IceSdp.literal(java.net.InetAddress.getByName(c[0])), c[0]);
        }
        // addresses in SDP are parsed as literals only (IpLiterals): names and zone ids are refused, never looked up
        assertEquals(null, IpLiterals.parse("meta.example"));
        assertEquals(null, IpLiterals.parse("fe80::1%eth0"));
    }

    @Test
    void generatedCredentialsHaveRfc8445StrengthAndIceChars() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            IceCredentials c = IceCredentials.generate();
            assertTrue(c.ufrag().matches("[A-Za-z0-9+/]{8}"), c.ufrag());
            assertTrue(c.pwd().matches("[A-Za-z0-9+/]{24}"), c.pwd());
            assertTrue(seen.add(c.ufrag()) & seen.add(c.pwd()));
        }
        assertEquals(IceCredentials.generate(new Random(5)), IceCredentials.generate(new Random(5)));
        IceCredentials c = IceCredentials.generate();
        assertFalse(c.toString().contains(c.pwd()), "the password stays out of logs");
        assertThrows(IllegalArgumentException.class, () -> new IceCredentials("abc", "abcdefghijklmnopqrstuvwx"));
        assertThrows(IllegalArgumentException.class, () -> new IceCredentials("ab:cd", "abcdefghijklmnopqrstuvwx"));
        assertThrows(IllegalArgumentException.class, () -> new IceCredentials("abcd", "abcdefghijklmnopqrstu"));
    }
}
