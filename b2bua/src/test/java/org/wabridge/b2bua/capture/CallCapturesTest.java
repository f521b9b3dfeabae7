package org.wabridge.b2bua.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wabridge.b2bua.events.CallEnd;
import org.wabridge.b2bua.events.CallStart;
import org.wabridge.b2bua.events.Direction;
import org.wabridge.media.MediaStats;

/** What a capture file holds of a call's SIP, and who can read it. */
class CallCapturesTest {

    @TempDir
    Path tmp;

    @Test
    void sipIsStoredMaskedWithItsLengthAndTheFileIsTheOwnersOnly() throws Exception {
        Path dir = tmp.resolve("captures");
        CallCaptures captures = new CallCaptures(CallCaptures.Mode.ALL, dir, 1_000_000);
        captures.callStarted(new CallStart("c1@pbx", Direction.BUSINESS_INITIATED, "+15550100001", "+15550100099", Instant.now()));
        String invite = "INVITE sip:+15550100099@wa.meta.vc;transport=tls SIP/2.0\r\n"
                + "Call-ID: toward-meta-1\r\n"
                + "Proxy-Authorization: Digest username=\"15550100001\", realm=\"wa.meta.vc\", nonce=\"NONCE-4711\", "
                + "uri=\"sip:+15550100099@wa.meta.vc;transport=tls\", response=\"0123456789abcdef0123456789abcdef\", "
                + "algorithm=MD5, cnonce=\"CNONCE-0815\", qop=auth, nc=00000001\r\n"
                + "Content-Length: 62\r\n\r\n"
                + "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:X1mQx4pP/qZB9T6vrrOGu3s6WJlWEFF8jVkjS/yA\r\n";
        captures.alias("toward-meta-1", "c1@pbx");
        byte[] sip = invite.getBytes(StandardCharsets.US_ASCII);
        captures.sip("toward-meta-1", new InetSocketAddress("127.0.0.1", 5061), new InetSocketAddress("127.0.0.1", 5062), sip);
        MediaStats.LegStats none = new MediaStats.LegStats(0, 0, 0, 0, 0, 0, 0);
        captures.callEnded(new CallEnd("c1@pbx", null, Instant.now(), true, 200, "OK", null, "PBX hung up",
                Duration.ofSeconds(1), Duration.ofSeconds(2), new MediaStats(none, none)));

        List<Path> files;
        try (var list = Files.list(dir)) {
            files = list.toList();
        }
        assertEquals(1, files.size(), files.toString());
        byte[] pcap = Files.readAllBytes(files.get(0));
        String text = new String(pcap, StandardCharsets.ISO_8859_1);
        for (String secret : List.of("NONCE-4711", "0123456789abcdef", "CNONCE-0815", "X1mQx4pP")) {
            assertFalse(text.contains(secret), secret + " in the capture");
        }
        assertTrue(text.contains("response=\"" + "x".repeat(32) + "\""), text);
        // pcap global header 24 + record header 16 + IPv4 20 + UDP 8: the message keeps its length
        assertEquals(24 + 16 + 20 + 8 + sip.length, pcap.length);
        if (dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(files.get(0))));
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
        }
    }
}
