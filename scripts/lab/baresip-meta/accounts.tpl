<sip:@WA_USER@@127.0.0.1:@SIP_PORT@>;regint=0;mediaenc=@MEDIAENC@;answermode=auto@AUTH@
