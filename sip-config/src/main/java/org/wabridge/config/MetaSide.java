package org.wabridge.config;

import java.time.Duration;
import java.util.List;

/**
 * The Meta-facing side.
 *
 * @param edgeUri           where business-initiated INVITEs go; default {@code sip:wa.meta.vc:5061;transport=tls}
 * @param edgeAddress       optional address to connect to instead of resolving the edge host (lab, DNS-less tests);
 *                          TLS still verifies the certificate against the edge host name
 * @param sipServerHostname the hostname configured at Meta for the numbers ({@code servers[].hostname})
 * @param fromDomain        domain of the From header toward Meta; default {@code sipServerHostname}
 * @param tlsTrust          PEM file with the CA certificates trusted for the edge; null = the JVM's trust store
 * @param listen            where Meta reaches us (in-dialog requests, user-initiated calls); default tls:0.0.0.0:5061
 * @param publicHost        host put in our Contact toward Meta; default {@code sipServerHostname}
 * @param publicPort        port put in our Contact toward Meta; default the listen port
 * @param tlsCertificate    PEM certificate chain served on the TLS listener
 * @param tlsKey            PEM private key (PKCS#8) for the TLS listener (never logged)
 * @param numbers           the business numbers and their SIP passwords
 * @param noResponseTimeout how long to wait for any response from the edge before failing the call
 * @param allowedSources    networks Meta's INVITEs may come from (default: Meta's published ranges); others get 403
 * @param inboundChallenge  challenge Meta's INVITEs with 407 (default) or 401 and verify the digest; 0 = do not
 * @param inboundChallengeAlgorithm digest algorithm(s) of that challenge: {@code MD5} (default: the algorithm
 *                          Meta's documentation shows for its digest answers), {@code SHA-256}, or {@code both} (two
 *                          challenges, SHA-256 first, as RFC 8760 orders them; the peer answers the first it supports)
 * @param listenerLimits    connection caps and idle timeout of the listener ({@code meta.tlsMaxConnections}...);
 *                          {@link #allowedSources} also applies to each connection as it is accepted
 */
public record MetaSide(
        String edgeUri,
        String edgeAddress,
        String sipServerHostname,
        String fromDomain,
        String tlsTrust,
        ListenPoint listen,
        String publicHost,
        int publicPort,
        String tlsCertificate,
        String tlsKey,
        List<BusinessNumber> numbers,
        Duration noResponseTimeout,
        List<Cidr> allowedSources,
        int inboundChallenge,
        String inboundChallengeAlgorithm,
        MetaListenerLimits listenerLimits) {

    /** The values of {@code meta.inboundChallengeAlgorithm}. */
    public static final List<String> CHALLENGE_ALGORITHMS = List.of("MD5", "SHA-256", "both");

    /** As the canonical constructor, challenging with MD5, with the default listener limits. */
    public MetaSide(String edgeUri, String edgeAddress, String sipServerHostname, String fromDomain, String tlsTrust,
                    ListenPoint listen, String publicHost, int publicPort, String tlsCertificate, String tlsKey,
                    List<BusinessNumber> numbers, Duration noResponseTimeout, List<Cidr> allowedSources,
                    int inboundChallenge) {
        this(edgeUri, edgeAddress, sipServerHostname, fromDomain, tlsTrust, listen, publicHost, publicPort,
                tlsCertificate, tlsKey, numbers, noResponseTimeout, allowedSources, inboundChallenge, "MD5",
                MetaListenerLimits.DEFAULTS);
    }

    /** Meta's SIP source networks (AS32934, as listed in Meta's integration examples), IPv4 and IPv6. */
    public static final List<String> META_NETWORKS = List.of(
            "31.13.24.0/21", "31.13.64.0/18", "45.64.40.0/22", "57.141.0.0/21", "57.141.8.0/22", "57.141.12.0/23",
            "57.144.0.0/14", "66.220.144.0/20", "69.63.176.0/20", "69.171.224.0/19", "74.119.76.0/22",
            "102.132.96.0/20", "103.4.96.0/22", "129.134.0.0/16", "147.75.208.0/20", "157.240.0.0/16",
            "163.70.128.0/17", "163.77.128.0/17", "173.252.64.0/18", "179.60.192.0/22", "185.60.216.0/22",
            "185.89.216.0/22", "204.15.20.0/22", "2a03:2880::/32", "2803:6080::/29");
}
