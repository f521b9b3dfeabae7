package org.wabridge.media.transcode;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import org.wabridge.media.rtp.Rtp;

/**
 * Both directions of one transcoded call, on whole RTP packets: Opus on Meta's side, G.711 on the PBX's, DTMF as
 * telephone-event/8000 on both. It makes the packets the rest of the relay handles as if the other side had sent
 * them: toward Meta a stream with the PBX's SSRC and gap-free sequence numbers (then {@code OutboundStream} gives it
 * our SSRC as for any PBX stream), toward the PBX one stream with Meta's SSRC, our own sequence numbers (concealed
 * frames need numbers Meta never sent) and 8 kHz timestamps. Not thread-safe: one call's packets at a time.
 */
public final class CallTranscoder {

    /**
     * What was agreed for a transcoded call.
     *
     * @param law         the PBX's G.711 law
     * @param g711Pt      its payload type on the PBX leg
     * @param pbxEventPt  telephone-event/8000 on the PBX leg, or -1
     * @param opusPt      Opus on the Meta leg
     * @param metaEventPt telephone-event/8000 on the Meta leg, or -1
     */
    public record Plan(G711Law law, int g711Pt, int pbxEventPt, int opusPt, int metaEventPt) {}

    /** Opus encoder complexity: BENCHMARKS.md ("Transcoding") has the cost of the choices. */
    public static final int DEFAULT_COMPLEXITY = 5;

    /** Thread CPU time where the JVM measures it cheaply (Linux: a vDSO clock), else wall time. */
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final boolean THREAD_CPU = THREADS.isCurrentThreadCpuTimeSupported();

    /** Room after each packet for the SRTP authentication tag (see srtp.PacketBuffer). */
    private static final int TRAILER_ROOM = 16;

    private final Plan plan;
    private final G711ToOpus toMeta;
    private final OpusToG711 toPbx;
    private int toMetaSeq;
    private int toPbxSeq;
    private long toMetaFrames;
    private long toPbxFrames;
    private long cpuNanos;

    /**
     * @param complexity Opus encoder complexity (0..10)
     * @param seed       random start of our sequence numbers and timestamps (RFC 3550 5.1)
     */
    public CallTranscoder(Plan plan, int complexity, long seed) {
        this.plan = plan;
        this.toMetaSeq = (int) (seed & 0xFFFF);
        this.toPbxSeq = (int) ((seed >>> 16) & 0xFFFF);
        this.toMeta = new G711ToOpus(plan.law(), plan.g711Pt(), plan.pbxEventPt(), plan.opusPt(),
                plan.metaEventPt(), complexity, (seed >>> 32) & 0xFFFF_FFFFL);
        this.toPbx = new OpusToG711(plan.opusPt(), plan.metaEventPt(), plan.law(), plan.g711Pt(),
                plan.pbxEventPt(), (seed * 31 >>> 32) & 0xFFFF_FFFFL);
    }

    public Plan plan() {
        return plan;
    }

    /** A PBX RTP packet (header already checked) to the Opus packets for Meta; may be none (a frame is filling). */
    public List<byte[]> pbxToMeta(byte[] p, int len) {
        long started = now();
        int header = Rtp.headerLength(p, len);
        List<TranscodedFrame> frames = toMeta.transcode(Rtp.ssrc(p), Rtp.timestamp(p), Rtp.payloadType(p),
                Rtp.marker(p), p, header, len - header);
        List<byte[]> packets = new ArrayList<>(frames.size());
        for (TranscodedFrame f : frames) {
            packets.add(packet(f, toMetaSeq, Rtp.ssrc(p)));
            toMetaSeq = (toMetaSeq + 1) & 0xFFFF;
            toMetaFrames++;
        }
        cpuNanos += now() - started;
        return packets;
    }

    /** A Meta RTP packet (unprotected) to the G.711 packets for the PBX, concealed ones first. */
    public List<byte[]> metaToPbx(byte[] p, int len) {
        long started = now();
        int header = Rtp.headerLength(p, len);
        List<TranscodedFrame> frames = toPbx.transcode(Rtp.ssrc(p), Rtp.sequence(p), Rtp.timestamp(p),
                Rtp.payloadType(p), Rtp.marker(p), p, header, len - header);
        List<byte[]> packets = new ArrayList<>(frames.size());
        for (TranscodedFrame f : frames) {
            packets.add(packet(f, toPbxSeq, Rtp.ssrc(p)));
            toPbxSeq = (toPbxSeq + 1) & 0xFFFF;
            toPbxFrames++;
        }
        cpuNanos += now() - started;
        return packets;
    }

    /** The RTP length of a packet this class made (it has room for an SRTP tag after it). */
    public static int length(byte[] packet) {
        return packet.length - TRAILER_ROOM;
    }

    /** CPU time spent transcoding this call's packets (wall time where the JVM cannot measure thread CPU). */
    public long cpuNanos() {
        return cpuNanos;
    }

    public long framesToMeta() {
        return toMetaFrames;
    }

    public long framesToPbx() {
        return toPbxFrames;
    }

    /** Frames the Opus decoder made up for packets Meta's side lost (PLC or FEC). */
    public long concealedFrames() {
        return toPbx.concealedFrames();
    }

    public long fecFrames() {
        return toPbx.fecFrames();
    }

    /** Frames lost to the codec itself: Opus packets it could not decode plus PBX frames it could not encode. */
    public long codecFailures() {
        return toPbx.undecodablePackets() + toMeta.failures();
    }

    private static long now() {
        return THREAD_CPU ? THREADS.getCurrentThreadCpuTime() : System.nanoTime();
    }

    private static byte[] packet(TranscodedFrame f, int seq, long ssrc) {
        byte[] payload = f.payload();
        byte[] p = new byte[Rtp.HEADER_LENGTH + payload.length + TRAILER_ROOM];
        p[0] = (byte) 0x80;
        p[1] = (byte) ((f.marker() ? 0x80 : 0) | (f.payloadType() & 0x7F));
        Rtp.setSequence(p, seq);
        Rtp.setTimestamp(p, f.timestamp());
        Rtp.setSsrc(p, ssrc);
        System.arraycopy(payload, 0, p, Rtp.HEADER_LENGTH, payload.length);
        return p;
    }
}
