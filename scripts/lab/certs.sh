#!/usr/bin/env bash
# Creates the lab's TLS test PKI in OUT_DIR (only the files that are missing):
#   edge-ca.pem / edge-ca.key          test CA that signs everything below
#   edge.pem / edge.key                 "Meta edge" server cert, SAN DNS:wa.meta.vc
#   bridge.pem / bridge.key             bridge server cert, SAN DNS:bridge.example.test, IP:127.0.0.1
#   wrong-name.pem / wrong-name.key     cert for DNS:not-meta.example.test (hostname-mismatch tests)
# Every leaf .pem is a chain: leaf first, then the CA. Keys are EC P-256, unencrypted PKCS#8 PEM.
# Usage: scripts/lab/certs.sh OUT_DIR        (idempotent, quiet, exits non-zero on failure)
set -euo pipefail

if [[ $# -ne 1 ]]; then
    echo "usage: $0 OUT_DIR" >&2
    exit 2
fi
out_dir=$1
mkdir -p "$out_dir"
umask 077

fail() { echo "certs.sh: $*" >&2; exit 1; }

new_key() {  # PKCS#8 ("BEGIN PRIVATE KEY"), which both Java and Kamailio read
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null \
        || fail "openssl could not create the key $1"
}

random_serial() { echo "0x$(openssl rand -hex 12)"; }

ensure_ca() {
    local key=$out_dir/edge-ca.key cert=$out_dir/edge-ca.pem
    [[ -s $key && -s $cert ]] && return 0
    new_key "$key"
    openssl req -x509 -new -key "$key" -sha256 -days 3650 -set_serial "$(random_serial)" \
        -subj "/O=WA Bridge Lab/CN=WA Bridge Lab Test CA" \
        -addext "basicConstraints=critical,CA:TRUE" \
        -addext "keyUsage=critical,keyCertSign,cRLSign" \
        -addext "subjectKeyIdentifier=hash" \
        -out "$cert" 2>/dev/null || fail "openssl could not create the test CA in $out_dir"
}

# ensure_leaf NAME COMMON_NAME SUBJECT_ALT_NAMES
ensure_leaf() {
    local name=$1 cn=$2 san=$3
    local key=$out_dir/$name.key cert=$out_dir/$name.pem
    [[ -s $key && -s $cert ]] && return 0
    local work
    work=$(mktemp -d)
    new_key "$key"
    openssl req -new -key "$key" -subj "/O=WA Bridge Lab/CN=$cn" -out "$work/req.csr" 2>/dev/null \
        || fail "openssl could not create the request for $name"
    cat > "$work/ext.cnf" <<EXT
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyAgreement
extendedKeyUsage=serverAuth,clientAuth
subjectAltName=$san
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
EXT
    openssl x509 -req -in "$work/req.csr" -CA "$out_dir/edge-ca.pem" -CAkey "$out_dir/edge-ca.key" \
        -set_serial "$(random_serial)" -days 825 -sha256 -extfile "$work/ext.cnf" \
        -out "$work/leaf.pem" 2>/dev/null || fail "openssl could not sign the certificate for $name"
    cat "$work/leaf.pem" "$out_dir/edge-ca.pem" > "$cert"
    rm -rf "$work"
}

ensure_ca
ensure_leaf edge wa.meta.vc "DNS:wa.meta.vc"
ensure_leaf bridge bridge.example.test "DNS:bridge.example.test,IP:127.0.0.1"
ensure_leaf wrong-name not-meta.example.test "DNS:not-meta.example.test"
# Certificates are public; only the keys stay owner-readable.
chmod 644 "$out_dir"/*.pem
