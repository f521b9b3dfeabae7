package org.wabridge.media;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.wabridge.media.sdp.CryptoAttribute;
import org.wabridge.media.srtp.SrtpSuite;

/**
 * One throw-away call through the relay before it takes real ones: a business-initiated and a user-initiated
 * offer/answer on real sockets, with a local UDP socket standing in for both the PBX and Meta, then closed. The
 * first real call otherwise paid for loading and first running the session, SDP and Netty I/O code (about a
 * quarter of a second on a small machine, in the lab measurement of BENCHMARKS.md, "Call set-up latency").
 * Best effort: when it cannot run (no free port block, an address that cannot be bound) the relay works as before.
 */
final class MediaWarmUp {

    static final String CALL_ID = "media-warm-up";

    /** Warm-up calls that completed in this JVM (for tests). */
    private static final AtomicInteger COMPLETED = new AtomicInteger();

    private MediaWarmUp() {}

    static int completed() {
        return COMPLETED.get();
    }

    /**
     * Runs the warm-up call; returns null when it ran and the relay's first SRTP packet arrived at the stand-in
     * for Meta, else why not. Never throws.
     */
    static String run(MediaRelay relay, String bindAddress) {
        try (DatagramSocket peer = new DatagramSocket(new InetSocketAddress(peerAddress(bindAddress), 0))) {
            String ip = peer.getLocalAddress().getHostAddress();
            int port = peer.getLocalPort();
            SecureRandom random = new SecureRandom();
            try (MediaSession business = relay.open(CALL_ID, (leg, silentFor) -> { })) {
                business.metaOfferFromPbxOffer(pbxSdp(ip, port));
                business.pbxAnswerFromMetaAnswer(metaSdp(ip, port, key(random)));
                business.startMetaLeg(); // as after Meta's 200 is ACKed
                // the Meta leg sends its first (silence) packet at once: wait for it, so sending is warm too
                peer.setSoTimeout(1000);
                DatagramPacket first = new DatagramPacket(new byte[2048], 2048);
                peer.receive(first);
            }
            awaitReleased(relay); // a one-block range has room for one session at a time
            try (MediaSession user = relay.open(CALL_ID, (leg, silentFor) -> { })) {
                user.pbxOfferFromMetaOffer(metaSdp(ip, port, key(random)));
                user.metaAnswerFromPbxAnswer(pbxSdp(ip, port));
                user.startMetaLeg(); // as after our 200 OK
            }
            COMPLETED.incrementAndGet();
            return null;
        } catch (MediaException | SdpException | IOException | RuntimeException e) {
            return e.toString();
        } finally {
            awaitReleased(relay);
        }
    }

    /**
     * close() never blocks: the ports come back from the event loop a moment later. The relay is ready (and a
     * small port range usable) only once they have.
     */
    private static void awaitReleased(MediaRelay relay) {
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (relay.activeSessions() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** The relay's own address, or loopback when it binds every address. */
    private static InetAddress peerAddress(String bindAddress) throws IOException {
        InetAddress bind = InetAddress.getByName(bindAddress);
        return bind.isAnyLocalAddress() ? InetAddress.getLoopbackAddress() : bind;
    }

    private static String key(SecureRandom random) {
        byte[] keyAndSalt = new byte[SrtpSuite.KEY_AND_SALT_LENGTH];
        random.nextBytes(keyAndSalt);
        return new CryptoAttribute(1, SrtpSuite.AES_CM_128_HMAC_SHA1_80, keyAndSalt).format();
    }

    /** An Asterisk-like RTP offer or answer (Opus, G.711, telephone-event). */
    private static String pbxSdp(String ip, int port) {
        return String.join("\r\n",
                "v=0",
                "o=- 1 1 IN IP4 " + ip,
                "s=warm-up",
                "c=IN IP4 " + ip,
                "t=0 0",
                "m=audio " + port + " RTP/AVP 111 0 8 101",
                "a=rtpmap:111 opus/48000/2",
                "a=fmtp:111 useinbandfec=1",
                "a=rtpmap:0 PCMU/8000",
                "a=rtpmap:8 PCMA/8000",
                "a=rtpmap:101 telephone-event/8000",
                "a=fmtp:101 0-16",
                "a=ptime:20",
                "a=sendrecv",
                "");
    }

    /** Shaped like Meta's SDES SDP (RTP/SAVP, rtcp-mux, Opus, telephone-event, one a=crypto). */
    private static String metaSdp(String ip, int port, String crypto) {
        return String.join("\r\n",
                "v=0",
                "o=- 1 2 IN IP4 " + ip,
                "s=-",
                "t=0 0",
                "m=audio " + port + " RTP/SAVP 111 126",
                "c=IN IP4 " + ip,
                "a=rtcp:9 IN IP4 0.0.0.0",
                "a=sendrecv",
                "a=rtcp-mux",
                "a=crypto:" + crypto,
                "a=rtpmap:111 opus/48000/2",
                "a=fmtp:111 maxaveragebitrate=20000;maxplaybackrate=16000;minptime=20;useinbandfec=1",
                "a=rtpmap:126 telephone-event/8000",
                "a=ptime:20",
                "");
    }
}
