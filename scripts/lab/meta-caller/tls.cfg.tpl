# Rendered by scripts/lab/meta-caller.sh (Kamailio tls module profiles).
# Server side (the bridge's in-dialog requests): present the "wa.meta.vc" certificate, never ask for one.
[server:default]
method = TLSv1.2+
verify_certificate = no
require_certificate = no
certificate = @CALLER_CERT_FILE@
private_key = @CALLER_KEY_FILE@

# Client side (toward the bridge): like Meta, check the bridge's chain against the lab CA; SNI names the
# bridge's SIP server hostname.
[client:default]
method = TLSv1.2+
verify_certificate = @VERIFY_BRIDGE@
require_certificate = no
ca_list = @CA_FILE@
server_name = bridge.example.test
