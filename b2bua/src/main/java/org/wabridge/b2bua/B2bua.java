package org.wabridge.b2bua;

import gov.nist.javax.sip.DialogTimeoutEvent;
import gov.nist.javax.sip.RequestEventExt;
import gov.nist.javax.sip.ServerTransactionExt;
import gov.nist.javax.sip.SipListenerExt;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sip.ClientTransaction;
import javax.sip.Dialog;
import javax.sip.DialogTerminatedEvent;
import javax.sip.IOExceptionEvent;
import javax.sip.RequestEvent;
import javax.sip.ResponseEvent;
import javax.sip.ServerTransaction;
import javax.sip.SipProvider;
import javax.sip.TimeoutEvent;
import javax.sip.TransactionAlreadyExistsException;
import javax.sip.TransactionTerminatedEvent;
import javax.sip.header.CSeqHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.wabridge.b2bua.Admission.Verdict;
import org.wabridge.b2bua.SipTrace.Side;
import org.wabridge.b2bua.capture.CallCaptures;
import org.wabridge.b2bua.causes.CauseCatalog;
import org.wabridge.b2bua.digest.DigestClient;
import org.wabridge.b2bua.digest.RememberedChallenges;
import org.wabridge.b2bua.events.CallObserver;
import org.wabridge.b2bua.events.Direction;
import org.wabridge.b2bua.ops.FanOutObserver;
import org.wabridge.b2bua.sip.HostResolver;
import org.wabridge.config.BridgeConfig;
import org.wabridge.config.BusinessNumber;
import org.wabridge.media.MediaRelay;

/**
 * The bridge's SIP front door: it receives every event of the stack ({@link SipSignalling}), lets
 * {@link Admission} and the {@link InboundChallenger} decide about new INVITEs, and hands everything else to the
 * call it belongs to ({@link SipCall}), which queues it on its own executor. Nothing here waits for a call.
 */
