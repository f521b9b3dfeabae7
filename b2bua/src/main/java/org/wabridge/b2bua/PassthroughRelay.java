package org.wabridge.b2bua;

import org.wabridge.config.SrtpKeyExchange;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.wabridge.media.MediaEvents;
import org.wabridge.media.MediaRelay;
import org.wabridge.media.MediaSession;
import org.wabridge.media.MediaStats;

/**
 * Lab-only media mode: SDP is copied between the legs and no media is anchored. Meta needs SRTP, the first
 * packet, keepalives and RTCP from us, none of which this gives, so every call logs a warning.
 */
public final class PassthroughRelay implements MediaRelay {

    private static final Logger LOG = LoggerFactory.getLogger(PassthroughRelay.class);
    private static final MediaStats.LegStats NONE = new MediaStats.LegStats(0, 0, 0, 0, 0, 0, 0);

    private final AtomicInteger open = new AtomicInteger();

    @Override
    public MediaSession open(String callId, SrtpKeyExchange keying, MediaEvents events) {
        LOG.warn("media.mode is passthrough: SDP is copied unchanged and no media is relayed (lab use only)");
        open.incrementAndGet();
        return new MediaSession() {
            private boolean closed;
            private String toPbx; // the last SDP the PBX got: offered again when it asks for an offer

            @Override public String metaOfferFromPbxOffer(String sdp) { return sdp; }
            @Override public String pbxAnswerFromMetaAnswer(String sdp) { return toPbx = sdp; }
            @Override public String pbxOfferFromMetaOffer(String sdp) { return toPbx = sdp; }
            @Override public String metaAnswerFromPbxAnswer(String sdp) { return sdp; }
            @Override public String pbxReoffer(String sdp) { return sdp; }
            @Override public String pbxRefreshOffer() { return toPbx; }
            @Override public void pbxRefreshAnswer(String sdp) { } // no media is anchored: nothing to follow
            @Override public void startMetaLeg() { } // no media is anchored: nothing to start
            @Override public MediaStats stats() { return new MediaStats(NONE, NONE); }

            @Override
            public synchronized void close() {
                if (!closed) {
                    closed = true;
                    open.decrementAndGet();
                }
            }
        };
    }

    @Override
    public int activeSessions() {
        return open.get();
    }

    @Override
    public void close() {}
}
