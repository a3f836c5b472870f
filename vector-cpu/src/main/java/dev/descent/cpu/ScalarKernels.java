package dev.descent.cpu;

/**
 * Plain-Java kernels: the reference twin of {@link VectorKernels} and the fallback where the Vector API is not worth
 * using. Every formula here is the definition the vector twin must reproduce (see {@link CpuKernels}).
 */
final class ScalarKernels implements CpuKernels {

    static final ScalarKernels INSTANCE = new ScalarKernels();

    /** Packing unit for GEMM panels; the scalar panel does not care, 8 keeps strips cache-friendly. */
    private static final int GEMM_LANES = 8;

    private ScalarKernels() {
    }

    // ------------------------------------------------------------------ deterministic elementary functions
    //
    // exp and log1p from basic operations only (+, ×, fma, integer bit tricks), so that the result never depends on
    // which JIT tier or intrinsic ran them; VectorKernels evaluates the very same sequence per lane. (The Vector
    // API's EXP/LOG1P differ in the last bit between interpreted and C2-compiled code.)

    /** 1.5·2^23: adding and subtracting it rounds a float of magnitude below 2^22 to the nearest integer. */
    static final float ROUND_MAGIC = 12582912f;
    /** The bits of {@link #ROUND_MAGIC}: the bits of {@code x + ROUND_MAGIC} minus these are the rounded x. */
    static final int ROUND_MAGIC_BITS = Float.floatToRawIntBits(ROUND_MAGIC);
    static final float LOG2E = 1.44269504088896341f;
    /** ln 2 split so that n·LN2_HI is exact for |n| below 2^11. */
    static final float LN2_HI = 0.693359375f;
    static final float LN2_LO = -2.12194440e-4f;
    /** Below this exp(x) rounds to +0 in float. */
    static final float EXP_UNDERFLOW = -104f;
    static final float E5 = 1.9875691500e-4f;
    static final float E4 = 1.3981999507e-3f;
    static final float E3 = 8.3334519073e-3f;
    static final float E2 = 4.1665795894e-2f;
    static final float E1 = 1.6666665459e-1f;
    static final float E0 = 5.0000001201e-1f;

    /**
     * e^x for x ≤ 0 (and NaN), within about one ulp: x = n·ln2 + r with |r| ≤ ln2/2, a degree-7 polynomial for
     * e^r, then two exact-or-once-rounded scalings by powers of two (so subnormal results round once).
     */
    static float expNonPositive(float x) {
        float xc = Math.max(x, EXP_UNDERFLOW);
        float shifted = xc * LOG2E + ROUND_MAGIC;
        float n = shifted - ROUND_MAGIC;
        float r = Math.fma(n, -LN2_HI, xc);
        r = Math.fma(n, -LN2_LO, r);
        float p = Math.fma(E5, r, E4);
        p = Math.fma(p, r, E3);
        p = Math.fma(p, r, E2);
        p = Math.fma(p, r, E1);
        p = Math.fma(p, r, E0);
        float er = Math.fma(p, r * r, r) + 1f;
        int ni = Float.floatToRawIntBits(shifted) - ROUND_MAGIC_BITS; // = (int) n, from the mantissa
        int n1 = ni >> 1;
        int n2 = ni - n1;
        float y = er * Float.intBitsToFloat((n1 + 127) << 23) * Float.intBitsToFloat((n2 + 127) << 23);
        return x < EXP_UNDERFLOW ? 0f : y;
    }

    static final float L7 = 1f / 15;
    static final float L6 = 1f / 13;
    static final float L5 = 1f / 11;
    static final float L4 = 1f / 9;
    static final float L3 = 1f / 7;
    static final float L2 = 1f / 5;
    static final float L1 = 1f / 3;