public final class B2bua implements SipListenerExt, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(B2bua.class);

    private final BridgeConfig config;
    private final SipSignalling sip;
    private final Admission admission;
    private final InboundChallenger challenger;
    private final FloodCounters floodCounters;
    private final CallRegistry registry;
    private final CallServices services;
    private final ExecutorService workers;
    private final ScheduledExecutorService timers;

    private B2bua(BridgeConfig config, MediaRelay relay, SipSignalling sip, CauseCatalog catalog,
                  CallObserver observer, CallCaptures captures) {
        this.config = config;
        this.sip = sip;
        this.registry = new CallRegistry();
        CallFailures failures = new CallFailures(catalog);
        DailyPairLimit dailyLimit = new DailyPairLimit(config.limits().dailyCallsPerUserPair(), Clock.systemUTC());
        this.floodCounters = new FloodCounters(sip::namesNotResolved);
        this.admission = new Admission(config, failures, registry, dailyLimit, floodCounters);
        this.challenger = new InboundChallenger(config.meta(), floodCounters);
        // Call steps are short and never wait on another call; a TLS connect to the edge is the longest.
        this.workers = Executors.newFixedThreadPool(Math.max(4, 2 * Runtime.getRuntime().availableProcessors()),
                daemonThreads("bridge-call-"));
        this.timers = Executors.newSingleThreadScheduledExecutor(daemonThreads("bridge-timers-"));
        this.services = new CallServices(config, sip, relay, failures, new DigestClient(),
                RememberedChallenges.fromSystemProperties(), observer, captures,
                registry, dailyLimit, workers, timers);
        timers.scheduleAtFixedRate(dailyLimit::purge, 1, 1, TimeUnit.HOURS);
    }

    /**
     * Starts the SIP listeners. The caller owns {@code relay} and closes it after this.
     *
     * @throws BridgeException with an admin-readable message when a listener or TLS material cannot be set up
     */
    public static B2bua start(BridgeConfig config, MediaRelay relay, CauseCatalog catalog) throws BridgeException {
        return start(config, relay, catalog, CallObserver.NONE, new CallCaptures(CallCaptures.Mode.OFF, null, 0));
    }

    /**
     * Starts the SIP listeners; {@code observer} learns about every call (call log, metrics), {@code captures}
     * records the calls' packets when enabled.
     */
    public static B2bua start(BridgeConfig config, MediaRelay relay, CauseCatalog catalog, CallObserver observer,
                              CallCaptures captures) throws BridgeException {
        return start(config, relay, catalog, observer, captures, new HostResolver());
    }

    /** As above, with the resolver of Meta's edge name ({@code meta.edgeAddress} is pinned on it); tests fake DNS. */
    public static B2bua start(BridgeConfig config, MediaRelay relay, CauseCatalog catalog, CallObserver observer,
                              CallCaptures captures, HostResolver resolver) throws BridgeException {
        // captures may be asked for at any time, so they always see the calls
        CallObserver all = new FanOutObserver(List.of(observer, captures));
        SipSignalling sip = SipSignalling.open(config, all, captures, resolver);
        B2bua b2bua = new B2bua(config, relay, sip, catalog, all, captures);
        try {
            sip.start(b2bua);
        } catch (BridgeException e) {
            b2bua.shutdownExecutors();
            throw e;
        }
        LOG.info("listening for the PBX on {}, for Meta on {}; edge {}{}", config.pbx().listen(),
                config.meta().listen(), config.meta().edgeUri(),
                config.meta().edgeAddress() == null ? "" : " at " + config.meta().edgeAddress());
        b2bua.preconnectEdge();
        LOG.info("PBX listeners answer OPTIONS from the bridge: {}", String.join(", ", sip.qualifyPbxListeners(2000)));
        return b2bua;
    }

    /**
     * Opens the TLS connection to Meta's edge before the bridge says it is ready, so the first call is as fast as
     * the others; waits at most {@link #PRECONNECT_WAIT_MILLIS}: an edge that is slow or down now must not hold up
     * the start (calls then connect, or fail with their cause, as they would anyway).
     */
    private void preconnectEdge() {
        CompletableFuture<String> outcome = CompletableFuture.supplyAsync(sip::preconnectEdge, workers);
        try {
            logPreconnect(outcome.get(PRECONNECT_WAIT_MILLIS, TimeUnit.MILLISECONDS));
        } catch (TimeoutException e) {
            LOG.info("connection to Meta's edge: still connecting after {} ms; going on", PRECONNECT_WAIT_MILLIS);
            outcome.thenAccept(B2bua::logPreconnect);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            LOG.warn("connection to Meta's edge: {}", e.getCause().toString());
        }
    }

    private static final long PRECONNECT_WAIT_MILLIS = 3000;

    private static void logPreconnect(String outcome) {
        if (outcome.startsWith("failed")) {
            LOG.warn("connection to Meta's edge {} (each call will try again)", outcome);
        } else {
            LOG.info("connection to Meta's edge {}", outcome);
        }
    }

    private static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** What was turned away without a call (unknown sources, wrong digests, names not looked up), for /metrics. */
    public FloodCounters floodCounters() {
        return floodCounters;
    }

    /** Calls in progress (any state but ended). */
    public org.wabridge.b2bua.sip.MetaConnectionGuard metaListener() {
        return sip.metaListener();
    }

    public int activeCalls() {
        return registry.size();
    }

    /** New INVITEs get 503 from now on; calls in progress go on (graceful stop). */
    public void drain() {
        admission.drain();
        LOG.info("draining: new calls are refused with 503, {} call(s) in progress continue", registry.size());
    }

    /** Ready to take calls: started and not draining. */
    public boolean ready() {
        return !admission.draining();
    }

    // ------------------------------------------------------------- requests

    @Override
    public void processRequest(RequestEvent event) {
        Request request = event.getRequest();
        org.wabridge.b2bua.sip.ReturnPath.stamp(event); // every answer goes to the packet's source, never a Via name
        Side side = sip.sideOf(event.getSource());
        SipCall known = callOf(event.getDialog());
        if (known != null || !Request.OPTIONS.equals(request.getMethod())) {
            // an OPTIONS outside a call (a trunk's qualify ping, the bridge's own check at start) is not a call:
            // without the call context it stays out of the call log (the ladder at DEBUG still shows it)
            MDC.put("call", known != null ? known.callId() : SipSignalling.callIdOf(request));
        }
        try {
            sip.trace().received(side, request);
            switch (request.getMethod()) {
                case Request.ACK -> {
                    if (known != null) {
                        known.onAck(side, event.getDialog(), request);
                    }
                }
                case Request.INVITE -> {
                    if (!SipSignalling.hasToTag(request)) {
                        newInvite(side, event);
                    } else {
                        inDialog(known, event, (c, e) -> c.onReoffer(side, e));
                    }
                }
                case Request.UPDATE -> inDialog(known, event, (c, e) -> c.onReoffer(side, e));
                case Request.BYE -> inDialog(known, event, (c, e) -> c.onBye(side, e));
                case Request.CANCEL -> onCancel(event);
                case Request.OPTIONS -> sip.respond(event, Response.OK, null, null); // trunk qualify, Meta's pings
                case Request.INFO, Request.NOTIFY -> inDialog(known, event,
                        (c, e) -> sip.respond(e, Response.OK, null, null));
                default -> sip.respond(event, Response.METHOD_NOT_ALLOWED, null, null);
            }
        } catch (RuntimeException e) {
            LOG.error("unexpected error handling {}", request.getMethod(), e);
            sip.respond(event, Response.SERVER_INTERNAL_ERROR, null, null);
        } finally {
            MDC.clear();
        }
    }

    /** Hands an in-dialog request to its call, or answers 481 when the dialog is unknown. */
    private void inDialog(SipCall call, RequestEvent event, java.util.function.BiConsumer<SipCall, RequestEvent> to) {
        if (call != null) {
            to.accept(call, sip.withTransaction(event));
        } else {
            sip.respond(event, Response.CALL_OR_TRANSACTION_DOES_NOT_EXIST, null, null);
        }
    }

    private void onCancel(RequestEvent event) {
        ServerTransaction cancelTx = sip.withTransaction(event).getServerTransaction();
        if (cancelTx == null) {
            return;
        }
        ServerTransaction inviteTx = ((ServerTransactionExt) cancelTx).getCanceledInviteTransaction();
        if (inviteTx != null && inviteTx.getApplicationData() instanceof SipCall call) {
            sip.respond(cancelTx, Response.OK, null, null, null, List.of(), null);
            call.onCancel();
        } else {
            sip.respond(cancelTx, Response.CALL_OR_TRANSACTION_DOES_NOT_EXIST, null, null, null, List.of(), null);
        }
    }

    /** A dialog-creating INVITE: admitted and turned into a call, or refused with a defined answer. */
    private void newInvite(Side side, RequestEvent event) {
        Request invite = event.getRequest();
        String callId = SipSignalling.callIdOf(invite);
        String source = ((RequestEventExt) event).getRemoteIpAddress();
        Optional<Verdict.Refuse> screened = admission.screen(side == Side.PBX, source, callId);
        if (screened.isPresent()) {
            Verdict.Refuse r = screened.get();
            sip.refuse(event, r.code(), r.phrase(), r.reasons(), r.retryAfter());
            return;
        }
        ServerTransaction tx;
        try {
            SipProvider provider = sip.provider(side);
            tx = event.getServerTransaction() != null ? event.getServerTransaction()
                    : provider.getNewServerTransaction(invite);
        } catch (TransactionAlreadyExistsException e) {
            return; // a retransmission of an INVITE we are handling
        } catch (Exception e) {
            LOG.debug("cannot create a transaction for the INVITE: {}", e.toString()); // malformed; no log flood
            return;
        }
        Verdict verdict;
        if (side == Side.PBX) {
            verdict = admission.pbxInvite(invite, callId);
        } else {
            verdict = admission.metaInvite(invite, source);
            if (verdict instanceof Verdict.Admit admit && !authenticated(tx, admit.number(), source)) {
                return;
            }
            if (verdict instanceof Verdict.Admit admit) {
                verdict = admission.reserve(admit.number(), admit.waUser(), callId);
            }
        }
        if (verdict instanceof Verdict.Refuse r) {
            sip.respond(tx, r.code(), r.phrase(), SipSignalling.newTag(), null, r.reasons(), r.retryAfter());
            return;
        }
        Verdict.Admit admit = (Verdict.Admit) verdict;
        Direction direction = side == Side.PBX ? Direction.BUSINESS_INITIATED : Direction.USER_INITIATED;
        SipCall call;
        try {
            call = new SipCall(services, direction, tx, admit.number(), admit.waUser());
        } catch (RuntimeException e) {
            registry.release(admit.number().number());
            throw e;
        }
        if (!registry.add(call)) {
            registry.release(admit.number().number());
            LOG.warn("INVITE refused with 482: Call-ID {} belongs to a call in progress", callId);
            sip.respond(tx, Response.LOOP_DETECTED, "Call-ID already in use", SipSignalling.newTag(), null,
                    List.of(), null);
            return;
        }
        call.begin();
    }

    /** Meta's INVITE answered our challenge correctly; otherwise it has been challenged or refused here. */
    private boolean authenticated(ServerTransaction tx, BusinessNumber number, String source) {
        InboundChallenger.Verdict verdict = challenger.check(tx.getRequest(), number, source);
        if (verdict instanceof InboundChallenger.Verdict.Forbidden f) {
            sip.respond(tx, Response.FORBIDDEN, f.phrase(), SipSignalling.newTag(), null, List.of(), null);
            return false;
        }
        if (verdict instanceof InboundChallenger.Verdict.Challenge c) {
            sip.challenge(tx, c.code(), c.header(), c.values());
            return false;
        }
        return true;
    }

    // ------------------------------------------------------------ responses

    @Override
    public void processResponse(ResponseEvent event) {
        Response response = event.getResponse();
        SipCall call = callOf(event.getClientTransaction(), event.getDialog());
        CSeqHeader cseq = (CSeqHeader) response.getHeader(CSeqHeader.NAME);
        if (call != null || cseq == null || !Request.OPTIONS.equals(cseq.getMethod())) {
            MDC.put("call", call != null ? call.callId() : SipSignalling.callIdOf(response));
        }
        try {
            sip.trace().received(sip.sideOf(event.getSource()), response);
            if (call != null) {
                call.onResponse(event);
            }
        } finally {
            MDC.clear();
        }
    }

    @Override
    public void processTimeout(TimeoutEvent event) {
        if (event.isServerTransaction()) {
            return;
        }
        ClientTransaction ct = event.getClientTransaction();
        SipCall call = callOf(ct, null);
        if (call != null && Request.INVITE.equals(ct.getRequest().getMethod())) {
            call.onOutboundUnreachable(new java.io.IOException("INVITE transaction timed out"));
        }
    }

    @Override
    public void processIOException(IOExceptionEvent event) {
        LOG.warn("transport error toward {}:{} over {}", event.getHost(), event.getPort(), event.getTransport());
        if (!sip.isEdge(event.getHost())) {
            return;
        }
        // JAIN-SIP does not say which transaction failed: calls still waiting for a first answer from the edge
        // take it as theirs (the machine ignores it in any other state).
        for (SipCall call : registry.all(SipCall.class)) {
            if (call.direction() == Direction.BUSINESS_INITIATED) {
                call.onTransportError(event.getHost() + ":" + event.getPort());
            }
        }
    }

    @Override
    public void processTransactionTerminated(TransactionTerminatedEvent event) { }

    @Override
    public void processDialogTerminated(DialogTerminatedEvent event) { }

    @Override
    public void processDialogTimeout(DialogTimeoutEvent event) {
        SipCall call = callOf(event.getDialog());
        if (call != null && event.getReason() == DialogTimeoutEvent.Reason.AckNotReceived) {
            call.onAckTimeout(sip.sideOf(((gov.nist.javax.sip.stack.SIPDialog) event.getDialog()).getSipProvider()));
        }
    }

    private static SipCall callOf(Dialog dialog) {
        return dialog != null && dialog.getApplicationData() instanceof SipCall c ? c : null;
    }

    private static SipCall callOf(ClientTransaction ct, Dialog dialog) {
        if (ct != null && ct.getApplicationData() instanceof SipCall c) {
            return c;
        }
        return callOf(dialog);
    }

    // -------------------------------------------------------------- shutdown

    /**
     * Ends every call cleanly (BYE or final answers on both legs), waits briefly for those steps to run, then
     * stops the stack.
     */
    @Override
    public void close() {
        for (SipCall call : registry.all(SipCall.class)) {
            call.hangUp("bridge shutting down");
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (registry.size() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        shutdownExecutors();
        sip.close();
        LOG.info("SIP side stopped");
    }

    private void shutdownExecutors() {
        timers.shutdownNow();
        workers.shutdown();
        try {
            if (!workers.awaitTermination(2, TimeUnit.SECONDS)) {
                workers.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            workers.shutdownNow();
        }
    }
}
