package org.wabridge.media.srtp;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.wabridge.media.NettyMediaRelay;
import org.wabridge.media.TestSettings;
import org.wabridge.media.sdp.CryptoAttribute;

/**
 * Run in a fresh JVM by {@link SrtpWarmUpTest}: records what jitsi-srtp logs on first use (library loaded, AES
 * benchmark) while the relay is constructed, then while the first SRTP endpoint is created and used, and prints
 * {@code key=value} lines for the test to check.
 */
public final class SrtpWarmUpProbe {

    public static void main(String[] args) throws Exception {
        List<String> jitsi = new ArrayList<>();
        Handler recorder = new Handler() {
            @Override
            public void publish(LogRecord r) {
                if (r.getLoggerName() != null && r.getLoggerName().startsWith("org.jitsi")) {
                    synchronized (jitsi) {
                        jitsi.add(r.getLoggerName() + ": " + r.getMessage());
                    }
                }
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        Logger.getLogger("").addHandler(recorder);

        System.out.println("before.done=" + SrtpWarmUp.done());
        int min = Integer.parseInt(args[0]);
        try (NettyMediaRelay relay = new NettyMediaRelay(TestSettings.loopback(min, min + 7))) {
            System.out.println("after.done=" + SrtpWarmUp.done());
            synchronized (jitsi) {
                System.out.println("constructor.jitsiRecords=" + jitsi.size());
                jitsi.forEach(m -> System.out.println("constructor.record=" + m.replace('\n', ' ')));
                jitsi.clear();
            }
            long start = System.nanoTime();
            byte[] key = new byte[SrtpSuite.KEY_AND_SALT_LENGTH];
            SrtpEndpoint first = new SrtpEndpoint(new CryptoAttribute(1, SrtpSuite.AES_CM_128_HMAC_SHA1_80, key),
                    new CryptoAttribute(1, SrtpSuite.AES_CM_128_HMAC_SHA1_80, key));
            byte[] rtp = new byte[12 + 160];
            rtp[0] = (byte) 0x80;
            first.protectRtp(rtp, rtp.length);
            System.out.println("firstEndpoint.micros=" + (System.nanoTime() - start) / 1000);
            synchronized (jitsi) {
                System.out.println("firstEndpoint.jitsiRecords=" + jitsi.size());
                jitsi.forEach(m -> System.out.println("firstEndpoint.record=" + m.replace('\n', ' ')));
            }
        }
    }
}
