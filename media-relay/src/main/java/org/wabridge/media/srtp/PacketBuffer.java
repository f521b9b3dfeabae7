package org.wabridge.media.srtp;

import java.util.Arrays;
import org.jitsi.utils.ByteArrayBuffer;

/** A growable byte array view, as jitsi-srtp transforms packets in place. */
public final class PacketBuffer implements ByteArrayBuffer {

    private byte[] buffer;
    private int offset;
    private int length;

    public PacketBuffer(byte[] buffer, int offset, int length) {
        this.buffer = buffer;
        this.offset = offset;
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
            return new PacketBuffer(packet, 0, length);
        }
        return new PacketBuffer(Arrays.copyOf(packet, length + TRAILER_ROOM), 0, length);
    }

    @Override
    public byte[] getBuffer() {
        return buffer;
    }

    @Override
    public int getOffset() {
        return offset;
    }

    @Override
    public int getLength() {
        return length;
    }

    @Override
    public void setLength(int len) {
        length = len;
    }

    @Override
    public void setOffset(int off) {
        offset = off;
    }

    @Override
    public boolean isInvalid() {
        return false;
    }

    @Override
    public void readRegionToBuff(int off, int len, byte[] out) {
        System.arraycopy(buffer, offset + off, out, 0, len);
    }

    @Override
    public void grow(int howMuch) {
        if (offset + length + howMuch > buffer.length) {
            buffer = Arrays.copyOf(buffer, offset + length + howMuch);
        }
    }

    @Override
    public void append(byte[] data, int len) {
        grow(len);
        System.arraycopy(data, 0, buffer, offset + length, len);
        length += len;
    }

    @Override
    public void shrink(int len) {
        length = Math.max(0, length - len);
    }

    public byte[] toArray() {
        return Arrays.copyOfRange(buffer, offset, offset + length);
    }
}
