package dev.descent.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.backend.Tensor;
import org.junit.jupiter.api.Test;

/** CUDA graph capture of a training step: replay and update give exactly what direct execution gives. */
class CudaGraphTest {
    private static final int EPOCHS = 2;

    @Test
    void replayingACapturedSgdStepEqualsRunningItDirectly() {
        SoftmaxRegression.Data data = SoftmaxRegression.Data.make(5, EPOCHS);
        int perEpoch = data.stepsPerEpoch();
        try (CudaBackend cuda = CudaTests.open();
                SoftmaxRegression direct = new SoftmaxRegression(cuda, data, EPOCHS * perEpoch);
                SoftmaxRegression graphed = new SoftmaxRegression(cuda, data, EPOCHS * perEpoch)) {
            float[] want = direct.train(data, false);

            float[] w0 = cuda.download(graphed.w);
            // the gather offset, lossIndex and SGD's first-step flag are captured scalars that change from step to
            // step, so each step re-records with update(): the losses stay on the device until the end
            int step = 0;
            CudaGraph g = null;
            for (int[] p : data.permutations()) {
                cuda.uploadInt(p, 0, graphed.perm);
                for (int bi = 0; bi < perEpoch; bi++) {
                    final int s = step;
                    final int batch = bi;
                    Runnable body = () -> {
                        graphed.forwardBackward(batch, s);
                        graphed.sgd(0.1, 0.9, s == 0);
                    };
                    if (g == null) {
                        g = cuda.captureGraph(body);
                        assertArrayEquals(w0, cuda.download(graphed.w), "capture records, it does not run");
                        g.replay();
                    } else {
                        g.update(body);
                    }
                    step++;
                }
            }
            float[] got = cuda.download(graphed.losses);
            assertArrayEquals(want, got, "per-step losses");
            assertArrayEquals(cuda.download(direct.w), cuda.download(graphed.w), "weights");
            g.close();
            g.close();
        }
    }

    @Test
    void aReplayedGraphRepeatsTheSameStepOnNewBatchContents() {
        try (CudaBackend cuda = CudaTests.open();
                Tensor x = cuda.allocate(4, 3);
                Tensor w = cuda.upload(new float[] {1, 0, 0, 1, 1, 0}, 3, 2);
                Tensor out = cuda.allocate(4, 2);
                Tensor sum = cuda.allocate(2)) {
            CudaGraph g = cuda.captureGraph(() -> {
                cuda.gemm(false, false, 1f, x, w, 0f, out);
                cuda.columnSums(1f, out, 1f, sum);
            });
            float[][] batches = {{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}};
            for (float[] batch : batches) {
                cuda.upload(batch, 0, x);
                g.replay();
            }
            // w = [[1, 0], [0, 1], [1, 0]]: out row i = (x_i0 + x_i2, x_i1). Batch 1 gives column sums (52, 26),
            // batch 2 (all ones) rows (2, 1) and sums (8, 4); sum accumulates over both replays.
            assertArrayEquals(new float[] {2, 1, 2, 1, 2, 1, 2, 1}, cuda.download(out));
            assertArrayEquals(new float[] {60, 30}, cuda.download(sum));
        }
    }

    @Test
    void captureRefusesWhatAGraphCannotHoldAndLeavesTheBackendUsable() {
        try (CudaBackend cuda = CudaTests.open(); Tensor x = cuda.upload(new float[] {1, 2, 3}, 3)) {
            for (Runnable bad : new Runnable[] {
                () -> cuda.sum(x),
                cuda::synchronize,
                () -> cuda.allocate(2),
                () -> cuda.upload(new float[3], 0, x),
                () -> cuda.download(x),
                x::close,
            }) {
                IllegalStateException e = assertThrows(IllegalStateException.class, () -> cuda.captureGraph(() -> {
                    cuda.scale(2f, x);
                    bad.run();
                }));
                assertTrue(e.getMessage().contains("captur"), e.getMessage());
            }
            assertThrows(IllegalStateException.class, () -> cuda.captureGraph(() -> cuda.captureGraph(() -> { })));
            assertArrayEquals(new float[] {1, 2, 3}, cuda.download(x), "nothing captured ran");
            cuda.scale(2f, x);
            assertArrayEquals(new float[] {2, 4, 6}, cuda.download(x));
        }
    }

    @Test
    void deviceChecksInsideAGraphAreReportedAfterTheReplay() {
        try (CudaBackend cuda = CudaTests.open();
                Tensor logits = cuda.allocate(2, 3);
                Tensor labels = cuda.uploadInt(new int[] {0, 1}, 2);
                Tensor loss = cuda.allocate(1)) {
            CudaGraph g = cuda.captureGraph(() -> cuda.softmaxCrossEntropy(logits, labels, null, 2, loss, 0));
            g.replay();
            assertTrue(Math.abs(cuda.get(loss, 0) - Math.log(3)) < 1e-6);
            cuda.uploadInt(new int[] {0, 5}, 0, labels);
            g.replay();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> cuda.get(loss, 0));
            assertTrue(e.getMessage().startsWith("softmaxCrossEntropy: label 5 in row 1 is outside [0, 3)"),
                    e.getMessage());
        }
    }

    @Test
    void graphsCloseWithTheirBackend() {
        CudaBackend cuda = CudaTests.open();
        Tensor x = cuda.upload(new float[] {1}, 1);
        CudaGraph g = cuda.captureGraph(() -> cuda.scale(3f, x));
        cuda.close();
        assertTrue(g.isClosed());
        assertThrows(IllegalStateException.class, g::replay);
        g.close();
    }
}
