package org.wabridge.media.relay;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.wabridge.config.MediaSettings;
import org.wabridge.config.SrtpKeyExchange;
import org.wabridge.media.Leg;
import org.wabridge.media.MediaEvents;
import org.wabridge.media.MediaMilestone;
import org.wabridge.media.MediaStats;
import org.wabridge.media.MetaLegFailure;
import org.wabridge.media.SdpException;
import org.wabridge.media.dtls.DatagramKind;
import org.wabridge.media.dtls.DtlsSrtpKeys;
import org.wabridge.media.keying.MetaKeying;
import org.wabridge.media.rtp.OutboundStream;
import org.wabridge.media.rtp.Rtcp;
import org.wabridge.media.rtp.Rtp;
import org.wabridge.media.rtp.SilenceFrames;
import org.wabridge.media.sdp.Codec;
import org.wabridge.media.sdp.LocalMedia;
import org.wabridge.media.sdp.OriginVersion;
import org.wabridge.media.sdp.PayloadMap;
import org.wabridge.media.sdp.SdpPolicy.Agreement;
import org.wabridge.media.sdp.SdpPolicy.MetaLeg;
import org.wabridge.media.sdp.SdpPolicy.MetaOffer;
import org.wabridge.media.sdp.SdpPolicy.PbxOffer;
import org.wabridge.media.sdp.SdpPolicy;
import org.wabridge.media.sdp.SessionDescription.Direction;
import org.wabridge.media.srtp.PacketBuffer;
import org.wabridge.media.srtp.SrtpEndpoint;
import org.wabridge.media.transcode.CallTranscoder;
import org.wabridge.media.transcode.TranscodingBudget;

/**
 * The media state machine of one call, without sockets: SDP in, packets in, clock ticks in;
 * packets out through a {@link PacketSink} and timeouts out through {@link MediaEvents}.
 * Every input carries the current time in milliseconds, so tests drive it with a fake clock.
 *
 * <p>The SDP steps only negotiate (they run on the B2BUA's thread and send nothing); the Meta leg sends
 * nothing at all until {@link #startMetaLeg}, which the adapter runs on the event loop with the packet
 * inputs and the clock. All methods are synchronized on this object, a monitor held only for the work of
 * one input (never while waiting for anything), because SDP arrives on another thread than packets.
 */
public final class CallMedia {

    private static final Logger LOG = LoggerFactory.getLogger(CallMedia.class);
    private static final int FRAME_MILLIS = 20;
    /**
     * User-initiated calls: Meta learns our key from our answer, so PBX media is held until Meta's
     * first authenticated packet shows its side is up, or this long after the start at most.
     */
    static final long META_READY_GRACE_MILLIS = 500;
    /** A ClientHello flight is one or two datagrams; anything more before the start is not a handshake. */
    private static final int MAX_EARLY_DTLS = 4;

    private record EarlyDatagram(byte[] data, InetSocketAddress from) {}

    private final MediaSettings settings;
    private final String callId;
    private final LocalMedia local;
    private final MediaEvents events;
    private final PacketSink sink;
    private final OutboundStream toMeta;
    private final int prebufferCapacity;
    private final ArrayDeque<byte[]> prebuffer = new ArrayDeque<>();
    private final LegCounters pbxCounters = new LegCounters();
    private final LegCounters metaCounters = new LegCounters();
    /** Makes the DTLS-mode keying; null when this relay does SDES only. */
    private final MetaKeying.Factory keyingFactory;
    /** The node's transcoding slots; this call holds one while {@code holdsTranscodingSlot}. */
    private final TranscodingBudget transcodingBudget;
    private boolean holdsTranscodingSlot;
    /** Opus <-> G.711 for a PBX without Opus; null when media passes through. */
    private CallTranscoder transcoder;
    private long transcoderSeed;

