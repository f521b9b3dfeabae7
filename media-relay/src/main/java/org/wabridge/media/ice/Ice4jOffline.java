package org.wabridge.media.ice;

/**
 * Keeps ice4j off the network. This package uses only ice4j's STUN message and attribute classes and never
 * creates an {@code Agent}, a harvester or a {@code StunStack}; still, ice4j's defaults reach out when an Agent is
 * created anywhere in the JVM ({@code ice4j.harvest.mapping.aws.enabled} is true by default and makes an HTTP
 * request to a cloud metadata address), so the first use of this package turns every harvester that talks to
 * the network off, before ice4j's configuration is first read.
 *
 * <p>ice4j reads these keys through its typesafe configuration, which takes JVM system properties as overrides
 * and is loaded once per JVM: {@link #ensure()} must run before any ice4j class reads it, which
 * {@link StunCodec}'s static initializer does. Values given on the command line are overridden.
 */
public final class Ice4jOffline {

    /** The keys this class sets, with their values (the new names and ice4j's legacy names). */
    static final String[][] SETTINGS = {
            {"ice4j.harvest.mapping.aws.enabled", "false"},
            {"org.ice4j.ice.harvest.DISABLE_AWS_HARVESTER", "true"},
            {"ice4j.harvest.mapping.aws.force", "false"},
    };

    private static volatile boolean applied;

    private Ice4jOffline() {
    }

    /** Sets the properties (idempotent, cheap after the first call). */
    public static void ensure() {
        if (applied) {
            return;
        }
        synchronized (Ice4jOffline.class) {
            for (String[] kv : SETTINGS) {
                System.setProperty(kv[0], kv[1]);
            }
            // STUN mapping harvesters: the default list is empty; a legacy comma list set on the command line
            // would make an Agent query those servers, so it is cleared
            System.clearProperty("org.ice4j.ice.harvest.STUN_MAPPING_HARVESTER_ADDRESSES");
            System.clearProperty("ice4j.harvest.mapping.stun.addresses");
            applied = true;
        }
    }
}
