package org.wabridge.media.ice;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.ice4j.StunException;
import org.ice4j.attribute.Attribute;
import org.ice4j.attribute.AttributeFactory;
import org.ice4j.attribute.ErrorCodeAttribute;
import org.ice4j.attribute.PriorityAttribute;
import org.ice4j.attribute.UsernameAttribute;
import org.ice4j.message.Message;
import org.ice4j.message.MessageFactory;
import org.ice4j.message.Request;
import org.ice4j.message.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.wabridge.media.ice.StunCodec.Integrity;
import org.wabridge.media.ice.StunCodec.MalformedStunException;

/**
 * ICE for the Meta leg: a full agent in the controlling role toward an ICE-lite peer, one component (rtcp-mux),
 * as a state machine without sockets, threads or clocks of its own. Packets and clock ticks come in with the
 * current time in milliseconds; datagrams go out through {@link IceTransport}, outcomes through {@link IceEvents}.
 *
 * <p>What it does (RFC 8445, RFC 5389, RFC 7675):
 * <ul>
 *   <li>Pairs each of our candidates with each of the peer's of the same address family, highest pair priority
 *       first; every pair starts Waiting (one component, and each pair has its own foundation).</li>
 *   <li>Connectivity checks: Binding requests with USERNAME {@code theirUfrag:ourUfrag}, PRIORITY (as a
 *       peer-reflexive candidate), ICE-CONTROLLING with our tie-breaker, MESSAGE-INTEGRITY with the peer's password and
 *       FINGERPRINT; a new check every Ta; each retransmitted after RTO, 2 RTO, 4 RTO... up to Rc transmissions.</li>
 *   <li>A response counts when its transaction id is ours, its MESSAGE-INTEGRITY verifies with the peer's password,
 *       it comes from the address the check went to, and it carries XOR-MAPPED-ADDRESS (our peer-reflexive
 *       address when it differs from our candidate). Responses failing integrity are dropped, as if lost.</li>
 *   <li>Regular nomination: when a pair succeeds and no higher-priority pair is still being checked (or after
 *       {@link IceTiming#nominationWait()}), a new check with USE-CANDIDATE goes on it; when that one succeeds
 *       ICE is complete and the pair is selected for good: no other pair is used afterwards.</li>
 *   <li>Checks from the peer are answered (MESSAGE-INTEGRITY with our password, XOR-MAPPED-ADDRESS of the
 *       source); a source that is not among the peer's candidates becomes a peer-reflexive remote candidate
 *       and gets a triggered check (only while checking). A peer that claims the controlling role gets
 *       487 Role Conflict: toward an ICE-lite peer we are always controlling (Meta: "will only assume the
 *       CONTROLLED role") and never switch.</li>
 *   <li>Consent freshness on the selected pair: a check every {@link IceTiming#consentInterval()} randomized to
 *       0.8-1.2 of it; no authenticated response for {@link IceTiming#consentTimeout()} gives
 *       {@link IceEvents#consentLost}. Consent checks carry USE-CANDIDATE, as libwebrtc's checks on its selected
 *       pair do: an ICE-lite peer re-nominates the same pair.</li>
 *   <li>ICE that has not completed {@link IceTiming#completionTimeout()} after {@link #start} fails with
 *       {@link IceEvents#failed} and a reason listing what each pair saw; so does ICE whose every pair failed.</li>
 * </ul>
 *
 * <p>Limits: one candidate per address family on our side (a check from the peer is answered from our
 * candidate of its family); no role switching; pairs never Frozen (one component).
 *
 * <p>Methods are synchronized on this object and hold its monitor only for one input.
 */
public final class ControllingIceAgent {

    private static final Logger LOG = LoggerFactory.getLogger(ControllingIceAgent.class);
    static final String SOFTWARE = "wa-sip-bridge";
    private static final byte[] SOFTWARE_BYTES = SOFTWARE.getBytes(StandardCharsets.US_ASCII);
    private static final HexFormat HEX = HexFormat.of();

    public enum State { NEW, CHECKING, COMPLETED, FAILED, CONSENT_LOST, CLOSED }

    enum PairState { WAITING, IN_PROGRESS, SUCCEEDED, FAILED }

