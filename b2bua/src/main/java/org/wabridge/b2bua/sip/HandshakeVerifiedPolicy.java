package org.wabridge.b2bua.sip;

import gov.nist.javax.sip.ClientTransactionExt;
import gov.nist.javax.sip.TlsSecurityPolicy;

/**
 * JAIN-SIP's per-transaction TLS policy hook, made explicit: the edge's certificate chain and host name are
 * already verified during the handshake by {@link TlsNetworkLayer} (our trust store, SNI, endpoint
 * identification), so no transaction can reach a socket that failed them and nothing is left to check here.
 * Naming it also keeps the stack from warning at every start that it falls back to its (empty) default.
 */
public final class HandshakeVerifiedPolicy implements TlsSecurityPolicy {

    @Override
    public void enforceTlsPolicy(ClientTransactionExt transaction) {
        // verified at the handshake; see the class comment
    }
}
