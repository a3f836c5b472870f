package dev.descent.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.backend.Backend;
import dev.descent.backend.BackendOptions;
import dev.descent.backend.Backends;
import dev.descent.backend.Tensor;
import dev.descent.objective.ObjectiveMinimizer;
import dev.descent.objective.Rosenbrock;
import dev.descent.objective.Trajectory;
import dev.descent.optim.Closure;
import dev.descent.optim.Lbfgs;
import dev.descent.optim.LbfgsOptions;
import dev.descent.optim.LbfgsOptions.LineSearch;
import dev.descent.optim.Parameter;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * LBFGS on the CUDA backend: its vector operations (axpy, scale, copy, dot, maxAbs) and its state on the device. On
 * Rosenbrock and on softmax regression it takes the CPU backend's decisions (the same evaluation counts) and lands on
 * the CPU's points up to float rounding (the kernels' multiply-adds and sums differ in their last bits); it repeats
 * itself bit for bit; and its saved state restored into a new optimizer continues bit for bit.
 */
class CudaLbfgsTest {
    private static final LbfgsOptions[] CONFIGS = {
            LbfgsOptions.defaults().withLineSearch(LineSearch.STRONG_WOLFE).withMaxIter(5).withHistorySize(4),
            LbfgsOptions.defaults().withLr(0.2).withMaxIter(4).withHistorySize(5)};

    /** Softmax: few enough iterations that the gradient is still far above float noise (no ties to break). */
    private static final LbfgsOptions[] SOFTMAX_CONFIGS = {
            LbfgsOptions.defaults().withLineSearch(LineSearch.STRONG_WOLFE).withMaxIter(3).withHistorySize(4),
            LbfgsOptions.defaults().withLr(0.2).withMaxIter(4).withHistorySize(5)};
    private static final int SOFTMAX_STEPS = 3;

    private static Backend cpu() {
        return Backends.select("cpu", BackendOptions.threads(1)).backend();
    }

    private record Run(Trajectory trajectory, long evaluations) {
    }

    private static Run rosenbrock(Backend b, LbfgsOptions options, int steps) {
        try (ObjectiveMinimizer m = new ObjectiveMinimizer(b, Rosenbrock.lecture(), new float[] {0f, 1f});
                Lbfgs o = new Lbfgs(options, m.parameters(), null)) {
            return new Run(m.run(o, steps), o.functionEvaluations());
        }
    }

    @Test
    void rosenbrockTakesTheCpusDecisions() {
        CudaTests.assumeCuda();
        for (LbfgsOptions c : CONFIGS) {
            Run want;
            try (Backend b = cpu()) {
                want = rosenbrock(b, c, 6);
            }
            Run got;
            Run again;
            try (CudaBackend b = CudaTests.open()) {
                got = rosenbrock(b, c, 6);
                again = rosenbrock(b, c, 6);
            }
            assertEquals(want.evaluations(), got.evaluations(), c + ": evaluations");
            for (int k = 0; k <= 6; k++) {
                float[] w = want.trajectory().parameters(k);
                float[] g = got.trajectory().parameters(k);
                for (int i = 0; i < 2; i++) {
                    assertEquals(w[i], g[i], 1e-4 * Math.max(1, Math.abs(w[i])), c + " row " + k);
                }
                assertArrayEquals(g, again.trajectory().parameters(k), "CUDA repeats itself bit for bit");
            }
        }
    }

    /** Softmax regression, 200×12 → 4, full batch, from zero; the closure runs on the backend. */
    private static final class Softmax implements AutoCloseable {
        static final int N = 200;
        static final int D = 12;
        static final int K = 4;
        final Backend b;
        final Tensor x;
        final Tensor labels;
        final Tensor logits;
        final Tensor dz;
        final Tensor loss;
        final Parameter w;
        final Parameter bias;
        final Closure closure;

