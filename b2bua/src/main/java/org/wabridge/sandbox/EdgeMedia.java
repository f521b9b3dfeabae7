package org.wabridge.sandbox;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
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
import org.wabridge.media.srtp.PacketBuffer;
import org.wabridge.media.srtp.SrtpEndpoint;
import org.wabridge.media.srtp.SrtpSuite;

/**
 * The media of one sandbox call, as Meta's relay behaves: one UDP port (RTP and RTCP muxed), SRTP keyed by SDES (our
 * key from the SDP) or, when the business offers DTLS-SRTP, by a DTLS handshake in which the sandbox is the server
 * and ICE-lite (it answers the business's authenticated connectivity checks, as Meta's relay does). It waits for
 * the business's maiden packet (Meta expects the business to send first), then sends generated audio (a 440 Hz
 * tone, {@link SandboxAudio}, in 20 ms Opus frames) to the address in the business's SDP. Meta's no-media rules
 * are enforced: no authenticated packet from the business within {@code atStart} of the start, or none for
 * {@code midCall} later, calls {@code onNoMedia} once (the edge then hangs up).
 */
public final class EdgeMedia implements AutoCloseable {

    /** An Opus frame (TOC 0xF8: CELT fullband 20 ms), the frame WhatsApp clients send when quiet (the fallback). */
    static final byte[] OPUS_FRAME = {(byte) 0xF8, (byte) 0xFF, (byte) 0xFE};

    /** What flowed, for the demo's counters and the tests. */
    public record Counters(long sent, long received, long rejected, long rtcpReceived, long maidenAfterMillis,
                           String rejectedWhy, long dtmfReceived, String dtls) {
        @Override
        public String toString() {
            return "sent " + sent + " SRTP, received " + received + " SRTP (" + dtmfReceived + " DTMF, " + rejected
                    + " rejected" + (rejected > 0 ? ": " + rejectedWhy : "") + "), "
                    + rtcpReceived + " SRTCP" + (maidenAfterMillis >= 0 ? ", business's first packet after "
                    + maidenAfterMillis + " ms" : ", no packet from the business")
                    + ("not used".equals(dtls) ? "" : "; DTLS " + dtls);
        }
    }

    private final DatagramSocket socket;
    private final CryptoAttribute ours;
    private final long ssrc;
    private final ScheduledExecutorService timer;
    private final Duration atStart;
    private final Duration midCall;
    private final Consumer<String> onNoMedia;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicLong rtcp = new AtomicLong();
    private final AtomicLong dtmf = new AtomicLong();
    private volatile int dtmfPt = -1;
    /** Rejected packets per verdict and kind, e.g. {AUTH_FAILURE RTCP=1}. */
    private final java.util.Map<String, Integer> rejectedWhy = new java.util.concurrent.ConcurrentSkipListMap<>();
    private final AtomicBoolean hungUp = new AtomicBoolean();
    private final List<ScheduledFuture<?>> tasks = new ArrayList<>();
    private volatile SrtpEndpoint srtp;
    private final IceCredentials ice = IceCredentials.generate(new SecureRandom());
    private DtlsCertificate certificate;
    private volatile DtlsEndpoint dtls;
    private volatile String dtlsOutcome = "not used";
    private volatile InetSocketAddress business;
    private volatile long startedNanos;
    private volatile long lastReceivedNanos;
    private volatile long maidenAfterMillis = -1;
    private volatile boolean closed;
    private int seq = new SecureRandom().nextInt(0x7FFF);
    private long ts = new SecureRandom().nextInt() & 0xFFFFFFFFL;

    EdgeMedia(String bindAddress, ScheduledExecutorService timer, Duration atStart, Duration midCall,
              Consumer<String> onNoMedia) throws SocketException, java.net.UnknownHostException {
        this.socket = new DatagramSocket(new InetSocketAddress(InetAddress.getByName(bindAddress), 0));
        this.socket.setSoTimeout(200);
        byte[] key = new byte[SrtpSuite.KEY_AND_SALT_LENGTH];
        SecureRandom random = new SecureRandom();
        random.nextBytes(key);
        this.ours = new CryptoAttribute(1, SrtpSuite.AES_CM_128_HMAC_SHA1_80, key);
        this.ssrc = random.nextInt() & 0xFFFFFFFFL;
        this.timer = timer;
        this.atStart = atStart;
        this.midCall = midCall;
        this.onNoMedia = onNoMedia;
    }

