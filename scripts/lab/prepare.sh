#!/usr/bin/env bash
# Called by scripts/bridge with its own arguments. For `run` or `check` with sip-config/examples/lab.yaml it
# creates, in the working directory, what that file's defaults point at:
#   lab/          the lab's state directory (call log lab/calls.db, captures lab/captures); git-ignored
#   lab/certs/    the lab's test PKI, with scripts/lab/certs.sh lab/certs, when a certificate lab.yaml reads by
#                 default is missing (META_TLS_CERT, META_TLS_KEY, META_TLS_TRUST override those paths)
# Any other command or configuration: does nothing, so a production configuration whose certificate is
# missing still stops with bridge check's error. Prints one line when it creates certificates; exits 1 with
# the command to run by hand when it cannot.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
lab_yaml=$(cd "$here/../.." && pwd)/sip-config/examples/lab.yaml

case ${1:-} in run|check) shift ;; *) exit 0 ;; esac
config=""
while (($#)); do
    case $1 in
        -c|--config) if (($# >= 2)); then config=$2; shift; fi ;;
        --config=*) config=${1#--config=} ;;
        -c?*) config=${1#-c} ;;
    esac
    shift
done
[[ -n $config && -f $config && $(realpath "$config") == "$(realpath "$lab_yaml")" ]] || exit 0

mkdir -p lab
missing=()
[[ -n ${META_TLS_CERT:-} || -s lab/certs/bridge.pem ]] || missing+=(bridge.pem)
[[ -n ${META_TLS_KEY:-} || -s lab/certs/bridge.key ]] || missing+=(bridge.key)
[[ -n ${META_TLS_TRUST:-} || -s lab/certs/edge-ca.pem ]] || missing+=(edge-ca.pem)
((${#missing[@]})) || exit 0
if ! "$here/certs.sh" lab/certs; then
    echo "bridge: could not create the lab certificates (${missing[*]}) in $PWD/lab/certs;" \
        "run: scripts/lab/certs.sh lab/certs" >&2
    exit 1
fi
echo "bridge: created the lab's test certificates in $PWD/lab/certs (scripts/lab/certs.sh lab/certs;" \
    "a test CA: for the lab peers only, Meta refuses them)" >&2
