package dev.descent.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class BackendOptionsTest {
    /** A thread count in the tens of thousands would run the process out of native threads: refused up front. */
    @Test
    void threadCountsAreBounded() {
        assertEquals(BackendOptions.MAX_THREADS, new BackendOptions(BackendOptions.MAX_THREADS, 0).threads());
        assertEquals(0, BackendOptions.threads(0).threads());
        for (int bad : new int[] {-1, BackendOptions.MAX_THREADS + 1, 100_000, Integer.MAX_VALUE}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new BackendOptions(bad, 0));
            assertTrue(e.getMessage().startsWith("threads must be between 0 and " + BackendOptions.MAX_THREADS)
                    && e.getMessage().endsWith("got " + bad), e.getMessage());
        }
    }
}
