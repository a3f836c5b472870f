package dev.descent.backend;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The host CPU as descent names it in every description and results file: its model and the vector instruction sets
 * it offers (and, on x86, the cap HotSpot puts on them). Read once from {@code /proc/cpuinfo}; elsewhere the
 * architecture stands in for the model and the ISA is "unknown".
 */
public final class HostCpu {
    private static final String MODEL;
    private static final String ISA;

    static {
        List<String> lines;
        try {
            lines = Files.readAllLines(Path.of("/proc/cpuinfo"), StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            lines = null; // not Linux, or unreadable
        }
        MODEL = lines == null ? null : model(lines);
        ISA = lines == null ? null : vectorIsa(flags(lines), hotSpotUseAvx());
    }

    private HostCpu() {
    }

    /** The CPU's model name, e.g. {@code AMD EPYC} ({@code os.arch} where {@code /proc/cpuinfo} does not say). */
    public static String model() {
        return MODEL != null ? MODEL : System.getProperty("os.arch", "unknown CPU");
    }

    /**
     * The vector instruction sets, e.g. {@code AVX-512 (F BW DQ VL FP16), JVM UseAVX=3}, {@code AVX2+FMA, JVM
     * UseAVX=2} or {@code NEON/ASIMD}; {@code unknown (no /proc/cpuinfo)} elsewhere.
     */
    public static String vectorIsa() {
        return ISA != null ? ISA : "unknown (no /proc/cpuinfo)";
    }

    /** {@code model, ISA}: what a description or a results file prints. */
    public static String describe() {
        return model() + ", " + vectorIsa();
    }

    /** The first {@code model name} (x86) or {@code cpu model} line's value; null when there is none. */
    static String model(List<String> cpuinfo) {
        for (String line : cpuinfo) {
            String l = line.toLowerCase(Locale.ROOT);
            if (l.startsWith("model name") || l.startsWith("cpu model")) {
                int colon = line.indexOf(':');
                if (colon > 0 && !line.substring(colon + 1).isBlank()) {
                    return line.substring(colon + 1).trim();
                }
            }
        }
        return null;
    }

    /** The first {@code flags} (x86) or {@code Features} (ARM) line's words. */
    static Set<String> flags(List<String> cpuinfo) {
        Set<String> flags = new HashSet<>();
        for (String line : cpuinfo) {
            if (line.startsWith("flags") || line.startsWith("Features")) {
                flags.addAll(Arrays.asList(line.substring(line.indexOf(':') + 1).trim().split("\\s+")));
                break;
            }
        }
        return flags;
    }

    /**
     * The ISA named from the CPU's flags; {@code useAvx} (HotSpot's UseAVX on x86, null elsewhere) is appended on x86,
     * because it caps what the JIT emits (UseAVX=2 on an AVX-512 CPU: 256-bit vectors at most).
     */
    static String vectorIsa(Set<String> flags, String useAvx) {
        String isa;
        if (flags.contains("avx512f")) {
            List<String> ext = new ArrayList<>();
            for (String x : new String[] {"f", "bw", "dq", "vl", "fp16", "bf16"}) {
                if (flags.contains("avx512" + x) || flags.contains("avx512_" + x)) {
                    ext.add(x.toUpperCase(Locale.ROOT));
                }
            }
            isa = "AVX-512 (" + String.join(" ", ext) + ")";
        } else if (flags.contains("avx2")) {
            isa = "AVX2" + (flags.contains("fma") ? "+FMA" : "");
        } else if (flags.contains("asimd")) {
            return flags.contains("sve") ? "NEON/ASIMD, SVE" : "NEON/ASIMD";
        } else if (flags.contains("avx")) {
            isa = "AVX";
        } else if (flags.contains("sse4_2") || flags.contains("sse2")) {
            isa = "SSE";
        } else {
            return flags.isEmpty() ? "unknown (no CPU flags)" : "no vector ISA known to descent";
        }
        return useAvx == null ? isa : isa + ", JVM UseAVX=" + useAvx;
    }

    /** HotSpot's UseAVX on x86 (null elsewhere, or where the management module is absent). */
    public static String hotSpotUseAvx() {
        String arch = System.getProperty("os.arch", "");
        return arch.equals("amd64") || arch.equals("x86_64") ? hotSpotOption("UseAVX") : null;
    }

    /**
     * A HotSpot {@code -XX} option's value, e.g. {@code hotSpotOption("UseAVX")}; null where it cannot be read (not
     * HotSpot, no such option, or the jdk.management module absent).
     */
    public static String hotSpotOption(String name) {
        try {
            com.sun.management.HotSpotDiagnosticMXBean bean = java.lang.management.ManagementFactory
                    .getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
            return bean == null ? null : bean.getVMOption(name).getValue();
        } catch (RuntimeException | LinkageError e) {
            return null;
        }
    }
}
