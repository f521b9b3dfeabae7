package org.wabridge.b2bua;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Properties;
import org.junit.jupiter.api.Test;

class StackOverridesTest {

    @Test
    void aJvmOptionOfTheStacksNamespaceReplacesOurDefaultAndNothingElseLeaksIn() {
        Properties stack = new Properties();
        stack.setProperty("gov.nist.javax.sip.THREAD_POOL_SIZE", "16");
        stack.setProperty("gov.nist.javax.sip.MAX_MESSAGE_SIZE", "65536");
        Properties jvm = new Properties();
        jvm.setProperty("gov.nist.javax.sip.THREAD_POOL_SIZE", "4");
        jvm.setProperty("gov.nist.javax.sip.TIMER_CLASS_NAME", "x.Timer");
        jvm.setProperty("javax.sip.STACK_NAME", "not ours to change");
        jvm.setProperty("user.home", "/root");

        Properties result = SipSignalling.withOverrides(stack, jvm);

        assertEquals("4", result.getProperty("gov.nist.javax.sip.THREAD_POOL_SIZE"));
        assertEquals("65536", result.getProperty("gov.nist.javax.sip.MAX_MESSAGE_SIZE"));
        assertEquals("x.Timer", result.getProperty("gov.nist.javax.sip.TIMER_CLASS_NAME"));
        assertFalse(result.containsKey("javax.sip.STACK_NAME"));
        assertFalse(result.containsKey("user.home"));
    }
}
