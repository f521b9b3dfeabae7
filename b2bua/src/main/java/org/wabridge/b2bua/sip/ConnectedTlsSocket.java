package org.wabridge.b2bua.sip;

import java.io.IOException;
import java.io.InputStream;
import javax.net.ssl.SSLSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A TLS connection the bridge opened (to Meta's edge), as JAIN-SIP's reader thread sees it: when the edge closes it
 * or it breaks, the socket is closed before the reader learns of the end. JAIN-SIP (1.3.0-91) then feeds its parser a
 * double CRLF that the parser takes for a keep-alive ping, and answers it only on an open socket: on this one the
 * pong used to go to a new connection to the same address and port, logged as ERRORs. Handshake failures still
 * throw: a call toward an edge that cannot be reached must fail with its cause.
 */
final class ConnectedTlsSocket extends DelegatingSslSocket {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectedTlsSocket.class);

    private InputStream input;

    ConnectedTlsSocket(SSLSocket delegate) {
        super(delegate);
    }

    @Override
    public synchronized InputStream getInputStream() throws IOException {
        if (input == null) {
            input = new CloseBeforeEnd(delegate.getInputStream());
        }
        return input;
    }

    private final class CloseBeforeEnd extends ClosingAtEndInput {
        CloseBeforeEnd(InputStream in) {
            super(in);
        }

        @Override
        int readOrEnd(byte[] b, int off, int len) {
            try {
                return in.read(b, off, len);
            } catch (IOException e) {
                LOG.debug("connection to {} ended: {}", getInetAddress(), e.toString());
                return -1;
            }
        }

        @Override
        void closeSocket() {
            try {
                close();
            } catch (IOException e) {
                LOG.debug("closing the connection to {}: {}", getInetAddress(), e.toString());
            }
        }
    }
}
