package dev.descent.cpu;

import static dev.descent.cpu.Chunks.ELEMENT_CHUNK;

import dev.descent.backend.UnaryOp;

/**
 * The CPU backend's elementwise functions ({@link UnaryOp}) and their gradients over {@code n} elements: on the
 * calling thread below a threshold (no hand-off, no lock, no allocation: the path a [1, 1] tensor takes), else in
 * chunks of {@link Chunks#ELEMENT_CHUNK} on the pool. An elementwise result does not depend on the cut.
 *
 * <p>Each function is one small object ({@link Fn}) whose two methods call exactly one kernel each, chosen by the
 * operation's ordinal: the call through {@link Fn} is megamorphic, so C2 compiles each function's methods on their own
 * with their one kernel inlined, never all thirteen kernels into one unit (see {@link ChunkJob}).
 */
final class UnaryOps {
    /**
     * Below this many elements a function runs on the calling thread. The transcendental ones (java.lang.Math's, 5 to
     * 20 ns per element; sigmoid and softplus about 1 ns vectorised) are split as soon as there are two chunks.
     */
    static final int PARALLEL_MIN_CHEAP = Chunks.PARALLEL_MIN;
    static final int PARALLEL_MIN_COSTLY = 2 * ELEMENT_CHUNK;

    private final WorkerPool pool;
    private final Fn[] fns;
    private final Forward forward = new Forward();
    private final Backward backward = new Backward();

    UnaryOps(WorkerPool pool, CpuKernels k) {
        this.pool = pool;
        Fn[] f = new Fn[UnaryOp.values().length];
        f[UnaryOp.NEG.ordinal()] = new Neg(k);
        f[UnaryOp.EXP.ordinal()] = new Exp(k);
        f[UnaryOp.LOG.ordinal()] = new Log(k);
        f[UnaryOp.LOG1P.ordinal()] = new Log1p(k);
        f[UnaryOp.SQRT.ordinal()] = new Sqrt(k);
        f[UnaryOp.ABS.ordinal()] = new Abs(k);
        f[UnaryOp.SIN.ordinal()] = new Sin(k);
        f[UnaryOp.COS.ordinal()] = new Cos(k);
        f[UnaryOp.TANH.ordinal()] = new Tanh(k);
        f[UnaryOp.SIGMOID.ordinal()] = new Sigmoid(k);
        f[UnaryOp.RELU.ordinal()] = new Relu(k);
        f[UnaryOp.SOFTPLUS.ordinal()] = new Softplus(k);
        f[UnaryOp.POW.ordinal()] = new Pow(k);
        this.fns = f;
    }

    /** {@code out ← op(x)} over {@code n} elements. */
    void forward(UnaryOp op, float p, float[] x, float[] out, int n) {
        Fn fn = fns[op.ordinal()];
        if (n < fn.parallelMin) {
            fn.forward(p, x, out, 0, n);
        } else {
            runForward(fn, p, x, out, n);
        }
    }

    /** {@code gi ← acc(beta, gi, g ⊙ op'(x, y))} over {@code n} elements. */
    void backward(UnaryOp op, float p, float[] x, float[] y, float[] g, float beta, float[] gi, int n) {
        Fn fn = fns[op.ordinal()];
        if (n < fn.parallelMin) {
            fn.backward(p, x, y, g, beta, gi, 0, n);
        } else {
            runBackward(fn, p, x, y, g, beta, gi, n);
        }
    }

    private synchronized void runForward(Fn fn, float p, float[] x, float[] out, int n) {
        Forward job = forward;
        job.fn = fn;
        job.n = n;
        job.p = p;
        job.x = x;
        job.out = out;
        job.runOn(pool, Chunks.elements(n));
    }

    private synchronized void runBackward(Fn fn, float p, float[] x, float[] y, float[] g, float beta, float[] gi,
            int n) {
        Backward job = backward;
        job.fn = fn;
        job.n = n;
        job.p = p;
        job.x = x;
        job.y = y;
        job.g = g;
        job.beta = beta;
        job.gi = gi;
        job.runOn(pool, Chunks.elements(n));
    }

    private static final class Forward extends ChunkJob {
        Fn fn;
        int n;
        float p;
        float[] x;
        float[] out;

        @Override
        public void run(int ch) {
            fn.forward(p, x, out, ch * ELEMENT_CHUNK, Math.min(n, (ch + 1) * ELEMENT_CHUNK));
        }

        @Override
        void clear() {
            fn = null;
            x = null;
            out = null;
        }
    }

    private static final class Backward extends ChunkJob {
        Fn fn;
        int n;
        float p;
        float beta;
        float[] x;
        float[] y;
        float[] g;
        float[] gi;

        @Override
        public void run(int ch) {
            fn.backward(p, x, y, g, beta, gi, ch * ELEMENT_CHUNK, Math.min(n, (ch + 1) * ELEMENT_CHUNK));
        }

        @Override
        void clear() {
            fn = null;
            x = null;
            y = null;
            g = null;
            gi = null;
        }
    }

    /** One function: its forward and its gradient over {@code [from, to)}, each one kernel call. */
    private abstract static class Fn {
        final CpuKernels k;
        final int parallelMin;

        Fn(CpuKernels k, boolean costly) {
            this.k = k;
            this.parallelMin = costly ? PARALLEL_MIN_COSTLY : PARALLEL_MIN_CHEAP;
        }

        abstract void forward(float p, float[] x, float[] out, int from, int to);

        abstract void backward(float p, float[] x, float[] y, float[] g, float beta, float[] gi, int from, int to);
    }

