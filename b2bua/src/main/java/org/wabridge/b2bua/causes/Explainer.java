package org.wabridge.b2bua.causes;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Text for {@code bridge explain CODE ["reason text"]}: what a failure code means and how to fix it. */
public final class Explainer {
    private Explainer() {}

    /**
     * @param found false when the catalog has no documented entry for the code
     * @param text  the explanation, ready to print
     */
    public record Explanation(boolean found, String text) {}

    /** The explanation text; see {@link #describe}. */
    public static String explain(CauseCatalog catalog, String codeArg, String reasonText) {
        return describe(catalog, codeArg, reasonText).text();
    }

    /**
     * Explains a SIP status (300..699), a Calling API error code (e.g. 138006) or a cause id. For a
     * SIP status with several documented meanings (403) the reason text picks one; without it all
     * are listed.
     */
    public static Explanation describe(CauseCatalog catalog, String codeArg, String reasonText) {
        String arg = codeArg == null ? "" : codeArg.strip();
        Optional<MetaCause> named = catalog.byId(arg);
        if (named.isPresent()) {
            return new Explanation(true, render(catalog, named.get()));
        }
        if (!arg.matches("\\d{1,9}")) {
            return new Explanation(false, "'" + arg + "' is not a SIP status, a Calling API error code or a cause id.\n"
                    + "Examples: bridge explain 403 \"No Approved Call Permission Found\", bridge explain 138012, "
                    + "bridge explain local.edge-timeout\n");
        }
        int code = Integer.parseInt(arg);
        boolean hasReason = reasonText != null && !reasonText.isBlank();
        StringBuilder out = new StringBuilder();
        boolean found = false;

        Optional<MetaCause> api = catalog.byApiCode(code);
        if (api.isPresent()) {
            out.append("Calling API error ").append(code).append(":\n\n").append(render(catalog, api.get()));
            found = true;
        }
        if (code >= 300 && code <= 699) {
            List<MetaCause> documented = documentedForStatus(catalog, code);
            if (hasReason) {
                MetaCause match = catalog.matchSip(code, reasonText, List.of());
                if (!catalog.isFallback(match)) {
                    separate(out).append("SIP ").append(code).append(' ').append(ReasonHeaders.quoted(reasonText.strip()))
                            .append(" is:\n\n").append(render(catalog, match));
                    found = true;
                } else if (api.isEmpty() || !documented.isEmpty()) {
                    separate(out).append("SIP ").append(code).append(' ').append(ReasonHeaders.quoted(reasonText.strip()))
                            .append(" does not match any reason Meta documents.\n\n").append(render(catalog, match));
                    appendVariantList(out, code, documented);
                    // The status itself is documented; only this wording is new.
                    found |= !documented.isEmpty();
                }
            } else if (documented.size() > 1) {
                separate(out).append("SIP ").append(code).append(" has ").append(documented.size())
                        .append(" documented meanings at Meta. The reason phrase or the Warning text tells them apart;")
                        .append(" pass it to pick one: bridge explain ").append(code).append(" \"<reason text>\"\n");
                for (MetaCause cause : documented) {
                    out.append('\n').append(render(catalog, cause));
                }
                MetaCause other = catalog.matchSip(code, "", List.of());
                if (catalog.isFallback(other)) {
                    out.append("\nAny other ").append(code).append(" text: ").append(other.id()).append(" - ")
                            .append(other.title()).append('\n');
                }
                found = true;
            } else if (documented.size() == 1) {
                separate(out).append("SIP ").append(code).append(":\n\n").append(render(catalog, documented.get(0)));
                found = true;
            } else if (api.isEmpty()) {
                separate(out).append("SIP ").append(code).append(" is not in Meta's documented error list. General advice:\n\n")
                        .append(render(catalog, catalog.matchSip(code, "", List.of())));
            }
        } else if (api.isEmpty() && code >= 100 && code <= 299) {
            out.append("SIP ").append(code).append(" is not a failure (1xx provisional, 2xx success); nothing to explain.\n");
        }
        if (out.length() == 0) {
            out.append("Unknown code ").append(code).append(": it is neither a SIP failure status (300-699) nor a ")
                    .append("Calling API error code in Meta's troubleshooting guide.\n");
        }
        return new Explanation(found, out.toString());
    }

    private static List<MetaCause> documentedForStatus(CauseCatalog catalog, int status) {
        List<MetaCause> result = new ArrayList<>();
        for (MetaCause cause : catalog.bySipCode(status)) {
            if (!catalog.isFallback(cause)) {
                result.add(cause);
            }
        }
        return result;
    }

    private static void appendVariantList(StringBuilder out, int code, List<MetaCause> documented) {
        if (documented.isEmpty()) {
            return;
        }
        out.append("\nDocumented SIP ").append(code).append(" reasons:\n");
        for (MetaCause cause : documented) {
            out.append("  ").append(cause.id()).append(" - ").append(cause.title()).append('\n');
        }
    }

    private static StringBuilder separate(StringBuilder out) {
        if (out.length() > 0) {
            out.append('\n');
        }
        return out;
    }

    static String render(CauseCatalog catalog, MetaCause cause) {
        StringBuilder out = new StringBuilder();
        out.append(cause.id()).append(" - ").append(cause.title()).append('\n');
        List<String> codes = new ArrayList<>();
        if (cause.sipCode() != null) {
            codes.add("SIP " + cause.sipCode());
        }
        if (cause.apiCode() != null) {
            codes.add("Calling API " + cause.apiCode());
        }
        if (codes.isEmpty()) {
            codes.add(switch (cause.kind()) {
                case "local" -> "raised by the bridge itself";
                case "media" -> catalog.matchesTextOnAnyStatus(cause)
                        ? "any SIP failure status whose reason phrase or Warning text says so"
                        : "none; the WhatsApp client hangs up (BYE)";
                default -> "a SIP status Meta does not document";
            });
        }
        out.append("  Code:       ").append(String.join(", ", codes)).append('\n');
        out.append("  Meaning:    ").append(cause.description()).append('\n');
        out.append("  Fix:\n");
        for (String solution : cause.solutions()) {
            out.append("    - ").append(solution).append('\n');
        }
        out.append("  Retry:      ").append(cause.retryable()
                ? "yes, the same call may succeed later"
                : "no, it fails again until the cause is fixed").append('\n');
        PbxAnswer pbx = cause.pbxAnswer();
        out.append("  PBX answer: ").append(pbx.sipCode()).append(' ').append(pbx.phrase())
                .append(", Reason: Q.850;cause=").append(pbx.q850Cause()).append(" (").append(pbx.q850Text()).append(')');
        if (pbx.retryAfterSeconds() != null) {
            out.append(", Retry-After: ").append(pbx.retryAfterSeconds());
        }
        return out.append('\n').toString();
    }
}
