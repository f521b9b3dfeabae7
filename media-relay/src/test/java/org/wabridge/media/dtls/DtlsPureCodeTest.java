package org.wabridge.media.dtls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.wabridge.media.sdp.CryptoAttribute;
import org.wabridge.media.srtp.SrtpSuite;

/** The socket-free pieces: certificate, fingerprint, RFC 5764 key layout, RFC 7983 demux, a=setup. */
class DtlsPureCodeTest {

    @Test
    void certificateIsSelfSignedEcdsaP256AndItsFingerprintIsTheSha256OfItsDer() throws Exception {
        DtlsCertificate ours = DtlsCertificate.generate();
        // read back by the JDK's own X.509 code, not BouncyCastle's
        X509Certificate x509 = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(ours.derEncoded()));
        assertEquals("SHA256withECDSA", x509.getSigAlgName());
        x509.verify(x509.getPublicKey()); // self-signed: its own key verifies it
        x509.checkValidity();
        ECPublicKey key = (ECPublicKey) x509.getPublicKey();
        assertEquals(256, key.getParams().getCurve().getField().getFieldSize());
        assertTrue(key.getParams().toString().contains("secp256r1"), key.getParams().toString());

        byte[] sha256 = MessageDigest.getInstance("SHA-256").digest(x509.getEncoded());
        String expected = "sha-256 " + HexFormat.ofDelimiter(":").withUpperCase().formatHex(sha256);
        assertEquals(expected, ours.fingerprint().toSdpValue());
        assertTrue(ours.fingerprint().toSdpValue().matches("sha-256 ([0-9A-F]{2}:){31}[0-9A-F]{2}"));
        assertNotEquals(ours.fingerprint(), DtlsCertificate.generate().fingerprint(), "a fresh key each time");
    }

    @Test
    void fingerprintParsesSdpValuesAndMatchesOnlyItsCertificate() {
        DtlsCertificate a = DtlsCertificate.generate();
        DtlsCertificate b = DtlsCertificate.generate();
        String sdp = a.fingerprint().toSdpValue();
        DtlsFingerprint parsed = DtlsFingerprint.parse(sdp).orElseThrow();
        assertEquals(a.fingerprint(), parsed);
        assertTrue(parsed.matches(a.derEncoded()));
        assertFalse(parsed.matches(b.derEncoded()));
        // RFC 8122: hash names are case-insensitive, hex may come in lower case
        assertEquals(parsed, DtlsFingerprint.parse("SHA-256 " + sdp.substring(8).toLowerCase()).orElseThrow());
        assertTrue(DtlsFingerprint.parse("sha-1 " + DtlsFingerprint.of("sha-1", a.derEncoded()).toSdpValue().substring(6))
                .orElseThrow().matches(a.derEncoded()));
        assertEquals(Optional.empty(), DtlsFingerprint.parse("md5 00:11"));
        assertEquals(Optional.empty(), DtlsFingerprint.parse("sha-256 AB:CD"), "wrong length");
        assertEquals(Optional.empty(), DtlsFingerprint.parse("sha-256 " + sdp.substring(8).replace(':', '-')));
        assertEquals(Optional.empty(), DtlsFingerprint.parse("sha-256"));
    }

    /**
     * RFC 5764 section 4.2: client_write_key | server_write_key | client_write_salt |
     * server_write_salt, 16 + 16 + 14 + 14 bytes for both AES_CM_128 profiles.
     */
    @Test
    void keyingMaterialIsSplitAsRfc5764Section42DefinesIt() {
        byte[] material = new byte[60];
        for (int i = 0; i < material.length; i++) {
            material[i] = (byte) i;
        }
        byte[] clientKey = range(0, 16);
        byte[] serverKey = range(16, 32);
        byte[] clientSalt = range(32, 46);
        byte[] serverSalt = range(46, 60);
        for (SrtpSuite suite : SrtpSuite.values()) {
            assertEquals(60, DtlsSrtpKeys.keyingMaterialLength(suite));
            DtlsSrtpKeys client = DtlsSrtpKeys.fromKeyingMaterial(material, suite, DtlsRole.CLIENT);
            DtlsSrtpKeys server = DtlsSrtpKeys.fromKeyingMaterial(material, suite, DtlsRole.SERVER);
            assertEquals(suite, client.suite());
            assertEquals(suite, client.local().suite());
            assertArrayEquals(clientKey, client.local().masterKey(), "the client protects with client_write_key");
            assertArrayEquals(clientSalt, client.local().masterSalt());
            assertArrayEquals(serverKey, client.remote().masterKey(), "and unprotects with server_write_key");
            assertArrayEquals(serverSalt, client.remote().masterSalt());
            assertArrayEquals(serverKey, server.local().masterKey());
            assertArrayEquals(serverSalt, server.local().masterSalt());
            assertArrayEquals(clientKey, server.remote().masterKey());
            assertArrayEquals(clientSalt, server.remote().masterSalt());
        }
        assertThrows(IllegalArgumentException.class,
                () -> DtlsSrtpKeys.fromKeyingMaterial(new byte[59], SrtpSuite.AES_CM_128_HMAC_SHA1_80, DtlsRole.CLIENT));
        DtlsSrtpKeys keys = DtlsSrtpKeys.fromKeyingMaterial(material, SrtpSuite.AES_CM_128_HMAC_SHA1_80, DtlsRole.CLIENT);
        assertFalse(keys.toString().contains(new CryptoAttribute(1, SrtpSuite.AES_CM_128_HMAC_SHA1_80,
                Arrays.copyOf(material, 30)).format().split("inline:")[1]), "keys never in toString");
    }

    @Test
    void demultiplexesByFirstByteAsRfc7983Says() {
        int[][] ranges = {{0, 3}, {16, 19}, {20, 63}, {64, 79}, {128, 191}};
        DatagramKind[] kinds = {DatagramKind.STUN, DatagramKind.ZRTP, DatagramKind.DTLS, DatagramKind.TURN_CHANNEL,
                DatagramKind.RTP_OR_RTCP};
        for (int b = 0; b < 256; b++) {
            DatagramKind expected = DatagramKind.UNKNOWN;
            for (int r = 0; r < ranges.length; r++) {
                if (b >= ranges[r][0] && b <= ranges[r][1]) {
                    expected = kinds[r];
                }
            }
            assertEquals(expected, DatagramKind.of(new byte[] {(byte) b, 0}, 0, 2), "first byte " + b);
        }
        assertEquals(DatagramKind.DTLS, DatagramKind.of(new byte[] {0, 22}, 1, 1), "reads at the offset");
        assertEquals(DatagramKind.UNKNOWN, DatagramKind.of(new byte[0], 0, 0));
        // what each protocol really starts with
        assertEquals(DatagramKind.DTLS, DatagramKind.ofFirstByte(22), "DTLS handshake record");
        assertEquals(DatagramKind.STUN, DatagramKind.ofFirstByte(0x00), "STUN binding request 0x0001");
        assertEquals(DatagramKind.RTP_OR_RTCP, DatagramKind.ofFirstByte(0x80), "RTP version 2");
    }

    @Test
    void roleFollowsTheRemoteSetupAttribute() {
        assertEquals(Optional.of(DtlsRole.CLIENT), DtlsRole.fromRemoteSetup("actpass"), "Meta's offer: we are active");
        assertEquals(Optional.of(DtlsRole.CLIENT), DtlsRole.fromRemoteSetup("passive"));
        assertEquals(Optional.of(DtlsRole.SERVER), DtlsRole.fromRemoteSetup(" ACTIVE "));
        assertEquals(Optional.empty(), DtlsRole.fromRemoteSetup("holdconn"));
        assertEquals("active", DtlsRole.CLIENT.setupAttributeInAnswer());
        assertEquals("passive", DtlsRole.SERVER.setupAttributeInAnswer());
    }

    private static byte[] range(int from, int to) {
        byte[] out = new byte[to - from];
        for (int i = from; i < to; i++) {
            out[i - from] = (byte) i;
        }
        return out;
    }
}
