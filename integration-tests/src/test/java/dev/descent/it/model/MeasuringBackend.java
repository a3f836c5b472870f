package dev.descent.it.model;

import dev.descent.backend.Backend;
import dev.descent.backend.BinaryOp;
import dev.descent.backend.ReduceOp;
import dev.descent.backend.Tensor;
import dev.descent.backend.UnaryOp;
import java.lang.management.ManagementFactory;

/**
 * Delegates every call to a real backend and counts the bytes the calling thread allocates inside those calls, so that
 * a test can tell allocations by descent's own code (model, trainer, loader) from allocations inside the backend's
 * kernels. Tensors are the delegate's own.
 */
public final class MeasuringBackend implements Backend {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private final Backend d;
    private long inside;
    private long mark;

    public MeasuringBackend(Backend delegate) {
        this.d = delegate;
    }

    /** Bytes the current thread has allocated so far. */
    public static long allocated() {
        return THREADS.getCurrentThreadAllocatedBytes();
    }

    /** Bytes allocated inside delegated calls so far. */
    public long insideBackend() {
        return inside;
    }

    private void in() {
        mark = allocated();
    }

    private void out() {
        inside += allocated() - mark;
    }

    @Override public String name() { return d.name(); }
    @Override public String description() { return d.description(); }
    @Override public int threads() { return d.threads(); }
    @Override public Tensor allocate(int... shape) { return d.allocate(shape); }
    @Override public Tensor allocateInt(int... shape) { return d.allocateInt(shape); }
    @Override public Tensor upload(float[] data, int... shape) { return d.upload(data, shape); }
    @Override public Tensor uploadInt(int[] data, int... shape) { return d.uploadInt(data, shape); }

    @Override public void upload(float[] src, int off, Tensor dst) { in(); d.upload(src, off, dst); out(); }
    @Override public void uploadInt(int[] src, int off, Tensor dst) { in(); d.uploadInt(src, off, dst); out(); }
    @Override public void download(Tensor src, float[] dst, int off) { in(); d.download(src, dst, off); out(); }
    @Override public void downloadInt(Tensor src, int[] dst, int off) { in(); d.downloadInt(src, dst, off); out(); }

    @Override public float get(Tensor src, long index) {
        in();
        float v = d.get(src, index);
        out();
        return v;
    }

    @Override public void synchronize() { in(); d.synchronize(); out(); }

    @Override public void gemm(boolean ta, boolean tb, float alpha, Tensor a, Tensor b, float beta, Tensor c) {
        in();
        d.gemm(ta, tb, alpha, a, b, beta, c);
        out();
    }

    @Override public void axpy(float alpha, Tensor x, Tensor y) { in(); d.axpy(alpha, x, y); out(); }
    @Override public void scale(float alpha, Tensor x) { in(); d.scale(alpha, x); out(); }
    @Override public void fill(Tensor x, float value) { in(); d.fill(x, value); out(); }
    @Override public void copy(Tensor src, Tensor dst) { in(); d.copy(src, dst); out(); }
    @Override public void multiply(Tensor a, Tensor b, Tensor o) { in(); d.multiply(a, b, o); out(); }
    @Override public void clamp(Tensor x, float lo, float hi) { in(); d.clamp(x, lo, hi); out(); }

    @Override public double sum(Tensor x) {
        in();
        double v = d.sum(x);
        out();
        return v;
    }

    @Override public double dot(Tensor x, Tensor y) {
        in();
        double v = d.dot(x, y);
        out();
        return v;
    }

    @Override public double squaredNorm(Tensor x) {
        in();
        double v = d.squaredNorm(x);
        out();
        return v;
    }

    @Override public float maxAbs(Tensor x) {
        in();
        float v = d.maxAbs(x);
        out();
        return v;
    }

    @Override public boolean allFinite(Tensor x) {
        in();
        boolean v = d.allFinite(x);
        out();
        return v;
    }

    @Override public void gatherRows(Tensor src, Tensor idx, int off, Tensor dst) {
        in();
        d.gatherRows(src, idx, off, dst);
        out();
    }

    @Override public void argmaxRows(Tensor x, Tensor o) { in(); d.argmaxRows(x, o); out(); }
    @Override public void addRowVector(Tensor x, Tensor bias) { in(); d.addRowVector(x, bias); out(); }

    @Override public void columnSums(float alpha, Tensor x, float beta, Tensor o) {
        in();
        d.columnSums(alpha, x, beta, o);
        out();
    }

    @Override public void relu(Tensor x, Tensor o) { in(); d.relu(x, o); out(); }
    @Override public void reluBackward(Tensor g, Tensor a, Tensor o) { in(); d.reluBackward(g, a, o); out(); }

    @Override public void softmaxCrossEntropy(Tensor z, Tensor y, Tensor g, int n, Tensor lo, int li) {
        in();
        d.softmaxCrossEntropy(z, y, g, n, lo, li);
        out();
    }

    @Override public void sigmoidBinaryCrossEntropy(Tensor z, Tensor t, Tensor g, int n, Tensor lo, int li) {
        in();
        d.sigmoidBinaryCrossEntropy(z, t, g, n, lo, li);
        out();
    }

