package dev.descent.cpu;

/**
 * The {@value #PROPERTY} system property: the vector width in bits the CPU kernels should use (0 = scalar kernels;
 * 128, 256, 512 force that species, capped at the hardware's). A class of its own, with no dependencies, so that
 * {@link VectorKernels} and {@link KernelSelection} can both read it while either is being initialised.
 */
final class VectorBits {
    static final String PROPERTY = "descent.vector.bits";

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
}
