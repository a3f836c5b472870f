package dev.descent.cpu;

import static dev.descent.cpu.Chunks.ELEMENT_CHUNK;

/**
 * The CPU backend's fused losses: each computes the loss and, when {@code grad} is not null, the gradient, and returns
 * the loss, {@code (Σ per-row or per-element loss) / normalizer} as the {@code Backend} operation defines it. Each sum
 * is cut into fixed chunks (rows of about {@link Chunks#ELEMENT_CHUNK} logits for the softmax, element chunks for the
 * elementwise losses) whose partial sums are added in chunk order: one kernel call when there is one chunk.
 */
final class Losses {
    private final CpuKernels kernels;
    private final WorkerPool pool;
    private final FusedSoftmaxRegression fused;
    private final Softmax softmax;
    private final SigmoidBce bce;
    private final SquaredError mse;
    private final AbsoluteError mae;
    private double[] partials = new double[64];
    /**
     * What the softmax kernel is given in place of a null gradient (a loss without one: evaluation) and of the row
     * terms that only the fused pass reads, never read here. The kernel then always sees arrays there, as in training
     * and in the fused pass: a null in a JVM that had only ever passed arrays made C2's compiled kernel take an
     * uncommon trap and wait to be compiled again (a batch-16 run with --test: the first test evaluation deoptimised it,
     * C2 installed it again 0.44 s later, epoch 2 took 0.33 s against 0.11-0.14 after).
     */
    private float[] softmaxGradScratch = new float[0];
    private double[] softmaxRowScratch = new double[0];

    Losses(WorkerPool pool, CpuKernels kernels) {
        this.kernels = kernels;
        this.pool = pool;
        this.fused = new FusedSoftmaxRegression(pool, kernels);
        this.softmax = new Softmax(kernels);
        this.bce = new SigmoidBce(kernels);
        this.mse = new SquaredError(kernels);
        this.mae = new AbsoluteError(kernels);
    }

    /** The fused softmax-regression pass (tests check where it applies). */
    FusedSoftmaxRegression fused() {
        return fused;
    }

    /**
     * Softmax cross-entropy of logits {@code [n, k]} with checked labels; {@code grad} may be null (the gradient is then
     * formed in a scratch buffer and dropped) or the logits.
     */
    synchronized float softmaxCrossEntropy(float[] logits, int[] labels, float[] grad, int n, int k, int normalizer) {
        float gradScale = (float) (1.0 / normalizer);
        int rowsPerChunk = Chunks.softmaxRows(k);
        int chunks = Chunks.count(n, rowsPerChunk);
        if (grad == null) {
            if (softmaxGradScratch.length < Math.multiplyExact(n, k)) {
                softmaxGradScratch = new float[n * k];
            }
            grad = softmaxGradScratch;
        }
        if (softmaxRowScratch.length < Math.multiplyExact(2, n)) {
            softmaxRowScratch = new double[2 * n];
        }
        double total;
        if (chunks <= 1) {
            total = kernels.softmaxCrossEntropy(logits, labels, grad, k, 0, n, gradScale, 0.0, softmaxRowScratch, 0);
        } else {
            Softmax job = softmax;
            job.set(n, logits, null);
            job.labels = labels;
            job.rowScratch = softmaxRowScratch;
            job.grad = grad;
            job.cols = k;
            job.rowsPerChunk = rowsPerChunk;
            job.gradScale = gradScale;
            total = ReductionJob.sumInOrder(job.runInto(pool, partials(chunks), n * k, chunks), chunks);
        }
        return (float) (total / normalizer);
    }

    /** Whether {@link #linearSoftmaxCrossEntropy} may run the fused pass on these shapes. */
    boolean fuses(int n, int in, int k) {
        return fused.applies(n, in, k);
    }

    /**
     * {@code logits = x·w (+ b)}, their softmax cross-entropy with checked labels, {@code grad} and
     * {@code gradW = xᵀ·grad} in one pass ({@link #fuses} must hold); the same bits as the composed operations.
     */
    synchronized float linearSoftmaxCrossEntropy(float[] x, float[] w, float[] b, int[] labels, float[] logits,
            float[] grad, float[] gradW, int n, int in, int k, int normalizer) {
        int lossChunkRows = Chunks.softmaxRows(k);
        int lossChunks = Chunks.count(n, lossChunkRows);
        double[] p = partials(lossChunks);
        fused.run(x, w, b, labels, logits, grad, gradW, p, n, in, k, lossChunkRows, (float) (1.0 / normalizer));
        return (float) (ReductionJob.sumInOrder(p, lossChunks) / normalizer);
    }

