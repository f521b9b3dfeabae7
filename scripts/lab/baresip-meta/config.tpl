# baresip playing the WhatsApp user behind the lab edge (rendered by baresip-meta.sh).
# Headless: no sound card; the microphone is a wav file, the speaker is a null device.
poll_method		poll
sip_listen		127.0.0.1:@SIP_PORT@
sip_trans_def		udp
net_interface		127.0.0.1
audio_player		aubridge,nil
audio_alert		aubridge,nil
audio_source		aufile,@WAV@
# Meta muxes RTP and RTCP on one port (a=rtcp-mux); so does the bridge toward it.
rtcp_mux		yes
# Prints per-call Transmit/Receive packet and error counts when the call ends.
rtp_stats		yes
# Hang up when no media arrives for this long: Meta's relay must keep hearing from the business.
rtp_timeout		@RTP_TIMEOUT@
module_path		/usr/lib/baresip/modules
module			g711.so
module			opus.so
module			aufile.so
module			aubridge.so
module			srtp.so
@DTLS_SRTP_MODULE@
module_app		account.so
module_app		menu.so
