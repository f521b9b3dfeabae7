package org.wabridge.b2bua.causes;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Typed, strictly checked access to one YAML mapping. Every error names where the value is
 * ({@code where}) and what is expected, so an admin can fix the file without reading code.
 */
final class YamlFields {
    private final Map<?, ?> map;
    private final String where;

    private YamlFields(Map<?, ?> map, String where) {
        this.map = map;
        this.where = where;
    }

    static YamlFields of(Object node, String where) {
        if (!(node instanceof Map<?, ?> m)) {
            throw new IllegalArgumentException(where + ": expected a mapping (key: value lines), got "
                    + describe(node));
        }
        return new YamlFields(m, where);
    }

    String where() {
        return where;
    }

    /** Rejects keys outside {@code allowed}: a typo such as {@code retryafter} must not be ignored silently. */
    void onlyKeys(Set<String> allowed) {
        Set<String> unknown = new TreeSet<>();
        for (Object key : map.keySet()) {
            if (!allowed.contains(String.valueOf(key))) {
                unknown.add(String.valueOf(key));
            }
        }
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException(where + ": unknown key(s) " + unknown + "; allowed keys are "
                    + new TreeSet<>(allowed));
        }
    }

    String requiredString(String key) {
        Object value = map.get(key);
        if (value == null) {
            throw new IllegalArgumentException(where + ": '" + key + "' is missing");
        }
        if (!(value instanceof String s) || s.isBlank()) {
            throw new IllegalArgumentException(where + ": '" + key + "' must be non-empty text, got " + describe(value));
        }
        return s.strip();
    }

    Integer optionalInt(String key) {
        Object value = map.get(key);
        if (value == null) {
            return null;
        }
        if (value instanceof Integer i) {
            return i;
        }
        throw new IllegalArgumentException(where + ": '" + key + "' must be a whole number, got " + describe(value));
    }

    int requiredInt(String key) {
        Integer value = optionalInt(key);
        if (value == null) {
            throw new IllegalArgumentException(where + ": '" + key + "' is missing");
        }
        return value;
    }

    boolean optionalBoolean(String key, boolean defaultValue) {
        Object value = map.get(key);
        if (value == null) {
            return defaultValue;
        }
        if (value instanceof Boolean b) {
            return b;
        }
        throw new IllegalArgumentException(where + ": '" + key + "' must be true or false, got " + describe(value));
    }

    boolean requiredBoolean(String key) {
        if (map.get(key) == null) {
            throw new IllegalArgumentException(where + ": '" + key + "' is missing (true or false)");
        }
        return optionalBoolean(key, false);
    }

    List<String> stringList(String key) {
        Object value = map.get(key);
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof List<?> list)) {
            throw new IllegalArgumentException(where + ": '" + key + "' must be a list of texts, got " + describe(value));
        }
        List<String> result = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            if (!(list.get(i) instanceof String s) || s.isBlank()) {
                throw new IllegalArgumentException(where + ": '" + key + "' item " + (i + 1)
                        + " must be non-empty text, got " + describe(list.get(i)));
            }
            result.add(s.strip());
        }
        return result;
    }

    YamlFields child(String key) {
        Object value = map.get(key);
        if (value == null) {
            throw new IllegalArgumentException(where + ": '" + key + "' is missing");
        }
        return of(value, where + "." + key);
    }

    private static String describe(Object value) {
        if (value == null) {
            return "nothing";
        }
        if (value instanceof Map<?, ?>) {
            return "a mapping";
        }
        if (value instanceof List<?>) {
            return "a list";
        }
        return "'" + value + "'";
    }
}
