package dev.descent.cpu;

import static dev.descent.cpu.Chunks.OPT_CHUNK;
import static dev.descent.cpu.Chunks.OPT_PARALLEL_MIN;

/**
 * The CPU backend's fused optimizer updates, one parameter tensor per call: the scalars derived from the
 * hyperparameters, then one kernel pass over the parameter and its state, on the calling thread below
 * {@link Chunks#OPT_PARALLEL_MIN} parameters (or with one thread), else in chunks of {@link Chunks#OPT_CHUNK} on the
 * pool (an update's result does not depend on how it is cut).
 *
 * <p><b>Rounding.</b> The updates reproduce torch 1.13's CPU kernels bit for bit: torch's Python code computes the
 * derived scalars in double (bias corrections, step size, {@code 1 − β}, {@code 1 − lr·λ}); each becomes a float when
 * passed to a float tensor op; {@code add_(x, alpha)} is a fused multiply-add {@code fma(alpha, x, self)},
 * {@code addcmul_(a, b, value)} is {@code fma(value·a, b, self)}, {@code addcdiv_(a, b, value)} is
 * {@code self + (value·a)/b}, and division by a scalar is a true division. The scalars are derived here, the element
 * arithmetic is {@link CpuKernels}'.
 */
final class OptimizerSteps {
    private final CpuKernels kernels;
    private final WorkerPool pool;
    private final Sgd sgd;
    private final Adam adam;
    private final Rmsprop rmsprop;
    private final Adagrad adagrad;

    OptimizerSteps(WorkerPool pool, CpuKernels kernels) {
        this.kernels = kernels;
        this.pool = pool;
        this.sgd = new Sgd(kernels);
        this.adam = new Adam(kernels);
        this.rmsprop = new Rmsprop(kernels);
        this.adagrad = new Adagrad(kernels);
    }

    /** {@code Backend.sgdUpdate} on {@code n} parameters; {@code buffer} is null without momentum. */
    void sgd(float[] param, float[] grad, float[] buffer, int n, double lr, double momentum, double dampening,
            boolean nesterov, double weightDecay, boolean maximize, boolean copyFirst) {
        float negLr = (float) -lr;
        boolean applyWd = weightDecay != 0;
        float wd = (float) weightDecay;
        boolean useMomentum = momentum != 0;
        float mom = (float) momentum;
        float oneMinusDampening = (float) (1 - dampening);
        if (onCallingThread(n)) {
            kernels.sgd(param, grad, buffer, 0, n, negLr, applyWd, wd, useMomentum, mom, oneMinusDampening, nesterov,
                    maximize, copyFirst);
        } else {
            synchronized (this) {
                Sgd job = sgd;
                job.set(n, param, grad, negLr, applyWd, wd, maximize);
                job.buffer = buffer;
                job.useMomentum = useMomentum;
                job.momentum = mom;
                job.oneMinusDampening = oneMinusDampening;
                job.nesterov = nesterov;
                job.copyFirst = copyFirst;
                job.runOn(pool, job.chunks());
            }
        }
    }

    /** {@code Backend.adamUpdate} on {@code n} parameters; {@code maxV} is null without amsgrad. */
    void adam(float[] param, float[] grad, float[] m, float[] v, float[] maxV, int n, double lr, double beta1,
            double beta2, double eps, double weightDecay, boolean decoupled, boolean maximize, long step) {
        // torch 1.13 _single_tensor_adam(w): the derived scalars in double, exactly as its Python code does. Math.pow,
        // not StrictMath.pow: HotSpot runs the same pow stub in every tier (as the CUDA backend does), and fdlibm's
        // port allocates its tables on every call unless C2 happens to scalar-replace them.
        double biasCorrection1 = 1 - Math.pow(beta1, (double) step);
        double biasCorrection2 = 1 - Math.pow(beta2, (double) step);
        float negStepSize = (float) -(lr / biasCorrection1);
        float b1 = (float) beta1;
        float omb1 = (float) (1 - beta1);
        float b2 = (float) beta2;
        float omb2 = (float) (1 - beta2);
        float bc2Sqrt = (float) Math.sqrt(biasCorrection2);
        float e = (float) eps;
        boolean applyWd = !decoupled && weightDecay != 0;
        float wd = (float) weightDecay;
        float decay = (float) (1 - lr * weightDecay);
        if (onCallingThread(n)) {
            kernels.adam(param, grad, m, v, maxV, 0, n, negStepSize, b1, omb1, b2, omb2, bc2Sqrt, e, applyWd, wd,
                    decoupled, decay, maximize);
        } else {
            synchronized (this) {
                Adam job = adam;
                job.set(n, param, grad, negStepSize, applyWd, wd, maximize);
                job.m = m;
                job.v = v;
                job.maxV = maxV;
                job.beta1 = b1;
                job.oneMinusBeta1 = omb1;
                job.beta2 = b2;
                job.oneMinusBeta2 = omb2;
                job.bc2Sqrt = bc2Sqrt;
                job.eps = e;
                job.decoupled = decoupled;
                job.decayFactor = decay;
                job.runOn(pool, job.chunks());
            }
        }
    }

