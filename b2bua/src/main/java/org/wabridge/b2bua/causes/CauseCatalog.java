package org.wabridge.b2bua.causes;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Every documented reason why a WhatsApp call fails (Meta's SIP errors, Calling API error codes,
 * media timeouts, the bridge's own failures), loaded from {@code meta-causes.yaml}, and the
 * lookup from a SIP failure (status, reason phrase, Warning texts) to one of them.
 *
 * <p>Immutable and thread-safe.
 */
public final class CauseCatalog {
    static final String RESOURCE = "meta-causes.yaml";

    private static final Set<String> KINDS = Set.of("sip", "api", "media", "local");
    private static final Set<String> ENTRY_KEYS = Set.of("id", "kind", "sip", "api", "title", "description",
            "solutions", "match", "statusDefault", "fallbackClass", "retry", "pbx");
    private static final Set<String> PBX_KEYS = Set.of("sip", "phrase", "q850", "q850Text", "retryAfter");
    private static final Pattern ID_SYNTAX = Pattern.compile("[a-z0-9]+(\\.[a-z0-9-]+)+");
    private static final Pattern WHITESPACE = Pattern.compile("\\s+");

    private final List<MetaCause> causes;
    private final Map<String, MetaCause> byId;
    private final Map<Integer, MetaCause> byApi;
    private final List<MatchRule> rules;

    private CauseCatalog(List<MetaCause> causes, List<MatchRule> rules) {
        this.causes = List.copyOf(causes);
        this.rules = List.copyOf(rules);
        Map<String, MetaCause> ids = new LinkedHashMap<>();
        Map<Integer, MetaCause> apis = new HashMap<>();
        for (MetaCause cause : this.causes) {
            ids.put(cause.id(), cause);
            if (cause.apiCode() != null) {
                apis.put(cause.apiCode(), cause);
            }
        }
        this.byId = Collections.unmodifiableMap(ids);
        this.byApi = Map.copyOf(apis);
    }

    private static final class BuiltIn {
        static final CauseCatalog INSTANCE = load();

        private static CauseCatalog load() {
            try (InputStream in = CauseCatalog.class.getResourceAsStream(RESOURCE)) {
                if (in == null) {
                    throw new IllegalStateException("The built-in cause catalog " + RESOURCE
                            + " is missing from the bridge's jar; the build is broken, rebuild or reinstall the bridge");
                }
                return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), RESOURCE);
            } catch (IOException e) {
                throw new IllegalStateException("Cannot read the built-in cause catalog " + RESOURCE + ": " + e.getMessage(), e);
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException("The built-in cause catalog is broken: " + e.getMessage()
                        + " (fix " + RESOURCE + " in b2bua/src/main/resources and rebuild)", e);
            }
        }
    }

    /** The catalog shipped with the bridge, loaded once. A broken resource fails with IllegalStateException. */
    public static CauseCatalog builtIn() {
        return BuiltIn.INSTANCE;
    }

    /**
     * Parses a catalog file. Package-private so tests can check the validation.
     *
     * @throws IllegalArgumentException naming the entry and field that is wrong
     */
    static CauseCatalog parse(String yamlText, String sourceName) {
        Object root;
        try {
            root = new Yaml(new SafeConstructor(new LoaderOptions())).load(yamlText);
        } catch (YAMLException e) {
            throw new IllegalArgumentException(sourceName + " is not valid YAML: " + e.getMessage(), e);
        }
        YamlFields.of(root, sourceName).onlyKeys(Set.of("causes"));
        if (!(((Map<?, ?>) root).get("causes") instanceof List<?> entries)) {
            throw new IllegalArgumentException(sourceName + ": expected a list under 'causes'");
        }
        List<MetaCause> causes = new ArrayList<>();
        List<MatchRule> rules = new ArrayList<>();
        Set<String> seenIds = new HashSet<>();
        Map<Integer, String> seenApi = new HashMap<>();
        Map<Integer, String> statusDefaults = new HashMap<>();
        Map<Integer, String> fallbacks = new HashMap<>();
        for (int i = 0; i < entries.size(); i++) {
            String id = YamlFields.of(entries.get(i), sourceName + " entry #" + (i + 1)).requiredString("id");
            YamlFields e = YamlFields.of(entries.get(i), sourceName + " entry '" + id + "'");
            e.onlyKeys(ENTRY_KEYS);
            if (!ID_SYNTAX.matcher(id).matches()) {
                throw new IllegalArgumentException(e.where() + ": id must be dotted lower-case words, e.g. meta.403.no-permission");
            }
            if (!seenIds.add(id)) {
                throw new IllegalArgumentException(e.where() + ": the id is used twice");
            }
            String kind = e.requiredString("kind");
            if (!KINDS.contains(kind)) {
                throw new IllegalArgumentException(e.where() + ": kind '" + kind + "' is not one of " + KINDS);
            }
            Integer sip = e.optionalInt("sip");
            if (sip != null && (sip < 300 || sip > 699)) {
                throw new IllegalArgumentException(e.where() + ": sip " + sip + " is not a failure status (300..699)");
            }
            Integer api = e.optionalInt("api");
            if (api != null) {
                String other = seenApi.putIfAbsent(api, id);
                if (other != null) {
                    throw new IllegalArgumentException(e.where() + ": api code " + api + " is already used by " + other);
                }
            }
            Integer fallbackClass = e.optionalInt("fallbackClass");
            boolean statusDefault = e.optionalBoolean("statusDefault", false);
            List<Pattern> patterns = compile(e, e.stringList("match"));
            checkShape(e, kind, sip, api, fallbackClass, statusDefault, patterns);
            if (statusDefault) {
                String other = statusDefaults.putIfAbsent(sip, id);
                if (other != null) {
                    throw new IllegalArgumentException(e.where() + ": SIP " + sip + " already has a statusDefault entry, " + other);
                }
            }
            if (fallbackClass != null) {
                String other = fallbacks.putIfAbsent(fallbackClass, id);
                if (other != null) {
                    throw new IllegalArgumentException(e.where() + ": fallbackClass " + fallbackClass + " is already covered by " + other);
                }
            }
            List<String> solutions = e.stringList("solutions");
            if (solutions.isEmpty()) {
                throw new IllegalArgumentException(e.where() + ": 'solutions' must list at least one fix");
            }
            causes.add(new MetaCause(id, kind, sip, api, e.requiredString("title"), e.requiredString("description"),
                    solutions, e.requiredBoolean("retry"), pbxAnswerFrom(e.child("pbx"))));
            if (!patterns.isEmpty() || statusDefault || fallbackClass != null) {
                rules.add(new MatchRule(id, sip, patterns, statusDefault, fallbackClass));
            }
        }
        for (int statusClass = 3; statusClass <= 6; statusClass++) {
            if (!fallbacks.containsKey(statusClass)) {
                throw new IllegalArgumentException(sourceName + ": no entry has fallbackClass " + statusClass
                        + "; every status class 3xx..6xx needs a fallback so matching never returns nothing");
            }
        }
        return new CauseCatalog(causes, rules);
    }

    private static void checkShape(YamlFields e, String kind, Integer sip, Integer api, Integer fallbackClass,
                                   boolean statusDefault, List<Pattern> patterns) {
        if (kind.equals("sip") && sip == null && fallbackClass == null) {
            throw new IllegalArgumentException(e.where() + ": a sip entry needs 'sip' (its status) or 'fallbackClass'");
        }
        if (kind.equals("api") && api == null) {
            throw new IllegalArgumentException(e.where() + ": an api entry needs 'api' (the Calling API error code)");
        }
        if (kind.equals("local") && (sip != null || api != null || !patterns.isEmpty())) {
            throw new IllegalArgumentException(e.where() + ": local causes are looked up by id; remove 'sip', 'api' and 'match'");
        }
        if (fallbackClass != null && (fallbackClass < 3 || fallbackClass > 6 || sip != null || !patterns.isEmpty())) {
            throw new IllegalArgumentException(e.where() + ": fallbackClass must be 3..6 on an entry without 'sip' and 'match'");
        }
        if (statusDefault && sip == null) {
            throw new IllegalArgumentException(e.where() + ": statusDefault needs 'sip'");
        }
    }

    private static List<Pattern> compile(YamlFields e, List<String> regexes) {
        List<Pattern> patterns = new ArrayList<>();
        for (String regex : regexes) {
            try {
                patterns.add(Pattern.compile(regex, Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE));
            } catch (PatternSyntaxException ex) {
                throw new IllegalArgumentException(e.where() + ": match pattern '" + regex + "' is not a valid regex: "
                        + ex.getDescription(), ex);
            }
        }
        return patterns;
    }

    private static PbxAnswer pbxAnswerFrom(YamlFields pbx) {
        pbx.onlyKeys(PBX_KEYS);
        try {
            return new PbxAnswer(pbx.requiredInt("sip"), pbx.requiredString("phrase"), pbx.requiredInt("q850"),
                    pbx.requiredString("q850Text"), pbx.optionalInt("retryAfter"));
        } catch (IllegalArgumentException ex) {
            if (ex.getMessage().startsWith(pbx.where())) {
                throw ex;
            }
            throw new IllegalArgumentException(pbx.where() + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * Reads PBX answer overrides from the bridge configuration, shaped
     * {@code {<cause id>: {sip: 503, phrase: ..., q850: 34, q850Text: ..., retryAfter: 3600}}}.
     * All keys but {@code retryAfter} are required. Ids are checked by {@link #withOverrides}.
     *
     * @throws IllegalArgumentException naming the id and field that is wrong
     */
    public static Map<String, PbxAnswer> parseOverrides(Map<String, Object> yaml) {
        Map<String, PbxAnswer> result = new LinkedHashMap<>();
        if (yaml == null) {
            return result;
        }
        for (Map.Entry<String, Object> entry : yaml.entrySet()) {
            String where = "cause override '" + entry.getKey() + "'";
            result.put(entry.getKey(), pbxAnswerFrom(YamlFields.of(entry.getValue(), where)));
        }
        return Collections.unmodifiableMap(result);
    }

    /**
     * A copy of this catalog whose PBX answers are replaced for the given ids.
     *
     * @throws IllegalArgumentException when an id is not in the catalog
     */
    public CauseCatalog withOverrides(Map<String, PbxAnswer> answersById) {
        for (String id : answersById.keySet()) {
            if (!byId.containsKey(id)) {
                throw new IllegalArgumentException("Cause override for unknown id '" + id
                        + "'; run 'bridge explain' with a code to see ids, or see docs/CAUSES.md for the full list");
            }
        }
        List<MetaCause> changed = new ArrayList<>(causes.size());
        for (MetaCause cause : causes) {
            PbxAnswer answer = answersById.get(cause.id());
            changed.add(answer == null ? cause : cause.withPbxAnswer(answer));
        }
        return new CauseCatalog(changed, rules);
    }

    /**
     * The cause of a SIP failure response from Meta. Order: entries of this status whose pattern
     * matches; then Calling API or media entries whose pattern matches; then the status's default;
     * then the fallback of the status class. Never null.
     *
     * @param status       the final response status, 300..699
     * @param reasonPhrase the reason phrase of the status line; may be null
     * @param warnings     values of the Warning headers, e.g. {@code 399 wa.meta.vc "..."}; may be null
     * @throws IllegalArgumentException when status is not a failure status
     */
    public MetaCause matchSip(int status, String reasonPhrase, List<String> warnings) {
        if (status < 300 || status > 699) {
            throw new IllegalArgumentException("SIP " + status + " is not a failure status (300..699)");
        }
        String text = normalize(reasonPhrase, warnings);
        for (MatchRule rule : rules) {
            if (rule.sipStatus() != null && rule.sipStatus() == status && rule.matchesText(text)) {
                return byId.get(rule.causeId());
            }
        }
        for (MatchRule rule : rules) {
            if (rule.sipStatus() == null && rule.matchesText(text)) {
                return byId.get(rule.causeId());
            }
        }
        for (MatchRule rule : rules) {
            if (rule.statusDefault() && rule.sipStatus() == status) {
                return byId.get(rule.causeId());
            }
        }
        for (MatchRule rule : rules) {
            if (rule.fallbackClass() != null && rule.fallbackClass() == status / 100) {
                return byId.get(rule.causeId());
            }
        }
        throw new IllegalStateException("no fallback for SIP " + status + "; parse() guarantees one per class");
    }

    /** True when the cause is a catch-all for text or statuses Meta does not document. */
    public boolean isFallback(MetaCause cause) {
        for (MatchRule rule : rules) {
            if (rule.causeId().equals(cause.id())) {
                return rule.fallbackClass() != null || (rule.statusDefault() && rule.patterns().isEmpty());
            }
        }
        return false;
    }

    /** True when the cause is found by its text whatever Meta's status (Calling API and media entries with patterns). */
    public boolean matchesTextOnAnyStatus(MetaCause cause) {
        for (MatchRule rule : rules) {
            if (rule.causeId().equals(cause.id())) {
                return rule.sipStatus() == null && rule.fallbackClass() == null && !rule.patterns().isEmpty();
            }
        }
        return false;
    }

    public Optional<MetaCause> byApiCode(int apiCode) {
        return Optional.ofNullable(byApi.get(apiCode));
    }

    public Optional<MetaCause> byId(String id) {
        return Optional.ofNullable(byId.get(id));
    }

    /** Entries whose Meta SIP status is {@code status}, in catalog order. */
    public List<MetaCause> bySipCode(int status) {
        List<MetaCause> result = new ArrayList<>();
        for (MetaCause cause : causes) {
            if (cause.sipCode() != null && cause.sipCode() == status) {
                result.add(cause);
            }
        }
        return result;
    }

    /** All entries, in catalog order. */
    public List<MetaCause> all() {
        return causes;
    }

    private static String normalize(String reasonPhrase, List<String> warnings) {
        StringBuilder text = new StringBuilder(reasonPhrase == null ? "" : reasonPhrase);
        if (warnings != null) {
            for (String warning : warnings) {
                if (warning != null) {
                    text.append(" | ").append(warning);
                }
            }
        }
        return WHITESPACE.matcher(text).replaceAll(" ");
    }
}
