package dev.descent.cpu;

import static dev.descent.cpu.Chunks.ELEMENT_CHUNK;
import static dev.descent.cpu.Chunks.PARALLEL_MIN;

/**
 * The CPU backend's elementwise operations over {@code n} elements of same-size arrays: on the calling thread below
 * {@link Chunks#PARALLEL_MIN} elements, else in chunks of {@link Chunks#ELEMENT_CHUNK} on the pool (an elementwise
 * result does not depend on how the work is cut). Arrays may alias where the {@code Backend} operation allows it.
 */
final class ElementwiseOps {
    private final CpuKernels kernels;
    private final WorkerPool pool;
    private final Axpy axpy;
    private final Scale scale;
    private final Multiply multiply;
    private final Clamp clamp;
    private final Relu relu;
    private final ReluBackward reluBackward;

    ElementwiseOps(WorkerPool pool, CpuKernels kernels) {
        this.kernels = kernels;
        this.pool = pool;
        this.axpy = new Axpy(kernels);
        this.scale = new Scale(kernels);
        this.multiply = new Multiply(kernels);
        this.clamp = new Clamp(kernels);
        this.relu = new Relu(kernels);
        this.reluBackward = new ReluBackward(kernels);
    }

    /** {@code y ← alpha·x + y}. */
    void axpy(float alpha, float[] x, float[] y, int n) {
        if (n < PARALLEL_MIN) {
            kernels.axpy(alpha, x, y, 0, n);
        } else {
            run(axpy, n, alpha, 0f, 0f, x, null, y);
        }
    }

    /** {@code x ← alpha·x}. */
    void scale(float alpha, float[] x, int n) {
        if (n < PARALLEL_MIN) {
            kernels.scale(alpha, x, 0, n);
        } else {
            run(scale, n, alpha, 0f, 0f, null, null, x);
        }
    }

    /** {@code out ← a ⊙ b}. */
    void multiply(float[] a, float[] b, float[] out, int n) {
        if (n < PARALLEL_MIN) {
            kernels.multiply(a, b, out, 0, n);
        } else {
            run(multiply, n, 0f, 0f, 0f, a, b, out);
        }
    }

    /** {@code x ← min(max(x, lo), hi)}. */
    void clamp(float[] x, float lo, float hi, int n) {
        if (n < PARALLEL_MIN) {
            kernels.clamp(x, lo, hi, 0, n);
        } else {
            run(clamp, n, 0f, lo, hi, null, null, x);
        }
    }

    /** {@code out ← max(x, 0)}. */
    void relu(float[] x, float[] out, int n) {
        if (n < PARALLEL_MIN) {
            kernels.relu(x, out, 0, n);
        } else {
            run(relu, n, 0f, 0f, 0f, x, null, out);
        }
    }

    /** {@code gradIn ← gradOut ⊙ [activation > 0]}. */
    void reluBackward(float[] gradOut, float[] activation, float[] gradIn, int n) {
        if (n < PARALLEL_MIN) {
            kernels.reluBackward(gradOut, activation, gradIn, 0, n);
        } else {
            run(reluBackward, n, 0f, 0f, 0f, gradOut, activation, gradIn);
        }
    }

    /** Runs {@code job} over {@code n > 0} elements on the pool. */
    private synchronized void run(Job job, int n, float alpha, float lo, float hi, float[] a, float[] b,
            float[] out) {
        job.n = n;
        job.alpha = alpha;
        job.lo = lo;
        job.hi = hi;
        job.a = a;
        job.b = b;
        job.out = out;
        job.runOn(pool, Chunks.elements(n));
    }

    /** An elementwise kernel over the chunks of {@code n} elements: inputs {@code a}, {@code b}, output {@code out}. */
    private abstract static class Job extends ChunkJob {
        final CpuKernels kernels;
        int n;
        float alpha;
        float lo;
        float hi;
        float[] a;
        float[] b;
        float[] out;

        Job(CpuKernels kernels) {
            this.kernels = kernels;
        }

        final int from(int chunk) {
            return chunk * ELEMENT_CHUNK;
        }

        final int to(int chunk) {
            return Math.min(n, (chunk + 1) * ELEMENT_CHUNK);
        }

        @Override
        final void clear() {
            a = null;
            b = null;
            out = null;
        }
    }

    private static final class Axpy extends Job {
        Axpy(CpuKernels kernels) {
            super(kernels);
        }

        @Override
        public void run(int ch) {
            kernels.axpy(alpha, a, out, from(ch), to(ch));
        }
    }

    private static final class Scale extends Job {
        Scale(CpuKernels kernels) {
            super(kernels);
        }

        @Override
        public void run(int ch) {
            kernels.scale(alpha, out, from(ch), to(ch));
        }
    }

    private static final class Multiply extends Job {
        Multiply(CpuKernels kernels) {
            super(kernels);
        }

        @Override
        public void run(int ch) {
            kernels.multiply(a, b, out, from(ch), to(ch));
        }
    }

    private static final class Clamp extends Job {
        Clamp(CpuKernels kernels) {
            super(kernels);
        }

        @Override
        public void run(int ch) {
            kernels.clamp(out, lo, hi, from(ch), to(ch));
        }
    }

    private static final class Relu extends Job {
        Relu(CpuKernels kernels) {
            super(kernels);
        }

        @Override
        public void run(int ch) {
            kernels.relu(a, out, from(ch), to(ch));
        }
    }

    private static final class ReluBackward extends Job {
        ReluBackward(CpuKernels kernels) {
            super(kernels);
        }

        @Override
        public void run(int ch) {
            kernels.reluBackward(a, b, out, from(ch), to(ch));
        }
    }
}
