package dev.descent.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import dev.descent.backend.BackendException;
import dev.descent.cuda.bindings.CudaErrors;
import dev.descent.cuda.bindings.gen.cublas_h;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * The backend's cuBLAS handle, on the backend's stream, in the default math mode (never TF32 for SGEMM; set
 * explicitly, so an environment default cannot switch it on), with its own workspace (so capture never has cuBLAS
 * allocate); and the SGEMM calls. Row-major {@code C = op(A) op(B)} is column-major {@code C^T = op(B)^T op(A)^T}:
 * cuBLAS sees each row-major matrix as its transpose with leading dimension = its column count, so the operands are
 * swapped and the transpose flags kept.
 */
final class Blas {
    private final DeviceContext context;
    private final MemorySegment out;
    private final MemorySegment alpha;
    private final MemorySegment beta;
    private MemorySegment handle;

    Blas(DeviceContext context, Arena arena) {
        this.context = context;
        this.out = arena.allocate(ADDRESS);
        this.alpha = arena.allocate(JAVA_FLOAT);
        this.beta = arena.allocate(JAVA_FLOAT);
    }

    /** Creates the handle and its workspace (32 MiB from compute capability 9, else 4 MiB) in {@code memory}. */
    void open(DeviceMemory memory) {
        CudaErrors.checkCublas(cublas_h.cublasCreate_v2(out), "cublasCreate_v2");
        handle = out.get(ADDRESS, 0);
        CudaErrors.checkCublas(cublas_h.cublasSetStream_v2(handle, context.stream()), "cublasSetStream_v2");
        CudaErrors.checkCublas(cublas_h.cublasSetMathMode(handle, cublas_h.CUBLAS_DEFAULT_MATH()),
                "cublasSetMathMode(CUBLAS_DEFAULT_MATH)");
        long workspaceBytes = context.info().major() >= 9 ? 32L << 20 : 4L << 20;
        MemorySegment workspace = memory.buffer(workspaceBytes, "cuBLAS workspace");
        CudaErrors.checkCublas(cublas_h.cublasSetWorkspace_v2(handle, workspace, workspaceBytes),
                "cublasSetWorkspace_v2(" + workspaceBytes + " bytes)");
    }

    /** Queues {@code c = alpha op(a) op(b) + beta c} for row-major tensors ({@code m, n, k} as the caller sees). */
    void sgemm(boolean transA, boolean transB, int m, int n, int k, float alphaValue, DeviceTensor ta,
            DeviceTensor tb, float betaValue, DeviceTensor tc) {
        alpha.set(JAVA_FLOAT, 0, alphaValue);
        beta.set(JAVA_FLOAT, 0, betaValue);
        int rc = cublas_h.cublasSgemm_v2(handle, op(transB), op(transA), n, m, k, alpha, tb.pointer, tb.cols,
                ta.pointer, ta.cols, beta, tc.pointer, tc.cols);
        if (rc != 0) {
            throw new BackendException("cuda: gemm " + ta.shapeString() + (transA ? "^T" : "") + " x "
                    + tb.shapeString() + (transB ? "^T" : "") + ": "
                    + CudaErrors.cublas(rc, "cublasSgemm_v2(m=" + n + ", n=" + m + ", k=" + k + ")").getMessage());
        }
    }

    /**
     * Writes an SGEMM in the form a step recording keeps it, cuBLAS's argument order, into {@code g}: op(b), op(a),
     * n, m, k, alpha's bits, b, ldb, a, lda, beta's bits, c, ldc.
     */
    static void describe(long[] g, boolean transA, boolean transB, int m, int n, int k, float alphaValue,
            DeviceTensor ta, DeviceTensor tb, float betaValue, DeviceTensor tc) {
        g[0] = op(transB);
        g[1] = op(transA);
        g[2] = n;
        g[3] = m;
        g[4] = k;
        g[5] = Float.floatToRawIntBits(alphaValue);
        g[6] = tb.address;
        g[7] = tb.cols;
        g[8] = ta.address;
        g[9] = ta.cols;
        g[10] = Float.floatToRawIntBits(betaValue);
        g[11] = tc.address;
        g[12] = tc.cols;
    }

    /** SGEMM from the arguments {@link #describe} wrote; cuBLAS's status. */
    int tryGemm(long[] g) {
        alpha.set(JAVA_FLOAT, 0, Float.intBitsToFloat((int) g[5]));
        beta.set(JAVA_FLOAT, 0, Float.intBitsToFloat((int) g[10]));
        return cublas_h.cublasSgemm_v2(handle, (int) g[0], (int) g[1], (int) g[2], (int) g[3], (int) g[4], alpha,
                MemorySegment.ofAddress(g[6]), (int) g[7], MemorySegment.ofAddress(g[8]), (int) g[9], beta,
                MemorySegment.ofAddress(g[11]), (int) g[12]);
    }

    /** Throws for a failed {@link #tryGemm}. */
    static void checkGemm(int rc, long[] g) {
        if (rc != 0) {
            throw new BackendException("cuda: gemm: " + CudaErrors.cublas(rc, "cublasSgemm_v2(m=" + g[2] + ", n=" + g[3]
                    + ", k=" + g[4] + ")").getMessage());
        }
    }

    private static int op(boolean transpose) {
        return transpose ? cublas_h.CUBLAS_OP_T() : cublas_h.CUBLAS_OP_N();
    }

    /** Destroys the handle, recording a failure (the workspace is the memory's to free, after this). */
    void close(List<String> errors) {
        if (handle != null) {
            int rc = cublas_h.cublasDestroy_v2(handle);
            if (rc != 0) {
                errors.add(CudaErrors.cublas(rc, "cublasDestroy_v2").getMessage());
            }
            handle = null;
        }
    }
}