    private boolean protectFailureLogged;
    private boolean authFailureLogged;
    private MetaOffer metaOffer;
    private PbxOffer pbxOffer;
    private Agreement agreement;
    /** Our offer in the 200 to a PBX re-INVITE without SDP, until the PBX's answer (its ACK) arrives. */
    private String pbxRefreshOffer;
    private final OriginVersion pbxVersion = new OriginVersion();
    /** True when Meta offered (user-initiated): held PBX media waits for Meta's side after the start. */
    private boolean userInitiated;
    /**
     * Set by {@link #startMetaLeg}: before it nothing goes toward Meta. Meta's packets are accepted as soon as
     * the SDP exchange is complete: the start is posted to the event loop and may run just after Meta's first
     * packet was read, and dropping that packet would clip the caller's first words.
     */
    private boolean started;
    /** Set once the Meta leg has keys and media flows (SDES: at the start; DTLS: when the handshake is done). */
    private boolean mediaStarted;
    private long startedAt;
    /** DTLS mode, from the start on: ICE and the handshake. */
    private MetaKeying keying;
    /** DTLS records that came before the start (a peer that answered active sends its ClientHello at once). */
    private final List<EarlyDatagram> earlyDtls = new ArrayList<>(MAX_EARLY_DTLS);
    private boolean firstSrtpSent;
    private boolean firstSrtpReceived;

    private MetaLeg metaLeg;
    private SrtpEndpoint srtp;
    private InetSocketAddress metaAddress;
    private PayloadMap payloads;
    private InetSocketAddress pbxSdpAddress;
    private InetSocketAddress pbxLatched;
    private Direction pbxDirection = Direction.SENDRECV;

    /** When held PBX media may flow to Meta; Long.MAX_VALUE until then. */
    private long metaReadyAt = Long.MAX_VALUE;
    private long lastPbxAudioToMetaAt;
    private long nextRtcpAt;
    private long mediaExpectedSince = -1;
    private long holdSince = -1;
    private boolean timeoutReported;
    private boolean closed;

    /**
     * @param keyingFactory the DTLS-mode keying of the Meta leg; null when the relay does SDES only ({@code local}
     *                      then has no DTLS parameters either)
     */
    public CallMedia(MediaSettings settings, String callId, LocalMedia local, MediaEvents events, PacketSink sink,
                     int initialSeq, long initialTs, MetaKeying.Factory keyingFactory) {
        this(settings, callId, local, events, sink, initialSeq, initialTs, keyingFactory, TranscodingBudget.OFF);
    }

    /**
     * @param transcodingBudget the node's transcoding slots, shared by all calls; {@link TranscodingBudget#OFF} for
     *                          a relay that does not transcode
     */
    public CallMedia(MediaSettings settings, String callId, LocalMedia local, MediaEvents events, PacketSink sink,
                     int initialSeq, long initialTs, MetaKeying.Factory keyingFactory,
                     TranscodingBudget transcodingBudget) {
        this.transcodingBudget = transcodingBudget;
        this.transcoderSeed = ((long) initialSeq << 48) ^ (initialTs * 0x9E37_79B9_7F4A_7C15L);
        if ((keyingFactory == null) != (local.dtls() == null)) {
            throw new IllegalArgumentException("DTLS keying needs both the local DTLS parameters and a keying factory");
        }
        this.keyingFactory = keyingFactory;
        this.settings = settings;
        this.callId = callId;
        this.local = local;
        this.events = events;
        this.sink = sink;
        this.toMeta = new OutboundStream(local.ssrc(), initialSeq, initialTs);
        this.prebufferCapacity = (int) Math.max(1, settings.prebuffer().toMillis() / FRAME_MILLIS);
    }

    // ------------------------------------------------------------------ SDP

    public synchronized String metaOfferFromPbxOffer(String pbxSdp, long now) throws SdpException {
        requireOpen();
        MetaOffer offer = SdpPolicy.metaOfferFromPbxOffer(pbxSdp, local, transcodingBudget.enabled());
        if (offer.transcoded()) {
            takeTranscodingSlot("the PBX offered " + offer.transcodeFrom().rtpmapValue() + " and no Opus");
        }
        pbxSdpAddress = new InetSocketAddress(IpLiteral.parse(offer.pbx().address(), "The PBX"), offer.pbx().port());
        metaOffer = offer;
        return offer.sdp();
    }

