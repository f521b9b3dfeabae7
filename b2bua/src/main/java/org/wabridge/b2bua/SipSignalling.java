package org.wabridge.b2bua;

import gov.nist.javax.sip.ListeningPointExt;
import gov.nist.javax.sip.stack.SIPDialog;
import java.net.InetAddress;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.sip.ClientTransaction;
import javax.sip.Dialog;
import javax.sip.DialogTerminatedEvent;
import javax.sip.ListeningPoint;
import javax.sip.RequestEvent;
import javax.sip.ServerTransaction;
import javax.sip.SipFactory;
import javax.sip.SipListener;
import javax.sip.SipProvider;
import javax.sip.SipStack;
import javax.sip.address.AddressFactory;
import javax.sip.address.SipURI;
import javax.sip.header.CSeqHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.HeaderFactory;
import javax.sip.header.ToHeader;
import javax.sip.header.ViaHeader;
import javax.sip.message.Message;
import javax.sip.message.MessageFactory;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.wabridge.b2bua.SipTrace.Side;
import org.wabridge.b2bua.capture.CallCaptures;
import org.wabridge.b2bua.events.CallObserver;
import org.wabridge.b2bua.sip.EdgeRouter;
import org.wabridge.b2bua.sip.HandshakeVerifiedPolicy;
import org.wabridge.b2bua.sip.HostResolver;
import org.wabridge.b2bua.sip.LiteralHopResolver;
import org.wabridge.b2bua.sip.MetaConnectionGuard;
import org.wabridge.b2bua.sip.StackContext;
import org.wabridge.b2bua.sip.TlsContexts;
import org.wabridge.b2bua.sip.TlsNetworkLayer;
import org.wabridge.b2bua.sip.TlsPolicy;
import org.wabridge.config.BridgeConfig;
import org.wabridge.config.IpLiterals;
import org.wabridge.config.ListenPoint;
import org.wabridge.config.Transport;

/**
 * The SIP stack and its two transports: a PBX provider (UDP/TCP) and a Meta provider (TLS, or UDP/TCP toward lab
 * edges), the message factories, and the few ways the bridge sends: responses, ACK, CANCEL, BYE, each traced
 * on the ladder and in captures. It holds no call state.
 */
