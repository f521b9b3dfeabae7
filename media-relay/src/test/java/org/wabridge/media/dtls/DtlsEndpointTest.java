package org.wabridge.media.dtls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.wabridge.media.dtls.MemoryPipe.Direction;
import org.wabridge.media.rtp.Rtcp;
import org.wabridge.media.rtp.Rtp;
import org.wabridge.media.srtp.PacketBuffer;
import org.wabridge.media.srtp.SrtpEndpoint;
import org.wabridge.media.srtp.SrtpSuite;

/**
 * A DTLS client and server back to back in memory (no sockets): keys, SRTP through the relay's own
 * {@link SrtpEndpoint}, lost and reordered flights with their time cost, wrong fingerprints, a silent
 * peer, close during the handshake, and the record size limit.
 */
class DtlsEndpointTest {

    private static final DtlsCertificate CLIENT_CERT = DtlsCertificate.generate();
    private static final DtlsCertificate SERVER_CERT = DtlsCertificate.generate();
    /** Short, so that tests checking for leftover threads need not wait for the default 30 s. */
    private static final DtlsSettings SETTINGS = DtlsSettings.defaults().withServerLinger(Duration.ofMillis(1500));

    /** Median time of a perfect in-memory handshake on this machine, measured after a warm-up. */
    private static long baselineMillis;

    /** A client and a server over one {@link MemoryPipe}. */
    private static final class Pair implements AutoCloseable {
        final MemoryPipe pipe;
        final TrackingThreads threads = new TrackingThreads();
        final Outcome clientOutcome = new Outcome();
        final Outcome serverOutcome = new Outcome();
        final DtlsEndpoint client;
        final DtlsEndpoint server;
        long clientStartNanos;

        Pair(MemoryPipe.Policy policy, DtlsSettings clientSettings, DtlsSettings serverSettings,
             DtlsFingerprint clientExpects, DtlsFingerprint serverExpects) {
            pipe = new MemoryPipe(policy);
            client = new DtlsEndpoint(DtlsRole.CLIENT, CLIENT_CERT, clientExpects, clientSettings, pipe.fromClient(),
                    clientOutcome, threads);
            server = new DtlsEndpoint(DtlsRole.SERVER, SERVER_CERT, serverExpects, serverSettings, pipe.fromServer(),
                    serverOutcome, threads);
            pipe.connect(client, server);
        }

        Pair(MemoryPipe.Policy policy) {
            this(policy, SETTINGS, SETTINGS, SERVER_CERT.fingerprint(), CLIENT_CERT.fingerprint());
        }

        Pair start() {
            server.start();
            clientStartNanos = System.nanoTime();
            client.start();
            return this;
        }

        /** Until both sides have their keys, from the client's start (the client is our role toward Meta). */
        long bothConnectedMillis() throws Exception {
            clientOutcome.awaitConnected(15, pipe);
            serverOutcome.awaitConnected(15, pipe);
            return (Math.max(clientOutcome.reportedAtNanos, serverOutcome.reportedAtNanos) - clientStartNanos) / 1_000_000;
        }

        @Override
        public void close() {
            client.close();
            server.close();
            pipe.close();
        }
    }