        Softmax(Backend b) {
            this.b = b;
            Random r = new Random(3);
            float[] xs = new float[N * D];
            int[] ys = new int[N];
            for (int i = 0; i < N; i++) {
                double best = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < D; j++) {
                    xs[i * D + j] = (float) r.nextGaussian();
                }
                for (int k = 0; k < K; k++) {
                    double s = xs[i * D + k] + xs[i * D + k + K] + 1.5 * r.nextGaussian();
                    if (s > best) {
                        best = s;
                        ys[i] = k;
                    }
                }
            }
            x = b.upload(xs, N, D);
            labels = b.uploadInt(ys, N);
            logits = b.allocate(N, K);
            dz = b.allocate(N, K);
            loss = b.allocate(1);
            w = new Parameter("W", b.allocate(D, K), b.allocate(D, K));
            bias = new Parameter("b", b.allocate(K), b.allocate(K));
            closure = () -> {
                b.gemm(false, false, 1f, x, w.value(), 0f, logits);
                b.addRowVector(logits, bias.value());
                b.softmaxCrossEntropy(logits, labels, dz, N, loss, 0);
                b.gemm(true, false, 1f, x, dz, 0f, w.grad());
                b.columnSums(1f, dz, 0f, bias.grad());
                return b.get(loss, 0);
            };
        }

        List<Parameter> parameters() {
            return List.of(w, bias);
        }

        float[] values() {
            float[] a = b.download(w.value());
            float[] c = b.download(bias.value());
            float[] out = new float[a.length + c.length];
            System.arraycopy(a, 0, out, 0, a.length);
            System.arraycopy(c, 0, out, a.length, c.length);
            return out;
        }

        void set(float[] v) {
            b.upload(v, 0, w.value());
            b.upload(v, D * K, bias.value());
        }

        @Override
        public void close() {
            for (Tensor t : List.of(x, labels, logits, dz, loss, w.value(), w.grad(), bias.value(), bias.grad())) {
                t.close();
            }
        }
    }

    /** The points after each step (and the evaluation count last); restarted from saved state after {@code at}. */
    private static float[][] softmax(Backend b, LbfgsOptions options, int steps, int at) throws IOException {
        float[][] path = new float[steps + 1][];
        Softmax p = new Softmax(b);
        Lbfgs o = new Lbfgs(options, p.parameters(), null);
        try {
            for (int k = 0; k < steps; k++) {
                if (k == at) {
                    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                    try (DataOutputStream out = new DataOutputStream(bytes)) {
                        o.saveState(out);
                    }
                    float[] v = p.values();
                    o.close();
                    p.close();
                    p = new Softmax(b);
                    p.set(v);
                    o = new Lbfgs(options, p.parameters(), null);
                    o.loadState(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
                }
                o.step(p.closure);
                path[k] = p.values();
            }
            path[steps] = new float[] {o.functionEvaluations(), o.iterations()};
        } finally {
            o.close();
            p.close();
        }
        return path;
    }

    @Test
    void softmaxTakesTheCpusDecisionsAndResumesBitForBit() throws IOException {
        CudaTests.assumeCuda();
        int n = SOFTMAX_STEPS;
        for (LbfgsOptions c : SOFTMAX_CONFIGS) {
            float[][] want;
            try (Backend b = cpu()) {
                want = softmax(b, c, n, -1);
            }
            try (CudaBackend b = CudaTests.open()) {
                float[][] got = softmax(b, c, n, -1);
                assertArrayEquals(want[n], got[n], c + ": evaluations and iterations");
                for (int k = 0; k < n; k++) {
                    for (int i = 0; i < want[k].length; i++) {
                        assertEquals(want[k][i], got[k][i], 1e-3 * Math.max(1, Math.abs(want[k][i])),
                                c + " step " + (k + 1) + " [" + i + "]");
                    }
                }
                assertTrue(Math.abs(got[n - 1][0]) > 0.01, "it moved");
                float[][] resumed = softmax(b, c, n, 2);
                for (int k = 0; k <= n; k++) {
                    assertArrayEquals(got[k], resumed[k], c + ": resumed after 2 steps, step " + (k + 1));
                }
            }
        }
    }
}
