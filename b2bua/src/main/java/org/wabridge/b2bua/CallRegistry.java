package org.wabridge.b2bua;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Live calls, and how many each business number has, for the per-number concurrency limit. A slot is reserved
 * before a call object exists, so a refused INVITE never becomes a call.
 */
final class CallRegistry {

    private final Map<String, BridgedCall> calls = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> perNumber = new ConcurrentHashMap<>();

    /** Takes a slot for {@code number}; false when it already has {@code limit} calls. */
    boolean tryReserve(String number, int limit) {
        AtomicInteger count = perNumber.computeIfAbsent(number, n -> new AtomicInteger());
        if (count.incrementAndGet() > limit) {
            count.decrementAndGet();
            return false;
        }
        return true;
    }

    /** Gives back a reserved slot whose call could not be created. */
    void release(String number) {
        perNumber.get(number).decrementAndGet();
    }

    /** Registers the call of a reserved slot. */
    void add(String callId, BridgedCall call) {
        calls.put(callId, call);
    }

    /** Ends a call's registration and frees its slot (once, however often it is called). */
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
