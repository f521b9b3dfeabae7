package org.wabridge.config;

/**
 * A WhatsApp business number enabled for SIP at Meta.
 *
 * @param number    normalised E.164 with '+', e.g. "+17125550259"
 * @param password  the SIP password Meta generated for this number and app (never logged)
 * @param pbxTarget SIP URI that user-initiated calls to this number are sent to; null = the PBX default target
 * @param srtpKeyExchange the number's {@code srtp_key_exchange_protocol} at Meta (default DTLS, as at Meta)
 */
public record BusinessNumber(String number, String password, String pbxTarget, SrtpKeyExchange srtpKeyExchange) {

    public BusinessNumber {
        srtpKeyExchange = srtpKeyExchange == null ? SrtpKeyExchange.DTLS : srtpKeyExchange;
    }

    /** A number with Meta's default keying (DTLS). */
    public BusinessNumber(String number, String password, String pbxTarget) {
        this(number, password, pbxTarget, SrtpKeyExchange.DTLS);
    }

    /** The digest username Meta expects: the number without '+'. */
    public String digestUsername() {
        return number.startsWith("+") ? number.substring(1) : number;
    }

    @Override
    public String toString() {
        return "BusinessNumber[" + number + ", password=" + (password == null ? "<missing>" : "<hidden>") + ", "
                + srtpKeyExchange + "]";
    }
}
