package org.wabridge.media.ice;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.mutation.annotation.NotNull;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.ice4j.message.Message;
import org.wabridge.media.SdpException;

/**
 * STUN from the network and ICE attributes from a peer's SDP. Documented answers: {@code isStun} false, a decoded
 * message or a {@link StunCodec.MalformedStunException}; the ICE agent consumes any datagram without throwing (it
 * answers checks, records responses, or drops); {@code IceSdp.parseRemote} returns ICE, empty or an
 * {@link SdpException}. Anything else is a crash. Seeds: {@code StunFuzzTestInputs/}; {@code scripts/fuzz stun|ice}.
 */
class StunFuzzTest {

    private static final InetSocketAddress OURS = new InetSocketAddress("192.0.2.1", 20000);
    private static final InetSocketAddress META = new InetSocketAddress("198.51.100.7", 3480);
    private static final IceCredentials LOCAL = new IceCredentials("abcd", "0123456789abcdef01234567");
    private static final IceCredentials REMOTE = new IceCredentials("Xy7q", "c2VjcmV0c2VjcmV0c2VjcmV0cw==");

    @FuzzTest(maxDuration = "10m")
    void stun(FuzzedDataProvider data) {
        int offset = data.consumeInt(0, 8);
        byte[] datagram = data.consumeRemainingAsBytes();
        byte[] buffer = new byte[offset + datagram.length]; // the datagram at an offset, exactly to its end
        System.arraycopy(datagram, 0, buffer, offset, datagram.length);
        int length = datagram.length;
        if (StunCodec.isStun(buffer, offset, length)) {
            try {
                Message m = StunCodec.decode(buffer, offset, length);
                StunCodec.xorMappedAddress(m);
                StunCodec.checkIntegrity(buffer, offset, length, LOCAL.key());
                StunCodec.hasValidFingerprint(buffer, offset, length);
            } catch (StunCodec.MalformedStunException e) {
                // documented
            }
        }
        // and through the agent, as the relay hands it every datagram on an ICE port
        ControllingIceAgent agent = new ControllingIceAgent(LOCAL, IceSdp.hostCandidates(List.of(OURS)),
                new RemoteIce(REMOTE, true, List.of(new IceCandidate("1", 2122260223L, META, IceCandidate.Type.HOST))),
                IceTiming.DEFAULT, new Random(1), (d, from, to) -> { }, new IceEvents() {
                    @Override
                    public void completed(SelectedPair pair, Duration after) {
                    }

                    @Override
                    public void failed(String reason) {
                    }

                    @Override
                    public void consentLost(Duration silentFor) {
                    }
                });
        agent.start(0);
        agent.onPacket(buffer, offset, length, META, 1);
        agent.tick(2);
    }

    @FuzzTest(maxDuration = "10m")
    void remoteIce(@NotNull String sdp) {
        try {
            Optional<RemoteIce> ice = IceSdp.parseRemote(sdp, "fuzz");
            ice.ifPresent(r -> r.candidates().forEach(c -> c.address().getPort()));
        } catch (SdpException e) {
            // documented
        }
    }
}