final class SipSignalling implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SipSignalling.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final StackContext context;
    private final SipStack stack;
    private final SipProvider pbx;
    private final SipProvider meta;
    private final AddressFactory addresses;
    private final HeaderFactory headers;
    private final MessageFactory messages;
    private final MetaRequests metaRequests;
    private final PbxRequests pbxRequests;
    private final SipTrace trace;
    private LiteralHopResolver hopResolver;

    private SipSignalling(BridgeConfig config, StackContext context, SipStack stack, SipProvider pbx, SipProvider meta,
                          SipFactory factory, CallObserver observer, CallCaptures captures) throws Exception {
        this.context = context;
        this.stack = stack;
        this.pbx = pbx;
        this.meta = meta;
        this.addresses = factory.createAddressFactory();
        this.headers = factory.createHeaderFactory();
        this.messages = factory.createMessageFactory();
        this.metaRequests = new MetaRequests(config.meta(), meta, addresses, headers, messages);
        this.pbxRequests = new PbxRequests(config.pbx(), pbx, addresses, headers, messages);
        this.trace = new SipTrace(observer, captures, stack.getRouter(), side -> side == Side.PBX ? pbx : meta);
    }

    /**
     * Creates the stack and binds both providers; {@code listener} gets every event once {@link #start} runs.
     *
     * @throws BridgeException with an admin-readable message when a listener or TLS material cannot be set up
     */
    static SipSignalling open(BridgeConfig config, CallObserver observer, CallCaptures captures)
            throws BridgeException {
        return open(config, observer, captures, new HostResolver());
    }

    /** As above, with the resolver of peer host names (tests: a fake DNS). */
    static SipSignalling open(BridgeConfig config, CallObserver observer, CallCaptures captures,
                              HostResolver resolver) throws BridgeException {
        StackContext context = null;
        SipStack stack = null;
        try {
            MetaRequests.EdgeUri edge = MetaRequests.EdgeUri.parse(config.meta().edgeUri());
            if (config.meta().edgeAddress() != null) {
                resolver.pin(edge.host(), InetAddress.getByName(config.meta().edgeAddress()));
            }
            SSLContext client = TlsContexts.client(pathOrNull(config.meta().tlsTrust()));
            SSLContext server = config.meta().listen().transport() == Transport.TLS
                    ? TlsContexts.server(Path.of(config.meta().tlsCertificate()), Path.of(config.meta().tlsKey()))
                    : null;
            int connectTimeout = (int) Math.min(5000, config.meta().noResponseTimeout().toMillis());
            ListenPoint metaListen = config.meta().listen();
            MetaConnectionGuard metaListener = new MetaConnectionGuard(config.meta().allowedSources(),
                    config.meta().listenerLimits(), metaListen.transport() == Transport.TCP ? metaListen.port() : -1,
                    StackContext.HANDSHAKE_TIMEOUT_MILLIS);
            context = StackContext.register(client, server, resolver, edge.host(), connectTimeout, metaListener);

            SipFactory factory = SipFactory.getInstance();
            factory.setPathName("gov.nist");
            stack = factory.createSipStack(stackProperties(context));
            // hosts taken from messages (Via sent-by, a connection's advertised address) are never looked up
            LiteralHopResolver hops = new LiteralHopResolver();
            ((gov.nist.javax.sip.SipStackImpl) stack).setAddressResolver(hops);

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
            SipSignalling signalling = new SipSignalling(config, context, stack, pbxProvider, metaProvider, factory,
                    observer, captures);
            signalling.hopResolver = hops;
            return signalling;
        } catch (BridgeException e) {
            cleanup(context, stack);
            throw e;
        } catch (Exception e) {
            cleanup(context, stack);
            throw new BridgeException("cannot start the SIP side: " + e.getMessage(), e);
        }
    }

    /** Hands every SIP event to {@code listener} and starts the stack's threads. */
    void start(SipListener listener) throws BridgeException {
        try {
            pbx.addSipListener(listener);
            meta.addSipListener(listener);
            stack.start();
        } catch (Exception e) {
            close();
            throw new BridgeException("cannot start the SIP side: " + e.getMessage(), e);
        }
    }

    private static void cleanup(StackContext context, SipStack stack) {
        if (stack != null) {
            stop(stack); // a failure here must not hide why the start failed, which the caller throws next
        }
        if (context != null) {
            context.unregister();
        }
    }

    /**
     * Stops JAIN-SIP's stack, which can throw on the way: UDPMessageProcessor.stop walks its channels while their
     * threads, seeing the socket closed, remove themselves (a ConcurrentModificationException; an NPE on a
     * half-built stack). That aborted the stop before the TLS and TCP listeners, the timer and the parser threads
     * were stopped. The stack takes each listener out of its list before stopping it, so stopping again goes on
     * with the rest.
     */
    static void stop(SipStack stack) {
        for (int attempt = 1; ; attempt++) {
            try {
                stack.stop();
                return;
            } catch (RuntimeException e) {
                if (attempt == 3) {
                    LOG.warn("the SIP stack did not stop cleanly: {}", e.toString());
                    return;
                }
                LOG.debug("stopping the SIP stack threw {}; stopping the rest", e.toString());
            }
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
        p.setProperty("gov.nist.javax.sip.MESSAGE_PROCESSOR_FACTORY",
                org.wabridge.b2bua.sip.KeepAliveTcpProcessors.class.getName());
        p.setProperty("gov.nist.javax.sip.MESSAGE_PARSER_FACTORY",
                org.wabridge.b2bua.sip.CompleteMessageParser.class.getName());
        p.setProperty("gov.nist.javax.sip.TLS_SECURITY_POLICY", HandshakeVerifiedPolicy.class.getName());
        p.setProperty(StackContext.PROPERTY, context.id());
        // Meta must never be asked for a client certificate; protocols and suites are fixed in TlsNetworkLayer.
        p.setProperty("gov.nist.javax.sip.TLS_CLIENT_AUTH_TYPE", "Disabled");
        p.setProperty("gov.nist.javax.sip.TLS_CLIENT_PROTOCOLS", String.join(",", TlsPolicy.protocols()));
        p.setProperty("gov.nist.javax.sip.ENABLED_CIPHER_SUITES", String.join(",", TlsPolicy.cipherSuites()));
        // Milliseconds, whatever the RI javadoc says (it schedules a timer with the raw value). Its watchdog closes
        // the socket from a timer thread; the accepted socket's own read timeout is what reliably ends a stalled
        // handshake (AcceptedTlsSocket).
        p.setProperty("gov.nist.javax.sip.SSL_HANDSHAKE_TIMEOUT", Integer.toString(StackContext.HANDSHAKE_TIMEOUT_MILLIS));
        // The listener only posts events to the calls' queues, so the stack's threads never wait on a call.
        p.setProperty("gov.nist.javax.sip.REENTRANT_LISTENER", "true");
        // JAIN-SIP's own timer woke its thread for nearly every one of a call's timer tasks; this one lets the tasks
        // of a 20 ms slot share a wake-up (BENCHMARKS.md, "The SIP stack's timer").
        p.setProperty("gov.nist.javax.sip.TIMER_CLASS_NAME", org.wabridge.b2bua.sip.CoalescingSipTimer.class.getName());
        p.setProperty("gov.nist.javax.sip.THREAD_POOL_SIZE", "16");
        p.setProperty("gov.nist.javax.sip.CACHE_CLIENT_CONNECTIONS", "true");
        // A dialog and its transactions otherwise keep every parsed message of the call for its whole life.
        p.setProperty("gov.nist.javax.sip.RELEASE_REFERENCES_STRATEGY", "Normal");
        p.setProperty("gov.nist.javax.sip.MAX_MESSAGE_SIZE", "65536");
        p.setProperty("gov.nist.javax.sip.TRACE_LEVEL", "0");
        p.setProperty("gov.nist.javax.sip.LOG_MESSAGE_CONTENT", "false");
        return withOverrides(p, System.getProperties());
    }

    /**
     * Tuning without a rebuild: a JVM option {@code -Dgov.nist.javax.sip.NAME=value} replaces the stack property
     * of that name (thread pools, timer class, message size; see docs/OPERATIONS.md). Other names are ignored.
     */
    static Properties withOverrides(Properties stack, Properties jvm) {
        for (String name : jvm.stringPropertyNames()) {
            if (name.startsWith("gov.nist.javax.sip.")) {
                stack.setProperty(name, jvm.getProperty(name));
            }
        }
        return stack;
    }

    // ------------------------------------------------------------ accessors

    /** The Meta listener's connection guard: its counters feed /metrics. */
    MetaConnectionGuard metaListener() {
        return context.metaListener();
    }

    SipProvider provider(Side side) {
        return side == Side.PBX ? pbx : meta;
    }

    Side sideOf(Object provider) {
        return provider == pbx ? Side.PBX : Side.META;
    }

    HeaderFactory headers() { return headers; }

    /** Host names from messages the stack asked to resolve and did not get (see LiteralHopResolver). */
    long namesNotResolved() {
        return hopResolver == null ? 0 : hopResolver.refused();
    }
    MetaRequests metaRequests() { return metaRequests; }
    PbxRequests pbxRequests() { return pbxRequests; }
    SipTrace trace() { return trace; }
    String edgeHost() { return metaRequests.edge().host(); }

    /** True when {@code host} (an address, as JAIN-SIP reports a transport error) is the edge's or its name. */
    boolean isEdge(String host) {
        try {
            InetAddress address = IpLiterals.parse(host);
            if (address == null) {
                return host != null && host.equalsIgnoreCase(edgeHost()); // a name is compared, never looked up
            }
            return context.resolver().addresses(edgeHost()).contains(address);
        } catch (Exception e) {
            return false;
        }
    }

    /**
     * Opens the TLS connection to Meta's edge now, with an RFC 5626 CRLF keep-alive (a peer ignores blank lines
     * between messages, RFC 3261 7.5), so the first call does not pay for TCP and the TLS handshake (40-60 ms in
     * the lab). JAIN-SIP keeps the connection and sends the first INVITE on it. Returns what happened, for the log;
     * never throws: an edge that cannot be reached now is tried again by each call, which then fails with its cause.
     */
    String preconnectEdge() {
        MetaRequests.EdgeUri edge = metaRequests.edge();
        if (!"tls".equals(edge.transport())) {
            return "not needed (edge transport " + edge.transport() + ")";
        }
        ListeningPoint point = meta.getListeningPoint("tls");
        if (!(point instanceof ListeningPointExt tls)) {
            return "skipped (no TLS listening point toward Meta)";
        }
        long start = System.nanoTime();
        try {
            InetAddress address = context.resolver().resolve(edge.host());
            tls.sendHeartbeat(address.getHostAddress(), edge.port());
            address = context.resolver().resolve(edge.host()); // the one that answered, if the first refused
            return "open to " + edge.host() + " (" + address.getHostAddress() + ":" + edge.port() + ") in "
                    + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) + " ms";
        } catch (Exception e) {
            return "failed: " + edge.host() + ":" + edge.port() + ": " + e.getMessage();
        }
    }

    /**
     * Sends an OPTIONS from the PBX side to each of its own listeners and waits for the 200, up to
     * {@code waitMillis} in all. It checks that the listeners answer, and runs the stack's transaction, transport
     * and listener code once, which a fresh JVM otherwise loads and interprets on the first PBX INVITE (tens of
     * milliseconds). Returns one word per listener for the log: "udp 200 in 4 ms" or why not.
     */
    List<String> qualifyPbxListeners(long waitMillis) {
        List<String> out = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis);
        for (ListeningPoint lp : pbx.getListeningPoints()) {
            long start = System.nanoTime();
            String host = "0.0.0.0".equals(lp.getIPAddress()) ? "127.0.0.1"
                    : "::".equals(lp.getIPAddress()) ? "::1" : lp.getIPAddress();
            try {
                SipURI target = addresses.createSipURI(null, host);
                target.setPort(lp.getPort());
                target.setTransportParam(lp.getTransport());
                javax.sip.address.Address self = addresses.createAddress(addresses.createSipURI("bridge", host));
                Request options = messages.createRequest(target, Request.OPTIONS, pbx.getNewCallId(),
                        headers.createCSeqHeader(1L, Request.OPTIONS),
                        headers.createFromHeader(self, Long.toHexString(RANDOM.nextLong())),
                        headers.createToHeader(self, null),
                        List.of(headers.createViaHeader(host, lp.getPort(), lp.getTransport(), null)),
                        headers.createMaxForwardsHeader(1));
                ClientTransaction ct = pbx.getNewClientTransaction(options);
                ct.sendRequest();
                while (ct.getState() == null || ct.getState() == javax.sip.TransactionState.CALLING
                        || ct.getState() == javax.sip.TransactionState.TRYING) {
                    if (System.nanoTime() > deadline) {
                        break;
                    }
                    Thread.sleep(2);
                }
                javax.sip.TransactionState state = ct.getState();
                boolean answered = state == javax.sip.TransactionState.COMPLETED
                        || state == javax.sip.TransactionState.TERMINATED;
                out.add(lp.getTransport().toLowerCase() + (answered ? " answered in "
                        + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) + " ms" : " no answer"));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (Exception e) {
                out.add(lp.getTransport().toLowerCase() + " failed: " + e.getMessage());
            }
        }
        return out;
    }

    // -------------------------------------------------------------- sending

    /** Sends {@code request} on a new client transaction of {@code side}, tagged with {@code owner}. */
    ClientTransaction sendRequest(Side side, Request request, Object owner) throws javax.sip.SipException {
        ClientTransaction ct = provider(side).getNewClientTransaction(request);
        ct.setApplicationData(owner);
        trace.sent(side, request);
        ct.sendRequest();
        if (ct.getDialog() != null) {
            ct.getDialog().setApplicationData(owner);
        }
        return ct;
    }

    /** ACKs {@code response}, a 2xx to our INVITE in {@code dialog}; false (logged) when it could not be sent. */
    boolean ack(Side side, Dialog dialog, Response response) {
        try {
            long cseq = ((CSeqHeader) response.getHeader(CSeqHeader.NAME)).getSeqNumber();
            Request ack = dialog.createAck(cseq);
            trace.sent(side, ack);
            dialog.sendAck(ack);
            return true;
        } catch (Exception e) {
            LOG.warn("cannot send ACK to {}: {}", side, e.toString());
            return false;
        }
    }

    /**
     * Sends our last ACK in {@code dialog} again: the far side sent its 2xx again, so ours was lost. The stack keeps
     * that ACK encoded (and itself answers a 2xx sent again once the dialog is confirmed, AnswerSentAgainTest), so
     * the call need not hold a parsed copy.
     */
    void resendAck(Side side, Dialog dialog) {
        try {
            if (dialog instanceof SIPDialog stackDialog) {
                stackDialog.resendAck();
            }
        } catch (Exception e) {
            LOG.warn("cannot resend ACK to {}: {}", side, e.toString());
        }
    }

    /** CANCELs our pending INVITE {@code inviteTx}. */
    void cancel(Side side, ClientTransaction inviteTx, Object owner) {
        try {
            Request cancel = inviteTx.createCancel();
            ClientTransaction ct = provider(side).getNewClientTransaction(cancel);
            ct.setApplicationData(owner);
            trace.sent(side, cancel);
            ct.sendRequest();
        } catch (Exception e) {
            LOG.warn("cannot send CANCEL to {}: {}", side, e.toString());
        }
    }

    /** Sends BYE with a Reason on {@code dialog}, logging instead of throwing. */
    void bye(Side side, Dialog dialog, String reason, Object owner) {
        if (dialog == null) {
            return;
        }
        try {
            Request bye = dialog.createRequest(Request.BYE);
            bye.addHeader(headers.createHeader("Reason", reason));
            ClientTransaction ct = provider(side).getNewClientTransaction(bye);
            ct.setApplicationData(owner);
            trace.sent(side, bye);
            dialog.sendRequest(ct);
        } catch (Exception e) {
            LOG.warn("cannot send BYE to {}: {}", side, e.toString());
        }
    }

    /** Makes sure an in-dialog request has a server transaction to answer on. */
    RequestEvent withTransaction(RequestEvent event) {
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

    /** Challenges an INVITE: {@code code} 401/407 with one {@code header} per value, in order, and a fresh To tag. */
    void challenge(ServerTransaction tx, int code, String header, List<String> values) {
        try {
            Response challenge = messages.createResponse(code, tx.getRequest());
            ((ToHeader) challenge.getHeader(ToHeader.NAME)).setTag(newTag());
            for (String value : values) {
                challenge.addLast(headers.createHeader(header, value)); // RFC 8760: the preferred one first
            }
            trace.sent(Side.META, challenge);
            tx.sendResponse(challenge);
        } catch (Exception e) {
            LOG.warn("cannot challenge Meta's INVITE: {}", e.toString());
        }
    }

    /** Refuses a request statelessly (no call state) with a final answer, Reason headers and Retry-After. */
    void refuse(RequestEvent event, int code, String phrase, List<String> reasons, Integer retryAfter) {
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
            trace.sent(sideOf(event.getSource()), response);
            sendStateless(event, response);
        } catch (Exception e) {
            LOG.debug("cannot refuse {} with {}: {}", event.getRequest().getMethod(), code, e.toString());
        }
    }

    /** Answers a request on its transaction, or statelessly when it has none. */
    void respond(RequestEvent event, int code, String phrase, String sdp) {
        ServerTransaction tx = event.getServerTransaction();
        if (tx != null) {
            respond(tx, code, phrase, hasToTag(event.getRequest()) ? null : newTag(), sdp, List.of(), null);
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
            trace.sent(sideOf(event.getSource()), response);
            sendStateless(event, response);
        } catch (Exception e) {
            // the sender is gone or never was (a scanner, a flood): one DEBUG line, not a WARN per packet
            LOG.debug("cannot answer {} with {}: {}", event.getRequest().getMethod(), code, e.toString());
        }
    }

    /**
     * Sends a response without a transaction back the way its request came: on the connection it arrived on
     * (never a new one to wherever its Via points), or to the datagram's source (ReturnPath stamped the Via).
     */
    private static void sendStateless(RequestEvent event, Response response) throws Exception {
        if (event.getRequest() instanceof gov.nist.javax.sip.message.SIPRequest request
                && request.getMessageChannel() instanceof gov.nist.javax.sip.stack.MessageChannel channel
                && channel.getMessageProcessor() != null && channel.isReliable()) {
            channel.sendMessage((gov.nist.javax.sip.message.SIPResponse) response);
            return;
        }
        ((SipProvider) event.getSource()).sendResponse(response);
    }

    /**
     * Sends a response on a server transaction.
     *
     * @param toTag   our tag for a dialog-forming response (null keeps the request's To)
     * @param sdp     body, or null
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
                response.addHeader(headers.createContactHeader(pbxSide ? pbxContact(request)
                        : metaRequests.contact(toUser(request))));
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

    static String callIdOf(Message message) {
        CallIdHeader h = (CallIdHeader) message.getHeader(CallIdHeader.NAME);
        return h == null ? "-" : h.getCallId();
    }

    static boolean hasToTag(Request request) {
        ToHeader to = (ToHeader) request.getHeader(ToHeader.NAME);
        return to != null && to.getTag() != null;
    }

    static String newTag() {
        byte[] b = new byte[6];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /** Stops the stack and its threads. */
    @Override
    public void close() {
        gov.nist.javax.sip.EventScanner scanner = ((gov.nist.javax.sip.SipStackImpl) stack).getEventScanner();
        stop(stack);
        if (scanner != null) {
            // JAIN-SIP RI 1.3.0-91 bug: stop() leaves its (non-daemon) event thread blocked in take(); one no-op
            // event lets it see that it was stopped and exit.
            scanner.addEvent(new gov.nist.javax.sip.EventWrapper(new DialogTerminatedEvent(pbx, null), null));
        }
        context.unregister();
    }
}
