package dev.descent.cli;

import dev.descent.backend.BackendOptions;
import picocli.CommandLine.Option;

/** {@code --backend} and {@code --threads}. */
final class ComputeOptions {
    @Option(names = "--backend", paramLabel = "auto|cpu|cuda", defaultValue = "auto",
            description = "Compute backend: auto picks CUDA when a GPU is usable, else the CPU "
                    + "(default: ${DEFAULT-VALUE}).")
    String backend;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "0",
            description = "CPU worker threads, at most " + BackendOptions.MAX_THREADS + "; 0 = all cores (default), "
                    + "or 1 where this machine's measured plan (descent backends --plan) found one thread faster for "
                    + "the run's workload. Results do not depend on it.")
    int threads;

    void validate() {
        String b = backend.trim().toLowerCase(java.util.Locale.ROOT);
        if (b.isEmpty()) {
            throw new UsageException("--backend must not be empty (auto, cpu or cuda)");
        }
        backend = b;
        if (threads < 0 || threads > BackendOptions.MAX_THREADS) {
            throw new UsageException("--threads must be between 0 and " + BackendOptions.MAX_THREADS
                    + " (0 = all cores), got " + threads);
        }
        if (!b.equals("auto")) {
            dev.descent.backend.BackendProvider p = dev.descent.backend.Backends.provider(b);
            if (p == null) {
                throw new UsageException("unknown --backend '" + b + "'; known: auto, " + String.join(", ",
                        dev.descent.backend.Backends.providers().stream()
                                .map(dev.descent.backend.BackendProvider::name).toList()));
            }
            dev.descent.backend.Availability a = BackendsCommand.safeAvailability(p);
            if (!a.available()) {
                throw new UsageException("--backend " + b + " is unavailable here: " + a.reason()
                        + " (see 'descent backends'; --backend auto picks what is available)");
            }
        }
    }
}
