package org.wabridge.config;

import java.util.List;

/** A configuration could not be loaded; carries every problem found, not just the first. */
public class ConfigException extends Exception {

    private final String sourceName;
    private final List<Problem> problems;

    public ConfigException(String sourceName, List<Problem> problems) {
        super(describe(sourceName, problems));
        this.sourceName = sourceName;
        this.problems = List.copyOf(problems);
    }

    public String sourceName() {
        return sourceName;
    }

    public List<Problem> problems() {
        return problems;
    }

    private static String describe(String sourceName, List<Problem> problems) {
        StringBuilder text = new StringBuilder();
        text.append(problems.size()).append(problems.size() == 1 ? " problem" : " problems")
                .append(" in ").append(sourceName).append(':');
        for (Problem p : problems) {
            text.append(System.lineSeparator()).append("  ").append(p);
        }
        return text.toString();
    }
}
