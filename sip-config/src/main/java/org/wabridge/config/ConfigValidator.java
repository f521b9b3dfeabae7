package org.wabridge.config;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.security.auth.x500.X500Principal;

/**
 * Pre-flight checks of a loaded configuration, run by {@code bridge check} and at start-up.
 * Each rule states what Meta (or the network) would do with the setting, so that an admin
 * fixes it before a call is lost. Reads the certificate and key files it names; touches no network.
 */
public final class ConfigValidator {

    static final Duration EXPIRY_WARNING = Duration.ofDays(14);
    static final Duration MAX_RTCP_INTERVAL = Duration.ofSeconds(10);
    static final int META_MAX_CONCURRENT_CALLS = 1000;
    static final int META_MAX_DAILY_CALLS_PER_PAIR = 100;
    static final int PORTS_PER_CALL = 4;
    /** Transcoded calls one core carries with room to spare (BENCHMARKS.md, "Transcoding"). */
    static final int MAX_TRANSCODED_CALLS_PER_CORE = 60;

    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").withZone(ZoneOffset.UTC);

    private final Clock clock;
    private final List<Problem> problems = new ArrayList<>();

    private ConfigValidator(Clock clock) {
        this.clock = clock;
    }

    /** All problems found, errors and warnings, in the order of the configuration's sections. */
    public static List<Problem> validate(BridgeConfig cfg, Clock clock) {
        ConfigValidator v = new ConfigValidator(clock);
        v.checkMeta(cfg.meta());
        v.checkPbx(cfg.pbx(), cfg.meta());
        v.checkListenPoints(cfg.pbx(), cfg.meta());
        v.checkMedia(cfg.media(), cfg.limits(), cfg.meta());
        v.checkLimits(cfg.limits());
        v.checkAdmin(cfg.admin());
        v.checkCallLog(cfg.callLog());
        return List.copyOf(v.problems);
    }

    public static boolean hasErrors(Collection<Problem> problems) {
        return problems.stream().anyMatch(Problem::isError);
    }

    // ---------------------------------------------------------------- Meta side

    private void checkMeta(MetaSide meta) {
        checkEdgeUri(meta.edgeUri());
        if (meta.edgeAddress() != null && !IpLiterals.isIpLiteral(meta.edgeAddress())
                && !SipUri.isHostname(meta.edgeAddress())) {
            error("meta.edgeAddress", "'" + meta.edgeAddress() + "' is neither an IP address nor a host name",
                    "write the address to connect to, e.g. 157.240.0.10, or remove edgeAddress to resolve the edge host");
        }
        checkHostnameAndFromDomain(meta);
        checkNumbers(meta.numbers());
        if (meta.listen() != null && meta.listen().transport() == Transport.TLS) {
            checkTlsListener(meta);
        } else if (meta.listen() != null && !IpLiterals.isLoopback(meta.listen().host())) {
            warning("meta.listen.transport", "Meta's listener is " + meta.listen().transport().token()
                            + ", but Meta sends its requests (user-initiated calls, BYE) only over TLS",
                    "use transport: tls with tlsCertificate and tlsKey");
        }
        if (meta.tlsTrust() != null) {
            checkTrustFile(meta.tlsTrust());
        }
        positive("meta.noResponseTimeout", meta.noResponseTimeout());
        checkListenerLimits(meta.listenerLimits());
    }

    private void checkListenerLimits(MetaListenerLimits limits) {
        if (limits == null) {
            return;
        }
        if (limits.maxConnections() < 1) {
            error("meta.tlsMaxConnections", "must be at least 1 (got " + limits.maxConnections() + ")",
                    "e.g. tlsMaxConnections: " + MetaListenerLimits.DEFAULTS.maxConnections());
        }
        if (limits.maxConnectionsPerSource() < 1) {
            error("meta.tlsMaxConnectionsPerSource", "must be at least 1 (got " + limits.maxConnectionsPerSource() + ")",
                    "e.g. tlsMaxConnectionsPerSource: " + MetaListenerLimits.DEFAULTS.maxConnectionsPerSource());
        } else if (limits.maxConnections() >= 1 && limits.maxConnectionsPerSource() > limits.maxConnections()) {
            error("meta.tlsMaxConnectionsPerSource", "is " + limits.maxConnectionsPerSource()
                            + ", more than meta.tlsMaxConnections (" + limits.maxConnections() + ")",
                    "set it at most to tlsMaxConnections");
        }
        if (positive("meta.tlsIdleTimeout", limits.idleTimeout())
                && limits.idleTimeout().compareTo(java.time.Duration.ofMinutes(5)) < 0) {
            // Meta's connection may carry nothing for the whole of a call; a short limit only adds reconnects.
            warning("meta.tlsIdleTimeout", Durations.format(limits.idleTimeout())
                            + " is short: a connection quiet during a call is closed and Meta has to open a new one",
                    "use at least 5m; the default is " + Durations.format(MetaListenerLimits.DEFAULTS.idleTimeout()));
        }
    }