    private static final class Neg extends Fn {
        Neg(CpuKernels k) {
            super(k, false);
        }

        @Override
        void forward(float p, float[] x, float[] out, int from, int to) {
            k.neg(x, out, from, to);
        }

        @Override
        void backward(float p, float[] x, float[] y, float[] g, float beta, float[] gi, int from, int to) {
            k.negGrad(g, beta, gi, from, to);
        }
    }

    private static final class Exp extends Fn {
        Exp(CpuKernels k) {
            super(k, true);
        }

        @Override
        void forward(float p, float[] x, float[] out, int from, int to) {
            k.exp(x, out, from, to);
        }

        @Override
        void backward(float p, float[] x, float[] y, float[] g, float beta, float[] gi, int from, int to) {
            k.expGrad(y, g, beta, gi, from, to);
        }
    }

    private static final class Log extends Fn {
        Log(CpuKernels k) {
            super(k, true);
        }

        @Override
        void forward(float p, float[] x, float[] out, int from, int to) {
            k.log(x, out, from, to);
        }

        @Override
        void backward(float p, float[] x, float[] y, float[] g, float beta, float[] gi, int from, int to) {
            k.logGrad(x, g, beta, gi, from, to);
        }
    }

    private static final class Log1p extends Fn {
        Log1p(CpuKernels k) {
            super(k, true);
        }

        @Override
        void forward(float p, float[] x, float[] out, int from, int to) {
            k.log1p(x, out, from, to);
        }

        @Override
        void backward(float p, float[] x, float[] y, float[] g, float beta, float[] gi, int from, int to) {
            k.log1pGrad(x, g, beta, gi, from, to);
        }
    }

    private static final class Sqrt extends Fn {
        Sqrt(CpuKernels k) {
            super(k, false);
        }

        @Override
        void forward(float p, float[] x, float[] out, int from, int to) {
            k.sqrt(x, out, from, to);
        }

        @Override
        void backward(float p, float[] x, float[] y, float[] g, float beta, float[] gi, int from, int to) {
            k.sqrtGrad(y, g, beta, gi, from, to);
        }
    }

    private static final class Abs extends Fn {
        Abs(CpuKernels k) {
            super(k, false);
        }

        @Override
        void forward(float p, float[] x, float[] out, int from, int to) {
            k.abs(x, out, from, to);
        }

        @Override
        void backward(float p, float[] x, float[] y, float[] g, float beta, float[] gi, int from, int to) {
            k.absGrad(x, g, beta, gi, from, to);
        }
    }

    private static final class Sin extends Fn {
        Sin(CpuKernels k) {
            super(k, true);
        }

        @Override
        void forward(float p, float[] x, float[] out, int from, int to) {
            k.sin(x, out, from, to);
        }

        @Override
        void backward(float p, float[] x, float[] y, float[] g, float beta, float[] gi, int from, int to) {
            k.sinGrad(x, g, beta, gi, from, to);
        }
    }

    private static final class Cos extends Fn {
        Cos(CpuKernels k) {
            super(k, true);
        }

        @Override
        void forward(float p, float[] x, float[] out, int from, int to) {
            k.cos(x, out, from, to);
        }

        @Override
        void backward(float p, float[] x, float[] y, float[] g, float beta, float[] gi, int from, int to) {
            k.cosGrad(x, g, beta, gi, from, to);
        }
    }

    private static final class Tanh extends Fn {
        Tanh(CpuKernels k) {
            super(k, true);
        }

        @Override
        void forward(float p, float[] x, float[] out, int from, int to) {
            k.tanh(x, out, from, to);
        }

        @Override
        void backward(float p, float[] x, float[] y, float[] g, float beta, float[] gi, int from, int to) {
            k.tanhGrad(y, g, beta, gi, from, to);
        }
    }

    private static final class Sigmoid extends Fn {
        Sigmoid(CpuKernels k) {
            super(k, true);
        }

        @Override
        void forward(float p, float[] x, float[] out, int from, int to) {
            k.sigmoid(x, out, from, to);
        }

        @Override
        void backward(float p, float[] x, float[] y, float[] g, float beta, float[] gi, int from, int to) {
            k.sigmoidGrad(y, g, beta, gi, from, to);
        }
    }

    private static final class Relu extends Fn {
        Relu(CpuKernels k) {
            super(k, false);
        }

        @Override
        void forward(float p, float[] x, float[] out, int from, int to) {
            k.relu(x, out, from, to);
        }

        @Override
        void backward(float p, float[] x, float[] y, float[] g, float beta, float[] gi, int from, int to) {
            k.reluGrad(y, g, beta, gi, from, to);
        }
    }

    private static final class Softplus extends Fn {
        Softplus(CpuKernels k) {
            super(k, true);
        }

        @Override
        void forward(float p, float[] x, float[] out, int from, int to) {
            k.softplus(x, out, from, to);
        }

        @Override
        void backward(float p, float[] x, float[] y, float[] g, float beta, float[] gi, int from, int to) {
            k.softplusGrad(x, g, beta, gi, from, to);
        }
    }

    /** The special exponents are cheap, a general one costs a Math.pow; the threshold assumes the latter. */
    private static final class Pow extends Fn {
        Pow(CpuKernels k) {
            super(k, true);
        }

        @Override
        void forward(float p, float[] x, float[] out, int from, int to) {
            k.pow(p, x, out, from, to);
        }

        @Override
        void backward(float p, float[] x, float[] y, float[] g, float beta, float[] gi, int from, int to) {
            k.powGrad(p, x, g, beta, gi, from, to);
        }
    }
}