    private enum Kind { CHECK, NOMINATION, CONSENT }

    private static final class Pair {
        final IceCandidate local;
        final IceCandidate remote;
        final long priority;
        PairState state = PairState.WAITING;
        InetSocketAddress mapped;
        int checksSent;
        String problem;

        Pair(IceCandidate local, IceCandidate remote) {
            this.local = local;
            this.remote = remote;
            this.priority = pairPriority(local.priority(), remote.priority());
        }

        @Override
        public String toString() {
            return IceSdp.literal(local.address().getAddress()) + ":" + local.address().getPort() + " -> "
                    + IceSdp.literal(remote.address().getAddress()) + ":" + remote.address().getPort()
                    + (remote.type() == IceCandidate.Type.PRFLX ? " (peer-reflexive)" : "");
        }
    }

    private static final class Transaction {
        final byte[] id;
        final Pair pair;
        final Kind kind;
        final byte[] packet;
        final long firstSentAt;
        int transmissions;
        long rto;
        long nextAt;
        boolean retransmitting = true;

        Transaction(byte[] id, Pair pair, Kind kind, byte[] packet, long now, long rto) {
            this.id = id;
            this.pair = pair;
            this.kind = kind;
            this.packet = packet;
            this.firstSentAt = now;
            this.rto = rto;
        }
    }

    private final IceCredentials local;
    private final List<IceCandidate> localCandidates;
    private final RemoteIce remote;
    private final IceTiming timing;
    private final Random random;
    private final IceTransport transport;
    private final IceEvents events;
    private final byte[] localKey;
    private final byte[] remoteKey;
    private final String checkUsername;
    private final long tieBreaker;

    private final List<IceCandidate> remoteCandidates = new ArrayList<>();
    private final List<Pair> pairs = new ArrayList<>();
    private final ArrayDeque<Pair> triggered = new ArrayDeque<>();
    private final Map<String, Transaction> transactions = new LinkedHashMap<>();

    private State state = State.NEW;
    private long startedAt;
    private long deadline;
    private long nextPaceAt;
    private long firstValidAt = -1;
    private Pair nominating;
    private boolean nominationSent;
    private SelectedPair selected;
    private Pair selectedPair;
    private long lastConsentAt;
    private long nextConsentAt;
    private int badIntegrity;
    private String lastUnauthenticatedError;

    /**
     * @param local           our ufrag and password (the ones in our SDP)
     * @param localCandidates our host candidates (the ones in our SDP), at most one per address family
     * @param remote          the peer's ICE description from its SDP
     * @param random          tie-breaker, transaction ids and consent jitter: a SecureRandom in production
     */
    public ControllingIceAgent(IceCredentials local, List<IceCandidate> localCandidates, RemoteIce remote,
                               IceTiming timing, Random random, IceTransport transport, IceEvents events) {
        if (localCandidates.isEmpty()) {
            throw new IllegalArgumentException("ICE needs at least one local candidate");
        }
        this.local = local;
        this.localCandidates = List.copyOf(localCandidates);
        this.remote = remote;
        this.timing = timing;
        this.random = random;
        this.transport = transport;
        this.events = events;
        this.localKey = local.key();
        this.remoteKey = remote.credentials().key();
        this.checkUsername = remote.credentials().ufrag() + ":" + local.ufrag();
        this.tieBreaker = random.nextLong();
        for (IceCandidate r : remote.candidates()) {
            addRemote(r);
        }
        if (!remote.lite()) {
            LOG.debug("peer is not ICE-lite; acting as the controlling agent all the same");
        }
    }

    // ------------------------------------------------------------------ inputs

    /** Starts the checks: the first one leaves now. */
    public synchronized void start(long now) {
        if (state != State.NEW) {
            throw new IllegalStateException("ICE already started (" + state + ")");
        }
        state = State.CHECKING;
        startedAt = now;
        deadline = now + timing.completionTimeout().toMillis();
        nextPaceAt = now;
        if (pairs.isEmpty()) {
            fail("no candidate pair: our candidates " + addresses(localCandidates) + " and the peer's "
                    + addresses(remoteCandidates) + " have no address family in common");
            return;
        }
        tick(now);
    }

