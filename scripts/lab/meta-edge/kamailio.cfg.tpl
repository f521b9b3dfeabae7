#!KAMAILIO
#
# Lab stand-in for Meta's SIP edge (wa.meta.vc). Rendered by scripts/lab/meta-edge.sh:
# every @...@ placeholder is replaced before Kamailio reads this file. Do not run the template directly.
#
# What it does, in Meta's words where Meta documents them (whatsapp-sip-facts.md, sections 2 and 7):
#   initial INVITE: IP in Request-URI -> 404, sips: -> 404, From user not "+digits" -> 400,
#   no Proxy-Authorization -> 407 (realm wa.meta.vc, qop=auth, opaque, algorithm @DIGEST_ALG@),
#   bad credentials -> 403 (never a second 407), digest uri != Request-URI -> 403,
#   otherwise record-route and relay to the SIPp UAS on udp:127.0.0.1:@UAS_PORT@.
#   REGISTER -> 403, OPTIONS -> 200, in-dialog requests and CANCEL are loose-routed.
# Every decision logs one line starting with "EDGE:" so tests can grep kamailio.log.

debug=2
log_stderror=yes
log_facility=LOG_LOCAL0
log_prefix="{$mt $hdr(CSeq) $ci} "
memdbg=5
memlog=5

# Few workers: the lab must start fast and every process must die with the main PID.
children=2
tcp_children=2
auto_aliases=no
dns=no
rev_dns=no
use_dns_cache=no
dns_try_ipv6=no
tcp_connect_timeout=2
tcp_connection_lifetime=3605
enable_tls=yes
server_header="Server: wa-lab-edge"
user_agent_header="User-Agent: wa-lab-edge"

listen=tls:127.0.0.1:@EDGE_TLS_PORT@
listen=udp:127.0.0.1:@EDGE_UDP_PORT@

loadmodule "tls.so"
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "rr.so"
loadmodule "pv.so"
loadmodule "maxfwd.so"
loadmodule "textops.so"
loadmodule "siputils.so"
loadmodule "xlog.so"
loadmodule "sanity.so"
loadmodule "ipops.so"
loadmodule "auth.so"

modparam("tls", "config", "@RUN_DIR@/tls.cfg")
modparam("tm", "fr_timer", 5000)
modparam("tm", "fr_inv_timer", 120000)
# Meta's edge hands its own 503 to the caller unchanged; tm would turn a relayed 503 into 500 (RFC 3261 16.7).
modparam("tm", "remap_503_500", 0)
modparam("rr", "enable_full_lr", 1)
modparam("rr", "append_fromtag", 0)
modparam("auth", "algorithm", "@DIGEST_ALG@")
modparam("auth", "nonce_expire", @NONCE_EXPIRE@)
modparam("auth", "one_time_nonce", @ONE_TIME_NONCE@)

request_route {
	if (!mf_process_maxfwd_header("10")) {
		sl_send_reply("483", "Too Many Hops");
		exit;
	}
	if (!sanity_check("17895", "7")) {
		xlog("L_NOTICE", "EDGE: malformed $rm from $si:$sp dropped\n");
		exit;
	}

	if (is_method("CANCEL")) {
		if (t_check_trans()) {
			xlog("L_NOTICE", "EDGE: cancel relayed\n");
			route(RELAY);
		}
		xlog("L_NOTICE", "EDGE: cancel without a matching INVITE dropped\n");
		exit;
	}

	if (has_totag()) {
		route(IN_DIALOG);
		exit;
	}

	# Absorbs retransmissions and the hop-by-hop ACK of relayed error replies.
	t_check_trans();
	if (is_method("ACK")) {
		exit;
	}

	if (is_method("REGISTER")) {
		xlog("L_NOTICE", "EDGE: register refused (Meta answers REGISTER with 403)\n");
		sl_send_reply("403", "Forbidden");
		exit;
	}
	if (is_method("OPTIONS")) {
		xlog("L_NOTICE", "EDGE: options answered\n");
		sl_send_reply("200", "OK");
		exit;
	}
	if (!is_method("INVITE")) {
		xlog("L_NOTICE", "EDGE: method $rm not allowed outside a dialog\n");
		append_to_reply("Allow: INVITE, ACK, BYE, CANCEL, NOTIFY, OPTIONS\r\n");
		sl_send_reply("405", "Method Not Allowed");
		exit;
	}

	route(CHECK_INVITE);
	route(AUTHENTICATE);

	xlog("L_NOTICE", "EDGE: invite forwarded to UAS udp:127.0.0.1:@UAS_PORT@\n");
	record_route();
	$du = "sip:127.0.0.1:@UAS_PORT@;transport=udp";
	route(RELAY);
}

