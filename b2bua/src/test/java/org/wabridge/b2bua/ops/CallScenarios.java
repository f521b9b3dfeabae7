package org.wabridge.b2bua.ops;

import java.time.Duration;
import java.time.Instant;
import org.wabridge.b2bua.events.CallEnd;
import org.wabridge.b2bua.events.CallEvent;
import org.wabridge.b2bua.events.CallObserver;
import org.wabridge.b2bua.events.CallStart;
import org.wabridge.b2bua.events.Direction;
import org.wabridge.b2bua.events.SipMessageEvent;
import org.wabridge.media.MediaStats;
import org.wabridge.media.MediaStats.LegStats;

/** Four calls as the bridge reports them to its observer, on fixed instants. */
public final class CallScenarios {

    public static final Instant T0 = Instant.parse("2026-11-25T10:00:00Z");

    public static final String COMPLETED = "pbx-1@127.0.0.1";
    public static final String FAILED = "pbx-2@127.0.0.1";
    public static final String CANCELLED = "outgoing:wacid.HBgLMTU1NTAxMDAwMDk@127.0.0.1";
    public static final String MEDIA_TIMEOUT = "pbx-4@127.0.0.1";
    /** Not in {@link #feedAll}: see {@link #metaLegFailed}. */
    public static final String META_LEG_FAILED = "pbx-5@127.0.0.1";

    public static final String BUSINESS = "+15550100001";
    public static final String USER = "+4915112345678";
    public static final String COMPLETED_WACID = "wacid.HBgLMTU1NTAxMDAwMDE";

    public static final LegStats PBX_LEG = new LegStats(3000, 516_000, 3050, 520_000, 2, 0, 60);
    public static final LegStats META_LEG = new LegStats(2990, 400_000, 3100, 430_000, 5, 3, 140);

    private CallScenarios() {}

    /** All four calls, in time order. */
    public static void feedAll(CallObserver o) {
        completed(o, T0);
        failed(o, T0.plusSeconds(100));
        cancelled(o, T0.plusSeconds(200));
        mediaTimeout(o, T0.plusSeconds(300));
    }

    /** Business-initiated, digest challenge, connected, PBX hangs up after 62 s. */
    public static void completed(CallObserver o, Instant t) {
        String id = COMPLETED;
        o.callStarted(new CallStart(id, Direction.BUSINESS_INITIATED, BUSINESS, USER, t));
        o.sipMessage(sip(id, t, "PBX", false, "INVITE", 0, "INVITE sip:+4915112345678@127.0.0.1:5060"));
        o.sipMessage(sip(id, t.plusMillis(5), "META", true, "INVITE", 0, "INVITE sip:+4915112345678@wa.meta.vc;transport=tls"));
        o.sipMessage(sip(id, t.plusMillis(80), "META", false, "INVITE", 407, "407 Proxy Authentication Required (INVITE)"));
        o.callEvent(new CallEvent(id, t.plusMillis(81), "digest-challenge", "407 realm wa.meta.vc answered"));
        o.sipMessage(sip(id, t.plusMillis(82), "META", true, "INVITE", 0, "INVITE sip:+4915112345678@wa.meta.vc;transport=tls"));
        o.sipMessage(sip(id, t.plusMillis(2500), "META", false, "INVITE", 200, "200 OK (INVITE)"));
        o.callEvent(new CallEvent(id, t.plusMillis(2500), "meta-call-id", COMPLETED_WACID));
        o.callEvent(new CallEvent(id, t.plusMillis(2501), "connected", "both legs answered; media relayed"));
        o.sipMessage(sip(id, t.plusMillis(2502), "PBX", true, "INVITE", 200, "200 OK (INVITE)"));
        o.sipMessage(sip(id, t.plusSeconds(62), "PBX", false, "BYE", 0, "BYE sip:bridge@127.0.0.1:5060"));
        o.callEnded(new CallEnd(id, COMPLETED_WACID, t.plusSeconds(62), true, 200, "OK", null, "PBX hung up",
                Duration.ofMillis(2500), Duration.ofSeconds(62), new MediaStats(PBX_LEG, META_LEG)));
    }

