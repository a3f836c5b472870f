package dev.descent.mpi;

import dev.descent.dist.Communicator;
import dev.descent.dist.CommunicatorException;
import dev.descent.dist.Communicators;
import dev.descent.mpi.gen.mpi_h;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.util.Arrays;

/**
 * Runs on every rank of a job started by {@link MpiJobTest} through mpirun. Each rank prints lines
 * {@code R<rank> <key>=<value>} that the test parses and checks against its own formulas.
 *
 * <p>Scenarios (first argument): {@code collectives} runs every collective; {@code throw}, {@code thread},
 * {@code halt}, {@code exit0}, {@code sigkill} make the last rank fail in different ways while the others wait in a
 * collective.
 */
public final class MpiJobMain {
    /** Lengths of the allreduce checks: empty, tiny, odd, and 1M floats. */
    static final int[] LENGTHS = {0, 1, 7, 1000, 65_537, 1_000_000};
    /** Elements before and after the range the collective works on; they must stay untouched. */
    static final int PAD = 5;
    static final float SENTINEL = -7.25f;

    private MpiJobMain() {
    }

    /** The value rank {@code r} contributes at index {@code i}: multiples of 1/4, so every sum is exact. */
    static float floatValue(int r, int i) {
        return (r + 1) * ((i % 2001) - 1000) * 0.25f;
    }

    /** The double every rank contributes is not exactly representable: the test compares with a tolerance. */
    static double doubleValue(int r, int i) {
        return Math.sin(i * 0.001 + r) / 3.0;
    }

    /** Root {@code root}'s broadcast data. */
    static float broadcastValue(int root, int i) {
        return root * 1000.0f + i * 0.5f;
    }

