package org.wabridge.media.e2e;

import org.wabridge.config.MediaSettings;
import org.wabridge.media.TestSettings;

/**
 * Every DTLS-SRTP call and failure of {@link RtpengineDtlsEndToEndTest} again with {@code media.sharedPorts}: the
 * PBX side on the loop's shared sockets, ICE, the handshake and SRTP on the call's own Meta socket, rtpengine
 * playing Meta. Own port range.
 */
class RtpengineDtlsSharedPortsTest extends RtpengineDtlsEndToEndTest {

    @Override
    MediaSettings relaySettings() {
        return TestSettings.loopback(31800, 31899).withSharedPorts(true);
    }
}