    int port() {
        return socket.getLocalPort();
    }

    CryptoAttribute ourKey() {
        return ours;
    }

    long ssrc() {
        return ssrc;
    }

    /** Keys the call with the business's SDP and starts listening; the no-media clock starts now. */
    void start(MetaSdp.Offer business) throws GeneralSecurityException {
        this.srtp = new SrtpEndpoint(ours, business.theirs());
        this.dtmfPt = business.dtmfPt();
        this.business = new InetSocketAddress(business.address(), business.port());
        this.startedNanos = System.nanoTime();
        Thread reader = new Thread(this::read, "sandbox-media-" + port());
        reader.setDaemon(true);
        reader.start();
        tasks.add(timer.scheduleAtFixedRate(this::talk, 20, 20, TimeUnit.MILLISECONDS));
        tasks.add(timer.scheduleAtFixedRate(this::watch, 250, 250, TimeUnit.MILLISECONDS));
    }

    IceCredentials ice() {
        return ice;
    }

    /** The certificate fingerprint for our DTLS answer (a certificate is made on first use). */
    synchronized DtlsFingerprint dtlsFingerprint() {
        if (certificate == null) {
            certificate = DtlsCertificate.generate();
        }
        return certificate.fingerprint();
    }

    /** How the DTLS handshake went ("not used" for SDES), for the edge's notes. */
    String dtlsOutcome() {
        return dtlsOutcome;
    }

    /**
     * Keys the call by DTLS with the business's fingerprint (the business is the DTLS client, after its ICE checks
     * reached us) and starts listening; the no-media clock starts now.
     */
    void startDtls(MetaSdp.DtlsOffer business) {
        dtlsFingerprint();
        this.dtmfPt = business.dtmfPt();
        this.business = new InetSocketAddress(business.address(), business.port());
        this.startedNanos = System.nanoTime();
        dtlsOutcome = "waiting for the business's handshake";
        DtlsEndpoint endpoint = new DtlsEndpoint(DtlsRole.SERVER, certificate, business.fingerprint(),
                DtlsSettings.defaults(), this::sendDatagram, new DtlsEndpoint.Listener() {
                    @Override
                    public void onConnected(DtlsSrtpKeys keys, Duration handshakeTime) {
                        try {
                            srtp = keys.newSrtpEndpoint();
                            dtlsOutcome = "connected in " + handshakeTime.toMillis() + " ms";
                        } catch (GeneralSecurityException e) {
                            dtlsOutcome = "keys unusable: " + e.getMessage();
                        }
                    }

                    @Override
                    public void onFailed(DtlsFailure failure) {
                        dtlsOutcome = "failed: " + failure;
                    }
                });
        this.dtls = endpoint;
        endpoint.start(); // as the server it waits for the ClientHello
        Thread reader = new Thread(this::read, "sandbox-media-" + port());
        reader.setDaemon(true);
        reader.start();
        tasks.add(timer.scheduleAtFixedRate(this::talk, 20, 20, TimeUnit.MILLISECONDS));
        tasks.add(timer.scheduleAtFixedRate(this::watch, 250, 250, TimeUnit.MILLISECONDS));
    }

    private void sendDatagram(byte[] datagram) {
        try {
            socket.send(new DatagramPacket(datagram, datagram.length, business));
        } catch (IOException e) {
            // closed meanwhile
        }
    }

    /** As an ICE-lite agent: authenticated Binding requests are answered and latch the business's address. */
    private void answerCheck(byte[] buf, int len, InetSocketAddress from) {
        try {
            java.util.Optional<byte[]> answer = IceLiteAnswer.to(buf, 0, len, from, ice.key());
            if (answer.isPresent()) {
                business = from;
                socket.send(new DatagramPacket(answer.get(), answer.get().length, from));
            }
        } catch (Exception e) {
            rejectedWhy.merge("BAD_STUN", 1, Integer::sum);
        }
    }

    Counters counters() {
        return new Counters(sent.get(), received.get(), rejected.get(), rtcp.get(), maidenAfterMillis,
                rejectedWhy.toString(), dtmf.get(), dtlsOutcome);
    }

