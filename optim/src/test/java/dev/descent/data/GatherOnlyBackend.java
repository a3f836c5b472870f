package dev.descent.data;

import dev.descent.backend.Backend;
import dev.descent.backend.BinaryOp;
import dev.descent.backend.DType;
import dev.descent.backend.ReduceOp;
import dev.descent.backend.Tensor;
import dev.descent.backend.UnaryOp;

import java.util.ArrayList;
import java.util.List;

/**
 * A minimal heap backend for the loader's unit tests in optim (which knows no real backend): memory, uploads,
 * downloads and {@link #gatherRows}, written as plainly as possible. Every other operation throws: the loader must not
 * call them. The loader is tested on the real CPU backend in integration-tests as well.
 */
final class GatherOnlyBackend implements Backend {
    final List<HeapTensor> live = new ArrayList<>();
    int gatherCalls;
    int uploadIntCalls;

    final class HeapTensor implements Tensor {
        final DType dtype;
        final int[] shape;
        final float[] f;
        final int[] i;
        boolean closed;

        HeapTensor(DType dtype, int... shape) {
            if (shape.length < 1 || shape.length > 2) {
                throw new IllegalArgumentException("rank 1 or 2 only");
            }
            for (int s : shape) {
                if (s < 1) {
                    throw new IllegalArgumentException("empty dimension");
                }
            }
            this.dtype = dtype;
            this.shape = shape.clone();
            int n = rows() * cols();
            f = dtype == DType.F32 ? new float[n] : null;
            i = dtype == DType.I32 ? new int[n] : null;
            live.add(this);
        }

        @Override
        public Backend backend() {
            return GatherOnlyBackend.this;
        }

        @Override
        public DType dtype() {
            return dtype;
        }

        @Override
        public int rows() {
            return shape[0];
        }

        @Override
        public int cols() {
            return shape.length == 2 ? shape[1] : 1;
        }

        @Override
        public int[] shape() {
            return shape.clone();
        }

