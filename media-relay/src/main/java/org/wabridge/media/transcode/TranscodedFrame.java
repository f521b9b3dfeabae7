package org.wabridge.media.transcode;

/**
 * One RTP payload a transcoder produced, with the header fields the other leg needs.
 *
 * @param payloadType on the out leg
 * @param marker      start of a talkspurt (kept from the input; RFC 4733 uses it for a new event)
 * @param timestamp   on the out leg's clock
 * @param payload     the encoded audio, or the telephone-event payload unchanged
 * @param concealed   audio the Opus decoder made up for a lost packet (loss concealment or in-band FEC)
 */
public record TranscodedFrame(int payloadType, boolean marker, long timestamp, byte[] payload, boolean concealed) {}
