package org.wabridge.media.bench;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.wabridge.media.dtls.DatagramKind;
import org.wabridge.media.dtls.DtlsCertificate;
import org.wabridge.media.dtls.DtlsEndpoint;
import org.wabridge.media.dtls.DtlsFailure;
import org.wabridge.media.dtls.DtlsFingerprint;
import org.wabridge.media.dtls.DtlsRole;
import org.wabridge.media.dtls.DtlsSettings;
import org.wabridge.media.dtls.DtlsSrtpKeys;
import org.wabridge.media.ice.IceCredentials;
import org.wabridge.media.ice.IceLiteAnswer;
import org.wabridge.media.rtp.Rtp;
import org.wabridge.media.sdp.CryptoAttribute;
import org.wabridge.media.srtp.SrtpEndpoint;
import org.wabridge.media.srtp.SrtpSuite;

/**
 * A stand-in for Meta's media edge in one call, for the keying benchmark (not part of the bridge): on one loopback
 * UDP socket it is ICE-lite (answers authenticated Binding requests), the DTLS server (our side is the client, as
 * Meta wants), or an SDES peer; once keyed it sends 20 ms of SRTP every 20 ms, as a WhatsApp client talks.
 * It answers our offer, as Meta does on a business-initiated call.
 */
final class SimulatedMeta implements AutoCloseable {

    private static final Pattern FINGERPRINT = Pattern.compile("a=fingerprint:(\\S+ \\S+)");
    private static final Pattern OUR_CRYPTO = Pattern.compile("a=crypto:(\\d+) AES_CM_128_HMAC_SHA1_80 inline:(\\S+)");
    private static final long SSRC = 0x5EED_0001L;

