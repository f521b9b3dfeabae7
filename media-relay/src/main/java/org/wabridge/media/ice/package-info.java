/**
 * ICE for the Meta leg in DTLS mode, as pure code: Meta is ICE-lite and only ever controlled, so the bridge is a full
 * agent in the controlling role that checks Meta's one or two host candidates (facts file, section 4.3).
 *
 * <ul>
 *   <li>{@link org.wabridge.media.ice.IceCredentials}, {@link org.wabridge.media.ice.IceCandidate} and
 *       {@link org.wabridge.media.ice.IceSdp}: our ufrag/pwd and host candidate lines; the peer's
 *       {@code a=ice-ufrag}, {@code a=ice-pwd}, {@code a=ice-lite} and candidates
 *       ({@link org.wabridge.media.ice.RemoteIce}).</li>
 *   <li>{@link org.wabridge.media.ice.ControllingIceAgent}: the state machine (packets and clock ticks in with the
 *       time; datagrams out through {@link org.wabridge.media.ice.IceTransport}; {@code completed}, {@code failed}
 *       and {@code consentLost} out through {@link org.wabridge.media.ice.IceEvents}), timed by
 *       {@link org.wabridge.media.ice.IceTiming}.</li>
 *   <li>{@link org.wabridge.media.ice.StunCodec}: STUN on ice4j's {@code org.ice4j.message} and
 *       {@code org.ice4j.attribute} classes, with MESSAGE-INTEGRITY and FINGERPRINT computed here (ice4j signs only
 *       through a {@code StunStack} and never verifies integrity on decode). No ice4j {@code Agent}, harvester,
 *       socket or stack is ever created; {@link org.wabridge.media.ice.Ice4jOffline} turns ice4j's network
 *       harvesters off all the same, before ice4j reads its configuration.</li>
 * </ul>
 *
 * <p>Nothing here opens a socket or starts a thread: the relay's adapter owns the Meta socket, hands STUN datagrams
 * ({@link org.wabridge.media.ice.StunCodec#isStun}, RFC 7983) to the agent, ticks it from the call's clock, and
 * sends DTLS and media to {@link org.wabridge.media.ice.SelectedPair#remoteAddress()} only after
 * {@code completed}.
 */
package org.wabridge.media.ice;
