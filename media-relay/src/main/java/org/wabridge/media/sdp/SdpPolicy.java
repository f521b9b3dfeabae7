package org.wabridge.media.sdp;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.wabridge.config.SrtpKeyExchange;
import org.wabridge.media.SdpException;
import org.wabridge.media.dtls.DtlsFingerprint;
import org.wabridge.media.dtls.DtlsRole;
import org.wabridge.media.ice.IceSdp;
import org.wabridge.media.ice.RemoteIce;
import org.wabridge.media.sdp.SessionDescription.Direction;
import org.wabridge.media.sdp.SessionDescription.MediaDescription;
import org.wabridge.media.srtp.SrtpSuite;
import org.wabridge.media.transcode.CallTranscoder;
import org.wabridge.media.transcode.G711Law;

/**
 * The SDP rules of both legs, as pure functions: what we offer and answer to Meta (SRTP keyed by SDES or by
 * DTLS with ICE, opus, telephone-event/8000, rtcp-mux, one SSRC) and to the PBX (plain RTP, the codecs both
 * sides share).
 *
 * <p>Transcoding: a PBX that speaks no Opus gets G.711 from the relay, which transcodes (see
 * {@link org.wabridge.media.transcode.CallTranscoder}), when the caller allows it ({@code mayTranscode}: the node's
 * budget is not turned off) and G.711 is not enabled at Meta (then Meta transcodes, as before). Opus toward the PBX
 * always wins: a PBX that offers or answers Opus gets it passed through. The Meta leg of a transcoded call is exactly
 * that of an Opus call.
 *
 * <p>Keying: our offers use the business number's setting ({@link LocalMedia#offerKeying()}); an answer to Meta
 * uses whatever Meta offered. In DTLS mode we are ICE-full (Meta is ICE-lite) and the DTLS client: {@code actpass}
 * in offers, {@code active} in answers to Meta's {@code actpass} (facts file, section 4.3). We do not offer
 * {@code transport-cc} feedback: the relay sends no transport-wide congestion control reports, and an answer may
 * leave out feedback it will not give (RFC 4585 section 4.2).
 */
public final class SdpPolicy {

    static final String META_OPUS_FMTP =
            "maxaveragebitrate=20000;maxplaybackrate=16000;minptime=20;sprop-maxcapturerate=16000;useinbandfec=1";
    static final int OFFER_PT_OPUS = 111;
    static final int OFFER_PT_TELEPHONE_EVENT = 126;
    private static final String PBX = "The PBX";
    private static final String META = "Meta";

    private SdpPolicy() {
    }

    /**
     * Our offer to Meta and what it was built from; {@code transcodeFrom} is the PBX's G.711 codec when the call
     * will be transcoded (the PBX offered no Opus), else null.
     */
    public record MetaOffer(String sdp, List<Codec> pbxOffered, List<Codec> metaOffered, Endpoint pbx,
                            SrtpKeyExchange keying, Codec transcodeFrom) {

        public boolean transcoded() {
            return transcodeFrom != null;
        }
    }

    /**
     * Our offer to the PBX, built from Meta's offer; {@code metaMid} is the a=mid of Meta's audio (null: none);
     * {@code transcodable} the G.711 codecs offered to the PBX that the relay would transcode (empty: none).
     */
    public record PbxOffer(String sdp, List<Codec> metaUsable, MetaLeg metaLeg, String metaMid,
                           List<Codec> transcodable) {}

    /** Where the PBX wants media and how. */
    public record Endpoint(String address, int port, boolean rtcpMux, Direction direction) {}

    /**
     * Everything the Meta leg needs to run: where to send, how it is keyed, and the codec for silence. SDES: the
     * two keys, {@code dtls} null. DTLS: {@code dtls} set, the two keys null (the handshake makes them).
     */
    public record MetaLeg(String address, int port, CryptoAttribute theirCrypto, CryptoAttribute ourCrypto,
                          Codec silenceCodec, int telephoneEventPt, DtlsRemote dtls) {

        public boolean keyedByDtls() {
            return dtls != null;
        }

        public SrtpKeyExchange keying() {
            return dtls != null ? SrtpKeyExchange.DTLS : SrtpKeyExchange.SDES;
        }
    }