    /**
     * log(1 + e) for e in [0, 1] (and NaN): with s = e/(2 + e) ≤ 1/3, log(1 + e) = 2·atanh(s) = 2s(1 + s²/3 +
     * s⁴/5 + …), summed to s¹⁵; accurate for tiny e too.
     */
    static float log1pUnit(float e) {
        float s = e / (2f + e);
        float w = s * s;
        float q = Math.fma(L7, w, L6);
        q = Math.fma(q, w, L5);
        q = Math.fma(q, w, L4);
        q = Math.fma(q, w, L3);
        q = Math.fma(q, w, L2);
        q = Math.fma(q, w, L1);
        float u = s + s;
        return Math.fma(u * w, q, u);
    }

    @Override
    public String describe() {
        return "scalar";
    }

    @Override
    public int gemmLanes() {
        return GEMM_LANES;
    }

    @Override
    public void copyRows(float[] src, int srcOff, int srcLd, int rows, int cols, float[] dst, int dstOff, int dstLd) {
        for (int r = 0; r < rows; r++) {
            System.arraycopy(src, srcOff + r * srcLd, dst, dstOff + r * dstLd, cols);
        }
    }

    @Override
    public void packRows(float[] src, int srcOff, int ld, int rows, int valid, float[] dst, int dstOff, int w) {
        for (int r = 0; r < rows; r++) {
            int so = srcOff + r * ld;
            int dOff = dstOff + r * w;
            for (int c = 0; c < valid; c++) {
                dst[dOff + c] = src[so + c];
            }
            for (int c = valid; c < w; c++) {
                dst[dOff + c] = 0f;
            }
        }
    }

    @Override
    public void gemmPanel(float[] a, int aOff, int rs, int ks, int rows, int kLen, float[] pb, int pbOff, int ldb,
            int width, int valid, float[] d, int dOff, int ldd, boolean accumulate) {
        if (valid > width || valid <= 0) {
            throw new IllegalArgumentException("gemmPanel: valid " + valid + " not in (0, width " + width + "]");
        }
        for (int r = 0; r < rows; r++) {
            int dRow = dOff + r * ldd;
            if (!accumulate) {
                for (int c = 0; c < valid; c++) {
                    d[dRow + c] = 0f;
                }
            }
            int aRow = aOff + r * rs;
            for (int kk = 0; kk < kLen; kk++) {
                float av = a[aRow + kk * ks];
                int bRow = pbOff + kk * ldb;
                for (int c = 0; c < valid; c++) {
                    d[dRow + c] = Math.fma(av, pb[bRow + c], d[dRow + c]);
                }
            }
        }
    }

    // ------------------------------------------------------------------ elementwise

    @Override
    public void addChunks(float[] p, int off, int stride, int chunks, float[] out, int outOff, int len) {
        for (int i = 0; i < len; i++) {
            float s = p[off + i];
            for (int ch = 1; ch < chunks; ch++) {
                s += p[off + ch * stride + i];
            }
            out[outOff + i] = s;
        }
    }

    @Override
    public void axpy(float alpha, float[] x, float[] y, int from, int to) {
        for (int i = from; i < to; i++) {
            y[i] = Math.fma(alpha, x[i], y[i]);
        }
    }

    @Override
    public void scale(float alpha, float[] x, int from, int to) {
        for (int i = from; i < to; i++) {
            x[i] = alpha * x[i];
        }
    }

    @Override
    public void multiply(float[] a, float[] b, float[] out, int from, int to) {
        for (int i = from; i < to; i++) {
            out[i] = a[i] * b[i];
        }
    }

    @Override
    public void clamp(float[] x, float lo, float hi, int from, int to) {
        for (int i = from; i < to; i++) {
            x[i] = Math.min(Math.max(x[i], lo), hi);
        }
    }

    @Override
    public void relu(float[] x, float[] out, int from, int to) {
        for (int i = from; i < to; i++) {
            out[i] = Math.max(x[i], 0f);
        }
    }

    @Override
    public void reluBackward(float[] gradOut, float[] activation, float[] gradIn, int from, int to) {
        for (int i = from; i < to; i++) {
            gradIn[i] = activation[i] > 0f ? gradOut[i] : 0f;
        }
    }

