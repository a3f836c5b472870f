package dev.descent.cuda;

import dev.descent.backend.Backend;
import dev.descent.backend.Tensor;
import java.util.Random;

/**
 * Softmax regression on synthetic data, written once against the Backend SPI so the same steps run on the CPU and the
 * CUDA backend: gather a minibatch by a permutation, logits = X W + b, fused softmax cross-entropy (loss kept on the
 * backend, one slot per step), dW = Xᵀ dZ, db = column sums of dZ, then SGD with momentum or Adam.
 */
final class SoftmaxRegression implements AutoCloseable {
    static final int N = 600;
    static final int D = 40;
    static final int K = 10;
    static final int BATCH = 128;

    /** The data and starting point, the same for every backend. */
    record Data(float[] x, int[] y, float[] w0, int[][] permutations) {
        static Data make(long seed, int epochs) {
            Random r = new Random(seed);
            float[] x = new float[N * D];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) r.nextGaussian();
            }
            float[] teacher = new float[D * K];
            for (int i = 0; i < teacher.length; i++) {
                teacher[i] = (float) r.nextGaussian();
            }
            int[] y = new int[N];
            for (int i = 0; i < N; i++) {
                double best = Double.NEGATIVE_INFINITY;
                for (int c = 0; c < K; c++) {
                    double s = 0;
                    for (int j = 0; j < D; j++) {
                        s += x[i * D + j] * teacher[j * K + c];
                    }
                    if (s > best) {
                        best = s;
                        y[i] = c;
                    }
                }
            }
            float[] w0 = new float[D * K];
            for (int i = 0; i < w0.length; i++) {
                w0[i] = (float) (0.01 * r.nextGaussian());
            }
            int[][] perms = new int[epochs][];
            for (int e = 0; e < epochs; e++) {
                int[] p = new int[N];
                for (int i = 0; i < N; i++) {
                    p[i] = i;
                }
                for (int i = N - 1; i > 0; i--) {
                    int j = r.nextInt(i + 1);
                    int t = p[i];
                    p[i] = p[j];
                    p[j] = t;
                }
                perms[e] = p;
            }
            return new Data(x, y, w0, perms);
        }

        int stepsPerEpoch() {
            return N / BATCH;
        }
    }

    final Backend backend;
    final Tensor x;
    final Tensor y;
    final Tensor perm;
    final Tensor xb;
    final Tensor yb;
    final Tensor logits;
    final Tensor dLogits;
    final Tensor w;
    final Tensor b;
    final Tensor dW;
    final Tensor dB;
    final Tensor s1w;
    final Tensor s1b;
    final Tensor s2w;
    final Tensor s2b;
    final Tensor losses;

    SoftmaxRegression(Backend backend, Data data, int totalSteps) {
        this.backend = backend;
        x = backend.upload(data.x(), N, D);
        y = backend.uploadInt(data.y(), N);
        perm = backend.allocateInt(N);
        xb = backend.allocate(BATCH, D);
        yb = backend.allocateInt(BATCH);
        logits = backend.allocate(BATCH, K);
        dLogits = backend.allocate(BATCH, K);
        w = backend.upload(data.w0(), D, K);
        b = backend.allocate(K);
        dW = backend.allocate(D, K);
        dB = backend.allocate(K);
        s1w = backend.allocate(D, K);
        s1b = backend.allocate(K);
        s2w = backend.allocate(D, K);
        s2b = backend.allocate(K);
        losses = backend.allocate(totalSteps);
    }

    /** Queues the batch's gather, forward and backward (no optimizer step); writes the loss to losses[step]. */
    void forwardBackward(int batchInEpoch, int step) {
        int offset = batchInEpoch * BATCH;
        backend.gatherRows(x, perm, offset, xb);
        backend.gatherRows(y, perm, offset, yb);
        backend.gemm(false, false, 1f, xb, w, 0f, logits);
        backend.addRowVector(logits, b);
        backend.softmaxCrossEntropy(logits, yb, dLogits, BATCH, losses, step);
        backend.gemm(true, false, 1f, xb, dLogits, 0f, dW);
        backend.columnSums(1f, dLogits, 0f, dB);
    }

    void sgd(double lr, double momentum, boolean first) {
        backend.sgdUpdate(w, dW, s1w, lr, momentum, 0, false, 0, false, first);
        backend.sgdUpdate(b, dB, s1b, lr, momentum, 0, false, 0, false, first);
    }

    void adam(double lr, long t) {
        backend.adamUpdate(w, dW, s1w, s2w, null, lr, 0.9, 0.999, 1e-8, 1e-4, true, false, t);
        backend.adamUpdate(b, dB, s1b, s2b, null, lr, 0.9, 0.999, 1e-8, 1e-4, true, false, t);
    }

    /** Trains for the data's epochs; returns the per-step losses, read back once at the end. */
    float[] train(Data data, boolean adam) {
        int step = 0;
        for (int[] p : data.permutations()) {
            backend.uploadInt(p, 0, perm);
            for (int bi = 0; bi < data.stepsPerEpoch(); bi++) {
                forwardBackward(bi, step);
                if (adam) {
                    adam(0.05, step + 1);
                } else {
                    sgd(0.1, 0.9, step == 0);
                }
                step++;
            }
        }
        return backend.download(losses);
    }

    @Override
    public void close() {
        for (Tensor t : new Tensor[] {x, y, perm, xb, yb, logits, dLogits, w, b, dW, dB, s1w, s1b, s2w, s2b,
            losses}) {
            t.close();
        }
    }
}