    /**
     * Meta's side of DTLS mode.
     *
     * @param fingerprint Meta's certificate must hash to this
     * @param ourRole     from Meta's a=setup: client to its actpass or passive, server to its active
     * @param ice         Meta's ICE parameters; null when its SDP has none (DTLS then goes to its c=/m= address)
     */
    public record DtlsRemote(DtlsFingerprint fingerprint, DtlsRole ourRole, RemoteIce ice) {}

    /**
     * The result of an offer/answer: the SDP to send on, and the negotiated state. {@code transcoding} is the plan of
     * a transcoded call (the pairs then join the PBX's G.711 with Meta's Opus), null when media passes through.
     */
    public record Agreement(String sdp, Endpoint pbx, MetaLeg metaLeg, PayloadMap payloads,
                            List<Codec[]> pairs, CallTranscoder.Plan transcoding) {

        public boolean transcoded() {
            return transcoding != null;
        }
    }

    // ---------------------------------------------------------------- business-initiated

    /** Without transcoding: what the relay did before it could transcode. */
    public static MetaOffer metaOfferFromPbxOffer(String pbxSdp, LocalMedia local) throws SdpException {
        return metaOfferFromPbxOffer(pbxSdp, local, false);
    }

    /**
     * @param mayTranscode a PBX offering G.711 but no Opus may be transcoded (Meta is then offered Opus)
     */
    public static MetaOffer metaOfferFromPbxOffer(String pbxSdp, LocalMedia local, boolean mayTranscode)
            throws SdpException {
        MediaDescription pbxAudio = SessionDescription.parse(pbxSdp, PBX).audio(PBX);
        List<Codec> metaOffered = new ArrayList<>();
        for (Codec c : usableAudio(pbxAudio.codecs(), local)) {
            metaOffered.add(c.isOpus()
                    ? new Codec(OFFER_PT_OPUS, "opus", 48000, 2, META_OPUS_FMTP)
                    : new Codec(c.is(Codec.PCMU, 8000) ? 0 : 8, c.name().toUpperCase(), 8000, 1, null));
        }
        Codec transcodeFrom = null;
        if (metaOffered.isEmpty() && mayTranscode) {
            transcodeFrom = pbxAudio.codecs().stream().filter(Codec::isG711).findFirst().orElse(null);
            if (transcodeFrom != null) {
                metaOffered.add(new Codec(OFFER_PT_OPUS, "opus", 48000, 2, META_OPUS_FMTP));
            }
        }
        if (metaOffered.isEmpty()) {
            throw new SdpException(noCommonCodecMessage(pbxAudio.codecs(), local, mayTranscode));
        }
        metaOffered.sort((a, b) -> Boolean.compare(b.isOpus(), a.isOpus()));
        metaOffered.add(new Codec(OFFER_PT_TELEPHONE_EVENT, Codec.TELEPHONE_EVENT, 8000, 1, "0-16"));
        String sdp = local.offerKeying() == SrtpKeyExchange.DTLS
                ? metaDtlsSdp(local, metaOffered, "actpass", "audio")
                : metaSdp(local, metaOffered, local.ourCrypto());
        return new MetaOffer(sdp, pbxAudio.codecs(), List.copyOf(metaOffered), endpointOf(pbxAudio),
                local.offerKeying(), transcodeFrom);
    }