    @BeforeAll
    static void warmUpAndMeasureBaseline() throws Exception {
        List<Long> times = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            try (Pair pair = new Pair(MemoryPipe.Policy.PERFECT).start()) {
                times.add(pair.bothConnectedMillis());
            }
        }
        List<Long> warm = new ArrayList<>(times.subList(2, 5));
        Collections.sort(warm);
        baselineMillis = warm.get(1);
        System.out.println("in-memory DTLS handshakes (ms, first ones cold): " + times + ", baseline " + baselineMillis);
    }

    @Test
    void handshakeGivesMirrorImageKeysAndSrtpFromOneSideIsUnprotectedByTheOther() throws Exception {
        try (Pair pair = new Pair(MemoryPipe.Policy.PERFECT).start()) {
            Outcome.Connected c = pair.clientOutcome.awaitConnected(10, pair.pipe);
            Outcome.Connected s = pair.serverOutcome.awaitConnected(10, pair.pipe);
            assertTrue(c.thread().startsWith("dtls-"), "callbacks come on the handshake thread, not the caller's");
            DtlsSrtpKeys ck = c.keys();
            DtlsSrtpKeys sk = s.keys();
            assertEquals(SrtpSuite.AES_CM_128_HMAC_SHA1_80, ck.suite(), "our first preference");
            assertEquals(ck.suite(), sk.suite());
            assertArrayEquals(ck.local().masterKey(), sk.remote().masterKey(), "client's write key is server's read key");
            assertArrayEquals(ck.local().masterSalt(), sk.remote().masterSalt());
            assertArrayEquals(ck.remote().masterKey(), sk.local().masterKey());
            assertArrayEquals(ck.remote().masterSalt(), sk.local().masterSalt());
            assertFalse(java.util.Arrays.equals(ck.local().masterKey(), ck.remote().masterKey()), "one key per direction");
            assertEquals(DtlsEndpoint.State.CONNECTED, pair.client.state());
            assertEquals(ck, pair.client.keys().orElseThrow());

            srtpRoundTrip(ck, sk);

            Thread.sleep(100);
            assertEquals(1, pair.clientOutcome.callbacks.get(), "exactly one callback");
            assertEquals(1, pair.serverOutcome.callbacks.get());
            assertTrue(pair.threads.allEnded(SETTINGS.serverLinger().toMillis() + 2000),
                    "client thread ends after the handshake, server thread after its linger");
        }
    }

    /** An SRTP and an SRTCP packet each way through the relay's own SRTP code. */
    private static void srtpRoundTrip(DtlsSrtpKeys clientKeys, DtlsSrtpKeys serverKeys) throws Exception {
        SrtpEndpoint ours = clientKeys.newSrtpEndpoint();
        SrtpEndpoint theirs = serverKeys.newSrtpEndpoint();
        // reads with the server's write key: must not open what the client wrote
        SrtpEndpoint wrong = new SrtpEndpoint(clientKeys.remote(), clientKeys.remote());
        byte[] rtp = Rtp.build(111, true, 1, 960, 0x1111, new byte[] {(byte) 0xF8, (byte) 0xFF, (byte) 0xFE});
        PacketBuffer srtp = ours.protectRtp(rtp.clone(), rtp.length);
        byte[] onTheWire = srtp.toArray();
        assertEquals(SrtpEndpoint.Verdict.OK, theirs.unprotectRtp(srtp));
        assertArrayEquals(rtp, srtp.toArray());
        assertEquals(SrtpEndpoint.Verdict.AUTH_FAILURE, wrong.unprotectRtp(new PacketBuffer(onTheWire, onTheWire.length)),
                "one key per direction");

        byte[] back = Rtp.build(111, false, 9, 1920, 0x2222, new byte[20]);
        PacketBuffer srtpBack = theirs.protectRtp(back.clone(), back.length);
        assertEquals(SrtpEndpoint.Verdict.OK, ours.unprotectRtp(srtpBack));
        assertArrayEquals(back, srtpBack.toArray());

        byte[] sr = Rtcp.senderReport(0x1111, System.currentTimeMillis(), 960, 1, 3, "cname");
        PacketBuffer srtcp = ours.protectRtcp(sr.clone(), sr.length);
        assertEquals(SrtpEndpoint.Verdict.OK, theirs.unprotectRtcp(srtcp));
        assertArrayEquals(sr, srtcp.toArray());
    }

    @Test
    void serverPicksTheOnlyProfileTheClientOffersAndNoCommonProfileFailsBothSides() throws Exception {
        DtlsSettings only32 = SETTINGS.withSrtpSuites(List.of(SrtpSuite.AES_CM_128_HMAC_SHA1_32));
        try (Pair pair = new Pair(MemoryPipe.Policy.PERFECT, only32, SETTINGS, SERVER_CERT.fingerprint(),
                CLIENT_CERT.fingerprint()).start()) {
            DtlsSrtpKeys ck = pair.clientOutcome.awaitConnected(10, pair.pipe).keys();
            DtlsSrtpKeys sk = pair.serverOutcome.awaitConnected(10, pair.pipe).keys();
            assertEquals(SrtpSuite.AES_CM_128_HMAC_SHA1_32, ck.suite());
            assertEquals(SrtpSuite.AES_CM_128_HMAC_SHA1_32, sk.local().suite());
            srtpRoundTrip(ck, sk);
        }
        DtlsSettings only80 = SETTINGS.withSrtpSuites(List.of(SrtpSuite.AES_CM_128_HMAC_SHA1_80));
        try (Pair pair = new Pair(MemoryPipe.Policy.PERFECT, only32, only80, SERVER_CERT.fingerprint(),
                CLIENT_CERT.fingerprint()).start()) {
            DtlsFailure server = pair.serverOutcome.awaitFailed(10);
            assertEquals(DtlsFailure.Kind.NO_SRTP_PROFILE, server.kind(), server.toString());
            assertTrue(server.detail().contains("AES_CM_128_HMAC_SHA1_32"), server.detail());
            DtlsFailure client = pair.clientOutcome.awaitFailed(10);
            assertEquals(DtlsFailure.Kind.HANDSHAKE_FAILED, client.kind());
            assertTrue(client.detail().contains("handshake_failure"), client.detail());
        }
    }

    @Test
    void everyDatagramFitsThePathMtuAndSmallerLimitsFragmentTheHandshake() throws Exception {
        try (Pair pair = new Pair(MemoryPipe.Policy.PERFECT).start()) {
            pair.bothConnectedMillis();
            assertTrue(pair.pipe.maxDatagramSize() <= DtlsSettings.DEFAULT_MAX_DATAGRAM_SIZE,
                    "largest datagram " + pair.pipe.maxDatagramSize() + "\n" + pair.pipe.ladder());
            assertEquals(1152, DtlsSettings.DEFAULT_MAX_DATAGRAM_SIZE, "1200-byte path MTU minus IPv6 and UDP headers");
        }
        // a limit smaller than our certificate message: BouncyCastle must fragment it
        DtlsSettings tiny = SETTINGS.withMaxDatagramSize(200);
        try (Pair pair = new Pair(MemoryPipe.Policy.PERFECT, tiny, tiny, SERVER_CERT.fingerprint(),
                CLIENT_CERT.fingerprint()).start()) {
            pair.bothConnectedMillis();
            assertTrue(pair.pipe.maxDatagramSize() <= 200, "largest datagram " + pair.pipe.maxDatagramSize()
                    + "\n" + pair.pipe.ladder());
            assertTrue(pair.pipe.events().stream().anyMatch(e -> e.records().stream().anyMatch(r -> r.startsWith("Certificate@"))),
                    "a certificate went out in fragments\n" + pair.pipe.ladder());
        }
    }

    /**
     * Each flight of the handshake lost once on the wire (all its datagrams): the handshake still
     * completes, and costs less than 500 ms more than a perfect one (one retransmission timer, 250 ms).
     */
    @ParameterizedTest(name = "{0} flight with {1} lost")
    @CsvSource({
            "CLIENT_TO_SERVER, ClientHello",
            "SERVER_TO_CLIENT, ServerHello",
            "CLIENT_TO_SERVER, ClientKeyExchange",
            "SERVER_TO_CLIENT, ChangeCipherSpec"})
    void aLostFlightIsResentSoonAndCostsLittle(Direction direction, String firstRecord) throws Exception {
        java.util.concurrent.atomic.AtomicBoolean lost = new java.util.concurrent.atomic.AtomicBoolean();
        MemoryPipe.Policy loseOnce = (d, index, datagrams) -> d == direction
                && datagrams.stream().anyMatch(x -> DtlsDatagrams.contains(x, firstRecord)) && lost.compareAndSet(false, true)
                ? List.of() : datagrams;
        try (Pair pair = new Pair(loseOnce).start()) {
            long millis = pair.bothConnectedMillis();
            String ladder = pair.pipe.ladder();
            assertTrue(pair.pipe.events().stream().anyMatch(e -> e.dropped() && e.direction() == direction
                    && e.records().toString().contains(firstRecord)), "the " + firstRecord + " flight was lost\n" + ladder);
            long cost = millis - baselineMillis;
            System.out.println("lost " + firstRecord + " flight: handshake " + millis + " ms, cost " + cost + " ms");
            assertTrue(cost < 500, "a lost flight cost " + cost + " ms (handshake " + millis + " ms, perfect "
                    + baselineMillis + " ms)\n" + ladder);
        }
    }

    /** The server's first flight arrives reversed: reassembled without any retransmission. */
    @Test
    void aReversedFlightIsReassembledWithoutRetransmission() throws Exception {
        // the whole flight is held until its ServerHelloDone was written, however the sender's thread was scheduled
        // (a loaded machine may split it over several bursts), then delivered last message first
        List<byte[]> held = new ArrayList<>();
        List<String> deliveredOrder = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
        MemoryPipe.Policy reverseServerFlight = (d, index, datagrams) -> {
            if (d != Direction.SERVER_TO_CLIENT || done.get()) {
                return datagrams;
            }
            held.addAll(datagrams);
            if (held.stream().noneMatch(x -> DtlsDatagrams.contains(x, "ServerHelloDone"))) {
                return List.of();
            }
            done.set(true);
            List<byte[]> reversed = new ArrayList<>(held);
            Collections.reverse(reversed);
            reversed.forEach(x -> deliveredOrder.add(DtlsDatagrams.describe(x).get(0)));
            return reversed;
        };
        try (Pair pair = new Pair(reverseServerFlight).start()) {
            pair.bothConnectedMillis();
            assertTrue(deliveredOrder.size() >= 3 && deliveredOrder.get(deliveredOrder.size() - 1).equals("ServerHello"),
                    "the flight really came reversed: " + deliveredOrder);
            long clientHellos = pair.pipe.events().stream().filter(e -> e.records().contains("ClientHello")).count();
            assertEquals(1, clientHellos, "no retransmission was needed\n" + pair.pipe.ladder());
        }
    }

    /**
     * Reordering across the epoch change (the client's last flight reversed: Finished, then
     * ChangeCipherSpec, then CertificateVerify...) and random shuffles of every flight: the
     * handshake completes without a single retransmission ({@link EpochGate} orders the records).
     */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(ints = {0, 1, 2, 3})
    void reorderedFlightsStillComplete(int seed) throws Exception {
        Random random = new Random(seed);
        // seed 0: hold the client's last flight until its Finished was written, then deliver it reversed
        List<byte[]> held = new ArrayList<>();
        java.util.concurrent.atomic.AtomicBoolean reversed = new java.util.concurrent.atomic.AtomicBoolean();
        MemoryPipe.Policy policy = (d, index, datagrams) -> {
            if (seed == 0) {
                if (d != Direction.CLIENT_TO_SERVER || reversed.get()
                        || datagrams.stream().anyMatch(x -> DtlsDatagrams.contains(x, "ClientHello"))) {
                    return datagrams;
                }
                held.addAll(datagrams);
                if (held.stream().noneMatch(x -> DtlsDatagrams.contains(x, "Finished"))) {
                    return List.of();
                }
                reversed.set(true);
                List<byte[]> out = new ArrayList<>(held);
                Collections.reverse(out); // Finished, ChangeCipherSpec, CertificateVerify, ...
                return out;
            }
            List<byte[]> out = new ArrayList<>(datagrams);
            synchronized (random) {
                Collections.shuffle(out, random);
            }
            return out;
        };
        try (Pair pair = new Pair(policy).start()) {
            long millis = pair.bothConnectedMillis();
            System.out.println("reordered (seed " + seed + "): " + millis + " ms\n" + pair.pipe.ladder());
            if (seed == 0) {
                List<String> lastFlight = pair.pipe.events().stream()
                        .filter(e -> e.direction() == Direction.CLIENT_TO_SERVER && !e.dropped())
                        .map(e -> e.records().get(0)).skip(1).limit(5).toList();
                assertEquals(List.of("Finished(encrypted)", "ChangeCipherSpec", "CertificateVerify", "ClientKeyExchange",
                        "Certificate"), lastFlight, "the client's last flight came reversed");
            }
            for (Direction d : Direction.values()) {
                List<String> records = pair.pipe.events().stream().filter(e -> e.direction() == d && !e.dropped())
                        .flatMap(e -> e.records().stream()).toList();
                assertEquals(new java.util.HashSet<>(records).size(), records.size(),
                        "reordering needed no retransmission " + d + ": " + records);
            }
        }
    }

    /** One datagram of a flight lost (not the whole flight): recovered by the retransmission. */
    @ParameterizedTest(name = "{0} {1} lost")
    @CsvSource({
            "CLIENT_TO_SERVER, CertificateVerify",
            "CLIENT_TO_SERVER, ClientKeyExchange",
            "CLIENT_TO_SERVER, Certificate",
            "CLIENT_TO_SERVER, ChangeCipherSpec",
            "CLIENT_TO_SERVER, Finished",
            "SERVER_TO_CLIENT, Certificate",
            "SERVER_TO_CLIENT, ServerHelloDone",
            "SERVER_TO_CLIENT, ChangeCipherSpec",
            "SERVER_TO_CLIENT, Finished"})
    void aSingleLostDatagramIsRecovered(Direction direction, String record) throws Exception {
        java.util.concurrent.atomic.AtomicBoolean lost = new java.util.concurrent.atomic.AtomicBoolean();
        MemoryPipe.Policy loseOne = (d, index, datagrams) -> {
            List<byte[]> out = new ArrayList<>();
            for (byte[] datagram : datagrams) {
                if (d == direction && DtlsDatagrams.describe(datagram).get(0).startsWith(record) && lost.compareAndSet(false, true)) {
                    continue;
                }
                out.add(datagram);
            }
            return out;
        };
        try (Pair pair = new Pair(loseOne).start()) {
            long millis = pair.bothConnectedMillis();
            assertTrue(lost.get());
            System.out.println("lost one " + record + ": " + millis + " ms");
            assertTrue(millis - baselineMillis < 500, "cost " + (millis - baselineMillis) + " ms\n" + pair.pipe.ladder());
        }
    }

    @Test
    void aWrongFingerprintFailsTheClientNamingTheMismatch() throws Exception {
        DtlsFingerprint someoneElse = DtlsCertificate.generate().fingerprint();
        try (Pair pair = new Pair(MemoryPipe.Policy.PERFECT, SETTINGS, SETTINGS, someoneElse,
                CLIENT_CERT.fingerprint()).start()) {
            DtlsFailure client = pair.clientOutcome.awaitFailed(10);
            assertEquals(DtlsFailure.Kind.FINGERPRINT_MISMATCH, client.kind(), client.toString());
            assertTrue(client.detail().contains("fingerprint mismatch"), client.detail());
            assertTrue(client.detail().contains(SERVER_CERT.fingerprint().toSdpValue()), "names what the peer has: " + client.detail());
            assertTrue(client.detail().contains(someoneElse.toSdpValue()), "and what the SDP said: " + client.detail());
            DtlsFailure server = pair.serverOutcome.awaitFailed(10);
            assertEquals(DtlsFailure.Kind.HANDSHAKE_FAILED, server.kind());
            assertTrue(server.detail().contains("bad_certificate"), "we told the peer: " + server.detail());
            assertEquals(DtlsEndpoint.State.FAILED, pair.client.state());
            assertTrue(pair.client.keys().isEmpty());
            assertTrue(pair.threads.allEnded(2000), "no thread left after a failure");
            assertEquals(1, pair.clientOutcome.callbacks.get());
        }
    }

    @Test
    void aWrongClientFingerprintFailsTheServerNamingTheMismatch() throws Exception {
        DtlsFingerprint someoneElse = DtlsCertificate.generate().fingerprint();
        try (Pair pair = new Pair(MemoryPipe.Policy.PERFECT, SETTINGS, SETTINGS, SERVER_CERT.fingerprint(),
                someoneElse).start()) {
            DtlsFailure server = pair.serverOutcome.awaitFailed(10);
            assertEquals(DtlsFailure.Kind.FINGERPRINT_MISMATCH, server.kind(), server.toString());
            assertTrue(server.detail().contains(CLIENT_CERT.fingerprint().toSdpValue()), server.detail());
            DtlsFailure client = pair.clientOutcome.awaitFailed(10);
            assertEquals(DtlsFailure.Kind.HANDSHAKE_FAILED, client.kind());
            assertTrue(client.detail().contains("bad_certificate"), client.detail());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"CLIENT", "SERVER"})
    void aPeerThatNeverAnswersTimesOutInBoundedTime(DtlsRole role) throws Exception {
        TrackingThreads threads = new TrackingThreads();
        Outcome outcome = new Outcome();
        AtomicLong sent = new AtomicLong();
        DtlsSettings oneSecond = SETTINGS.withHandshakeTimeout(Duration.ofSeconds(1));
        try (DtlsEndpoint lonely = new DtlsEndpoint(role, CLIENT_CERT, SERVER_CERT.fingerprint(), oneSecond,
                d -> sent.incrementAndGet(), outcome, threads)) {
            long start = System.nanoTime();
            lonely.start();
            DtlsFailure failure = outcome.awaitFailed(5);
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertEquals(DtlsFailure.Kind.TIMEOUT, failure.kind(), failure.toString());
            assertTrue(failure.detail().contains("1000 ms"), failure.detail());
            assertTrue(millis >= 950 && millis < 1600, "timed out after " + millis + " ms");
            if (role == DtlsRole.CLIENT) {
                // ClientHello at 0, 250 and 750 ms (resend timer doubling from 250 ms)
                assertTrue(sent.get() >= 3, "ClientHello retransmitted: " + sent.get() + " sent");
            }
            assertTrue(threads.allEnded(1000), "the handshake thread ended");
            assertEquals(DtlsEndpoint.State.FAILED, lonely.state());
            Thread.sleep(100);
            assertEquals(1, outcome.callbacks.get());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"CLIENT", "SERVER"})
    void closeDuringTheHandshakeEndsTheThreadWithoutACallbackOrAnotherDatagram(DtlsRole role) throws Exception {
        TrackingThreads threads = new TrackingThreads();
        Outcome outcome = new Outcome();
        AtomicLong sent = new AtomicLong();
        DtlsEndpoint endpoint = new DtlsEndpoint(role, CLIENT_CERT, SERVER_CERT.fingerprint(), SETTINGS,
                d -> sent.incrementAndGet(), outcome, threads);
        endpoint.start();
        Thread.sleep(300); // client: past its first retransmission
        long closeStart = System.nanoTime();
        endpoint.close();
        long closeMicros = (System.nanoTime() - closeStart) / 1000;
        long sentAtClose = sent.get();
        assertTrue(closeMicros < 50_000, "close() returns at once: " + closeMicros + " us");
        assertEquals(1, threads.threads.size());
        assertTrue(threads.allEnded(1000), "the handshake thread ended after close()");
        Thread.sleep(600);
        assertEquals(0, outcome.callbacks.get(), "no callback after close()");
        assertEquals(sentAtClose, sent.get(), "nothing sent after close()");
        assertEquals(DtlsEndpoint.State.CLOSED, endpoint.state());
        assertFalse(endpoint.receive(new byte[] {22, 1}, 0, 2), "datagrams after close() are dropped");
        endpoint.start(); // no-op once closed
        assertEquals(1, threads.threads.size());
    }

    /** The caller's thread only copies into a bounded queue: a flood neither blocks it nor grows memory. */
    @Test
    void receiveNeverBlocksTheCallerEvenWhenFlooded() {
        Outcome outcome = new Outcome();
        try (DtlsEndpoint endpoint = new DtlsEndpoint(DtlsRole.SERVER, SERVER_CERT, CLIENT_CERT.fingerprint(), SETTINGS,
                d -> { }, outcome, new TrackingThreads())) {
            byte[] junk = new byte[1000];
            junk[0] = 22;
            long start = System.nanoTime();
            int accepted = 0;
            for (int i = 0; i < 100_000; i++) {
                if (endpoint.receive(junk, 0, junk.length)) {
                    accepted++;
                }
            }
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertEquals(QueueTransport.CAPACITY, accepted, "bounded queue, before start() as well");
            assertEquals(100_000 - QueueTransport.CAPACITY, endpoint.datagramsDropped());
            assertTrue(millis < 2000, "100k receive() calls took " + millis + " ms");
            assertFalse(endpoint.receive(new byte[QueueTransport.RECEIVE_LIMIT + 1], 0, QueueTransport.RECEIVE_LIMIT + 1));
        }
    }

    @Test
    void settingsRefuseNonsense() {
        DtlsSettings d = DtlsSettings.defaults();
        assertEquals(Duration.ofMillis(250), d.initialResend(), "well under RFC 6347's 1 s");
        assertNotEquals(0, d.handshakeTimeout().toMillis());
        for (Runnable bad : List.<Runnable>of(
                () -> d.withInitialResend(Duration.ofMillis(1)),
                () -> d.withHandshakeTimeout(Duration.ofMillis(100)),
                () -> d.withMaxDatagramSize(100),
                () -> d.withSrtpSuites(List.of()))) {
            try {
                bad.run();
                throw new AssertionError("accepted");
            } catch (IllegalArgumentException expected) {
                // refused
            }
        }
    }
}
