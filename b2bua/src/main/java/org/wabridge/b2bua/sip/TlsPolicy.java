package org.wabridge.b2bua.sip;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * The one TLS policy of every socket toward or from Meta, both directions: TLS 1.3 and 1.2 with AEAD suites only
 * (TLS 1.3 suites, ECDHE with GCM or ChaCha20-Poly1305). Applied by {@link TlsNetworkLayer} to each socket it makes
 * or accepts, so it holds on JAIN-SIP's reconnect path too, which sets protocols but not suites.
 */
public final class TlsPolicy {

    private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};
    private static final String[] CIPHER_SUITES = aeadSuites();

    private TlsPolicy() {}

    public static String[] protocols() {
        return PROTOCOLS.clone();
    }

    public static String[] cipherSuites() {
        return CIPHER_SUITES.clone();
    }

    /** Sets the policy's protocols and suites on {@code params} (other settings untouched). */
    static SSLParameters apply(SSLParameters params) {
        params.setProtocols(protocols());
        params.setCipherSuites(cipherSuites());
        return params;
    }

    /** Narrows what {@code params} enable to the policy (a socket that inherited a listener's narrower set keeps it). */
    static SSLParameters narrow(SSLParameters params) {
        params.setProtocols(restrictProtocols(params.getProtocols()));
        params.setCipherSuites(restrictCipherSuites(params.getCipherSuites()));
        return params;
    }

    /** What of {@code requested} the policy allows, so a caller (JAIN-SIP) can narrow the policy, never widen it. */
    static String[] restrictProtocols(String[] requested) {
        return restrict(requested, PROTOCOLS);
    }

    static String[] restrictCipherSuites(String[] requested) {
        return restrict(requested, CIPHER_SUITES);
    }

    private static String[] restrict(String[] requested, String[] allowed) {
        List<String> allow = Arrays.asList(allowed);
        String[] kept = requested == null ? allowed.clone()
                : Arrays.stream(requested).filter(allow::contains).toArray(String[]::new);
        // nothing left would make every handshake fail with a puzzling error; keep the policy instead
        return kept.length == 0 ? allowed.clone() : kept;
    }

    /** The JVM's enabled suites minus anything legacy. */
    private static String[] aeadSuites() {
        try {
            List<String> out = new ArrayList<>();
            for (String s : SSLContext.getDefault().getDefaultSSLParameters().getCipherSuites()) {
                if (s.startsWith("TLS_AES_") || s.startsWith("TLS_CHACHA20_")
                        || (s.startsWith("TLS_ECDHE_") && (s.contains("_GCM_") || s.contains("CHACHA20")))) {
                    out.add(s);
                }
            }
            return out.toArray(String[]::new);
        } catch (Exception e) {
            throw new IllegalStateException("no default TLS context", e);
        }
    }
}
