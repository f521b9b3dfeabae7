package org.wabridge.b2bua.cli;

import org.wabridge.b2bua.PassthroughRelay;
import org.wabridge.config.MediaSettings;
import org.wabridge.media.MediaRelay;

/** The relay a configuration asks for. */
final class Relays {

    private Relays() {}

    static MediaRelay create(MediaSettings settings) {
        return settings.mode() == MediaSettings.MediaMode.PASSTHROUGH ? new PassthroughRelay()
                : new org.wabridge.media.NettyMediaRelay(settings);
    }
}
