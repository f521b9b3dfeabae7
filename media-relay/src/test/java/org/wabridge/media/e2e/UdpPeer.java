package org.wabridge.media.e2e;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** A loopback UDP socket that records every packet it receives, with its arrival time. */
final class UdpPeer implements AutoCloseable {

    record Received(byte[] data, long atMillis, InetSocketAddress from) {}

    private final DatagramSocket socket;
    private final List<Received> received = new ArrayList<>();
    private final Thread reader;

    UdpPeer(int port) throws SocketException {
        socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", port));
        reader = new Thread(this::readLoop, "udp-peer-" + socket.getLocalPort());
        reader.setDaemon(true);
        reader.start();
    }

    /** Two peers on adjacent ports (even, even+1), like an RTP/RTCP pair, on free ephemeral ports. */
    static UdpPeer[] adjacentPair() throws SocketException, InterruptedException {
        for (int attempt = 0; attempt < 50; attempt++) {
            UdpPeer first = new UdpPeer(0);
            if (first.port() % 2 == 0 && first.port() < 65535) {
                try {
                    return new UdpPeer[] {first, new UdpPeer(first.port() + 1)};
                } catch (SocketException taken) {
                    // the next port is in use: try another pair
                }
            }
            first.close();
        }
        throw new SocketException("no two adjacent free UDP ports on 127.0.0.1 after 50 attempts");
    }

    int port() {
        return socket.getLocalPort();
    }

    void send(byte[] data, InetSocketAddress to) throws IOException {
        socket.send(new DatagramPacket(data, data.length, to));
    }

    synchronized List<Received> received() {
        return new ArrayList<>(received);
    }

    /** Waits until at least {@code count} packets arrived or the time is up; returns what arrived. */
    List<Received> awaitCount(int count, long timeoutMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (System.currentTimeMillis() < deadline) {
            synchronized (this) {
                if (received.size() >= count) {
                    break;
                }
            }
            Thread.sleep(10);
        }
        return received();
    }

    private void readLoop() {
        byte[] buf = new byte[2048];
        while (!socket.isClosed()) {
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                socket.receive(p);
            } catch (IOException e) {
                return;
            }
            Received r = new Received(Arrays.copyOf(buf, p.getLength()), System.currentTimeMillis(),
                    (InetSocketAddress) p.getSocketAddress());
            synchronized (this) {
                received.add(r);
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        socket.close();
        reader.join(2000);
    }
}
