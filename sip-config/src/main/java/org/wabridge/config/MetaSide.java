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
        Duration noResponseTimeout) {}
