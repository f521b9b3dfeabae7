package org.wabridge.media.ice;

import java.util.List;

/**
 * The peer's ICE description from its SDP.
 *
 * @param credentials its {@code a=ice-ufrag} and {@code a=ice-pwd}
 * @param lite        {@code a=ice-lite} at session level (Meta always is)
 * @param candidates  its usable candidates: UDP, component 1, IP literals, in SDP order
 */
public record RemoteIce(IceCredentials credentials, boolean lite, List<IceCandidate> candidates) {

    public RemoteIce {
        candidates = List.copyOf(candidates);
    }
}
