package dev.descent.cuda;

import static dev.descent.cuda.bindings.gen.cuda_runtime_h.C_INT;

import dev.descent.cuda.bindings.CudaErrors;
import dev.descent.cuda.bindings.gen.cublas_h;
import dev.descent.cuda.bindings.gen.cuda_h;
import dev.descent.cuda.bindings.gen.cuda_runtime_h;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Locale;

/**
 * What the CUDA backend knows about one device, read without creating a context (attributes and the driver's device
 * queries only).
 *
 * @param ordinal         the device number
 * @param count           how many CUDA devices there are
 * @param name            e.g. {@code NVIDIA H100 80GB HBM3}
 * @param major           compute capability, major
 * @param minor           compute capability, minor
 * @param totalBytes      device memory
 * @param multiprocessors streaming multiprocessors
 * @param driverVersion   CUDA version the driver supports, e.g. 13000
 * @param runtimeVersion  CUDA runtime version, e.g. 13000
 * @param cublasVersion   e.g. {@code 13.0.2}
 */
public record DeviceInfo(int ordinal, int count, String name, int major, int minor, long totalBytes,
        int multiprocessors, int driverVersion, int runtimeVersion, String cublasVersion) {

    /** One line: name, compute capability, memory, SMs, versions. */
    public String summary() {
        return String.format(Locale.ROOT,
                "%s (device %d of %d), compute capability %d.%d, %.1f GiB, %d SMs, driver CUDA %s, runtime %s, "
                        + "cuBLAS %s",
                name, ordinal, count, major, minor, totalBytes / (1024.0 * 1024 * 1024), multiprocessors,
                version(driverVersion), version(runtimeVersion), cublasVersion);
    }

    /** 13000 -> "13.0", 12040 -> "12.4". */
    static String version(int v) {
        return v <= 0 ? "none" : (v / 1000) + "." + (v % 1000) / 10;
    }

    /** Reads the device's properties; the libraries must be loaded and the driver initialised (cuInit). */
    static DeviceInfo query(int ordinal, int count) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment i = arena.allocate(C_INT);
            CudaErrors.checkCuda(cuda_runtime_h.cudaDriverGetVersion(i), "cudaDriverGetVersion");
            int driver = i.get(C_INT, 0);
            CudaErrors.checkCuda(cuda_runtime_h.cudaRuntimeGetVersion(i), "cudaRuntimeGetVersion");
            int runtime = i.get(C_INT, 0);
            int major = attribute(i, cuda_runtime_h.cudaDevAttrComputeCapabilityMajor(), ordinal, "major");
            int minor = attribute(i, cuda_runtime_h.cudaDevAttrComputeCapabilityMinor(), ordinal, "minor");
            int sms = attribute(i, cuda_runtime_h.cudaDevAttrMultiProcessorCount(), ordinal, "multiprocessors");

            CudaErrors.checkDriver(cuda_h.cuDeviceGet(i, ordinal), "cuDeviceGet(" + ordinal + ")");
            int dev = i.get(C_INT, 0);
            MemorySegment name = arena.allocate(256);
            CudaErrors.checkDriver(cuda_h.cuDeviceGetName(name, 256, dev), "cuDeviceGetName(" + ordinal + ")");
            MemorySegment bytes = arena.allocate(cuda_h.C_SIZE_T);
            CudaErrors.checkDriver(cuda_h.cuDeviceTotalMem_v2(bytes, dev), "cuDeviceTotalMem(" + ordinal + ")");

            String cublas = cublasProperty(i, cublas_h.MAJOR_VERSION()) + "."
                    + cublasProperty(i, cublas_h.MINOR_VERSION()) + "." + cublasProperty(i, cublas_h.PATCH_LEVEL());
            return new DeviceInfo(ordinal, count, name.getString(0), major, minor, bytes.get(cuda_h.C_SIZE_T, 0), sms,
                    driver, runtime, cublas);
        }
    }

    private static int attribute(MemorySegment out, int attr, int ordinal, String what) {
        CudaErrors.checkCuda(cuda_runtime_h.cudaDeviceGetAttribute(out, attr, ordinal),
                "cudaDeviceGetAttribute(" + what + ", device " + ordinal + ")");
        return out.get(C_INT, 0);
    }

    private static int cublasProperty(MemorySegment out, int type) {
        CudaErrors.checkCublas(cublas_h.cublasGetProperty(type, out), "cublasGetProperty(" + type + ")");
        return out.get(C_INT, 0);
    }
}
