package dev.descent.backend;

/**
 * Options passed to a provider when creating a backend.
 *
 * @param threads worker threads for multi-core kernels; 0 means all available cores. Results never depend on it.
 * @param device  device ordinal for accelerator backends (ignored by the CPU backend)
 */
public record BackendOptions(int threads, int device) {
    public BackendOptions {
        if (threads < 0) {
            throw new IllegalArgumentException("threads must be >= 0 (0 = all cores), got " + threads);
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