    /** The clock: sends paced checks, retransmissions and consent checks, and reports timeouts. */
    public synchronized void tick(long now) {
        if (state == State.CHECKING) {
            if (now >= deadline) {
                fail("ICE did not complete within " + seconds(timing.completionTimeout()) + ": " + summary());
                return;
            }
            retransmit(now);
            if (state != State.CHECKING) {
                return;
            }
            maybeNominate(now);
            if (now >= nextPaceAt && sendNextCheck(now)) {
                nextPaceAt = now + timing.ta().toMillis();
            }
        } else if (state == State.COMPLETED) {
            if (now - lastConsentAt >= timing.consentTimeout().toMillis()) {
                state = State.CONSENT_LOST;
                transactions.clear();
                LOG.info("ICE consent lost on {}: no answer for {} ms", selectedPair, now - lastConsentAt);
                events.consentLost(Duration.ofMillis(now - lastConsentAt));
                return;
            }
            retransmit(now);
            if (now >= nextConsentAt) {
                for (Transaction t : transactions.values()) {
                    t.retransmitting = false; // an older consent check still counts if answered, but is not resent
                }
                send(selectedPair, Kind.CONSENT, now);
                nextConsentAt = now + consentInterval();
            }
        }
    }

    /**
     * A datagram from the peer's side of the Meta leg.
     *
     * @return false when it is not STUN (the caller handles it as DTLS or media); true when ICE consumed it
     */
    public synchronized boolean onPacket(byte[] data, int offset, int length, InetSocketAddress from, long now) {
        if (!StunCodec.isStun(data, offset, length)) {
            return false;
        }
        if (state == State.FAILED || state == State.CONSENT_LOST || state == State.CLOSED) {
            return true;
        }
        Message m;
        try {
            m = StunCodec.decode(data, offset, length);
        } catch (MalformedStunException e) {
            LOG.debug("dropped STUN datagram from {}: {}", from, e.getMessage());
            return true;
        }
        char type = m.getMessageType();
        if (type == Message.BINDING_REQUEST) {
            onRequest((Request) m, data, offset, length, from, now);
        } else if (type == Message.BINDING_SUCCESS_RESPONSE || type == Message.BINDING_ERROR_RESPONSE) {
            onResponse(m, data, offset, length, from, now);
        }
        return true;
    }

    /** Stops everything: nothing is sent or reported afterwards. */
    public synchronized void close() {
        state = State.CLOSED;
        transactions.clear();
        triggered.clear();
    }

    // ------------------------------------------------------------------ queries

    public synchronized State state() {
        return state;
    }

    public synchronized Optional<SelectedPair> selectedPair() {
        return Optional.ofNullable(selected);
    }

    public IceCredentials localCredentials() {
        return local;
    }

    public long tieBreaker() {
        return tieBreaker;
    }

    /** The peer's candidates known now: its SDP's and the peer-reflexive ones learned from its checks. */
    public synchronized List<IceCandidate> remoteCandidates() {
        return List.copyOf(remoteCandidates);
    }

    // ------------------------------------------------------------------ checks

    private boolean sendNextCheck(long now) {
        if (nominating != null && !nominationSent) {
            nominationSent = true;
            send(nominating, Kind.NOMINATION, now);
            return true;
        }
        if (nominating != null) {
            return false; // regular nomination: nothing else while the nomination is in flight
        }
        Pair next = triggered.poll();
        if (next == null) {
            next = pairs.stream().filter(p -> p.state == PairState.WAITING).findFirst().orElse(null);
        }
        if (next == null) {
            return false;
        }
        next.state = PairState.IN_PROGRESS;
        send(next, Kind.CHECK, now);
        return true;
    }