    /** Business-initiated, Meta answers 403 (no call permission). */
    public static void failed(CallObserver o, Instant t) {
        String id = FAILED;
        o.callStarted(new CallStart(id, Direction.BUSINESS_INITIATED, BUSINESS, "+4915100000002", t));
        o.sipMessage(sip(id, t, "PBX", false, "INVITE", 0, "INVITE sip:+4915100000002@127.0.0.1:5060"));
        o.sipMessage(sip(id, t.plusMillis(300), "META", false, "INVITE", 403, "403 No Approved Call Permission Found (INVITE)"));
        o.sipMessage(sip(id, t.plusMillis(301), "PBX", true, "INVITE", 403, "403 Forbidden (INVITE)"));
        o.callEnded(new CallEnd(id, null, t.plusMillis(800), false, 403, "No Approved Call Permission Found",
                "meta.403.no-permission", "Meta answered 403 No Approved Call Permission Found", null,
                Duration.ofMillis(800), zeros()));
    }

    /** User-initiated; the PBX cancels while ringing. */
    public static void cancelled(CallObserver o, Instant t) {
        String id = CANCELLED;
        o.callStarted(new CallStart(id, Direction.USER_INITIATED, BUSINESS, "BSUID.7f3a\"quoted\"", t));
        o.sipMessage(sip(id, t, "META", false, "INVITE", 0, "INVITE sip:+15550100001@sip.example.test;transport=tls"));
        o.sipMessage(sip(id, t.plusMillis(20), "PBX", true, "INVITE", 0, "INVITE sip:+15550100001@127.0.0.1:5090"));
        o.callEvent(new CallEvent(id, t.plusSeconds(9), "cancelled", "the PBX cancelled before the answer"));
        o.callEnded(new CallEnd(id, null, t.plusSeconds(9), false, 487, "Request Terminated", null,
                "the PBX cancelled before the answer", null, Duration.ofSeconds(9), zeros()));
    }

    /** Connected, then Meta's leg goes silent and the bridge ends the call. */
    public static void mediaTimeout(CallObserver o, Instant t) {
        String id = MEDIA_TIMEOUT;
        o.callStarted(new CallStart(id, Direction.BUSINESS_INITIATED, BUSINESS, USER, t));
        o.callEvent(new CallEvent(id, t.plusMillis(1200), "connected", "both legs answered; media relayed"));
        o.callEvent(new CallEvent(id, t.plusSeconds(31), "media-timeout", "no media from Meta for 30s"));
        o.callEnded(new CallEnd(id, null, t.plusSeconds(31), true, 200, "OK", "local.media-timeout-meta",
                "no media from Meta for 30s", Duration.ofMillis(1200), Duration.ofSeconds(31),
                new MediaStats(new LegStats(100, 16_000, 100, 16_000, 0, 0, 20), new LegStats(10, 1_000, 200, 30_000, 0, 0, 30_000))));
    }

    /**
     * A DTLS-SRTP call as SipCall reports the machine's records: connected, the Meta leg's set-up steps, then Meta
     * stops answering consent checks and the bridge ends the call. Not part of {@link #feedAll}.
     */
    public static void metaLegFailed(CallObserver o, Instant t) {
        String id = META_LEG_FAILED;
        String why = "Meta stopped answering ICE consent checks: no consent response for 30 s";
        o.callStarted(new CallStart(id, Direction.BUSINESS_INITIATED, BUSINESS, USER, t));
        o.callEvent(new CallEvent(id, t.plusMillis(1500), "connected", "both legs answered; media relayed"));
        o.callEvent(new CallEvent(id, t.plusMillis(1535), "ice-completed", "ICE completed 35 ms after the Meta leg started"));
        o.callEvent(new CallEvent(id, t.plusMillis(1620), "dtls-connected",
                "DTLS handshake completed, SRTP keys agreed 120 ms after the Meta leg started"));
        o.callEvent(new CallEvent(id, t.plusMillis(1621), "first-srtp-sent",
                "first SRTP packet sent to Meta 121 ms after the Meta leg started"));
        o.callEvent(new CallEvent(id, t.plusMillis(1640), "first-srtp-received",
                "first SRTP packet received from Meta 140 ms after the Meta leg started"));
        o.callEvent(new CallEvent(id, t.plusSeconds(40), "meta-leg-failed", why));
        o.callEnded(new CallEnd(id, null, t.plusSeconds(40), true, 200, "OK", "local.ice-consent-lost", why,
                Duration.ofMillis(1500), Duration.ofSeconds(40), zeros()));
    }

    private static SipMessageEvent sip(String id, Instant at, String leg, boolean out, String method, int status, String line) {
        return new SipMessageEvent(id, at, leg, out, method, status, line);
    }

    private static MediaStats zeros() {
        LegStats z = new LegStats(0, 0, 0, 0, 0, 0, 0);
        return new MediaStats(z, z);
    }
}
