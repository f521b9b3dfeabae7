package org.wabridge.b2bua;

import java.util.List;
import org.wabridge.b2bua.causes.CauseCatalog;
import org.wabridge.b2bua.causes.FailureLine;
import org.wabridge.b2bua.causes.MetaCause;
import org.wabridge.b2bua.causes.PbxAnswer;
import org.wabridge.b2bua.causes.ReasonHeaders;

/** Turns a failure (Meta's answer, or one of ours) into the documented cause and the PBX's answer. */
public final class CallFailures {

    /** A failure explained: the catalog entry, what the PBX gets, and its Reason header values. */
    public record Outcome(MetaCause cause, PbxAnswer answer, List<String> reasons) {}

    static final String INVALID_DIGEST = "meta.403.invalid-digest";

    private final CauseCatalog catalog;

    public CallFailures(CauseCatalog catalog) {
        this.catalog = catalog;
    }

    public Outcome forMeta(int status, String phrase, List<String> warnings) {
        MetaCause cause = catalog.matchSip(status, phrase, warnings);
        return new Outcome(cause, cause.pbxAnswer(), ReasonHeaders.forPbx(cause.pbxAnswer(), status, phrase));
    }

    /**
     * True when Meta's answer says the digest credentials were wrong (the catalog's {@value #INVALID_DIGEST}), not
     * something about the call itself: a 403 is also "no call permission", a daily limit, a duplicate call...
     */
    public boolean refusesCredentials(int status, String phrase, List<String> warnings) {
        return INVALID_DIGEST.equals(catalog.matchSip(status, phrase, warnings).id());
    }

    public Outcome local(String causeId) {
        MetaCause cause = catalog.byId(causeId)
                .orElseThrow(() -> new IllegalStateException("cause catalog lacks " + causeId));
        return new Outcome(cause, cause.pbxAnswer(), ReasonHeaders.forPbx(cause.pbxAnswer(), null, null));
    }

    public String logLine(String callId, String metaCallId, int code, String phrase, Outcome outcome) {
        return FailureLine.format(callId, metaCallId, code, phrase, outcome.cause());
    }
}