    public synchronized String pbxAnswerFromMetaAnswer(String metaSdp, long now) throws SdpException {
        requireOpen();
        if (metaOffer == null) {
            throw new IllegalStateException("pbxAnswerFromMetaAnswer called before metaOfferFromPbxOffer");
        }
        Agreement a = SdpPolicy.pbxAnswerFromMetaAnswer(metaSdp, metaOffer, local);
        installMetaLeg(a.metaLeg());
        agree(a, now);
        return pbxVersion.stamp(a.sdp());
    }

    public synchronized String pbxOfferFromMetaOffer(String metaSdp, long now) throws SdpException {
        requireOpen();
        // G.711 is offered to the PBX only while a slot is free; it is taken if the PBX picks G.711
        PbxOffer offer = SdpPolicy.pbxOfferFromMetaOffer(metaSdp, local, transcodingBudget.hasRoom());
        if (offer.metaLeg().keying() != local.offerKeying()) {
            LOG.warn("call {}: Meta offered {} keys but the number is set to {} in meta.numbers; following Meta's"
                    + " offer (set srtpKeyExchange: {} to match srtp_key_exchange_protocol at Meta)", callId,
                    offer.metaLeg().keying(), local.offerKeying(), offer.metaLeg().keying());
        }
        installMetaLeg(offer.metaLeg());
        pbxOffer = offer;
        userInitiated = true;
        return pbxVersion.stamp(offer.sdp());
    }

    public synchronized String metaAnswerFromPbxAnswer(String pbxSdp, long now) throws SdpException {
        requireOpen();
        if (pbxOffer == null) {
            throw new IllegalStateException("metaAnswerFromPbxAnswer called before pbxOfferFromMetaOffer");
        }
        Agreement a = SdpPolicy.metaAnswerFromPbxAnswer(pbxSdp, pbxOffer, local);
        if (a.transcoded()) {
            takeTranscodingSlot("the PBX answered " + a.pairs().get(0)[0].rtpmapValue());
        }
        pbxSdpAddress = new InetSocketAddress(IpLiteral.parse(a.pbx().address(), "The PBX"), a.pbx().port());
        metaLeg = a.metaLeg(); // same address and keys; silence now in the codec the PBX chose
        agree(a, now);
        return a.sdp();
    }

    public synchronized String pbxReoffer(String pbxSdp, long now) throws SdpException {
        requireOpen();
        if (agreement == null) {
            throw new IllegalStateException("pbxReoffer called before the call's first offer/answer completed");
        }
        Agreement a = SdpPolicy.pbxReoffer(pbxSdp, agreement, local);
        followPbx(a, now);
        pbxRefreshOffer = null; // a new offer from the PBX replaces ours
        return pbxVersion.stamp(a.sdp());
    }

    /**
     * A re-INVITE from the PBX without SDP asks us to offer: returns the offer for our 200 (the running codecs,
     * sendrecv). The media keeps running as agreed until {@link #pbxRefreshAnswer} brings the PBX's answer.
     */
    public synchronized String pbxRefreshOffer(long now) {
        requireOpen();
        if (agreement == null) {
            throw new IllegalStateException("pbxRefreshOffer called before the call's first offer/answer completed");
        }
        pbxRefreshOffer = SdpPolicy.pbxRefreshOffer(agreement, local);
        return pbxVersion.stamp(pbxRefreshOffer);
    }

    /** The PBX's answer to {@link #pbxRefreshOffer}'s offer, from its ACK: where and how it now takes media. */
    public synchronized void pbxRefreshAnswer(String pbxSdp, long now) throws SdpException {
        requireOpen();
        if (pbxRefreshOffer == null) {
            throw new IllegalStateException("pbxRefreshAnswer called without an outstanding pbxRefreshOffer");
        }
        String offer = pbxRefreshOffer;
        pbxRefreshOffer = null; // answered, usably or not: the call has done with it either way
        followPbx(SdpPolicy.pbxRefreshAnswer(pbxSdp, offer, agreement), now);
    }

