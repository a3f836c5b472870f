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
}
