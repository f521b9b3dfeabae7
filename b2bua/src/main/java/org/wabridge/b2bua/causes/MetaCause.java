package org.wabridge.b2bua.causes;

import java.util.List;
import java.util.Objects;

/**
 * One documented reason why a WhatsApp call fails, with Meta's description, the documented fix
 * and what the bridge answers the PBX.
 *
 * @param id          stable name, e.g. {@code meta.403.no-permission} or {@code local.edge-timeout}
 * @param kind        {@code sip}, {@code api}, {@code media} or {@code local}
 * @param sipCode     Meta's SIP status for this cause, or null
 * @param apiCode     Meta's Calling API error code, or null
 * @param title       short name, Meta's wording where Meta gives one
 * @param description what it means (Meta's text where Meta gives one)
 * @param solutions   what to do, Meta's documented solutions first, then bridge hints
 * @param retryable   true when the same call may succeed later without anyone changing anything
 * @param pbxAnswer   what the bridge answers the PBX
 */
public record MetaCause(
        String id,
        String kind,
        Integer sipCode,
        Integer apiCode,
        String title,
        String description,
        List<String> solutions,
        boolean retryable,
        PbxAnswer pbxAnswer) {

    public MetaCause {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(title, "title");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(pbxAnswer, "pbxAnswer");
        solutions = List.copyOf(solutions);
    }

    /** The same cause with another answer toward the PBX. */
    public MetaCause withPbxAnswer(PbxAnswer answer) {
        return new MetaCause(id, kind, sipCode, apiCode, title, description, solutions, retryable, answer);
    }

    /** The first documented solution, or a pointer to the catalog when there is none. */
    public String firstSolution() {
        return solutions.isEmpty() ? "see 'bridge explain " + id + "'" : solutions.get(0);
    }
}