    /** Takes a new agreement with the PBX: where it receives (latching again if it moved), direction, codecs. */
    private void followPbx(Agreement a, long now) throws SdpException {
        InetSocketAddress newSdpAddress = new InetSocketAddress(IpLiteral.parse(a.pbx().address(), "The PBX"),
                a.pbx().port());
        if (!newSdpAddress.equals(pbxSdpAddress) && a.pbx().direction() != Direction.INACTIVE) {
            pbxSdpAddress = newSdpAddress;
            pbxLatched = null; // the PBX moved its media: latch again
        }
        agree(a, now);
    }

    /** Takes one of the node's transcoding slots for this call, or refuses the call with a cause that says so. */
    private void takeTranscodingSlot(String why) throws SdpException {
        if (holdsTranscodingSlot) {
            return;
        }
        if (!transcodingBudget.tryAcquire()) {
            throw new SdpException(SdpException.Problem.TRANSCODING_BUSY, why + ": the call needs Opus <-> G.711"
                    + " transcoding and all " + transcodingBudget.max() + " slots of media.maxTranscodedCalls are in use");
        }
        holdsTranscodingSlot = true;
        LOG.info("call {}: transcoding Opus <-> G.711 ({}); {} of {} transcoding slots in use", callId, why,
                transcodingBudget.inUse(), transcodingBudget.max());
    }

    /** Records the agreement; sends nothing (held PBX media goes once the Meta leg has started). */
    private void agree(Agreement a, long now) {
        agreement = a;
        payloads = a.payloads();
        if (!a.transcoded()) {
            transcoder = null;
        } else if (transcoder == null || !transcoder.plan().equals(a.transcoding())) {
            transcoder = new CallTranscoder(a.transcoding(), CallTranscoder.DEFAULT_COMPLEXITY, transcoderSeed++);
        }
        Direction direction = a.pbx().direction();
        boolean onHold = direction == Direction.SENDONLY || direction == Direction.INACTIVE;
        if (onHold && holdSince < 0) {
            holdSince = now;
        } else if (!onHold) {
            holdSince = -1;
        }
        pbxDirection = direction;
    }

    /**
     * Meta's address and keys as negotiated; sends nothing. The SRTP contexts are made here, on the caller's
     * thread, so that a key SRTP refuses still fails the SDP step (488 or BYE) instead of a
     * silent start; they are used on the event loop only once the leg has started.
     */
    private void installMetaLeg(MetaLeg leg) throws SdpException {
        InetAddress address = IpLiteral.parse(leg.address(), "Meta");
        SrtpEndpoint endpoint = null;
        if (!leg.keyedByDtls()) {
            try {
                endpoint = new SrtpEndpoint(leg.ourCrypto(), leg.theirCrypto());
            } catch (GeneralSecurityException e) {
                throw new SdpException("cannot set up SRTP with Meta's key: " + e.getMessage());
            }
        } // DTLS: the keys come from the handshake after the start
        srtp = endpoint; // when the B2BUA repeats an offer/answer step, the new keys win
        metaLeg = leg;
        metaAddress = new InetSocketAddress(address, leg.port());
    }

    /**
     * Whether {@link #startMetaLeg} may be scheduled: false once closed.
     *
     * @throws IllegalStateException when the Meta-side SDP exchange has not completed
     */
    public synchronized boolean startable() {
        if (closed) {
            return false;
        }
        if (agreement == null || metaLeg == null) {
            throw new IllegalStateException("startMetaLeg called before the Meta-side SDP exchange of call " + callId
                    + " completed (business-initiated: pbxAnswerFromMetaAnswer; user-initiated: metaAnswerFromPbxAnswer)");
        }
        return true;
    }