    private void checkEdgeUri(String edgeUri) {
        String path = "meta.edgeUri";
        SipUri uri;
        try {
            uri = SipUri.parse(edgeUri);
        } catch (IllegalArgumentException e) {
            error(path, "not a SIP URI: " + e.getMessage(),
                    "write sip:host[:port][;transport=tls], e.g. " + ConfigLoader.DEFAULT_EDGE_URI);
            return;
        }
        if (uri.scheme().equals("sips")) {
            error(path, "'" + edgeUri + "' uses the sips: scheme; Meta answers 404 Not Found to sips: Request-URIs",
                    "use the sip: scheme with ;transport=tls, e.g. " + ConfigLoader.DEFAULT_EDGE_URI);
        }
        if (uri.user() != null) {
            error(path, "'" + edgeUri + "' has a user part; the bridge puts the called number there itself",
                    "remove '" + uri.user() + "@', e.g. " + ConfigLoader.DEFAULT_EDGE_URI);
        }
        boolean loopback = IpLiterals.isLoopback(uri.host());
        if (uri.hostIsIpLiteral()) {
            if (loopback) {
                warning(path, "'" + edgeUri + "' has a loopback IP as host: fine for a lab peer, but Meta answers 404 "
                                + "to an IP address in the Request-URI",
                        "for production use sip:wa.meta.vc:5061;transport=tls (set meta.edgeAddress to reach a specific IP)");
            } else {
                error(path, "'" + edgeUri + "' has an IP address as host; Meta answers 404 Not Found "
                                + "(\"SIP INVITEs using IP in request URI are not allowed\")",
                        "use the host name wa.meta.vc and, to connect to a specific IP, set meta.edgeAddress");
            }
        }
        // The bridge reaches the edge over TLS unless the URI says otherwise (Meta only speaks TLS).
        String transport = uri.transport() == null ? "tls" : uri.transport();
        if (!"tls".equals(transport) && !loopback && !uri.scheme().equals("sips")) {
            warning(path, "'" + edgeUri + "' uses transport " + transport + "; Meta requires TLS",
                    "add ;transport=tls, e.g. " + ConfigLoader.DEFAULT_EDGE_URI);
        }
    }

    private void checkHostnameAndFromDomain(MetaSide meta) {
        String hostname = meta.sipServerHostname();
        if (hostname == null || hostname.isBlank()) {
            error("meta.sipServerHostname", "not set: the hostname configured at Meta for your numbers is required",
                    "set it to the servers[].hostname you configured with POST /<PHONE_NUMBER_ID>/settings");
            return;
        }
        if (IpLiterals.isIpLiteral(hostname)) {
            warning("meta.sipServerHostname", "'" + hostname + "' is an IP address; Meta validates your TLS certificate "
                            + "against this name and publicly trusted certificates name hosts, not IPs",
                    "configure a DNS host name at Meta (servers[].hostname) and here");
        } else if (!SipUri.isHostname(hostname)) {
            error("meta.sipServerHostname", "'" + hostname + "' is not a valid host name",
                    "write a DNS name such as sip.example.com, exactly as configured at Meta");
            return;
        }
        String from = meta.fromDomain() == null ? hostname : meta.fromDomain();
        String host = dnsName(hostname);
        String domain = dnsName(from);
        if (!host.equals(domain) && !host.endsWith("." + domain)) {
            error("meta.fromDomain", "From domain '" + from + "' is neither sipServerHostname '" + hostname
                            + "' nor a parent domain of it; Meta answers 403 \"SIP server " + from
                            + " from INVITE does not match any SIP server configured for phone number id ...\"",
                    "set fromDomain to " + hostname + " (or to one of its parent domains), or remove it to use sipServerHostname");
        }
    }

    private void checkNumbers(List<BusinessNumber> numbers) {
        if (numbers == null || numbers.isEmpty()) {
            error("meta.numbers", "no business number is configured",
                    "add numbers: [{number: \"+15550100001\", password: \"${META_SIP_PASSWORD}\"}]");
            return;
        }
        Map<String, Integer> firstIndex = new HashMap<>();
        for (int i = 0; i < numbers.size(); i++) {
            BusinessNumber n = numbers.get(i);
            String path = "meta.numbers[" + i + "]";
            checkE164(path + ".number", n.number());
            Integer previous = firstIndex.putIfAbsent(n.number(), i);
            if (previous != null) {
                error(path + ".number", "number " + n.number() + " is configured twice (also meta.numbers[" + previous + "])",
                        "keep one entry per number: Meta issues one SIP password per number and app");
            }
            if (n.password() == null || n.password().isBlank()) {
                error(path + ".password", "the SIP password for " + n.number() + " is missing; Meta would answer 403 "
                                + "(invalid digest auth response)",
                        "set password to the sip_user_password from GET /<PHONE_NUMBER_ID>/settings?include_sip_credentials=true, "
                                + "preferably as ${ENV_VAR}");
            } else if (n.password().contains("${")) {
                error(path + ".password", "the SIP password for " + n.number() + " contains an unresolved '${' placeholder",
                        "reference an environment variable as ${NAME} (not $${NAME}) and make sure its value is the password itself");
            }
            if (n.pbxTarget() != null) {
                checkPbxUri(path + ".pbxTarget", n.pbxTarget());
            }
        }
    }

