package org.wabridge.media.srtp;

import java.util.Arrays;

/** A packet at the start of an array, and its length: SRTP transforms it in place. */
public final class PacketBuffer {

    private final byte[] buffer;
    private int length;

    public PacketBuffer(byte[] buffer, int length) {
        this.buffer = buffer;
        this.length = length;
    }

    /** Room an SRTP/SRTCP trailer needs after the packet: E flag and index (4) and the tag (10). */
    public static final int TRAILER_ROOM = 16;

    /**
     * The packet itself when its array has room for the trailer (protected in place, the caller
     * gives it up), else a copy with room.
     */
    public static PacketBuffer withTrailerRoom(byte[] packet, int length) {
        if (packet.length >= length + TRAILER_ROOM) {
            return new PacketBuffer(packet, length);
        }
        return new PacketBuffer(Arrays.copyOf(packet, length + TRAILER_ROOM), length);
    }

    public byte[] getBuffer() {
        return buffer;
    }

    public int getLength() {
        return length;
    }

    void setLength(int len) {
        length = len;
    }

    public byte[] toArray() {
        return Arrays.copyOf(buffer, length);
    }
}