    /**
     * From here on Meta hears from us: the maiden packet now (held PBX audio when it may flow, else one
     * silence frame), then silence while the PBX is quiet and SRTCP; media timeouts count from here.
     * Runs on the event loop. Idempotent; nothing happens once closed.
     */
    public synchronized void startMetaLeg(long now) {
        if (closed || started) {
            return;
        }
        if (agreement == null || metaLeg == null) {
            LOG.warn("call {}: Meta leg not started: its SDP exchange has not completed", callId);
            return;
        }
        started = true;
        startedAt = now;
        if (metaLeg.keyedByDtls()) {
            LOG.info("call {}: Meta leg started, keyed by DTLS: {} toward {}, our SSRC {}", callId,
                    metaLeg.dtls().ice() == null ? "no ICE (Meta's SDP has none)" : "ICE", metaAddress, local.ssrc());
            keying = keyingFactory.create(callId, local.dtls(), metaLeg.dtls(), metaAddress, new KeyingOwner());
            keying.start(now); // PBX audio stays held until the keys exist
            for (EarlyDatagram d : earlyDtls) {
                keying.onPacket(d.data(), d.data().length, d.from(), now);
            }
            earlyDtls.clear();
            return;
        }
        // business-initiated: Meta had our key in our offer; user-initiated: Meta learns it from our answer,
        // unless its media already got here (then its side is up)
        boolean metaHeard = metaCounters.packetsIn > 0;
        LOG.info("call {}: Meta leg started, keyed by SDES toward {} ({} {}), our SSRC {}", callId, metaAddress,
                metaLeg.silenceCodec().rtpmapValue(), metaLeg.ourCrypto().suite().sdpName(), local.ssrc());
        startMedia(userInitiated && !metaHeard ? now + META_READY_GRACE_MILLIS : now, now);
    }

    /** Keys exist: the maiden packet now, then silence fill, SRTCP and media timeouts count from here. */
    private void startMedia(long pbxMediaFrom, long now) {
        mediaStarted = true;
        if (!firstSrtpReceived && metaCounters.packetsIn > 0) {
            firstSrtpReceived = true; // Meta's media came before the start ran
            report(MediaMilestone.FIRST_SRTP_RECEIVED, now);
        }
        lastPbxAudioToMetaAt = now;
        nextRtcpAt = now;
        mediaExpectedSince = now;
        metaReadyAt = pbxMediaFrom;
        flushPrebuffer(now);
        sendFirstPacketIfNone(now);
    }

    /** DTLS mode: what the Meta leg's keying reports, on the event loop. */
    private final class KeyingOwner implements MetaKeying.Owner {
        @Override
        public void keyed(DtlsSrtpKeys keys, InetSocketAddress remote, long now) {
            synchronized (CallMedia.this) {
                if (closed || mediaStarted) {
                    return;
                }
                try {
                    srtp = keys.newSrtpEndpoint();
                } catch (GeneralSecurityException e) {
                    keyingFailed(new MetaLegFailure(MetaLegFailure.Kind.DTLS_FAILED,
                            "SRTP could not be keyed with the handshake's keys: " + e.getMessage()), now);
                    return;
                }
                metaAddress = remote;
                LOG.info("call {}: Meta leg keyed by DTLS ({}) {} ms after the start; media toward {}", callId,
                        keys.suite().sdpName(), now - startedAt, remote);
                // Meta has the keys as soon as we do: held PBX audio goes at once
                startMedia(now, now);
            }
        }

        @Override
        public void keyingFailed(MetaLegFailure failure, long now) {
            synchronized (CallMedia.this) {
                if (closed) {
                    return;
                }
            }
            LOG.warn("call {}: Meta leg failed {} ms after the start: {}", callId, now - startedAt, failure);
            events.metaLegFailed(failure);
        }

        @Override
        public void milestone(MediaMilestone milestone, long now) {
            report(milestone, now);
        }
    }

    private void report(MediaMilestone milestone, long now) {
        events.milestone(milestone, Duration.ofMillis(Math.max(0, now - startedAt)));
    }

    /** Meta expects the business to send first: buffered PBX media if any, else one silence frame. */
    private void sendFirstPacketIfNone(long now) {
        if (toMeta.packetsSent() == 0) {
            sendSilence(now);
        }
    }

