package org.wabridge.b2bua;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Slots and registrations: a refused or duplicate call never holds a slot, an ended call frees its own once. */
class CallRegistryTest {

    /** Identity, not value, equality: two INVITEs with one Call-ID are two calls. */
    static final class Call implements CallRegistry.Entry {
        private final String callId;
        private final String number;

        Call(String callId, String number) {
            this.callId = callId;
            this.number = number;
        }

        @Override public String callId() { return callId; }
        @Override public String businessNumber() { return number; }
    }

    @Test
    void theLimitHoldsAndAReleasedSlotCanBeTakenAgain() {
        CallRegistry registry = new CallRegistry();
        assertTrue(registry.tryReserve("+15550100001", 2));
        assertTrue(registry.tryReserve("+15550100001", 2));
        assertFalse(registry.tryReserve("+15550100001", 2));
        assertEquals(2, registry.reserved("+15550100001"));
        registry.release("+15550100001");
        assertTrue(registry.tryReserve("+15550100001", 2));
        assertTrue(registry.tryReserve("+15550100002", 2), "limits are per number");
    }

    @Test
    void aSecondCallWithTheSameCallIdDoesNotReplaceTheFirst() {
        CallRegistry registry = new CallRegistry();
        Call first = new Call("abc@pbx", "+15550100001");
        Call second = new Call("abc@pbx", "+15550100001");
        assertTrue(registry.tryReserve("+15550100001", 10));
        assertTrue(registry.add(first));
        assertTrue(registry.tryReserve("+15550100001", 10));
        assertFalse(registry.add(second), "duplicate Call-ID");
        registry.release("+15550100001"); // what B2bua does with the refused one's slot
        registry.remove(second); // not registered: frees nothing
        assertEquals(1, registry.size());
        assertEquals(1, registry.reserved("+15550100001"));
        registry.remove(first);
        registry.remove(first);
        assertEquals(0, registry.size());
        assertEquals(0, registry.reserved("+15550100001"), "freed exactly once");
    }
}