    public static Agreement pbxAnswerFromMetaAnswer(String metaSdp, MetaOffer offer, LocalMedia local)
            throws SdpException {
        MediaDescription metaAudio = metaAudio(metaSdp, local);
        DtlsRemote dtls = null;
        CryptoAttribute theirs = null;
        if (offer.keying() == SrtpKeyExchange.DTLS) {
            if (!metaAudio.isDtlsSrtp()) {
                throw new SdpException("Meta answered our DTLS-SRTP offer with " + metaAudio.protocol()
                        + " (SDES keys): the number is set to SDES at Meta; set its srtpKeyExchange to SDES in"
                        + " meta.numbers, or srtp_key_exchange_protocol to DTLS at Meta");
            }
            dtls = dtlsRemote(metaSdp, metaAudio);
        } else {
            if (metaAudio.isDtlsSrtp()) {
                throw new SdpException("Meta answered our SDES offer with DTLS-SRTP (" + metaAudio.protocol()
                        + "): the number is set to DTLS at Meta; set its srtpKeyExchange to DTLS in meta.numbers,"
                        + " or srtp_key_exchange_protocol to SDES at Meta");
            }
            theirs = metaAudio.cryptoLines().stream()
                    .map(CryptoAttribute::parse).flatMap(Optional::stream)
                    .filter(c -> c.suite() == local.ourCrypto().suite())
                    .findFirst()
                    .orElseThrow(() -> new SdpException("Meta's SDP answer has no a=crypto line with "
                            + local.ourCrypto().suite().sdpName() + " (the suite we offered) and a 30-byte inline key"));
        }
        List<Codec> metaAccepted = resolveAnswerCodecs(metaAudio, offer.metaOffered());
        List<Codec[]> pairs = offer.transcoded()
                ? transcodedPairs(offer.transcodeFrom(), offer.pbxOffered(), metaAccepted)
                : pair(offer.pbxOffered(), metaAccepted);
        if (pairs.stream().noneMatch(p -> !p[1].isTelephoneEvent8k())) {
            throw new SdpException("Meta's SDP answer accepted none of the audio codecs we offered ("
                    + describe(offer.metaOffered()) + "); it answered " + describe(metaAudio.codecs()));
        }
        MetaLeg metaLeg = metaLegOf(metaAudio, theirs, dtls == null ? local.ourCrypto() : null, dtls, pairs);
        List<Codec> pbxCodecs = pairs.stream().map(p -> p[0]).collect(Collectors.toList());
        Endpoint pbx = offer.pbx();
        String sdp = pbxSdp(local, pbxCodecs, pbx.rtcpMux(), pbx.direction().answerTo());
        return new Agreement(sdp, pbx, metaLeg, new PayloadMap(pairs), pairs,
                offer.transcoded() ? planOf(pairs) : null);
    }

    // ---------------------------------------------------------------- user-initiated

    /** Without transcoding: the PBX is offered only what Meta offered. */
    public static PbxOffer pbxOfferFromMetaOffer(String metaSdp, LocalMedia local) throws SdpException {
        return pbxOfferFromMetaOffer(metaSdp, local, false);
    }

    /**
     * @param mayTranscode offer the PBX PCMU and PCMA too (after Meta's codecs), to be transcoded if it takes one
     */
    public static PbxOffer pbxOfferFromMetaOffer(String metaSdp, LocalMedia local, boolean mayTranscode)
            throws SdpException {
        MediaDescription metaAudio = metaAudio(metaSdp, local);
        DtlsRemote dtls = metaAudio.isDtlsSrtp() ? dtlsRemote(metaSdp, metaAudio) : null;
        CryptoAttribute theirs = dtls == null ? preferredCrypto(metaAudio) : null;
        List<Codec> usable = new ArrayList<>(usableAudio(metaAudio.codecs(), local));
        if (usable.isEmpty()) {
            throw new SdpException("Meta offered " + describe(metaAudio.codecs())
                    + " but none of them can be relayed"
                    + (local.g711EnabledAtMeta() ? "" : " (G.711 is accepted only with media.g711EnabledAtMeta)"));
        }
        Codec silenceCodec = usable.get(0);
        List<Codec> transcodable = new ArrayList<>();
        if (mayTranscode && usable.stream().anyMatch(Codec::isOpus) && usable.stream().noneMatch(Codec::isG711)) {
            for (Codec g711 : List.of(new Codec(0, Codec.PCMU, 8000, 1, null), new Codec(8, Codec.PCMA, 8000, 1, null))) {
                if (usable.stream().noneMatch(c -> c.payloadType() == g711.payloadType())) {
                    transcodable.add(g711); // static payload types, unless Meta used the number for something else
                }
            }
        }
        metaAudio.codecs().stream().filter(Codec::isTelephoneEvent8k).findFirst().ifPresent(usable::add);
        CryptoAttribute ours = theirs == null ? null : local.ourCrypto().withTagAndSuite(theirs.tag(), theirs.suite());
        int tePt = usable.stream().filter(Codec::isTelephoneEvent8k).mapToInt(Codec::payloadType).findFirst().orElse(-1);
        MetaLeg metaLeg = new MetaLeg(metaAudio.address(), metaAudio.port(), theirs, ours, silenceCodec, tePt, dtls);
        List<Codec> toPbx = new ArrayList<>(usable);
        toPbx.addAll(toPbx.size() - (tePt >= 0 ? 1 : 0), transcodable); // audio first, DTMF last
        String sdp = pbxSdp(local, toPbx, false, Direction.SENDRECV);
        return new PbxOffer(sdp, List.copyOf(usable), metaLeg, metaAudio.mid(), List.copyOf(transcodable));
    }

