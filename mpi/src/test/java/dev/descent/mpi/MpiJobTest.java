package dev.descent.mpi;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Real Open MPI jobs on this machine: {@code mpirun -np 2} and {@code -np 3} over {@link MpiJobMain}. Skipped with a
 * reason where mpirun is missing, except under CI=true.
 */
@Timeout(120)
class MpiJobTest {
    private static final String MAIN = MpiJobMain.class.getName();

    @ParameterizedTest(name = "{0} ranks")
    @ValueSource(ints = {2, 3})
    void collectivesGiveTheSumsAndCopiesComputedHere(int size) {
        MpiJobs.Result job = MpiJobs.run(size, MAIN, "collectives");
        assertEquals(0, job.exitCode(), job.output());
        float tri = size * (size + 1) / 2f;
        for (int r = 0; r < size; r++) {
            Map<String, String> v = job.values(r);
            String ctx = "rank " + r + " of " + size + ":\n" + job.output();
            assertEquals(Integer.toString(r), v.get("rank"), ctx);
            assertEquals(Integer.toString(size), v.get("size"), ctx);
            assertEquals("MpiCommunicator", v.get("class"), ctx);
            assertTrue(v.get("description").matches("Open MPI v\\d+\\.\\d+\\.\\d+.*, rank " + r + " of " + size),
                    v.get("description"));
            assertTrue(v.get("thread-level").equals("MPI_THREAD_SERIALIZED")
                    || v.get("thread-level").equals("MPI_THREAD_MULTIPLE"), ctx);
            assertEquals("20000", v.get("npe-caught"), "the JVM's SIGSEGV handler survived MPI_Init");

            for (int root = 0; root < size; root++) {
                int n = 1003;
                assertEquals("n=" + n + " mismatches=0 last=" + MpiJobMain.broadcastValue(root, n - 1),
                        v.get("bcast.root" + root), ctx);
            }
            String edge = r == size - 1 ? Byte.toString((byte) 11) + "," + (byte) (129 * 37 + 11) : "-1,-1";
            assertEquals("mismatches=0 edges=" + edge, v.get("bcast.bytes"), ctx);
            for (int n : MpiJobMain.LENGTHS) {
                String last = n == 0 ? "none" : Float.toString(tri * (((n - 1) % 2001) - 1000) * 0.25f);
                assertEquals("mismatches=0 last=" + last, v.get("allreduce.float." + n), ctx);

                String d = v.get("allreduce.double." + n);
                double maxErr = Double.parseDouble(d.replaceAll(".*maxerr=(\\S+).*", "$1"));
                assertTrue(maxErr <= 1e-15 * size, "double sums off by " + maxErr + ": " + d);
                assertTrue(d.contains("untouched-bad=0"), d);
                if (n > 0) {
                    double expected = 0;
                    for (int k = 0; k < size; k++) {
                        expected += MpiJobMain.doubleValue(k, n - 1);
                    }
                    double got = Double.parseDouble(d.replaceAll(".*last=(\\S+).*", "$1"));
                    assertEquals(expected, got, 1e-15 * size, d);
                }
            }
            assertEquals("0", v.get("alloc-bytes-per-allreduce"), "steady-state allreduce allocates");
            assertEquals("true", v.get("barrier.left-after-last-entered"), ctx);
            assertEquals("root " + size + " out of range for " + size + " processes", v.get("bcast-bad-root"));
            assertEquals("IndexOutOfBoundsException", v.get("allreduce-bad-range"));
            assertEquals("MPI_Bcast failed on rank " + r + " of " + size + ": MPI_ERR_ROOT: invalid root (MPI error "
                    + mpiErrRoot() + ")", v.get("mpi-error"));
            assertEquals(Float.toString(size * (size - 1) / 2f), v.get("after-error.sum-of-ranks"));
            assertEquals("true", v.get("finalized"));
            assertEquals("IllegalStateException", v.get("after-close"));
        }
    }

    @Test
    void anExceptionOnOneRankAbortsTheJobWithOneLine() {
        MpiJobs.Result job = MpiJobs.run(3, MAIN, "throw");
        assertEquals(MpiRun.FAILURE_CODE, job.exitCode(), job.output());
        assertTrue(job.output().contains(
                "descent: rank 2 of 3 failed: IllegalStateException: injected failure on rank 2; aborting all 3 ranks"),
                job.output());
        // Open MPI's banner; under heavy load mpirun may lose it while killing the ranks, and logs instead
        // "ORTE_ERROR_LOG: Data unpack had inadequate space in file .../show_help.c".
        assertTrue(job.output().contains("MPI_ABORT was invoked on rank 2") || job.output().contains("show_help.c"),
                job.output());
        assertNoRankSurvived(job, 3);
    }

    @Test
    void anExceptionInAnotherThreadAbortsTheJob() {
        MpiJobs.Result job = MpiJobs.run(2, MAIN, "thread");
        assertEquals(MpiRun.FAILURE_CODE, job.exitCode(), job.output());
        assertTrue(job.output().contains(
                "descent: rank 1 of 2 failed (thread loader): IllegalStateException: loader failed on rank 1; "
                        + "aborting all 2 ranks"), job.output());
        assertNoRankSurvived(job, 2);
    }

    @Test
    void aRankThatExitsNonZeroEndsTheJob() {
        MpiJobs.Result job = MpiJobs.run(2, MAIN, "halt");
        assertEquals(3, job.exitCode(), job.output());
        assertTrue(job.output().contains("exited with non-zero status"), job.output());
        assertNoRankSurvived(job, 2);
    }

    @Test
    void aRankKilledBySignalEndsTheJob() {
        MpiJobs.Result job = MpiJobs.run(2, MAIN, "sigkill");
        assertNotEquals(0, job.exitCode(), job.output());
        assertTrue(job.output().contains("exited on signal 9"), job.output());
        assertNoRankSurvived(job, 2);
    }

    @Test
    void aRankThatExitsWithoutFinalizeEndsTheJob() {
        MpiJobs.Result job = MpiJobs.run(2, MAIN, "exit0");
        assertNotEquals(0, job.exitCode(), job.output());
        assertTrue(job.output().contains("exiting improperly"), job.output());
        assertNoRankSurvived(job, 2);
    }

    /** The failing rank got through the first collective, and nobody got past the second one. */
    private static void assertNoRankSurvived(MpiJobs.Result job, int size) {
        assertEquals((float) size + "", job.value(size - 1, "first-allreduce"), job.output());
        assertFalse(job.output().contains("survived="), "a rank went past the failure:\n" + job.output());
    }

    /** MPI_ERR_ROOT from mpi.h, without loading libmpi in the test JVM. */
    private static int mpiErrRoot() {
        return 8;
    }
}