    private void send(Pair pair, Kind kind, long now) {
        byte[] id = new byte[12];
        random.nextBytes(id);
        Request r = MessageFactory.createBindingRequest();
        try {
            r.setTransactionID(id);
        } catch (StunException e) {
            throw new IllegalStateException(e);
        }
        r.putAttribute(AttributeFactory.createSoftwareAttribute(SOFTWARE_BYTES));
        r.putAttribute(AttributeFactory.createUsernameAttribute(checkUsername));
        r.putAttribute(AttributeFactory.createPriorityAttribute(
                IceCandidate.priority(IceCandidate.Type.PRFLX, localPreference(pair.local))));
        r.putAttribute(AttributeFactory.createIceControllingAttribute(tieBreaker));
        if (kind != Kind.CHECK) {
            r.putAttribute(AttributeFactory.createUseCandidateAttribute());
        }
        Transaction t = new Transaction(id, pair, kind, StunCodec.encode(r, remoteKey), now, timing.rto().toMillis());
        transactions.put(HEX.formatHex(id), t);
        transmit(t, now);
        if (kind == Kind.NOMINATION) {
            LOG.debug("ICE nominating {}", pair);
        }
    }

    private void transmit(Transaction t, long now) {
        transport.send(t.packet.clone(), t.pair.local.address(), t.pair.remote.address());
        t.transmissions++;
        t.pair.checksSent++;
        if (t.transmissions < timing.maxTransmissions()) {
            t.nextAt = now + t.rto;
            t.rto *= 2;
        } else {
            t.nextAt = now + timing.lastWaitFactor() * timing.rto().toMillis();
        }
    }

    private void retransmit(long now) {
        List<Transaction> expired = new ArrayList<>();
        for (Transaction t : List.copyOf(transactions.values())) {
            if (t.kind == Kind.CONSENT && now - t.firstSentAt >= timing.consentTimeout().toMillis()) {
                transactions.remove(HEX.formatHex(t.id));
                continue;
            }
            if (now < t.nextAt) {
                continue;
            }
            if (t.transmissions >= timing.maxTransmissions()) {
                expired.add(t);
            } else if (t.retransmitting) {
                transmit(t, now);
            }
        }
        for (Transaction t : expired) {
            transactions.remove(HEX.formatHex(t.id));
            if (t.kind != Kind.CONSENT) {
                pairFailed(t, "no answer to " + t.transmissions + " checks", now);
            }
        }
    }

    private void maybeNominate(long now) {
        if (state != State.CHECKING || nominating != null || firstValidAt < 0) {
            return;
        }
        Pair best = pairs.stream().filter(p -> p.state == PairState.SUCCEEDED).findFirst().orElse(null);
        if (best == null) {
            return;
        }
        boolean higherPending = pairs.stream().anyMatch(p -> p.priority > best.priority
                && (p.state == PairState.WAITING || p.state == PairState.IN_PROGRESS));
        if (higherPending && now < firstValidAt + timing.nominationWait().toMillis()) {
            return;
        }
        nominating = best;
        nominationSent = false;
    }

    // ------------------------------------------------------------------ responses to our checks

    private void onResponse(Message m, byte[] data, int offset, int length, InetSocketAddress from, long now) {
        Transaction t = transactions.get(HEX.formatHex(m.getTransactionID()));
        if (t == null) {
            return; // not ours, or already done with
        }
        boolean error = m.getMessageType() == Message.BINDING_ERROR_RESPONSE;
        Integrity integrity = StunCodec.checkIntegrity(data, offset, length, remoteKey);
        if (integrity != Integrity.VALID) {
            if (error) {
                lastUnauthenticatedError = errorText(m) + (integrity == Integrity.ABSENT ? " without MESSAGE-INTEGRITY"
                        : " with a MESSAGE-INTEGRITY that does not verify") + " from " + from;
            }
            if (integrity == Integrity.INVALID) {
                badIntegrity++;
            }
            LOG.debug("ICE dropped a response from {}: MESSAGE-INTEGRITY {}", from, integrity);
            return;
        }
        if (!from.equals(t.pair.remote.address())) {
            transactions.remove(HEX.formatHex(t.id));
            if (t.kind != Kind.CONSENT) {
                pairFailed(t, "answer came from " + from + ", not from where the check went (non-symmetric)", now);
            }
            return;
        }
        if (error) {
            transactions.remove(HEX.formatHex(t.id));
            if (t.kind != Kind.CONSENT) {
                pairFailed(t, "peer answered " + errorText(m), now);
            } else {
                LOG.debug("ICE consent check answered {}", errorText(m));
            }
            return;
        }
        InetSocketAddress mapped = StunCodec.xorMappedAddress(m);
        if (mapped == null) {
            LOG.debug("ICE dropped a success response without XOR-MAPPED-ADDRESS from {}", from);
            return;
        }
        transactions.remove(HEX.formatHex(t.id));
        switch (t.kind) {
            case CHECK -> {
                if (state != State.CHECKING) {
                    return;
                }
                t.pair.state = PairState.SUCCEEDED;
                t.pair.mapped = mapped;
                if (firstValidAt < 0) {
                    firstValidAt = now;
                }
                if (!mapped.equals(t.pair.local.address())) {
                    LOG.debug("ICE learned our peer-reflexive address {} on {}", mapped, t.pair);
                }
                maybeNominate(now);
                if (nominating != null && !nominationSent && now >= nextPaceAt && sendNextCheck(now)) {
                    nextPaceAt = now + timing.ta().toMillis();
                }
            }
            case NOMINATION -> {
                if (state == State.CHECKING) {
                    complete(t.pair, mapped, now);
                }
            }
            case CONSENT -> lastConsentAt = now;
        }
    }