    private final DatagramSocket socket;
    private final boolean dtls;
    private final IceCredentials ice = IceCredentials.generate(new SecureRandom());
    private final byte[] sdesKey = new byte[SrtpSuite.KEY_AND_SALT_LENGTH];
    private final ScheduledExecutorService talker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "sim-meta-talker");
        t.setDaemon(true);
        return t;
    });
    private final Thread reader;
    private DtlsEndpoint endpoint;
    private volatile InetSocketAddress relay;
    private volatile SrtpEndpoint srtp;
    private volatile boolean closed;
    private int seq;

    SimulatedMeta(boolean dtls) throws SocketException {
        this.dtls = dtls;
        this.socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        new SecureRandom().nextBytes(sdesKey);
        this.reader = new Thread(this::read, "sim-meta-reader");
        this.reader.setDaemon(true);
    }

    /** Meta's answer to our offer; from here on it is ready for ICE and the handshake (or talks at once, SDES). */
    String answer(String ourOffer, DtlsCertificate metaCertificate, DtlsSettings dtlsSettings) throws Exception {
        int port = socket.getLocalPort();
        Matcher mediaPort = Pattern.compile("m=audio (\\d+) ").matcher(ourOffer);
        if (!mediaPort.find()) {
            throw new IllegalArgumentException("no m=audio in our offer");
        }
        relay = new InetSocketAddress(InetAddress.getLoopbackAddress(), Integer.parseInt(mediaPort.group(1)));
        StringBuilder sdp = new StringBuilder("v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n");
        if (dtls) {
            Matcher fp = FINGERPRINT.matcher(ourOffer);
            if (!fp.find()) {
                throw new IllegalArgumentException("our DTLS offer has no fingerprint");
            }
            DtlsFingerprint ours = DtlsFingerprint.parse(fp.group(1)).orElseThrow();
            endpoint = new DtlsEndpoint(DtlsRole.SERVER, metaCertificate, ours, dtlsSettings,
                    d -> send(d, d.length), new DtlsEndpoint.Listener() {
                        @Override
                        public void onConnected(DtlsSrtpKeys keys, Duration handshakeTime) {
                            try {
                                keyed(keys.newSrtpEndpoint());
                            } catch (Exception e) {
                                throw new IllegalStateException(e);
                            }
                        }

                        @Override
                        public void onFailed(DtlsFailure failure) {
                            System.err.println("simulated Meta: " + failure);
                        }
                    });
            endpoint.start(); // the server waits for our ClientHello
            sdp.append("a=ice-lite\r\na=group:BUNDLE audio\r\n")
                    .append("m=audio ").append(port).append(" UDP/TLS/RTP/SAVPF 111 126\r\n")
                    .append("c=IN IP4 127.0.0.1\r\na=mid:audio\r\n")
                    .append("a=candidate:1 1 udp 2122260223 127.0.0.1 ").append(port).append(" typ host generation 0\r\n")
                    .append("a=ice-ufrag:").append(ice.ufrag()).append("\r\na=ice-pwd:").append(ice.pwd()).append("\r\n")
                    .append("a=fingerprint:").append(metaCertificate.fingerprint().toSdpValue()).append("\r\n")
                    .append("a=setup:passive\r\n");
        } else {
            Matcher crypto = OUR_CRYPTO.matcher(ourOffer);
            if (!crypto.find()) {
                throw new IllegalArgumentException("our SDES offer has no AES_CM_128_HMAC_SHA1_80 key");
            }
            CryptoAttribute ours = CryptoAttribute.parse(crypto.group(1) + " AES_CM_128_HMAC_SHA1_80 inline:"
                    + crypto.group(2)).orElseThrow();
            CryptoAttribute theirs = new CryptoAttribute(Integer.parseInt(crypto.group(1)),
                    SrtpSuite.AES_CM_128_HMAC_SHA1_80, sdesKey);
            sdp.append("m=audio ").append(port).append(" RTP/SAVP 111 126\r\nc=IN IP4 127.0.0.1\r\n")
                    .append("a=crypto:").append(theirs.format()).append("\r\n");
            srtp = new SrtpEndpoint(theirs, ours);
        }
        sdp.append("a=rtcp-mux\r\na=sendrecv\r\na=rtpmap:111 opus/48000/2\r\na=rtpmap:126 telephone-event/8000\r\n");
        reader.start();
        if (!dtls) {
            talk(); // SDES: Meta has our key in our offer and talks once it answered
        }
        return sdp.toString();
    }

    private void keyed(SrtpEndpoint endpoint) {
        srtp = endpoint;
        talk();
    }

    private void talk() {
        talker.scheduleAtFixedRate(() -> {
            byte[] rtp = Rtp.build(111, false, seq++, seq * 960L, SSRC, new byte[] {(byte) 0xF8, (byte) 0xFF, (byte) 0xFE});
            try {
                byte[] p = srtp.protectRtp(rtp, rtp.length).toArray();
                send(p, p.length);
            } catch (Exception e) {
                // closed meanwhile
            }
        }, 0, 20, TimeUnit.MILLISECONDS);
    }

    private void read() {
        byte[] buf = new byte[2048];
        while (!closed) {
            DatagramPacket packet = new DatagramPacket(buf, buf.length);
            try {
                socket.receive(packet);
            } catch (IOException e) {
                return;
            }
            int len = packet.getLength();
            DatagramKind kind = DatagramKind.of(buf, 0, len);
            if (kind == DatagramKind.STUN) {
                answerCheck(buf, len, (InetSocketAddress) packet.getSocketAddress());
            } else if (kind == DatagramKind.DTLS && endpoint != null) {
                endpoint.receive(buf, 0, len);
            }
            // SRTP from the relay: the relay's own milestones time it
        }
    }

    private void answerCheck(byte[] buf, int len, InetSocketAddress from) {
        try {
            // as an ICE-lite agent: unauthenticated checks get nothing
            Optional<byte[]> answer = IceLiteAnswer.to(buf, 0, len, from, ice.key());
            if (answer.isPresent()) {
                socket.send(new DatagramPacket(answer.get(), answer.get().length, from));
            }
        } catch (Exception e) {
            System.err.println("simulated Meta: bad check: " + e);
        }
    }

    private void send(byte[] data, int length) {
        try {
            socket.send(new DatagramPacket(data, length, relay));
        } catch (IOException e) {
            // closed meanwhile
        }
    }

    @Override
    public void close() {
        closed = true;
        talker.shutdownNow();
        if (endpoint != null) {
            endpoint.close();
        }
        socket.close();
    }
}
