package org.wabridge.media.relay;

import java.util.ArrayDeque;

/**
 * Blocks of 4 consecutive UDP ports from the configured range, each starting on an even port:
 * base (PBX RTP), base+1 (PBX RTCP), base+2 (Meta RTP with muxed RTCP), base+3 (unused, keeps
 * the next block even-aligned).
 */
public final class PortBlocks {

    public static final int BLOCK_SIZE = 4;

    private final ArrayDeque<Integer> free = new ArrayDeque<>();
    private final int portMin;
    private final int portMax;

    public PortBlocks(int portMin, int portMax) {
        int first = (portMin + 1) & ~1;
        for (int base = first; base + BLOCK_SIZE - 1 <= portMax; base += BLOCK_SIZE) {
            free.add(base);
        }
        if (free.isEmpty()) {
            throw new IllegalArgumentException("media port range " + portMin + "-" + portMax
                    + " is too small: a call needs " + BLOCK_SIZE + " ports starting on an even port;"
                    + " widen media.portMin/media.portMax");
        }
        this.portMin = portMin;
        this.portMax = portMax;
    }

    /** The base port of a free block, or -1 when all are in use. */
    public synchronized int take() {
        Integer base = free.poll();
        return base == null ? -1 : base;
    }

    /** Gives a block back; it goes to the end so a just-closed port is not reused at once. */
    public synchronized void release(int base) {
        free.add(base);
    }

    public int totalBlocks() {
        return ((portMax - ((portMin + 1) & ~1) + 1) / BLOCK_SIZE);
    }

    public String range() {
        return portMin + "-" + portMax;
    }
}
