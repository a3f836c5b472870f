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
    private final Nadam nadam;
    private final Radam radam;
    private final Adamax adamax;
    private final Adadelta adadelta;

    OptimizerSteps(WorkerPool pool, CpuKernels kernels) {
        this.kernels = kernels;
        this.pool = pool;
        this.sgd = new Sgd(kernels);
        this.adam = new Adam(kernels);
        this.rmsprop = new Rmsprop(kernels);
        this.adagrad = new Adagrad(kernels);
        this.nadam = new Nadam(kernels);
        this.radam = new Radam(kernels);
        this.adamax = new Adamax(kernels);
        this.adadelta = new Adadelta(kernels);
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

    /**
     * {@code Backend.nadamUpdate} on {@code n} parameters. torch 1.13 _single_tensor_nadam: bias_correction2 in double,
     * a float where {@code exp_avg_sq.div} takes it; the step sizes come from the optimizer (its momentum product).
     */
    void nadam(float[] param, float[] grad, float[] m, float[] v, int n, double gradStepSize, double momentumStepSize,
            double beta1, double beta2, double eps, double weightDecay, boolean maximize, long step) {
        float negGradStep = (float) -gradStepSize;
        float negMomentumStep = (float) -momentumStepSize;
        float b1 = (float) beta1;
        float omb1 = (float) (1 - beta1);
        float b2 = (float) beta2;
        float omb2 = (float) (1 - beta2);
        float bc2 = (float) (1 - Math.pow(beta2, (double) step));
        float e = (float) eps;
        boolean applyWd = weightDecay != 0;
        float wd = (float) weightDecay;
        if (onCallingThread(n)) {
            kernels.nadam(param, grad, m, v, 0, n, negGradStep, negMomentumStep, b1, omb1, b2, omb2, bc2, e, applyWd,
                    wd, maximize);
        } else {
            synchronized (this) {
                Nadam job = nadam;
                job.set(n, param, grad, negGradStep, applyWd, wd, maximize);
                job.m = m;
                job.v = v;
                job.negMomentumStep = negMomentumStep;
                job.beta1 = b1;
                job.oneMinusBeta1 = omb1;
                job.beta2 = b2;
                job.oneMinusBeta2 = omb2;
                job.bc2 = bc2;
                job.eps = e;
                job.runOn(pool, job.chunks());
            }
        }
    }

    /**
     * {@code Backend.radamUpdate} on {@code n} parameters. torch 1.13 _single_tensor_radam: the bias corrections,
     * ρ∞, ρ_t and the rectification in double; {@code bias_correction1}, {@code lr}, √bias_correction2 and the
     * rectification each a float where a tensor op takes it.
     */
    void radam(float[] param, float[] grad, float[] m, float[] v, int n, double lr, double beta1, double beta2,
            double eps, double weightDecay, boolean maximize, long step) {
        double bc1 = 1 - Math.pow(beta1, (double) step);
        double bc2 = 1 - Math.pow(beta2, (double) step);
        double rhoInf = 2 / (1 - beta2) - 1;
        double rhoT = rhoInf - 2 * step * Math.pow(beta2, (double) step) / bc2;
        boolean adaptive = rhoT > 5.;
        float rect = adaptive
                ? (float) Math.sqrt((rhoT - 4) * (rhoT - 2) * rhoInf / ((rhoInf - 4) * (rhoInf - 2) * rhoT)) : 0f;
        float bc2Sqrt = (float) Math.sqrt(bc2);
        float l = (float) lr;
        float b1 = (float) beta1;
        float omb1 = (float) (1 - beta1);
        float b2 = (float) beta2;
        float omb2 = (float) (1 - beta2);
        float c1 = (float) bc1;
        float e = (float) eps;
        boolean applyWd = weightDecay != 0;
        float wd = (float) weightDecay;
        if (onCallingThread(n)) {
            kernels.radam(param, grad, m, v, 0, n, l, b1, omb1, b2, omb2, c1, adaptive, bc2Sqrt, rect, e, applyWd, wd,
                    maximize);
        } else {
            synchronized (this) {
                Radam job = radam;
                job.set(n, param, grad, l, applyWd, wd, maximize);
                job.m = m;
                job.v = v;
                job.beta1 = b1;
                job.oneMinusBeta1 = omb1;
                job.beta2 = b2;
                job.oneMinusBeta2 = omb2;
                job.bc1 = c1;
                job.adaptive = adaptive;
                job.bc2Sqrt = bc2Sqrt;
                job.rect = rect;
                job.eps = e;
                job.runOn(pool, job.chunks());
            }
        }
    }

    /**
     * {@code Backend.adamaxUpdate} on {@code n} parameters. torch 1.13 _single_tensor_adamax: clr = lr /
     * (1 − β1^t) in double, negated and made a float by {@code addcdiv_}'s value.
     */
    void adamax(float[] param, float[] grad, float[] m, float[] u, int n, double lr, double beta1, double beta2,
            double eps, double weightDecay, boolean maximize, long step) {
        double clr = lr / (1 - Math.pow(beta1, (double) step));
        float negClr = (float) -clr;
        float b1 = (float) beta1;
        float omb1 = (float) (1 - beta1);
        float b2 = (float) beta2;
        float e = (float) eps;
        boolean applyWd = weightDecay != 0;
        float wd = (float) weightDecay;
        if (onCallingThread(n)) {
            kernels.adamax(param, grad, m, u, 0, n, negClr, b1, omb1, b2, e, applyWd, wd, maximize);
        } else {
            synchronized (this) {
                Adamax job = adamax;
                job.set(n, param, grad, negClr, applyWd, wd, maximize);
                job.m = m;
                job.u = u;
                job.beta1 = b1;
                job.oneMinusBeta1 = omb1;
                job.beta2 = b2;
                job.eps = e;
                job.runOn(pool, job.chunks());
            }
        }
    }

    /** {@code Backend.adadeltaUpdate} on {@code n} parameters (torch 1.13 _single_tensor_adadelta). */
    void adadelta(float[] param, float[] grad, float[] squareAvg, float[] accDelta, int n, double lr, double rho,
            double eps, double weightDecay, boolean maximize) {
        float negLr = (float) -lr;
        float r = (float) rho;
        float omr = (float) (1 - rho);
        float e = (float) eps;
        boolean applyWd = weightDecay != 0;
        float wd = (float) weightDecay;
        if (onCallingThread(n)) {
            kernels.adadelta(param, grad, squareAvg, accDelta, 0, n, negLr, r, omr, e, applyWd, wd, maximize);
        } else {
            synchronized (this) {
                Adadelta job = adadelta;
                job.set(n, param, grad, negLr, applyWd, wd, maximize);
                job.squareAvg = squareAvg;
                job.accDelta = accDelta;
                job.rho = r;
                job.oneMinusRho = omr;
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

    private static final class Nadam extends Job {
        float[] m;
        float[] v;
        float negMomentumStep;
        float beta1;
        float oneMinusBeta1;
        float beta2;
        float oneMinusBeta2;
        float bc2;
        float eps;

        Nadam(CpuKernels kernels) {
            super(kernels);
        }

        @Override
        public void run(int ch) {
            kernels.nadam(param, grad, m, v, lo(ch), hi(ch), negLr, negMomentumStep, beta1, oneMinusBeta1, beta2,
                    oneMinusBeta2, bc2, eps, applyWd, wd, maximize);
        }

        @Override
        void clear() {
            super.clear();
            m = null;
            v = null;
        }
    }

    private static final class Radam extends Job {
        float[] m;
        float[] v;
        float beta1;
        float oneMinusBeta1;
        float beta2;
        float oneMinusBeta2;
        float bc1;
        boolean adaptive;
        float bc2Sqrt;
        float rect;
        float eps;

        Radam(CpuKernels kernels) {
            super(kernels);
        }

        @Override
        public void run(int ch) {
            // negLr holds RAdam's (positive) lr: its kernel subtracts, as torch's add_(…, alpha=-1)
            kernels.radam(param, grad, m, v, lo(ch), hi(ch), negLr, beta1, oneMinusBeta1, beta2, oneMinusBeta2, bc1,
                    adaptive, bc2Sqrt, rect, eps, applyWd, wd, maximize);
        }

        @Override
        void clear() {
            super.clear();
            m = null;
            v = null;
        }
    }

    private static final class Adamax extends Job {
        float[] m;
        float[] u;
        float beta1;
        float oneMinusBeta1;
        float beta2;
        float eps;

        Adamax(CpuKernels kernels) {
            super(kernels);
        }

        @Override
        public void run(int ch) {
            kernels.adamax(param, grad, m, u, lo(ch), hi(ch), negLr, beta1, oneMinusBeta1, beta2, eps, applyWd, wd,
                    maximize);
        }

        @Override
        void clear() {
            super.clear();
            m = null;
            u = null;
        }
    }

    private static final class Adadelta extends Job {
        float[] squareAvg;
        float[] accDelta;
        float rho;
        float oneMinusRho;
        float eps;

        Adadelta(CpuKernels kernels) {
            super(kernels);
        }

        @Override
        public void run(int ch) {
            kernels.adadelta(param, grad, squareAvg, accDelta, lo(ch), hi(ch), negLr, rho, oneMinusRho, eps, applyWd,
                    wd, maximize);
        }

        @Override
        void clear() {
            super.clear();
            squareAvg = null;
            accDelta = null;
        }
    }
}
