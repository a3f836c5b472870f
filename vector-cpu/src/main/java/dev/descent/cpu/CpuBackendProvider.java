package dev.descent.cpu;

import dev.descent.backend.Availability;
import dev.descent.backend.Backend;
import dev.descent.backend.BackendOptions;
import dev.descent.backend.BackendProvider;
import dev.descent.backend.HostCpu;

/**
 * Provides the {@code cpu} backend (priority 10). Always available: where the Vector API cannot be used well the
 * backend runs its scalar kernels, and {@link #availability()} says which kernels and how many threads it uses.
 */
public final class CpuBackendProvider implements BackendProvider {

    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public int priority() {
        return 10;
    }

    @Override
    public Availability availability() {
        return Holder.AVAILABILITY;
    }

    /** Measures the vector widths this CPU offers and saves the fastest as this machine's plan ({@link WidthPlanner}). */
    @Override
    public String tune(java.util.function.Consumer<String> progress) throws java.io.IOException {
        return WidthPlanner.planAndSave(progress);
    }

    @Override
    public Backend create(BackendOptions options) {
        return new CpuBackend(options == null ? BackendOptions.defaults() : options);
    }

    /** Computed once, on first use; never throws. */
    private static final class Holder {
        private static final Availability AVAILABILITY = compute();

        private static Availability compute() {
            try {
                int cores = Runtime.getRuntime().availableProcessors();
                String why = KernelSelection.kernels() == ScalarKernels.INSTANCE ? ""
                        : "; width: " + VectorBits.origin();
                return Availability.ok(KernelSelection.kernels().describe() + ", " + cores
                        + (cores == 1 ? " thread" : " threads") + " on " + HostCpu.describe() + why);
            } catch (Throwable t) {
                return Availability.unavailable("cpu kernels could not be initialised: " + t);
            }
        }
    }
}
