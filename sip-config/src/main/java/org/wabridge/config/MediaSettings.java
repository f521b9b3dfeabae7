package org.wabridge.config;

import java.time.Duration;

/**
 * Media relay settings.
 *
 * @param mode               RELAY (anchored media, SRTP toward Meta) or PASSTHROUGH (lab only: SDP copied, no relay)
 * @param bindAddress        local address the relay's sockets bind to
 * @param publicAddress      address advertised in SDP to Meta and to the PBX; default bindAddress
 * @param portMin            first UDP port of the relay range (inclusive, even)
 * @param portMax            last UDP port of the relay range (inclusive)
 * @param g711EnabledAtMeta  true when {@code audio.additional_codecs} enables PCMU/PCMA at Meta
 * @param pbxSilenceFill     PBX silence after which the relay generates silence toward Meta
 * @param prebuffer          how much PBX media is held while the Meta leg is not ready
 * @param rtcpInterval       SRTCP report interval toward Meta
 * @param metaSilenceTimeout Meta leg silent this long ends the call
 * @param pbxSilenceTimeout  PBX leg silent this long ends the call
 * @param holdTimeout        PBX leg on hold / sendonly / inactive this long ends the call
 * @param maxTranscodedCalls calls this node transcodes Opus <-> G.711 at once (for PBXes without Opus); beyond it
 *                           such a call is refused with 503 and Retry-After; 0 turns transcoding off
 * @param ioEngine           how the relay's sockets are driven: EPOLL (default) or IO_URING (fewer system calls;
 *                           falls back to epoll where the kernel or a container forbids io_uring)
 * @param sharedPorts        true: the calls of each event loop share one PBX port (and its RTCP port), read and sent
 *                           in batches (recvmmsg/sendmmsg), told apart by the PBX's SDP address, and each call faces
 *                           Meta from a port of its own (Meta's relays serve many calls from one address); false
 *                           (default): each call has ports of its own and latches onto wherever the PBX sends from
 */
public record MediaSettings(
        MediaMode mode,
        String bindAddress,
        String publicAddress,
        int portMin,
        int portMax,
        boolean g711EnabledAtMeta,
        Duration pbxSilenceFill,
        Duration prebuffer,
        Duration rtcpInterval,
        Duration metaSilenceTimeout,
        Duration pbxSilenceTimeout,
        Duration holdTimeout,
        int maxTranscodedCalls,
        IoEngine ioEngine,
        boolean sharedPorts) {

    /**
     * Default of {@code media.maxTranscodedCalls}: a quarter to a half of what one core transcodes (BENCHMARKS.md,
     * "Transcoding": roughly 45-80 calls at 100 % of a core), so transcoding leaves a small box room for the relay.
     */
    public static final int DEFAULT_MAX_TRANSCODED_CALLS = 20;

    public enum MediaMode { RELAY, PASSTHROUGH }

    /** The relay's socket engine; io_uring submits many sockets' reads and sends in one system call. */
    public enum IoEngine { EPOLL, IO_URING }

    /** Settings with the default transcoding budget. */
    public MediaSettings(MediaMode mode, String bindAddress, String publicAddress, int portMin, int portMax,
                         boolean g711EnabledAtMeta, Duration pbxSilenceFill, Duration prebuffer, Duration rtcpInterval,
                         Duration metaSilenceTimeout, Duration pbxSilenceTimeout, Duration holdTimeout) {
        this(mode, bindAddress, publicAddress, portMin, portMax, g711EnabledAtMeta, pbxSilenceFill, prebuffer,
                rtcpInterval, metaSilenceTimeout, pbxSilenceTimeout, holdTimeout, DEFAULT_MAX_TRANSCODED_CALLS,
                IoEngine.EPOLL, false);
    }

    /** The same settings with another transcoding budget. */
    public MediaSettings withMaxTranscodedCalls(int max) {
        return new MediaSettings(mode, bindAddress, publicAddress, portMin, portMax, g711EnabledAtMeta, pbxSilenceFill,
                prebuffer, rtcpInterval, metaSilenceTimeout, pbxSilenceTimeout, holdTimeout, max, ioEngine,
                sharedPorts);
    }

    /** The same settings with another socket engine. */
    public MediaSettings withIoEngine(IoEngine engine) {
        return new MediaSettings(mode, bindAddress, publicAddress, portMin, portMax, g711EnabledAtMeta, pbxSilenceFill,
                prebuffer, rtcpInterval, metaSilenceTimeout, pbxSilenceTimeout, holdTimeout, maxTranscodedCalls, engine,
                sharedPorts);
    }

    /** The same settings with shared ports on or off. */
    public MediaSettings withSharedPorts(boolean shared) {
        return new MediaSettings(mode, bindAddress, publicAddress, portMin, portMax, g711EnabledAtMeta, pbxSilenceFill,
                prebuffer, rtcpInterval, metaSilenceTimeout, pbxSilenceTimeout, holdTimeout, maxTranscodedCalls, ioEngine,
                shared);
    }
}
