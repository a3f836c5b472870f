package dev.descent.cpu;

import static dev.descent.cpu.Chunks.ELEMENT_CHUNK;
import static dev.descent.cpu.Chunks.PARALLEL_MIN;

/**
 * A reduction (or a loss, which is a reduction that also writes a gradient) over chunks: chunk {@code c} writes its
 * partial result into {@code partials[c]}, and the caller combines the partials in chunk order, so the result does not
 * depend on the thread count.
 */
abstract class ReductionJob extends ChunkJob {
    final CpuKernels kernels;
    /** Elements (rows, for a row-wise loss) to reduce. */
    int n;
    float[] x;
    float[] y;
    double[] partials;

    ReductionJob(CpuKernels kernels) {
        this.kernels = kernels;
    }

    /** First element of element chunk {@code ch} (of {@link Chunks#ELEMENT_CHUNK}). */
    final int from(int ch) {
        return ch * ELEMENT_CHUNK;
    }

    /** End of element chunk {@code ch}. */
    final int to(int ch) {
        return Math.min(n, (ch + 1) * ELEMENT_CHUNK);
    }

    /** Sets the inputs: {@code n} elements (or rows) of {@code x} and, for a two-input reduction, {@code y}. */
    final void set(int n, float[] x, float[] y) {
        this.n = n;
        this.x = x;
        this.y = y;
    }

    /**
     * Runs the {@code chunks} chunks into {@code partials}: on the pool when the work covers at least
     * {@link Chunks#PARALLEL_MIN} elements, else in chunk order on this thread; then clears the job. The caller holds
     * the lock of the part that owns the job and has set its fields.
     */
    final double[] runInto(WorkerPool pool, double[] partials, int elements, int chunks) {
        this.partials = partials;
        if (elements < PARALLEL_MIN) {
            try {
                for (int ch = 0; ch < chunks; ch++) {
                    run(ch);
                }
            } finally {
                clear();
            }
        } else {
            runOn(pool, chunks);
        }
        return partials;
    }

    @Override
    void clear() {
        x = null;
        y = null;
        partials = null;
    }

    /** {@code p[0] + p[1] + ...} in chunk order. */
    static double sumInOrder(double[] p, int chunks) {
        double s = 0;
        for (int ch = 0; ch < chunks; ch++) {
            s += p[ch];
        }
        return s;
    }

    /** {@code buffer}, or a larger one when it has fewer than {@code chunks} slots. */
    static double[] ensure(double[] buffer, int chunks) {
        return buffer.length < chunks ? new double[Math.max(chunks, 2 * buffer.length)] : buffer;
    }
}