    public static void main(String[] args) throws Exception {
        String scenario = args.length == 0 ? "collectives" : args[0];
        Communicator comm = Communicators.detect();
        switch (scenario) {
            case "collectives" -> collectives(comm);
            case "throw" -> MpiRun.guard(comm, c -> {
                failing(c, () -> {
                    throw new IllegalStateException("injected failure on rank " + c.rank());
                });
                return 0;
            });
            case "thread" -> MpiRun.guard(comm, c -> {
                failing(c, () -> {
                    // A helper thread (think: a data loader) dies; the main thread would wait for it forever.
                    Thread helper = new Thread(() -> {
                        throw new IllegalStateException("loader failed on rank " + c.rank());
                    }, "loader");
                    helper.start();
                    try {
                        new java.util.concurrent.CountDownLatch(1).await();
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                });
                return 0;
            });
            case "halt" -> failing(comm, () -> Runtime.getRuntime().halt(3));
            case "exit0" -> failing(comm, () -> System.exit(0));
            case "sigkill" -> failing(comm, () -> {
                try {
                    new ProcessBuilder("kill", "-9", Long.toString(ProcessHandle.current().pid())).start().waitFor();
                    Thread.sleep(10_000);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            default -> throw new IllegalArgumentException("unknown scenario " + scenario);
        }
        comm.close();
    }

    /** One allreduce on all ranks, then the last rank fails while the others wait in a second allreduce. */
    private static void failing(Communicator comm, Runnable failure) {
        float[] x = {1};
        comm.allreduceSum(x, 0, 1);
        out(comm, "first-allreduce", x[0]);
        if (comm.rank() == comm.size() - 1) {
            failure.run();
        }
        float[] y = new float[1000];
        comm.allreduceSum(y, 0, y.length);
        out(comm, "survived", "true");
    }

    private static void collectives(Communicator comm) {
        int rank = comm.rank();
        int size = comm.size();
        out(comm, "rank", rank);
        out(comm, "size", size);
        out(comm, "class", comm.getClass().getSimpleName());
        out(comm, "description", comm.description());
        out(comm, "thread-level", MpiCommunicator.threadLevelName(((MpiCommunicator) comm).threadLevel()));

        jvmSignals(comm);

        // Broadcast from every root, into a sub-range.
        for (int root = 0; root < size; root++) {
            int n = 1003;
            float[] b = new float[n + 2 * PAD];
            Arrays.fill(b, SENTINEL);
            for (int i = 0; i < n; i++) {
                b[PAD + i] = rank == root ? broadcastValue(root, i) : -rank;
            }
            comm.broadcast(b, PAD, n, root);
            int bad = 0;
            for (int i = 0; i < n; i++) {
                bad += b[PAD + i] == broadcastValue(root, i) ? 0 : 1;
            }
            bad += untouched(b, PAD, n);
            out(comm, "bcast.root" + root, "n=" + n + " mismatches=" + bad + " last=" + b[PAD + n - 1]);
        }

        // Bytes, bit for bit (an NCCL unique id is 128 opaque bytes).
        byte[] id = new byte[128 + 2];
        for (int i = 0; i < id.length; i++) {
            id[i] = rank == size - 1 ? (byte) (i * 37 + 11) : (byte) -1;
        }
        ((MpiCommunicator) comm).broadcast(id, 1, 128, size - 1);
        int badBytes = 0;
        for (int i = 1; i <= 128; i++) {
            badBytes += id[i] == (byte) (i * 37 + 11) ? 0 : 1;
        }
        out(comm, "bcast.bytes", "mismatches=" + badBytes + " edges=" + id[0] + "," + id[129]);

        // Float allreduce, several lengths, in a sub-range.
        for (int n : LENGTHS) {
            float[] x = new float[n + 2 * PAD];
            Arrays.fill(x, SENTINEL);
            for (int i = 0; i < n; i++) {
                x[PAD + i] = floatValue(rank, i);
            }
            comm.allreduceSum(x, PAD, n);
            float tri = size * (size + 1) / 2f;
            int bad = untouched(x, PAD, n);
            for (int i = 0; i < n; i++) {
                bad += x[PAD + i] == tri * ((i % 2001) - 1000) * 0.25f ? 0 : 1;
            }
            out(comm, "allreduce.float." + n, "mismatches=" + bad + " last=" + (n == 0 ? "none" : x[PAD + n - 1]));
        }

        // Double allreduce, several lengths.
        for (int n : LENGTHS) {
            double[] x = new double[n + 2 * PAD];
            Arrays.fill(x, SENTINEL);
            for (int i = 0; i < n; i++) {
                x[PAD + i] = doubleValue(rank, i);
            }
            comm.allreduceSum(x, PAD, n);
            double maxErr = 0;
            for (int i = 0; i < n; i++) {
                double expected = 0;
                for (int r = 0; r < size; r++) {
                    expected += doubleValue(r, i);
                }
                maxErr = Math.max(maxErr, Math.abs(x[PAD + i] - expected));
            }
            int bad = 0;
            for (int i = 0; i < PAD; i++) {
                bad += x[i] == SENTINEL && x[PAD + n + i] == SENTINEL ? 0 : 1;
            }
            out(comm, "allreduce.double." + n, "maxerr=" + maxErr + " untouched-bad=" + bad
                    + " last=" + (n == 0 ? "none" : Double.toString(x[PAD + n - 1])));
        }

        steadyStateAllocation(comm);
        barrierOrder(comm);
        errors(comm);

        // Still usable after MPI returned an error code.
        float[] one = {rank};
        comm.allreduceSum(one, 0, 1);
        out(comm, "after-error.sum-of-ranks", one[0]);

        comm.close();
        comm.close();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment flag = arena.allocate(ValueLayout.JAVA_INT);
            mpi_h.MPI_Finalized(flag);
            out(comm, "finalized", flag.get(ValueLayout.JAVA_INT, 0) != 0);
        }
        try {
            comm.barrier();
            out(comm, "after-close", "no exception");
        } catch (IllegalStateException e) {
            out(comm, "after-close", e.getClass().getSimpleName());
        }
    }

    /** The JVM turns SIGSEGV into NullPointerException; MPI_Init must not have replaced its handler. */
    private static void jvmSignals(Communicator comm) {
        Object[] holder = new Object[1];
        int caught = 0;
        for (int i = 0; i < 20_000; i++) {
            try {
                holder[0].hashCode();
            } catch (NullPointerException e) {
                caught++;
            }
        }
        out(comm, "npe-caught", caught);
    }

    /** Bytes this thread allocates per allreduce once the buffer has its size. */
    private static void steadyStateAllocation(Communicator comm) {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().threadId();
        float[] p = new float[18_840];
        for (int i = 0; i < 3000; i++) {
            comm.allreduceSum(p, 0, p.length);
        }
        int calls = 2000;
        long before = threads.getThreadAllocatedBytes(tid);
        for (int i = 0; i < calls; i++) {
            comm.allreduceSum(p, 0, p.length);
        }
        long after = threads.getThreadAllocatedBytes(tid);
        out(comm, "alloc-bytes-per-allreduce", (after - before) / calls);
    }

    /**
     * Rank r sleeps r*150 ms before the barrier; every rank must leave it after the last one entered. The processes
     * share one machine and one clock.
     */
    private static void barrierOrder(Communicator comm) {
        int size = comm.size();
        comm.barrier();
        try {
            Thread.sleep(150L * comm.rank());
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
        double[] entered = new double[size];
        entered[comm.rank()] = System.currentTimeMillis();
        comm.barrier();
        double left = System.currentTimeMillis();
        comm.allreduceSum(entered, 0, size);
        double last = Arrays.stream(entered).max().orElseThrow();
        out(comm, "barrier.left-after-last-entered", left >= last);
    }

    private static void errors(Communicator comm) {
        try {
            comm.broadcast(new float[4], 0, 4, comm.size());
            out(comm, "bcast-bad-root", "no exception");
        } catch (IllegalArgumentException e) {
            out(comm, "bcast-bad-root", e.getMessage());
        }
        try {
            comm.allreduceSum(new float[4], 2, 3);
            out(comm, "allreduce-bad-range", "no exception");
        } catch (IndexOutOfBoundsException e) {
            out(comm, "allreduce-bad-range", e.getClass().getSimpleName());
        }
        // MPI's own argument check, reported through MPI_ERRORS_RETURN and MPI_Error_string.
        try {
            ((MpiCommunicator) comm).broadcastUnchecked(new float[4], 4, comm.size() + 5);
            out(comm, "mpi-error", "no exception");
        } catch (CommunicatorException e) {
            out(comm, "mpi-error", e.getMessage());
        }
    }

    private static int untouched(float[] x, int offset, int n) {
        int bad = 0;
        for (int i = 0; i < offset; i++) {
            bad += x[i] == SENTINEL ? 0 : 1;
        }
        for (int i = offset + n; i < x.length; i++) {
            bad += x[i] == SENTINEL ? 0 : 1;
        }
        return bad;
    }

    private static void out(Communicator comm, String key, Object value) {
        System.out.println("R" + comm.rank() + " " + key + "=" + value);
        System.out.flush();
    }
}
