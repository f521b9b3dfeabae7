package org.wabridge.sandbox;

import java.net.InetAddress;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.ListIterator;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
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
import javax.sip.SipListener;
import javax.sip.SipProvider;
import javax.sip.SipStack;
import javax.sip.TimeoutEvent;
import javax.sip.TransactionTerminatedEvent;
import javax.sip.address.Address;
import javax.sip.address.AddressFactory;
import javax.sip.address.SipURI;
import javax.sip.header.CSeqHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.FromHeader;
import javax.sip.header.Header;
import javax.sip.header.RouteHeader;
import javax.sip.header.HeaderFactory;
import javax.sip.header.ToHeader;
import javax.sip.header.ViaHeader;
import javax.sip.message.MessageFactory;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.wabridge.b2bua.digest.DigestChallenge;
import org.wabridge.b2bua.digest.DigestClient;
import org.wabridge.b2bua.sip.HandshakeVerifiedPolicy;
import org.wabridge.b2bua.sip.HostResolver;
import org.wabridge.b2bua.sip.StackContext;
import org.wabridge.b2bua.sip.TlsContexts;
import org.wabridge.b2bua.sip.TlsNetworkLayer;
import org.wabridge.config.SrtpKeyExchange;

/**
 * The sandbox's Meta SIP edge on sockets: JAIN-SIP with a TLS listener (the lab CA's certificate for the edge
 * name), optionally UDP for SIPp. Business-initiated INVITEs go through {@link EdgePolicy}; answered calls get
 * Meta's 200 OK shape (Record-Route pair, {@code X-FB-External-Domain}, Allow without UPDATE/PRACK, SDES answer)
 * and {@link EdgeMedia}. {@link #callBusiness} places a user-initiated call shaped like Meta's sample INVITE and
 * answers the bridge's digest challenge. Every decision is reported to {@code notes} as one line.
 */
public final class SandboxEdge implements SipListener, AutoCloseable {

    static final String ALLOW = "INVITE, ACK, BYE, CANCEL, NOTIFY, OPTIONS";
    static final String PROXY_RR = "<sip:onevc-sip-proxy.fbinfra.net:8191;transport=tls;lr>";

    /** How a user-initiated call ended, for the demo and the tests. */
    public record CallResult(String callId, int finalStatus, String reason, boolean challenged,
                             EdgeMedia.Counters media, String endedBy) {}

    /** A business-initiated call the edge answered. */
    private static final class Inbound {
        final String pair;
        final ServerTransaction invite;
        final List<ScheduledFuture<?>> timers = new ArrayList<>();
        volatile Dialog dialog;
        volatile EdgeMedia media;
        volatile long answeredAt;

        Inbound(String pair, ServerTransaction invite) {
            this.pair = pair;
            this.invite = invite;
        }
    }

    /** A user-initiated call the edge placed. */
    private static final class Outbound {
        final String business;
        final Duration hold;
        final CompletableFuture<CallResult> done = new CompletableFuture<>();
        final EdgeMedia media;
        Request request;
        boolean challenged;
        volatile Dialog dialog;
        volatile long answeredAt;

        Outbound(String business, Duration hold, EdgeMedia media) {
            this.business = business;
            this.hold = hold;
            this.media = media;
        }
    }

