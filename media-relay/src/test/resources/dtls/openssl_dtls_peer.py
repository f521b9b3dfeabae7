#!/usr/bin/python3
"""An independent DTLS-SRTP peer for DtlsInteropTest: OpenSSL (through Debian's python3-openssl)
on a real UDP socket on 127.0.0.1, with memory BIOs between the socket and OpenSSL.

Prints, one per line, flushed:
  PORT <udp port>                      our socket, as soon as it is bound
  FINGERPRINT sha-256 AA:BB:...        of our fresh self-signed certificate
  PROFILE <OpenSSL profile name>       after the handshake: the negotiated use_srtp profile
  EKM <hex>                            RFC 5705 export, label EXTRACTOR-dtls_srtp, 60 bytes
  CLIENT_KEY/SERVER_KEY/CLIENT_SALT/SERVER_SALT <hex>   that export split as RFC 5764 section 4.2 says
  PEER_FINGERPRINT sha-256 AA:BB:...   of the certificate the Java side presented
  DONE                                 or ERROR <why> (exit status not 0)
"""
import argparse
import datetime
import select
import socket
import sys
import time

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID
from OpenSSL import SSL, crypto
from OpenSSL._util import ffi, lib


def say(*words):
    print(*words, flush=True)


def self_signed(kind):
    key = ec.generate_private_key(ec.SECP256R1()) if kind == "ec" else rsa.generate_private_key(65537, 2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "openssl-dtls-peer")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=30))
            .sign(key, hashes.SHA256()))
    return crypto.PKey.from_cryptography_key(key), crypto.X509.from_cryptography(cert)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--role", choices=["server", "client"], required=True)
    p.add_argument("--key", choices=["ec", "rsa"], default="ec")
    p.add_argument("--peer-port", type=int, help="the Java side's port (client role)")
    p.add_argument("--profiles", default="SRTP_AES128_CM_SHA1_80:SRTP_AES128_CM_SHA1_32")
    p.add_argument("--timeout", type=float, default=10.0)
    args = p.parse_args()

    key, cert = self_signed(args.key)
    ctx = SSL.Context(SSL.DTLS_METHOD)
    ctx.use_privatekey(key)
    ctx.use_certificate(cert)
    # self-signed peers: accept any certificate here, the fingerprint is compared afterwards
    ctx.set_verify(SSL.VERIFY_PEER | SSL.VERIFY_FAIL_IF_NO_PEER_CERT, lambda *unused: True)
    ctx.set_tlsext_use_srtp(args.profiles.encode())
    ctx.set_options(lib.SSL_OP_NO_QUERY_MTU)
    conn = SSL.Connection(ctx, None)  # memory BIOs
    lib.SSL_set_mtu(conn._ssl, 1152)
    if args.role == "server":
        conn.set_accept_state()
    else:
        conn.set_connect_state()

    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    say("PORT", sock.getsockname()[1])
    say("FINGERPRINT sha-256", cert.digest("sha256").decode())
    peer = ("127.0.0.1", args.peer_port) if args.peer_port else None

    def flush():
        while True:
            try:
                data = conn.bio_read(65536)
            except SSL.WantReadError:
                return
            if peer is not None:
                sock.sendto(data, peer)

    def handshake_step():
        try:
            conn.do_handshake()
            return True
        except SSL.WantReadError:
            return False

    deadline = time.monotonic() + args.timeout
    done = False
    try:
        if args.role == "client":
            done = handshake_step()
            flush()
        while not done:
            if time.monotonic() > deadline:
                say("ERROR handshake timeout")
                return 2
            readable, _, _ = select.select([sock], [], [], 0.05)
            if readable:
                data, addr = sock.recvfrom(65536)
                if peer is None:
                    peer = addr
                conn.bio_write(data)
                done = handshake_step()
            else:
                lib.DTLSv1_handle_timeout(conn._ssl)  # OpenSSL's own retransmission timer
            flush()
    except SSL.Error as e:
        flush()  # our alert
        say("ERROR handshake failed:", e)
        return 1

    profile = lib.SSL_get_selected_srtp_profile(conn._ssl)
    if profile == ffi.NULL:
        say("ERROR no SRTP profile negotiated")
        return 1
    say("PROFILE", ffi.string(profile.name).decode())
    ekm = conn.export_keying_material(b"EXTRACTOR-dtls_srtp", 60)
    say("EKM", ekm.hex())
    # RFC 5764 section 4.2, for the 128-bit key / 112-bit salt profiles
    say("CLIENT_KEY", ekm[0:16].hex())
    say("SERVER_KEY", ekm[16:32].hex())
    say("CLIENT_SALT", ekm[32:46].hex())
    say("SERVER_SALT", ekm[46:60].hex())
    say("PEER_FINGERPRINT sha-256", conn.get_peer_certificate().digest("sha256").decode())

    # the server sent the last flight: answer a client that lost it, for a moment
    linger_until = time.monotonic() + 1.0
    while time.monotonic() < linger_until:
        readable, _, _ = select.select([sock], [], [], 0.05)
        if readable:
            data, _ = sock.recvfrom(65536)
            conn.bio_write(data)
            try:
                conn.recv(65536)
            except (SSL.WantReadError, SSL.ZeroReturnError):
                pass
            except SSL.Error:
                break
            flush()
    say("DONE")
    return 0


if __name__ == "__main__":
    sys.exit(main())