    @Override
    public void addRowVector(float[] x, float[] bias, int cols, int rowFrom, int rowTo) {
        for (int r = rowFrom; r < rowTo; r++) {
            int off = r * cols;
            for (int c = 0; c < cols; c++) {
                x[off + c] += bias[c];
            }
        }
    }

    @Override
    public void columnSums(float[] x, int cols, int rowFrom, int rowTo, int colFrom, int colTo, double[] acc) {
        for (int r = rowFrom; r < rowTo; r++) {
            int off = r * cols;
            for (int c = colFrom; c < colTo; c++) {
                acc[c] += x[off + c];
            }
        }
    }

    // ------------------------------------------------------------------ reductions

    @Override
    public double sum(float[] x, int from, int to) {
        double s = 0;
        for (int i = from; i < to; i++) {
            s += x[i];
        }
        return s;
    }

    @Override
    public double dot(float[] x, float[] y, int from, int to) {
        double s = 0;
        for (int i = from; i < to; i++) {
            s += (double) x[i] * y[i];
        }
        return s;
    }

    @Override
    public double squaredNorm(float[] x, int from, int to) {
        double s = 0;
        for (int i = from; i < to; i++) {
            double v = x[i];
            s += v * v;
        }
        return s;
    }

    @Override
    public float maxAbs(float[] x, int from, int to) {
        float m = 0f;
        for (int i = from; i < to; i++) {
            m = Math.max(m, Math.abs(x[i]));
        }
        return m;
    }

    @Override
    public boolean allFinite(float[] x, int from, int to) {
        for (int i = from; i < to; i++) {
            if (!Float.isFinite(x[i])) {
                return false;
            }
        }
        return true;
    }

    // ------------------------------------------------------------------ losses