    private void pairFailed(Transaction t, String problem, long now) {
        Pair p = t.pair;
        if (state != State.CHECKING) {
            return;
        }
        p.state = PairState.FAILED;
        p.problem = problem;
        triggered.remove(p);
        if (p == nominating) {
            nominating = null;
            nominationSent = false;
        }
        LOG.debug("ICE pair {} failed: {}", p, problem);
        boolean anyLeft = pairs.stream().anyMatch(x -> x.state != PairState.FAILED);
        if (!anyLeft) {
            fail("every candidate pair failed: " + summary());
        } else {
            maybeNominate(now);
        }
    }

    private void complete(Pair pair, InetSocketAddress mapped, long now) {
        state = State.COMPLETED;
        selectedPair = pair;
        selected = new SelectedPair(pair.local, pair.remote, mapped);
        transactions.clear();
        triggered.clear();
        lastConsentAt = now;
        nextConsentAt = now + consentInterval();
        LOG.info("ICE completed in {} ms on {}{}", now - startedAt, pair,
                selected.localIsPeerReflexive() ? " (we are seen as " + mapped + ")" : "");
        events.completed(selected, Duration.ofMillis(now - startedAt));
    }

    private void fail(String reason) {
        state = State.FAILED;
        transactions.clear();
        triggered.clear();
        LOG.info("ICE failed: {}", reason);
        events.failed(reason);
    }

    // ------------------------------------------------------------------ the peer's checks to us

    private void onRequest(Request request, byte[] data, int offset, int length, InetSocketAddress from, long now) {
        IceCandidate via = localFor(from);
        Attribute user = request.getAttribute(Attribute.USERNAME);
        Integrity integrity = StunCodec.checkIntegrity(data, offset, length, localKey);
        if (user == null || integrity == Integrity.ABSENT) {
            respondError(request, 400, "Bad Request", null, via, from);
            return;
        }
        String username = new String(((UsernameAttribute) user).getUsername(), StandardCharsets.UTF_8);
        if (integrity != Integrity.VALID || !username.startsWith(local.ufrag() + ":")) {
            badIntegrity++;
            respondError(request, 401, "Unauthorized", null, via, from);
            return;
        }
        if (request.containsAttribute(Attribute.ICE_CONTROLLING)) {
            respondError(request, 487, "Role Conflict", localKey, via, from);
            return;
        }
        Response response = MessageFactory.createBindingResponse(request,
                new org.ice4j.TransportAddress(from.getAddress(), from.getPort(), org.ice4j.Transport.UDP));
        response.putAttribute(AttributeFactory.createSoftwareAttribute(SOFTWARE_BYTES));
        setTransactionId(response, request.getTransactionID());
        transport.send(StunCodec.encode(response, localKey), via.address(), from);

        if (state != State.NEW && state != State.CHECKING) {
            return; // selected for good: nothing new is learned or checked
        }
        IceCandidate known = remoteCandidates.stream().filter(c -> c.address().equals(from)).findFirst().orElse(null);
        if (known == null) {
            Attribute pa = request.getAttribute(Attribute.PRIORITY);
            long priority = pa instanceof PriorityAttribute p ? p.getPriority()
                    : IceCandidate.priority(IceCandidate.Type.PRFLX, 0);
            known = new IceCandidate("prflx" + (remoteCandidates.size() + 1), priority, from, IceCandidate.Type.PRFLX);
            LOG.debug("ICE learned the peer-reflexive candidate {}", from);
            addRemote(known);
        }
        for (Pair p : pairs) {
            if (p.remote == known && p.local == via && (p.state == PairState.WAITING || p.state == PairState.FAILED)
                    && !triggered.contains(p) && state == State.CHECKING) {
                p.state = PairState.WAITING;
                triggered.add(p);
            }
        }
    }

