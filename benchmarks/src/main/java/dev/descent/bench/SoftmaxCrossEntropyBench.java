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
 * The fused softmax cross-entropy (loss and gradient in one pass) on the full-batch logits 27455×24 and a minibatch's
 * 16×24. Besides ops/s it reports GB/s ({@code fused:gbyte}) of its minimum traffic: logits read, gradient written
 * (4 bytes each per element) and labels read (4 bytes per row). Twins as in {@link GemmBench}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public abstract class SoftmaxCrossEntropyBench {
    @Param({"27455x24", "16x24"})
    public String shape;

    @Param({"1", "0"})
    public int threads;

    private Backend backend;
    private Tensor logits;
    private Tensor labels;
    private Tensor grad;
    private Tensor loss;
    private int rows;
    private double gbytePerCall;

    abstract String backendName();

    @Setup(Level.Trial)
    public void setUp() {
        String[] dims = shape.split("x");
        rows = Integer.parseInt(dims[0]);
        int classes = Integer.parseInt(dims[1]);
        backend = BenchBackends.open(backendName(), threads);
        logits = BenchBackends.uniform(backend, 3, -8f, 8f, rows, classes);
        labels = BenchBackends.labels(backend, 4, rows, classes);
        grad = backend.allocate(rows, classes);
        loss = backend.allocate(1);
        gbytePerCall = (8.0 * rows * classes + 4.0 * rows) / 1e9;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (backend != null) {
            backend.close();
        }
    }

    @Benchmark
    public void fused(Counters.Bytes bytes) {
        backend.softmaxCrossEntropy(logits, labels, grad, rows, loss, 0);
        backend.synchronize();
        bytes.gbyte += gbytePerCall;
    }

    @Fork(value = 3, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
            "-Xss8m"})
    public static class Vector extends SoftmaxCrossEntropyBench {
        @Override
        String backendName() {
            return "cpu";
        }
    }

    @Fork(value = 3, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
            "-Xss8m", "-Ddescent.vector.bits=0"})
    public static class Scalar extends SoftmaxCrossEntropyBench {
        @Override
        String backendName() {
            return "cpu";
        }
    }

    @Fork(value = 3, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
            "-Xss8m"})
    public static class Cuda extends SoftmaxCrossEntropyBench {
        @Override
        String backendName() {
            return "cuda";
        }
    }
}
