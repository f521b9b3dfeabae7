package org.wabridge.sandbox;

import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
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
import javax.sip.address.AddressFactory;
import javax.sip.address.SipURI;
import javax.sip.header.CSeqHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.Header;
import javax.sip.header.HeaderFactory;
import javax.sip.header.ToHeader;
import javax.sip.header.ViaHeader;
import javax.sip.message.MessageFactory;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.wabridge.media.SdpException;
import org.wabridge.media.sdp.Codec;
import org.wabridge.media.sdp.SessionDescription;

/**
 * A PBX stand-in for the demo and tests, so nothing outside the JVM is needed: SIP over UDP, plain RTP. It
 * places calls to the bridge (business-initiated direction) and answers the bridge's calls (user-initiated
 * direction): rings, answers (or is busy), plays a tone, sends DTMF, and hangs up after a hold time.
 */
public final class PbxStandIn implements SipListener, AutoCloseable {

    /** What the stand-in does with a call from the bridge. */
    public enum Answer { ANSWER, BUSY }

    /** How a call ended, seen from the PBX. */
    public record Result(String callId, int finalStatus, String reason, RtpPeer.Counters media, String endedBy,
                         Map<String, String> waHeaders) {}

    private static final class Call {
        final CompletableFuture<Result> done = new CompletableFuture<>();
        final RtpPeer media;
        final Duration hold;
        final Map<String, String> waHeaders = new LinkedHashMap<>();
        volatile Dialog dialog;
        volatile int status;
        volatile String reason = "";

        Call(RtpPeer media, Duration hold) {
            this.media = media;
            this.hold = hold;
        }
    }

    private final SipStack stack;
    private final SipProvider provider;
    private final AddressFactory addresses;
    private final HeaderFactory headers;
    private final MessageFactory messages;
    private final String mediaAddress;
    private final Answer answer;
    private final Duration ringTime;
    private final Duration holdAnswered;
    private final String digits;
    private final Consumer<String> notes;
    private final ScheduledExecutorService timer = Executors.newScheduledThreadPool(2, r -> {
        Thread t = new Thread(r, "pbx-standin-timer");
        t.setDaemon(true);
        return t;
    });
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Call> calls = new ConcurrentHashMap<>();
    private final LinkedBlockingQueue<CompletableFuture<Result>> answered = new LinkedBlockingQueue<>();

    private PbxStandIn(SipStack stack, SipProvider provider, SipFactory factory, String mediaAddress, Answer answer,
                       Duration ringTime, Duration holdAnswered, String digits, Consumer<String> notes) throws Exception {
        this.stack = stack;
        this.provider = provider;
        this.addresses = factory.createAddressFactory();
        this.headers = factory.createHeaderFactory();
        this.messages = factory.createMessageFactory();
        this.mediaAddress = mediaAddress;
        this.answer = answer;
        this.ringTime = ringTime;
        this.holdAnswered = holdAnswered;
        this.digits = digits;
        this.notes = notes;
    }

    /**
     * Listens on UDP {@code host:port}.
     *
     * @param holdAnswered how long an answered call from the bridge lasts before the PBX hangs up; null = until BYE
     * @param digits       DTMF digits sent one second into every call
     */
    public static PbxStandIn start(String host, int port, Answer answer, Duration ringTime, Duration holdAnswered,
                                   String digits, Consumer<String> notes) throws Exception {
        SipFactory factory = SipFactory.getInstance();
        factory.setPathName("gov.nist");
        Properties p = new Properties();
        p.setProperty("javax.sip.STACK_NAME", "wa-sandbox-pbx-" + port + "-" + System.nanoTime());
        p.setProperty("javax.sip.AUTOMATIC_DIALOG_SUPPORT", "on");
        p.setProperty("gov.nist.javax.sip.TRACE_LEVEL", "0");
        SipStack stack = factory.createSipStack(p);
        try {
            SipProvider provider = stack.createSipProvider(stack.createListeningPoint(host, port, ListeningPoint.UDP));
            PbxStandIn pbx = new PbxStandIn(stack, provider, factory, host, answer, ringTime, holdAnswered, digits,
                    notes);
            provider.addSipListener(pbx);
            stack.start();
            notes.accept("PBX stand-in listening: UDP " + host + ":" + port + " (" + answer.name().toLowerCase()
                    + ", tone 440 Hz PCMU, DTMF '" + digits + "')");
            return pbx;
        } catch (Exception e) {
            stack.stop();
            throw e;
        }
    }

