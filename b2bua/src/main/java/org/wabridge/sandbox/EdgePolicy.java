package org.wabridge.sandbox;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.wabridge.b2bua.digest.DigestAlgorithm;
import org.wabridge.b2bua.digest.DigestCredentials;
import org.wabridge.b2bua.digest.DigestVerifier;
import org.wabridge.b2bua.sip.HostResolver;
import org.wabridge.media.SdpException;
import org.wabridge.media.dtls.DtlsFingerprint;
import org.wabridge.media.sdp.Codec;
import org.wabridge.media.sdp.SessionDescription;

/**
 * The sandbox edge's rules for an INVITE from the business (business-initiated call), in the order Meta's
 * documented answers suggest: re-INVITE 500, Request-URI 404, digest 407/403, unknown business number 400,
 * From domain 403, SDP 403, duplicate call and daily limit 403, then the called user's behaviour. Pure: no
 * sockets, no SIP stack; the adapter ({@link SandboxEdge}) turns the answer into a response.
 */
public final class EdgePolicy {

    /** A fake phone number id, as Meta quotes one in its 403 phrases. */
    static final String PHONE_NUMBER_ID = "100000000000001";
    static final String WARNING_AGENT = "wa.meta.vc";

    /** What the policy needs to know of one INVITE. */
    public record BusinessInvite(String scheme, String uriUser, String uriHost, boolean inDialog, String fromUser,
                                 String fromHost, List<String> proxyAuthorizations, String sdp, boolean pairBusy,
                                 int connectedToday) {
        public BusinessInvite {
            proxyAuthorizations = List.copyOf(proxyAuthorizations);
        }
    }

    private final EdgeRules rules;
    private final DigestVerifier verifier;

    public EdgePolicy(EdgeRules rules, Clock clock) {
        this.rules = rules;
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        this.verifier = new DigestVerifier("wa.meta.vc", secret, clock, Duration.ofMinutes(5));
    }

    public EdgeRules rules() {
        return rules;
    }

    public EdgeAnswer decide(BusinessInvite invite) {
        if (invite.inDialog()) {
            return EdgeAnswer.reject(500, "Internal Server Error", "re-INVITE: Meta does not support it (FAQ)");
        }
        String host = invite.uriHost() == null ? "" : invite.uriHost();
        if ("sips".equalsIgnoreCase(invite.scheme())) {
            return EdgeAnswer.reject(404, "Not Found", "sips: Request-URI (Meta wants sip:...;transport=tls)");
        }
        if (HostResolver.isIpLiteral(host.replace("[", "").replace("]", ""))) {
            return EdgeAnswer.reject(404, "Not Found", "IP address in the Request-URI (" + host + ") is not allowed");
        }
        if (!host.equalsIgnoreCase(rules.edgeHost())) {
            return EdgeAnswer.reject(404, "Not Found", "Request-URI host " + host + " is not " + rules.edgeHost());
        }
        String credentials = ourCredentials(invite.proxyAuthorizations());
        if (credentials == null) {
            return challenge(false, "no Proxy-Authorization for realm wa.meta.vc: challenged");
        }
        String number = invite.fromUser() == null ? "" : invite.fromUser();
        String password = rules.passwords().get(number.startsWith("+") ? number : "+" + number);
        if (password == null) {
            return warned(400, "Asset not found, invalid business phone number",
                    "From user " + number + " is not a business number of this configuration");
        }
        String username = number.startsWith("+") ? number.substring(1) : number;
        DigestVerifier.Verdict verdict = verifier.verify(credentials, "INVITE", username, password);
        String algorithm = DigestCredentials.parse(credentials).map(c -> c.algorithm().token()).orElse("?");
        switch (verdict) {
            case OK:
                break;
            case STALE_NONCE:
                return challenge(true, "digest nonce stale or reused: challenged again with stale=true");
            case FOREIGN_NONCE:
                return challenge(false, "digest answers a challenge this edge did not issue: challenged again");
            default:
                return warned(403, "Invalid digest auth response", "digest rejected: " + verdict.explanation());
        }
        if (!fromDomainAllowed(invite.fromHost())) {
            return warned(403, "SIP server " + invite.fromHost() + " from INVITE does not match any SIP server "
                    + "configured for phone number id " + PHONE_NUMBER_ID, "From domain " + invite.fromHost()
                    + " is neither " + rules.configuredHost() + " nor a parent domain of it");
        }
        String sdpProblem = sdpProblem(invite.sdp());
        if (sdpProblem != null) {
            return warned(403, "SDP Validation Error", sdpProblem);
        }
        if (invite.pairBusy()) {
            return warned(403, "Duplicate call", "this business and user pair already has an active call");
        }
        if (invite.connectedToday() >= rules.dailyLimit()) {
            return warned(403, "Business Initiated Connected Call Per Day Limit Hit", invite.connectedToday()
                    + " connected calls to this user today (limit " + rules.dailyLimit() + ")");
        }
        UserBehaviour behaviour = rules.behaviourOf(invite.uriUser());
        return EdgeAnswer.proceed(behaviour, "digest accepted (" + algorithm + ", username " + username
                + "); user " + invite.uriUser() + " will " + behaviour.word());
    }