    public static Agreement metaAnswerFromPbxAnswer(String pbxSdp, PbxOffer offer, LocalMedia local)
            throws SdpException {
        MediaDescription pbxAudio = SessionDescription.parse(pbxSdp, PBX).audio(PBX);
        List<Codec> offeredToPbx = new ArrayList<>(offer.metaUsable());
        offeredToPbx.addAll(offer.transcodable());
        List<Codec> pbxAnswered = resolveAnswerCodecs(pbxAudio, offeredToPbx);
        List<Codec[]> pairs = pair(pbxAnswered, offer.metaUsable());
        boolean transcoded = false;
        if (pairs.stream().noneMatch(p -> !p[1].isTelephoneEvent8k())) {
            Codec g711 = pbxAnswered.stream().filter(Codec::isG711)
                    .filter(c -> offer.transcodable().stream().anyMatch(c::sameFormat)).findFirst().orElse(null);
            if (g711 == null) {
                throw new SdpException("The PBX's SDP answer accepted none of the codecs offered to it ("
                        + describe(offeredToPbx) + "); it answered " + describe(pbxAudio.codecs())
                        + (offer.transcodable().isEmpty()
                        ? ". G.711 for transcoding was not offered (media.maxTranscodedCalls is 0 or all its slots"
                        + " were in use, or G.711 is enabled at Meta): let the PBX accept one of the offered codecs"
                        : ""));
            }
            pairs = transcodedPairs(g711, pbxAnswered, offer.metaUsable());
            transcoded = true;
        }
        List<Codec> metaAnswer = new ArrayList<>();
        for (Codec[] p : pairs) {
            Codec meta = p[1];
            metaAnswer.add(meta.isOpus() ? meta.withFmtp(META_OPUS_FMTP) : meta);
        }
        offer.metaUsable().stream().filter(Codec::isTelephoneEvent8k)
                .filter(te -> metaAnswer.stream().noneMatch(Codec::isTelephoneEvent8k))
                .findFirst().ifPresent(metaAnswer::add);
        MetaLeg offered = offer.metaLeg();
        Codec silenceCodec = pairs.stream().map(p -> p[1]).filter(c -> !c.isTelephoneEvent8k()).findFirst().orElseThrow();
        MetaLeg metaLeg = new MetaLeg(offered.address(), offered.port(), offered.theirCrypto(),
                offered.ourCrypto(), silenceCodec, offered.telephoneEventPt(), offered.dtls());
        String sdp = offered.keyedByDtls()
                ? metaDtlsSdp(local, metaAnswer, offered.dtls().ourRole().setupAttributeInAnswer(), offer.metaMid())
                : metaSdp(local, metaAnswer, offered.ourCrypto());
        return new Agreement(sdp, endpointOf(pbxAudio), metaLeg, new PayloadMap(pairs), pairs,
                transcoded ? planOf(pairs) : null);
    }

    // ---------------------------------------------------------------- PBX re-offer (hold, refresh)

    public static Agreement pbxReoffer(String pbxSdp, Agreement current, LocalMedia local) throws SdpException {
        MediaDescription pbxAudio = SessionDescription.parse(pbxSdp, PBX).audio(PBX);
        List<Codec> metaSide = current.pairs().stream().map(p -> p[1]).collect(Collectors.toList());
        // a transcoded call keeps the PBX's G.711 law (the transcoder is made for it)
        List<Codec[]> pairs = current.transcoded() ? runningFormats(pbxAudio.codecs(), current)
                : pair(pbxAudio.codecs(), metaSide);
        if (pairs.stream().noneMatch(p -> !p[1].isTelephoneEvent8k())) {
            List<Codec> running = current.pairs().stream().map(p -> p[0]).collect(Collectors.toList());
            throw new SdpException("The PBX's re-offer has none of the codecs of the running call ("
                    + describe(running) + "); it offered " + describe(pbxAudio.codecs())
                    + ". The codec cannot change during a call");
        }
        Endpoint pbx = endpointOf(pbxAudio);
        List<Codec> pbxCodecs = pairs.stream().map(p -> p[0]).collect(Collectors.toList());
        String sdp = pbxSdp(local, pbxCodecs, pbx.rtcpMux(), pbx.direction().answerTo());
        return new Agreement(sdp, pbx, current.metaLeg(), new PayloadMap(pairs), pairs,
                current.transcoded() ? planOf(pairs) : null);
    }

