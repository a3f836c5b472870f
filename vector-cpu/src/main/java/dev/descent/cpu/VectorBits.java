package dev.descent.cpu;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The vector width of the CPU kernels, decided once per JVM: the {@value #PROPERTY} system property (0 = scalar
 * kernels; 128, 256, 512 force that species, capped at the hardware's), else the measured {@link WidthPlan} of this
 * machine (its fastest width for the workload the application announced, else its best overall), else the widest the
 * hardware offers. A class without Vector API types, so that {@link VectorKernels} and
 * {@link KernelSelection} can both read it while either is being initialised.
 */
final class VectorBits {
    static final String PROPERTY = "descent.vector.bits";
    /** The workload hint ({@code dev.descent.backend.Backends.WORKLOAD_PROPERTY}). */
    static final String WORKLOAD_PROPERTY = dev.descent.backend.Backends.WORKLOAD_PROPERTY;

    /** Why the width is what it is (set by {@link #resolve}). */
    private static volatile String origin = "not decided yet";
    /** The plan's thread count for the announced workload (1), or 0: all cores (set by {@link #resolve}). */
    private static volatile int planThreads;

    private VectorBits() {
    }

    /** The requested width: 0, 128, 256 or 512; -1 when unset or not one of those. */
    static int requested() {
        return parse(System.getProperty(PROPERTY));
    }

    static int parse(String v) {
        if (v == null || v.isBlank()) {
            return -1;
        }
        return switch (v.trim()) {
            case "0" -> 0;
            case "128" -> 128;
            case "256" -> 256;
            case "512" -> 512;
            default -> -1;
        };
    }

    /**
     * The width for this JVM's kernels given the hardware's widest ({@code preferredBits}): the property, else the plan
     * measured on this machine, else {@code preferredBits}; never throws (an unreadable plan is reported in
     * {@link #origin()} and ignored). Called once, by {@link VectorKernels}' initialisation.
     */
    static int resolve(int preferredBits) {
        Decision d;
        try {
            d = decide(preferredBits, System.getProperty(PROPERTY), WidthPlan.file(),
                    WidthPlan.machineKey(preferredBits), System.getProperty(WORKLOAD_PROPERTY));
        } catch (RuntimeException e) {
            d = new Decision(preferredBits, "the widest this CPU offers (no plan: " + e + ")");
        }
        origin = d.origin();
        planThreads = d.threads();
        return d.bits();
    }

    /**
     * A width, the thread count for backends created with "all cores" (0: all cores; 1: the plan found one thread
     * faster for the announced workload), and why.
     */
    record Decision(int bits, int threads, String origin) {
        Decision(int bits, String origin) {
            this(bits, 0, origin);
        }
    }

    /** The thread count a backend asked for "all cores" uses: 1 where the plan says so for the workload, else 0. */
    static int planThreads() {
        return planThreads;
    }

    /** The ladder of {@link #resolve} without a workload hint. */
    static Decision decide(int preferredBits, String property, Path file, String machineKey) {
        return decide(preferredBits, property, file, machineKey, null);
    }

    /**
     * The ladder of {@link #resolve}, from its inputs: the property's text, the plan file (null: none), this
     * machine's key and the workload hint ({@link #WORKLOAD_PROPERTY}; null: none). With a hint the plan's fastest
     * width for that workload is taken, otherwise its best overall.
     */
    static Decision decide(int preferredBits, String property, Path file, String machineKey, String workload) {
        int requested = parse(property);
        if (requested > 0) {
            return new Decision(Math.min(requested, preferredBits), "-D" + PROPERTY + "=" + requested);
        }
        if (file == null) {
            return new Decision(preferredBits, "the widest this CPU offers (-D" + WidthPlan.PROPERTY + "=none)");
        }
        try {
            WidthPlan plan = WidthPlan.read(file);
            if (plan == null) {
                return new Decision(preferredBits,
                        "the widest this CPU offers; no measured plan (./descent backends --plan measures one)");
            }
            if (!plan.key().equals(machineKey)) {
                return new Decision(preferredBits, "the widest this CPU offers; the plan in " + file
                        + " was measured on another machine, JVM or build of the kernels (" + plan.key() + "), ignored;"
                        + " ./descent backends --plan measures this one");
            }
            if (plan.bits() > preferredBits) {
                return new Decision(preferredBits, "the widest this CPU offers; the plan in " + file + " asks for "
                        + plan.bits() + " bits");
            }
            String probe = WidthPlan.probeFor(workload);
            probe = probe == null ? null : plan.measuredFor(probe);
            int forWorkload = probe == null ? -1 : plan.bestFor(probe);
            if (forWorkload > 0 && forWorkload <= preferredBits) {
                int threads = plan.threadsFor(probe, forWorkload);
                return new Decision(forWorkload, threads, "measured plan " + file + ", for this workload (" + workload
                        + "): " + plan.summaryFor(probe) + (threads == 1 ? "; on 1 thread, which ran it faster than "
                        + "all cores" : ""));
            }
            return new Decision(plan.bits(), "measured plan " + file + ": " + plan.summary() + "; per workload "
                    + plan.perWorkload() + " (train and compare announce theirs)");
        } catch (IOException | RuntimeException e) {
            return new Decision(preferredBits, "the widest this CPU offers; the plan is unreadable: " + e.getMessage());
        }
    }

    /** Why the kernels use their width: the property, the plan (and what it measured), or the hardware's widest. */
    static String origin() {
        return origin;
    }
}