    private boolean readyForPbxMedia(long now) {
        return mediaStarted && payloads != null && now >= metaReadyAt;
    }

    private void flushPrebuffer(long now) {
        if (!readyForPbxMedia(now)) {
            return;
        }
        while (!prebuffer.isEmpty()) {
            byte[] p = prebuffer.poll();
            forwardToMeta(p, p.length - PacketBuffer.TRAILER_ROOM, now);
        }
    }

    /** Where the PBX's SDP says its media is (null until a PBX SDP): a shared socket routes its packets by it. */
    public synchronized InetSocketAddress pbxSdpAddress() {
        return pbxSdpAddress;
    }

    /** Meta's media address (null until Meta's SDP): a shared socket routes its packets by it. */
    public synchronized InetSocketAddress metaAddress() {
        return metaAddress;
    }

    // ------------------------------------------------------------------ packets

    /**
     * A packet on one of our PBX ports.
     *
     * @param onRtcpPort true when it came to the separate RTCP port
     */
    public synchronized void onPbxPacket(byte[] p, int len, InetSocketAddress from, boolean onRtcpPort, long now) {
        if (closed) {
            return;
        }
        if (onRtcpPort || Rtp.looksLikeRtcp(p, len)) {
            // the PBX's reports describe its own stream; Meta gets ours, so they end here
            if (Rtcp.isValidCompound(p, len)) {
                pbxCounters.received(len, now);
            } else {
                pbxCounters.dropped++;
            }
            return;
        }
        if (!Rtp.isValidRtp(p, len)) {
            pbxCounters.dropped++;
            return;
        }
        pbxCounters.received(len, now);
        pbxLatched = from;
        flushPrebuffer(now); // keeps order: what was held goes first
        if (!readyForPbxMedia(now)) {
            if (prebuffer.size() >= prebufferCapacity) {
                prebuffer.poll();
                pbxCounters.dropped++;
            }
            prebuffer.add(Arrays.copyOf(p, len + PacketBuffer.TRAILER_ROOM));
            return;
        }
        forwardToMeta(p, len, now);
    }

    private void forwardToMeta(byte[] p, int len, long now) {
        int metaPt = payloads.toMeta(Rtp.payloadType(p));
        if (metaPt < 0) {
            pbxCounters.dropped++; // a codec that was not negotiated (e.g. comfort noise)
            return;
        }
        if (transcoder != null) {
            lastPbxAudioToMetaAt = now; // PBX audio is flowing, even while a 20 ms frame is still being gathered
            for (byte[] opus : transcoder.pbxToMeta(p, len)) {
                int opusLen = CallTranscoder.length(opus);
                toMeta.rewritePbxPacket(opus, opusLen, Rtp.payloadType(opus), 48000, now);
                sendRtpToMeta(opus, opusLen, now);
            }
            return;
        }
        toMeta.rewritePbxPacket(p, len, metaPt, payloads.metaClockRate(metaPt), now);
        lastPbxAudioToMetaAt = now;
        sendRtpToMeta(p, len, now);
    }