# Meta's documented answers to malformed business-initiated INVITEs, in Meta's order.
route[CHECK_INVITE] {
	if (is_ip("$rd")) {
		xlog("L_NOTICE", "EDGE: reject 404 ip in request-uri $ru\n");
		sl_send_reply("404", "Not Found");
		exit;
	}
	if ($rz == "sips") {
		xlog("L_NOTICE", "EDGE: reject 404 sips scheme in request-uri $ru\n");
		sl_send_reply("404", "Not Found");
		exit;
	}
	if (!($fU =~ "^[+][0-9]+$")) {
		xlog("L_NOTICE", "EDGE: reject 400 from user '$fU' is not +digits\n");
		sl_send_reply("400", "Asset not found, invalid business phone number");
		exit;
	}
}

route[AUTHENTICATE] {
	if (!is_present_hf("Proxy-Authorization")) {
		route(CHALLENGE);
	}
	# Meta's digest username is the From user without the leading '+'.
	if ($au != $(fU{s.substr,1,0})) {
		xlog("L_NOTICE", "EDGE: auth failed username '$au' is not the From user without '+' ($(fU{s.substr,1,0}))\n");
		route(REJECT_DIGEST);
	}
	if ($adu != $ru) {
		xlog("L_NOTICE", "EDGE: auth failed digest uri '$adu' differs from request-uri '$ru'\n");
		append_to_reply("Warning: 399 wa.meta.vc \"Proxy auth uri does not match SIP to uri\"\r\n");
		sl_send_reply("403", "Proxy auth uri does not match SIP to uri");
		exit;
	}
	if (!($hdr(Proxy-Authorization) =~ 'opaque="?@OPAQUE@')) {
		xlog("L_NOTICE", "EDGE: auth failed opaque missing or not echoed\n");
		route(REJECT_DIGEST);
	}
	pv_proxy_authenticate("wa.meta.vc", "@PASSWORD@", "0");
	$var(auth_rc) = $rc;
	if ($var(auth_rc) == -4) {
		xlog("L_NOTICE", "EDGE: auth stale nonce, new challenge\n");
		$var(stale) = 1;
		route(CHALLENGE);
	}
	if ($var(auth_rc) < 0) {
		xlog("L_NOTICE", "EDGE: auth failed code $var(auth_rc) (-2 wrong password, -5 realm is not wa.meta.vc, -6 nonce reused) user '$au' algorithm '$aa'\n");
		route(REJECT_DIGEST);
	}
	xlog("L_NOTICE", "EDGE: auth ok user '$au' algorithm @DIGEST_ALG@\n");
	consume_credentials();
}

# Kamailio's own challenge carries no opaque; Meta's does, so one is added here.
# Flags: 1 = qop=auth, 16 = stale=true (the nonce expired, the credentials were right).
route[CHALLENGE] {
	if ($var(stale) == 1) {
		auth_get_www_authenticate("wa.meta.vc", "17", "$var(challenge)");
	} else {
		auth_get_www_authenticate("wa.meta.vc", "1", "$var(challenge)");
	}
	$var(challenge) = $(var(challenge){s.replace,WWW-Authenticate,Proxy-Authenticate});
	$var(challenge) = $(var(challenge){s.striptail,2}) + ", opaque=\"@OPAQUE@\"\r\n";
	append_to_reply("$var(challenge)");
	xlog("L_NOTICE", "EDGE: challenge 407 algorithm @DIGEST_ALG@\n");
	sl_send_reply("407", "Proxy Authentication Required");
	exit;
}

# Meta never re-challenges bad credentials.
route[REJECT_DIGEST] {
	append_to_reply("Warning: 399 wa.meta.vc \"Invalid digest auth response\"\r\n");
	sl_send_reply("403", "Invalid digest auth response");
	exit;
}

route[IN_DIALOG] {
	if (loose_route()) {
		xlog("L_NOTICE", "EDGE: in-dialog $rm relayed to $ru\n");
		route(RELAY);
	}
	if (is_method("ACK")) {
		if (t_check_trans()) {
			route(RELAY);
		}
		exit;
	}
	xlog("L_NOTICE", "EDGE: in-dialog $rm without route set rejected\n");
	sl_send_reply("404", "Not Found");
	exit;
}

route[RELAY] {
	if (!is_method("ACK|CANCEL") && !is_present_hf("X-FB-External-Domain")) {
		append_hf("X-FB-External-Domain: wa.meta.vc\r\n");
	}
	if (is_method("INVITE|BYE|CANCEL")) {
		t_on_reply("MARK_REPLY");
	}
	if (!t_relay()) {
		xlog("L_NOTICE", "EDGE: relay of $rm to $ru failed\n");
		sl_reply_error();
	}
	exit;
}

onreply_route[MARK_REPLY] {
	if (!is_present_hf("X-FB-External-Domain")) {
		append_hf("X-FB-External-Domain: wa.meta.vc\r\n");
	}
	if ($rs >= 200) {
		xlog("L_NOTICE", "EDGE: reply $rs $rr relayed for $rm\n");
	}
}
