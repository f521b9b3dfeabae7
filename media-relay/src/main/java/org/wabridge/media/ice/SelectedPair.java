package org.wabridge.media.ice;

import java.net.InetSocketAddress;

/**
 * The candidate pair ICE nominated.
 *
 * @param local  our candidate (its address is the base the relay sends from)
 * @param remote the peer's candidate (from its SDP, or peer-reflexive)
 * @param mapped our address as the peer saw it (XOR-MAPPED-ADDRESS); differs from {@code local} behind a NAT, where
 *               it is our peer-reflexive candidate
 */
public record SelectedPair(IceCandidate local, IceCandidate remote, InetSocketAddress mapped) {

    /** Where media goes. */
    public InetSocketAddress remoteAddress() {
        return remote.address();
    }

    public boolean localIsPeerReflexive() {
        return !mapped.equals(local.address());
    }
}