    /**
     * Our offer in the 200 to a PBX re-INVITE that carries no SDP (RFC 3261 section 14.2: such an INVITE asks the
     * answerer to offer): the running call's codecs on the PBX side, and sendrecv, since the bridge itself never
     * holds; a PBX that still wants hold answers sendonly or inactive in its ACK.
     */
    public static String pbxRefreshOffer(Agreement current, LocalMedia local) {
        List<Codec> pbxCodecs = current.pairs().stream().map(p -> p[0]).collect(Collectors.toList());
        return pbxSdp(local, pbxCodecs, current.pbx().rtcpMux(), Direction.SENDRECV);
    }

    /**
     * The PBX's answer (in its ACK) to {@link #pbxRefreshOffer}: where it now receives, in which direction, and
     * which of the offered codecs it kept. {@code ourOffer} becomes the agreement's SDP.
     */
    public static Agreement pbxRefreshAnswer(String pbxSdp, String ourOffer, Agreement current) throws SdpException {
        MediaDescription pbxAudio = SessionDescription.parse(pbxSdp, PBX).audio(PBX);
        List<Codec[]> pairs = runningFormats(pbxAudio.codecs(), current);
        if (pairs.stream().noneMatch(p -> !p[1].isTelephoneEvent8k())) {
            throw new SdpException("The PBX's answer in its ACK has none of the codecs offered to it ("
                    + describe(current.pairs().stream().map(p -> p[0]).collect(Collectors.toList()))
                    + "); it answered " + describe(pbxAudio.codecs()));
        }
        return new Agreement(ourOffer, endpointOf(pbxAudio), current.metaLeg(), new PayloadMap(pairs), pairs,
                current.transcoded() ? planOf(pairs) : null);
    }

    /** The running call's pairs whose PBX-side format {@code pbxCodecs} still has, with the PBX's payload types. */
    private static List<Codec[]> runningFormats(List<Codec> pbxCodecs, Agreement current) {
        List<Codec[]> pairs = new ArrayList<>();
        for (Codec[] running : current.pairs()) {
            pbxCodecs.stream().filter(c -> c.sameFormat(running[0])).findFirst()
                    .ifPresent(c -> pairs.add(new Codec[] {c, running[1]}));
        }
        return pairs;
    }

    // ---------------------------------------------------------------- helpers

    private static MediaDescription metaAudio(String metaSdp, LocalMedia local) throws SdpException {
        MediaDescription audio = SessionDescription.parse(metaSdp, META).audio(META);
        if (audio.isDtlsSrtp()) {
            if (local.dtls() == null) {
                throw new SdpException("Meta's SDP uses DTLS-SRTP (" + audio.protocol() + ") but this relay does"
                        + " SDES only: set srtp_key_exchange_protocol to SDES in the number's SIP settings at Meta");
            }
            return audio;
        }
        if (!audio.protocol().startsWith("RTP/SAVP")) {
            throw new SdpException("Meta's SDP audio is " + audio.protocol()
                    + ", expected RTP/SAVP (SRTP with SDES keys) or UDP/TLS/RTP/SAVPF (DTLS-SRTP)");
        }
        return audio;
    }

    /** Meta's fingerprint, our role and Meta's ICE from a DTLS-SRTP SDP. */
    private static DtlsRemote dtlsRemote(String metaSdp, MediaDescription audio) throws SdpException {
        if (audio.fingerprint() == null) {
            throw new SdpException(SdpException.Problem.NO_FINGERPRINT, "Meta's SDP uses DTLS-SRTP ("
                    + audio.protocol() + ") but has no a=fingerprint (\"No fingerprint found in SDP\")");
        }
        DtlsFingerprint fingerprint = DtlsFingerprint.parse(audio.fingerprint()).orElseThrow(() -> new SdpException(
                "Meta's SDP has an unusable a=fingerprint \"" + SessionDescription.abbreviate(audio.fingerprint())
                        + "\": expected a hash function (sha-256) and its hex digest"));
        // RFC 4145 section 4: no a=setup means active
        String setup = audio.setup() == null ? "active" : audio.setup();
        DtlsRole role = DtlsRole.fromRemoteSetup(setup).orElseThrow(() -> new SdpException(
                "Meta's SDP has a=setup:" + SessionDescription.abbreviate(setup)
                        + ": no DTLS connection can be set up (expected actpass, passive or active)"));
        RemoteIce ice = IceSdp.parseRemote(metaSdp, META).orElse(null);
        return new DtlsRemote(fingerprint, role, ice);
    }