    /**
     * {@code Backend.rmspropUpdate} on {@code n} parameters; {@code gradAvg} is null unless centered, {@code buffer}
     * null without momentum.
     */
    void rmsprop(float[] param, float[] grad, float[] squareAvg, float[] gradAvg, float[] buffer, int n, double lr,
            double alpha, double eps, double weightDecay, double momentum, boolean maximize) {
        float negLr = (float) -lr;
        float a = (float) alpha;
        float oma = (float) (1 - alpha);
        float e = (float) eps;
        boolean applyWd = weightDecay != 0;
        float wd = (float) weightDecay;
        boolean useMomentum = momentum > 0;
        float mom = (float) momentum;
        if (onCallingThread(n)) {
            kernels.rmsprop(param, grad, squareAvg, gradAvg, buffer, 0, n, negLr, a, oma, e, applyWd, wd, useMomentum,
                    mom, maximize);
        } else {
            synchronized (this) {
                Rmsprop job = rmsprop;
                job.set(n, param, grad, negLr, applyWd, wd, maximize);
                job.squareAvg = squareAvg;
                job.gradAvg = gradAvg;
                job.buffer = buffer;
                job.alpha = a;
                job.oneMinusAlpha = oma;
                job.eps = e;
                job.useMomentum = useMomentum;
                job.momentum = mom;
                job.runOn(pool, job.chunks());
            }
        }
    }

    /** {@code Backend.adagradUpdate} on {@code n} parameters with the decayed rate {@code clr}. */
    void adagrad(float[] param, float[] grad, float[] sum, int n, double clr, double eps, double weightDecay,
            boolean maximize) {
        float negClr = (float) -clr;
        float e = (float) eps;
        boolean applyWd = weightDecay != 0;
        float wd = (float) weightDecay;
        if (onCallingThread(n)) {
            kernels.adagrad(param, grad, sum, 0, n, negClr, e, applyWd, wd, maximize);
        } else {
            synchronized (this) {
                Adagrad job = adagrad;
                job.set(n, param, grad, negClr, applyWd, wd, maximize);
                job.sum = sum;
                job.eps = e;
                job.runOn(pool, job.chunks());
            }
        }
    }

    /** Division- and root-bound updates pay for a hand-off sooner than other elementwise work. */
    private boolean onCallingThread(int n) {
        return n < OPT_PARALLEL_MIN || pool.threads() == 1;
    }

    /** An update over chunks of {@link Chunks#OPT_CHUNK} parameters; the scalars are those of {@link CpuKernels}. */
    private abstract static class Job extends ChunkJob {
        final CpuKernels kernels;
        int n;
        float[] param;
        float[] grad;
        float negLr;
        boolean applyWd;
        float wd;
        boolean maximize;

        Job(CpuKernels kernels) {
            this.kernels = kernels;
        }

        final void set(int n, float[] param, float[] grad, float negLr, boolean applyWd, float wd, boolean maximize) {
            this.n = n;
            this.param = param;
            this.grad = grad;
            this.negLr = negLr;
            this.applyWd = applyWd;
            this.wd = wd;
            this.maximize = maximize;
        }

        final int chunks() {
            return Chunks.count(n, OPT_CHUNK);
        }

        final int lo(int ch) {
            return ch * OPT_CHUNK;
        }

        final int hi(int ch) {
            return Math.min(n, (ch + 1) * OPT_CHUNK);
        }

        @Override
        void clear() {
            param = null;
            grad = null;
        }
    }

    private static final class Sgd extends Job {
        float[] buffer;
        boolean useMomentum;
        float momentum;
        float oneMinusDampening;
        boolean nesterov;
        boolean copyFirst;

        Sgd(CpuKernels kernels) {
            super(kernels);
        }

        @Override
        public void run(int ch) {
            kernels.sgd(param, grad, buffer, lo(ch), hi(ch), negLr, applyWd, wd, useMomentum, momentum,
                    oneMinusDampening, nesterov, maximize, copyFirst);
        }

        @Override
        void clear() {
            super.clear();
            buffer = null;
        }
    }

    private static final class Adam extends Job {
        float[] m;
        float[] v;
        float[] maxV;
        float beta1;
        float oneMinusBeta1;
        float beta2;
        float oneMinusBeta2;
        float bc2Sqrt;
        float eps;
        boolean decoupled;
        float decayFactor;

        Adam(CpuKernels kernels) {
            super(kernels);
        }

        @Override
        public void run(int ch) {
            kernels.adam(param, grad, m, v, maxV, lo(ch), hi(ch), negLr, beta1, oneMinusBeta1, beta2, oneMinusBeta2,
                    bc2Sqrt, eps, applyWd, wd, decoupled, decayFactor, maximize);
        }

        @Override
        void clear() {
            super.clear();
            m = null;
            v = null;
            maxV = null;
        }
    }

    private static final class Rmsprop extends Job {
        float[] squareAvg;
        float[] gradAvg;
        float[] buffer;
        float alpha;
        float oneMinusAlpha;
        float eps;
        boolean useMomentum;
        float momentum;

        Rmsprop(CpuKernels kernels) {
            super(kernels);
        }

        @Override
        public void run(int ch) {
            kernels.rmsprop(param, grad, squareAvg, gradAvg, buffer, lo(ch), hi(ch), negLr, alpha, oneMinusAlpha, eps,
                    applyWd, wd, useMomentum, momentum, maximize);
        }

        @Override
        void clear() {
            super.clear();
            squareAvg = null;
            gradAvg = null;
            buffer = null;
        }
    }

    private static final class Adagrad extends Job {
        float[] sum;
        float eps;

        Adagrad(CpuKernels kernels) {
            super(kernels);
        }

        @Override
        public void run(int ch) {
            kernels.adagrad(param, grad, sum, lo(ch), hi(ch), negLr, eps, applyWd, wd, maximize);
        }

        @Override
        void clear() {
            super.clear();
            sum = null;
        }
    }
}
