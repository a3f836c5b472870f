package dev.descent.mpi;

import dev.descent.dist.Communicator;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

class MpiRunTest {
    /** A communicator that only answers rank and size. */
    private record Fake(int rank, int size) implements Communicator {
        @Override public void broadcast(float[] buf, int offset, int length, int root) { }
        @Override public void allreduceSum(float[] buf, int offset, int length) { }
        @Override public void allreduceSum(double[] buf, int offset, int length) { }
        @Override public void barrier() { }
        @Override public void abort(int code) { throw new AssertionError("abort " + code); }
        @Override public String description() { return "fake"; }
        @Override public void close() { }
    }

    @Test
    void theFailureLineNamesRankExceptionAndWhatHappensNext() {
        assertEquals("descent: rank 1 of 4 failed: IllegalStateException: bad data at line 3; aborting all 4 ranks",
                MpiRun.failureLine(new Fake(1, 4), new IllegalStateException("bad data\nat line 3"), null));
        assertEquals("descent: single process failed (thread loader): NullPointerException",
                MpiRun.failureLine(Communicator.single(), new NullPointerException(), new Thread(() -> { }, "loader")));
    }

    @Test
    void guardReturnsTheBodysCodeAndRestoresTheUncaughtHandler() {
        Thread.UncaughtExceptionHandler before = Thread.getDefaultUncaughtExceptionHandler();
        assertEquals(7, MpiRun.guard(new Fake(0, 2), c -> c.size() + 5));
        assertSame(before, Thread.getDefaultUncaughtExceptionHandler());
    }
}
