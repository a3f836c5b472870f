package dev.descent.bench;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * JMH secondary metrics. An {@link AuxCounters} field of type {@code OPERATIONS} is reported as a rate in the
 * benchmark's throughput unit: a benchmark that adds the GFLOP (or GB) one invocation does to {@link Flops#gflop}
 * (or {@link Bytes#gbyte}) makes JMH print GFLOP/s (GB/s) next to the ops/s score, as {@code <method>:gflop}.
 * Equivalently, GFLOP/s = ops/s × FLOP per op / 1e9; the README gives the FLOP and byte counts per benchmark.
 */
public final class Counters {
    private Counters() {
    }

    /** Billions of floating-point operations (an FMA counts as 2). */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Flops {
        public double gflop;

        @Setup(Level.Iteration)
        public void reset() {
            gflop = 0;
        }
    }

    /** Billions of bytes read plus written by one invocation (the minimum traffic of the kernel). */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Bytes {
        public double gbyte;

        @Setup(Level.Iteration)
        public void reset() {
            gbyte = 0;
        }
    }
}