        @Override
        public boolean isClosed() {
            return closed;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    private HeapTensor t(Tensor x, DType want) {
        HeapTensor h = (HeapTensor) x;
        if (h.closed) {
            throw new IllegalStateException("closed tensor");
        }
        if (h.dtype != want) {
            throw new IllegalArgumentException("want " + want);
        }
        return h;
    }

    long openTensors() {
        return live.stream().filter(h -> !h.closed).count();
    }

    @Override
    public String name() {
        return "gather-only";
    }

    @Override
    public String description() {
        return "test backend";
    }

    @Override
    public int threads() {
        return 1;
    }

    @Override
    public Tensor allocate(int... shape) {
        return new HeapTensor(DType.F32, shape);
    }

    @Override
    public Tensor allocateInt(int... shape) {
        return new HeapTensor(DType.I32, shape);
    }

    @Override
    public Tensor upload(float[] data, int... shape) {
        HeapTensor h = new HeapTensor(DType.F32, shape);
        System.arraycopy(data, 0, h.f, 0, h.f.length);
        return h;
    }

    @Override
    public Tensor uploadInt(int[] data, int... shape) {
        HeapTensor h = new HeapTensor(DType.I32, shape);
        System.arraycopy(data, 0, h.i, 0, h.i.length);
        return h;
    }

    @Override
    public void upload(float[] src, int srcOffset, Tensor dst) {
        HeapTensor h = t(dst, DType.F32);
        System.arraycopy(src, srcOffset, h.f, 0, h.f.length);
    }

    @Override
    public void uploadInt(int[] src, int srcOffset, Tensor dst) {
        uploadIntCalls++;
        HeapTensor h = t(dst, DType.I32);
        System.arraycopy(src, srcOffset, h.i, 0, h.i.length);
    }

    @Override
    public void download(Tensor src, float[] dst, int dstOffset) {
        HeapTensor h = t(src, DType.F32);
        System.arraycopy(h.f, 0, dst, dstOffset, h.f.length);
    }

    @Override
    public void downloadInt(Tensor src, int[] dst, int dstOffset) {
        HeapTensor h = t(src, DType.I32);
        System.arraycopy(h.i, 0, dst, dstOffset, h.i.length);
    }

    @Override
    public float get(Tensor src, long index) {
        return t(src, DType.F32).f[Math.toIntExact(index)];
    }

    @Override
    public void synchronize() {
    }

    /** When set, {@link #gatherRowsAsync} gathers only when its handle is awaited (a background copy, at its latest). */
    boolean deferAsync;
    /** Background gathers started and not yet awaited. */
    int inFlight;

    @Override
    public boolean gathersInBackground() {
        return deferAsync;
    }

    @Override
    public Pending gatherRowsAsync(Tensor src, Tensor indices, int offset, Tensor dst) {
        if (!deferAsync) {
            return Backend.super.gatherRowsAsync(src, indices, offset, dst);
        }
        inFlight++;
        boolean[] done = {false};
        return () -> {
            if (!done[0]) {
                done[0] = true;
                inFlight--;
                gatherRows(src, indices, offset, dst);
            }
        };
    }

    @Override
    public void gatherRows(Tensor src, Tensor indices, int offset, Tensor dst) {
        gatherCalls++;
        HeapTensor s = (HeapTensor) src;
        HeapTensor d = (HeapTensor) dst;
        HeapTensor ix = t(indices, DType.I32);
        if (s.closed || d.closed || s.dtype != d.dtype || s.cols() != d.cols()) {
            throw new IllegalArgumentException("gatherRows: mismatch");
        }
        if (offset < 0 || offset + d.rows() > ix.i.length) {
            throw new IllegalArgumentException("gatherRows: index range");
        }
        int c = s.cols();
        for (int r = 0; r < d.rows(); r++) {
            int from = ix.i[offset + r];
            if (from < 0 || from >= s.rows()) {
                throw new IllegalArgumentException("gatherRows: index " + from);
            }
            if (s.dtype == DType.F32) {
                System.arraycopy(s.f, from * c, d.f, r * c, c);
            } else {
                System.arraycopy(s.i, from * c, d.i, r * c, c);
            }
        }
    }

    private static UnsupportedOperationException unused() {
        return new UnsupportedOperationException("the data loader must not need this operation");
    }

    @Override
    public void gemm(boolean transA, boolean transB, float alpha, Tensor a, Tensor b, float beta, Tensor c) {
        throw unused();
    }

    @Override
    public void axpy(float alpha, Tensor x, Tensor y) {
        throw unused();
    }

    @Override
    public void scale(float alpha, Tensor x) {
        throw unused();
    }

    @Override
    public void fill(Tensor x, float value) {
        throw unused();
    }

    @Override
    public void copy(Tensor src, Tensor dst) {
        throw unused();
    }

    @Override
    public void multiply(Tensor a, Tensor b, Tensor out) {
        throw unused();
    }

    @Override
    public void clamp(Tensor x, float lo, float hi) {
        throw unused();
    }

    @Override
    public double sum(Tensor x) {
        throw unused();
    }

    @Override
    public double dot(Tensor x, Tensor y) {
        throw unused();
    }

    @Override
    public double squaredNorm(Tensor x) {
        throw unused();
    }

    @Override
    public float maxAbs(Tensor x) {
        throw unused();
    }

    @Override
    public boolean allFinite(Tensor x) {
        throw unused();
    }

    @Override
    public void argmaxRows(Tensor x, Tensor out) {
        throw unused();
    }

    @Override
    public void addRowVector(Tensor x, Tensor bias) {
        throw unused();
    }

    @Override
    public void columnSums(float alpha, Tensor x, float beta, Tensor out) {
        throw unused();
    }

    @Override
    public void relu(Tensor x, Tensor out) {
        throw unused();
    }

    @Override
    public void reluBackward(Tensor gradOut, Tensor activation, Tensor gradIn) {
        throw unused();
    }

    @Override
    public void softmaxCrossEntropy(Tensor logits, Tensor labels, Tensor grad, int normalizer, Tensor lossOut,
            int lossIndex) {
        throw unused();
    }

    @Override
    public void sigmoidBinaryCrossEntropy(Tensor logits, Tensor targets, Tensor grad, int normalizer, Tensor lossOut,
            int lossIndex) {
        throw unused();
    }

    @Override
    public void meanSquaredError(Tensor predictions, Tensor targets, Tensor grad, int normalizer, Tensor lossOut,
            int lossIndex) {
        throw unused();
    }

    @Override
    public void meanAbsoluteError(Tensor predictions, Tensor targets, Tensor grad, int normalizer, Tensor lossOut,
            int lossIndex) {
        throw unused();
    }

    @Override
    public void sgdUpdate(Tensor param, Tensor grad, Tensor momentumBuffer, double lr, double momentum,
            double dampening, boolean nesterov, double weightDecay, boolean maximize, boolean copyFirst) {
        throw unused();
    }

    @Override
    public void adamUpdate(Tensor param, Tensor grad, Tensor m, Tensor v, Tensor maxV, double lr, double beta1,
            double beta2, double eps, double weightDecay, boolean decoupled, boolean maximize, long step) {
        throw unused();
    }

    @Override
    public void rmspropUpdate(Tensor param, Tensor grad, Tensor squareAvg, Tensor gradAvg, Tensor momentumBuffer,
            double lr, double alpha, double eps, double weightDecay, double momentum, boolean maximize) {
        throw unused();
    }

    @Override
    public void adagradUpdate(Tensor param, Tensor grad, Tensor sum, double clr, double eps, double weightDecay,
            boolean maximize) {
        throw unused();
    }

    @Override
    public void nadamUpdate(Tensor param, Tensor grad, Tensor m, Tensor v, double gradStepSize,
            double momentumStepSize, double beta1, double beta2, double eps, double weightDecay, boolean maximize,
            long step) {
        throw unused();
    }

    @Override
    public void radamUpdate(Tensor param, Tensor grad, Tensor m, Tensor v, double lr, double beta1, double beta2,
            double eps, double weightDecay, boolean maximize, long step) {
        throw unused();
    }

    @Override
    public void adamaxUpdate(Tensor param, Tensor grad, Tensor m, Tensor u, double lr, double beta1, double beta2,
            double eps, double weightDecay, boolean maximize, long step) {
        throw unused();
    }

    @Override
    public void adadeltaUpdate(Tensor param, Tensor grad, Tensor squareAvg, Tensor accDelta, double lr, double rho,
            double eps, double weightDecay, boolean maximize) {
        throw unused();
    }

    // ---------------------------------------------------------------- views and autodiff: not used here

    @Override
    public Tensor reshape(Tensor x, int... shape) {
        throw unused();
    }

    @Override
    public void unary(UnaryOp op, float param, Tensor x, Tensor out) {
        throw unused();
    }

    @Override
    public void unaryBackward(UnaryOp op, float param, Tensor x, Tensor out, Tensor gradOut, float beta,
            Tensor gradIn) {
        throw unused();
    }

    @Override
    public void binary(BinaryOp op, Tensor a, Tensor b, Tensor out) {
        throw unused();
    }

    @Override
    public void binaryBackward(BinaryOp op, int argument, Tensor a, Tensor b, Tensor out, Tensor gradOut, float beta,
            Tensor gradArg) {
        throw unused();
    }

    @Override
    public void reduce(ReduceOp op, Tensor x, Tensor out) {
        throw unused();
    }

    @Override
    public void reduceBackward(ReduceOp op, Tensor x, Tensor out, Tensor gradOut, float beta, Tensor gradIn) {
        throw unused();
    }

    @Override
    public void softmaxRows(Tensor x, Tensor out, boolean log) {
        throw unused();
    }

    @Override
    public void softmaxRowsBackward(Tensor out, Tensor gradOut, boolean log, float beta, Tensor gradIn) {
        throw unused();
    }

    @Override
    public void gatherColumns(Tensor x, Tensor labels, Tensor out) {
        throw unused();
    }

    @Override
    public void scatterAddColumns(Tensor gradOut, Tensor labels, float beta, Tensor gradIn) {
        throw unused();
    }

    @Override
    public void transpose(Tensor x, float beta, Tensor out) {
        throw unused();
    }

    @Override
    public void copyBlock(Tensor src, int srcRow, int srcCol, Tensor dst, int dstRow, int dstCol, int rows, int cols,
            float beta) {
        throw unused();
    }

    @Override
    public void close() {
        for (HeapTensor h : live) {
            h.closed = true;
        }
    }
}
