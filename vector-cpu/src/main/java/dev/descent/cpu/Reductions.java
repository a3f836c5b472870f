package dev.descent.cpu;

import static dev.descent.cpu.Chunks.ELEMENT_CHUNK;

/**
 * The CPU backend's reductions of float arrays to one number: an array that fits one chunk in one kernel call, else
 * one double partial per {@link Chunks#ELEMENT_CHUNK}-element chunk, combined in chunk order.
 */
final class Reductions {
    private final CpuKernels kernels;
    private final WorkerPool pool;
    private final Sum sum;
    private final Dot dot;
    private final SquaredNorm squaredNorm;
    private final MaxAbs maxAbs;
    private final AllFinite allFinite;
    private double[] partials = new double[64];

    Reductions(WorkerPool pool, CpuKernels kernels) {
        this.kernels = kernels;
        this.pool = pool;
        this.sum = new Sum(kernels);
        this.dot = new Dot(kernels);
        this.squaredNorm = new SquaredNorm(kernels);
        this.maxAbs = new MaxAbs(kernels);
        this.allFinite = new AllFinite(kernels);
    }

    synchronized double sum(float[] x, int n) {
        if (n <= ELEMENT_CHUNK) {
            return kernels.sum(x, 0, n);
        }
        return inOrder(sum, n, x, null);
    }

    synchronized double dot(float[] x, float[] y, int n) {
        if (n <= ELEMENT_CHUNK) {
            return kernels.dot(x, y, 0, n);
        }
        return inOrder(dot, n, x, y);
    }

    synchronized double squaredNorm(float[] x, int n) {
        if (n <= ELEMENT_CHUNK) {
            return kernels.squaredNorm(x, 0, n);
        }
        return inOrder(squaredNorm, n, x, null);
    }

    /** Largest absolute value; NaN if any element is NaN. */
    synchronized float maxAbs(float[] x, int n) {
        if (n <= ELEMENT_CHUNK) {
            return kernels.maxAbs(x, 0, n);
        }
        int chunks = Chunks.elements(n);
        double[] p = partials(maxAbs, n, x, null);
        float m = 0f;
        for (int ch = 0; ch < chunks; ch++) {
            m = Math.max(m, (float) p[ch]);
        }
        return m;
    }

    synchronized boolean allFinite(float[] x, int n) {
        if (n <= ELEMENT_CHUNK) {
            return kernels.allFinite(x, 0, n);
        }
        int chunks = Chunks.elements(n);
        double[] p = partials(allFinite, n, x, null);
        for (int ch = 0; ch < chunks; ch++) {
            if (p[ch] == 0) {
                return false;
            }
        }
        return true;
    }

    /** The chunk partials of {@code job} over {@code n} elements, added in chunk order. */
    private double inOrder(ReductionJob job, int n, float[] x, float[] y) {
        return ReductionJob.sumInOrder(partials(job, n, x, y), Chunks.elements(n));
    }

    /** Runs {@code job} over the element chunks of {@code n} elements; returns the partials, one per chunk. */
    private double[] partials(ReductionJob job, int n, float[] x, float[] y) {
        int chunks = Chunks.elements(n);
        partials = ReductionJob.ensure(partials, chunks);
        job.set(n, x, y);
        return job.runInto(pool, partials, n, chunks);
    }

    private static final class Sum extends ReductionJob {
        Sum(CpuKernels kernels) {
            super(kernels);
        }

        @Override
        public void run(int ch) {
            partials[ch] = kernels.sum(x, from(ch), to(ch));
        }
    }

    private static final class Dot extends ReductionJob {
        Dot(CpuKernels kernels) {
            super(kernels);
        }

        @Override
        public void run(int ch) {
            partials[ch] = kernels.dot(x, y, from(ch), to(ch));
        }
    }

    private static final class SquaredNorm extends ReductionJob {
        SquaredNorm(CpuKernels kernels) {
            super(kernels);
        }

        @Override
        public void run(int ch) {
            partials[ch] = kernels.squaredNorm(x, from(ch), to(ch));
        }
    }

    private static final class MaxAbs extends ReductionJob {
        MaxAbs(CpuKernels kernels) {
            super(kernels);
        }

        @Override
        public void run(int ch) {
            partials[ch] = kernels.maxAbs(x, from(ch), to(ch));
        }
    }

    /** 1 where the chunk is all finite, else 0. */
    private static final class AllFinite extends ReductionJob {
        AllFinite(CpuKernels kernels) {
            super(kernels);
        }

        @Override
        public void run(int ch) {
            partials[ch] = kernels.allFinite(x, from(ch), to(ch)) ? 1 : 0;
        }
    }
}
