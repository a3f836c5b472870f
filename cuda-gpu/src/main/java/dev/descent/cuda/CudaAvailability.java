package dev.descent.cuda;

import static dev.descent.cuda.bindings.gen.cuda_runtime_h.C_INT;

import dev.descent.backend.Availability;
import dev.descent.cuda.bindings.CudaErrors;
import dev.descent.cuda.bindings.CudaLibraries;
import dev.descent.cuda.bindings.gen.cuda_h;
import dev.descent.cuda.bindings.gen.cuda_runtime_h;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Whether the CUDA backend can run here, computed once per JVM ({@link #get()}) and never throwing. The ladder of
 * refusals, each with its reason:
 * <ol>
 *   <li>the CUDA runtime library is missing (every path tried and the loader's error for each);</li>
 *   <li>{@code cudaGetDeviceCount} fails — typically no driver or a driver too old for the runtime:
 *       {@code cudaGetDeviceCount: cudaErrorInsufficientDriver (35): CUDA driver version is insufficient for CUDA
 *       runtime version};</li>
 *   <li>no device;</li>
 *   <li>the driver library ({@code libcuda}, needed to launch descent's PTX kernels) or cuBLAS is missing, or
 *       {@code cuInit} fails;</li>
 *   <li>device 0 is older than compute capability 7.5 (the PTX targets compute_75, the oldest CUDA 13 supports).</li>
 * </ol>
 * When all pass: {@code ok: <device name> (device 0 of N), compute capability 9.0, 79.1 GiB, 132 SMs, driver CUDA 13.0,
 * runtime 13.0, cuBLAS 13.0.2}.
 */
final class CudaAvailability {
    static final int MIN_MAJOR = 7;
    static final int MIN_MINOR = 5;

    private CudaAvailability() {
    }

    private static final class Holder {
        static final Result RESULT = probe(CudaLibraries.cudartResult());
    }

    /** The availability and, when available, device 0's description. */
    record Result(Availability availability, DeviceInfo device) {
    }

    /** Computed once per JVM. */
    static Availability get() {
        return Holder.RESULT.availability();
    }

    /** Device 0 when available, else null. */
    static DeviceInfo device0() {
        return Holder.RESULT.device();
    }

    /**
     * Probes with the given runtime search result (tests pass a failed search to see the library-missing reason);
     * the later steps use the libraries the JVM loaded. Never throws.
     */
    static Result probe(CudaLibraries.Result cudart) {
        try {
            return probeUnchecked(cudart);
        } catch (Throwable t) {
            return new Result(Availability.unavailable("CUDA probe failed: " + t), null);
        }
    }

    private static Result probeUnchecked(CudaLibraries.Result cudart) {
        if (!cudart.ok()) {
            return no(cudart.failure());
        }
        CudaLibraries.Result driverLib = CudaLibraries.driverResult();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(C_INT);
            int runtime = cuda_runtime_h.cudaRuntimeGetVersion(out) == 0 ? out.get(C_INT, 0) : 0;
            int driver = cuda_runtime_h.cudaDriverGetVersion(out) == 0 ? out.get(C_INT, 0) : 0;
            out.set(C_INT, 0, 0);
            int rc = cuda_runtime_h.cudaGetDeviceCount(out);
            if (rc != 0) {
                String context = " (CUDA runtime " + DeviceInfo.version(runtime) + " from "
                        + cudart.loaded().location() + "; "
                        + (driverLib.ok() ? "driver " + driverLib.loaded().location() + " supports CUDA "
                                + DeviceInfo.version(driver)
                                : "no CUDA driver: libcuda.so.1 is not installed")
                        + ")";
                return no(deviceCountMessage(rc) + context);
            }
            int count = out.get(C_INT, 0);
            if (count <= 0) {
                return no("no CUDA device (cudaGetDeviceCount returned " + count + ")");
            }
            if (!driverLib.ok()) {
                return no(driverLib.failure());
            }
            int init = cuda_h.cuInit(0);
            if (init != 0) {
                return no(CudaErrors.driver(init, "cuInit(0)").getMessage());
            }
            CudaLibraries.Result cublas = CudaLibraries.cublasResult();
            if (!cublas.ok()) {
                return no(cublas.failure());
            }
            DeviceInfo info = DeviceInfo.query(0, count);
            if (info.major() < MIN_MAJOR || (info.major() == MIN_MAJOR && info.minor() < MIN_MINOR)) {
                return no(info.name() + " has compute capability " + info.major() + "." + info.minor()
                        + "; descent's kernels (PTX for compute_75, CUDA 13) need " + MIN_MAJOR + "." + MIN_MINOR
                        + " or newer");
            }
            return new Result(Availability.ok(info.summary()), info);
        }
    }

    /** "cudaGetDeviceCount: cudaErrorInsufficientDriver (35): CUDA driver version is insufficient for ..." */
    static String deviceCountMessage(int rc) {
        String m = CudaErrors.cuda(rc, "cudaGetDeviceCount").getMessage();
        return m.replaceFirst("^cudaGetDeviceCount failed: ", "cudaGetDeviceCount: ");
    }

    private static Result no(String reason) {
        return new Result(Availability.unavailable(reason), null);
    }
}
