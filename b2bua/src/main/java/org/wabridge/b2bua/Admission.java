package org.wabridge.b2bua;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import javax.sip.address.SipURI;
import javax.sip.header.FromHeader;
import javax.sip.message.Request;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.wabridge.b2bua.CallFailures.Outcome;
import org.wabridge.config.BridgeConfig;
import org.wabridge.config.BusinessNumber;
import org.wabridge.config.Cidr;
import org.wabridge.config.IpLiterals;
import org.wabridge.config.Normalizer;

/**
 * Decides which new INVITEs may become calls, before any call exists: drain, source allowlists, numbers, the
 * per-pair daily limit and the per-number concurrency slot. Every refusal comes with its answer and one log line.
 */
final class Admission {

    private static final Logger LOG = LoggerFactory.getLogger(Admission.class);
    private static final List<String> INVALID_NUMBER = List.of("Q.850;cause=28;text=\"INVALID_NUMBER_FORMAT\"");

    /** An INVITE's fate: a call for {@code number} and {@code waUser} (slot reserved), or a refusal. */
    sealed interface Verdict {
        record Admit(BusinessNumber number, String waUser) implements Verdict {}
        record Refuse(int code, String phrase, List<String> reasons, Integer retryAfter) implements Verdict {}
    }

    private final BridgeConfig config;
    private final CallFailures failures;
    private final CallRegistry registry;
    private final DailyPairLimit dailyLimit;
    private final FloodCounters counters;
    private final RateLimitedWarning outsiders = new RateLimitedWarning(LOG, java.time.Duration.ofSeconds(10));
    private volatile boolean draining;

    Admission(BridgeConfig config, CallFailures failures, CallRegistry registry, DailyPairLimit dailyLimit,
              FloodCounters counters) {
        this.counters = counters;
        this.config = config;
        this.failures = failures;
        this.registry = registry;
        this.dailyLimit = dailyLimit;
    }

    /** New INVITEs get 503 from now on; calls in progress go on (graceful stop). */
    void drain() {
        draining = true;
    }

    boolean draining() {
        return draining;
    }

    /**
     * The checks answered statelessly, before a transaction exists: draining, and a source outside the leg's
     * allowlist. Empty when the INVITE may go on.
     */
    Optional<Verdict.Refuse> screen(boolean fromPbx, String source, String callId) {
        if (draining) {
            // another bridge node (or this one after restart) should take the call
            return Optional.of(new Verdict.Refuse(503, "Bridge is shutting down",
                    List.of("Q.850;cause=42;text=\"SWITCHING_EQUIPMENT_CONGESTION\""), 30));
        }
        // A flood from outside the allowlists is counted (wabridge_sip_refused_total) and costs at most one WARN
        // per 10 s, which says how many more were refused since the last one.
        if (fromPbx && !allowed(config.pbx().allowedSources(), source)) {
            counters.sourceNotAllowed.increment();
            Outcome outcome = failures.local("local.source-not-allowed");
            outsiders.warn(() -> failures.logLine(callId, null, 403, "INVITE from " + source
                    + " is not in pbx.allowedSources", outcome));
            return Optional.of(refusal(outcome, outcome.answer().retryAfterSeconds()));
        }
        if (!fromPbx && !allowed(config.meta().allowedSources(), source)) {
            counters.sourceNotAllowed.increment();
            outsiders.warn(() -> "INVITE from " + source + " refused with 403: not in meta.allowedSources (Meta's "
                    + "published ranges by default)");
            return Optional.of(new Verdict.Refuse(403, "Source address not allowed", List.of(), null));
        }
        return Optional.empty();
    }

    /** A business-initiated call: whom the PBX dials, from which business number, within the limits. */
    Verdict pbxInvite(Request invite, String callId) {
        SipURI requestUri = invite.getRequestURI() instanceof SipURI s ? s : null;
        String dialled = requestUri == null ? null : requestUri.getUser();
        if (dialled == null || dialled.isBlank()) {
            return new Verdict.Refuse(484, "No WhatsApp user in the Request-URI", INVALID_NUMBER, null);
        }
        String waUser = Normalizer.toE164(dialled, config.pbx().numberRules());
        if (!Normalizer.isE164(waUser) && !Normalizer.isBsuid(waUser)) {
            LOG.warn("call refused: '{}' is neither an E.164 number nor a WhatsApp BSUID after number rules", dialled);
            return new Verdict.Refuse(484, "Not an E.164 number: " + dialled, INVALID_NUMBER, null);
        }
        Optional<BusinessNumber> number = businessNumberFor(invite);
        if (number.isEmpty()) {
            Outcome outcome = failures.local("local.unknown-business-number");
            LOG.warn(failures.logLine(callId, null, outcome.answer().sipCode(), "From '"
                    + ((FromHeader) invite.getHeader(FromHeader.NAME)).getAddress().getURI()
                    + "' is not a configured business number and pbx.defaultBusinessNumber is not set", outcome));
            return refusal(outcome, outcome.answer().retryAfterSeconds());
        }
        Optional<Duration> wait = dailyLimit.waitBeforeNextCall(number.get().number(), waUser);
        if (wait.isPresent()) {
            Outcome outcome = failures.local("local.daily-limit");
            long seconds = Math.max(1, wait.get().toSeconds());
            LOG.warn(failures.logLine(callId, null, outcome.answer().sipCode(), number.get().number() + " and "
                    + waUser + " already had " + config.limits().dailyCallsPerUserPair()
                    + " connected calls in 24 h; next allowed in " + seconds + " s", outcome));
            return refusal(outcome, (int) Math.min(Integer.MAX_VALUE, seconds));
        }
        return reserve(number.get(), waUser, callId);
    }

