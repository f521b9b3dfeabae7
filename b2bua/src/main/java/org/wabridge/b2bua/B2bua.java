package org.wabridge.b2bua;

import gov.nist.javax.sip.DialogTimeoutEvent;
import gov.nist.javax.sip.RequestEventExt;
import gov.nist.javax.sip.ServerTransactionExt;
import gov.nist.javax.sip.SipListenerExt;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.sip.ClientTransaction;
import javax.sip.Dialog;
import javax.sip.DialogTerminatedEvent;
import javax.sip.IOExceptionEvent;
import javax.sip.ListeningPoint;
import javax.sip.RequestEvent;
import javax.sip.ResponseEvent;
import javax.sip.ServerTransaction;
import javax.sip.SipFactory;
import javax.sip.SipProvider;
import javax.sip.SipStack;
import javax.sip.TimeoutEvent;
import javax.sip.TransactionAlreadyExistsException;
import javax.sip.TransactionTerminatedEvent;
import javax.sip.address.AddressFactory;
import javax.sip.address.SipURI;
import javax.sip.header.CallIdHeader;
import javax.sip.header.FromHeader;
import javax.sip.header.Header;
import javax.sip.header.HeaderFactory;
import javax.sip.header.ToHeader;
import javax.sip.header.ViaHeader;
import javax.sip.message.MessageFactory;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.wabridge.b2bua.CallFailures.Outcome;
import org.wabridge.b2bua.SipTrace.Side;
import org.wabridge.b2bua.capture.CallCaptures;
import org.wabridge.b2bua.ops.FanOutObserver;
import org.wabridge.b2bua.causes.CauseCatalog;
import org.wabridge.b2bua.digest.DigestAlgorithm;
import org.wabridge.b2bua.digest.DigestClient;
import org.wabridge.b2bua.digest.DigestVerifier;
import org.wabridge.b2bua.events.CallObserver;
import org.wabridge.b2bua.sip.EdgeRouter;
import org.wabridge.b2bua.sip.HostResolver;
import org.wabridge.b2bua.sip.StackContext;
import org.wabridge.b2bua.sip.TlsContexts;
import org.wabridge.b2bua.sip.TlsNetworkLayer;
import org.wabridge.config.BridgeConfig;
import org.wabridge.config.BusinessNumber;
import org.wabridge.config.Cidr;
import org.wabridge.config.ListenPoint;
import org.wabridge.config.Normalizer;
import org.wabridge.config.Transport;
import org.wabridge.media.MediaRelay;

/**
 * The SIP side of the bridge: one JAIN-SIP stack with a PBX provider (UDP/TCP) and a Meta provider (TLS, or
 * UDP/TCP toward lab edges). It receives every SIP event, finds the call it belongs to and hands it over;
 * the calls themselves live in {@link BusinessCall}.
 */
