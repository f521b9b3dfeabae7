package org.wabridge.media.ice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;
import org.ice4j.attribute.Attribute;
import org.ice4j.attribute.ErrorCodeAttribute;
import org.ice4j.message.Message;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.wabridge.media.ice.ControllingIceAgent.State;
import org.wabridge.media.ice.FakeLitePeer.Answer;
import org.wabridge.media.ice.FakeLitePeer.Check;
import org.wabridge.media.ice.StunCodec.Integrity;

/**
 * The controlling agent against a scripted ICE-lite peer, with a fake clock: every datagram the agent sends goes
 * to {@link FakeLitePeer} (when it goes to an address the peer listens on), and its answers come back 10 ms later.
 */
class IceAgentTest {

    static final InetSocketAddress OURS_V4 = new InetSocketAddress("203.0.113.5", 40000);
    static final InetSocketAddress OURS_V6 = new InetSocketAddress("2001:db8::5", 40000);
    static final InetSocketAddress META_V4 = new InetSocketAddress("57.144.135.35", 3480);
    static final InetSocketAddress META_V6 = new InetSocketAddress("2a03:2880:f23d:0:face:b00c:0:3", 3480);
    static final long LATENCY = 10;

    record Sent(long at, byte[] data, InetSocketAddress from, InetSocketAddress to) {}

    record Delivery(long at, long seq, byte[] data, InetSocketAddress from) {}

    private final IceCredentials ours = IceCredentials.generate(new Random(7));
    private final IceCredentials metas = new IceCredentials("Xy7q", "c2VjcmV0c2VjcmV0c2VjcmV0cw==");
    private final List<Sent> sent = new ArrayList<>();
    private final List<String> events = new ArrayList<>();
    private final PriorityQueue<Delivery> inFlight = new PriorityQueue<>((a, b) ->
            a.at != b.at ? Long.compare(a.at, b.at) : Long.compare(a.seq, b.seq));
    private final Set<InetSocketAddress> peerListensOn = new HashSet<>();
    private FakeLitePeer meta;
    private ControllingIceAgent agent;
    private SelectedPair completed;
    private Duration completedAfter;
    private long now;
    private long seq;

    @BeforeEach
    void setUp() {
        meta = new FakeLitePeer(metas, ours.ufrag());
        peerListensOn.add(META_V4);
        peerListensOn.add(META_V6);
    }

    private ControllingIceAgent agent(List<InetSocketAddress> ourAddresses, IceTiming timing, IceCandidate... theirs) {
        RemoteIce remote = new RemoteIce(metas, true, List.of(theirs));
        agent = new ControllingIceAgent(ours, IceSdp.hostCandidates(ourAddresses), remote, timing, new Random(42),
                this::transmit, new IceEvents() {
                    @Override
                    public void completed(SelectedPair pair, Duration after) {
                        completed = pair;
                        completedAfter = after;
                        events.add(now + " completed");
                    }

                    @Override
                    public void failed(String reason) {
                        events.add(now + " failed: " + reason);
                    }

                    @Override
                    public void consentLost(Duration silentFor) {
                        events.add(now + " consentLost " + silentFor.toMillis());
                    }
                });
        return agent;
    }

    private ControllingIceAgent agent(IceCandidate... theirs) {
        return agent(List.of(OURS_V4), IceTiming.DEFAULT, theirs);
    }

    static IceCandidate host(InetSocketAddress a) {
        return new IceCandidate("1", 2122260223L, a, IceCandidate.Type.HOST);
    }

