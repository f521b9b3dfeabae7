package org.wabridge.b2bua;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Live calls by Call-ID, and how many each business number has, for the per-number concurrency limit. A slot
 * is reserved before a call object exists, so a refused INVITE never becomes a call; a call gives its slot back
 * when it ends, exactly once.
 */
final class CallRegistry {

    /** What the registry needs of a call. */
    interface Entry {
        String callId();

        String businessNumber();
    }

    private final Map<String, Entry> calls = new ConcurrentHashMap<>();
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

    /** Gives back a reserved slot whose call could not be created or registered. */
    void release(String number) {
        perNumber.get(number).decrementAndGet();
    }

    /**
     * Registers the call of a reserved slot; false (and nothing changed) when another call already has its
     * Call-ID: the second INVITE must not replace the first.
     */
    boolean add(Entry call) {
        return calls.putIfAbsent(call.callId(), call) == null;
    }

    /** Ends a call's registration and frees its slot (once, however often it is called). */
    void remove(Entry call) {
        if (calls.remove(call.callId(), call)) {
            perNumber.get(call.businessNumber()).decrementAndGet();
        }
    }

    int size() {
        return calls.size();
    }

    /** Slots held by {@code number}'s calls (for leak checks). */
    int reserved(String number) {
        AtomicInteger count = perNumber.get(number);
        return count == null ? 0 : count.get();
    }

    /** The live calls of type {@code type} (a snapshot). */
    <T extends Entry> java.util.List<T> all(Class<T> type) {
        return calls.values().stream().filter(type::isInstance).map(type::cast).toList();
    }
}