    /** A packet on our Meta port. */
    public synchronized void onMetaPacket(byte[] p, int len, InetSocketAddress from, long now) {
        if (closed) {
            return;
        }
        if (keying != null && keying.onPacket(p, len, from, now)) {
            return; // STUN or DTLS
        }
        // an SDES leg never has a handshake: its DTLS-looking datagrams are dropped below like any other junk
        boolean mayBeDtls = keyingFactory != null
                && (metaLeg != null ? metaLeg.keyedByDtls() : local.offerKeying() == SrtpKeyExchange.DTLS);
        if (keying == null && mayBeDtls && DatagramKind.of(p, 0, len) == DatagramKind.DTLS) {
            if (earlyDtls.size() < MAX_EARLY_DTLS) {
                earlyDtls.add(new EarlyDatagram(Arrays.copyOf(p, len), from)); // kept for the handshake
            } else {
                metaCounters.dropped++;
            }
            return;
        }
        if (srtp == null || agreement == null || metaLeg == null
                || !from.getAddress().equals(metaAddress.getAddress())) {
            metaCounters.dropped++; // no keys yet, or not from Meta's address (its SDP's, or ICE's nominated one)
            return;
        }
        boolean rtcp = Rtp.looksLikeRtcp(p, len);
        if (rtcp ? len < 8 + 4 + 4 : !Rtp.isValidRtp(p, len)) {
            metaCounters.dropped++;
            return;
        }
        PacketBuffer buf = new PacketBuffer(p, len);
        SrtpEndpoint.Verdict verdict;
        try {
            verdict = rtcp ? srtp.unprotectRtcp(buf) : srtp.unprotectRtp(buf);
        } catch (GeneralSecurityException | RuntimeException e) {
            verdict = SrtpEndpoint.Verdict.INVALID;
        }
        if (verdict != SrtpEndpoint.Verdict.OK) {
            metaCounters.dropped++;
            if (verdict == SrtpEndpoint.Verdict.AUTH_FAILURE) {
                metaCounters.authFailures++;
                if (!authFailureLogged) {
                    authFailureLogged = true; // once per call: a peer with the wrong key fails every packet
                    LOG.info("call {}: an SRTP{} packet from {} failed authentication ({} bytes{}), dropped; later ones"
                            + " are counted in meta.authFailures (a wrong key, plain RTP, or a damaged packet)",
                            callId, rtcp ? "C" : "", from, len, rtcp ? "" : ", SSRC " + Long.toHexString(Rtp.ssrc(p))
                                    + ", sequence " + Rtp.sequence(p));
                }
            }
            return;
        }
        byte[] plain = buf.getBuffer();
        int plainLen = buf.getLength();
        if (rtcp) {
            if (Rtcp.isValidCompound(plain, plainLen)) {
                metaCounters.received(len, now);
            } else {
                metaCounters.dropped++;
            }
            return;
        }
        int pbxPt = payloads == null ? -1 : payloads.toPbx(Rtp.payloadType(plain));
        if (pbxPt < 0) {
            metaCounters.dropped++;
            return;
        }
        metaCounters.received(len, now);
        if (!firstSrtpReceived && started) {
            firstSrtpReceived = true;
            report(MediaMilestone.FIRST_SRTP_RECEIVED, now);
        }
        if (metaReadyAt > now) {
            metaReadyAt = now; // Meta's media is up: release what the PBX sent meanwhile
            flushPrebuffer(now);
        }
        if (pbxDirection == Direction.SENDONLY || pbxDirection == Direction.INACTIVE) {
            return; // the PBX does not want media now (hold)
        }
        InetSocketAddress to = pbxLatched != null ? pbxLatched : pbxSdpAddress;
        if (to == null) {
            return;
        }
        if (transcoder != null) {
            for (byte[] g711 : transcoder.metaToPbx(plain, plainLen)) {
                int g711Len = CallTranscoder.length(g711);
                sink.toPbx(g711, g711Len, to);
                pbxCounters.sent(g711Len);
            }
            return;
        }
        Rtp.setPayloadType(plain, pbxPt);
        sink.toPbx(plain, plainLen, to);
        pbxCounters.sent(plainLen);
    }

    // ------------------------------------------------------------------ clock

