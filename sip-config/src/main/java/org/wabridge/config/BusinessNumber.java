package org.wabridge.config;

/**
 * A WhatsApp business number enabled for SIP at Meta.
 *
 * @param number    normalised E.164 with '+', e.g. "+17125550259"
 * @param password  the SIP password Meta generated for this number and app (never logged)
 * @param pbxTarget SIP URI that user-initiated calls to this number are sent to; null = the PBX default target
 */
public record BusinessNumber(String number, String password, String pbxTarget) {
    /** The digest username Meta expects: the number without '+'. */
    public String digestUsername() {
        return number.startsWith("+") ? number.substring(1) : number;
    }

    @Override
    public String toString() {
        return "BusinessNumber[" + number + ", password=" + (password == null ? "<missing>" : "<hidden>") + "]";
    }
}
