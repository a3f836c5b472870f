package dev.descent.backend;

/**
 * Options passed to a provider when creating a backend.
 *
 * @param threads worker threads for multi-core kernels; 0 means all available cores, at most {@value #MAX_THREADS}
 *                (each is a platform thread: a count far beyond the cores only slows the kernels down, and one in the
 *                tens of thousands runs the process out of native threads). Results never depend on it.
 * @param device  device ordinal for accelerator backends (ignored by the CPU backend)
 */
public record BackendOptions(int threads, int device) {
    /** The most worker threads a backend is asked for. */
    public static final int MAX_THREADS = 1024;

    public BackendOptions {
        if (threads < 0 || threads > MAX_THREADS) {
            throw new IllegalArgumentException("threads must be between 0 and " + MAX_THREADS
                    + " (0 = all cores), got " + threads);
        }
        if (device < 0) {
            throw new IllegalArgumentException("device must be >= 0, got " + device);
        }
    }

    /** All cores, device 0. */
    public static BackendOptions defaults() {
        return new BackendOptions(0, 0);
    }

    public static BackendOptions threads(int threads) {
        return new BackendOptions(threads, 0);
    }
}