    @Override
    public double softmaxCrossEntropy(float[] z, int[] labels, float[] grad, int k, int rowFrom, int rowTo,
            float gradScale, double start, double[] rowLoss, int rowLossOff) {
        double total = start;
        double product = 1.0; // of the sums of exps in the group so far (see LOG_GROUP)
        for (int r = rowFrom; r < rowTo; r++) {
            int off = r * k;
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < k; j++) {
                max = Math.max(max, z[off + j]);
            }
            int y = labels[r];
            float zy = z[off + y]; // read before grad (which may alias z) is written
            double s = 0;
            for (int j = 0; j < k; j++) {
                float e = expNonPositive(z[off + j] - max);
                s += e;
                if (grad != null) {
                    grad[off + j] = e;
                }
            }
            double rowTerm = (double) max - zy;
            total += rowTerm;
            product *= s;
            double groupLog = 0.0;
            if (CpuKernels.endsLogGroup(r, rowTo)) {
                groupLog = StrictMath.log(product);
                total += groupLog;
                product = 1.0;
            }
            if (rowLoss != null) {
                rowLoss[rowLossOff + 2 * (r - rowFrom)] = rowTerm;
                rowLoss[rowLossOff + 2 * (r - rowFrom) + 1] = groupLog;
            }
            if (grad != null) {
                float sf = (float) s;
                for (int j = 0; j < k; j++) {
                    float q = grad[off + j] / sf;
                    grad[off + j] = (j == y ? q - 1f : q) * gradScale;
                }
            }
        }
        return total;
    }

    @Override
    public double sigmoidBinaryCrossEntropy(float[] x, float[] t, float[] grad, int from, int to, float gradScale) {
        double total = 0;
        for (int i = from; i < to; i++) {
            float xi = x[i];
            float ti = t[i];
            float e = expNonPositive(-Math.abs(xi));
            float loss = Math.max(xi, 0f) - xi * ti + log1pUnit(e);
            total += loss;
            if (grad != null) {
                float onePlus = 1f + e;
                float sig = xi >= 0f ? 1f / onePlus : e / onePlus;
                grad[i] = (sig - ti) * gradScale;
            }
        }
        return total;
    }

    @Override
    public double squaredError(float[] p, float[] t, float[] grad, int from, int to, float gradScale) {
        double total = 0;
        for (int i = from; i < to; i++) {
            float d = p[i] - t[i];
            total += (double) d * d;
            if (grad != null) {
                grad[i] = d * gradScale;
            }
        }
        return total;
    }

    @Override
    public double absoluteError(float[] p, float[] t, float[] grad, int from, int to, float gradScale) {
        double total = 0;
        for (int i = from; i < to; i++) {
            float d = p[i] - t[i];
            total += Math.abs(d);
            if (grad != null) {
                grad[i] = Math.signum(d) * gradScale;
            }
        }
        return total;
    }

    // ------------------------------------------------------------------ optimizers

    @Override
    public void sgd(float[] p, float[] grad, float[] buf, int from, int to, float negLr, boolean applyWd, float wd,
            boolean useMomentum, float momentum, float oneMinusDampening, boolean nesterov, boolean maximize,
            boolean copyFirst) {
        for (int i = from; i < to; i++) {
            float g = maximize ? -grad[i] : grad[i];
            float th = p[i];
            if (applyWd) {
                g = Math.fma(wd, th, g);
            }
            if (useMomentum) {
                float b = copyFirst ? g : Math.fma(oneMinusDampening, g, buf[i] * momentum);
                buf[i] = b;
                g = nesterov ? Math.fma(momentum, b, g) : b;
            }
            p[i] = Math.fma(negLr, g, th);
        }
    }

    @Override
    public void adam(float[] p, float[] grad, float[] m, float[] v, float[] vmax, int from, int to, float negStepSize,
            float beta1, float oneMinusBeta1, float beta2, float oneMinusBeta2, float bc2Sqrt, float eps,
            boolean applyWd, float wd, boolean decoupled, float decayFactor, boolean maximize) {
        for (int i = from; i < to; i++) {
            float g = maximize ? -grad[i] : grad[i];
            float th = p[i];
            if (decoupled) {
                th = th * decayFactor;
            } else if (applyWd) {
                g = Math.fma(wd, th, g);
            }
            float mi = Math.fma(oneMinusBeta1, g, m[i] * beta1);
            float vi = Math.fma(oneMinusBeta2 * g, g, v[i] * beta2);
            m[i] = mi;
            v[i] = vi;
            if (vmax != null) {
                vi = Math.max(vmax[i], vi);
                vmax[i] = vi;
            }
            float denom = (float) Math.sqrt(vi) / bc2Sqrt + eps;
            p[i] = th + (negStepSize * mi) / denom;
        }
    }

    @Override
    public void rmsprop(float[] p, float[] grad, float[] sq, float[] gradAvg, float[] buf, int from, int to,
            float negLr, float alpha, float oneMinusAlpha, float eps, boolean applyWd, float wd, boolean useMomentum,
            float momentum, boolean maximize) {
        for (int i = from; i < to; i++) {
            float g = maximize ? -grad[i] : grad[i];
            float th = p[i];
            if (applyWd) {
                g = Math.fma(wd, th, g);
            }
            float s = Math.fma(oneMinusAlpha * g, g, sq[i] * alpha);
            sq[i] = s;
            float avg;
            if (gradAvg != null) {
                float ga = Math.fma(oneMinusAlpha, g, gradAvg[i] * alpha);
                gradAvg[i] = ga;
                avg = (float) Math.sqrt(Math.fma(-ga, ga, s)) + eps;
            } else {
                avg = (float) Math.sqrt(s) + eps;
            }
            if (useMomentum) {
                float b = buf[i] * momentum + g / avg;
                buf[i] = b;
                p[i] = Math.fma(negLr, b, th);
            } else {
                p[i] = th + (negLr * g) / avg;
            }
        }
    }

    @Override
    public void adagrad(float[] p, float[] grad, float[] sum, int from, int to, float negClr, float eps,
            boolean applyWd, float wd, boolean maximize) {
        for (int i = from; i < to; i++) {
            float g = maximize ? -grad[i] : grad[i];
            float th = p[i];
            if (applyWd) {
                g = Math.fma(wd, th, g);
            }
            float s = Math.fma(g, g, sum[i]);
            sum[i] = s;
            p[i] = th + (negClr * g) / ((float) Math.sqrt(s) + eps);
        }
    }

    @Override
    public void nadam(float[] p, float[] grad, float[] m, float[] v, int from, int to, float negGradStep,
            float negMomentumStep, float beta1, float oneMinusBeta1, float beta2, float oneMinusBeta2, float bc2,
            float eps, boolean applyWd, float wd, boolean maximize) {
        for (int i = from; i < to; i++) {
            float g = maximize ? -grad[i] : grad[i];
            float th = p[i];
            if (applyWd) {
                g = Math.fma(wd, th, g);
            }
            float mi = Math.fma(oneMinusBeta1, g, m[i] * beta1);
            float vi = Math.fma(oneMinusBeta2 * g, g, v[i] * beta2);
            m[i] = mi;
            v[i] = vi;
            float denom = (float) Math.sqrt(vi / bc2) + eps;
            th = th + (negGradStep * g) / denom;
            p[i] = th + (negMomentumStep * mi) / denom;
        }
    }

    @Override
    public void radam(float[] p, float[] grad, float[] m, float[] v, int from, int to, float lr, float beta1,
            float oneMinusBeta1, float beta2, float oneMinusBeta2, float bc1, boolean adaptive, float bc2Sqrt,
            float rect, float eps, boolean applyWd, float wd, boolean maximize) {
        for (int i = from; i < to; i++) {
            float g = maximize ? -grad[i] : grad[i];
            float th = p[i];
            if (applyWd) {
                g = Math.fma(wd, th, g);
            }
            float mi = Math.fma(oneMinusBeta1, g, m[i] * beta1);
            float vi = Math.fma(oneMinusBeta2 * g, g, v[i] * beta2);
            m[i] = mi;
            v[i] = vi;
            float corrected = mi / bc1;
            if (adaptive) {
                float adaptiveLr = 1f / ((float) Math.sqrt(vi) + eps) * bc2Sqrt;
                p[i] = th - corrected * lr * adaptiveLr * rect;
            } else {
                p[i] = th - corrected * lr;
            }
        }
    }

    @Override
    public void adamax(float[] p, float[] grad, float[] m, float[] u, int from, int to, float negClr, float beta1,
            float oneMinusBeta1, float beta2, float eps, boolean applyWd, float wd, boolean maximize) {
        for (int i = from; i < to; i++) {
            float g = maximize ? -grad[i] : grad[i];
            float th = p[i];
            if (applyWd) {
                g = Math.fma(wd, th, g);
            }
            float mi = Math.fma(oneMinusBeta1, g, m[i] * beta1);
            float ui = Math.max(u[i] * beta2, Math.abs(g) + eps);
            m[i] = mi;
            u[i] = ui;
            p[i] = th + (negClr * mi) / ui;
        }
    }

    @Override
    public void adadelta(float[] p, float[] grad, float[] sq, float[] acc, int from, int to, float negLr, float rho,
            float oneMinusRho, float eps, boolean applyWd, float wd, boolean maximize) {
        for (int i = from; i < to; i++) {
            float g = maximize ? -grad[i] : grad[i];
            float th = p[i];
            if (applyWd) {
                g = Math.fma(wd, th, g);
            }
            float s = Math.fma(oneMinusRho * g, g, sq[i] * rho);
            sq[i] = s;
            float a = acc[i];
            float delta = (float) Math.sqrt(a + eps) / (float) Math.sqrt(s + eps) * g;
            acc[i] = Math.fma(oneMinusRho * delta, delta, a * rho);
            p[i] = Math.fma(negLr, delta, th);
        }
    }
}
