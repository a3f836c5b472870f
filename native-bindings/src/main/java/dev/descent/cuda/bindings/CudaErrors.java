// HAND-WRITTEN, not generated: the checks every call site uses.
package dev.descent.cuda.bindings;

import dev.descent.cuda.bindings.gen.cublas_h;
import dev.descent.cuda.bindings.gen.cuda_h;
import dev.descent.cuda.bindings.gen.cuda_runtime_h;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Map;

/**
 * Checks the status codes the header classes return and turns failures into exceptions that name the call, the
 * code, its name and its text:
 * <pre>{@code
 * try (Arena arena = Arena.ofConfined()) {
 *     MemorySegment out = arena.allocate(C_POINTER);
 *     int rc = cudaMalloc(out, bytes);
 *     if (rc != 0) throw CudaErrors.cuda(rc, "cudaMalloc(" + bytes + " bytes)");  // details only on failure
 *     CudaErrors.checkCuda(cudaStreamSynchronize(stream), "cudaStreamSynchronize");
 * }
 * }</pre>
 * Names and texts come from the libraries themselves ({@code cudaGetErrorName}, {@code cuGetErrorName},
 * {@code cublasGetStatusName}); when a library cannot say (an old cuBLAS, a driver that is not there) a built-in
 * table or just the number is used.
 */
public final class CudaErrors {
    private CudaErrors() {
    }

    // ------------------------------------------------------------------------------------------------ runtime

    /** Throws a {@link CudaException} for a non-zero {@code cudaError_t}. */
    public static void checkCuda(int code, String call) {
        if (code != 0) {
            throw cuda(code, call);
        }
    }

    /** The exception for a failed runtime call (the caller throws it). */
    public static CudaException cuda(int code, String call) {
        return new CudaException(call, code, cudaErrorName(code), cudaErrorText(code));
    }

    /** {@code cudaGetErrorName(code)}, or null if the runtime cannot be reached. */
    public static String cudaErrorName(int code) {
        try {
            return string(cuda_runtime_h.cudaGetErrorName(code));
        } catch (LinkageError | CudaLibraryException e) {
            return null;
        }
    }

    /** {@code cudaGetErrorString(code)}, or null if the runtime cannot be reached. */
    public static String cudaErrorText(int code) {
        try {
            return string(cuda_runtime_h.cudaGetErrorString(code));
        } catch (LinkageError | CudaLibraryException e) {
            return null;
        }
    }

    // ------------------------------------------------------------------------------------------------ driver

    /** Throws a {@link CuDriverException} for a non-zero {@code CUresult}. */
    public static void checkDriver(int code, String call) {
        if (code != 0) {
            throw driver(code, call);
        }
    }

    /** The exception for a failed driver call. */
    public static CuDriverException driver(int code, String call) {
        return new CuDriverException(call, code, driverErrorName(code), driverErrorText(code));
    }

    /** {@code cuGetErrorName(code)}, or null. */
    public static String driverErrorName(int code) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(cuda_h.C_POINTER);
            return cuda_h.cuGetErrorName(code, out) == 0 ? string(out.get(cuda_h.C_POINTER, 0)) : null;
        } catch (LinkageError | CudaLibraryException e) {
            return null;
        }
    }

    /** {@code cuGetErrorString(code)}, or null. */
    public static String driverErrorText(int code) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(cuda_h.C_POINTER);
            return cuda_h.cuGetErrorString(code, out) == 0 ? string(out.get(cuda_h.C_POINTER, 0)) : null;
        } catch (LinkageError | CudaLibraryException e) {
            return null;
        }
    }

    // ------------------------------------------------------------------------------------------------ cuBLAS

    private static final Map<Integer, String> CUBLAS_NAMES = Map.of(
            0, "CUBLAS_STATUS_SUCCESS",
            1, "CUBLAS_STATUS_NOT_INITIALIZED",
            3, "CUBLAS_STATUS_ALLOC_FAILED",
            7, "CUBLAS_STATUS_INVALID_VALUE",
            8, "CUBLAS_STATUS_ARCH_MISMATCH",
            11, "CUBLAS_STATUS_MAPPING_ERROR",
            13, "CUBLAS_STATUS_EXECUTION_FAILED",
            14, "CUBLAS_STATUS_INTERNAL_ERROR",
            15, "CUBLAS_STATUS_NOT_SUPPORTED",
            16, "CUBLAS_STATUS_LICENSE_ERROR");

    /** Throws a {@link CublasException} for a non-zero {@code cublasStatus_t}. */
    public static void checkCublas(int code, String call) {
        if (code != 0) {
            throw cublas(code, call);
        }
    }

    /** The exception for a failed cuBLAS call. */
    public static CublasException cublas(int code, String call) {
        return new CublasException(call, code, cublasStatusName(code), cublasStatusText(code));
    }

    /** {@code cublasGetStatusName(code)} (cuBLAS 11.4.2+), else the name from a built-in table, else null. */
    public static String cublasStatusName(int code) {
        try {
            String s = string(cublas_h.cublasGetStatusName(code));
            if (s != null) {
                return s;
            }
        } catch (LinkageError | CudaLibraryException e) {
            // older cuBLAS or none: the table below
        }
        return CUBLAS_NAMES.get(code);
    }

    /** {@code cublasGetStatusString(code)}, or null. */
    public static String cublasStatusText(int code) {
        try {
            return string(cublas_h.cublasGetStatusString(code));
        } catch (LinkageError | CudaLibraryException e) {
            return null;
        }
    }

    private static String string(MemorySegment cString) {
        if (cString == null || cString.equals(MemorySegment.NULL)) {
            return null;
        }
        return cString.getString(0);
    }
}
