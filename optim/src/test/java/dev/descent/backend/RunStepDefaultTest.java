package dev.descent.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link Backend#runStep}'s default: the step runs at once, on the calling thread, every time, whatever the key. */
class RunStepDefaultTest {

    /** A backend whose every abstract operation fails: only default methods may be called. */
    private static Backend defaultsOnly() {
        InvocationHandler h = (proxy, method, args) -> {
            if (method.isDefault()) {
                return InvocationHandler.invokeDefault(proxy, method, args);
            }
            throw new UnsupportedOperationException(method.getName());
        };
        return (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class}, h);
    }

    @Test
    void theDefaultRunsTheStepEachTimeOnTheCallingThread() {
        Backend backend = defaultsOnly();
        List<String> log = new ArrayList<>();
        Thread caller = Thread.currentThread();
        for (long key : new long[] {64, 64, 32, 64}) {
            backend.runStep(key, () -> {
                assertSame(caller, Thread.currentThread());
                log.add("step " + key);
            });
            log.add("after " + key);
        }
        assertEquals(List.of("step 64", "after 64", "step 64", "after 64", "step 32", "after 32", "step 64",
                "after 64"), log);
    }

    @Test
    void anExceptionFromTheStepPropagates() {
        Backend backend = defaultsOnly();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> backend.runStep(1, () -> {
                    throw new IllegalStateException("boom");
                }));
        assertEquals("boom", e.getMessage());
    }
}
