package org.wabridge.media.e2e;

import java.io.File;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs rtpengine in userspace on loopback for one test class and stops it by PID. */
final class Rtpengine implements AutoCloseable {

    static final int NG_PORT = 22230;
    static final int PORT_MIN = 31000;
    static final int PORT_MAX = 31199;

    private final Process process;
    private final Path log;
    final NgClient ng;

    private Rtpengine(Process process, Path log, NgClient ng) {
        this.process = process;
        this.log = log;
        this.ng = ng;
    }

    static Rtpengine start() throws IOException, InterruptedException {
        String binary = findBinary();
        awaitPortFree(NG_PORT, 90_000);
        Path log = Files.createTempFile("rtpengine-test", ".log");
        Process process = new ProcessBuilder(binary, "--config-file=none", "--interface=127.0.0.1",
                "--listen-ng=127.0.0.1:" + NG_PORT, "--foreground", "--log-stderr", "--table=-1",
                "--port-min=" + PORT_MIN, "--port-max=" + PORT_MAX,
                // one worker: several may forward a burst from one socket out of order
                "--num-threads=1")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        NgClient ng = new NgClient(new InetSocketAddress("127.0.0.1", NG_PORT));
        long deadline = System.currentTimeMillis() + 10_000;
        while (true) {
            try {
                ng.call(Map.of("command", "ping"));
                Thread.sleep(200);
                if (!process.isAlive()) {
                    // someone else's rtpengine answered the ping: ours could not bind the ng port
                    ng.close();
                    throw new IllegalStateException("our rtpengine exited (ng port " + NG_PORT
                            + " taken by another run?); its log:\n" + Files.readString(log));
                }
                return new Rtpengine(process, log, ng);
            } catch (IOException e) {
                if (!process.isAlive() || System.currentTimeMillis() > deadline) {
                    process.destroy();
                    ng.close();
                    throw new IllegalStateException("rtpengine did not answer ng pings on port " + NG_PORT
                            + " (another instance on that port?); its log:\n" + Files.readString(log), e);
                }
                Thread.sleep(100);
            }
        }
    }

