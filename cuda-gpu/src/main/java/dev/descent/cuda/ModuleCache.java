package dev.descent.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import dev.descent.backend.BackendException;
import dev.descent.cuda.bindings.CudaErrors;
import dev.descent.cuda.bindings.gen.cuda_h;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Loads descent's PTX into a device's primary context once per process ({@code cuModuleLoadData}: the driver
 * JIT-compiles it for the device and caches the result on disk) and looks up every {@link Kernel}. The module lives as
 * long as the primary context, which the CUDA runtime keeps until the process ends, so backends created and closed in
 * a loop do not pay for the JIT each time.
 */
final class ModuleCache {
    /** The committed PTX, built from src/main/cuda/descent_kernels.cu by build-ptx.sh. */
    static final String RESOURCE = "/dev/descent/cuda/descent_kernels.ptx";

    private static final Map<Integer, MemorySegment[]> LOADED = new HashMap<>();

    private ModuleCache() {
    }

    /** The kernels' function handles, in {@link Kernel} order; the device's primary context must be current. */
    static synchronized MemorySegment[] functions(int device) {
        MemorySegment[] f = LOADED.get(device);
        if (f == null) {
            f = load(device);
            LOADED.put(device, f);
        }
        return f;
    }

    /** The PTX text as bytes (without the terminating NUL). */
    static byte[] ptx() {
        try (InputStream in = ModuleCache.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new BackendException("cuda: the kernel resource " + RESOURCE + " is missing from the class path");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cuda: cannot read " + RESOURCE, e);
        }
    }

    private static MemorySegment[] load(int device) {
        byte[] text = ptx();
        byte[] image = Arrays.copyOf(text, text.length + 1);  // cuModuleLoadData wants a NUL-terminated PTX string
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ADDRESS);
            int rc = cuda_h.cuModuleLoadData(out, arena.allocateFrom(JAVA_BYTE, image));
            if (rc != 0) {
                throw new BackendException("cuda: cannot load descent's kernels (" + RESOURCE + ", PTX ISA "
                        + ptxVersion(text) + " from CUDA 13, compute_75) on device " + device + ": "
                        + CudaErrors.driver(rc, "cuModuleLoadData").getMessage()
                        + (rc == cuda_h.CUDA_ERROR_UNSUPPORTED_PTX_VERSION()
                                ? " (the driver is older than the CUDA 13 toolkit that made the PTX: update it to "
                                        + "r580 or newer)"
                                : ""));
            }
            MemorySegment module = out.get(ADDRESS, 0);
            Kernel[] kernels = Kernel.values();
            MemorySegment[] functions = new MemorySegment[kernels.length];
            for (Kernel k : kernels) {
                int frc = cuda_h.cuModuleGetFunction(out, module, arena.allocateFrom(k.entry));
                if (frc != 0) {
                    cuda_h.cuModuleUnload(module);
                    throw new BackendException("cuda: kernel " + k.entry + " is not in " + RESOURCE + ": "
                            + CudaErrors.driver(frc, "cuModuleGetFunction(" + k.entry + ")").getMessage());
                }
                functions[k.ordinal()] = out.get(ADDRESS, 0);
            }
            return functions;
        }
    }

    private static String ptxVersion(byte[] text) {
        String s = new String(text, 0, Math.min(text.length, 4096), java.nio.charset.StandardCharsets.US_ASCII);
        int at = s.indexOf(".version ");
        return at < 0 ? "?" : s.substring(at + 9, s.indexOf('\n', at)).trim();
    }
}