    private void respondError(Request request, int code, String reason, byte[] key, IceCandidate via,
                              InetSocketAddress to) {
        Response r = MessageFactory.createBindingErrorResponse((char) code, reason);
        setTransactionId(r, request.getTransactionID());
        r.putAttribute(AttributeFactory.createSoftwareAttribute(SOFTWARE_BYTES));
        transport.send(StunCodec.encode(r, key), via.address(), to);
    }

    // ------------------------------------------------------------------ helpers

    private void addRemote(IceCandidate r) {
        remoteCandidates.add(r);
        for (IceCandidate l : localCandidates) {
            if (IceCandidate.sameFamily(l.address().getAddress(), r.address().getAddress())) {
                pairs.add(new Pair(l, r));
            }
        }
        pairs.sort(Comparator.comparingLong((Pair p) -> p.priority).reversed());
    }

    private IceCandidate localFor(InetSocketAddress from) {
        if (selectedPair != null) {
            return selectedPair.local;
        }
        return localCandidates.stream()
                .filter(l -> IceCandidate.sameFamily(l.address().getAddress(), from.getAddress()))
                .findFirst().orElse(localCandidates.get(0));
    }

    private int localPreference(IceCandidate c) {
        return (int) ((c.priority() >> 8) & 0xFFFF);
    }

    /** RFC 8445 section 6.1.2.3, we being controlling: 2^32 MIN(G,D) + 2 MAX(G,D) + (G > D ? 1 : 0). */
    static long pairPriority(long ours, long theirs) {
        return (Math.min(ours, theirs) << 32) + 2 * Math.max(ours, theirs) + (ours > theirs ? 1 : 0);
    }

    private long consentInterval() {
        return Math.round(timing.consentInterval().toMillis() * (0.8 + 0.4 * random.nextDouble()));
    }

    private String summary() {
        StringBuilder s = new StringBuilder();
        for (Iterator<Pair> it = pairs.iterator(); it.hasNext(); ) {
            Pair p = it.next();
            s.append(p).append(": ").append(p.checksSent).append(p.checksSent == 1 ? " check, " : " checks, ");
            s.append(switch (p.state) {
                case WAITING -> "not checked yet";
                case IN_PROGRESS -> "no answer";
                case SUCCEEDED -> p == nominating ? "answered, nomination unanswered" : "answered";
                case FAILED -> p.problem;
            });
            if (it.hasNext()) {
                s.append("; ");
            }
        }
        if (badIntegrity > 0) {
            s.append("; ").append(badIntegrity).append(badIntegrity == 1 ? " message" : " messages")
                    .append(" with a wrong MESSAGE-INTEGRITY (ICE password mismatch?) ignored");
        }
        if (lastUnauthenticatedError != null) {
            s.append("; last seen: ").append(lastUnauthenticatedError);
        }
        return s.toString();
    }

    private static String errorText(Message m) {
        Attribute a = m.getAttribute(Attribute.ERROR_CODE);
        if (a instanceof ErrorCodeAttribute e) {
            return (int) e.getErrorCode() + (e.getReasonPhrase() == null ? "" : " " + e.getReasonPhrase());
        }
        return "an error without ERROR-CODE";
    }

    private static void setTransactionId(Message m, byte[] id) {
        try {
            m.setTransactionID(id);
        } catch (StunException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String addresses(List<IceCandidate> cs) {
        return cs.stream().map(c -> c.address().toString()).toList().toString();
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }
}
