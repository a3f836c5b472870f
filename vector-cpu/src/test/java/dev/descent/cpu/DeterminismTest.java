package dev.descent.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.descent.backend.Backend;
import dev.descent.backend.BackendOptions;
import dev.descent.backend.BinaryOp;
import dev.descent.backend.ReduceOp;
import dev.descent.backend.Tensor;
import dev.descent.backend.UnaryOp;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

/**
 * Results must be bit-identical whatever the thread count: the same work on backends with 1, 2 and 3 threads. The
 * sizes are chosen so that every operation is split into many chunks and runs on the pool. The work is repeated
 * twice over, so that the later runs meet kernels that C2 has compiled since the first: a kernel whose rounding
 * depends on the compilation tier (the Vector API's EXP did) gives a row computed before a compilation other bits than
 * the same row computed after it.
 */
class DeterminismTest {

    /** Everything computed by one backend, in a fixed order. */
    private static List<Object> run(int threads) {
        Random random = new Random(99);
        List<Object> out = new ArrayList<>();
        try (Backend be = new CpuBackend(BackendOptions.threads(threads))) {
            int rows = 2500;
            int features = 200;
            int classes = 24;
            Tensor x = be.upload(randn(random, rows * features), rows, features);
            Tensor w = be.upload(randn(random, features * classes), features, classes);
            Tensor logits = be.allocate(rows, classes);
            be.gemm(false, false, 1f, x, w, 0f, logits);
            out.add(be.download(logits));
            Tensor gw = be.allocate(features, classes);
            be.gemm(true, false, 0.5f, x, logits, 0f, gw); // k = 2500: two reduction chunks
            out.add(be.download(gw));
            Tensor big = be.upload(randn(random, 9000 * 7), 9000, 7);
            Tensor gb = be.allocate(7, 7);
            be.gemm(true, false, 1f, big, big, 0f, gb); // k = 9000: five chunks
            out.add(be.download(gb));

            float[] v = randn(random, 250_003);
            Tensor tv = be.upload(v, v.length);
            Tensor tu = be.upload(randn(random, v.length), v.length);
            out.add(be.sum(tv));
            out.add(be.dot(tv, tu));
            out.add(be.squaredNorm(tv));
            out.add(be.maxAbs(tv));

            int n = 12000;
            int k = 10;
            Tensor z = be.upload(randn(random, n * k), n, k);
            int[] labels = new int[n];
            for (int i = 0; i < n; i++) {
                labels[i] = random.nextInt(k);
            }
            Tensor y = be.uploadInt(labels, n);
            Tensor grad = be.allocate(n, k);
            Tensor loss = be.allocate(4);
            be.softmaxCrossEntropy(z, y, grad, n, loss, 0);
            out.add(be.download(grad));
            Tensor t = be.upload(randn(random, n * k), n, k);
            be.sigmoidBinaryCrossEntropy(z, t, grad, n, loss, 1);
            out.add(be.download(grad));
            be.meanSquaredError(z, t, grad, n, loss, 2);
            be.meanAbsoluteError(z, t, null, n, loss, 3);
            out.add(be.download(loss));
            Tensor cs = be.allocate(k);
            be.columnSums(1f, z, 0f, cs);
            out.add(be.download(cs));

            Tensor p = be.upload(randn(random, 100_000), 100_000);
            Tensor g = be.upload(randn(random, 100_000), 100_000);
            Tensor m = be.allocate(100_000);
            Tensor s2 = be.allocate(100_000);
            be.adamUpdate(p, g, m, s2, null, 1e-3, 0.9, 0.999, 1e-8, 0.01, true, false, 1);
            out.add(be.download(p));

            autodiff(be, random, out);
        }
        return out;
    }

    /** The operations autodiff records, on shapes that take their parallel paths. */
    private static void autodiff(Backend be, Random random, List<Object> out) {
        int r = 700;
        int c = 301;
        Tensor x = be.upload(randn(random, r * c), r, c);
        Tensor g = be.upload(randn(random, r * c), r, c);
        Tensor y = be.allocate(r, c);
        Tensor gi = be.upload(randn(random, r * c), r, c);
        be.unary(UnaryOp.TANH, 0f, x, y);
        out.add(be.download(y));
        be.unaryBackward(UnaryOp.TANH, 0f, x, y, g, 1f, gi);
        be.unaryBackward(UnaryOp.POW, 2.5f, x, y, g, 0.5f, gi);
        out.add(be.download(gi));
        Tensor row = be.upload(randn(random, c), 1, c);
        Tensor col = be.upload(randn(random, r), r, 1);
        Tensor one = be.upload(new float[] {0.7f}, 1, 1);
        be.binary(BinaryOp.MUL, x, row, y);
        out.add(be.download(y));
        for (Tensor arg : new Tensor[] {row, col, one}) {
            Tensor ga = be.allocate(arg.rows(), arg.cols());
            be.binaryBackward(BinaryOp.DIV, 1, x, arg, y, g, 0f, ga);
            be.binaryBackward(BinaryOp.ADD, 1, x, arg, y, g, 1f, ga);
            out.add(be.download(ga));
        }
        for (ReduceOp op : ReduceOp.values()) {
            for (int[] shape : new int[][] {{1}, {1, c}, {r, 1}}) {
                Tensor o = be.allocate(shape);
                be.reduce(op, x, o);
                out.add(be.download(o));
                be.reduceBackward(op, x, o, o, 1f, gi);
            }
        }
        out.add(be.download(gi));
        be.softmaxRows(x, y, true);
        out.add(be.download(y));
        be.softmaxRowsBackward(y, g, true, 0f, gi);
        out.add(be.download(gi));
        be.softmaxRows(x, y, false);
        be.softmaxRowsBackward(y, g, false, 1f, gi);
        out.add(be.download(gi));
        int[] labels = new int[r];
        for (int i = 0; i < r; i++) {
            labels[i] = random.nextInt(c);
        }
        Tensor ty = be.uploadInt(labels, r);
        Tensor picked = be.allocate(r);
        be.gatherColumns(x, ty, picked);
        be.scatterAddColumns(picked, ty, 0.5f, gi);
        Tensor xt = be.upload(randn(random, r * c), c, r);
        be.transpose(gi, 1f, xt);
        be.copyBlock(xt, 1, 2, gi, 3, 4, 250, 280, 1f);
        out.add(be.download(gi));
        out.add(be.download(xt));
    }

    private static float[] randn(Random random, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = random.nextFloat() * 4 - 2;
        }
        return a;
    }

    @Test
    void oneTwoAndThreeThreadsGiveIdenticalBits() {
        List<Object> one = run(1);
        for (int threads : new int[] {2, 3, 1, 2, 3, 1}) {
            List<Object> other = run(threads);
            assertEquals(one.size(), other.size());
            for (int i = 0; i < one.size(); i++) {
                Object a = one.get(i);
                Object b = other.get(i);
                if (a instanceof float[] fa) {
                    assertArrayEquals(fa, (float[]) b, "result " + i + " with " + threads + " threads");
                } else {
                    assertEquals(a, b, "result " + i + " with " + threads + " threads");
                }
            }
        }
    }
}