    /**
     * Another run of these tests (another worktree, CI) may hold the fixed ng port for up to a
     * minute: wait for it rather than talk to someone else's rtpengine.
     */
    private static void awaitPortFree(int port, long timeoutMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (true) {
            try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress("127.0.0.1", port))) {
                return;
            } catch (SocketException inUse) {
                stopOrphans(port);
                if (System.currentTimeMillis() > deadline) {
                    throw new IllegalStateException("UDP port 127.0.0.1:" + port + " (rtpengine's ng port in these "
                            + "tests) has been in use for " + timeoutMillis / 1000 + " s: another test run or "
                            + "rtpengine holds it; stop it and run again");
                }
                Thread.sleep(500);
            }
        }
    }

    /**
     * An rtpengine of these tests whose JVM was killed (so it never stopped it) is re-parented to init or a
     * subreaper: only such an orphan, on exactly our ng port and no longer the child of a test JVM, is stopped; a
     * concurrent run's rtpengine (its parent is that run's JVM) is waited for.
     */
    private static void stopOrphans(int port) {
        ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().orElse("").contains("rtpengine")
                        && p.info().commandLine().orElse("").contains("--listen-ng=127.0.0.1:" + port))
                .filter(p -> p.parent().flatMap(parent -> parent.info().command()).map(c -> !c.contains("java"))
                        .orElse(true))
                .forEach(ProcessHandle::destroy);
    }

    private static String findBinary() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
            File f = new File(dir, "rtpengine");
            if (f.canExecute()) {
                return f.getPath();
            }
        }
        File usual = new File("/usr/bin/rtpengine");
        if (usual.canExecute()) {
            return usual.getPath();
        }
        throw new IllegalStateException("rtpengine is not installed, and the end-to-end SRTP tests need it as an "
                + "independent SRTP peer: apt-get install rtpengine-daemon (see docs TOOLING.md)");
    }

    Map<String, Object> offer(String callId, String fromTag, String sdp) throws IOException {
        return ng.call(Map.of("command", "offer", "call-id", callId, "from-tag", fromTag, "sdp", sdp,
                "transport-protocol", "RTP/AVP", "ICE", "remove", "rtcp-mux", List.of("demux")));
    }

    /**
     * Our SRTP offer in, a plain offer toward the stand-in out that also lists {@code transcodeTo}: when the stand-in
     * answers with that codec, rtpengine transcodes (with ffmpeg's codecs, libopus for Opus) between it and what we
     * offered, so what we send is decoded by an implementation that is not ours.
     */
    Map<String, Object> offerTranscoding(String callId, String fromTag, String sdp, String transcodeTo)
            throws IOException {
        return ng.call(Map.of("command", "offer", "call-id", callId, "from-tag", fromTag, "sdp", sdp,
                "transport-protocol", "RTP/AVP", "ICE", "remove", "rtcp-mux", List.of("demux"),
                "codec", Map.of("transcode", List.of(transcodeTo))));
    }

    Map<String, Object> answer(String callId, String fromTag, String toTag, String sdp) throws IOException {
        return ng.call(Map.of("command", "answer", "call-id", callId, "from-tag", fromTag, "to-tag", toTag,
                "sdp", sdp, "ICE", "remove"));
    }

    /** An offer from the Meta stand-in (plain RTP) that rtpengine turns into SDES SRTP toward us. */
    Map<String, Object> offerAsSrtp(String callId, String fromTag, String sdp) throws IOException {
        return ng.call(Map.of("command", "offer", "call-id", callId, "from-tag", fromTag, "sdp", sdp,
                "transport-protocol", "RTP/SAVP", "ICE", "remove", "rtcp-mux", List.of("offer"),
                "SDES", List.of("no-AES_256_CM_HMAC_SHA1_80", "no-AES_256_CM_HMAC_SHA1_32",
                        "no-AES_192_CM_HMAC_SHA1_80", "no-AES_192_CM_HMAC_SHA1_32", "no-F8_128_HMAC_SHA1_80",
                        "no-F8_128_HMAC_SHA1_32", "no-NULL_HMAC_SHA1_80", "no-NULL_HMAC_SHA1_32",
                        "no-AEAD_AES_256_GCM", "no-AEAD_AES_128_GCM")));
    }

    /**
     * Meta's DTLS-mode offer made from the stand-in's plain offer: rtpengine faces us as an ICE-lite agent with one
     * host candidate, {@code UDP/TLS/RTP/SAVPF}, {@code a=setup:actpass}, a fingerprint and rtcp-mux only (no
     * second component), as in Meta's INVITE (whatsapp-sip-facts.md 4.3); no SDES.
     */
    Map<String, Object> offerAsDtls(String callId, String fromTag, String sdp) throws IOException {
        return ng.call(Map.of("command", "offer", "call-id", callId, "from-tag", fromTag, "sdp", sdp,
                "transport-protocol", "UDP/TLS/RTP/SAVPF", "ICE", "force", "ICE-lite", "forward",
                "rtcp-mux", List.of("require"), "SDES", List.of("off")));
    }

    /**
     * Our DTLS offer (ICE, actpass) in, a plain RTP offer toward the stand-in out. ICE-lite "backward" makes the
     * answer that {@link #answerAsDtls} later returns to us an ICE-lite one, as Meta's would be.
     */
    Map<String, Object> offerFromDtls(String callId, String fromTag, String sdp) throws IOException {
        return ng.call(Map.of("command", "offer", "call-id", callId, "from-tag", fromTag, "sdp", sdp,
                "transport-protocol", "RTP/AVP", "ICE", "remove", "ICE-lite", "backward",
                "rtcp-mux", List.of("demux")));
    }

    /**
     * The stand-in's plain answer in, the DTLS answer toward us out: ICE (lite, from {@link #offerFromDtls}), a
     * fingerprint and {@code a=setup:} as asked: "passive" (rtpengine is the DTLS server, as Meta is expected to
     * answer our actpass) or "active" (rtpengine sends the ClientHello). Probed on rtpengine 10.5: the DTLS flag
     * only takes effect on the answer command.
     */
    Map<String, Object> answerAsDtls(String callId, String fromTag, String toTag, String sdp, String setup)
            throws IOException {
        if (!setup.equals("passive") && !setup.equals("active")) {
            throw new IllegalArgumentException("setup must be passive or active: " + setup);
        }
        return ng.call(Map.of("command", "answer", "call-id", callId, "from-tag", fromTag, "to-tag", toTag,
                "sdp", sdp, "ICE", "force", "DTLS", setup));
    }

    void delete(String callId) {
        try {
            ng.call(Map.of("command", "delete", "call-id", callId));
        } catch (IOException e) {
            // the call may already be gone
        }
    }

    String log() throws IOException {
        return Files.readString(log);
    }

    @Override
    public void close() throws InterruptedException {
        ng.close();
        process.destroy(); // SIGTERM to our own child only
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
        }
        try {
            Files.deleteIfExists(log);
        } catch (IOException e) {
            // a leftover temp file is harmless
        }
    }
}
