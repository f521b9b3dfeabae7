package org.wabridge.media.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.wabridge.config.MediaSettings;
import org.wabridge.config.MediaSettings.MediaMode;
import org.wabridge.config.SrtpKeyExchange;
import org.wabridge.media.Leg;
import org.wabridge.media.MediaEvents;
import org.wabridge.media.MediaMilestone;
import org.wabridge.media.MediaSession;
import org.wabridge.media.MetaLegFailure;
import org.wabridge.media.NettyMediaRelay;
import org.wabridge.media.dtls.DtlsCertificate;
import org.wabridge.media.dtls.DtlsSettings;

/**
 * Benchmark (not part of the bridge): how long after Meta's answer the Meta leg carries media, SDES against DTLS
 * with ICE, over many business-initiated calls on loopback against {@link SimulatedMeta}. For each call: the time
 * from {@code startMetaLeg()} (Meta's 200 ACKed) to our first SRTP packet sent and to Meta's first authenticated
 * SRTP packet received, as the relay's own milestones report them. Prints p50, p90, p99 and max per mode.
 *
 * <p>Arguments: {@code [calls] [port-min]} (default 200 calls, ports 35000-35999). Loopback only.
 */
public final class KeyingBench {

    private static final String PBX_OFFER = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
            + "m=audio 9 RTP/AVP 96 101\r\na=rtpmap:96 opus/48000/2\r\na=rtpmap:101 telephone-event/8000\r\n"
            + "a=sendrecv\r\n";

    private KeyingBench() {
    }

    public static void main(String[] args) throws Exception {
        int calls = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        int portMin = args.length > 1 ? Integer.parseInt(args[1]) : 35000;
        MediaSettings settings = new MediaSettings(MediaMode.RELAY, "127.0.0.1", "127.0.0.1", portMin, portMin + 999,
                false, Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(30),
                Duration.ofSeconds(60), Duration.ofSeconds(120));
        DtlsCertificate metaCertificate = DtlsCertificate.generate();
        try (NettyMediaRelay relay = new NettyMediaRelay(settings)) {
            for (SrtpKeyExchange mode : List.of(SrtpKeyExchange.SDES, SrtpKeyExchange.DTLS)) {
                run(relay, mode, 20, metaCertificate); // warm-up, not counted
                Result r = run(relay, mode, calls, metaCertificate);
                System.out.println(mode + ": " + calls + " calls, " + r.failures + " failed; first SRTP sent "
                        + r.sent.summary() + "; first SRTP received " + r.received.summary());
            }
        }
    }

    private record Result(Stats sent, Stats received, int failures) {}

    private static Result run(NettyMediaRelay relay, SrtpKeyExchange mode, int calls, DtlsCertificate metaCertificate)
            throws Exception {
        Stats sent = new Stats();
        Stats received = new Stats();
        int failures = 0;
        for (int i = 0; i < calls; i++) {
            CountDownLatch done = new CountDownLatch(2);
            long[] times = {-1, -1};
            MediaEvents events = new MediaEvents() {
                @Override
                public void mediaTimeout(Leg leg, Duration silentFor) {
                }

                @Override
                public void metaLegFailed(MetaLegFailure failure) {
                    System.err.println("call failed: " + failure);
                    done.countDown();
                    done.countDown();
                }

                @Override
                public void milestone(MediaMilestone milestone, Duration sinceStart) {
                    if (milestone == MediaMilestone.FIRST_SRTP_SENT) {
                        times[0] = sinceStart.toNanos();
                        done.countDown();
                    } else if (milestone == MediaMilestone.FIRST_SRTP_RECEIVED) {
                        times[1] = sinceStart.toNanos();
                        done.countDown();
                    }
                }
            };
            try (SimulatedMeta meta = new SimulatedMeta(mode == SrtpKeyExchange.DTLS);
                 MediaSession session = relay.open("bench-" + mode + "-" + i, mode, events)) {
                String offer = session.metaOfferFromPbxOffer(PBX_OFFER);
                session.pbxAnswerFromMetaAnswer(meta.answer(offer, metaCertificate, DtlsSettings.defaults()));
                session.startMetaLeg();
                if (!done.await(25, TimeUnit.SECONDS) || times[0] < 0 || times[1] < 0) {
                    failures++;
                    continue;
                }
            }
            sent.add(times[0]);
            received.add(times[1]);
        }
        return new Result(sent, received, failures);
    }

    /** Durations in nanoseconds; the summary in milliseconds. */
    private static final class Stats {
        private final List<Long> values = new ArrayList<>();

        void add(long nanos) {
            values.add(nanos);
        }

        String summary() {
            if (values.isEmpty()) {
                return "no samples";
            }
            List<Long> sorted = new ArrayList<>(values);
            Collections.sort(sorted);
            return String.format(Locale.ROOT, "p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms",
                    ms(at(sorted, 0.50)), ms(at(sorted, 0.90)), ms(at(sorted, 0.99)), ms(sorted.get(sorted.size() - 1)));
        }

        private static long at(List<Long> sorted, double q) {
            return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(q * sorted.size()) - 1));
        }

        private static double ms(long nanos) {
            return nanos / 1e6;
        }
    }
}
