package org.wabridge.sandbox;

import java.util.List;

/**
 * The sandbox edge's decision on one INVITE: a final answer (status, phrase, headers) or "proceed", meaning the
 * call goes to the called user's {@link UserBehaviour}. {@code why} says in one line what rule decided it.
 */
public record EdgeAnswer(int status, String reason, List<Header> headers, UserBehaviour behaviour, String why) {

    /** One header to add to the response. */
    public record Header(String name, String value) {}

    public EdgeAnswer {
        headers = List.copyOf(headers);
    }

    static EdgeAnswer reject(int status, String reason, String why, Header... headers) {
        return new EdgeAnswer(status, reason, List.of(headers), null, why);
    }

    static EdgeAnswer proceed(UserBehaviour behaviour, String why) {
        return new EdgeAnswer(0, null, List.of(), behaviour, why);
    }

    /** True when the INVITE passed every edge rule and the user's behaviour decides the rest. */
    public boolean proceeds() {
        return behaviour != null;
    }

    /** The first value of {@code name}, or null. */
    public String header(String name) {
        for (Header h : headers) {
            if (h.name().equalsIgnoreCase(name)) {
                return h.value();
            }
        }
        return null;
    }

    /** Every value of {@code name}, in order. */
    public List<String> headerValues(String name) {
        return headers.stream().filter(h -> h.name().equalsIgnoreCase(name)).map(Header::value).toList();
    }
}
