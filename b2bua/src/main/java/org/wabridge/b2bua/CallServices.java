package org.wabridge.b2bua;

import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import org.wabridge.b2bua.capture.CallCaptures;
import org.wabridge.b2bua.digest.DigestClient;
import org.wabridge.b2bua.digest.RememberedChallenges;
import org.wabridge.b2bua.events.CallObserver;
import org.wabridge.config.BridgeConfig;
import org.wabridge.media.MediaRelay;

/**
 * The few things a call's adapter uses, handed over at creation: no call reaches back into {@link B2bua}.
 *
 * @param challenges what earlier calls' digest answers let later INVITEs carry before being asked
 * @param workers the pool the calls' serial executors run on
 * @param timers  fires timers by posting to the call's executor; never runs call code itself
 */
record CallServices(BridgeConfig config, SipSignalling signalling, MediaRelay relay, CallFailures failures,
                    DigestClient digest, RememberedChallenges challenges, CallObserver observer,
                    CallCaptures captures, CallRegistry registry, DailyPairLimit dailyLimit, Executor workers,
                    ScheduledExecutorService timers) {}