    private static CryptoAttribute preferredCrypto(MediaDescription audio) throws SdpException {
        List<CryptoAttribute> usable = audio.cryptoLines().stream()
                .map(CryptoAttribute::parse).flatMap(Optional::stream).collect(Collectors.toList());
        return usable.stream().filter(c -> c.suite() == SrtpSuite.AES_CM_128_HMAC_SHA1_80).findFirst()
                .or(() -> usable.stream().findFirst())
                .orElseThrow(() -> new SdpException("Meta's SDP has no usable a=crypto line: expected "
                        + "AES_CM_128_HMAC_SHA1_80 or AES_CM_128_HMAC_SHA1_32 with a 30-byte inline key"
                        + (audio.cryptoLines().isEmpty() ? " (it has none)" : "")));
    }

    /** Audio codecs (no telephone-event) that Meta accepts, in the sender's order. */
    private static List<Codec> usableAudio(List<Codec> codecs, LocalMedia local) {
        List<Codec> usable = new ArrayList<>();
        for (Codec c : codecs) {
            if (c.isOpus() || (local.g711EnabledAtMeta() && c.isG711())) {
                usable.add(c);
            }
        }
        return usable;
    }

    /** Codecs in an answer: their rtpmap, or the offered codec with the same payload type. */
    private static List<Codec> resolveAnswerCodecs(MediaDescription answer, List<Codec> offered) {
        List<Codec> resolved = new ArrayList<>();
        for (int pt : answer.formats()) {
            Optional<Codec> own = answer.codecs().stream().filter(c -> c.payloadType() == pt).findFirst();
            Optional<Codec> fromOffer = offered.stream().filter(c -> c.payloadType() == pt).findFirst();
            own.or(() -> fromOffer).ifPresent(resolved::add);
        }
        return resolved;
    }

    /** {pbx, meta} pairs of the same format, in the order of {@code metaSide} for audio then DTMF. */
    private static List<Codec[]> pair(List<Codec> pbxSide, List<Codec> metaSide) {
        List<Codec[]> pairs = new ArrayList<>();
        for (Codec meta : metaSide) {
            if (!meta.isOpus() && !meta.isG711() && !meta.isTelephoneEvent8k()) {
                continue;
            }
            pbxSide.stream().filter(p -> p.sameFormat(meta)).findFirst()
                    .ifPresent(p -> pairs.add(new Codec[] {p, meta}));
        }
        return pairs;
    }

    /**
     * A transcoded call's pairs: the PBX's G.711 with Meta's Opus, and telephone-event/8000 with its counterpart
     * when both sides have it.
     */
    private static List<Codec[]> transcodedPairs(Codec pbxG711, List<Codec> pbxSide, List<Codec> metaSide) {
        List<Codec[]> pairs = new ArrayList<>();
        metaSide.stream().filter(Codec::isOpus).findFirst().ifPresent(opus -> pairs.add(new Codec[] {pbxG711, opus}));
        Optional<Codec> pbxEvent = pbxSide.stream().filter(Codec::isTelephoneEvent8k).findFirst();
        Optional<Codec> metaEvent = metaSide.stream().filter(Codec::isTelephoneEvent8k).findFirst();
        if (pbxEvent.isPresent() && metaEvent.isPresent()) {
            pairs.add(new Codec[] {pbxEvent.get(), metaEvent.get()});
        }
        return pairs;
    }

    /** The transcoder's plan from a transcoded call's pairs. */
    private static CallTranscoder.Plan planOf(List<Codec[]> pairs) {
        Codec[] audio = pairs.stream().filter(p -> p[0].isG711()).findFirst().orElseThrow();
        Codec[] events = pairs.stream().filter(p -> p[0].isTelephoneEvent8k()).findFirst().orElse(null);
        return new CallTranscoder.Plan(G711Law.of(audio[0].name()), audio[0].payloadType(),
                events == null ? -1 : events[0].payloadType(), audio[1].payloadType(),
                events == null ? -1 : events[1].payloadType());
    }

