package dev.descent.bench;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;

/**
 * This machine's physical limits, the roof of every roofline in descent's benchmarks.
 *
 * <ul>
 *   <li>float32 FMA throughput: {@value #ACCUMULATORS} independent Vector API FMA chains at the preferred width, long
 *       enough that every FMA pipe is busy (latency × pipes ≤ {@value #ACCUMULATORS} on current x86 and ARM cores);
 *       one thread, and one thread per core;</li>
 *   <li>memory read bandwidth: a vectorised streaming sum over a buffer far larger than the last-level cache
 *       (512 MB by default), one thread and one thread per core.</li>
 * </ul>
 *
 * As a JMH benchmark it reports {@code :gflop} (GFLOP/s) and {@code :gbyte} (GB/s); as a program
 * ({@code java --add-modules=jdk.incubator.vector -cp benchmarks.jar dev.descent.bench.MachinePeak}) it prints the
 * same four numbers, best of several runs after a warm-up, and {@link Compare} calls {@link #measure} at its start.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 3, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
        "-Xss8m"})
public class MachinePeak {
    static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    static final int ACCUMULATORS = 12;
    /** Iterations of the FMA loop per call: 12 × lanes × 2 FLOP each. */
    static final int FMA_ITERATIONS = 1 << 16;

    /** Size of the streaming buffer, MB. */
    @Param({"512"})
    public int megabytes;

    private Arena arena;
    private MemorySegment buffer;

    /** The measured limits. GFLOP/s and GB/s (10^9). */
    public record Peak(int threads, int vectorBits, double fmaOneCore, double fmaAllCores, double readOneCore,
            double readAllCores) {
        /** FMA peak for a run on {@code t} threads (0 = all cores). */
        public double fma(int t) {
            return t == 1 ? fmaOneCore : t == 0 || t >= threads ? fmaAllCores
                    : fmaOneCore * t;
        }

        /** Read bandwidth for a run on {@code t} threads (0 = all cores). */
        public double read(int t) {
            return t == 1 ? readOneCore : readAllCores;
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "float32 FMA %.1f GFLOP/s on one core, %.1f GFLOP/s on %d cores "
                    + "(%d-bit vectors); memory read %.1f GB/s on one core, %.1f GB/s on %d cores",
                    fmaOneCore, fmaAllCores, threads, vectorBits, readOneCore, readAllCores, threads);
        }
    }

    // ------------------------------------------------------------------------------------------ kernels

    /** FLOP done by one {@link #fmaChains} call. */
    static double fmaFlopPerCall() {
        return 2.0 * ACCUMULATORS * SPECIES.length() * FMA_ITERATIONS;
    }

    /**
     * Twelve independent chains {@code acc ← acc·x + y}. With x = 0.9999 and y = 1e-4 every chain converges to 1:
     * no overflow, no denormals, and the result depends on every FMA, so nothing can be removed.
     */
    static float fmaChains(float seed) {
        FloatVector x = FloatVector.broadcast(SPECIES, 0.9999f);
        FloatVector y = FloatVector.broadcast(SPECIES, 1e-4f);
        FloatVector a0 = FloatVector.broadcast(SPECIES, seed);
        FloatVector a1 = a0.add(0.01f);
        FloatVector a2 = a0.add(0.02f);
        FloatVector a3 = a0.add(0.03f);
        FloatVector a4 = a0.add(0.04f);
        FloatVector a5 = a0.add(0.05f);
        FloatVector a6 = a0.add(0.06f);
        FloatVector a7 = a0.add(0.07f);
        FloatVector a8 = a0.add(0.08f);
        FloatVector a9 = a0.add(0.09f);
        FloatVector a10 = a0.add(0.10f);
        FloatVector a11 = a0.add(0.11f);
        for (int i = 0; i < FMA_ITERATIONS; i++) {
            a0 = a0.fma(x, y);
            a1 = a1.fma(x, y);
            a2 = a2.fma(x, y);
            a3 = a3.fma(x, y);
            a4 = a4.fma(x, y);
            a5 = a5.fma(x, y);
            a6 = a6.fma(x, y);
            a7 = a7.fma(x, y);
            a8 = a8.fma(x, y);
            a9 = a9.fma(x, y);
            a10 = a10.fma(x, y);
            a11 = a11.fma(x, y);
        }
        FloatVector s = a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11);
        return s.reduceLanes(VectorOperators.ADD);
    }

    /** Vectorised sum of the floats in bytes {@code [from, to)} of the segment. */
    static float streamSum(MemorySegment segment, long from, long to) {
        long step = SPECIES.vectorByteSize();
        FloatVector s0 = FloatVector.zero(SPECIES);
        FloatVector s1 = s0;
        FloatVector s2 = s0;
        FloatVector s3 = s0;
        ByteOrder order = ByteOrder.nativeOrder();
        long i = from;
        for (; i + 4 * step <= to; i += 4 * step) {
            s0 = s0.add(FloatVector.fromMemorySegment(SPECIES, segment, i, order));
            s1 = s1.add(FloatVector.fromMemorySegment(SPECIES, segment, i + step, order));
            s2 = s2.add(FloatVector.fromMemorySegment(SPECIES, segment, i + 2 * step, order));
            s3 = s3.add(FloatVector.fromMemorySegment(SPECIES, segment, i + 3 * step, order));
        }
        float tail = 0f;
        for (; i + 4 <= to; i += 4) {
            tail += segment.get(java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED, i);
        }
        return s0.add(s1).add(s2).add(s3).reduceLanes(VectorOperators.ADD) + tail;
    }

    static MemorySegment filledBuffer(Arena arena, long bytes) {
        MemorySegment segment = arena.allocate(bytes, 64);
        segment.fill((byte) 0x3c); // floats of 0.0115: finite, normal
        return segment;
    }

    // ------------------------------------------------------------------------------------------ JMH

    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofShared();
        buffer = filledBuffer(arena, (long) megabytes << 20);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    /** FMA throughput of one core. */
    @Benchmark
    @Threads(1)
    public float fmaOneCore(Counters.Flops flops) {
        flops.gflop += fmaFlopPerCall() / 1e9;
        return fmaChains(flops.gflop > 0 ? 0.5f : 0.25f);
    }

    /** FMA throughput of all cores (one thread per core). */
    @Benchmark
    @Threads(Threads.MAX)
    public float fmaAllCores(Counters.Flops flops) {
        flops.gflop += fmaFlopPerCall() / 1e9;
        return fmaChains(flops.gflop > 0 ? 0.5f : 0.25f);
    }

    /** Read bandwidth of one core over the whole buffer. */
    @Benchmark
    @Threads(1)
    public float readOneCore(Counters.Bytes bytes) {
        bytes.gbyte += buffer.byteSize() / 1e9;
        return streamSum(buffer, 0, buffer.byteSize());
    }

    /** Per-thread slice of the buffer for {@link #readAllCores}. */
    @State(Scope.Thread)
    public static class Slice {
        long from;
        long to;

        @Setup(Level.Trial)
        public void setUp(MachinePeak peak, org.openjdk.jmh.infra.ThreadParams threads) {
            long size = peak.buffer.byteSize() / threads.getThreadCount();
            size -= size % 256;
            from = size * threads.getThreadIndex();
            to = from + size;
        }
    }

    /** Read bandwidth of all cores, each streaming its own slice of the buffer. */
    @Benchmark
    @Threads(Threads.MAX)
    public float readAllCores(Slice slice, Counters.Bytes bytes) {
        bytes.gbyte += (slice.to - slice.from) / 1e9;
        return streamSum(buffer, slice.from, slice.to);
    }

    // ------------------------------------------------------------------------------------------ program

    /** Sink that keeps results alive. */
    static volatile float sink;

    /**
     * Measures the four limits: best of {@code runs} timed runs after a warm-up, on 1 and on {@code threads} threads.
     *
     * @param threads   threads for the all-core figures (normally the core count)
     * @param megabytes streaming buffer size
     * @param runs      timed runs per figure (the best is kept: a peak, not a typical value)
     */
    public static Peak measure(int threads, int megabytes, int runs) {
        for (int i = 0; i < 200; i++) { // C2 compiles both kernels before anything is timed
            sink += fmaChains(0.5f);
        }
        double fma1 = parallelBest(1, runs, 256, () -> fmaChains(0.5f), fmaFlopPerCall());
        double fmaN = parallelBest(threads, runs, 256, () -> fmaChains(0.5f), fmaFlopPerCall());
        try (Arena arena = Arena.ofShared()) {
            long bytes = (long) megabytes << 20;
            MemorySegment buffer = filledBuffer(arena, bytes);
            for (int i = 0; i < 20; i++) {
                sink += streamSum(buffer, 0, 1 << 20);
            }
            double read1 = readBest(buffer, 1, runs);
            double readN = readBest(buffer, threads, runs);
            return new Peak(threads, SPECIES.vectorBitSize(), fma1 / 1e9, fmaN / 1e9, read1 / 1e9, readN / 1e9);
        }
    }

    private interface FloatTask {
        float run();
    }

    /** Best rate (units per second) of {@code threads} threads each running {@code calls} calls of the task. */
    private static double parallelBest(int threads, int runs, int calls, FloatTask task, double unitsPerCall) {
        double best = 0;
        for (int r = 0; r < runs + 1; r++) {
            double seconds = runParallel(threads, t -> {
                float s = 0;
                for (int c = 0; c < calls; c++) {
                    s += task.run();
                }
                return s;
            });
            if (r > 0) { // the first run also warms the threads up
                best = Math.max(best, threads * calls * unitsPerCall / seconds);
            }
        }
        return best;
    }

    private static double readBest(MemorySegment buffer, int threads, int runs) {
        long slice = buffer.byteSize() / threads;
        slice -= slice % 256;
        long size = slice;
        double best = 0;
        for (int r = 0; r < runs + 1; r++) {
            double seconds = runParallel(threads, t -> streamSum(buffer, t * size, (t + 1) * size));
            if (r > 0) {
                best = Math.max(best, threads * size / seconds);
            }
        }
        return best;
    }

    private interface IndexedTask {
        float run(int thread);
    }

    /** Wall time from a common start until the last of {@code threads} threads is done. */
    private static double runParallel(int threads, IndexedTask task) {
        CyclicBarrier start = new CyclicBarrier(threads + 1);
        CyclicBarrier end = new CyclicBarrier(threads + 1);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int index = t;
            Thread worker = Thread.ofPlatform().daemon().name("peak-" + t).start(() -> {
                try {
                    start.await();
                    sink += task.run(index);
                    end.await();
                } catch (InterruptedException | BrokenBarrierException e) {
                    Thread.currentThread().interrupt();
                }
            });
            workers.add(worker);
        }
        try {
            start.await();
            long t0 = System.nanoTime();
            end.await();
            long t1 = System.nanoTime();
            for (Thread worker : workers) {
                worker.join();
            }
            return (t1 - t0) / 1e9;
        } catch (InterruptedException | BrokenBarrierException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("peak probe interrupted", e);
        }
    }

    /**
     * The FMA throughput of {@code threads} threads over {@code seconds}, window by window (each some 50 ms), in units
     * of {@code oneCore} (GFLOP/s of one core): on a machine that gives a run all of its cores each window is close
     * to {@code threads}. A virtual machine whose cores are hardware threads of shared physical cores, or are
     * time-shared with other guests, shows windows near 1 instead: then every multi-threaded timing on it is a mixture
     * of the two, whatever the code.
     */
    static double[] coresOverTime(int threads, double seconds, double oneCore) {
        int calls = Math.max(1, (int) (0.05 * oneCore * 1e9 / fmaFlopPerCall()));
        List<Double> out = new ArrayList<>();
        long end = System.nanoTime() + (long) (seconds * 1e9);
        while (System.nanoTime() < end) {
            double s = runParallel(threads, t -> {
                float acc = 0;
                for (int c = 0; c < calls; c++) {
                    acc += fmaChains(0.5f);
                }
                return acc;
            });
            out.add(threads * calls * fmaFlopPerCall() / s / 1e9 / oneCore);
        }
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** One line: the windows of {@link #coresOverTime} as a distribution, then each window (cores' worth). */
    static String describeTrace(int threads, double[] cores) {
        double[] sorted = cores.clone();
        java.util.Arrays.sort(sorted);
        long full = java.util.Arrays.stream(cores).filter(c -> c >= threads - 0.25).count();
        long single = java.util.Arrays.stream(cores).filter(c -> c < 1.5).count();
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "FMA on %d threads, %d windows of ~50 ms, in "
                + "cores' worth (one core's peak = 1): median %.2f, p10 %.2f, p90 %.2f; %d%% of windows at %.2f or more,"
                + " %d%% under 1.5:", threads, cores.length, sorted[sorted.length / 2], sorted[sorted.length / 10],
                sorted[sorted.length * 9 / 10], Math.round(100.0 * full / cores.length), threads - 0.25,
                Math.round(100.0 * single / cores.length)));
        for (double c : cores) {
            sb.append(String.format(Locale.ROOT, " %.1f", c));
        }
        return sb.toString();
    }

    /**
     * Prints this machine's limits. Options: {@code --threads N --mb M --runs R}, and {@code --trace S}: then also
     * the all-threads FMA throughput window by window for S seconds ({@link #coresOverTime}).
     */
    public static void main(String[] args) {
        int threads = Runtime.getRuntime().availableProcessors();
        int megabytes = 512;
        int runs = 5;
        double trace = 0;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--mb" -> megabytes = Integer.parseInt(args[++i]);
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--trace" -> trace = Double.parseDouble(args[++i]);
                default -> {
                    System.err.println("MachinePeak: unknown option " + args[i]
                            + " (--threads N --mb M --runs R --trace SECONDS)");
                    System.exit(2);
                }
            }
        }
        Peak peak = measure(threads, megabytes, runs);
        System.out.println("cpu: " + dev.descent.backend.HostCpu.describe());
        System.out.println(peak);
        if (trace > 0) {
            System.out.println(describeTrace(threads, coresOverTime(threads, trace, peak.fmaOneCore())));
        }
    }
}