    /** The result of the next call from the bridge, when it ends. */
    public CompletableFuture<Result> nextCallFromBridge() {
        CompletableFuture<Result> f = new CompletableFuture<>();
        answered.add(f);
        return f;
    }

    /** Calls {@code to} through the bridge's PBX listener as {@code from}; hangs up after {@code hold}. */
    public CompletableFuture<Result> call(String bridgeHost, int bridgePort, String to, String from, Duration hold)
            throws Exception {
        RtpPeer media = new RtpPeer(mediaAddress, timer);
        Call call = new Call(media, hold);
        ListeningPoint lp = provider.getListeningPoint(ListeningPoint.UDP);
        SipURI requestUri = addresses.createSipURI(to, bridgeHost + ":" + bridgePort);
        SipURI fromUri = addresses.createSipURI(from, lp.getIPAddress());
        String callId = provider.getNewCallId().getCallId();
        Request invite = messages.createRequest(requestUri, Request.INVITE, headers.createCallIdHeader(callId),
                headers.createCSeqHeader(1L, Request.INVITE),
                headers.createFromHeader(addresses.createAddress(fromUri), Long.toHexString(random.nextLong())),
                headers.createToHeader(addresses.createAddress(addresses.createSipURI(to, bridgeHost)), null),
                new ArrayList<>(List.of(headers.createViaHeader(lp.getIPAddress(), lp.getPort(), "udp", null))),
                headers.createMaxForwardsHeader(70));
        invite.addHeader(headers.createContactHeader(addresses.createAddress(
                addresses.createSipURI(from, lp.getIPAddress() + ":" + lp.getPort()))));
        invite.setContent(sdp(media.port(), "107:opus 0:pcmu 8:pcma 101:te", true), headers.createContentTypeHeader("application", "sdp"));
        calls.put(callId, call);
        provider.getNewClientTransaction(invite).sendRequest();
        return call.done;
    }

