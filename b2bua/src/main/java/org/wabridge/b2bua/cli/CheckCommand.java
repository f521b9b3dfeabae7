package org.wabridge.b2bua.cli;

import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.wabridge.b2bua.BridgeException;
import org.wabridge.config.BridgeConfig;
import org.wabridge.config.BusinessNumber;
import org.wabridge.config.IpLiterals;
import org.wabridge.config.MediaSettings;
import org.wabridge.config.MediaSettings.MediaMode;
import org.wabridge.config.SrtpKeyExchange;
import org.wabridge.media.MetaOfferPreview;
import org.wabridge.media.SdpException;
import org.wabridge.media.ice.IceCandidate;
import org.wabridge.media.ice.IceSdp;
import org.wabridge.media.ice.RemoteIce;
import org.wabridge.media.sdp.SessionDescription;
import org.wabridge.media.sdp.SessionDescription.MediaDescription;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bridge check -c FILE}: explains every problem of a configuration before a call is lost to it. */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = "Validate a configuration and explain every problem (exit 1 on errors).")
final class CheckCommand implements Callable<Integer> {

    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "bridge YAML file")
    Path config;

    @Override
    public Integer call() {
        BridgeConfig cfg = ConfigFiles.loadChecked(config, System.out);
        if (cfg == null) {
            return 1;
        }
        try {
            RunCommand.Running.catalog(cfg);
        } catch (BridgeException e) {
            System.out.println("  ERROR " + e.getMessage());
            return 1;
        }
        System.out.println(config + ": OK (" + cfg.meta().numbers().size() + " business number(s), edge "
                + cfg.meta().edgeUri() + ")");
        boolean offersOk = true;
        for (BusinessNumber n : cfg.meta().numbers()) {
            keying(cfg, n).forEach(line -> System.out.println("  " + line));
            if (cfg.media().mode() == MediaMode.RELAY) {
                String problem = offerProblem(cfg.media(), n.srtpKeyExchange(), System.out);
                if (problem != null) {
                    System.out.println("  ERROR " + n.number() + ": the offer to Meta " + problem);
                    offersOk = false;
                }
                System.out.println("  codecs: a PBX offering Opus is passed through; "
                        + MetaOfferPreview.g711PbxChoice(cfg.media(), n.srtpKeyExchange()));
            }
        }
        System.out.println("  A user-initiated call follows Meta's offer (DTLS or SDES) whatever the number's "
                + "srtpKeyExchange says; the bridge logs a warning when they differ.");
        return offersOk ? 0 : 1;
    }

    /**
     * Builds the offer the relay would send Meta for a number ({@link MetaOfferPreview}) and checks it has what the
     * keying needs (DTLS: UDP/TLS/RTP/SAVPF, fingerprint, actpass, one host candidate on media.publicAddress; SDES:
     * RTP/SAVP with a=crypto). Prints a one-line summary; returns what is wrong, or null.
     */
    static String offerProblem(MediaSettings media, SrtpKeyExchange keying, PrintStream out) {
        String sdp;
        MediaDescription audio;
        Optional<RemoteIce> ice;
        try {
            sdp = MetaOfferPreview.offer(media, keying);
            audio = SessionDescription.parse(sdp, "The offer").audio("The offer");
            ice = IceSdp.parseRemote(sdp, "The offer");
        } catch (SdpException | RuntimeException e) {
            return "cannot be built: " + e.getMessage();
        }
        String mLine = "m=audio " + audio.port() + " " + audio.protocol() + " " + audio.formats().stream()
                .map(String::valueOf).collect(Collectors.joining(" "));
        if (keying == SrtpKeyExchange.SDES) {
            if (!audio.protocol().equals("RTP/SAVP") || audio.cryptoLines().isEmpty()) {
                return "is not SDES-SRTP: " + mLine;
            }
            out.println("  offer to Meta: " + mLine + " with an a=crypto key (SDES)");
            return null;
        }
        if (!audio.isDtlsSrtp()) {
            return "is " + mLine + ", not DTLS-SRTP: media.publicAddress cannot be an ICE candidate";
        }
        InetAddress publicAddress = IpLiterals.parse(media.publicAddress());
        List<IceCandidate> candidates = ice.map(RemoteIce::candidates).orElse(List.of());
        if (audio.fingerprint() == null || !audio.fingerprint().startsWith("sha-256 ")
                || !"actpass".equals(audio.setup()) || candidates.size() != 1
                || !candidates.get(0).address().getAddress().equals(publicAddress)) {
            return "lacks what Meta's DTLS mode needs (fingerprint, setup:actpass, ICE credentials, one host candidate"
                    + " on " + media.publicAddress() + "):\n" + sdp;
        }
        InetSocketAddress candidate = candidates.get(0).address();
        out.println("  offer to Meta: " + mLine + ", ICE host candidate " + media.publicAddress() + ":"
                + candidate.getPort() + " (the call's port), a=fingerprint:sha-256, a=setup:actpass");
        return null;
    }

    /** What the number's keying means for its calls, and whether this configuration can do it. */
    static List<String> keying(BridgeConfig cfg, BusinessNumber n) {
        MediaSettings media = cfg.media();
        List<String> lines = new ArrayList<>();
        switch (n.srtpKeyExchange()) {
            case SDES -> lines.add(n.number() + ": SDES. The bridge offers Meta SRTP keys in the SDP (a=crypto) on "
                    + "business-initiated calls: no ICE, no handshake. Meta's default is DTLS: set "
                    + "srtp_key_exchange_protocol SDES at Meta and GET it back after every POST "
                    + "(bridge meta-settings).");
            case DTLS -> {
                String cannot = dtlsCannot(media);
                lines.add(n.number() + ": DTLS (Meta's default). The bridge offers Meta ICE and DTLS-SRTP on "
                        + "business-initiated calls, as ICE controlling agent and DTLS client."
                        + (cannot != null ? "" : " Meta must reach UDP " + media.publicAddress() + " ports "
                                + media.portMin() + ".." + media.portMax() + " (ICE, DTLS and media)."));
                if (cannot != null) {
                    lines.add("  cannot key it: " + cannot);
                } else if (privateAddress(media.publicAddress())) {
                    // Meta takes the address the relay's ICE checks come from (peer-reflexive), so NAT can work.
                    lines.add("  " + media.publicAddress() + " is not a public address: fine in a lab; behind NAT, "
                            + "Meta answers at the address the relay's ICE checks come from, so the NAT must let "
                            + "it in");
                }
            }
        }
        return lines;
    }

    /** Why the relay cannot run ICE and DTLS toward Meta with these settings, or null when it can. */
    static String dtlsCannot(MediaSettings media) {
        if (media.mode() == MediaMode.PASSTHROUGH) {
            return "media.mode passthrough copies SDP, so the PBX itself must run ICE and DTLS toward Meta";
        }
        String address = media.publicAddress();
        if (!IpLiterals.isIpLiteral(address)) {
            return "the ICE host candidate media.publicAddress '" + address + "' is not an IP address";
        }
        if (IpLiterals.isWildcard(address)) {
            return "the ICE host candidate media.publicAddress " + address + " is a wildcard, not an address Meta can "
                    + "reach";
        }
        return null;
    }

    /** Loopback, RFC 1918, link-local or IPv6 unique-local (fc00::/7). */
    private static boolean privateAddress(String address) {
        InetAddress ip = IpLiterals.parse(address);
        return ip != null && (ip.isLoopbackAddress() || ip.isSiteLocalAddress() || ip.isLinkLocalAddress()
                || (ip.getAddress().length == 16 && (ip.getAddress()[0] & 0xfe) == 0xfc));
    }
}
