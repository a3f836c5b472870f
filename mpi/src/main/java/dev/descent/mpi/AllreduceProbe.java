package dev.descent.mpi;

import dev.descent.dist.Communicator;
import dev.descent.dist.CommunicatorException;
import dev.descent.dist.Communicators;
import dev.descent.mpi.gen.mpi_h;

import java.lang.foreign.Arena;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Times one gradient allreduce per training step, the way data-parallel training calls it, for given parameter
 * counts. Not a JMH benchmark: run it under the launcher, e.g.
 *
 * <pre>
 * mpirun -np 2 java --enable-native-access=ALL-UNNAMED -cp descent-mpi.jar:descent-optim.jar \
 *     dev.descent.mpi.AllreduceProbe [--steps 400] [--warmup 100] [count ...]
 * </pre>
 *
 * <p>Default counts: 7,850 (softmax regression 784→10), 18,840 (784×24+24), 203,530 (MLP 784-256-10) and 1,000,000.
 * Every step starts after a barrier, so a step's time is the collective itself, not the ranks' skew. Three ways are
 * timed per count: {@code heap} is {@link MpiCommunicator#allreduceSum(float[], int, int)} (copy into the off-heap
 * buffer, MPI in place, copy back: what the trainer uses); {@code off-heap} is the same MPI call on data already off
 * the heap (no copy); {@code critical} passes the Java array itself to MPI_Allreduce through a downcall linked with
 * {@code Linker.Option.critical(true)} (zero copy, but no safepoint in this JVM until every rank has arrived: measured
 * here to show what the copy costs, not used by the communicator). Rank 0 prints medians over steps of the slowest
 * rank (max over ranks of each rank's median), and p90 of rank 0.
 */
public final class AllreduceProbe {
    private AllreduceProbe() {
    }

    public static void main(String[] args) {
        int steps = 400;
        int warmup = 100;
        List<Integer> counts = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--steps" -> steps = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                default -> counts.add(Integer.parseInt(args[i].replace("_", "")));
            }
        }
        if (counts.isEmpty()) {
            counts.addAll(List.of(7_850, 18_840, 203_530, 1_000_000));
        }
        int stepCount = steps;
        int warmupCount = warmup;
        try (Communicator c = Communicators.detect()) {
            int code = MpiRun.guard(c, comm -> run(comm, counts, stepCount, warmupCount));
            if (code != 0) {
                c.abort(code);
            }
        }
    }

    private static int run(Communicator comm, List<Integer> counts, int steps, int warmup) {
        if (!(comm instanceof MpiCommunicator mpi)) {
            System.err.println("AllreduceProbe: not started by an MPI launcher (" + comm.description()
                    + "); run it under mpirun -np N");
            return 2;
        }
        MethodHandle critical = Linker.nativeLinker().downcallHandle(mpi_h.MPI_Allreduce$address(),
                mpi_h.MPI_Allreduce$descriptor(), Linker.Option.critical(true));
        OpenMpi handles = mpi.handles();
        if (mpi.rank() == 0) {
            System.out.printf(Locale.ROOT, "AllreduceProbe: %s, %d steps after %d warm-up, times per step in µs "
                    + "(median of the slowest rank; p90 of rank 0)%n", mpi.description(), steps, warmup);
            System.out.printf(Locale.ROOT, "%10s %10s | %18s | %18s | %18s | %10s%n", "floats", "bytes",
                    "heap (copy)", "off-heap", "critical heap", "copy only");
        }
        for (int n : counts) {
            float[] heap = new float[n];
            long[] t = new long[steps];
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment off = arena.allocate(4L * Math.max(n, 1), 64);
                double[] heapT = time(mpi, t, warmup, () -> mpi.allreduceSum(heap, 0, n));
                double[] offT = time(mpi, t, warmup, () -> mpi.allreduceSum(off, n));
                MemorySegment array = MemorySegment.ofArray(heap);
                double[] critT = time(mpi, t, warmup, () -> {
                    try {
                        int rc = (int) critical.invokeExact(mpi_h.MPI_IN_PLACE(), array, n, handles.floatType,
                                handles.opSum, handles.commWorld);
                        if (rc != 0) {
                            throw new CommunicatorException("critical MPI_Allreduce returned " + rc);
                        }
                    } catch (RuntimeException | Error e) {
                        throw e;
                    } catch (Throwable e) {
                        throw new IllegalStateException(e);
                    }
                });
                double copy = copyOnly(heap, off, n, steps);
                check(mpi, heap, n);
                if (mpi.rank() == 0) {
                    System.out.printf(Locale.ROOT, "%10d %10d | %8.1f p90 %5.1f | %8.1f p90 %5.1f | %8.1f p90 %5.1f "
                                    + "| %10.1f%n", n, 4L * n, heapT[0], heapT[1], offT[0], offT[1], critT[0],
                            critT[1], copy);
                }
            }
        }
        return 0;
    }

    /** {max over ranks of the median, p90 on this rank} in µs. */
    private static double[] time(MpiCommunicator comm, long[] t, int warmup, Runnable step) {
        for (int i = 0; i < warmup; i++) {
            step.run();
        }
        for (int i = 0; i < t.length; i++) {
            comm.barrier();
            long t0 = System.nanoTime();
            step.run();
            t[i] = System.nanoTime() - t0;
        }
        long[] sorted = t.clone();
        Arrays.sort(sorted);
        double median = sorted[sorted.length / 2] / 1e3;
        double p90 = sorted[(int) (sorted.length * 0.9)] / 1e3;
        double[] medians = new double[comm.size()];
        medians[comm.rank()] = median;
        comm.allreduceSum(medians, 0, medians.length);
        return new double[] {Arrays.stream(medians).max().orElseThrow(), p90};
    }

    /** µs for the copy in and out alone (no MPI), median of {@code steps}. */
    private static double copyOnly(float[] heap, MemorySegment off, int n, int steps) {
        long[] t = new long[steps];
        for (int i = 0; i < steps; i++) {
            long t0 = System.nanoTime();
            MemorySegment.copy(heap, 0, off, ValueLayout.JAVA_FLOAT, 0, n);
            MemorySegment.copy(off, ValueLayout.JAVA_FLOAT, 0, heap, 0, n);
            t[i] = System.nanoTime() - t0;
        }
        Arrays.sort(t);
        return t[steps / 2] / 1e3;
    }

    /** One more allreduce of ones must give the number of ranks everywhere. */
    private static void check(MpiCommunicator comm, float[] heap, int n) {
        Arrays.fill(heap, 1f);
        comm.allreduceSum(heap, 0, n);
        for (int i = 0; i < n; i++) {
            if (heap[i] != comm.size()) {
                throw new IllegalStateException("allreduce of ones gave " + heap[i] + " at " + i);
            }
        }
        Arrays.fill(heap, 0f);
    }
}