    private void read() {
        byte[] buf = new byte[2048];
        while (!closed) {
            DatagramPacket packet = new DatagramPacket(buf, buf.length);
            try {
                socket.receive(packet);
            } catch (SocketTimeoutException e) {
                continue;
            } catch (IOException e) {
                return;
            }
            if (dtls != null) {
                DatagramKind kind = DatagramKind.of(buf, 0, packet.getLength());
                if (kind == DatagramKind.STUN) {
                    answerCheck(buf, packet.getLength(), (InetSocketAddress) packet.getSocketAddress());
                    continue;
                }
                if (kind == DatagramKind.DTLS) {
                    dtls.receive(buf, 0, packet.getLength());
                    continue;
                }
                if (srtp == null) {
                    rejected.incrementAndGet();
                    rejectedWhy.merge("BEFORE_DTLS_KEYS", 1, Integer::sum);
                    continue;
                }
            }
            byte[] copy = java.util.Arrays.copyOf(buf, packet.getLength());
            boolean isRtcp = Rtp.looksLikeRtcp(copy, copy.length);
            SrtpEndpoint.Verdict verdict;
            try {
                PacketBuffer pb = PacketBuffer.withTrailerRoom(copy, copy.length);
                synchronized (this) {
                    verdict = isRtcp ? srtp.unprotectRtcp(pb) : srtp.unprotectRtp(pb);
                }
            } catch (GeneralSecurityException | RuntimeException e) {
                verdict = SrtpEndpoint.Verdict.INVALID;
            }
            if (verdict != SrtpEndpoint.Verdict.OK) {
                rejected.incrementAndGet();
                // an RTCP datagram that is exactly its RTCP packets, with no SRTCP index and tag after them, was sent
                // unprotected (baresip's last report, sent after it dropped its SRTP keys at hang-up)
                String why = isRtcp && plainRtcp(copy) ? "PLAIN" : verdict.toString();
                rejectedWhy.merge(why + (isRtcp ? " RTCP" : " RTP"), 1, Integer::sum);
                continue;
            }
            (isRtcp ? rtcp : received).incrementAndGet();
            if (!isRtcp && Rtp.payloadType(copy) == dtmfPt) {
                dtmf.incrementAndGet(); // RFC 4733 events from the business (the PBX's digits)
            }
            long now = System.nanoTime();
            if (maidenAfterMillis < 0) {
                maidenAfterMillis = TimeUnit.NANOSECONDS.toMillis(now - startedNanos);
            }
            lastReceivedNanos = now;
        }
    }

    /** True when the RTCP packets' own lengths add up to the datagram: nothing SRTCP would append follows them. */
    static boolean plainRtcp(byte[] p) {
        int offset = 0;
        while (offset + 4 <= p.length && (p[offset] & 0xC0) == 0x80) {
            offset += 4 * (Rtp.u16(p, offset + 2) + 1);
        }
        return offset == p.length;
    }

    /** 20 ms of audio, once the business has sent its maiden packet. */
    private void talk() {
        if (closed || maidenAfterMillis < 0 || srtp == null) {
            return;
        }
        byte[] rtp = Rtp.build(111, sent.get() == 0, seq++ & 0xFFFF, ts, ssrc, SandboxAudio.frame(sent.get()));
        ts = (ts + 960) & 0xFFFFFFFFL;
        try {
            PacketBuffer p;
            synchronized (this) {
                p = srtp.protectRtp(rtp, rtp.length);
            }
            socket.send(new DatagramPacket(p.getBuffer(), p.getLength(), business));
            sent.incrementAndGet();
        } catch (GeneralSecurityException | IOException e) {
            // closed meanwhile, or the business's port is gone: the watchdog decides what follows
        }
    }

    private void watch() {
        if (closed || hungUp.get()) {
            return;
        }
        long now = System.nanoTime();
        if (maidenAfterMillis < 0 && now - startedNanos > atStart.toNanos()) {
            noMedia("no media from the business for " + atStart.toSeconds() + " s after the call started "
                    + "(Meta's 20 s rule; the business must send the first packet)");
        } else if (maidenAfterMillis >= 0 && now - lastReceivedNanos > midCall.toNanos()) {
            noMedia("no media from the business for " + midCall.toSeconds() + " s during the call "
                    + "(Meta's 30 s rule; send silence or RTCP when quiet)");
        }
    }

    private void noMedia(String why) {
        if (hungUp.compareAndSet(false, true)) {
            onNoMedia.accept(why);
        }
    }

    @Override
    public void close() {
        closed = true;
        tasks.forEach(t -> t.cancel(false));
        if (dtls != null) {
            dtls.close();
        }
        socket.close();
    }
}
