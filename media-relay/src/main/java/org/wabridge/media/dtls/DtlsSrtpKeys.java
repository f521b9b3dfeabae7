package org.wabridge.media.dtls;

import java.security.GeneralSecurityException;
import java.util.Arrays;
import org.wabridge.media.sdp.CryptoAttribute;
import org.wabridge.media.srtp.SrtpEndpoint;
import org.wabridge.media.srtp.SrtpSuite;

/**
 * The SRTP master keys and salts a DTLS-SRTP handshake produced (RFC 5764 section 4.2), as the
 * two {@link CryptoAttribute}s the SRTP path already takes for SDES: {@link #local()} protects what
 * we send, {@link #remote()} unprotects what the peer sends. So SDES and DTLS feed the same
 * {@link SrtpEndpoint}. The key material is a secret: {@link #toString()} never shows it.
 */
public final class DtlsSrtpKeys {

    /** The RFC 5705 exporter label of RFC 5764 section 4.2 (no context value). */
    public static final String EXPORTER_LABEL = "EXTRACTOR-dtls_srtp";
    /** The tag the {@link CryptoAttribute}s carry; meaningless for DTLS-SRTP (no SDP crypto lines). */
    private static final int TAG = 1;

    private final SrtpSuite suite;
    private final CryptoAttribute local;
    private final CryptoAttribute remote;

    private DtlsSrtpKeys(SrtpSuite suite, CryptoAttribute local, CryptoAttribute remote) {
        this.suite = suite;
        this.local = local;
        this.remote = remote;
    }

    /** How many bytes to export for a profile: two master keys and two master salts. */
    public static int keyingMaterialLength(SrtpSuite suite) {
        return 2 * SrtpSuite.KEY_AND_SALT_LENGTH;
    }

    /**
     * Splits the exported keying material the way RFC 5764 section 4.2 lays it out:
     * <pre>
     *   client_write_SRTP_master_key[16] | server_write_SRTP_master_key[16]
     *   client_write_SRTP_master_salt[14] | server_write_SRTP_master_salt[14]
     * </pre>
     * and maps it to our side: the DTLS client writes (protects) with the client key and salt and
     * reads with the server's; the DTLS server the other way round.
     */
    public static DtlsSrtpKeys fromKeyingMaterial(byte[] material, SrtpSuite suite, DtlsRole ourRole) {
        int keyLen = SrtpSuite.MASTER_KEY_LENGTH;
        int saltLen = SrtpSuite.MASTER_SALT_LENGTH;
        if (material.length != keyingMaterialLength(suite)) {
            throw new IllegalArgumentException("DTLS-SRTP keying material for " + suite + " is "
                    + keyingMaterialLength(suite) + " bytes, got " + material.length);
        }
        byte[] clientKey = Arrays.copyOfRange(material, 0, keyLen);
        byte[] serverKey = Arrays.copyOfRange(material, keyLen, 2 * keyLen);
        byte[] clientSalt = Arrays.copyOfRange(material, 2 * keyLen, 2 * keyLen + saltLen);
        byte[] serverSalt = Arrays.copyOfRange(material, 2 * keyLen + saltLen, 2 * keyLen + 2 * saltLen);
        CryptoAttribute client = new CryptoAttribute(TAG, suite, concat(clientKey, clientSalt));
        CryptoAttribute server = new CryptoAttribute(TAG, suite, concat(serverKey, serverSalt));
        Arrays.fill(clientKey, (byte) 0);
        Arrays.fill(serverKey, (byte) 0);
        return ourRole == DtlsRole.CLIENT
                ? new DtlsSrtpKeys(suite, client, server)
                : new DtlsSrtpKeys(suite, server, client);
    }

    /** The negotiated protection profile, as the SRTP suite it stands for. */
    public SrtpSuite suite() {
        return suite;
    }

    /** Our write key and salt: what we protect our RTP and RTCP with. */
    public CryptoAttribute local() {
        return local;
    }

    /** The peer's write key and salt: what we unprotect the peer's RTP and RTCP with. */
    public CryptoAttribute remote() {
        return remote;
    }

    /** The SRTP/SRTCP endpoint of the call with these keys, exactly as for SDES. */
    public SrtpEndpoint newSrtpEndpoint() throws GeneralSecurityException {
        return new SrtpEndpoint(local, remote);
    }

    @Override
    public String toString() {
        return "DtlsSrtpKeys[" + suite + ", keys hidden]";
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
