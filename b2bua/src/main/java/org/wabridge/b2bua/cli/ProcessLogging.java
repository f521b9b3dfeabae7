package org.wabridge.b2bua.cli;

import gov.nist.core.CommonLogger;
import org.slf4j.bridge.SLF4JBridgeHandler;

/** Logging set-up of the bridge process, done once at CLI start: every library's lines end up in logback. */
final class ProcessLogging {
    private ProcessLogging() {}

    static void install() {
        // jitsi-srtp logs through java.util.logging: without this its lines bypass logback (other format, stderr).
        // logback.xml's LevelChangePropagator copies logback's levels to JUL, so records below them cost nothing.
        if (!SLF4JBridgeHandler.isInstalled()) {
            SLF4JBridgeHandler.removeHandlersForRootLogger();
            SLF4JBridgeHandler.install();
        }
        // JAIN-SIP otherwise sends every class's lines to one logger named after the stack (a random id per start),
        // which logback.xml cannot name; per-class loggers (gov.nist.*) let it set levels per JAIN-SIP class.
        CommonLogger.useLegacyLogger = false;
    }
}
