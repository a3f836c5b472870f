package dev.descent.cuda;

import dev.descent.backend.OpChecks;
import dev.descent.backend.Tensor;

/**
 * {@code gemm}: cuBLAS SGEMM ({@link Blas}) for row-major tensors, or its descriptor when a training step is being
 * recorded ({@link StepGraphs}); an empty inner dimension only scales (or clears) {@code c}.
 */
final class MatrixMultiply {
    private final ArgumentChecks args;
    private final Launcher launcher;
    private final StreamState state;
    private final Blas blas;

    MatrixMultiply(ArgumentChecks args, Launcher launcher, StreamState state, Blas blas) {
        this.args = args;
        this.launcher = launcher;
        this.state = state;
        this.blas = blas;
    }

    void gemm(boolean transA, boolean transB, float alpha, Tensor a, Tensor b, float beta, Tensor c) {
        DeviceTensor ta = args.f32(a, "gemm", "A");
        DeviceTensor tb = args.f32(b, "gemm", "B");
        DeviceTensor tc = args.f32(c, "gemm", "C");
        OpChecks.gemm(transA, transB, ta, tb, tc);
        int m = transA ? ta.cols : ta.rows;
        int k = transA ? ta.rows : ta.cols;
        int n = transB ? tb.rows : tb.cols;
        if (m == 0 || n == 0) {
            return;
        }
        if (k == 0) {
            scaleOrZero(beta, tc);
            return;
        }
        StepGraphs recorder = state.recorder();
        if (recorder != null) {
            long[] g = recorder.scratch();
            Blas.describe(g, transA, transB, m, n, k, alpha, ta, tb, beta, tc);
            recorder.submit(StepGraphs.GEMM, 0, g, 13);
            return;
        }
        blas.sgemm(transA, transB, m, n, k, alpha, ta, tb, beta, tc);
    }

    private void scaleOrZero(float factor, DeviceTensor t) {
        if (factor == 0f) {
            launcher.i64(t.size).u32(0).ptr(t).launch(Kernel.FILL, Launcher.elementwiseBlocks(t.size));
        } else if (factor != 1f) {
            launcher.i64(t.size).f32(factor).ptr(t).launch(Kernel.SCALE, Launcher.elementwiseBlocks(t.size));
        }
    }
}
