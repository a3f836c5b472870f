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
 * One fused Adam step (torch semantics, no weight decay, no amsgrad) on the lecture's 784×24 weight and on 1M
 * parameters. Bytes moved per step: θ, g, m, v read and θ, m, v written, 7 × 4 = 28 bytes per parameter, reported as
 * GB/s ({@code step:gbyte}). 784×24 (527 KB of state) lives in L2; 1M parameters (28 MB) stream through L3/DRAM.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public abstract class AdamBench {
    /** rows x cols of the parameter: 784x24, or 1024x1024 = 1M parameters. */
    @Param({"784x24", "1024x1024"})
    public String shape;

    @Param({"1", "0"})
    public int threads;

    private Backend backend;
    private Tensor param;
    private Tensor grad;
    private Tensor m;
    private Tensor v;
    private long step;
    private double gbytePerCall;

    abstract String backendName();

    @Setup(Level.Trial)
    public void setUp() {
        String[] dims = shape.split("x");
        int rows = Integer.parseInt(dims[0]);
        int cols = Integer.parseInt(dims[1]);
        backend = BenchBackends.open(backendName(), threads);
        param = BenchBackends.uniform(backend, 5, -0.1f, 0.1f, rows, cols);
        grad = BenchBackends.uniform(backend, 6, -1f, 1f, rows, cols);
        m = backend.allocate(rows, cols);
        v = backend.allocate(rows, cols);
        step = 0;
        gbytePerCall = 28.0 * rows * cols / 1e9;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (backend != null) {
            backend.close();
        }
    }

    @Benchmark
    public void step(Counters.Bytes bytes) {
        backend.adamUpdate(param, grad, m, v, null, 1e-3, 0.9, 0.999, 1e-8, 0.0, false, false, ++step);
        backend.synchronize();
        bytes.gbyte += gbytePerCall;
    }

    @Fork(value = 3, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
            "-Xss8m"})
    public static class Vector extends AdamBench {
        @Override
        String backendName() {
            return "cpu";
        }
    }

    @Fork(value = 3, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
            "-Xss8m", "-Ddescent.vector.bits=0"})
    public static class Scalar extends AdamBench {
        @Override
        String backendName() {
            return "cpu";
        }
    }

    @Fork(value = 3, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
            "-Xss8m"})
    public static class Cuda extends AdamBench {
        @Override
        String backendName() {
            return "cuda";
        }
    }
}
