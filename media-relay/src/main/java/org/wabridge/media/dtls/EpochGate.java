package org.wabridge.media.dtls;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;

/**
 * Puts the peer's handshake records in an order BouncyCastle's DTLS 1.2 can use, while the
 * handshake runs. Pure code: records in, records out, no clock.
 *
 * <p>Why: BouncyCastle (1.83) switches its read epoch as soon as it reads the peer's
 * ChangeCipherSpec (once its own pending epoch exists) and from then on drops every epoch-0
 * record; and it drops epoch-1 records that come before that ChangeCipherSpec. So in the server
 * role, a client CertificateVerify that is lost, or overtaken by the ChangeCipherSpec, can never be
 * read again, not even when the client retransmits its whole flight: the handshake hangs until it
 * times out. (Measured: one lost CertificateVerify datagram = a 10 s timeout.) And an encrypted
 * Finished that overtakes its ChangeCipherSpec costs a retransmission round.
 *
 * <p>What: datagrams are split into records (a datagram may pack several). Epoch-1 records that
 * arrive before a ChangeCipherSpec was let through are held and follow it. In the server role a
 * ChangeCipherSpec is held until the client's CertificateVerify (which must precede it: we always
 * require a client certificate) and every handshake message before it have been let through
 * completely; in the client role nothing our
 * peer sends in epoch 0 can be missing by then (the server's flight before ours was complete, and
 * we offer no session tickets), so it passes at once. At most {@link #MAX_HELD} records wait; more
 * are dropped (the peer retransmits).
 */
final class EpochGate {

    static final int MAX_HELD = 16;
    private static final int RECORD_HEADER = 13;
    private static final int HANDSHAKE_HEADER = 12;
    private static final int CHANGE_CIPHER_SPEC = 20;
    private static final int HANDSHAKE = 22;
    private static final int CERTIFICATE_VERIFY = 15;
    /** A DTLS 1.2 handshake has fewer than a dozen messages; ignore absurd sequence numbers. */
    private static final int MAX_MESSAGE_SEQ = 32;

    private final boolean waitForCertificateVerify;
    private final ArrayDeque<byte[]> ready = new ArrayDeque<>();
    private final ArrayDeque<byte[]> heldLaterEpoch = new ArrayDeque<>();
    private byte[] heldChangeCipherSpec;
    private boolean changeCipherSpecPassed;
    /** Handshake messages of the peer in epoch 0, by message_seq (a handful per handshake). */
    private final Map<Integer, Message> messages = new HashMap<>();
    private int certificateVerifySeq = -1;
    private boolean certificateVerifyComplete;
    private long dropped;

    EpochGate(DtlsRole role) {
        this.waitForCertificateVerify = role == DtlsRole.SERVER;
    }

    /** A datagram from the peer: its records become ready or wait. */
    void add(byte[] datagram) {
        int off = 0;
        while (off < datagram.length) {
            if (datagram.length - off < RECORD_HEADER) {
                ready.add(Arrays.copyOfRange(datagram, off, datagram.length)); // malformed: let BouncyCastle drop it
                return;
            }
            int end = off + RECORD_HEADER + (((datagram[off + 11] & 0xFF) << 8) | (datagram[off + 12] & 0xFF));
            if (end > datagram.length) {
                ready.add(Arrays.copyOfRange(datagram, off, datagram.length));
                return;
            }
            addRecord(Arrays.copyOfRange(datagram, off, end));
            off = end;
        }
    }

    /** The next record to hand to BouncyCastle, or null. */
    byte[] poll() {
        return ready.poll();
    }

    long dropped() {
        return dropped;
    }

    private void addRecord(byte[] record) {
        int type = record[0] & 0xFF;
        int epoch = ((record[3] & 0xFF) << 8) | (record[4] & 0xFF);
        if (epoch > 0) {
            if (changeCipherSpecPassed) {
                ready.add(record);
            } else {
                hold(heldLaterEpoch, record);
            }
            return;
        }
        if (type == CHANGE_CIPHER_SPEC) {
            if (changeCipherSpecPassed || !waitForCertificateVerify || certificateVerifyComplete) {
                passChangeCipherSpec(record);
            } else if (heldChangeCipherSpec == null) {
                heldChangeCipherSpec = record; // a retransmitted duplicate changes nothing
            }
            return;
        }
        ready.add(record);
        if (type == HANDSHAKE && waitForCertificateVerify && !certificateVerifyComplete) {
            noteHandshake(record);
            if (certificateVerifyComplete && heldChangeCipherSpec != null) {
                byte[] ccs = heldChangeCipherSpec;
                heldChangeCipherSpec = null;
                passChangeCipherSpec(ccs);
            }
        }
    }

    private void passChangeCipherSpec(byte[] record) {
        ready.add(record);
        if (!changeCipherSpecPassed) {
            changeCipherSpecPassed = true;
            ready.addAll(heldLaterEpoch);
            heldLaterEpoch.clear();
        }
    }

    /**
     * Tracks which bytes of each handshake message have been let through (messages may come in
     * fragments, in any order). The ChangeCipherSpec may pass once the CertificateVerify and every
     * message before it (by message_seq) are complete: BouncyCastle then has them all and has set
     * up the epoch the ChangeCipherSpec switches to.
     */
    private void noteHandshake(byte[] record) {
        int off = RECORD_HEADER;
        while (record.length - off >= HANDSHAKE_HEADER) {
            int msgType = record[off] & 0xFF;
            int length = uint24(record, off + 1);
            int messageSeq = ((record[off + 4] & 0xFF) << 8) | (record[off + 5] & 0xFF);
            int fragmentOffset = uint24(record, off + 6);
            int fragmentLength = uint24(record, off + 9);
            if (off + HANDSHAKE_HEADER + fragmentLength > record.length || fragmentOffset + fragmentLength > length
                    || messageSeq > MAX_MESSAGE_SEQ) {
                return;
            }
            Message message = messages.computeIfAbsent(messageSeq, seq -> new Message(length));
            if (message.length == length) {
                message.fragments.set(fragmentOffset, fragmentOffset + fragmentLength);
            }
            if (msgType == CERTIFICATE_VERIFY) {
                certificateVerifySeq = messageSeq;
            }
            off += HANDSHAKE_HEADER + fragmentLength;
        }
        if (certificateVerifySeq >= 0) {
            for (int seq = 0; seq <= certificateVerifySeq; seq++) {
                Message m = messages.get(seq);
                if (m == null || !m.complete()) {
                    return;
                }
            }
            certificateVerifyComplete = true;
        }
    }

    private static final class Message {
        final int length;
        final BitSet fragments;

        Message(int length) {
            this.length = length;
            this.fragments = new BitSet(length);
        }

        boolean complete() {
            return fragments.nextClearBit(0) >= length;
        }
    }

    private void hold(ArrayDeque<byte[]> held, byte[] record) {
        if (held.size() >= MAX_HELD) {
            dropped++;
            return;
        }
        held.add(record);
    }

    private static int uint24(byte[] b, int at) {
        return ((b[at] & 0xFF) << 16) | ((b[at + 1] & 0xFF) << 8) | (b[at + 2] & 0xFF);
    }
}