    /** The final answer of the called user after ringing: 200 for {@link UserBehaviour#ANSWER}, else Meta's error. */
    public EdgeAnswer finalAnswer(UserBehaviour behaviour) {
        if (behaviour == UserBehaviour.ANSWER) {
            return new EdgeAnswer(200, "OK", List.of(), behaviour, "the user answered");
        }
        String why = "user behaviour " + behaviour.word();
        if (behaviour == UserBehaviour.UNAVAILABLE) {
            return EdgeAnswer.reject(503, behaviour.phrase(), why,
                    new EdgeAnswer.Header("Retry-After", "" + rules.retryAfter().toSeconds()));
        }
        return behaviour.warning() ? warned(behaviour.status(), behaviour.phrase(), why)
                : EdgeAnswer.reject(behaviour.status(), behaviour.phrase(), why);
    }

    /**
     * The From-domain rule: the From host must be the configured hostname, or a parent domain of it
     * (configured {@code bar.foo.com}, From {@code foo.com} is valid).
     */
    boolean fromDomainAllowed(String fromHost) {
        if (fromHost == null || fromHost.isEmpty()) {
            return false;
        }
        String from = fromHost.toLowerCase(Locale.ROOT);
        String configured = rules.configuredHost().toLowerCase(Locale.ROOT);
        return configured.equals(from) || (from.contains(".") && configured.endsWith("." + from));
    }

    /** Why the offer is not one Meta accepts in SDES mode, or null. */
    static String sdpProblem(String sdp) {
        SessionDescription.MediaDescription audio;
        try {
            audio = SessionDescription.parse(sdp, "the business").audio("the business");
        } catch (SdpException e) {
            return e.getMessage();
        }
        if (audio.isDtlsSrtp()) {
            if (audio.fingerprint() == null || DtlsFingerprint.parse(audio.fingerprint()).isEmpty()) {
                return "no usable a=fingerprint in the DTLS-SRTP offer";
            }
        } else if (!"RTP/SAVP".equalsIgnoreCase(audio.protocol())) {
            return "audio protocol " + audio.protocol() + " is neither RTP/SAVP nor UDP/TLS/RTP/SAVPF";
        } else if (audio.cryptoLines().stream().noneMatch(c -> c.contains("AES_CM_128_HMAC_SHA1_80"))) {
            return "no a=crypto with AES_CM_128_HMAC_SHA1_80";
        }
        if (audio.codecs().stream().noneMatch(Codec::isOpus)) {
            return "no opus/48000/2 in the offer";
        }
        return null;
    }

    private EdgeAnswer challenge(boolean stale, String why) {
        EdgeAnswer.Header[] headers = new EdgeAnswer.Header[rules.algorithms().size()];
        int i = 0;
        for (DigestAlgorithm a : rules.algorithms()) {
            headers[i++] = new EdgeAnswer.Header("Proxy-Authenticate", verifier.challenge(a, stale));
        }
        return EdgeAnswer.reject(407, "Proxy Authentication Required", why, headers);
    }

    private static EdgeAnswer warned(int status, String phrase, String why) {
        return EdgeAnswer.reject(status, phrase, why,
                new EdgeAnswer.Header("Warning", "399 " + WARNING_AGENT + " \"" + phrase + "\""));
    }

    /** The Proxy-Authorization value answering our realm, or null. */
    private static String ourCredentials(List<String> values) {
        for (String v : values) {
            if (DigestCredentials.parse(v).map(c -> "wa.meta.vc".equals(c.realm())).orElse(false)) {
                return v;
            }
        }
        return values.isEmpty() ? null : values.get(0);
    }
}