    /** A user-initiated call: a business number we serve, with somewhere to ring. The digest check comes next. */
    Verdict metaInvite(Request invite, String source) {
        // The stack sets aside a header it cannot parse: our 200 OK would lack Meta's route, Meta's ACK would
        // never arrive and the call would drop after about 32 s. Refuse such an INVITE at once instead.
        java.util.ListIterator<String> unparsed =
                ((gov.nist.javax.sip.message.SIPMessage) invite).getUnrecognizedHeaders();
        while (unparsed != null && unparsed.hasNext()) {
            String line = unparsed.next().trim();
            if (line.regionMatches(true, 0, "Record-Route", 0, "Record-Route".length())) {
                LOG.warn("INVITE from {} refused with 400: its Record-Route cannot be parsed ('{}'); something between "
                        + "Meta and the bridge damages SIP headers (an SBC or load balancer rewriting them?)", source,
                        line);
                return new Verdict.Refuse(400, "Malformed Record-Route", List.of(), null);
            }
        }
        String user = invite.getRequestURI() instanceof SipURI s ? s.getUser() : null;
        // Meta appends the configured request_uri_user_params to the user part: +1555...;tgrp=wacall;...
        String dialled = user == null ? "" : Normalizer.toE164(user.split(";", 2)[0], List.of());
        Optional<BusinessNumber> number = config.meta().numbers().stream()
                .filter(n -> n.number().equals(dialled)).findFirst();
        if (number.isEmpty()) {
            LOG.warn("INVITE from Meta for '{}' refused with 404: not a configured business number", user);
            return new Verdict.Refuse(404, "Business number not configured", List.of(), null);
        }
        BusinessNumber n = number.get();
        if ((n.pbxTarget() != null ? n.pbxTarget() : config.pbx().target()) == null) {
            LOG.warn("INVITE for {} refused with 480: neither meta.numbers[].pbxTarget nor pbx.target is set",
                    dialled);
            return new Verdict.Refuse(480, "No PBX target configured", List.of(), null);
        }
        String caller = ((FromHeader) invite.getHeader(FromHeader.NAME)).getAddress().getURI() instanceof SipURI f
                && f.getUser() != null ? f.getUser() : "anonymous";
        return new Verdict.Admit(n, caller);
    }

    /** Takes the per-number concurrency slot of an admitted call. */
    Verdict reserve(BusinessNumber number, String waUser, String callId) {
        if (!registry.tryReserve(number.number(), config.limits().maxCallsPerNumber())) {
            Outcome outcome = failures.local("local.concurrent-limit");
            LOG.warn(failures.logLine(callId, null, outcome.answer().sipCode(), number.number()
                    + " is at its limit of " + config.limits().maxCallsPerNumber() + " concurrent call(s)", outcome));
            return refusal(outcome, outcome.answer().retryAfterSeconds());
        }
        return new Verdict.Admit(number, waUser);
    }

    private static Verdict.Refuse refusal(Outcome outcome, Integer retryAfter) {
        return new Verdict.Refuse(outcome.answer().sipCode(), outcome.answer().phrase(), outcome.reasons(),
                retryAfter);
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

    private static boolean allowed(List<Cidr> networks, String ip) {
        try {
            // the packet's source as the socket reports it: a literal, never looked up; a link-local IPv6 source
            // carries its interface ("fe80::1%eth0"), which says nothing about the network it belongs to
            int zone = ip == null ? -1 : ip.indexOf('%');
            InetAddress address = IpLiterals.parse(zone < 0 ? ip : ip.substring(0, zone));
            if (address == null) {
                LOG.warn("bad source address {}", ip);
                return false;
            }
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
}