    private void checkE164(String path, String number) {
        if (Normalizer.isE164(number)) {
            return;
        }
        String normalised = number == null ? null : Normalizer.toE164(number, List.of());
        String hint = Normalizer.isE164(normalised)
                ? "write it as " + normalised
                : "write the full international number with '+' and no separators, e.g. +15550100001";
        error(path, "'" + number + "' is not a normalised E.164 number ('+' then 8 to 15 digits, the first not 0); "
                + "Meta expects the From user to be the fully normalised business number", hint);
    }

    // ---------------------------------------------------------------- TLS files

    private void checkTlsListener(MetaSide meta) {
        boolean lab = IpLiterals.isLoopback(meta.listen().host()) || IpLiterals.isLoopback(meta.publicHost());
        if (meta.tlsCertificate() == null) {
            error("meta.tlsCertificate", "not set, but meta.listen uses TLS and Meta connects to it with TLS",
                    "set tlsCertificate to a PEM file holding your certificate followed by its intermediate CA certificates");
        }
        if (meta.tlsKey() == null) {
            error("meta.tlsKey", "not set, but meta.listen uses TLS",
                    "set tlsKey to the PEM (PKCS#8) private key of the certificate");
        }
        X509Certificate leaf = null;
        if (meta.tlsCertificate() != null) {
            List<X509Certificate> chain = readCertificates("meta.tlsCertificate", meta.tlsCertificate());
            if (chain != null) {
                leaf = chain.get(0);
                checkCertificate(meta, chain, lab);
            }
        }
        if (meta.tlsKey() != null) {
            checkKey(meta.tlsKey(), leaf);
        }
    }

    private void checkCertificate(MetaSide meta, List<X509Certificate> chain, boolean lab) {
        String path = "meta.tlsCertificate";
        X509Certificate leaf = chain.get(0);
        if (leaf.getBasicConstraints() >= 0 && chain.size() > 1) {
            error(path, "the first certificate in " + meta.tlsCertificate() + " is a CA certificate ("
                            + leaf.getSubjectX500Principal().getName() + "); the server certificate must come first",
                    "reorder the file: your server certificate, then the intermediates (as in a fullchain.pem)");
            return;
        }
        List<String> names = certificateNames(leaf);
        Map<String, String> hosts = new LinkedHashMap<>();
        if (meta.publicHost() != null) {
            hosts.put(dnsName(meta.publicHost()), "meta.publicHost");
        }
        if (meta.sipServerHostname() != null) {
            hosts.putIfAbsent(dnsName(meta.sipServerHostname()), "meta.sipServerHostname");
        }
        for (Map.Entry<String, String> host : hosts.entrySet()) {
            String name = host.getKey().startsWith("[") && host.getKey().endsWith("]")
                    ? host.getKey().substring(1, host.getKey().length() - 1) : host.getKey();
            CertificateHostCheck.Result check = CertificateHostCheck.check(leaf, name);
            if (!check.covered()) {
                error(path, "certificate " + meta.tlsCertificate() + " is for " + names + " and does not cover '"
                                + host.getKey() + "' (" + host.getValue() + "); Meta validates your certificate against "
                                + "the configured hostname and drops the connection otherwise (the JDK's check: "
                                + check.reason() + ")",
                        "use a certificate whose subjectAltName includes "
                                + (IpLiterals.isIpLiteral(host.getKey()) ? "IP:" : "DNS:") + host.getKey()
                                + " (a wildcard *.domain covers exactly one label)");
            }
        }
        Instant now = clock.instant();
        Instant notAfter = leaf.getNotAfter().toInstant();
        Instant notBefore = leaf.getNotBefore().toInstant();
        if (notAfter.isBefore(now)) {
            error(path, "certificate " + meta.tlsCertificate() + " expired on " + DATE.format(notAfter)
                            + "; Meta refuses the TLS connection",
                    "renew the certificate and restart the bridge");
        } else if (notAfter.isBefore(now.plus(EXPIRY_WARNING))) {
            long days = Duration.between(now, notAfter).toDays();
            warning(path, "certificate " + meta.tlsCertificate() + " expires on " + DATE.format(notAfter)
                            + " (in " + days + (days == 1 ? " day" : " days") + ")",
                    "renew it before then; Meta refuses expired certificates");
        }
        if (notBefore.isAfter(now)) {
            error(path, "certificate " + meta.tlsCertificate() + " is not valid before " + DATE.format(notBefore),
                    "check the clock of this machine, or wait until the certificate becomes valid");
        }
        boolean selfSigned = isSelfSigned(leaf);
        if (selfSigned && !lab) {
            warning(path, "certificate " + meta.tlsCertificate() + " is self-signed; Meta requires a publicly trusted "
                            + "certificate and will not send calls to this listener",
                    "get a certificate from a public CA (e.g. Let's Encrypt) for " + meta.sipServerHostname());
        } else if (!selfSigned && chain.size() == 1 && !lab) {
            warning(path, "certificate " + meta.tlsCertificate() + " holds only the server certificate, without the "
                            + "intermediate CA certificates; Meta needs the full chain to validate it",
                    "append the intermediate certificates (the CA's chain/fullchain file) after your certificate");
        }
    }

