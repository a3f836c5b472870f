package dev.descent.optim;

import dev.descent.backend.Backend;
import dev.descent.backend.BinaryOp;
import dev.descent.backend.DType;
import dev.descent.backend.ReduceOp;
import dev.descent.backend.Tensor;
import dev.descent.backend.UnaryOp;
import java.util.ArrayList;
import java.util.List;

/**
 * A test double of {@link Backend} for the optimizer mechanics: heap float tensors, the memory operations, the clipping
 * primitives and the fused updates written plainly from PARITY.md in float32, and counters of every call. The
 * numerics against PyTorch are tested on the real CPU backend in integration-tests; this double checks call counts,
 * allocations and the state format.
 */
final class RecordingBackend implements Backend {
    int allocations;
    int updates;
    int sgdCalls;
    int adamCalls;
    int rmspropCalls;
    int adagradCalls;
    int nadamCalls;
    int radamCalls;
    int adamaxCalls;
    int adadeltaCalls;
    /** NAdam's (gradStepSize, momentumStepSize) per call, while recording. */
    final List<double[]> nadamStepSizes = new ArrayList<>();
    int scaleCalls;
    int clampCalls;
    final List<Double> lrs = new ArrayList<>();
    final List<Boolean> copyFirst = new ArrayList<>();
    final List<Long> adamSteps = new ArrayList<>();
    private final List<T> live = new ArrayList<>();

    final class T implements Tensor {
        final float[] data;
        final int[] shape;
        boolean closed;

        T(int[] shape) {
            this.shape = shape.clone();
            long n = 1;
            for (int d : shape) {
                n *= d;
            }
            this.data = new float[Math.toIntExact(n)];
        }

        @Override
        public Backend backend() {
            return RecordingBackend.this;
        }

        @Override
        public DType dtype() {
            return DType.F32;
        }

        @Override
        public int rows() {
            return shape[0];
        }

