package org.wabridge.config;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.List;
import java.util.stream.Collectors;

/** Assertions on problem lists that print the whole list when they fail. */
final class ProblemAssertions {

    private ProblemAssertions() {}

    /** The one problem at {@code path} with this severity whose message contains every fragment. */
    static Problem assertProblem(List<Problem> problems, Problem.Severity severity, String path, String... fragments) {
        for (Problem p : problems) {
            if (p.severity() == severity && p.path().equals(path) && containsAll(p.message(), fragments)) {
                return p;
            }
        }
        return fail("expected " + severity + " at " + path + " mentioning " + List.of(fragments) + ", got:\n" + dump(problems));
    }

    static void assertNoProblemAt(List<Problem> problems, String path) {
        assertTrue(problems.stream().noneMatch(p -> p.path().equals(path)),
                () -> "expected nothing at " + path + ", got:\n" + dump(problems));
    }

    static void assertNoProblems(List<Problem> problems) {
        assertTrue(problems.isEmpty(), () -> "expected no problems, got:\n" + dump(problems));
    }

    static String dump(List<Problem> problems) {
        return problems.stream().map(p -> "  " + p).collect(Collectors.joining("\n"));
    }

    private static boolean containsAll(String text, String... fragments) {
        for (String f : fragments) {
            if (!text.contains(f)) {
                return false;
            }
        }
        return true;
    }
}