    private void checkKey(String file, X509Certificate leaf) {
        String path = "meta.tlsKey";
        List<Pem.Block> blocks = readPem(path, file, "the private key");
        if (blocks == null) {
            return;
        }
        Pem.Block keyBlock = blocks.stream().filter(b -> b.type().endsWith("PRIVATE KEY")).findFirst().orElse(null);
        if (keyBlock == null) {
            error(path, file + " holds no PEM private key (no '-----BEGIN PRIVATE KEY-----' block)",
                    "point tlsKey at the key file generated with the certificate request");
            return;
        }
        switch (keyBlock.type()) {
            case "PRIVATE KEY" -> { }
            case "ENCRYPTED PRIVATE KEY" -> {
                error(path, file + " is encrypted with a passphrase; the bridge cannot prompt for it",
                        "decrypt it: openssl pkcs8 -topk8 -nocrypt -in " + file + " -out key-pkcs8.pem");
                return;
            }
            default -> {
                error(path, file + " is in the legacy '" + keyBlock.type() + "' format; the bridge reads PKCS#8 keys",
                        "convert it: openssl pkcs8 -topk8 -nocrypt -in " + file + " -out key-pkcs8.pem");
                return;
            }
        }
        if (leaf == null) {
            return;
        }
        PublicKey publicKey = leaf.getPublicKey();
        PrivateKey privateKey;
        try {
            privateKey = Pem.pkcs8(keyBlock, publicKey.getAlgorithm());
        } catch (GeneralSecurityException e) {
            error(path, file + " is not a " + publicKey.getAlgorithm() + " private key, so it cannot belong to the "
                            + publicKey.getAlgorithm() + " certificate in meta.tlsCertificate",
                    "use the key the certificate was issued for");
            return;
        }
        if (!keyMatches(privateKey, publicKey)) {
            error(path, "the private key in " + file + " does not belong to the certificate in meta.tlsCertificate "
                            + "(their public keys differ); the TLS handshake would fail",
                    "use the key the certificate was issued for, or reissue the certificate for this key");
        }
    }

    private void checkTrustFile(String file) {
        List<X509Certificate> certificates = readCertificates("meta.tlsTrust", file);
        if (certificates != null) {
            Instant now = clock.instant();
            for (X509Certificate c : certificates) {
                if (c.getNotAfter().toInstant().isBefore(now)) {
                    warning("meta.tlsTrust", "trusted certificate " + c.getSubjectX500Principal().getName()
                                    + " in " + file + " expired on " + DATE.format(c.getNotAfter().toInstant()),
                            "replace it with the current CA certificate");
                }
            }
        }
    }

    /** The certificates in a PEM file, or null after recording why there are none. */
    private List<X509Certificate> readCertificates(String path, String file) {
        List<Pem.Block> blocks = readPem(path, file, "certificates");
        if (blocks == null) {
            return null;
        }
        try {
            List<X509Certificate> certificates = Pem.certificates(blocks);
            if (certificates.isEmpty()) {
                error(path, file + " holds no PEM certificate (no '-----BEGIN CERTIFICATE-----' block)",
                        "point " + path + " at a PEM certificate file, not at a key or a DER file");
                return null;
            }
            return certificates;
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            error(path, file + " holds a certificate that cannot be decoded (" + e.getMessage() + ")",
                    "check the file with: openssl x509 -in " + file + " -noout -text");
            return null;
        }
    }

    private List<Pem.Block> readPem(String path, String file, String what) {
        Path p = Path.of(file);
        if (!Files.isRegularFile(p)) {
            error(path, "file " + file + " does not exist (resolved to " + p.toAbsolutePath() + ")",
                    "point " + path + " at the PEM file with " + what + "; relative paths start from the bridge's working directory");
            return null;
        }
        if (!Files.isReadable(p)) {
            error(path, "file " + file + " is not readable by this user",
                    "give the bridge's user read access to it (e.g. chgrp + chmod 640)");
            return null;
        }
        try {
            return Pem.read(p);
        } catch (IOException | IllegalArgumentException e) {
            error(path, "cannot read " + file + " as PEM (" + e.getClass().getSimpleName() + ")",
                    "check the file with: openssl " + (path.endsWith("Key") ? "pkey" : "x509") + " -in " + file + " -noout");
            return null;
        }
    }