    private static MetaLeg metaLegOf(MediaDescription metaAudio, CryptoAttribute theirs, CryptoAttribute ours,
                                     DtlsRemote dtls, List<Codec[]> pairs) {
        Codec silence = pairs.stream().map(p -> p[1]).filter(c -> !c.isTelephoneEvent8k()).findFirst().orElseThrow();
        int tePt = pairs.stream().map(p -> p[1]).filter(Codec::isTelephoneEvent8k)
                .mapToInt(Codec::payloadType).findFirst().orElse(-1);
        return new MetaLeg(metaAudio.address(), metaAudio.port(), theirs, ours, silence, tePt, dtls);
    }

    private static Endpoint endpointOf(MediaDescription m) {
        return new Endpoint(m.address(), m.port(), m.rtcpMux(), m.direction());
    }

    private static String metaSdp(LocalMedia local, List<Codec> codecs, CryptoAttribute crypto) {
        return new SdpWriter()
                .session(local.publicAddress(), local.sessionId(), 1)
                .media(local.metaPort(), "RTP/SAVP", codecs, local.publicAddress())
                .line("a=ptime:20")
                .line("a=maxptime:20")
                .line("a=sendrecv")
                .line("a=rtcp-mux")
                .line("a=crypto:" + crypto.format())
                .line("a=ssrc:" + local.ssrc() + " cname:" + local.cname())
                .toString();
    }

    /**
     * DTLS mode toward Meta: ICE credentials and our host candidates, our certificate's fingerprint, the DTLS role
     * ({@code actpass} in offers), one audio stream with rtcp-mux, bundled when it has a mid.
     */
    private static String metaDtlsSdp(LocalMedia local, List<Codec> codecs, String setup, String mid) {
        SdpWriter w = new SdpWriter().session(local.publicAddress(), local.sessionId(), 1);
        if (mid != null) {
            w.line("a=group:BUNDLE " + mid);
        }
        w.media(local.metaPort(), "UDP/TLS/RTP/SAVPF", codecs, local.publicAddress());
        if (mid != null) {
            w.line("a=mid:" + mid);
        }
        IceSdp.localLines(local.dtls().ice(), local.dtls().candidates()).forEach(w::line);
        return w.line("a=fingerprint:" + local.dtls().fingerprint().toSdpValue())
                .line("a=setup:" + setup)
                .line("a=ptime:20")
                .line("a=maxptime:20")
                .line("a=sendrecv")
                .line("a=rtcp-mux")
                .line("a=ssrc:" + local.ssrc() + " cname:" + local.cname())
                .toString();
    }

    private static String pbxSdp(LocalMedia local, List<Codec> codecs, boolean rtcpMux, Direction direction) {
        SdpWriter w = new SdpWriter()
                .session(local.publicAddress(), local.sessionId(), 1)
                .media(local.pbxRtpPort(), "RTP/AVP", codecs, local.publicAddress());
        w.line(rtcpMux ? "a=rtcp-mux" : "a=rtcp:" + (local.pbxRtpPort() + 1));
        return w.line("a=ptime:20").line("a=" + direction.attribute()).toString();
    }

    private static String noCommonCodecMessage(List<Codec> offered, LocalMedia local, boolean mayTranscode) {
        boolean onlyG711 = !offered.isEmpty() && offered.stream().filter(c -> !c.isTelephoneEvent8k()
                && !c.is(Codec.TELEPHONE_EVENT, 48000)).allMatch(Codec::isG711);
        if (onlyG711 && !local.g711EnabledAtMeta()) {
            return "The PBX offered only PCMU/PCMA, G.711 is not enabled at Meta and transcoding is off"
                    + " (media.maxTranscodedCalls: 0): set media.maxTranscodedCalls, or enable"
                    + " audio.additional_codecs at Meta and set media.g711EnabledAtMeta, or let the PBX offer opus";
        }
        return "The PBX offered " + describe(offered) + " but Meta accepts only opus/48000/2"
                + (local.g711EnabledAtMeta() ? " and PCMU/PCMA" : " (and PCMU/PCMA once audio.additional_codecs"
                + " is enabled at Meta and media.g711EnabledAtMeta is set)")
                + (mayTranscode ? ", and the bridge transcodes only PCMU/PCMA" : ". Transcoding is off")
                + ": let the PBX offer opus or G.711";
    }

    private static String describe(List<Codec> codecs) {
        if (codecs.isEmpty()) {
            return "no codec";
        }
        return codecs.stream().map(c -> c.name() + "/" + c.clockRate()).collect(Collectors.joining(", "));
    }
}