    @Override
    public void processResponse(ResponseEvent event) {
        Response r = event.getResponse();
        CSeqHeader cseq = (CSeqHeader) r.getHeader(CSeqHeader.NAME);
        String callId = ((CallIdHeader) r.getHeader(CallIdHeader.NAME)).getCallId();
        Call call = calls.get(callId);
        if (call == null || !Request.INVITE.equals(cseq.getMethod()) || r.getStatusCode() < 200) {
            return;
        }
        try {
            call.status = r.getStatusCode();
            call.reason = r.getReasonPhrase();
            if (r.getStatusCode() >= 300) {
                end(callId, "bridge");
                return;
            }
            Dialog dialog = event.getClientTransaction() != null ? event.getClientTransaction().getDialog()
                    : event.getDialog();
            call.dialog = dialog;
            dialog.sendAck(dialog.createAck(cseq.getSeqNumber()));
            startMedia(call, new String(r.getRawContent()));
            timer.schedule(() -> hangUp(callId), call.hold.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            notes.accept("PBX stand-in: " + e);
            end(callId, "error");
        }
    }

    @Override
    public void processRequest(RequestEvent event) {
        Request request = event.getRequest();
        String callId = ((CallIdHeader) request.getHeader(CallIdHeader.NAME)).getCallId();
        try {
            ServerTransaction st = event.getServerTransaction() != null ? event.getServerTransaction()
                    : Request.ACK.equals(request.getMethod()) ? null
                    : provider.getNewServerTransaction(request);
            switch (request.getMethod()) {
                case Request.INVITE -> incoming(callId, request, st);
                case Request.BYE -> {
                    st.sendResponse(messages.createResponse(200, request));
                    end(callId, "bridge");
                }
                case Request.CANCEL -> {
                    st.sendResponse(messages.createResponse(200, request));
                    end(callId, "bridge");
                }
                case Request.ACK -> { }
                default -> st.sendResponse(messages.createResponse(405, request));
            }
        } catch (Exception e) {
            notes.accept("PBX stand-in: " + request.getMethod() + ": " + e);
        }
    }

    private void incoming(String callId, Request request, ServerTransaction st) throws Exception {
        if (((ToHeader) request.getHeader(ToHeader.NAME)).getTag() != null) {
            // a re-INVITE (hold, refresh): answered with the same media
            Call existing = calls.get(callId);
            Response ok = messages.createResponse(200, request);
            ok.setContent(sdp(existing == null ? 9 : existing.media.port(), "0:pcmu 101:te", false),
                    headers.createContentTypeHeader("application", "sdp"));
            st.sendResponse(ok);
            return;
        }
        RtpPeer media = new RtpPeer(mediaAddress, timer);
        Call call = new Call(media, holdAnswered);
        for (Iterator<?> it = request.getHeaderNames(); it.hasNext(); ) {
            String name = (String) it.next();
            if (name.toLowerCase().startsWith("x-wa-")) {
                Header h = request.getHeader(name);
                String s = h.toString().trim();
                call.waHeaders.put(name, s.substring(s.indexOf(':') + 1).trim());
            }
        }
        calls.put(callId, call);
        CompletableFuture<Result> waiting = answered.poll();
        if (waiting != null) {
            call.done.whenComplete((r, e) -> {
                if (e != null) {
                    waiting.completeExceptionally(e);
                } else {
                    waiting.complete(r);
                }
            });
        }
        String tag = Long.toHexString(random.nextLong());
        Response ringing = messages.createResponse(180, request);
        ((ToHeader) ringing.getHeader(ToHeader.NAME)).setTag(tag);
        st.sendResponse(ringing);
        timer.schedule(() -> {
            try {
                if (answer == Answer.BUSY) {
                    Response busy = messages.createResponse(486, request);
                    ((ToHeader) busy.getHeader(ToHeader.NAME)).setTag(tag);
                    call.status = 486;
                    call.reason = "Busy Here";
                    st.sendResponse(busy);
                    end(callId, "pbx");
                    return;
                }
                Response ok = messages.createResponse(200, request);
                ((ToHeader) ok.getHeader(ToHeader.NAME)).setTag(tag);
                ListeningPoint lp = provider.getListeningPoint(ListeningPoint.UDP);
                ok.addHeader(headers.createContactHeader(addresses.createAddress(
                        addresses.createSipURI("pbx", lp.getIPAddress() + ":" + lp.getPort()))));
                ok.setContent(sdp(media.port(), answerFormats(new String(request.getRawContent())), false),
                        headers.createContentTypeHeader("application", "sdp"));
                call.status = 200;
                call.reason = "OK";
                st.sendResponse(ok);
                call.dialog = st.getDialog();
                startMedia(call, new String(request.getRawContent()));
                if (call.hold != null) {
                    timer.schedule(() -> hangUp(callId), call.hold.toMillis(), TimeUnit.MILLISECONDS);
                }
            } catch (Exception e) {
                notes.accept("PBX stand-in could not answer: " + e);
                end(callId, "error");
            }
        }, ringTime.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The bridge's first codec the stand-in speaks (Opus, PCMU), with telephone-event/8000 when offered. */
    private static String answerFormats(String offer) throws SdpException {
        SessionDescription.MediaDescription audio = SessionDescription.parse(offer, "the bridge").audio("the bridge");
        Codec chosen = audioCodec(audio);
        String te = audio.codecs().stream().filter(Codec::isTelephoneEvent8k).map(c -> " " + c.payloadType() + ":te")
                .findFirst().orElse("");
        return chosen.payloadType() + (chosen.isOpus() ? ":opus" : ":pcmu") + te;
    }

    private static Codec audioCodec(SessionDescription.MediaDescription audio) throws SdpException {
        return audio.codecs().stream().filter(c -> c.isOpus() || c.is(Codec.PCMU, 8000)).findFirst()
                .orElseThrow(() -> new SdpException("the bridge offers neither Opus nor PCMU"));
    }

    private void startMedia(Call call, String remoteSdp) throws SdpException {
        SessionDescription.MediaDescription audio = SessionDescription.parse(remoteSdp, "the bridge").audio("the bridge");
        Codec codec = audioCodec(audio);
        int dtmfPt = audio.codecs().stream().filter(Codec::isTelephoneEvent8k).map(Codec::payloadType).findFirst()
                .orElse(-1);
        call.media.start(new InetSocketAddress(audio.address(), audio.port()), codec.payloadType(), codec.isOpus(),
                dtmfPt);
        timer.schedule(() -> call.media.sendDigits(digits), 1, TimeUnit.SECONDS);
    }

    private void hangUp(String callId) {
        Call call = calls.get(callId);
        if (call == null || call.dialog == null) {
            return;
        }
        try {
            Request bye = call.dialog.createRequest(Request.BYE);
            ClientTransaction ct = provider.getNewClientTransaction(bye);
            call.dialog.sendRequest(ct);
        } catch (Exception e) {
            notes.accept("PBX stand-in BYE failed: " + e);
        }
        end(callId, "pbx");
    }

    private void end(String callId, String by) {
        Call call = calls.remove(callId);
        if (call != null) {
            call.media.close();
            call.done.complete(new Result(callId, call.status, call.reason, call.media.counters(), by,
                    Map.copyOf(call.waHeaders)));
        }
    }

    /** @param formats payload types with their codec, e.g. {@code "107:opus 0:pcmu 101:te"} */
    private String sdp(int port, String formats, boolean offer) {
        StringBuilder pts = new StringBuilder();
        StringBuilder attributes = new StringBuilder();
        for (String f : formats.split(" ")) {
            String pt = f.substring(0, f.indexOf(':'));
            pts.append(' ').append(pt);
            switch (f.substring(f.indexOf(':') + 1)) {
                case "opus" -> attributes.append("a=rtpmap:").append(pt).append(" opus/48000/2\r\na=fmtp:").append(pt)
                        .append(" useinbandfec=1\r\n");
                case "pcmu" -> attributes.append("a=rtpmap:").append(pt).append(" PCMU/8000\r\n");
                case "pcma" -> attributes.append("a=rtpmap:").append(pt).append(" PCMA/8000\r\n");
                default -> attributes.append("a=rtpmap:").append(pt).append(" telephone-event/8000\r\na=fmtp:")
                        .append(pt).append(" 0-16\r\n");
            }
        }
        return "v=0\r\no=- " + System.currentTimeMillis() / 1000 + " 1 IN IP4 " + mediaAddress + "\r\n"
                + "s=PBX stand-in\r\nc=IN IP4 " + mediaAddress + "\r\nt=0 0\r\n"
                + "m=audio " + port + " RTP/AVP" + pts + "\r\n" + attributes + "a=ptime:20\r\na=sendrecv\r\n";
    }

    @Override
    public void processTimeout(TimeoutEvent event) {
        if (!event.isServerTransaction()) {
            String callId = ((CallIdHeader) event.getClientTransaction().getRequest().getHeader(CallIdHeader.NAME))
                    .getCallId();
            Call call = calls.get(callId);
            if (call != null && call.status == 0) {
                call.status = 408;
                call.reason = "no answer from the bridge";
                end(callId, "timeout");
            }
        }
    }

    @Override
    public void processIOException(IOExceptionEvent event) {
    }

    @Override
    public void processTransactionTerminated(TransactionTerminatedEvent event) {
    }

    @Override
    public void processDialogTerminated(DialogTerminatedEvent event) {
    }

    @Override
    public void close() {
        calls.keySet().forEach(id -> end(id, "closed"));
        timer.shutdownNow();
        stack.stop();
    }
}