    /** Binary cross-entropy from logits over {@code n} elements of rows of {@code cols}. */
    synchronized float sigmoidBinaryCrossEntropy(float[] logits, float[] targets, float[] grad, int n, int cols,
            int normalizer) {
        double count = (double) normalizer * cols;
        float gradScale = (float) (1.0 / count);
        double total = n <= ELEMENT_CHUNK ? kernels.sigmoidBinaryCrossEntropy(logits, targets, grad, 0, n, gradScale)
                : inOrder(bce, logits, targets, grad, n, gradScale);
        return (float) (total / count);
    }

    /** Mean squared error over {@code n} elements of rows of {@code cols}. */
    synchronized float meanSquaredError(float[] predictions, float[] targets, float[] grad, int n, int cols,
            int normalizer) {
        double count = (double) normalizer * cols;
        float gradScale = (float) (2.0 / count);
        double total = n <= ELEMENT_CHUNK ? kernels.squaredError(predictions, targets, grad, 0, n, gradScale)
                : inOrder(mse, predictions, targets, grad, n, gradScale);
        return (float) (total / count);
    }

    /** Mean absolute error over {@code n} elements of rows of {@code cols}. */
    synchronized float meanAbsoluteError(float[] predictions, float[] targets, float[] grad, int n, int cols,
            int normalizer) {
        double count = (double) normalizer * cols;
        float gradScale = (float) (1.0 / count);
        double total = n <= ELEMENT_CHUNK ? kernels.absoluteError(predictions, targets, grad, 0, n, gradScale)
                : inOrder(mae, predictions, targets, grad, n, gradScale);
        return (float) (total / count);
    }

    /** An elementwise loss's element-chunk partials, added in chunk order. */
    private double inOrder(ElementLoss job, float[] x, float[] t, float[] grad, int n, float gradScale) {
        int chunks = Chunks.elements(n);
        job.set(n, x, t);
        job.grad = grad;
        job.gradScale = gradScale;
        return ReductionJob.sumInOrder(job.runInto(pool, partials(chunks), n, chunks), chunks);
    }

    private double[] partials(int chunks) {
        return partials = ReductionJob.ensure(partials, chunks);
    }

    /** A loss over element chunks of input {@code x} and targets {@code y}, writing {@code grad} when not null. */
    private abstract static class ElementLoss extends ReductionJob {
        float[] grad;
        float gradScale;

        ElementLoss(CpuKernels kernels) {
            super(kernels);
        }

        @Override
        final void clear() {
            super.clear();
            grad = null;
        }
    }

    private static final class SigmoidBce extends ElementLoss {
        SigmoidBce(CpuKernels kernels) {
            super(kernels);
        }

        @Override
        public void run(int ch) {
            partials[ch] = kernels.sigmoidBinaryCrossEntropy(x, y, grad, from(ch), to(ch), gradScale);
        }
    }

    private static final class SquaredError extends ElementLoss {
        SquaredError(CpuKernels kernels) {
            super(kernels);
        }

        @Override
        public void run(int ch) {
            partials[ch] = kernels.squaredError(x, y, grad, from(ch), to(ch), gradScale);
        }
    }

    private static final class AbsoluteError extends ElementLoss {
        AbsoluteError(CpuKernels kernels) {
            super(kernels);
        }

        @Override
        public void run(int ch) {
            partials[ch] = kernels.absoluteError(x, y, grad, from(ch), to(ch), gradScale);
        }
    }

    /** Softmax cross-entropy over chunks of {@code rowsPerChunk} rows of {@code n} rows of {@code cols} logits. */
    private static final class Softmax extends ReductionJob {
        int[] labels;
        double[] rowScratch;
        float[] grad;
        float gradScale;
        int cols;
        int rowsPerChunk;

        Softmax(CpuKernels kernels) {
            super(kernels);
        }

        @Override
        public void run(int ch) {
            int r0 = ch * rowsPerChunk;
            partials[ch] = kernels.softmaxCrossEntropy(x, labels, grad, cols, r0, Math.min(n, r0 + rowsPerChunk),
                    gradScale, 0.0, rowScratch, 2 * r0);
        }

        @Override
        void clear() {
            super.clear();
            labels = null;
            rowScratch = null;
            grad = null;
        }
    }
}