    /**
     * The names a problem message lists: subjectAltName DNS names, plus IP entries; the subject CN only when there
     * is no DNS SAN. Whether the certificate covers a host is {@link CertificateHostCheck}'s (the JDK's) answer.
     */
    static List<String> certificateNames(X509Certificate certificate) {
        List<String> names = new ArrayList<>();
        try {
            Collection<List<?>> san = certificate.getSubjectAlternativeNames();
            if (san != null) {
                for (List<?> entry : san) {
                    int type = (Integer) entry.get(0);
                    if (type == 2 || type == 7) {
                        names.add(entry.get(1).toString().toLowerCase(Locale.ROOT));
                    }
                }
            }
        } catch (java.security.cert.CertificateParsingException e) {
            // An unreadable SAN extension is treated as absent: the CN fallback then decides.
        }
        if (names.stream().noneMatch(n -> !IpLiterals.isIpLiteral(n))) {
            String cn = commonName(certificate.getSubjectX500Principal());
            if (cn != null) {
                names.add(cn.toLowerCase(Locale.ROOT));
            }
        }
        return names;
    }

    private static String commonName(X500Principal principal) {
        try {
            for (Rdn rdn : new LdapName(principal.getName(X500Principal.RFC2253)).getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN")) {
                    return rdn.getValue().toString();
                }
            }
        } catch (InvalidNameException e) {
            return null;
        }
        return null;
    }

    private static boolean isSelfSigned(X509Certificate certificate) {
        if (!certificate.getSubjectX500Principal().equals(certificate.getIssuerX500Principal())) {
            return false;
        }
        try {
            certificate.verify(certificate.getPublicKey());
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    /** RSA: compare modulus and exponent; other key types: sign a random challenge and verify it. */
    private static boolean keyMatches(PrivateKey privateKey, PublicKey publicKey) {
        if (privateKey instanceof RSAPrivateCrtKey rsa && publicKey instanceof RSAPublicKey rsaPublic) {
            return rsa.getModulus().equals(rsaPublic.getModulus())
                    && rsa.getPublicExponent().equals(rsaPublic.getPublicExponent());
        }
        String algorithm = switch (publicKey.getAlgorithm()) {
            case "EC" -> "SHA256withECDSA";
            case "RSA" -> "SHA256withRSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            case "Ed448" -> "Ed448";
            default -> null;
        };
        if (algorithm == null) {
            return false;
        }
        try {
            byte[] challenge = new byte[32];
            new SecureRandom().nextBytes(challenge);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(privateKey);
            signer.update(challenge);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(publicKey);
            verifier.update(challenge);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    // ---------------------------------------------------------------- PBX side

    private void checkPbx(PbxSide pbx, MetaSide meta) {
        if (pbx.allowedSources() == null || pbx.allowedSources().isEmpty()) {
            error("pbx.allowedSources", "empty: no PBX would be allowed to place calls",
                    "list the PBX's addresses, e.g. [\"10.0.0.5/32\"] (127.0.0.0/8 for a PBX on this host)");
        } else {
            for (int i = 0; i < pbx.allowedSources().size(); i++) {
                Cidr cidr = pbx.allowedSources().get(i);
                if (cidr.matchesEverything()) {
                    warning("pbx.allowedSources[" + i + "]", cidr + " admits every address: anyone who reaches the PBX "
                                    + "listener can place WhatsApp calls at your expense",
                            "list only your PBX's addresses, e.g. 10.0.0.5/32");
                }
            }
        }
        if (pbx.listen() == null || pbx.listen().isEmpty()) {
            error("pbx.listen", "no listen point: the PBX could not send calls to the bridge",
                    "add e.g. [{transport: udp, host: 127.0.0.1, port: 5060}]");
        }
        if (pbx.target() != null) {
            checkPbxUri("pbx.target", pbx.target());
        } else if (meta.numbers() != null && meta.numbers().stream().anyMatch(n -> n.pbxTarget() == null)) {
            warning("pbx.target", "not set, and some business numbers have no pbxTarget: calls from WhatsApp users "
                            + "to those numbers will be rejected",
                    "set pbx.target to the PBX's SIP URI, e.g. sip:10.0.0.5:5060, or a pbxTarget per number");
        }
        List<NumberRule> rules = pbx.numberRules() == null ? List.of() : pbx.numberRules();
        for (int i = 0; i < rules.size(); i++) {
            if (rules.get(i).prefix() == null || rules.get(i).prefix().isEmpty()) {
                error("pbx.numberRules[" + i + "].prefix", "empty prefix: the rule would match every number",
                        "write the dialled prefix to replace, e.g. \"00\"");
            }
        }
        if (pbx.defaultBusinessNumber() != null) {
            boolean configured = meta.numbers() != null
                    && meta.numbers().stream().anyMatch(n -> pbx.defaultBusinessNumber().equals(n.number()));
            // One of meta.numbers is checked there (and is the default by itself when it is the only one).
            if (!configured) {
                checkE164("pbx.defaultBusinessNumber", pbx.defaultBusinessNumber());
            }
            if (Normalizer.isE164(pbx.defaultBusinessNumber()) && !configured) {
                error("pbx.defaultBusinessNumber", pbx.defaultBusinessNumber() + " is not one of meta.numbers, so the "
                                + "bridge has no SIP password for it",
                        "add it to meta.numbers with its password, or pick one of the configured numbers");
            }
        }
    }

    private void checkPbxUri(String path, String value) {
        try {
            SipUri uri = SipUri.parse(value);
            if (!uri.scheme().equals("sip")) {
                error(path, "'" + value + "' uses sips:, but the PBX side is plain SIP",
                        "write sip:host[:port], e.g. sip:10.0.0.5:5060");
            }
        } catch (IllegalArgumentException e) {
            error(path, "not a SIP URI: " + e.getMessage(), "write sip:host[:port][;transport=tcp], e.g. sip:10.0.0.5:5060");
        }
    }

    // ---------------------------------------------------------------- sockets

    private void checkListenPoints(PbxSide pbx, MetaSide meta) {
        Map<String, ListenPoint> points = new LinkedHashMap<>();
        List<ListenPoint> pbxListen = pbx.listen() == null ? List.of() : pbx.listen();
        for (int i = 0; i < pbxListen.size(); i++) {
            points.put("pbx.listen[" + i + "]", pbxListen.get(i));
        }
        if (meta.listen() != null) {
            points.put("meta.listen", meta.listen());
        }
        List<Map.Entry<String, ListenPoint>> checked = new ArrayList<>();
        for (Map.Entry<String, ListenPoint> entry : points.entrySet()) {
            ListenPoint lp = entry.getValue();
            String path = entry.getKey();
            if (!validPort(lp.port())) {
                error(path + ".port", "port " + lp.port() + " is outside 1..65535", "use a port such as 5060 (5061 for TLS)");
            }
            if (!IpLiterals.isIpLiteral(lp.host()) && !"localhost".equalsIgnoreCase(lp.host())) {
                error(path + ".host", "'" + lp.host() + "' is not an IP address to bind to",
                        "write a local address such as 0.0.0.0, 127.0.0.1 or ::");
            }
            for (Map.Entry<String, ListenPoint> other : checked) {
                ListenPoint o = other.getValue();
                if (lp.port() == o.port() && stream(lp.transport()) == stream(o.transport())
                        && hostsOverlap(lp.host(), o.host())) {
                    error(path, path + " (" + lp + ") and " + other.getKey() + " (" + o + ") both need "
                                    + (stream(lp.transport()) ? "TCP" : "UDP") + " port " + lp.port()
                                    + " on the same address; the second bind would fail",
                            "give one of them another port");
                }
            }
            checked.add(entry);
        }
        if (!validPort(meta.publicPort())) {
            error("meta.publicPort", "port " + meta.publicPort() + " is outside 1..65535",
                    "set the port Meta connects to (the one configured at Meta, 5061 by default), or remove it");
        }
    }

    private static boolean stream(Transport t) {
        return t != Transport.UDP;
    }

    private static boolean hostsOverlap(String a, String b) {
        if (IpLiterals.isWildcard(a) || IpLiterals.isWildcard(b)) {
            return true;
        }
        InetAddress x = IpLiterals.parse(a);
        InetAddress y = IpLiterals.parse(b);
        return x != null ? x.equals(y) : a.equalsIgnoreCase(b);
    }

    private static boolean validPort(int port) {
        return port >= 1 && port <= 65535;
    }

    // ---------------------------------------------------------------- media and limits

    private void checkMedia(MediaSettings media, Limits limits, MetaSide meta) {
        if (!IpLiterals.isIpLiteral(media.bindAddress())) {
            error("media.bindAddress", "'" + media.bindAddress() + "' is not an IP address",
                    "write the local address the relay binds to, e.g. 0.0.0.0 or 10.0.0.2");
        }
        List<BusinessNumber> numberList = meta.numbers() == null ? List.of() : meta.numbers();
        // DTLS numbers offer publicAddress as their only ICE host candidate, so it must be an address too.
        String ice = numberList.stream().anyMatch(n -> n.srtpKeyExchange() == SrtpKeyExchange.DTLS)
                ? "; it is also the ICE host candidate of the DTLS-keyed numbers" : "";
        if (media.mode() == MediaSettings.MediaMode.RELAY) {
            if (!IpLiterals.isIpLiteral(media.publicAddress())) {
                error("media.publicAddress", "'" + media.publicAddress() + "' is not an IP address; it is written in SDP "
                                + "c= lines for Meta and the PBX" + ice,
                        "write the public IP address of this host, e.g. 203.0.113.10");
            } else if (IpLiterals.isWildcard(media.publicAddress())) {
                error("media.publicAddress", "the relay would advertise " + media.publicAddress() + " in SDP, where no one "
                                + "can send media; Meta ends calls without media after 20 s" + ice,
                        "set media.publicAddress to the IP address Meta and the PBX can reach this host at");
            }
        }
        if (media.mode() == MediaSettings.MediaMode.PASSTHROUGH) {
            warning("media.mode", "passthrough is for labs only: SDP is copied, so the PBX must do SRTP itself, and "
                            + "there is no keepalive, RTCP in silence or anti-clipping buffer (Meta drops silent calls)",
                    "use mode: relay in production");
            for (int i = 0; i < numberList.size(); i++) {
                BusinessNumber n = numberList.get(i);
                if (n.srtpKeyExchange() == SrtpKeyExchange.DTLS) {
                    warning("meta.numbers[" + i + "].srtpKeyExchange", n.number() + " is keyed by DTLS, but media.mode "
                                    + "passthrough copies SDP and cannot key: the PBX itself would have to run ICE (full, "
                                    + "controlling) and DTLS-SRTP as the client toward Meta",
                            "use media.mode: relay, or srtpKeyExchange: SDES (set it at Meta too) with a PBX that does SDES");
                }
            }
        }
        if (media.sharedPorts() && media.mode() == MediaSettings.MediaMode.PASSTHROUGH) {
            warning("media.sharedPorts", "has no effect with media.mode passthrough: there is no relay",
                    "remove media.sharedPorts, or use media.mode: relay");
        }
        int min = media.portMin();
        int max = media.portMax();
        boolean rangeOk = true;
        if (min < 1024 || min > 65535) {
            error("media.portMin", "port " + min + " is outside 1024..65535", "use an unprivileged port such as 20000");
            rangeOk = false;
        } else if (min % 2 != 0) {
            error("media.portMin", "port " + min + " is odd; RTP uses even ports", "use an even port such as " + (min + 1));
        }
        if (max < 1024 || max > 65535) {
            error("media.portMax", "port " + max + " is outside 1024..65535", "use a port such as 29999");
            rangeOk = false;
        }
        if (rangeOk && min >= max) {
            error("media.portMax", "portMax " + max + " is not above portMin " + min, "use a range such as 20000..29999");
            rangeOk = false;
        }
        int numbers = meta.numbers() == null ? 0 : meta.numbers().size();
        if (rangeOk && numbers > 0) {
            long capacity = (max - min + 1L) / PORTS_PER_CALL;
            long wanted = (long) limits.maxCallsPerNumber() * numbers;
            if (capacity < wanted) {
                warning("media.portMax", "ports " + min + ".." + max + " support " + capacity + " concurrent calls ("
                                + PORTS_PER_CALL + " ports per call), fewer than limits.maxCallsPerNumber "
                                + limits.maxCallsPerNumber() + " x " + numbers + " numbers = " + wanted,
                        "widen the range to at least " + wanted * PORTS_PER_CALL + " ports, or lower limits.maxCallsPerNumber");
            }
        }
        if (media.maxTranscodedCalls() < 0) {
            error("media.maxTranscodedCalls", media.maxTranscodedCalls() + " is negative",
                    "use 0 to turn transcoding off, or a number of calls such as "
                            + MediaSettings.DEFAULT_MAX_TRANSCODED_CALLS);
        } else if (media.maxTranscodedCalls() > MAX_TRANSCODED_CALLS_PER_CORE * Runtime.getRuntime().availableProcessors()) {
            warning("media.maxTranscodedCalls", media.maxTranscodedCalls() + " transcoded calls is more than this host's "
                            + Runtime.getRuntime().availableProcessors() + " cores can carry (about "
                            + MAX_TRANSCODED_CALLS_PER_CORE + " per core, BENCHMARKS.md): audio would break up on every call",
                    "lower it to at most " + MAX_TRANSCODED_CALLS_PER_CORE * Runtime.getRuntime().availableProcessors()
                            + ", or let the PBX offer Opus");
        }
        boolean durationsOk = positive("media.pbxSilenceFill", media.pbxSilenceFill())
                & positive("media.prebuffer", media.prebuffer())
                & positive("media.rtcpInterval", media.rtcpInterval())
                & positive("media.metaSilenceTimeout", media.metaSilenceTimeout())
                & positive("media.pbxSilenceTimeout", media.pbxSilenceTimeout())
                & positive("media.holdTimeout", media.holdTimeout());
        if (!durationsOk) {
            return;
        }
        if (media.pbxSilenceFill().compareTo(media.metaSilenceTimeout()) >= 0) {
            error("media.pbxSilenceFill", "silence fill starts after " + Durations.format(media.pbxSilenceFill())
                            + ", not before the Meta silence timeout of " + Durations.format(media.metaSilenceTimeout())
                            + "; Meta would see a silent call and drop it",
                    "use a short fill delay such as 1s");
        }
        if (media.rtcpInterval().compareTo(MAX_RTCP_INTERVAL) > 0) {
            error("media.rtcpInterval", "RTCP every " + Durations.format(media.rtcpInterval()) + " is too rare; Meta drops "
                            + "calls with no media (RTCP included) for 20 s at start or 30 s mid-call",
                    "use at most 10s; 5s is the default");
        }
    }

    private void checkLimits(Limits limits) {
        if (limits.maxCallsPerNumber() < 1) {
            error("limits.maxCallsPerNumber", limits.maxCallsPerNumber() + " would refuse every call",
                    "use a positive number; Meta allows up to " + META_MAX_CONCURRENT_CALLS);
        } else if (limits.maxCallsPerNumber() > META_MAX_CONCURRENT_CALLS) {
            warning("limits.maxCallsPerNumber", limits.maxCallsPerNumber() + " is above Meta's limit of "
                            + META_MAX_CONCURRENT_CALLS + " concurrent calls per number; Meta refuses the excess (error 138002)",
                    "use at most " + META_MAX_CONCURRENT_CALLS);
        }
        if (limits.dailyCallsPerUserPair() < 0) {
            error("limits.dailyCallsPerUserPair", limits.dailyCallsPerUserPair() + " is negative",
                    "use 0 to turn the limit off, or a positive number up to " + META_MAX_DAILY_CALLS_PER_PAIR);
        } else if (limits.dailyCallsPerUserPair() > META_MAX_DAILY_CALLS_PER_PAIR) {
            warning("limits.dailyCallsPerUserPair", limits.dailyCallsPerUserPair() + " is above Meta's limit of "
                            + META_MAX_DAILY_CALLS_PER_PAIR + " connected business-initiated calls per user in 24 h "
                            + "(Meta answers 403 Per Day Limit Hit)",
                    "use at most " + META_MAX_DAILY_CALLS_PER_PAIR + ", or 0 to leave it to Meta");
        }
    }

    // ---------------------------------------------------------------- admin API and call log

    static final int MIN_TOKEN_LENGTH = 16;

    private void checkAdmin(AdminSettings admin) {
        if (!admin.enabled()) {
            return;
        }
        if (!validPort(admin.port())) {
            error("admin.port", "port " + admin.port() + " is outside 1..65535", "use a free port such as 8088");
        }
        if (!IpLiterals.isIpLiteral(admin.host()) && !"localhost".equalsIgnoreCase(admin.host())) {
            error("admin.host", "'" + admin.host() + "' is not an IP address to bind to",
                    "write a local address such as 127.0.0.1 (this host only) or 10.0.0.2");
            return;
        }
        boolean local = "localhost".equalsIgnoreCase(admin.host()) || IpLiterals.isLoopback(admin.host());
        if (!local && admin.token() == null) {
            warning("admin.host", "the admin API listens on " + admin.host() + " without a token: anyone who reaches "
                            + "it can read the call log (numbers of WhatsApp users)",
                    "set admin.token: \"${BRIDGE_ADMIN_TOKEN}\" or bind to 127.0.0.1");
        }
        if (admin.token() != null && admin.token().length() < MIN_TOKEN_LENGTH) {
            warning("admin.token", "the token is shorter than " + MIN_TOKEN_LENGTH + " characters and easy to guess",
                    "use a random token, e.g. the output of: openssl rand -hex 24");
        }
    }

    private void checkCallLog(CallLogSettings log) {
        if (!log.enabled()) {
            return;
        }
        if (log.jdbcUrl() != null && !log.jdbcUrl().startsWith("jdbc:")) {
            error("callLog.jdbcUrl", "'" + log.maskedJdbcUrl() + "' is not a JDBC URL",
                    "write e.g. jdbc:postgresql://db.example.com:5432/wabridge?user=bridge&password=${DB_PASSWORD}, "
                            + "or remove jdbcUrl to use the SQLite file");
        }
        if (log.jdbcUrl() == null && (log.file() == null || log.file().isBlank())) {
            error("callLog.file", "no database file is named", "set file: /var/lib/wa-sip-bridge/calls.db");
        }
        positive("callLog.retention", log.retention());
        if (log.queueSize() < 1) {
            error("callLog.queueSize", log.queueSize() + " would drop every call log write",
                    "use a positive number; " + CallLogSettings.DEFAULT_QUEUE_SIZE + " is the default");
        }
    }

    // ---------------------------------------------------------------- helpers

    private boolean positive(String path, Duration d) {
        if (d == null || d.isNegative() || d.isZero()) {
            error(path, "duration " + (d == null ? "missing" : Durations.format(d)) + " must be positive",
                    "write a positive duration such as 500ms, 30s, 5m or 1h");
            return false;
        }
        return true;
    }

    private static String dnsName(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
    }

    private void error(String path, String message, String fix) {
        problems.add(Problem.error(path, message, fix));
    }

    private void warning(String path, String message, String fix) {
        problems.add(Problem.warning(path, message, fix));
    }
}
