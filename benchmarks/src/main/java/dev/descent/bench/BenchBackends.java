package dev.descent.bench;

import dev.descent.backend.Availability;
import dev.descent.backend.Backend;
import dev.descent.backend.BackendOptions;
import dev.descent.backend.BackendProvider;
import dev.descent.backend.Backends;
import dev.descent.backend.Tensor;

import java.util.SplittableRandom;

/** Opening backends and filling benchmark inputs; shared by the JMH benchmarks and {@link Compare}. */
final class BenchBackends {
    private BenchBackends() {
    }

    /**
     * Opens the named backend with the given worker threads (0 = all cores).
     *
     * @throws IllegalStateException naming the reason when the backend is unknown or unavailable here (a JMH
     *                               benchmark whose setup throws is reported as failed and the run goes on: that is how
     *                               the CUDA variants skip on a machine without a GPU)
     */
    static Backend open(String name, int threads) {
        if (!name.equals("cpu") && threads != 0) {
            throw new IllegalStateException("threads=" + threads + " means nothing to backend '" + name
                    + "' (run it with threads=0): skipped");
        }
        BackendProvider provider = Backends.provider(name);
        if (provider == null) {
            throw new IllegalStateException("backend '" + name + "' is not on the class path: skipped");
        }
        Availability availability = provider.availability();
        if (!availability.available()) {
            throw new IllegalStateException("backend '" + name + "' " + availability + ": skipped");
        }
        return provider.create(BackendOptions.threads(threads));
    }

    /**
     * Whether the named backend can be opened here: its provider's {@link Availability}, or "unavailable: not on the
     * class path" when no provider has that name. Never throws.
     */
    static Availability availability(String name) {
        BackendProvider provider = Backends.provider(name);
        if (provider == null) {
            return Availability.unavailable("backend '" + name + "' is not on the class path");
        }
        return provider.availability();
    }

    /** A float tensor of the given shape with uniform values in [lo, hi), reproducible from the seed. */
    static Tensor uniform(Backend backend, long seed, float lo, float hi, int... shape) {
        long size = 1;
        for (int s : shape) {
            size = Math.multiplyExact(size, s);
        }
        float[] data = new float[Math.toIntExact(size)];
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < data.length; i++) {
            data[i] = lo + (hi - lo) * (float) random.nextDouble();
        }
        return backend.upload(data, shape);
    }

    /** An int32 tensor [n] of labels uniform in [0, classes). */
    static Tensor labels(Backend backend, long seed, int n, int classes) {
        int[] data = new int[n];
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < n; i++) {
            data[i] = random.nextInt(classes);
        }
        return backend.uploadInt(data, n);
    }
}
