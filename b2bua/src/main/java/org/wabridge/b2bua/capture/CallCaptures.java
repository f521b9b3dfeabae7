package org.wabridge.b2bua.capture;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.EnumSet;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.wabridge.b2bua.events.CallEnd;
import org.wabridge.b2bua.events.CallObserver;
import org.wabridge.b2bua.events.CallStart;
import org.wabridge.media.pcap.PcapWriter;

/**
 * Per-call packet captures for support tickets (Meta asks for a pcap): every SIP message of the call as sent
 * and received (TLS shown decrypted) and its RTP/SRTP, in one file Wireshark opens. Kept in memory while the
 * call lasts (bounded per call) and written when it ends, for every call or only failed ones.
 */
public final class CallCaptures implements CallObserver {

    /** Which finished calls are written to disk. */
    public enum Mode { OFF, FAILED, ALL }

    /** The captures a configuration asks for. */
    public static CallCaptures of(org.wabridge.config.CaptureSettings settings) {
        return new CallCaptures(Mode.valueOf(settings.mode().name()), Path.of(settings.dir()), settings.maxBytesPerCall());
    }

    private static final Logger LOG = LoggerFactory.getLogger(CallCaptures.class);
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

    private final Mode mode;
    private final Path dir;
    private final long maxBytesPerCall;
    private final Map<String, Capture> byCall = new ConcurrentHashMap<>();
    /** Calls still to capture on demand ({@code bridge capture --calls N}), whatever the mode. */
    private final java.util.concurrent.atomic.AtomicInteger onDemand = new java.util.concurrent.atomic.AtomicInteger();
    /** The far leg's Call-ID differs from the call's id: messages of that leg are filed under the call. */
    private final Map<String, String> legToCall = new ConcurrentHashMap<>();

    public CallCaptures(Mode mode, Path dir, long maxBytesPerCall) {
        this.mode = mode;
        this.dir = dir;
        this.maxBytesPerCall = maxBytesPerCall;
    }

    /** Captures the next {@code calls} calls and writes them whatever {@code capture.mode} says. */
    public void captureNext(int calls) {
        onDemand.set(Math.max(0, calls));
        LOG.info("capturing the next {} call(s) on demand into {}", calls, dir);
    }

    /** True while some call is being captured: callers skip all capture work otherwise. */
    public boolean active() {
        return !byCall.isEmpty();
    }

    /** True when call {@code callId} is being captured (its media packets are wanted too). */
    public boolean capturing(String callId) {
        return byCall.containsKey(callId);
    }

    /** Messages with Call-ID {@code legCallId} belong to call {@code callId}. */
    public void alias(String legCallId, String callId) {
        if (capturing(callId) && !legCallId.equals(callId)) {
            legToCall.put(legCallId, callId);
        }
    }

    /** One RTP/RTCP/SRTP datagram of a call, as it was on the wire. */
    public void packet(String callIdOrLeg, InetSocketAddress from, InetSocketAddress to, byte[] data, int length) {
        Capture capture = captureOf(callIdOrLeg);
        if (capture != null) {
            capture.add(from, to, data, length);
        }
    }

    /**
     * One SIP message of a call as it was on the wire (TLS: decrypted), stored with its secrets masked
     * ({@link SipSecrets#maskKeepingLength(byte[])}: SDES keys, digest response, cnonce and nonces): a capture
     * goes to a support ticket and must not carry what decrypts the media or lets the SIP password be guessed.
     */
    public void sip(String callIdOrLeg, InetSocketAddress from, InetSocketAddress to, byte[] message) {
        Capture capture = captureOf(callIdOrLeg);
        if (capture != null) {
            byte[] masked = SipSecrets.maskKeepingLength(message);
            capture.add(from, to, masked, masked.length);
        }
    }

    private Capture captureOf(String callIdOrLeg) {
        return active() ? byCall.get(legToCall.getOrDefault(callIdOrLeg, callIdOrLeg)) : null;
    }

    @Override
    public void callStarted(CallStart start) {
        boolean forced = onDemand.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0;
        if (mode != Mode.OFF || forced) {
            byCall.put(start.callId(), new Capture(start.at(), forced));
        }
    }

    @Override
    public void callEnded(CallEnd end) {
        Capture capture = byCall.remove(end.callId());
        legToCall.values().removeIf(end.callId()::equals);
        if (capture == null) {
            return;
        }
        boolean failed = !end.connected() || end.causeId() != null;
        if (capture.forced || mode == Mode.ALL || (mode == Mode.FAILED && failed)) {
            write(end.callId(), capture);
        }
    }

    private void write(String callId, Capture capture) {
        Path file = dir.resolve(STAMP.format(capture.started) + "-" + callId.replaceAll("[^A-Za-z0-9._@-]", "_") + ".pcap");
        try {
            byte[] bytes;
            synchronized (capture) {
                bytes = capture.pcap.toByteArray();
            }
            writeOwnerOnly(file, bytes);
            LOG.info("capture of call {} written to {} ({} packets{})", callId, file, capture.pcap.records(),
                    capture.truncated ? ", truncated at " + maxBytesPerCall + " bytes" : "");
        } catch (IOException e) {
            LOG.warn("cannot write the capture of call {} to {}: {}", callId, file, e.toString());
        }
    }

    /**
     * Writes {@code bytes} to a file only the bridge's user can read (and creates a missing directory likewise):
     * a capture holds phone numbers and the PBX leg's audio in clear, whatever the umask says. Where the file
     * system has no POSIX permissions, a plain write.
     */
    private void writeOwnerOnly(Path file, byte[] bytes) throws IOException {
        if (!dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            Files.createDirectories(dir);
            Files.write(file, bytes);
            return;
        }
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        try (var out = Files.newByteChannel(file, EnumSet.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
            java.nio.ByteBuffer buffer = java.nio.ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) {
                out.write(buffer);
            }
        }
    }

    private final class Capture {
        final Instant started;
        final boolean forced;
        final PcapWriter pcap = new PcapWriter();
        long bytes;
        boolean truncated;

        Capture(Instant started, boolean forced) {
            this.started = started;
            this.forced = forced;
        }

        synchronized void add(InetSocketAddress from, InetSocketAddress to, byte[] data, int length) {
            if (bytes + length > maxBytesPerCall) {
                truncated = true;
                return;
            }
            bytes += length;
            Instant now = Instant.now();
            pcap.udp(now.getEpochSecond() * 1_000_000L + now.getNano() / 1000, from, to, data, length);
        }
    }
}
