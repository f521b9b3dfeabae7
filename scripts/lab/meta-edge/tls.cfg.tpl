# Rendered by scripts/lab/meta-edge.sh (Kamailio tls module profiles).
# Server side: like Meta, present the edge certificate and never ask the client for one.
[server:default]
method = TLSv1.2+
verify_certificate = no
require_certificate = no
certificate = @EDGE_CERT_FILE@
private_key = @EDGE_KEY_FILE@

# Client side (edge -> bridge for in-dialog requests such as BYE): the lab does not verify
# the bridge's certificate, so tests may run the bridge with any test certificate.
[client:default]
method = TLSv1.2+
verify_certificate = no
require_certificate = no
