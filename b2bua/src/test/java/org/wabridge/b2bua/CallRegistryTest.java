package org.wabridge.b2bua;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Slots and registrations: a refused or duplicate call never holds a slot, an ended call frees its own once. */
class CallRegistryTest {

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
}