    @Override public void meanSquaredError(Tensor p, Tensor t, Tensor g, int n, Tensor lo, int li) {
        in();
        d.meanSquaredError(p, t, g, n, lo, li);
        out();
    }

    @Override public void meanAbsoluteError(Tensor p, Tensor t, Tensor g, int n, Tensor lo, int li) {
        in();
        d.meanAbsoluteError(p, t, g, n, lo, li);
        out();
    }

    @Override public void sgdUpdate(Tensor p, Tensor g, Tensor b, double lr, double mom, double damp, boolean nest,
            double wd, boolean max, boolean first) {
        in();
        d.sgdUpdate(p, g, b, lr, mom, damp, nest, wd, max, first);
        out();
    }

    @Override public void adamUpdate(Tensor p, Tensor g, Tensor m, Tensor v, Tensor maxV, double lr, double b1,
            double b2, double eps, double wd, boolean dec, boolean max, long step) {
        in();
        d.adamUpdate(p, g, m, v, maxV, lr, b1, b2, eps, wd, dec, max, step);
        out();
    }

    @Override public void rmspropUpdate(Tensor p, Tensor g, Tensor sq, Tensor ga, Tensor mb, double lr, double alpha,
            double eps, double wd, double mom, boolean max) {
        in();
        d.rmspropUpdate(p, g, sq, ga, mb, lr, alpha, eps, wd, mom, max);
        out();
    }

    @Override public void adagradUpdate(Tensor p, Tensor g, Tensor s, double clr, double eps, double wd,
            boolean max) {
        in();
        d.adagradUpdate(p, g, s, clr, eps, wd, max);
        out();
    }

    @Override public void nadamUpdate(Tensor p, Tensor g, Tensor m, Tensor v, double s1, double s2, double b1,
            double b2, double eps, double wd, boolean max, long step) {
        in();
        d.nadamUpdate(p, g, m, v, s1, s2, b1, b2, eps, wd, max, step);
        out();
    }

    @Override public void radamUpdate(Tensor p, Tensor g, Tensor m, Tensor v, double lr, double b1, double b2,
            double eps, double wd, boolean max, long step) {
        in();
        d.radamUpdate(p, g, m, v, lr, b1, b2, eps, wd, max, step);
        out();
    }

    @Override public void adamaxUpdate(Tensor p, Tensor g, Tensor m, Tensor u, double lr, double b1, double b2,
            double eps, double wd, boolean max, long step) {
        in();
        d.adamaxUpdate(p, g, m, u, lr, b1, b2, eps, wd, max, step);
        out();
    }

    @Override public void adadeltaUpdate(Tensor p, Tensor g, Tensor sq, Tensor acc, double lr, double rho,
            double eps, double wd, boolean max) {
        in();
        d.adadeltaUpdate(p, g, sq, acc, lr, rho, eps, wd, max);
        out();
    }

    @Override public Tensor reshape(Tensor x, int... shape) {
        in();
        Tensor v = d.reshape(x, shape);
        out();
        return v;
    }

    @Override public void unary(UnaryOp op, float param, Tensor x, Tensor o) {
        in();
        d.unary(op, param, x, o);
        out();
    }

    @Override public void unaryBackward(UnaryOp op, float param, Tensor x, Tensor o, Tensor go, float beta,
            Tensor gi) {
        in();
        d.unaryBackward(op, param, x, o, go, beta, gi);
        out();
    }

    @Override public void binary(BinaryOp op, Tensor a, Tensor b, Tensor o) {
        in();
        d.binary(op, a, b, o);
        out();
    }

    @Override public void binaryBackward(BinaryOp op, int arg, Tensor a, Tensor b, Tensor o, Tensor go, float beta,
            Tensor ga) {
        in();
        d.binaryBackward(op, arg, a, b, o, go, beta, ga);
        out();
    }

    @Override public void reduce(ReduceOp op, Tensor x, Tensor o) { in(); d.reduce(op, x, o); out(); }

    @Override public void reduceBackward(ReduceOp op, Tensor x, Tensor o, Tensor go, float beta, Tensor gi) {
        in();
        d.reduceBackward(op, x, o, go, beta, gi);
        out();
    }

    @Override public void softmaxRows(Tensor x, Tensor o, boolean log) { in(); d.softmaxRows(x, o, log); out(); }

    @Override public void softmaxRowsBackward(Tensor o, Tensor go, boolean log, float beta, Tensor gi) {
        in();
        d.softmaxRowsBackward(o, go, log, beta, gi);
        out();
    }

    @Override public void gatherColumns(Tensor x, Tensor y, Tensor o) { in(); d.gatherColumns(x, y, o); out(); }

    @Override public void scatterAddColumns(Tensor go, Tensor y, float beta, Tensor gi) {
        in();
        d.scatterAddColumns(go, y, beta, gi);
        out();
    }

    @Override public void transpose(Tensor x, float beta, Tensor o) { in(); d.transpose(x, beta, o); out(); }

    @Override public void copyBlock(Tensor src, int sr, int sc, Tensor dst, int dr, int dc, int rows, int cols,
            float beta) {
        in();
        d.copyBlock(src, sr, sc, dst, dr, dc, rows, cols, beta);
        out();
    }

    @Override public void close() { d.close(); }
}
