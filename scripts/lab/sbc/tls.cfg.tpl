# TLS of the lab SBC: a client toward the lab edge that checks its certificate against the lab CA, as the bridge
# does, and a server side that exists only because Kamailio sends TLS from a TLS listener.
[server:default]
method = TLSv1.2+
verify_certificate = no
require_certificate = no
certificate = @CERT_FILE@
private_key = @KEY_FILE@

[client:default]
method = TLSv1.2+
verify_certificate = yes
require_certificate = yes
ca_list = @CA_FILE@