    private final SandboxSettings settings;
    private final EdgePolicy policy;
    private final Consumer<String> notes;
    private final StackContext context;
    private final SipStack stack;
    private final SipProvider tls;
    private final SipProvider udp;
    private final AddressFactory addresses;
    private final HeaderFactory headers;
    private final MessageFactory messages;
    private final ScheduledExecutorService timer = Executors.newScheduledThreadPool(2, r -> {
        Thread t = new Thread(r, "sandbox-edge-timer");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, Inbound> inbound = new ConcurrentHashMap<>();
    private final Map<String, Outbound> outbound = new ConcurrentHashMap<>();
    private final Map<String, Integer> connectedToday = new ConcurrentHashMap<>();
    private final DigestClient digest = new DigestClient();
    private final SecureRandom random = new SecureRandom();
    private final List<EdgeMedia.Counters> finishedMedia = new java.util.concurrent.CopyOnWriteArrayList<>();

    private SandboxEdge(SandboxSettings settings, Consumer<String> notes, StackContext context, SipStack stack,
                        SipProvider tls, SipProvider udp, SipFactory factory) throws Exception {
        this.settings = settings;
        this.policy = new EdgePolicy(settings.rules(), Clock.systemUTC());
        this.notes = notes;
        this.context = context;
        this.stack = stack;
        this.tls = tls;
        this.udp = udp;
        this.addresses = factory.createAddressFactory();
        this.headers = factory.createHeaderFactory();
        this.messages = factory.createMessageFactory();
    }

    /** Makes the lab certificates when missing, binds the listeners and starts the stack. */
    public static SandboxEdge start(SandboxSettings settings, Consumer<String> notes) throws Exception {
        Path certs = settings.certDir();
        LabCa.ensure(certs, settings.rules().edgeHost(), settings.bridgeHost());
        SSLContext server = TlsContexts.server(certs.resolve("edge.pem"), certs.resolve("edge.key"));
        SSLContext client = TlsContexts.client(certs.resolve("edge-ca.pem"));
        HostResolver resolver = new HostResolver();
        resolver.pin(settings.bridgeHost(), InetAddress.getByName(settings.bridgeAddress()));
        StackContext context = StackContext.register(client, server, resolver, settings.bridgeHost(), 5000);
        SipStack stack = null;
        try {
            SipFactory factory = SipFactory.getInstance();
            factory.setPathName("gov.nist");
            Properties p = new Properties();
            p.setProperty("javax.sip.STACK_NAME", "wa-sandbox-edge-" + context.id());
            p.setProperty("javax.sip.AUTOMATIC_DIALOG_SUPPORT", "on");
            p.setProperty("javax.sip.USE_ROUTER_FOR_ALL_URIS", "true");
            p.setProperty("javax.sip.ROUTER_PATH", SandboxRouter.class.getName());
            p.setProperty(SandboxRouter.HOSTS, SandboxRouter.pin(settings.bridgeHost(), settings.bridgeAddress(),
                    settings.bridgePort()));
            p.setProperty("gov.nist.javax.sip.NETWORK_LAYER", TlsNetworkLayer.class.getName());
            p.setProperty("gov.nist.javax.sip.TLS_SECURITY_POLICY", HandshakeVerifiedPolicy.class.getName());
            p.setProperty(StackContext.PROPERTY, context.id());
            p.setProperty("gov.nist.javax.sip.TLS_CLIENT_AUTH_TYPE", "Disabled");
            p.setProperty("gov.nist.javax.sip.TLS_CLIENT_PROTOCOLS", "TLSv1.3,TLSv1.2");
            // JAIN-SIP's default suite list is RSA-only and legacy; the lab certificates are EC, as Meta's edge serves
            p.setProperty("gov.nist.javax.sip.ENABLED_CIPHER_SUITES", String.join(",", aeadSuites()));
            p.setProperty("gov.nist.javax.sip.SSL_HANDSHAKE_TIMEOUT", "5000");
            p.setProperty("gov.nist.javax.sip.CACHE_CLIENT_CONNECTIONS", "true");
            p.setProperty("gov.nist.javax.sip.TRACE_LEVEL", "0");
            stack = factory.createSipStack(p);
            SipProvider tls = stack.createSipProvider(stack.createListeningPoint(settings.listenHost(),
                    settings.tlsPort(), ListeningPoint.TLS));
            SipProvider udp = settings.udpPort() > 0 ? stack.createSipProvider(stack.createListeningPoint(
                    settings.listenHost(), settings.udpPort(), ListeningPoint.UDP)) : null;
            SandboxEdge edge = new SandboxEdge(settings, notes, context, stack, tls, udp, factory);
            tls.addSipListener(edge);
            if (udp != null) {
                udp.addSipListener(edge);
            }
            stack.start();
            notes.accept("EDGE listening: TLS " + settings.listenHost() + ":" + settings.tlsPort() + " as "
                    + settings.rules().edgeHost() + (udp != null ? ", UDP " + settings.listenHost() + ":"
                    + settings.udpPort() : "") + "; digest challenge " + settings.rules().algorithms().stream()
                    .map(a -> a.token()).collect(java.util.stream.Collectors.joining(" + ")));
            return edge;
        } catch (Exception e) {
            if (stack != null) {
                stack.stop();
            }
            context.unregister();
            throw e;
        }
    }

    /** The JVM's AEAD suites (TLS 1.3 and ECDHE with GCM or ChaCha20). */
    private static List<String> aeadSuites() throws Exception {
        List<String> out = new ArrayList<>();
        for (String suite : SSLContext.getDefault().getDefaultSSLParameters().getCipherSuites()) {
            if (suite.startsWith("TLS_AES_") || suite.startsWith("TLS_CHACHA20_")
                    || (suite.startsWith("TLS_ECDHE_") && (suite.contains("_GCM_") || suite.contains("CHACHA20")))) {
                out.add(suite);
            }
        }
        return out;
    }

    /** Media counters of the business-initiated calls that ended, in order. */
    public List<EdgeMedia.Counters> finishedMedia() {
        return List.copyOf(finishedMedia);
    }

    // ---------------------------------------------------------------- requests from the business

    @Override
    public void processRequest(RequestEvent event) {
        Request request = event.getRequest();
        try {
            switch (request.getMethod()) {
                case Request.INVITE -> invite(event);
                case Request.ACK -> { } // the dialog is confirmed; media already runs
                case Request.BYE -> bye(event);
                case Request.CANCEL -> cancel(event);
                case Request.REGISTER -> respond(event, serverTransaction(event), 403, "Forbidden", List.of());
                case Request.OPTIONS -> { } // Meta's edge does not answer OPTIONS (integrators' reports)
                default -> respond(event, serverTransaction(event), 405, "Method Not Allowed",
                        List.of(new EdgeAnswer.Header("Allow", ALLOW)));
            }
        } catch (Exception e) {
            notes.accept("EDGE error on " + request.getMethod() + ": " + e);
        }
    }

    private void invite(RequestEvent event) throws Exception {
        Request request = event.getRequest();
        ServerTransaction st = serverTransaction(event);
        ToHeader to = (ToHeader) request.getHeader(ToHeader.NAME);
        FromHeader from = (FromHeader) request.getHeader(FromHeader.NAME);
        boolean inDialog = to.getTag() != null;
        SipURI ruri = request.getRequestURI() instanceof SipURI s ? s : null;
        SipURI fromUri = (SipURI) from.getAddress().getURI();
        List<String> auth = new ArrayList<>();
        for (ListIterator<?> it = request.getHeaders("Proxy-Authorization"); it.hasNext(); ) {
            auth.add(valueOf((Header) it.next()));
        }
        String scheme = request.getRequestURI().getScheme();
        String uriUser = ruri == null ? null : ruri.getUser();
        String pair = fromUri.getUser() + ">" + uriUser;
        String sdp = request.getRawContent() == null ? null : new String(request.getRawContent());
        EdgeAnswer answer = policy.decide(new EdgePolicy.BusinessInvite(scheme, uriUser,
                ruri == null ? null : ruri.getHost(), inDialog, fromUri.getUser(), fromUri.getHost(), auth, sdp,
                inbound.values().stream().anyMatch(c -> c.pair.equals(pair)),
                connectedToday.getOrDefault(pair, 0)));
        notes.accept("EDGE " + answer.why());
        if (!answer.proceeds()) {
            respond(event, st, answer.status(), answer.reason(), answer.headers());
            return;
        }
        Inbound call = new Inbound(pair, st);
        String callId = ((CallIdHeader) request.getHeader(CallIdHeader.NAME)).getCallId();
        inbound.put(callId, call);
        UserBehaviour behaviour = answer.behaviour();
        if (behaviour.rings()) {
            Response ringing = dialogResponse(request, 180, "Ringing");
            st.sendResponse(ringing);
        }
        call.timers.add(timer.schedule(() -> userAnswers(callId, call, request, behaviour),
                settings.rules().ringFor(behaviour).toMillis(), TimeUnit.MILLISECONDS));
    }

    private void userAnswers(String callId, Inbound call, Request request, UserBehaviour behaviour) {
        try {
            EdgeAnswer answer = policy.finalAnswer(behaviour);
            if (answer.status() != 200) {
                inbound.remove(callId);
                Response r = dialogResponse(request, answer.status(), answer.reason());
                addHeaders(r, answer.headers());
                call.invite.sendResponse(r);
                return;
            }
            String businessSdp = new String(request.getRawContent());
            EdgeMedia media = new EdgeMedia(settings.mediaAddress(), timer, settings.rules().noMediaAtStart(),
                    settings.rules().noMediaMidCall(), why -> hangUpInbound(callId, why));
            call.media = media;
            Response ok = dialogResponse(request, 200, "OK");
            ok.addHeader(headers.createHeader("Supported", "timer"));
            String answerSdp;
            if (MetaSdp.isDtls(businessSdp)) {
                MetaSdp.DtlsOffer offer = MetaSdp.readDtls(businessSdp, "the business");
                answerSdp = MetaSdp.dtlsAnswer(offer, settings.mediaAddress(), media.port(), media.ice(),
                        media.dtlsFingerprint(), media.ssrc());
                media.startDtls(offer);
                notes.accept("EDGE media keyed by DTLS-SRTP: ICE-lite, the business's handshake expected");
            } else {
                MetaSdp.Offer offer = MetaSdp.read(businessSdp, "the business");
                answerSdp = MetaSdp.answer(offer, settings.mediaAddress(), media.port(), media.ourKey(), media.ssrc());
                media.start(offer);
            }
            ok.setContent(answerSdp, headers.createContentTypeHeader("application", "sdp"));
            call.answeredAt = System.currentTimeMillis();
            call.invite.sendResponse(ok);
            call.dialog = call.invite.getDialog();
            connectedToday.merge(call.pair, 1, Integer::sum);
        } catch (Exception e) {
            notes.accept("EDGE could not answer " + callId + ": " + e);
            inbound.remove(callId);
        }
    }

    /** Meta's no-media hang-up: BYE to the business. */
    private void hangUpInbound(String callId, String why) {
        Inbound call = inbound.remove(callId);
        if (call == null || call.dialog == null) {
            return;
        }
        notes.accept("EDGE hangs up " + callId + ": " + why);
        try {
            sendBye(call.dialog, call.answeredAt, null);
        } catch (Exception e) {
            notes.accept("EDGE BYE failed: " + e);
        }
        finish(call.media);
    }

    private void bye(RequestEvent event) throws Exception {
        Request request = event.getRequest();
        String callId = ((CallIdHeader) request.getHeader(CallIdHeader.NAME)).getCallId();
        ServerTransaction st = serverTransaction(event);
        Response ok = messages.createResponse(200, request);
        ok.addHeader(headers.createHeader("X-FB-External-Domain", settings.rules().edgeHost()));
        st.sendResponse(ok);
        Inbound in = inbound.remove(callId);
        if (in != null) {
            in.timers.forEach(t -> t.cancel(false));
            finish(in.media);
        }
        Outbound out = outbound.remove(callId);
        if (out != null) {
            out.media.close();
            out.done.complete(new CallResult(callId, 200, "OK", out.challenged, out.media.counters(), "business"));
        }
    }

    private void cancel(RequestEvent event) throws Exception {
        Request request = event.getRequest();
        String callId = ((CallIdHeader) request.getHeader(CallIdHeader.NAME)).getCallId();
        ServerTransaction st = serverTransaction(event);
        st.sendResponse(messages.createResponse(200, request));
        Inbound call = inbound.remove(callId);
        if (call != null) {
            call.timers.forEach(t -> t.cancel(false));
            Response terminated = dialogResponse(call.invite.getRequest(), 487, "Request Terminated");
            call.invite.sendResponse(terminated);
            notes.accept("EDGE CANCEL for " + callId + ": 487 Request Terminated");
        }
    }

    private void finish(EdgeMedia media) {
        if (media != null) {
            EdgeMedia.Counters c = media.counters();
            media.close();
            finishedMedia.add(c);
            notes.accept("EDGE media (Meta side): " + c);
        }
    }

    // ---------------------------------------------------------------- user-initiated calls

    /**
     * Places a call from {@link SandboxSettings#caller()} to {@code business} the way Meta does: INVITE to
     * {@code sip:+BUSINESS@configured-host;transport=tls} over TLS with the Record-Route pair, {@code x-wa-meta-*}
     * headers and an {@code outgoing:wacid.} Call-ID; answers a 401/407 with the number's password; hangs up with
     * BYE after {@code hold} (unless the business hangs up first).
     */
    public CompletableFuture<CallResult> callBusiness(String business, Duration hold) throws Exception {
        return callBusiness(business, hold, null, 0, ListeningPoint.TLS);
    }

    /**
     * As {@link #callBusiness(String, Duration)}, to {@code host:port} over {@code transport} instead of the
     * configured SIP server (tests: a SIPp UAS over UDP); {@code host} null means the configured server.
     */
    public CompletableFuture<CallResult> callBusiness(String business, Duration hold, String targetHost, int targetPort,
                                                      String transport) throws Exception {
        SipProvider provider = providerFor(transport);
        byte[] wacid = new byte[24];
        random.nextBytes(wacid);
        String wacidText = Base64.getEncoder().withoutPadding().encodeToString(wacid).replace('/', '_');
        String callId = "outgoing:wacid." + wacidText;
        EdgeMedia media = new EdgeMedia(settings.mediaAddress(), timer, settings.rules().noMediaAtStart(),
                settings.rules().noMediaMidCall(), why -> hangUpOutbound(callId, why));
        Outbound call = new Outbound(business, hold, media);
        String caller = settings.caller();
        String host = targetHost != null ? targetHost : settings.bridgeHost();
        SipURI requestUri = addresses.createSipURI(business, host);
        if (targetPort > 0) {
            requestUri.setPort(targetPort);
        }
        requestUri.setTransportParam(transport.toLowerCase());
        SipURI fromUri = addresses.createSipURI(caller, settings.rules().edgeHost());
        Address fromAddress = addresses.createAddress(fromUri);
        fromAddress.setDisplayName(caller.replace("+", ""));
        FromHeader from = headers.createFromHeader(fromAddress, Long.toHexString(random.nextLong()));
        ToHeader to = headers.createToHeader(addresses.createAddress(addresses.createSipURI(business, host)), null);
        ListeningPoint lp = provider.getListeningPoints()[0];
        ViaHeader via = headers.createViaHeader(lp.getIPAddress(), lp.getPort(), lp.getTransport(), null);
        via.setRPort();
        Request invite = messages.createRequest(requestUri, Request.INVITE, headers.createCallIdHeader(callId),
                headers.createCSeqHeader(1000L + random.nextInt(9000), Request.INVITE), from, to,
                new ArrayList<>(List.of(via)), headers.createMaxForwardsHeader(69));
        invite.addHeader(headers.createHeader("Record-Route", edgeRecordRoute()));
        invite.addLast(headers.createHeader("Record-Route", PROXY_RR));
        invite.addHeader(headers.createHeader("Contact", metaContact(caller)));
        invite.addHeader(headers.createHeader("X-FB-External-Domain", settings.rules().edgeHost()));
        addAllow(invite);
        invite.addHeader(headers.createHeader("User-Agent", "Facebook SipGateway"));
        invite.addHeader(headers.createHeader("x-wa-meta-wacid", "wacid." + wacidText));
        invite.addHeader(headers.createHeader("x-wa-meta-cta-payload", "sandbox-cta"));
        boolean dtls = settings.keying().get(business) == SrtpKeyExchange.DTLS;
        invite.setContent(dtls
                        ? MetaSdp.dtlsOffer(settings.mediaAddress(), media.port(), media.ice(), media.dtlsFingerprint(),
                                media.ssrc())
                        : MetaSdp.offer(settings.mediaAddress(), media.port(), media.ourKey(), media.ssrc()),
                headers.createContentTypeHeader("application", "sdp"));
        call.request = invite;
        outbound.put(callId, call);
        provider.getNewClientTransaction(invite).sendRequest();
        return call.done;
    }

    @Override
    public void processResponse(ResponseEvent event) {
        Response response = event.getResponse();
        CSeqHeader cseq = (CSeqHeader) response.getHeader(CSeqHeader.NAME);
        String callId = ((CallIdHeader) response.getHeader(CallIdHeader.NAME)).getCallId();
        Outbound call = outbound.get(callId);
        if (call == null || !Request.INVITE.equals(cseq.getMethod())) {
            return; // a BYE's answer, or an unknown call
        }
        int status = response.getStatusCode();
        try {
            if ((status == 401 || status == 407) && !call.challenged) {
                answerChallenge(call, response);
            } else if (status == 200) {
                notes.accept("EDGE user-initiated call " + callId + " answered by the business");
                Dialog dialog = event.getDialog() != null ? event.getDialog() : event.getClientTransaction().getDialog();
                call.dialog = dialog;
                Request ack = dialog.createAck(cseq.getSeqNumber());
                ack.removeHeader(RouteHeader.NAME); // Meta's proxies are the edge itself: nothing to route through
                dialog.sendAck(ack);
                call.answeredAt = System.currentTimeMillis();
                String answer = new String(response.getRawContent());
                if (MetaSdp.isDtls(answer)) {
                    call.media.startDtls(MetaSdp.readDtls(answer, "the business"));
                } else {
                    call.media.start(MetaSdp.read(answer, "the business"));
                }
                timer.schedule(() -> hangUpOutbound(callId, "the WhatsApp user hangs up"),
                        call.hold.toMillis(), TimeUnit.MILLISECONDS);
            } else if (status >= 300) {
                outbound.remove(callId);
                call.media.close();
                notes.accept("EDGE user-initiated call " + callId + " failed: " + status + " "
                        + response.getReasonPhrase());
                call.done.complete(new CallResult(callId, status, response.getReasonPhrase(), call.challenged,
                        call.media.counters(), "business"));
            }
        } catch (Exception e) {
            outbound.remove(callId);
            call.media.close();
            call.done.completeExceptionally(e);
        }
    }

    private void answerChallenge(Outbound call, Response response) throws Exception {
        String headerName = response.getStatusCode() == 407 ? "Proxy-Authenticate" : "WWW-Authenticate";
        List<String> values = new ArrayList<>();
        for (ListIterator<?> it = response.getHeaders(headerName); it.hasNext(); ) {
            values.add(valueOf((Header) it.next()));
        }
        List<DigestChallenge> challenges = DigestChallenge.choose(values);
        String password = settings.rules().passwords().get(call.business);
        if (challenges.isEmpty() || password == null) {
            throw new IllegalStateException("cannot answer the bridge's " + response.getStatusCode()
                    + (password == null ? ": " + call.business + " is not a configured number" : ": no usable challenge"));
        }
        call.challenged = true;
        Request retry = (Request) call.request.clone();
        CSeqHeader cseq = (CSeqHeader) retry.getHeader(CSeqHeader.NAME);
        cseq.setSeqNumber(cseq.getSeqNumber() + 1);
        String transport = ((ViaHeader) retry.getHeader(ViaHeader.NAME)).getTransport();
        retry.removeHeader(ViaHeader.NAME);
        SipProvider provider = providerFor(transport);
        ListeningPoint lp = provider.getListeningPoints()[0];
        ViaHeader via = headers.createViaHeader(lp.getIPAddress(), lp.getPort(), lp.getTransport(), null);
        via.setRPort();
        retry.addHeader(via);
        // Meta's digest uri omits the ;transport=tls its Request-URI carries (Meta's sample retry).
        SipURI uri = (SipURI) retry.getRequestURI().clone();
        uri.removeParameter("transport");
        String business = call.business.startsWith("+") ? call.business.substring(1) : call.business;
        String authName = response.getStatusCode() == 407 ? "Proxy-Authorization" : "Authorization";
        retry.addHeader(headers.createHeader(authName, digest.answer(challenges.get(0), business, password,
                Request.INVITE, uri.toString())));
        notes.accept("EDGE answers the bridge's " + response.getStatusCode() + " (realm " + challenges.get(0).realm()
                + ", " + challenges.get(0).algorithm().token() + ", username " + business + ", uri " + uri + ")");
        call.request = retry;
        provider.getNewClientTransaction(retry).sendRequest();
    }

    private void hangUpOutbound(String callId, String why) {
        Outbound call = outbound.remove(callId);
        if (call == null) {
            return;
        }
        notes.accept("EDGE " + why + " (" + callId + ")");
        try {
            if (call.dialog != null) {
                sendBye(call.dialog, call.answeredAt, "wacid." + callId.substring("outgoing:wacid.".length()));
            }
        } catch (Exception e) {
            notes.accept("EDGE BYE failed: " + e);
        }
        call.media.close();
        call.done.complete(new CallResult(callId, 200, "OK", call.challenged, call.media.counters(), "whatsapp-user"));
    }

    // ---------------------------------------------------------------- message shapes

    private Response dialogResponse(Request request, int status, String reason) throws Exception {
        Response r = messages.createResponse(status, request);
        r.setReasonPhrase(reason);
        ToHeader to = (ToHeader) r.getHeader(ToHeader.NAME);
        if (to.getTag() == null && status > 100) {
            to.setTag(toTag(request));
        }
        if (status >= 180 && status < 300) {
            r.addHeader(headers.createHeader("Record-Route", PROXY_RR));
            r.addLast(headers.createHeader("Record-Route", edgeRecordRoute()));
            String user = ((SipURI) request.getRequestURI()).getUser();
            r.addHeader(headers.createHeader("Contact", metaContact(user)));
            addAllow(r);
        }
        r.addHeader(headers.createHeader("X-FB-External-Domain", settings.rules().edgeHost()));
        return r;
    }

    /**
     * One To tag per call (Call-ID and From tag), the same on the 407 and the final answer: UACs that keep the
     * first tag they saw (SIPp) then still address the dialog. Forgotten when the edge stops.
     */
    private final Map<String, String> toTags = new ConcurrentHashMap<>();

    private String toTag(Request request) {
        String callId = ((CallIdHeader) request.getHeader(CallIdHeader.NAME)).getCallId();
        String fromTag = ((FromHeader) request.getHeader(FromHeader.NAME)).getTag();
        return toTags.computeIfAbsent(callId + ";" + fromTag, k -> "z9hG4bK" + Long.toHexString(random.nextLong()));
    }

    private String edgeRecordRoute() {
        return "<sip:" + settings.rules().edgeHost() + (settings.tlsPort() == 5061 ? "" : ":" + settings.tlsPort())
                + ";transport=tls;lr>";
    }

    private String metaContact(String user) {
        return "<sip:" + user + "@" + settings.rules().edgeHost()
                + (settings.tlsPort() == 5061 ? "" : ":" + settings.tlsPort())
                + ";transport=tls;ob;X-FB-Sip-Smc-Tier=collaboration.sip_gateway.sip.prod>;isfocus";
    }

    private void sendBye(Dialog dialog, long answeredAt, String wacid) throws Exception {
        Request bye = dialog.createRequest(Request.BYE);
        bye.removeHeader(RouteHeader.NAME);
        bye.addHeader(headers.createHeader("X-FB-External-Domain", settings.rules().edgeHost()));
        bye.addHeader(headers.createHeader("x-wa-meta-call-duration",
                "" + Math.max(0, (System.currentTimeMillis() - answeredAt) / 1000)));
        if (wacid != null) {
            bye.addHeader(headers.createHeader("x-wa-meta-wacid", wacid));
        }
        String transport = ((SipURI) bye.getRequestURI()).getTransportParam();
        SipProvider provider = providerFor(transport == null ? ListeningPoint.UDP : transport);
        ClientTransaction ct = provider.getNewClientTransaction(bye);
        dialog.sendRequest(ct);
    }

    private void respond(RequestEvent event, ServerTransaction st, int status, String reason,
                         List<EdgeAnswer.Header> extra) throws Exception {
        Response r = dialogResponse(event.getRequest(), status, reason);
        addHeaders(r, extra);
        st.sendResponse(r);
    }

    private void addHeaders(Response r, List<EdgeAnswer.Header> extra) throws Exception {
        for (EdgeAnswer.Header h : extra) {
            if (h.name().equalsIgnoreCase("Allow")) {
                addAllow(r);
            } else {
                r.addLast(headers.createHeader(h.name(), h.value()));
            }
        }
    }

    /** Meta's Allow: no UPDATE, PRACK or INFO. */
    private void addAllow(javax.sip.message.Message m) throws Exception {
        for (String method : ALLOW.split(", ")) {
            m.addHeader(headers.createAllowHeader(method));
        }
    }

    /** The TLS provider, or the UDP one for UDP peers (SIPp) when the edge has a UDP listener. */
    private SipProvider providerFor(String transport) {
        if (ListeningPoint.UDP.equalsIgnoreCase(transport)) {
            if (udp == null) {
                throw new IllegalStateException("the sandbox edge has no UDP listener (sandbox.udpPort)");
            }
            return udp;
        }
        return tls;
    }

    private ServerTransaction serverTransaction(RequestEvent event) throws Exception {
        ServerTransaction st = event.getServerTransaction();
        if (st == null) {
            st = ((SipProvider) event.getSource()).getNewServerTransaction(event.getRequest());
        }
        return st;
    }

    private static String valueOf(Header h) {
        String s = h.toString().trim();
        return s.substring(s.indexOf(':') + 1).trim();
    }

    @Override
    public void processTimeout(TimeoutEvent event) {
        if (!event.isServerTransaction()) {
            Request r = event.getClientTransaction().getRequest();
            String callId = ((CallIdHeader) r.getHeader(CallIdHeader.NAME)).getCallId();
            Outbound call = outbound.remove(callId);
            if (call != null && Request.INVITE.equals(r.getMethod())) {
                call.media.close();
                call.done.complete(new CallResult(callId, 408, "no answer from the bridge", call.challenged,
                        call.media.counters(), "timeout"));
            }
        }
    }

    @Override
    public void processIOException(IOExceptionEvent event) {
        notes.accept("EDGE transport error toward " + event.getHost() + ":" + event.getPort());
    }

    @Override
    public void processTransactionTerminated(TransactionTerminatedEvent event) {
    }

    @Override
    public void processDialogTerminated(DialogTerminatedEvent event) {
    }

    @Override
    public void close() {
        inbound.values().forEach(c -> finish(c.media));
        outbound.values().forEach(c -> c.media.close());
        timer.shutdownNow();
        stack.stop();
        context.unregister();
    }
}