    private void transmit(byte[] data, InetSocketAddress from, InetSocketAddress to) {
        sent.add(new Sent(now, data, from, to));
        if (!peerListensOn.contains(to)) {
            return;
        }
        try {
            List<InetSocketAddress> answerFrom = new ArrayList<>();
            byte[] answer = meta.receive(data, from, to, now, answerFrom);
            if (answer != null) {
                inFlight.add(new Delivery(now + LATENCY, seq++, answer, answerFrom.get(0)));
            }
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** Runs the clock in 5 ms steps up to {@code until}, delivering the peer's answers when due. */
    private void runUntil(long until) {
        while (now <= until) {
            while (!inFlight.isEmpty() && inFlight.peek().at <= now) {
                Delivery d = inFlight.poll();
                assertTrue(agent.onPacket(d.data, 0, d.data.length, d.from, now));
            }
            agent.tick(now);
            now += 5;
        }
    }

    private void deliver(byte[] data, InetSocketAddress from) {
        assertTrue(agent.onPacket(data, 0, data.length, from, now));
    }

    // ------------------------------------------------------------------ completing

    @Test
    void checksNominatesWithUseCandidateAndCompletes() {
        agent(host(META_V4)).start(0);
        runUntil(1000);

        assertEquals(List.of("60 completed"), events);
        assertEquals(State.COMPLETED, agent.state());
        assertEquals(META_V4, completed.remoteAddress());
        assertEquals(OURS_V4, completed.local().address());
        assertEquals(OURS_V4, completed.mapped());
        assertFalse(completed.localIsPeerReflexive());
        assertEquals(Duration.ofMillis(60), completedAfter);

        // the first check at once without USE-CANDIDATE; the nomination Ta (50 ms) later, with it
        List<Check> c = meta.checks;
        assertEquals(2, c.size());
        assertEquals(0, c.get(0).at());
        assertFalse(c.get(0).useCandidate());
        assertEquals(50, c.get(1).at());
        assertTrue(c.get(1).useCandidate());
        // PRIORITY is our candidate's as peer-reflexive (type preference 110), local preference 65535
        assertEquals((110L << 24) | (65535L << 8) | 255, c.get(0).priority());
        assertEquals(agent.tieBreaker(), c.get(0).tieBreaker());
        assertEquals(agent.tieBreaker(), c.get(1).tieBreaker());
        sent.forEach(s -> assertEquals(OURS_V4, s.from()));
        // nothing else is sent until the first consent check
        assertEquals(2, sent.size());
    }

    @Test
    void aLostFirstCheckIsRetransmittedAfterRtoAndIceCompletes() {
        meta.script = (c, i) -> i == 0 ? null : meta.answer(c);
        agent(host(META_V4)).start(0);
        runUntil(2000);

        // the retransmission after RTO is answered at 510; Ta has long passed, so the nomination goes at once
        assertEquals(List.of("520 completed"), events);
        assertEquals(List.of(0L, 500L, 510L), meta.checks.stream().map(Check::at).toList());
        // the retransmission is the same transaction
        assertTrue(java.util.Arrays.equals(meta.checks.get(0).transactionId(), meta.checks.get(1).transactionId()));
        assertTrue(meta.checks.get(2).useCandidate());
    }

    @Test
    void aResponseWithAWrongIntegrityIsIgnoredAndIceFailsAtTheBoundedTime() {
        byte[] wrongKey = "wrongwrongwrongwrongwrong".getBytes(StandardCharsets.US_ASCII);
        meta.script = (c, i) -> new Answer(c.to(), c.from(), wrongKey, null);
        agent(host(META_V4)).start(0);
        runUntil(12_000);

        assertEquals(1, events.size(), events.toString());
        assertTrue(events.get(0).startsWith("10000 failed: ICE did not complete within 10 s: "), events.get(0));
        assertTrue(events.get(0).contains("203.0.113.5:40000 -> 57.144.135.35:3480: 5 checks, no answer"), events.get(0));
        assertTrue(events.get(0).contains("5 messages with a wrong MESSAGE-INTEGRITY"), events.get(0));
        assertEquals(State.FAILED, agent.state());
        assertTrue(agent.selectedPair().isEmpty());
    }

    @Test
    void aPeerThatNeverAnswersFailsAtTheBoundedTimeAfterRfc5389Retransmissions() {
        meta.script = (c, i) -> null;
        agent(host(META_V4)).start(0);
        runUntil(15_000);

        // RTO 500 ms doubling: 0, 0.5, 1.5, 3.5, 7.5 s; then nothing after the 10 s failure
        assertEquals(List.of(0L, 500L, 1500L, 3500L, 7500L), sent.stream().map(Sent::at).toList());
        assertEquals(1, events.size());
        assertTrue(events.get(0).startsWith("10000 failed: ICE did not complete within 10 s"), events.get(0));
        assertTrue(events.get(0).endsWith("5 checks, no answer"), events.get(0));
    }

    @Test
    void theBoundIsConfigurable() {
        meta.script = (c, i) -> null;
        agent(List.of(OURS_V4), IceTiming.DEFAULT.withCompletionTimeout(Duration.ofMillis(2500)), host(META_V4)).start(0);
        runUntil(5000);
        assertEquals(1, events.size());
        assertTrue(events.get(0).startsWith("2500 failed: ICE did not complete within 2500 ms"), events.get(0));
    }

    @Test
    void ourPeerReflexiveAddressFromXorMappedAddressIsReported() {
        InetSocketAddress natted = new InetSocketAddress("198.51.100.77", 61000);
        meta.script = (c, i) -> new Answer(c.to(), natted, metas.key(), null);
        agent(host(META_V4)).start(0);
        runUntil(500);
        assertEquals(List.of("60 completed"), events);
        assertEquals(natted, completed.mapped());
        assertTrue(completed.localIsPeerReflexive());
        assertEquals(OURS_V4, completed.local().address()); // still sent from our socket
    }

    @Test
    void aCheckFromAnUnknownAddressTeachesAPeerReflexiveCandidateThatGetsATriggeredCheck() throws Exception {
        // Meta's SDP address is unreachable from here; its check to us comes from another address
        InetSocketAddress prflx = new InetSocketAddress("57.144.135.99", 3999);
        peerListensOn.remove(META_V4);
        peerListensOn.add(prflx);
        agent(host(META_V4)).start(0);
        runUntil(100);
        assertTrue(meta.checks.isEmpty());

        byte[] tid = new byte[12];
        tid[0] = 9;
        byte[] check = FakeLitePeer.checkToUs(ours.ufrag(), metas.ufrag(), ours.key(), 1853824767L, false, tid);
        sent.clear();
        deliver(check, prflx);

        // answered at once, from our candidate, with XOR-MAPPED-ADDRESS of the source and OUR password's integrity
        Sent answer = sent.get(0);
        assertEquals(prflx, answer.to());
        assertEquals(OURS_V4, answer.from());
        Message m = StunCodec.decode(answer.data(), 0, answer.data().length);
        assertEquals(Message.BINDING_SUCCESS_RESPONSE, m.getMessageType());
        assertTrue(java.util.Arrays.equals(tid, m.getTransactionID()));
        assertEquals(prflx, StunCodec.xorMappedAddress(m));
        assertEquals(Integrity.VALID, StunCodec.checkIntegrity(answer.data(), 0, answer.data().length, ours.key()));
        assertEquals(Integrity.INVALID, StunCodec.checkIntegrity(answer.data(), 0, answer.data().length, metas.key()));
        assertTrue(StunCodec.hasValidFingerprint(answer.data(), 0, answer.data().length));
        assertTrue(agent.remoteCandidates().stream().anyMatch(c -> c.address().equals(prflx)
                && c.type() == IceCandidate.Type.PRFLX && c.priority() == 1853824767L));

        long learnedAt = now;
        runUntil(2000);
        assertEquals(1, events.size(), events.toString());
        assertEquals(prflx, completed.remoteAddress());
        assertEquals(IceCandidate.Type.PRFLX, completed.remote().type());
        // the triggered check went at the next pacing slot, the nomination after the nomination wait: the higher
        // pair to Meta's SDP address was still being checked
        List<Check> toPrflx = meta.checks(c -> c.to().equals(prflx));
        assertTrue(toPrflx.get(0).at() - learnedAt <= 50, toPrflx.toString());
        assertFalse(toPrflx.get(0).useCandidate());
        assertTrue(toPrflx.get(toPrflx.size() - 1).useCandidate());
    }

    @Test
    void aResponseFromAnotherAddressFailsThePair() {
        InetSocketAddress elsewhere = new InetSocketAddress("57.144.135.35", 3481);
        meta.script = (c, i) -> new Answer(elsewhere, c.from(), metas.key(), null);
        agent(host(META_V4)).start(0);
        runUntil(200);
        assertEquals(1, events.size());
        assertTrue(events.get(0).startsWith("10 failed: every candidate pair failed: "), events.get(0));
        assertTrue(events.get(0).contains("non-symmetric"), events.get(0));
    }

    @Test
    void anAuthenticatedErrorFailsThePairAndAnUnauthenticatedOneIsOnlyReported() {
        meta.script = (c, i) -> new Answer(c.to(), c.from(), null, 401);
        agent(host(META_V4)).start(0);
        runUntil(10_000);
        assertEquals(1, events.size());
        assertTrue(events.get(0).startsWith("10000 failed: ICE did not complete"), events.get(0));
        assertTrue(events.get(0).contains("5 checks, no answer; last seen: 401 ")
                && events.get(0).endsWith(" without MESSAGE-INTEGRITY from /57.144.135.35:3480"), events.get(0));

        events.clear();
        now = 0;
        sent.clear();
        meta.checks.clear();
        meta.script = (c, i) -> new Answer(c.to(), c.from(), metas.key(), 487);
        agent(host(META_V4)).start(0);
        runUntil(100);
        assertEquals(1, events.size());
        assertTrue(events.get(0).startsWith("10 failed: every candidate pair failed: ")
                && events.get(0).contains("peer answered 487 "), events.get(0));
    }

    /** libwebrtc's host priorities, as Meta's SDP shows them for IPv4; IPv6 gets the higher one. */
    static final IceCandidate META_HOST_V4 = new IceCandidate("1", 2122260223L, META_V4, IceCandidate.Type.HOST);
    static final IceCandidate META_HOST_V6 = new IceCandidate("2", 2122262783L, META_V6, IceCandidate.Type.HOST);

    @Test
    void withIpv4AndIpv6TheHigherPairIsCheckedFirstAndNominated() {
        agent(List.of(OURS_V4, OURS_V6), IceTiming.DEFAULT, META_HOST_V4, META_HOST_V6).start(0);
        runUntil(1000);
        // pair priority is led by the lower of the two candidate priorities: Meta's, so its IPv6 candidate's pair
        assertEquals(META_V6, sent.get(0).to());
        assertEquals(OURS_V6, sent.get(0).from());
        assertEquals(List.of("60 completed"), events);
        assertEquals(META_V6, completed.remoteAddress());
        assertEquals(OURS_V6, completed.local().address());
        // regular nomination: nothing else is checked while the nomination is in flight, nor after completion
        assertEquals(0, sent.stream().filter(s -> s.to().equals(META_V4)).count());
    }

    @Test
    void anUnreachableHigherPairDelaysNominationByTheNominationWaitOnly() {
        peerListensOn.remove(META_V6);
        agent(List.of(OURS_V4, OURS_V6), IceTiming.DEFAULT, META_HOST_V4, META_HOST_V6).start(0);
        runUntil(1000);
        // IPv6 check at 0 (unanswered), IPv4 check at 50 answered at 60; the IPv6 pair is still in progress, so
        // the nomination waits 200 ms from the first valid pair and goes at 260
        assertEquals(List.of(0L), sent.stream().filter(s -> s.to().equals(META_V6)).map(Sent::at).toList());
        assertEquals(List.of(50L, 260L), meta.checks.stream().map(Check::at).toList());
        assertTrue(meta.checks.get(1).useCandidate());
        assertEquals(List.of("270 completed"), events);
        assertEquals(META_V4, completed.remoteAddress());
        assertEquals(OURS_V4, completed.local().address());
        sent.stream().filter(s -> s.to().equals(META_V4)).forEach(s -> assertEquals(OURS_V4, s.from()));
        sent.stream().filter(s -> s.to().equals(META_V6)).forEach(s -> assertEquals(OURS_V6, s.from()));
    }

    @Test
    void noCommonAddressFamilyFailsAtStart() {
        agent(List.of(OURS_V4), IceTiming.DEFAULT, host(META_V6)).start(0);
        assertEquals(1, events.size());
        assertTrue(events.get(0).startsWith("0 failed: no candidate pair"), events.get(0));
        assertTrue(sent.isEmpty());
    }

    // ------------------------------------------------------------------ answering the peer

    @Test
    void checksToUsWithoutCredentialsOrWithTheWrongOnesGetErrorsWithoutIntegrity() throws Exception {
        agent(host(META_V4)).start(0);
        runUntil(200);
        sent.clear();
        byte[] tid = new byte[12];
        deliver(FakeLitePeer.checkToUs(ours.ufrag(), metas.ufrag(), metas.key(), 1, false, tid), META_V4);
        deliver(FakeLitePeer.checkToUs("nope", metas.ufrag(), ours.key(), 1, false, tid), META_V4);
        byte[] noIntegrity = StunCodec.withIntegrityAndFingerprint(new byte[] {0, 1, 0, 0, 0x21, 0x12, (byte) 0xA4,
                0x42, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, null);
        deliver(noIntegrity, META_V4);
        deliver(FakeLitePeer.checkToUs(ours.ufrag(), metas.ufrag(), ours.key(), 1, true, tid), META_V4);
        List<Integer> codes = new ArrayList<>();
        List<Integrity> integrity = new ArrayList<>();
        for (Sent s : sent) {
            Message m = StunCodec.decode(s.data(), 0, s.data().length);
            codes.add((int) ((ErrorCodeAttribute) m.getAttribute(Attribute.ERROR_CODE)).getErrorCode());
            integrity.add(StunCodec.checkIntegrity(s.data(), 0, s.data().length, ours.key()));
        }
        assertEquals(List.of(401, 401, 400, 487), codes);
        // a role conflict is authenticated; 400/401 cannot be
        assertEquals(List.of(Integrity.ABSENT, Integrity.ABSENT, Integrity.ABSENT, Integrity.VALID), integrity);
        assertEquals(State.COMPLETED, agent.state());
    }

    @Test
    void afterCompletionThePairNeverChanges() throws Exception {
        agent(host(META_V4)).start(0);
        runUntil(200);
        SelectedPair first = completed;
        InetSocketAddress other = new InetSocketAddress("57.144.135.36", 3480);
        sent.clear();
        deliver(FakeLitePeer.checkToUs(ours.ufrag(), metas.ufrag(), ours.key(), 2_000_000_000L, false, new byte[12]),
                other);
        assertEquals(1, sent.size()); // answered, nothing else
        assertEquals(other, sent.get(0).to());
        runUntil(20_000);
        assertEquals(first, agent.selectedPair().orElseThrow());
        assertEquals(1, agent.remoteCandidates().size());
        sent.stream().skip(1).forEach(s -> assertEquals(META_V4, s.to()));
        assertEquals(List.of("60 completed"), events);
    }

    @Test
    void strayResponsesAndNonStunAreIgnored() throws Exception {
        agent(host(META_V4)).start(0);
        meta.script = (c, i) -> null;
        byte[] stray = FakeLitePeer.response(
                (org.ice4j.message.Request) StunCodec.decode(sent.get(0).data(), 0, sent.get(0).data().length),
                new Answer(META_V4, OURS_V4, metas.key(), null));
        stray[10] ^= 1; // another transaction id (and so a broken FINGERPRINT: dropped either way)
        deliver(stray, META_V4);
        byte[] rtp = new byte[172];
        rtp[0] = (byte) 0x80;
        assertFalse(agent.onPacket(rtp, 0, rtp.length, META_V4, now));
        assertEquals(State.CHECKING, agent.state());
        assertTrue(events.isEmpty());
    }

    // ------------------------------------------------------------------ consent freshness

    @Test
    void consentChecksEveryFiveSecondsRandomizedAndConsentLostThirtySecondsAfterTheLastAnswer() {
        meta.script = (c, i) -> c.at() < 20_000 ? meta.answer(c) : null;
        agent(host(META_V4)).start(0);
        runUntil(60_000);

        assertEquals(2, events.size(), events.toString());
        assertEquals("60 completed", events.get(0));
        List<Check> consent = meta.checks.subList(2, meta.checks.size());
        // new transactions (not retransmissions) start every 4-6 s after completion
        List<Long> starts = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (Check c : consent) {
            if (seen.add(java.util.HexFormat.of().formatHex(c.transactionId()))) {
                starts.add(c.at());
            }
            assertTrue(c.useCandidate());
            assertEquals(META_V4, c.to());
        }
        long previous = 60;
        for (long s : starts) {
            assertTrue(s - previous >= 4000 && s - previous <= 6000, starts.toString());
            previous = s;
        }
        // the last answered consent check was the last one started before 20 s (answered 10 ms later)
        long lastAnswered = starts.stream().filter(s -> s < 20_000).reduce((a, b) -> b).orElseThrow() + LATENCY;
        assertEquals((lastAnswered + 30_000) + " consentLost 30000", events.get(1));
        assertEquals(State.CONSENT_LOST, agent.state());
        // nothing is sent after consent is lost
        assertTrue(sent.stream().allMatch(s -> s.at() < lastAnswered + 30_000), "sent after consent was lost");
    }

    @Test
    void consentSurvivesALostConsentCheckThroughItsRetransmission() {
        // every consent check's first transmission is lost; its retransmission 500 ms later is answered
        Set<String> dropped = new HashSet<>();
        meta.script = (c, i) -> i < 2 || !dropped.add(java.util.HexFormat.of().formatHex(c.transactionId()))
                ? meta.answer(c) : null;
        agent(host(META_V4)).start(0);
        runUntil(120_000);
        assertEquals(List.of("60 completed"), events);
        assertEquals(State.COMPLETED, agent.state());
    }

    @Test
    void closeStopsEverything() {
        meta.script = (c, i) -> null;
        agent(host(META_V4)).start(0);
        runUntil(100);
        agent.close();
        int before = sent.size();
        runUntil(20_000);
        assertEquals(before, sent.size());
        assertTrue(events.isEmpty());
        assertEquals(State.CLOSED, agent.state());
    }
}