public final class B2bua implements SipListenerExt, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(B2bua.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final BridgeConfig config;
    private final MediaRelay relay;
    private final StackContext context;
    private final SipStack stack;
    private final SipProvider pbx;
    private final SipProvider meta;
    private final AddressFactory addresses;
    private final HeaderFactory headers;
    private final MessageFactory messages;
    private final MetaRequests requests;
    private final PbxRequests pbxRequests;
    private final DigestVerifier metaVerifier;
    private final CallFailures failures;
    private final DigestClient digest = new DigestClient();
    private final CallRegistry registry = new CallRegistry();
    private final DailyPairLimit dailyLimit;
    private final ScheduledExecutorService scheduler;
    private final CallObserver observer;
    private final CallCaptures captures;
    private final SipTrace trace;
    private volatile boolean draining;

    private B2bua(BridgeConfig config, MediaRelay relay, StackContext context, SipStack stack, SipProvider pbx,
                  SipProvider meta, SipFactory factory, CauseCatalog catalog, CallObserver observer,
                  CallCaptures captures) throws Exception {
        this.config = config;
        this.relay = relay;
        this.context = context;
        this.stack = stack;
        this.pbx = pbx;
        this.meta = meta;
        this.addresses = factory.createAddressFactory();
        this.headers = factory.createHeaderFactory();
        this.messages = factory.createMessageFactory();
        this.requests = new MetaRequests(config.meta(), meta, addresses, headers, messages);
        this.pbxRequests = new PbxRequests(config.pbx(), pbx, addresses, headers, messages);
        byte[] nonceSecret = new byte[32];
        RANDOM.nextBytes(nonceSecret);
        this.metaVerifier = new DigestVerifier(config.meta().sipServerHostname(), nonceSecret, Clock.systemUTC(),
                Duration.ofMinutes(5));
        this.failures = new CallFailures(catalog);
        this.captures = captures;
        this.observer = new FanOutObserver(List.of(observer, captures)); // captures may be asked for at any time
        this.trace = new SipTrace(this.observer, captures, stack.getRouter(), side -> side == Side.PBX ? pbx : meta);
        this.dailyLimit = new DailyPairLimit(config.limits().dailyCallsPerUserPair(), Clock.systemUTC());
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "bridge-timers");
            t.setDaemon(true);
            return t;
        });
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
        StackContext context = null;
        SipStack stack = null;
        try {
            MetaRequests.EdgeUri edge = MetaRequests.EdgeUri.parse(config.meta().edgeUri());
            HostResolver resolver = new HostResolver();
            if (config.meta().edgeAddress() != null) {
                resolver.pin(edge.host(), InetAddress.getByName(config.meta().edgeAddress()));
            }
            SSLContext client = TlsContexts.client(pathOrNull(config.meta().tlsTrust()));
            SSLContext server = config.meta().listen().transport() == Transport.TLS
                    ? TlsContexts.server(Path.of(config.meta().tlsCertificate()), Path.of(config.meta().tlsKey()))
                    : null;
            int connectTimeout = (int) Math.min(5000, config.meta().noResponseTimeout().toMillis());
            context = StackContext.register(client, server, resolver, edge.host(), connectTimeout);

            SipFactory factory = SipFactory.getInstance();
            factory.setPathName("gov.nist");
            stack = factory.createSipStack(stackProperties(context));

            SipProvider pbxProvider = null;
            for (ListenPoint lp : config.pbx().listen()) {
                ListeningPoint point = stack.createListeningPoint(lp.host(), lp.port(), lp.transport().token());
                if (pbxProvider == null) {
                    pbxProvider = stack.createSipProvider(point);
                } else {
                    pbxProvider.addListeningPoint(point);
                }
            }
            ListenPoint ml = config.meta().listen();
            SipProvider metaProvider = stack.createSipProvider(
                    stack.createListeningPoint(ml.host(), ml.port(), ml.transport().token()));

            B2bua b2bua = new B2bua(config, relay, context, stack, pbxProvider, metaProvider, factory, catalog,
                    observer, captures);
            b2bua.scheduler.scheduleAtFixedRate(b2bua.dailyLimit::purge, 1, 1, TimeUnit.HOURS);
            pbxProvider.addSipListener(b2bua);
            metaProvider.addSipListener(b2bua);
            stack.start();
            LOG.info("listening for the PBX on {}, for Meta on {}; edge {}{}", config.pbx().listen(), ml,
                    config.meta().edgeUri(),
                    config.meta().edgeAddress() == null ? "" : " at " + config.meta().edgeAddress());
            return b2bua;
        } catch (BridgeException e) {
            cleanup(context, stack);
            throw e;
        } catch (Exception e) {
            cleanup(context, stack);
            throw new BridgeException("cannot start the SIP side: " + e.getMessage(), e);
        }
    }

    private static void cleanup(StackContext context, SipStack stack) {
        if (stack != null) {
            stack.stop();
        }
        if (context != null) {
            context.unregister();
        }
    }

    private static Path pathOrNull(String p) {
        return p == null ? null : Path.of(p);
    }

    private static Properties stackProperties(StackContext context) {
        Properties p = new Properties();
        p.setProperty("javax.sip.STACK_NAME", "wa-sip-bridge-" + context.id());
        p.setProperty("javax.sip.AUTOMATIC_DIALOG_SUPPORT", "on");
        p.setProperty("javax.sip.USE_ROUTER_FOR_ALL_URIS", "true");
        p.setProperty("javax.sip.ROUTER_PATH", EdgeRouter.class.getName());
        p.setProperty("gov.nist.javax.sip.NETWORK_LAYER", TlsNetworkLayer.class.getName());
        p.setProperty(StackContext.PROPERTY, context.id());
        // Meta must never be asked for a client certificate; protocols and suites are fixed in TlsNetworkLayer.
        p.setProperty("gov.nist.javax.sip.TLS_CLIENT_AUTH_TYPE", "Disabled");
        p.setProperty("gov.nist.javax.sip.TLS_CLIENT_PROTOCOLS", "TLSv1.3,TLSv1.2");
        p.setProperty("gov.nist.javax.sip.ENABLED_CIPHER_SUITES", String.join(",", modernCipherSuites()));
        // Milliseconds, whatever the RI javadoc says (it schedules a timer with the raw value).
        p.setProperty("gov.nist.javax.sip.SSL_HANDSHAKE_TIMEOUT", "5000");
        p.setProperty("gov.nist.javax.sip.REENTRANT_LISTENER", "true");
        p.setProperty("gov.nist.javax.sip.THREAD_POOL_SIZE", "16");
        p.setProperty("gov.nist.javax.sip.CACHE_CLIENT_CONNECTIONS", "true");
        p.setProperty("gov.nist.javax.sip.MAX_MESSAGE_SIZE", "65536");
        p.setProperty("gov.nist.javax.sip.TRACE_LEVEL", "0");
        p.setProperty("gov.nist.javax.sip.LOG_MESSAGE_CONTENT", "false");
        return p;
    }

    /** The JVM's enabled suites minus anything legacy: AEAD only (TLS 1.3 suites and ECDHE-GCM/ChaCha). */
    private static List<String> modernCipherSuites() {
        try {
            List<String> out = new ArrayList<>();
            for (String s : SSLContext.getDefault().getDefaultSSLParameters().getCipherSuites()) {
                if (s.startsWith("TLS_AES_") || s.startsWith("TLS_CHACHA20_")
                        || (s.startsWith("TLS_ECDHE_") && (s.contains("_GCM_") || s.contains("CHACHA20")))) {
                    out.add(s);
                }
            }
            return out;
        } catch (Exception e) {
            throw new IllegalStateException("no default TLS context", e);
        }
    }

    // ------------------------------------------------------------ accessors

    BridgeConfig config() { return config; }
    MediaRelay relay() { return relay; }
    SipProvider pbx() { return pbx; }
    SipProvider meta() { return meta; }
    HeaderFactory headers() { return headers; }
    MetaRequests requests() { return requests; }
    PbxRequests pbxRequests() { return pbxRequests; }
    CallFailures failures() { return failures; }
    DigestClient digest() { return digest; }
    CallRegistry registry() { return registry; }
    DailyPairLimit dailyLimit() { return dailyLimit; }
    ScheduledExecutorService scheduler() { return scheduler; }
    CallObserver observer() { return observer; }
    CallCaptures captures() { return captures; }
    SipTrace trace() { return trace; }
    String edgeHost() { return requests.edge().host(); }

    /** Calls in progress (any state but ended). */
    public int activeCalls() {
        return registry.size();
    }

    /** New INVITEs get 503 from now on; calls in progress go on (graceful stop). */
    public void drain() {
        draining = true;
        LOG.info("draining: new calls are refused with 503, {} call(s) in progress continue", registry.size());
    }

    /** Ready to take calls: started and not draining. */
    public boolean ready() {
        return !draining;
    }

    /** Runs {@code action} with the call's ids in the logging context (relay and timer threads). */
    void inCallContext(BridgedCall call, Runnable action) {
        MDC.put("call", call.callId());
        try {
            action.run();
        } catch (RuntimeException e) {
            LOG.error("unexpected error in call handling", e);
        } finally {
            MDC.clear();
        }
    }

    // ------------------------------------------------------------- requests

    @Override
    public void processRequest(RequestEvent event) {
        Request request = event.getRequest();
        Side side = event.getSource() == pbx ? Side.PBX : Side.META;
        BridgedCall known = callOf(event.getDialog());
        MDC.put("call", known != null ? known.callId() : callIdOf(request));
        try {
            trace.received(side, request);
            if (side == Side.PBX) {
                fromPbx(event);
            } else {
                fromMeta(event);
            }
        } catch (RuntimeException e) {
            LOG.error("unexpected error handling {}", request.getMethod(), e);
            respond(event, Response.SERVER_INTERNAL_ERROR, null);
        } finally {
            MDC.clear();
        }
    }

    private void fromPbx(RequestEvent event) {
        Request request = event.getRequest();
        BridgedCall call = callOf(event.getDialog());
        switch (request.getMethod()) {
            case Request.ACK -> { /* the dialog layer absorbs ACKs to our answers */ }
            case Request.INVITE -> {
                if (!hasToTag(request)) {
                    newPbxInvite(event);
                } else {
                    inDialog(call, event, c -> c.onReoffer(Side.PBX, withTransaction(event)));
                }
            }
            case Request.UPDATE -> inDialog(call, event, c -> c.onReoffer(Side.PBX, withTransaction(event)));
            case Request.BYE -> inDialog(call, event, c -> c.onBye(Side.PBX, withTransaction(event)));
            case Request.CANCEL -> onCancel(Side.PBX, event);
            case Request.OPTIONS -> respond(event, Response.OK, null); // PBX trunk qualify
            case Request.INFO -> inDialog(call, event, c -> respond(event, Response.OK, null));
            default -> respond(event, Response.METHOD_NOT_ALLOWED, null);
        }
    }

    private void fromMeta(RequestEvent event) {
        Request request = event.getRequest();
        BridgedCall call = callOf(event.getDialog());
        switch (request.getMethod()) {
            case Request.ACK -> { }
            case Request.INVITE -> {
                if (!hasToTag(request)) {
                    newMetaInvite(event);
                } else {
                    inDialog(call, event, c -> c.onReoffer(Side.META, withTransaction(event)));
                }
            }
            case Request.BYE -> inDialog(call, event, c -> c.onBye(Side.META, withTransaction(event)));
            case Request.CANCEL -> onCancel(Side.META, event);
            case Request.OPTIONS -> respond(event, Response.OK, null);
            case Request.NOTIFY -> inDialog(call, event, c -> respond(event, Response.OK, null));
            default -> respond(event, Response.METHOD_NOT_ALLOWED, null);
        }
    }

    /** Hands an in-dialog request to its call, or answers 481 when the dialog is unknown. */
    private void inDialog(BridgedCall call, RequestEvent event, java.util.function.Consumer<BridgedCall> action) {
        if (call != null) {
            action.accept(call);
        } else {
            respond(event, Response.CALL_OR_TRANSACTION_DOES_NOT_EXIST, null);
        }
    }

    private void newPbxInvite(RequestEvent event) {
        Request invite = event.getRequest();
        if (draining) {
            refuseWhileDraining(event);
            return;
        }
        String source = ((RequestEventExt) event).getRemoteIpAddress();
        if (!allowed(config.pbx().allowedSources(), source)) {
            Outcome outcome = failures.local("local.source-not-allowed");
            LOG.warn(failures.logLine(callIdOf(invite), null, 403, "INVITE from " + source
                    + " is not in pbx.allowedSources", outcome));
            refuse(event, outcome.answer().sipCode(), outcome.answer().phrase(), outcome.reasons(),
                    outcome.answer().retryAfterSeconds());
            return;
        }
        ServerTransaction tx;
        try {
            tx = event.getServerTransaction() != null ? event.getServerTransaction() : pbx.getNewServerTransaction(invite);
        } catch (TransactionAlreadyExistsException e) {
            return; // a retransmission of an INVITE we are handling
        } catch (Exception e) {
            LOG.warn("cannot create a transaction for the INVITE: {}", e.toString());
            return;
        }
        String toTag = newTag();
        SipURI requestUri = invite.getRequestURI() instanceof SipURI s ? s : null;
        String dialled = requestUri == null ? null : requestUri.getUser();
        if (dialled == null || dialled.isBlank()) {
            respond(tx, Response.ADDRESS_INCOMPLETE, "No WhatsApp user in the Request-URI", toTag, null,
                    List.of("Q.850;cause=28;text=\"INVALID_NUMBER_FORMAT\""), null);
            return;
        }
        String waUser = Normalizer.toE164(dialled, config.pbx().numberRules());
        if (!Normalizer.isE164(waUser) && !Normalizer.isBsuid(waUser)) {
            LOG.warn("call refused: '{}' is neither an E.164 number nor a WhatsApp BSUID after number rules", dialled);
            respond(tx, Response.ADDRESS_INCOMPLETE, "Not an E.164 number: " + dialled, toTag, null,
                    List.of("Q.850;cause=28;text=\"INVALID_NUMBER_FORMAT\""), null);
            return;
        }
        Optional<BusinessNumber> number = businessNumberFor(invite);
        if (number.isEmpty()) {
            Outcome outcome = failures.local("local.unknown-business-number");
            LOG.warn(failures.logLine(callIdOf(invite), null, outcome.answer().sipCode(), "From '"
                    + ((FromHeader) invite.getHeader(FromHeader.NAME)).getAddress().getURI()
                    + "' is not a configured business number and pbx.defaultBusinessNumber is not set", outcome));
            respond(tx, outcome.answer().sipCode(), outcome.answer().phrase(), toTag, null, outcome.reasons(),
                    outcome.answer().retryAfterSeconds());
            return;
        }
        Optional<Duration> wait = dailyLimit.waitBeforeNextCall(number.get().number(), waUser);
        if (wait.isPresent()) {
            Outcome outcome = failures.local("local.daily-limit");
            long seconds = Math.max(1, wait.get().toSeconds());
            LOG.warn(failures.logLine(callIdOf(invite), null, outcome.answer().sipCode(), number.get().number() + " and "
                    + waUser + " already had " + config.limits().dailyCallsPerUserPair()
                    + " connected calls in 24 h; next allowed in " + seconds + " s", outcome));
            respond(tx, outcome.answer().sipCode(), outcome.answer().phrase(), toTag, null, outcome.reasons(),
                    (int) Math.min(Integer.MAX_VALUE, seconds));
            return;
        }
        if (!registry.tryReserve(number.get().number(), config.limits().maxCallsPerNumber())) {
            Outcome outcome = failures.local("local.concurrent-limit");
            LOG.warn(failures.logLine(callIdOf(invite), null, outcome.answer().sipCode(), number.get().number()
                    + " is at its limit of " + config.limits().maxCallsPerNumber() + " concurrent call(s)", outcome));
            respond(tx, outcome.answer().sipCode(), outcome.answer().phrase(), toTag, null, outcome.reasons(),
                    outcome.answer().retryAfterSeconds());
            return;
        }
        BusinessCall call = register(number.get(), () -> new BusinessCall(this, tx, number.get(), waUser));
        call.start();
    }

    /** Creates the call of a reserved slot and registers it; gives the slot back if creation fails. */
    private <C extends BridgedCall> C register(BusinessNumber number, java.util.function.Supplier<C> create) {
        C call;
        try {
            call = create.get();
        } catch (RuntimeException e) {
            registry.release(number.number());
            throw e;
        }
        registry.add(call.callId(), call);
        return call;
    }

    private static boolean allowed(List<Cidr> networks, String ip) {
        try {
            InetAddress address = InetAddress.getByName(ip);
            for (Cidr cidr : networks) {
                if (cidr.contains(address)) {
                    return true;
                }
            }
        } catch (Exception e) {
            LOG.warn("bad source address {}", ip);
        }
        return false;
    }

    /** The From user if it is a configured business number, else the configured default. */
    private Optional<BusinessNumber> businessNumberFor(Request invite) {
        javax.sip.address.URI from = ((FromHeader) invite.getHeader(FromHeader.NAME)).getAddress().getURI();
        String caller = from instanceof SipURI s && s.getUser() != null
                ? Normalizer.toE164(s.getUser(), config.pbx().numberRules()) : "";
        String fallback = config.pbx().defaultBusinessNumber();
        BusinessNumber byDefault = null;
        for (BusinessNumber n : config.meta().numbers()) {
            if (n.number().equals(caller)) {
                return Optional.of(n);
            }
            if (n.number().equals(fallback)) {
                byDefault = n;
            }
        }
        return Optional.ofNullable(byDefault);
    }

    private void onCancel(Side side, RequestEvent event) {
        ServerTransaction cancelTx = withTransaction(event).getServerTransaction();
        if (cancelTx == null) {
            return;
        }
        ServerTransaction inviteTx = ((ServerTransactionExt) cancelTx).getCanceledInviteTransaction();
        if (inviteTx != null && inviteTx.getApplicationData() instanceof BridgedCall call) {
            respond(cancelTx, Response.OK, null, null, null, List.of(), null);
            call.onCancel(side);
        } else {
            respond(cancelTx, Response.CALL_OR_TRANSACTION_DOES_NOT_EXIST, null, null, null, List.of(), null);
        }
    }

    // ----------------------------------------------------- user-initiated

    private void newMetaInvite(RequestEvent event) {
        Request invite = event.getRequest();
        String source = ((RequestEventExt) event).getRemoteIpAddress();
        if (draining) {
            refuseWhileDraining(event);
            return;
        }
        if (!allowed(config.meta().allowedSources(), source)) {
            LOG.warn("INVITE from {} refused with 403: not in meta.allowedSources (Meta's published ranges by default)",
                    source);
            respond(event, Response.FORBIDDEN, "Source address not allowed");
            return;
        }
        ServerTransaction tx;
        try {
            tx = event.getServerTransaction() != null ? event.getServerTransaction() : meta.getNewServerTransaction(invite);
        } catch (TransactionAlreadyExistsException e) {
            return;
        } catch (Exception e) {
            LOG.warn("cannot create a transaction for Meta's INVITE: {}", e.toString());
            return;
        }
        String toTag = newTag();
        // The stack sets aside a header it cannot parse: our 200 OK would lack Meta's route, Meta's ACK would never
        // arrive and the call would drop after about 32 s. Refuse such an INVITE at once instead.
        String badRecordRoute = null;
        java.util.ListIterator<String> unparsed =
                ((gov.nist.javax.sip.message.SIPMessage) invite).getUnrecognizedHeaders();
        while (badRecordRoute == null && unparsed != null && unparsed.hasNext()) {
            String line = unparsed.next().trim();
            if (line.regionMatches(true, 0, "Record-Route", 0, "Record-Route".length())) {
                badRecordRoute = line;
            }
        }
        if (badRecordRoute != null) {
            LOG.warn("INVITE from {} refused with 400: its Record-Route cannot be parsed ('{}'); something between "
                    + "Meta and the bridge damages SIP headers (an SBC or load balancer rewriting them?)", source,
                    badRecordRoute);
            respond(tx, Response.BAD_REQUEST, "Malformed Record-Route", toTag, null, List.of(), null);
            return;
        }
        String user = invite.getRequestURI() instanceof SipURI s ? s.getUser() : null;
        // Meta appends the configured request_uri_user_params to the user part: +1555...;tgrp=wacall;...
        String dialled = user == null ? "" : Normalizer.toE164(user.split(";", 2)[0], List.of());
        Optional<BusinessNumber> number = config.meta().numbers().stream().filter(n -> n.number().equals(dialled))
                .findFirst();
        if (number.isEmpty()) {
            LOG.warn("INVITE from Meta for '{}' refused with 404: not a configured business number", user);
            respond(tx, Response.NOT_FOUND, "Business number not configured", toTag, null, List.of(), null);
            return;
        }
        if (pbxRequests.targetOf(number.get()) == null) {
            LOG.warn("INVITE for {} refused with 480: neither meta.numbers[].pbxTarget nor pbx.target is set",
                    dialled);
            respond(tx, Response.TEMPORARILY_UNAVAILABLE, "No PBX target configured", toTag, null, List.of(), null);
            return;
        }
        if (!authenticated(tx, number.get(), toTag)) {
            return;
        }
        String caller = ((FromHeader) invite.getHeader(FromHeader.NAME)).getAddress().getURI() instanceof SipURI f
                && f.getUser() != null ? f.getUser() : "anonymous";
        if (!registry.tryReserve(dialled, config.limits().maxCallsPerNumber())) {
            LOG.warn("INVITE for {} refused with 503: {} calls already in progress", dialled,
                    config.limits().maxCallsPerNumber());
            respond(tx, Response.SERVICE_UNAVAILABLE, "Concurrent call limit reached", toTag, null, List.of(), null);
            return;
        }
        UserCall call = register(number.get(), () -> new UserCall(this, tx, number.get(), caller));
        call.start();
    }

    /**
     * Meta answers a digest challenge with the number's SIP password (Meta's recommended set-up). Returns true
     * when the INVITE may proceed; otherwise it has been answered (challenge or 403).
     */
    private boolean authenticated(ServerTransaction tx, BusinessNumber number, String toTag) {
        int mode = config.meta().inboundChallenge();
        if (mode == 0) {
            return true;
        }
        String credentialsHeader = mode == 407 ? "Proxy-Authorization" : "Authorization";
        String challengeHeader = mode == 407 ? "Proxy-Authenticate" : "WWW-Authenticate";
        Header credentials = tx.getRequest().getHeader(credentialsHeader);
        boolean stale = false;
        if (credentials != null) {
            DigestVerifier.Verdict verdict = metaVerifier.verify(((gov.nist.javax.sip.header.SIPHeader) credentials)
                    .getHeaderValue(), Request.INVITE, number.digestUsername(), number.password());
            switch (verdict) {
                case OK -> {
                    return true;
                }
                case WRONG_USERNAME, WRONG_RESPONSE -> {
                    LOG.warn("Meta's digest answer for {} rejected with 403: {}", number.number(), verdict.explanation());
                    respond(tx, Response.FORBIDDEN, "Invalid digest auth response", toTag, null, List.of(), null);
                    return false;
                }
                case STALE_NONCE -> stale = true;
                default -> LOG.info("digest answer not usable ({}): challenging again", verdict.explanation());
            }
        }
        try {
            Response challenge = messages.createResponse(mode, tx.getRequest());
            ((ToHeader) challenge.getHeader(ToHeader.NAME)).setTag(toTag);
            challenge.addHeader(headers.createHeader(challengeHeader, metaVerifier.challenge(DigestAlgorithm.MD5, stale)));
            trace.sent(Side.META, challenge);
            tx.sendResponse(challenge);
        } catch (Exception e) {
            LOG.warn("cannot challenge Meta's INVITE: {}", e.toString());
        }
        return false;
    }

    // ------------------------------------------------------------ responses

    @Override
    public void processResponse(ResponseEvent event) {
        Response response = event.getResponse();
        Side side = event.getSource() == pbx ? Side.PBX : Side.META;
        BridgedCall call = callOf(event.getClientTransaction(), event.getDialog());
        MDC.put("call", call != null ? call.callId() : callIdOf(response));
        try {
            trace.received(side, response);
            if (call != null) {
                call.onResponse(side, event);
            }
        } catch (RuntimeException e) {
            LOG.error("unexpected error handling a {} response", response.getStatusCode(), e);
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
        BridgedCall call = callOf(ct, null);
        if (call != null && Request.INVITE.equals(ct.getRequest().getMethod())) {
            inCallContext(call, () -> call.transportFailed(new java.io.IOException("INVITE transaction timed out")));
        }
    }

    @Override
    public void processIOException(IOExceptionEvent event) {
        LOG.warn("transport error toward {}:{} over {}", event.getHost(), event.getPort(), event.getTransport());
        if (!isEdge(event.getHost())) {
            return;
        }
        // JAIN-SIP does not say which transaction failed: calls still waiting for a first answer from the edge
        // are the ones the error belongs to.
        for (BridgedCall call : registry.all()) {
            if (call instanceof BusinessCall business) {
                inCallContext(call, () -> business.edgeIoFailed(event.getHost() + ":" + event.getPort()));
            }
        }
    }

    @Override
    public void processTransactionTerminated(TransactionTerminatedEvent event) { }

    @Override
    public void processDialogTerminated(DialogTerminatedEvent event) { }

    @Override
    public void processDialogTimeout(DialogTimeoutEvent event) {
        BridgedCall call = callOf(event.getDialog());
        if (call != null && event.getReason() == DialogTimeoutEvent.Reason.AckNotReceived) {
            Side side = ((gov.nist.javax.sip.stack.SIPDialog) event.getDialog()).getSipProvider() == pbx ? Side.PBX : Side.META;
            inCallContext(call, () -> call.onAckTimeout(side));
        }
    }

    // --------------------------------------------------------------- helpers


    private boolean isEdge(String host) {
        try {
            return context.resolver().resolve(edgeHost()).equals(InetAddress.getByName(host));
        } catch (Exception e) {
            return false;
        }
    }

    private static BridgedCall callOf(Dialog dialog) {
        return dialog != null && dialog.getApplicationData() instanceof BridgedCall c ? c : null;
    }

    private static BridgedCall callOf(ClientTransaction ct, Dialog dialog) {
        if (ct != null && ct.getApplicationData() instanceof BridgedCall c) {
            return c;
        }
        return callOf(dialog);
    }

    /** Makes sure an in-dialog request has a server transaction to answer on. */
    private RequestEvent withTransaction(RequestEvent event) {
        if (event.getServerTransaction() != null) {
            return event;
        }
        try {
            SipProvider provider = (SipProvider) event.getSource();
            ServerTransaction st = provider.getNewServerTransaction(event.getRequest());
            return new RequestEvent(provider, st, event.getDialog(), event.getRequest());
        } catch (Exception e) {
            LOG.debug("no server transaction for {}: {}", event.getRequest().getMethod(), e.toString());
            return event;
        }
    }

    /** 503 with Retry-After: another bridge node (or this one after restart) should take the call. */
    private void refuseWhileDraining(RequestEvent event) {
        refuse(event, Response.SERVICE_UNAVAILABLE, "Bridge is shutting down",
                List.of("Q.850;cause=42;text=\"SWITCHING_EQUIPMENT_CONGESTION\""), 30);
    }

    /** Refuses a request statelessly (no call state) with a final answer, Reason headers and Retry-After. */
    private void refuse(RequestEvent event, int code, String phrase, List<String> reasons, Integer retryAfter) {
        try {
            Response response = messages.createResponse(code, event.getRequest());
            response.setReasonPhrase(phrase);
            ((ToHeader) response.getHeader(ToHeader.NAME)).setTag(newTag());
            for (String reason : reasons) {
                response.addHeader(headers.createHeader("Reason", reason));
            }
            if (retryAfter != null) {
                response.addHeader(headers.createRetryAfterHeader(retryAfter));
            }
            trace.sent(event.getSource() == pbx ? Side.PBX : Side.META, response);
            ((SipProvider) event.getSource()).sendResponse(response);
        } catch (Exception e) {
            LOG.warn("cannot refuse {} with {}: {}", event.getRequest().getMethod(), code, e.toString());
        }
    }

    /** Answers a request; statelessly when it has no transaction. */
    void respond(RequestEvent event, int code, String phrase) {
        ServerTransaction tx = event.getServerTransaction();
        if (tx != null) {
            respond(tx, code, phrase, hasToTag(event.getRequest()) ? null : newTag(), null, List.of(), null);
            return;
        }
        try {
            Response response = messages.createResponse(code, event.getRequest());
            if (phrase != null) {
                response.setReasonPhrase(phrase);
            }
            if (!hasToTag(event.getRequest()) && code > 100) {
                ((ToHeader) response.getHeader(ToHeader.NAME)).setTag(newTag());
            }
            Side side = event.getSource() == pbx ? Side.PBX : Side.META;
            trace.sent(side, response);
            ((SipProvider) event.getSource()).sendResponse(response);
        } catch (Exception e) {
            LOG.warn("cannot answer {} with {}: {}", event.getRequest().getMethod(), code, e.toString());
        }
    }

    /**
     * Sends a response on a server transaction.
     *
     * @param toTag  our tag for a dialog-forming response (null keeps the request's To)
     * @param sdp    body, or null
     * @param reasons Reason header values
     */
    void respond(ServerTransaction tx, int code, String phrase, String toTag, String sdp, List<String> reasons,
                 Integer retryAfter) {
        try {
            Request request = tx.getRequest();
            Response response = messages.createResponse(code, request);
            if (phrase != null) {
                response.setReasonPhrase(phrase);
            }
            ToHeader to = (ToHeader) response.getHeader(ToHeader.NAME);
            if (code > 100 && to.getTag() == null) {
                to.setTag(toTag != null ? toTag : newTag());
            }
            boolean pbxSide = ((gov.nist.javax.sip.stack.SIPTransaction) tx).getSipProvider() == pbx;
            if (code > 100 && code < 300 && Request.INVITE.equals(request.getMethod())) {
                response.addHeader(headers.createContactHeader(pbxSide ? pbxContact(request) : requests.contact(toUser(request))));
            }
            for (String reason : reasons) {
                response.addHeader(headers.createHeader("Reason", reason));
            }
            if (retryAfter != null) {
                response.addHeader(headers.createRetryAfterHeader(retryAfter));
            }
            if (sdp != null) {
                response.setContent(sdp, headers.createContentTypeHeader("application", "sdp"));
            }
            trace.sent(pbxSide ? Side.PBX : Side.META, response);
            tx.sendResponse(response);
        } catch (Exception e) {
            LOG.warn("cannot send {} {}: {}", code, phrase == null ? "" : phrase, e.toString());
        }
    }

    private javax.sip.address.Address pbxContact(Request request) throws java.text.ParseException {
        ListeningPoint lp = pbx.getListeningPoint(viaTransport(request));
        if (lp == null) {
            lp = pbx.getListeningPoints()[0];
        }
        SipURI uri = addresses.createSipURI("bridge", lp.getIPAddress());
        uri.setPort(lp.getPort());
        uri.setTransportParam(lp.getTransport().toLowerCase());
        return addresses.createAddress(uri);
    }

    /** The To user without user-part parameters (Meta: +1555...;tgrp=...), for our Contact toward Meta. */
    private static String toUser(Request request) {
        javax.sip.address.URI uri = ((ToHeader) request.getHeader(ToHeader.NAME)).getAddress().getURI();
        String user = uri instanceof SipURI s ? s.getUser() : null;
        return user == null ? "bridge" : user.split(";", 2)[0];
    }

    private static String viaTransport(Request request) {
        ViaHeader via = (ViaHeader) request.getHeader(ViaHeader.NAME);
        return via == null ? "udp" : via.getTransport().toLowerCase();
    }

    static String callIdOf(javax.sip.message.Message message) {
        CallIdHeader h = (CallIdHeader) message.getHeader(CallIdHeader.NAME);
        return h == null ? "-" : h.getCallId();
    }

    private static boolean hasToTag(Request request) {
        ToHeader to = (ToHeader) request.getHeader(ToHeader.NAME);
        return to != null && to.getTag() != null;
    }

    static String newTag() {
        byte[] b = new byte[6];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    // -------------------------------------------------------------- shutdown

    /** Ends every call cleanly (BYE/final answers on both legs), then stops the stack. */
    @Override
    public void close() {
        for (BridgedCall call : registry.all()) {
            inCallContext(call, () -> call.hangUp("bridge shutting down"));
        }
        scheduler.shutdownNow();
        try {
            scheduler.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        gov.nist.javax.sip.EventScanner scanner = ((gov.nist.javax.sip.SipStackImpl) stack).getEventScanner();
        stack.stop();
        if (scanner != null) {
            // JAIN-SIP RI 1.3.0-91 bug: stop() leaves its (non-daemon) event thread blocked in take(); one no-op
            // event lets it see that it was stopped and exit.
            scanner.addEvent(new gov.nist.javax.sip.EventWrapper(new DialogTerminatedEvent(pbx, null), null));
        }
        context.unregister();
        LOG.info("SIP side stopped");
    }
}
