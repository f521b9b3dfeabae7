package org.wabridge.media.dtls;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The record ordering in front of BouncyCastle, on hand-made records. */
class DtlsEpochGateTest {

    private static int recordSeq;

    @Test
    void serverLetsTheChangeCipherSpecPassOnlyAfterTheWholeFlightBeforeIt() {
        EpochGate gate = new EpochGate(DtlsRole.SERVER);
        gate.add(handshake(1, 0, 0, 100, 100)); // ClientHello, message_seq 0
        List<String> out = new ArrayList<>(drain(gate));
        // the client's last flight, reversed on the way
        for (byte[] r : List.of(finished(), ccs(), handshake(15, 3, 0, 70, 70), handshake(16, 2, 0, 66, 66))) {
            gate.add(r);
            out.addAll(drain(gate));
        }
        assertEquals(List.of("hs1#0", "hs15#3", "hs16#2"), out, "Certificate (seq 1) still missing: CCS and Finished wait");
        gate.add(handshake(11, 1, 0, 300, 300));
        assertEquals(List.of("hs11#1", "ccs", "epoch1"), drain(gate), "then they follow, CCS first");
        gate.add(finished());
        assertEquals(List.of("epoch1"), drain(gate), "after the CCS nothing waits");
    }

    @Test
    void aFragmentedCertificateVerifyMustBeCompleteAndDuplicateChangeCipherSpecsCollapse() {
        EpochGate gate = new EpochGate(DtlsRole.SERVER);
        gate.add(concat(handshake(1, 0, 0, 10, 10), handshake(11, 1, 0, 10, 10), handshake(16, 2, 0, 10, 10)));
        assertEquals(List.of("hs1#0", "hs11#1", "hs16#2"), drain(gate), "a datagram with several records is split");
        gate.add(handshake(15, 3, 40, 30, 70)); // second half of the CertificateVerify
        gate.add(ccs());
        gate.add(ccs()); // retransmitted
        assertEquals(List.of("hs15#3"), drain(gate));
        gate.add(handshake(15, 3, 0, 40, 70));
        assertEquals(List.of("hs15#3", "ccs"), drain(gate));
    }

    @Test
    void clientLetsTheChangeCipherSpecPassAtOnceAndEarlyEpochOneRecordsFollowIt() {
        EpochGate gate = new EpochGate(DtlsRole.CLIENT);
        gate.add(finished());
        assertEquals(List.of(), drain(gate), "Finished before the CCS waits");
        gate.add(ccs());
        assertEquals(List.of("ccs", "epoch1"), drain(gate));
    }

    @Test
    void heldRecordsAreBoundedAndMalformedDatagramsPassThroughForBouncyCastleToDrop() {
        EpochGate gate = new EpochGate(DtlsRole.CLIENT);
        for (int i = 0; i < EpochGate.MAX_HELD + 5; i++) {
            gate.add(finished());
        }
        assertEquals(5, gate.dropped());
        gate.add(new byte[] {22, (byte) 0xFE, (byte) 0xFD});
        assertEquals(List.of("malformed"), drain(gate));
    }

    private static List<String> drain(EpochGate gate) {
        List<String> out = new ArrayList<>();
        for (byte[] r = gate.poll(); r != null; r = gate.poll()) {
            if (r.length < 13) {
                out.add("malformed");
                continue;
            }
            int type = r[0] & 0xFF;
            int epoch = ((r[3] & 0xFF) << 8) | (r[4] & 0xFF);
            if (epoch > 0) {
                out.add("epoch1");
            } else if (type == 20) {
                out.add("ccs");
            } else {
                out.add("hs" + (r[13] & 0xFF) + "#" + (((r[17] & 0xFF) << 8) | (r[18] & 0xFF)));
            }
        }
        return out;
    }

    private static byte[] record(int type, int epoch, byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(type);
        out.write(0xFE);
        out.write(0xFD);
        out.write(epoch >> 8);
        out.write(epoch);
        long seq = recordSeq++;
        for (int i = 5; i >= 0; i--) {
            out.write((int) (seq >> (8 * i)));
        }
        out.write(body.length >> 8);
        out.write(body.length);
        out.writeBytes(body);
        return out.toByteArray();
    }

    private static byte[] handshake(int msgType, int messageSeq, int fragmentOffset, int fragmentLength, int length) {
        byte[] body = new byte[12 + fragmentLength];
        body[0] = (byte) msgType;
        put24(body, 1, length);
        body[4] = (byte) (messageSeq >> 8);
        body[5] = (byte) messageSeq;
        put24(body, 6, fragmentOffset);
        put24(body, 9, fragmentLength);
        return record(22, 0, body);
    }

    private static byte[] ccs() {
        return record(20, 0, new byte[] {1});
    }

    private static byte[] finished() {
        return record(22, 1, new byte[40]);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private static void put24(byte[] b, int at, int v) {
        b[at] = (byte) (v >> 16);
        b[at + 1] = (byte) (v >> 8);
        b[at + 2] = (byte) v;
    }
}
