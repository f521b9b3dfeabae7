package org.wabridge.config;

import java.util.List;
import java.util.Map;

/**
 * Replaces {@code ${NAME}} and {@code ${NAME:-default}} in a scalar with environment values;
 * {@code $$} stands for one literal dollar. As in POSIX shells, {@code :-} also applies when the
 * variable is set but empty. The default is taken literally (no nested references). A lone
 * {@code $} not followed by '{' or '$' is kept as is.
 */
final class EnvInterpolation {

    private EnvInterpolation() {}

    /**
     * @return the interpolated text, or null when a problem was added to {@code problems}
     */
    static String apply(String text, Map<String, String> env, String path, String where, List<Problem> problems) {
        if (text.indexOf('$') < 0) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length());
        boolean ok = true;
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c != '$' || i + 1 >= text.length()) {
                out.append(c);
                i++;
                continue;
            }
            char next = text.charAt(i + 1);
            if (next == '$') {
                out.append('$');
                i += 2;
                continue;
            }
            if (next != '{') {
                out.append(c);
                i++;
                continue;
            }
            int close = text.indexOf('}', i + 2);
            if (close < 0) {
                problems.add(Problem.error(path, "'${' without a closing '}'" + where,
                        "write ${NAME} or ${NAME:-default}, or $$ for a literal dollar sign"));
                return null;
            }
            String inner = text.substring(i + 2, close);
            int dash = inner.indexOf(":-");
            String name = dash < 0 ? inner : inner.substring(0, dash);
            if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                problems.add(Problem.error(path, "'${" + inner + "}' does not name an environment variable" + where,
                        "variable names are letters, digits and '_' (e.g. ${PBX_TARGET}); write $$ for a literal dollar sign"));
                ok = false;
            } else {
                String value = env.get(name);
                if (value == null || value.isEmpty()) {
                    if (dash >= 0) {
                        value = inner.substring(dash + 2);
                    } else {
                        problems.add(Problem.error(path, "environment variable " + name
                                + (value == null ? " is not set" : " is set but empty") + where,
                                "set " + name + " in the bridge's environment, or give a default: ${" + name + ":-value}"));
                        ok = false;
                        value = "";
                    }
                }
                out.append(value);
            }
            i = close + 1;
        }
        return ok ? out.toString() : null;
    }
}
