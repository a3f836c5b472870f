package dev.descent.cpu;

import dev.descent.backend.HostCpu;
import java.util.Locale;
import java.util.function.IntSupplier;

/**
 * Decides once per JVM which {@link CpuKernels} the CPU backend uses, by a ladder of checks; the first that fails
 * selects {@link ScalarKernels} and records why:
 * <ol>
 *   <li>{@code -Ddescent.vector.bits} is unset, or one of 128, 256, 512 (0 asks for the scalar kernels; a width above
 *       the hardware's is capped to it);</li>
 *   <li>the JVM is HotSpot (elsewhere the Vector API may run un-intrinsified, many times slower than scalar);</li>
 *   <li>the C2 compiler is on (not {@code -Xint}, not {@code TieredStopAtLevel} &lt; 4, not a JVMCI compiler);</li>
 *   <li>the {@code jdk.incubator.vector} module is present ({@code --add-modules=jdk.incubator.vector});</li>
 *   <li>the platform's preferred float vector is at least 128 bits wide.</li>
 * </ol>
 * {@link VectorKernels} (the only class that imports the Vector API) is loaded only when every check passed.
 */
final class KernelSelection {
    /** System property: vector width in bits (see {@link VectorBits}). */
    static final String BITS_PROPERTY = VectorBits.PROPERTY;

    private static final System.Logger LOG = System.getLogger(KernelSelection.class.getName());

    private static final CpuKernels KERNELS;
    private static final String REASON;

    static {
        String refusal;
        try {
            refusal = refusal(Platform.current());
        } catch (RuntimeException | LinkageError e) {
            refusal = "the platform checks failed: " + e;
        }
        CpuKernels chosen = ScalarKernels.INSTANCE;
        String reason;
        if (refusal == null) {
            try {
                chosen = VectorKernels.INSTANCE;
                reason = chosen.describe();
                int bits = VectorBits.requested();
                if (bits > VectorKernels.preferredBits()) {
                    reason += " (" + BITS_PROPERTY + "=" + bits + " is wider than this CPU's vectors)";
                } else {
                    reason += " (" + VectorBits.origin() + ")";
                }
            } catch (Throwable t) { // LinkageError, or a species this JVM cannot make: fall back, never throw
                chosen = ScalarKernels.INSTANCE;
                reason = "scalar kernels (Vector API kernels failed to initialise: " + t + ")";
            }
        } else {
            reason = "scalar kernels (" + refusal + ")";
        }
        KERNELS = chosen;
        REASON = reason;
        System.Logger.Level level = refusal == null || refusal.startsWith(BITS_PROPERTY + "=0")
                ? System.Logger.Level.DEBUG : System.Logger.Level.WARNING;
        LOG.log(level, "descent cpu backend: {0}", REASON);
    }

    private KernelSelection() {
    }

    /** The kernels every CPU backend in this JVM uses. */
    static CpuKernels kernels() {
        return KERNELS;
    }

    /** Which kernels, and why (one line). */
    static String reason() {
        return REASON;
    }

    /** What the ladder looks at; {@link #current()} reads this JVM, tests pass made-up ones. */
    record Platform(String bitsProperty, String vmName, String vmInfo, String tieredStopAtLevel, String useCompiler,
            String useJvmciCompiler, boolean vectorModulePresent, IntSupplier preferredBits) {

        static Platform current() {
            return new Platform(System.getProperty(BITS_PROPERTY), System.getProperty("java.vm.name", ""),
                    System.getProperty("java.vm.info", ""), HostCpu.hotSpotOption("TieredStopAtLevel"),
                    HostCpu.hotSpotOption("UseCompiler"), HostCpu.hotSpotOption("UseJVMCICompiler"),
                    ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent(),
                    VectorKernels::preferredBits);
        }
    }

    /** The first reason not to use the Vector API on this platform, or null when it should be used. */
    static String refusal(Platform p) {
        String v = p.bitsProperty();
        int bits = VectorBits.parse(v);
        if (v != null && !v.isBlank() && bits < 0) {
            return BITS_PROPERTY + "=" + v + " is not one of 0, 128, 256, 512";
        }
        if (bits == 0) {
            return BITS_PROPERTY + "=0 asks for scalar kernels";
        }
        if (!p.vmName().contains("HotSpot") && !p.vmName().contains("OpenJDK")) {
            return "JVM '" + p.vmName() + "' is not HotSpot";
        }
        if (p.vmInfo().toLowerCase(Locale.ROOT).contains("interpreted mode")) {
            return "the JIT is off (-Xint)";
        }
        String tier = p.tieredStopAtLevel();
        if (tier != null && tier.matches("\\d+") && Integer.parseInt(tier) < 4) {
            return "the C2 compiler is off (TieredStopAtLevel=" + tier + ")";
        }
        if ("false".equals(p.useCompiler())) {
            return "the JIT is off (-XX:-UseCompiler)";
        }
        if ("true".equals(p.useJvmciCompiler())) {
            return "the JIT is a JVMCI compiler (Graal), which does not compile the Vector API to vector instructions";
        }
        if (!p.vectorModulePresent()) {
            return "module jdk.incubator.vector is not present (run with --add-modules=jdk.incubator.vector)";
        }
        int preferred = p.preferredBits().getAsInt();
        if (preferred < 128) {
            return "the preferred vector width is " + preferred + " bits (< 128)";
        }
        return null;
    }
}
