package org.wabridge.sandbox;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.security.SecureRandom;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.wabridge.media.rtp.Rtp;

/**
 * The PBX stand-in's media: plain RTP on one port. Plays a 440 Hz tone in PCMU (or, when the call settled on
 * Opus, the quiet Opus frame: there is no Opus encoder here), sends DTMF digits as RFC 4733 events (same SSRC, sequence and timestamp base as the audio),
 * and counts what arrives.
 */
public final class RtpPeer implements AutoCloseable {

    /** What flowed. */
    public record Counters(long sent, long received, long dtmfSent, long dtmfEventsReceived) {
        @Override
        public String toString() {
            return "sent " + sent + " RTP (" + dtmfSent + " DTMF), received " + received + " RTP ("
                    + dtmfEventsReceived + " DTMF event packets)";
        }
    }

    private final DatagramSocket socket;
    private final ScheduledExecutorService timer;
    private final long ssrc = new SecureRandom().nextInt() & 0xFFFFFFFFL;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong dtmfSent = new AtomicLong();
    private final AtomicLong dtmfReceived = new AtomicLong();
    private volatile boolean closed;
    private ScheduledFuture<?> talker;
    private InetSocketAddress remote;
    private int audioPt;
    private boolean opus;
    private int dtmfPt;
    private int seq;
    private long ts;
    private long samples;
    private String pendingDigits = "";
    private int digitPackets;

    RtpPeer(String bindAddress, ScheduledExecutorService timer) throws SocketException, java.net.UnknownHostException {
        this.socket = new DatagramSocket(new InetSocketAddress(InetAddress.getByName(bindAddress), 0));
        this.socket.setSoTimeout(200);
        this.timer = timer;
    }

    int port() {
        return socket.getLocalPort();
    }

    /** Starts sending to {@code remote} with the negotiated payload types, and receiving. */
    synchronized void start(InetSocketAddress remote, int audioPt, boolean opus, int dtmfPt) {
        this.remote = remote;
        this.audioPt = audioPt;
        this.opus = opus;
        this.dtmfPt = dtmfPt;
        Thread reader = new Thread(this::read, "pbx-standin-rtp-" + port());
        reader.setDaemon(true);
        reader.start();
        talker = timer.scheduleAtFixedRate(this::tick, 0, 20, TimeUnit.MILLISECONDS);
    }

    /** Queues DTMF digits; each is sent as a 100 ms event in place of audio. */
    synchronized void sendDigits(String digits) {
        pendingDigits += digits;
    }

    Counters counters() {
        return new Counters(sent.get(), received.get(), dtmfSent.get(), dtmfReceived.get());
    }

    private synchronized void tick() {
        if (closed) {
            return;
        }
        byte[] packet;
        int rate = opus ? 48000 : 8000;
        int step = rate / 50;
        if (!pendingDigits.isEmpty() && dtmfPt >= 0) {
            // 5 packets of one event (the last three marked end), one timestamp for the whole event
            int event = eventCode(pendingDigits.charAt(0));
            boolean end = digitPackets >= 2;
            int duration = Math.min(digitPackets + 1, 3) * step;
            byte[] payload = {(byte) event, (byte) ((end ? 0x80 : 0) | 10), (byte) (duration >> 8), (byte) duration};
            packet = Rtp.build(dtmfPt, digitPackets == 0, seq++ & 0xFFFF, ts, ssrc, payload);
            dtmfSent.incrementAndGet();
            if (++digitPackets == 5) {
                digitPackets = 0;
                pendingDigits = pendingDigits.substring(1);
                ts = (ts + 3L * step) & 0xFFFFFFFFL;
            }
        } else {
            packet = Rtp.build(audioPt, sent.get() == 0, seq++ & 0xFFFF, ts, ssrc,
                    opus ? EdgeMedia.OPUS_FRAME : tone(160));
            ts = (ts + step) & 0xFFFFFFFFL;
        }
        try {
            socket.send(new DatagramPacket(packet, packet.length, remote));
            sent.incrementAndGet();
        } catch (IOException e) {
            // closed meanwhile
        }
    }

    /** 20 ms of a 440 Hz tone in PCMU. */
    private byte[] tone(int count) {
        byte[] out = new byte[count];
        for (int i = 0; i < count; i++) {
            double s = Math.sin(2 * Math.PI * 440 * (samples++) / 8000.0);
            out[i] = ulaw((int) (s * 8000));
        }
        return out;
    }

    /** G.711 mu-law encoding of one 16-bit sample. */
    static byte ulaw(int pcm) {
        int sign = pcm < 0 ? 0x80 : 0;
        int magnitude = Math.min(Math.abs(pcm), 32635) + 0x84;
        int exponent = 7;
        for (int mask = 0x4000; (magnitude & mask) == 0 && exponent > 0; mask >>= 1) {
            exponent--;
        }
        int mantissa = (magnitude >> (exponent + 3)) & 0x0F;
        return (byte) ~(sign | (exponent << 4) | mantissa);
    }

    static int eventCode(char digit) {
        return switch (digit) {
            case '*' -> 10;
            case '#' -> 11;
            default -> Character.isDigit(digit) ? digit - '0' : 0;
        };
    }

    private void read() {
        byte[] buf = new byte[2048];
        while (!closed) {
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                socket.receive(p);
            } catch (SocketTimeoutException e) {
                continue;
            } catch (IOException e) {
                return;
            }
            if (!Rtp.isValidRtp(buf, p.getLength()) || Rtp.looksLikeRtcp(buf, p.getLength())) {
                continue;
            }
            received.incrementAndGet();
            if (Rtp.payloadType(buf) == dtmfPt) {
                dtmfReceived.incrementAndGet();
            }
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (talker != null) {
            talker.cancel(false);
        }
        socket.close();
    }
}