    /** Called every 20 ms: silence fill, SRTCP reports, media timeouts. */
    public void tick(long now) {
        Leg timedOutLeg = null;
        Duration silentFor = null;
        synchronized (this) {
            if (closed || !started) {
                return; // nothing toward Meta before the start: no silence, no SRTCP
            }
            if (keying != null) {
                keying.tick(now);
            }
            if (!mediaStarted) {
                return; // DTLS mode before the keys: ICE and the handshake only
            }
            flushPrebuffer(now);
            if (now - lastPbxAudioToMetaAt >= settings.pbxSilenceFill().toMillis()) {
                sendSilence(now);
            }
            if (now >= nextRtcpAt) {
                sendSenderReport(now);
                nextRtcpAt = now + settings.rtcpInterval().toMillis();
            }
            if (mediaExpectedSince >= 0 && !timeoutReported) {
                long metaSilent = now - Math.max(mediaExpectedSince, metaCounters.lastReceivedAt);
                long pbxSilent = now - Math.max(Math.max(mediaExpectedSince, pbxCounters.lastReceivedAt), holdSince);
                Duration pbxLimit = holdSince >= 0 ? settings.holdTimeout() : settings.pbxSilenceTimeout();
                if (metaSilent >= settings.metaSilenceTimeout().toMillis()) {
                    timedOutLeg = Leg.META;
                    silentFor = Duration.ofMillis(metaSilent);
                } else if (pbxSilent >= pbxLimit.toMillis()) {
                    timedOutLeg = Leg.PBX;
                    silentFor = Duration.ofMillis(pbxSilent);
                }
                timeoutReported = timedOutLeg != null;
            }
        }
        if (timedOutLeg != null) {
            LOG.warn("call {}: no media from the {} leg for {} s", callId, timedOutLeg, silentFor.toSeconds());
            events.mediaTimeout(timedOutLeg, silentFor);
        }
    }

    private void sendSilence(long now) {
        Codec codec = metaLeg.silenceCodec();
        byte[] packet = toMeta.nextGenerated(codec.payloadType(), SilenceFrames.payload(codec), codec.clockRate(), now);
        sendRtpToMeta(packet, packet.length, now);
    }

    private void sendSenderReport(long now) {
        long rtpTs = toMeta.timestampAt(metaLeg.silenceCodec().clockRate(), now);
        byte[] sr = Rtcp.senderReport(local.ssrc(), System.currentTimeMillis(), rtpTs, toMeta.packetsSent(),
                toMeta.octetsSent(), local.cname());
        try {
            PacketBuffer srtcp = srtp.protectRtcp(sr, sr.length);
            sink.toMeta(srtcp.getBuffer(), srtcp.getLength(), metaAddress);
            metaCounters.sent(srtcp.getLength());
        } catch (GeneralSecurityException e) {
            LOG.error("call {}: SRTCP protect failed: {}", callId, e.getMessage());
        }
    }

    private void sendRtpToMeta(byte[] p, int len, long now) {
        try {
            PacketBuffer srtpPacket = srtp.protectRtp(p, len);
            sink.toMeta(srtpPacket.getBuffer(), srtpPacket.getLength(), metaAddress);
            metaCounters.sent(srtpPacket.getLength());
            if (!firstSrtpSent) {
                firstSrtpSent = true;
                report(MediaMilestone.FIRST_SRTP_SENT, now);
            }
        } catch (GeneralSecurityException e) {
            metaCounters.dropped++;
            if (!protectFailureLogged) {
                protectFailureLogged = true; // once per call: PBX input must not flood the log
                LOG.warn("call {}: SRTP protect failed, packet dropped (counted in meta.dropped): {}", callId,
                        e.getMessage());
            }
        }
    }

    // ------------------------------------------------------------------ misc

    /** Whether this call transcodes (false before its offer/answer completed). */
    public synchronized boolean transcoded() {
        return transcoder != null;
    }

    public synchronized MediaStats stats() {
        return new MediaStats(pbxCounters.snapshot(), metaCounters.snapshot());
    }

    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        prebuffer.clear();
        if (holdsTranscodingSlot) {
            holdsTranscodingSlot = false;
            transcodingBudget.release();
            if (transcoder != null) {
                LOG.info("call {}: transcoded {} frames to Meta and {} to the PBX ({} concealed, {} of them by FEC)"
                        + " in {} ms of CPU", callId, transcoder.framesToMeta(), transcoder.framesToPbx(),
                        transcoder.concealedFrames(), transcoder.fecFrames(), transcoder.cpuNanos() / 1_000_000);
            }
        }
        earlyDtls.clear();
        if (keying != null) {
            keying.close();
        }
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("media session of call " + callId + " is closed");
        }
    }
}
