package dev.descent.bench;

import dev.descent.backend.Backend;
import dev.descent.backend.Tensor;
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
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * {@code C ← op(A)·B} on the lecture's shapes and on squares, reported as ops/s and, through {@link Counters.Flops},
 * as GFLOP/s ({@code gemm:gflop}; 2·m·k·n FLOP per call).
 *
 * <p>Shapes are {@code MxKxN} (A is m×k, B k×n); a leading {@code t} means A is stored k×m and used transposed, as
 * in the weight gradient Xᵀ·G. The twins {@link Scalar} and {@link Vector} differ only by their fork flags
 * ({@code -Ddescent.vector.bits=0} selects the CPU backend's scalar kernels); {@link Cuda} runs the same shapes on the
 * CUDA backend and fails its setup with the reason when no GPU is usable (JMH reports it and goes on).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public abstract class GemmBench {
    /**
     * m×k·k×n; "t" = A transposed. 16x784x24 and t784x16x24: a minibatch's forward and weight gradient Xᵀ·G;
     * 27455x784x24 and t784x27455x24: the same for the full batch; 64x784x256 and t784x64x256: the MLP's first layer
     * at batch 64 (W5).
     */
    @Param({"16x784x24", "t784x16x24", "27455x784x24", "t784x27455x24", "64x784x256", "t784x64x256", "256x256x256",
            "512x512x512", "1024x1024x1024"})
    public String shape;

    /** Backend worker threads; 0 = all cores. */
    @Param({"1", "0"})
    public int threads;

    private Backend backend;
    private Tensor a;
    private Tensor b;
    private Tensor c;
    private boolean transA;
    private double gflopPerCall;

    /** The backend this twin measures. */
    abstract String backendName();

    @Setup(Level.Trial)
    public void setUp() {
        transA = shape.startsWith("t");
        String[] dims = (transA ? shape.substring(1) : shape).split("x");
        int m = Integer.parseInt(dims[0]);
        int k = Integer.parseInt(dims[1]);
        int n = Integer.parseInt(dims[2]);
        backend = BenchBackends.open(backendName(), threads);
        a = transA ? BenchBackends.uniform(backend, 1, 0f, 1f, k, m) : BenchBackends.uniform(backend, 1, 0f, 1f, m, k);
        b = BenchBackends.uniform(backend, 2, -1f, 1f, k, n);
        c = backend.allocate(m, n);
        gflopPerCall = 2.0 * m * k * n / 1e9;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (backend != null) {
            backend.close();
        }
    }

    @Benchmark
    public void gemm(Counters.Flops flops) {
        backend.gemm(transA, false, 1f, a, b, 0f, c);
        backend.synchronize();
        flops.gflop += gflopPerCall;
    }

    /** The CPU backend's Vector API kernels (default vector width). */
    @Fork(value = 3, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
            "-Xss8m"})
    public static class Vector extends GemmBench {
        @Override
        String backendName() {
            return "cpu";
        }
    }

    /** The CPU backend's scalar kernels: the same fork except {@code -Ddescent.vector.bits=0}. */
    @Fork(value = 3, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
            "-Xss8m", "-Ddescent.vector.bits=0"})
    public static class Scalar extends GemmBench {
        @Override
        String backendName() {
            return "cpu";
        }
    }

    /** The CUDA backend (threads is ignored there: run it with {@code -p threads=0}). */
    @Fork(value = 3, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
            "-Xss8m"})
    public static class Cuda extends GemmBench {
        @Override
        String backendName() {
            return "cuda";
        }
    }
}
