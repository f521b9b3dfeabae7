#!KAMAILIO
# The anchor of the signalling benchmark: what an expert would otherwise deploy between a PBX and Meta's edge,
# Kamailio with rtpengine. PBX over UDP in, Meta's edge over TLS out; the edge's 407 answered with uac_auth()
# (the digest username is the number without '+', as Meta wants); the PBX's RTP/AVP offer turned into an SDES
# RTP/SAVP offer by rtpengine and the answer back. Rendered by scripts/lab/sbc.sh, which fills in the tokens.
# Logs warnings only: a load test measures relaying, not logging.

debug=1
log_stderror=yes
memdbg=5
memlog=5
children=@CHILDREN@
tcp_children=@CHILDREN@
auto_aliases=no
dns=no
rev_dns=no
use_dns_cache=no
dns_try_ipv6=no
tcp_connect_timeout=2
tcp_connection_lifetime=3605
enable_tls=yes
server_header="Server: wa-lab-sbc"
user_agent_header="User-Agent: wa-lab-sbc"

listen=udp:127.0.0.1:@SBC_UDP_PORT@
listen=tls:127.0.0.1:@SBC_TLS_PORT@

loadmodule "tls.so"
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "rr.so"
loadmodule "pv.so"
loadmodule "maxfwd.so"
loadmodule "textops.so"
loadmodule "siputils.so"
loadmodule "xlog.so"
loadmodule "uac.so"
loadmodule "rtpengine.so"

modparam("tls", "config", "@RUN_DIR@/tls.cfg")
modparam("tm", "fr_timer", 5000)
modparam("tm", "fr_inv_timer", 60000)
modparam("rr", "enable_full_lr", 1)
modparam("rr", "append_fromtag", 1)
modparam("uac", "credential", "@DIGEST_USER@:wa.meta.vc:@PASSWORD@")
modparam("rtpengine", "rtpengine_sock", "udp:127.0.0.1:@NG_PORT@")

request_route {
	if (!mf_process_maxfwd_header("10")) {
		sl_send_reply("483", "Too Many Hops");
		exit;
	}
	if (is_method("CANCEL")) {
		if (t_check_trans()) {
			route(RELAY);
		}
		exit;
	}
	if (has_totag()) {
		if (loose_route()) {
			if (is_method("BYE")) {
				rtpengine_delete();
			}
			route(RELAY);
		}
		if (is_method("ACK") && t_check_trans()) {
			t_relay();
		}
		exit;
	}
	t_check_trans();
	if (is_method("OPTIONS")) {
		sl_send_reply("200", "OK");
		exit;
	}
	if (!is_method("INVITE")) {
		sl_send_reply("405", "Method Not Allowed");
		exit;
	}
	# a call from the PBX toward Meta: the WhatsApp user's number at Meta's edge, over TLS
	record_route();
	$ru = "sip:" + $rU + "@wa.meta.vc;transport=tls";
	$du = "sip:127.0.0.1:@EDGE_TLS_PORT@;transport=tls";
	if (!rtpengine_offer("RTP/SAVP SDES-only replace-origin replace-session-connection ICE=remove")) {
		xlog("L_WARN", "SBC: rtpengine refused the offer of $ci\n");
		sl_send_reply("503", "Media Relay Unavailable");
		exit;
	}
	t_on_reply("MEDIA_ANSWER");
	t_on_failure("EDGE_CHALLENGE");
	route(RELAY);
}

route[RELAY] {
	if (!t_relay()) {
		sl_reply_error();
	}
	exit;
}

onreply_route[MEDIA_ANSWER] {
	if (has_body("application/sdp") && !rtpengine_answer("RTP/AVP replace-origin replace-session-connection")) {
		xlog("L_WARN", "SBC: rtpengine refused the answer of $ci\n");
	}
}

# The edge's 407 is answered once; any other end of the INVITE (a refusal, a timeout, the PBX's CANCEL) ends its
# rtpengine session too, so a failed call leaves no media ports behind.
failure_route[EDGE_CHALLENGE] {
	if (!t_is_canceled() && t_check_status("401|407")) {
		if (uac_auth()) {
			t_on_reply("MEDIA_ANSWER");
			t_on_failure("EDGE_REFUSED");
			t_relay();
			exit;
		}
		xlog("L_WARN", "SBC: no credentials for the edge's challenge\n");
	}
	rtpengine_delete();
}

failure_route[EDGE_REFUSED] {
	rtpengine_delete();
}