        @Override
        public int cols() {
            return shape.length == 1 ? 1 : shape[1];
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

    private T t(Tensor x) {
        if (!(x instanceof T tt) || tt.backend() != this) {
            throw new IllegalArgumentException("tensor of another backend");
        }
        if (tt.closed) {
            throw new IllegalStateException("closed tensor");
        }
        return tt;
    }

    int liveTensors() {
        int n = 0;
        for (T x : live) {
            if (!x.closed) {
                n++;
            }
        }
        return n;
    }

    @Override
    public String name() {
        return "recording";
    }

    @Override
    public String description() {
        return "recording test backend";
    }

    @Override
    public int threads() {
        return 1;
    }

    @Override
    public Tensor allocate(int... shape) {
        allocations++;
        T x = new T(shape);
        live.add(x);
        return x;
    }

    @Override
    public Tensor allocateInt(int... shape) {
        throw new UnsupportedOperationException();
    }

    @Override
    public Tensor upload(float[] data, int... shape) {
        T x = (T) allocate(shape);
        System.arraycopy(data, 0, x.data, 0, x.data.length);
        return x;
    }

    @Override
    public Tensor uploadInt(int[] data, int... shape) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void upload(float[] src, int srcOffset, Tensor dst) {
        T d = t(dst);
        System.arraycopy(src, srcOffset, d.data, 0, d.data.length);
    }

    @Override
    public void uploadInt(int[] src, int srcOffset, Tensor dst) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void download(Tensor src, float[] dst, int dstOffset) {
        T s = t(src);
        System.arraycopy(s.data, 0, dst, dstOffset, s.data.length);
    }

    @Override
    public void downloadInt(Tensor src, int[] dst, int dstOffset) {
        throw new UnsupportedOperationException();
    }

    @Override
    public float get(Tensor src, long index) {
        return t(src).data[Math.toIntExact(index)];
    }

    @Override
    public void synchronize() {
    }

    @Override
    public void gemm(boolean transA, boolean transB, float alpha, Tensor a, Tensor b, float beta, Tensor c) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void axpy(float alpha, Tensor x, Tensor y) {
        float[] xs = t(x).data;
        float[] ys = t(y).data;
        for (int i = 0; i < ys.length; i++) {
            ys[i] += alpha * xs[i];
        }
    }

    @Override
    public void scale(float alpha, Tensor x) {
        scaleCalls++;
        float[] xs = t(x).data;
        for (int i = 0; i < xs.length; i++) {
            xs[i] *= alpha;
        }
    }

    @Override
    public void fill(Tensor x, float value) {
        java.util.Arrays.fill(t(x).data, value);
    }

    @Override
    public void copy(Tensor src, Tensor dst) {
        System.arraycopy(t(src).data, 0, t(dst).data, 0, t(dst).data.length);
    }

    @Override
    public void multiply(Tensor a, Tensor b, Tensor out) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void clamp(Tensor x, float lo, float hi) {
        clampCalls++;
        float[] xs = t(x).data;
        for (int i = 0; i < xs.length; i++) {
            xs[i] = Math.min(Math.max(xs[i], lo), hi);
        }
    }

    @Override
    public double sum(Tensor x) {
        double s = 0;
        for (float v : t(x).data) {
            s += v;
        }
        return s;
    }

    @Override
    public double dot(Tensor x, Tensor y) {
        float[] xs = t(x).data;
        float[] ys = t(y).data;
        double s = 0;
        for (int i = 0; i < xs.length; i++) {
            s += (double) xs[i] * ys[i];
        }
        return s;
    }

    @Override
    public double squaredNorm(Tensor x) {
        double s = 0;
        for (float v : t(x).data) {
            s += (double) v * v;
        }
        return s;
    }

    @Override
    public float maxAbs(Tensor x) {
        float m = 0f;
        for (float v : t(x).data) {
            if (Float.isNaN(v)) {
                return Float.NaN;
            }
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }

    @Override
    public boolean allFinite(Tensor x) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void gatherRows(Tensor src, Tensor indices, int offset, Tensor dst) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void argmaxRows(Tensor x, Tensor out) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void addRowVector(Tensor x, Tensor bias) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void columnSums(float alpha, Tensor x, float beta, Tensor out) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void relu(Tensor x, Tensor out) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void reluBackward(Tensor gradOut, Tensor activation, Tensor gradIn) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void softmaxCrossEntropy(Tensor logits, Tensor labels, Tensor grad, int normalizer, Tensor lossOut,
            int lossIndex) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void sigmoidBinaryCrossEntropy(Tensor logits, Tensor targets, Tensor grad, int normalizer, Tensor lossOut,
            int lossIndex) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void meanSquaredError(Tensor predictions, Tensor targets, Tensor grad, int normalizer, Tensor lossOut,
            int lossIndex) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void meanAbsoluteError(Tensor predictions, Tensor targets, Tensor grad, int normalizer, Tensor lossOut,
            int lossIndex) {
        throw new UnsupportedOperationException();
    }

    private boolean record = true;

    /** Stops recording per-call lists (so that an allocation measurement sees no list growth). */
    void quiet() {
        record = false;
    }

    @Override
    public void sgdUpdate(Tensor param, Tensor grad, Tensor momentumBuffer, double lr, double momentum,
            double dampening, boolean nesterov, double weightDecay, boolean maximize, boolean copyFirst) {
        updates++;
        sgdCalls++;
        if (record) {
            lrs.add(lr);
            this.copyFirst.add(copyFirst);
        }
        float[] p = t(param).data;
        float[] g = t(grad).data;
        float[] b = momentumBuffer == null ? null : t(momentumBuffer).data;
        for (int i = 0; i < p.length; i++) {
            float d = maximize ? -g[i] : g[i];
            if (weightDecay != 0) {
                d = d + (float) weightDecay * p[i];
            }
            if (momentum != 0) {
                b[i] = copyFirst ? d : (float) momentum * b[i] + (float) (1 - dampening) * d;
                d = nesterov ? d + (float) momentum * b[i] : b[i];
            }
            p[i] = p[i] - (float) lr * d;
        }
    }

    @Override
    public void adamUpdate(Tensor param, Tensor grad, Tensor m, Tensor v, Tensor maxV, double lr, double beta1,
            double beta2, double eps, double weightDecay, boolean decoupled, boolean maximize, long step) {
        updates++;
        adamCalls++;
        if (record) {
            lrs.add(lr);
            adamSteps.add(step);
        }
        float[] p = t(param).data;
        float[] g = t(grad).data;
        float[] ms = t(m).data;
        float[] vs = t(v).data;
        float[] mx = maxV == null ? null : t(maxV).data;
        double bc1 = 1 - Math.pow(beta1, step);
        double bc2 = Math.sqrt(1 - Math.pow(beta2, step));
        for (int i = 0; i < p.length; i++) {
            float d = maximize ? -g[i] : g[i];
            if (decoupled) {
                p[i] = p[i] * (float) (1 - lr * weightDecay);
            } else if (weightDecay != 0) {
                d = d + (float) weightDecay * p[i];
            }
            ms[i] = (float) beta1 * ms[i] + (float) (1 - beta1) * d;
            vs[i] = (float) beta2 * vs[i] + (float) (1 - beta2) * d * d;
            float vv = vs[i];
            if (mx != null) {
                mx[i] = Math.max(mx[i], vs[i]);
                vv = mx[i];
            }
            float denom = (float) Math.sqrt(vv) / (float) bc2 + (float) eps;
            p[i] = p[i] - (float) (lr / bc1) * (ms[i] / denom);
        }
    }

    @Override
    public void rmspropUpdate(Tensor param, Tensor grad, Tensor squareAvg, Tensor gradAvg, Tensor momentumBuffer,
            double lr, double alpha, double eps, double weightDecay, double momentum, boolean maximize) {
        updates++;
        rmspropCalls++;
        if (record) {
            lrs.add(lr);
        }
        float[] p = t(param).data;
        float[] g = t(grad).data;
        float[] sq = t(squareAvg).data;
        float[] ga = gradAvg == null ? null : t(gradAvg).data;
        float[] b = momentumBuffer == null ? null : t(momentumBuffer).data;
        for (int i = 0; i < p.length; i++) {
            float d = maximize ? -g[i] : g[i];
            if (weightDecay != 0) {
                d = d + (float) weightDecay * p[i];
            }
            sq[i] = (float) alpha * sq[i] + (float) (1 - alpha) * d * d;
            float avg;
            if (ga != null) {
                ga[i] = (float) alpha * ga[i] + (float) (1 - alpha) * d;
                avg = (float) Math.sqrt(sq[i] - ga[i] * ga[i]) + (float) eps;
            } else {
                avg = (float) Math.sqrt(sq[i]) + (float) eps;
            }
            if (b != null) {
                b[i] = (float) momentum * b[i] + d / avg;
                p[i] = p[i] - (float) lr * b[i];
            } else {
                p[i] = p[i] - (float) lr * (d / avg);
            }
        }
    }

    @Override
    public void adagradUpdate(Tensor param, Tensor grad, Tensor sum, double clr, double eps, double weightDecay,
            boolean maximize) {
        updates++;
        adagradCalls++;
        if (record) {
            lrs.add(clr);
        }
        float[] p = t(param).data;
        float[] g = t(grad).data;
        float[] s = t(sum).data;
        for (int i = 0; i < p.length; i++) {
            float d = maximize ? -g[i] : g[i];
            if (weightDecay != 0) {
                d = d + (float) weightDecay * p[i];
            }
            s[i] = s[i] + d * d;
            p[i] = p[i] - (float) clr * (d / ((float) Math.sqrt(s[i]) + (float) eps));
        }
    }

    @Override
    public void nadamUpdate(Tensor param, Tensor grad, Tensor m, Tensor v, double gradStepSize,
            double momentumStepSize, double beta1, double beta2, double eps, double weightDecay, boolean maximize,
            long step) {
        updates++;
        nadamCalls++;
        if (record) {
            lrs.add(gradStepSize);
            adamSteps.add(step);
            nadamStepSizes.add(new double[] {gradStepSize, momentumStepSize});
        }
        float[] p = t(param).data;
        float[] g = t(grad).data;
        float[] ms = t(m).data;
        float[] vs = t(v).data;
        double bc2 = 1 - Math.pow(beta2, step);
        for (int i = 0; i < p.length; i++) {
            float d = maximize ? -g[i] : g[i];
            if (weightDecay != 0) {
                d = d + (float) weightDecay * p[i];
            }
            ms[i] = (float) beta1 * ms[i] + (float) (1 - beta1) * d;
            vs[i] = (float) beta2 * vs[i] + (float) (1 - beta2) * d * d;
            float denom = (float) Math.sqrt(vs[i] / (float) bc2) + (float) eps;
            p[i] = p[i] - (float) gradStepSize * (d / denom);
            p[i] = p[i] - (float) momentumStepSize * (ms[i] / denom);
        }
    }

    @Override
    public void radamUpdate(Tensor param, Tensor grad, Tensor m, Tensor v, double lr, double beta1, double beta2,
            double eps, double weightDecay, boolean maximize, long step) {
        updates++;
        radamCalls++;
        if (record) {
            lrs.add(lr);
            adamSteps.add(step);
        }
        float[] p = t(param).data;
        float[] g = t(grad).data;
        float[] ms = t(m).data;
        float[] vs = t(v).data;
        double bc1 = 1 - Math.pow(beta1, step);
        double bc2 = 1 - Math.pow(beta2, step);
        double rhoInf = 2 / (1 - beta2) - 1;
        double rho = rhoInf - 2 * step * Math.pow(beta2, step) / bc2;
        double rect = Math.sqrt((rho - 4) * (rho - 2) * rhoInf / ((rhoInf - 4) * (rhoInf - 2) * rho));
        for (int i = 0; i < p.length; i++) {
            float d = maximize ? -g[i] : g[i];
            if (weightDecay != 0) {
                d = d + (float) weightDecay * p[i];
            }
            ms[i] = (float) beta1 * ms[i] + (float) (1 - beta1) * d;
            vs[i] = (float) beta2 * vs[i] + (float) (1 - beta2) * d * d;
            float mh = ms[i] / (float) bc1;
            if (rho > 5) {
                p[i] = p[i] - mh * (float) lr * ((float) Math.sqrt(bc2) / ((float) Math.sqrt(vs[i]) + (float) eps))
                        * (float) rect;
            } else {
                p[i] = p[i] - mh * (float) lr;
            }
        }
    }

    @Override
    public void adamaxUpdate(Tensor param, Tensor grad, Tensor m, Tensor u, double lr, double beta1, double beta2,
            double eps, double weightDecay, boolean maximize, long step) {
        updates++;
        adamaxCalls++;
        if (record) {
            lrs.add(lr);
            adamSteps.add(step);
        }
        float[] p = t(param).data;
        float[] g = t(grad).data;
        float[] ms = t(m).data;
        float[] us = t(u).data;
        double clr = lr / (1 - Math.pow(beta1, step));
        for (int i = 0; i < p.length; i++) {
            float d = maximize ? -g[i] : g[i];
            if (weightDecay != 0) {
                d = d + (float) weightDecay * p[i];
            }
            ms[i] = (float) beta1 * ms[i] + (float) (1 - beta1) * d;
            us[i] = Math.max((float) beta2 * us[i], Math.abs(d) + (float) eps);
            p[i] = p[i] - (float) clr * (ms[i] / us[i]);
        }
    }

    @Override
    public void adadeltaUpdate(Tensor param, Tensor grad, Tensor squareAvg, Tensor accDelta, double lr, double rho,
            double eps, double weightDecay, boolean maximize) {
        updates++;
        adadeltaCalls++;
        if (record) {
            lrs.add(lr);
        }
        float[] p = t(param).data;
        float[] g = t(grad).data;
        float[] sq = t(squareAvg).data;
        float[] acc = t(accDelta).data;
        for (int i = 0; i < p.length; i++) {
            float d = maximize ? -g[i] : g[i];
            if (weightDecay != 0) {
                d = d + (float) weightDecay * p[i];
            }
            sq[i] = (float) rho * sq[i] + (float) (1 - rho) * d * d;
            float delta = (float) Math.sqrt(acc[i] + (float) eps) / (float) Math.sqrt(sq[i] + (float) eps) * d;
            acc[i] = (float) rho * acc[i] + (float) (1 - rho) * delta * delta;
            p[i] = p[i] - (float) lr * delta;
        }
    }

    // ---------------------------------------------------------------- views and autodiff: not used here

    @Override
    public Tensor reshape(Tensor x, int... shape) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void unary(UnaryOp op, float param, Tensor x, Tensor out) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void unaryBackward(UnaryOp op, float param, Tensor x, Tensor out, Tensor gradOut, float beta,
            Tensor gradIn) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void binary(BinaryOp op, Tensor a, Tensor b, Tensor out) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void binaryBackward(BinaryOp op, int argument, Tensor a, Tensor b, Tensor out, Tensor gradOut, float beta,
            Tensor gradArg) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void reduce(ReduceOp op, Tensor x, Tensor out) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void reduceBackward(ReduceOp op, Tensor x, Tensor out, Tensor gradOut, float beta, Tensor gradIn) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void softmaxRows(Tensor x, Tensor out, boolean log) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void softmaxRowsBackward(Tensor out, Tensor gradOut, boolean log, float beta, Tensor gradIn) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void gatherColumns(Tensor x, Tensor labels, Tensor out) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void scatterAddColumns(Tensor gradOut, Tensor labels, float beta, Tensor gradIn) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void transpose(Tensor x, float beta, Tensor out) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void copyBlock(Tensor src, int srcRow, int srcCol, Tensor dst, int dstRow, int dstCol, int rows, int cols,
            float beta) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void close() {
        for (T x : live) {
            x.closed = true;
        }
    }
}
