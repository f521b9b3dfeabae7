package org.wabridge.media;

/**
 * The media of one call: a PBX leg (plain RTP) and a Meta leg (SRTP). Each method takes the SDP
 * one side sent and returns the SDP to send to the other side, so the B2BUA never edits SDP.
 * All methods throw {@link SdpException} when the input cannot be used (the B2BUA answers 488).
 */
public interface MediaSession extends AutoCloseable {

    /** Business-initiated: the PBX's RTP offer in, the SRTP offer for Meta out. */
    String metaOfferFromPbxOffer(String pbxOffer) throws SdpException;

    /** Business-initiated: Meta's SRTP answer in, the RTP answer for the PBX out. Starts the Meta leg. */
    String pbxAnswerFromMetaAnswer(String metaAnswer) throws SdpException;

    /** User-initiated: Meta's SRTP offer in, the RTP offer for the PBX out. */
    String pbxOfferFromMetaOffer(String metaOffer) throws SdpException;

    /** User-initiated: the PBX's RTP answer in, the SRTP answer for Meta out. Starts the Meta leg. */
    String metaAnswerFromPbxAnswer(String pbxAnswer) throws SdpException;

    /**
     * A re-offer from the PBX on an established call (hold, resume, session refresh): answered on the
     * PBX leg only, never sent to Meta. Returns the RTP answer for the PBX.
     */
    String pbxReoffer(String pbxOffer) throws SdpException;

    /**
     * Starts the Meta leg once the Meta-side SDP exchange is complete and our answer or ACK is out: the maiden
     * packet leaves at once, then silence fill and SRTCP. Never blocks; idempotent.
     */
    void startMetaLeg();

    /** Packet and byte counters of both legs so far. */
    MediaStats stats();

    /** Stops all media of the call and releases its ports. Idempotent. */
    @Override
    void close();
}
