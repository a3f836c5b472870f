package dev.descent.backend;

/**
 * A service that creates a {@link Backend}. Implementations are registered in
 * {@code META-INF/services/dev.descent.backend.BackendProvider} and found by {@link Backends}.
 */
public interface BackendProvider {
    /** Short name used for selection: {@code cpu}, {@code cuda}. */
    String name();

    /** Higher wins under {@code auto} among available providers (cpu 10, cuda 100). */
    int priority();

    /** Whether the backend can be used here. Must never throw; computed once and cached. */
    Availability availability();

    /**
     * Creates a backend.
     *
     * @throws BackendUnavailableException when {@link #availability()} is not ok
     */
    Backend create(BackendOptions options);

    /**
     * Measures which settings run this machine's training workloads fastest and saves them, so that every later JVM on
     * the same machine starts with them (the CPU backend: its vector width, see {@code ./descent backends --plan}).
     * Returns what was measured and chosen, as text; {@code progress} gets a line per step. The default has nothing to
     * measure.
     *
     * @throws java.io.IOException when a measurement fails or the result cannot be saved
     */
    default String tune(java.util.function.Consumer<String> progress) throws java.io.IOException {
        return name() + ": nothing to measure";
    }
}
