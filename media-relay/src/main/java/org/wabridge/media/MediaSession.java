package org.wabridge.media;

/**
 * The media of one call: a PBX leg (plain RTP) and a Meta leg (SRTP). Each SDP step takes the SDP one side sent
 * and returns the SDP to send to the other side, so the B2BUA never edits SDP; the SDP steps throw
 * {@link SdpException} when the input cannot be used (the B2BUA answers 488).
 *
 * <p>Threads: every method may be called from any thread (in practice the call's own executor), and none waits
 * for another thread. The SDP steps run on the caller's thread and send nothing; whatever sends packets runs on
 * the session's event loop, so it leaves in order with the packets the loop forwards.
 *
 * <p>Nothing at all (RTP, SRTCP, silence) goes toward Meta before {@link #startMetaLeg()}: a WhatsApp client
 * treats the call as answered on its first media packet. PBX audio that arrives before then is held in the
 * bounded prebuffer (media.prebuffer, oldest dropped) and released in order after the start. Meta's packets
 * before the start are dropped (counted).
 */
public interface MediaSession extends AutoCloseable {

    /** Business-initiated: the PBX's RTP offer in, the SRTP offer for Meta out. Negotiation only: nothing is sent. */
    String metaOfferFromPbxOffer(String pbxOffer) throws SdpException;

    /** Business-initiated: Meta's SRTP answer in, the RTP answer for the PBX out. Negotiation only: nothing is sent. */
    String pbxAnswerFromMetaAnswer(String metaAnswer) throws SdpException;

    /** User-initiated: Meta's SRTP offer in, the RTP offer for the PBX out. Negotiation only: nothing is sent. */
    String pbxOfferFromMetaOffer(String metaOffer) throws SdpException;

    /** User-initiated: the PBX's RTP answer in, the SRTP answer for Meta out. Negotiation only: nothing is sent. */
    String metaAnswerFromPbxAnswer(String pbxAnswer) throws SdpException;

    /**
     * A re-offer from the PBX on an established call (hold, resume, session refresh): answered on the
     * PBX leg only, never sent to Meta. Returns the RTP answer for the PBX. Sends nothing itself.
     */
    String pbxReoffer(String pbxOffer) throws SdpException;

    /**
     * A re-INVITE from the PBX without SDP on an established call (RFC 3261 section 14.2: the answerer offers):
     * returns our RTP offer for the 200, the running codecs and sendrecv. Media goes on as agreed until
     * {@link #pbxRefreshAnswer}. Sends nothing itself.
     */
    String pbxRefreshOffer();

    /**
     * The PBX's answer, from its ACK, to {@link #pbxRefreshOffer}'s offer: its media address, direction and codecs
     * from now on. On {@link SdpException} the media stays as it was. Sends nothing itself.
     */
    void pbxRefreshAnswer(String pbxAnswer) throws SdpException;

    /**
     * Starts the Meta leg once the Meta-side SDP exchange is complete and our answer/ACK is out (business-initiated:
     * after {@link #pbxAnswerFromMetaAnswer} and the ACK of Meta's 200; user-initiated: after our 200 OK with
     * {@link #metaAnswerFromPbxAnswer}'s answer is sent). The maiden packet (held PBX audio, or one silence
     * frame) leaves at once, then silence fill and SRTCP. User-initiated calls keep PBX audio held until Meta's
     * first authenticated packet or 500 ms after this start, whichever comes first. Never blocks (the work is
     * handed to the session's event loop); idempotent; does nothing once the session is closed.
     *
     * @throws IllegalStateException when the Meta-side SDP exchange has not completed
     */
    void startMetaLeg();

    /** Packet and byte counters of both legs so far. */
    MediaStats stats();

    /**
     * Stops media and releases the ports. Never blocks the caller: the sockets close on the event loop and the
     * ports return to the pool asynchronously ({@link MediaRelay#activeSessions()} drops once they are free).
     * Idempotent.
     */
    @Override
    void close();
}
