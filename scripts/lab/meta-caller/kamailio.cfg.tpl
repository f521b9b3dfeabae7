#!KAMAILIO
#
# Lab stand-in for Meta's SIP edge CALLING the bridge (user-initiated calls). Rendered by
# scripts/lab/meta-caller.sh: every @...@ placeholder is replaced before Kamailio reads this file.
#
#   udp:127.0.0.1:@CALLER_UDP_PORT@  the SIPp UAC playing the WhatsApp user sends here
#   tls:127.0.0.1:@CALLER_TLS_PORT@  the bridge's in-dialog requests arrive here
#   initial INVITE over UDP -> record_route() (two Record-Route entries, since the call switches from UDP to
#   TLS; the bridge must return them unchanged), X-FB-External-Domain: wa.meta.vc, relayed over TLS to the
#   bridge at 127.0.0.1:@BRIDGE_TLS_PORT@. Replies (407 challenges included) go back to the UAC untouched;
#   ACK, CANCEL and in-dialog requests are loose-routed both ways.
# Every decision logs one line starting with "CALLER:" so tests can grep kamailio.log.

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
server_header="Server: wa-lab-caller"
user_agent_header="User-Agent: wa-lab-caller"

listen=udp:127.0.0.1:@CALLER_UDP_PORT@
listen=tls:127.0.0.1:@CALLER_TLS_PORT@

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

modparam("tls", "config", "@RUN_DIR@/tls.cfg")
modparam("tm", "fr_timer", 5000)
modparam("tm", "fr_inv_timer", 120000)
# Two Record-Route entries when the in and out transports differ, as Meta's INVITEs carry two.
modparam("rr", "enable_double_rr", 1)
modparam("rr", "append_fromtag", 0)

request_route {
	if (!mf_process_maxfwd_header("10")) {
		sl_send_reply("483", "Too Many Hops");
		exit;
	}
	if (!sanity_check("17895", "7")) {
		xlog("L_NOTICE", "CALLER: malformed $rm from $si:$sp dropped\n");
		exit;
	}

	if (is_method("CANCEL")) {
		if (t_check_trans()) {
			xlog("L_NOTICE", "CALLER: cancel relayed to $ru\n");
			route(RELAY);
		}
		xlog("L_NOTICE", "CALLER: cancel without a matching INVITE dropped\n");
		exit;
	}

	if (has_totag()) {
		route(IN_DIALOG);
		exit;
	}

	# Absorbs retransmissions and the hop-by-hop ACK of relayed error replies (407 included).
	t_check_trans();
	if (is_method("ACK")) {
		exit;
	}

	if (is_method("OPTIONS")) {
		xlog("L_NOTICE", "CALLER: options answered\n");
		sl_send_reply("200", "OK");
		exit;
	}
	if (!is_method("INVITE")) {
		xlog("L_NOTICE", "CALLER: method $rm not allowed outside a dialog\n");
		append_to_reply("Allow: INVITE, ACK, BYE, CANCEL, NOTIFY, OPTIONS\r\n");
		sl_send_reply("405", "Method Not Allowed");
		exit;
	}
	if ($pr != "udp") {
		# Only the WhatsApp user (the SIPp UAC on UDP) starts calls here; Meta never accepts calls this way.
		xlog("L_NOTICE", "CALLER: initial INVITE over $pr from $si:$sp refused with 403\n");
		sl_send_reply("403", "Forbidden");
		exit;
	}

	record_route();
	$du = "sip:127.0.0.1:@BRIDGE_TLS_PORT@;transport=tls";
	xlog("L_NOTICE", "CALLER: invite for $ru from $fu forwarded over tls to the bridge at 127.0.0.1:@BRIDGE_TLS_PORT@\n");
	route(RELAY);
}

route[IN_DIALOG] {
	if (loose_route()) {
		xlog("L_NOTICE", "CALLER: in-dialog $rm from $pr:$si:$sp relayed to $ru\n");
		route(RELAY);
	}
	if (is_method("ACK")) {
		if (t_check_trans()) {
			route(RELAY);
		}
		exit;
	}
	xlog("L_NOTICE", "CALLER: in-dialog $rm without route set rejected\n");
	sl_send_reply("404", "Not Found");
	exit;
}

route[RELAY] {
	# Meta marks what it sends toward the business (siphon and Asterisk match on it).
	if ($pr == "udp" && !is_method("ACK|CANCEL") && !is_present_hf("X-FB-External-Domain")) {
		append_hf("X-FB-External-Domain: wa.meta.vc\r\n");
	}
	if (is_method("INVITE|BYE|CANCEL")) {
		t_on_reply("LOG_REPLY");
		t_on_failure("LOG_FAILURE");
	}
	if (!t_relay()) {
		xlog("L_NOTICE", "CALLER: relay of $rm to $ru failed\n");
		sl_reply_error();
	}
	exit;
}

onreply_route[LOG_REPLY] {
	if ($rs >= 180) {
		xlog("L_NOTICE", "CALLER: reply $rs $rr for $rm relayed; record-route '$hdr(Record-Route)'\n");
	}
}

failure_route[LOG_FAILURE] {
	if (t_branch_timeout() && !t_branch_replied()) {
		xlog("L_NOTICE", "CALLER: no reply from the bridge for $rm (TLS connection refused or timed out)\n");
	}
}
