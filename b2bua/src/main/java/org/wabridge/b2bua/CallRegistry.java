package org.wabridge.b2bua;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** Live calls, and how many each business number has, for the per-number concurrency limit. */
final class CallRegistry {

    private final Map<String, BridgedCall> calls = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> perNumber = new ConcurrentHashMap<>();

    /** Takes a slot for {@code number}; false when it already has {@code limit} calls. */
    boolean tryAdd(String callId, String number, int limit, BridgedCall call) {
        AtomicInteger count = perNumber.computeIfAbsent(number, n -> new AtomicInteger());
        if (count.incrementAndGet() > limit) {
            count.decrementAndGet();
            return false;
        }
        calls.put(callId, call);
        return true;
    }

    void remove(String callId, String number) {
        if (calls.remove(callId) != null) {
            perNumber.get(number).decrementAndGet();
        }
    }

    int size() {
        return calls.size();
    }

    Iterable<BridgedCall> all() {
        return calls.values();
    }
}
