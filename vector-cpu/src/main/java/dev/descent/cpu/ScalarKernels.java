package dev.descent.cpu;

import dev.descent.backend.Elementwise;

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
     * e^r, then two exact-or-once-rounded scalings by powers of two (so subnormal results round once). Below {@link
     * #EXP_UNDERFLOW} the result is +0, and the steps run on 0 instead of x: clamped to the bound, they would pass
     * through subnormal products, which some CPUs take far longer over (the lanes of a softmax row past its classes
     * are -inf: 10 classes at 512 bits took 80 ns a row on an AMD EPYC this way, against some 40 for 16 classes).
     */
    static float expNonPositive(float x) {
        float xc = x < EXP_UNDERFLOW ? 0f : x;
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
        // Chunk by chunk, each element's chain still in chunk order: a contiguous inner loop, which C1 runs well and
        // C2 vectorises (the fused pass calls this for its once-a-step sums, see FusedSoftmaxRegression.combine).
        if (out != p || outOff != off) {
            System.arraycopy(p, off, out, outOff, len);
        }
        for (int ch = 1; ch < chunks; ch++) {
            int src = off + ch * stride;
            for (int i = 0; i < len; i++) {
                out[outOff + i] += p[src + i];
            }
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

    // ------------------------------------------------------------------ autodiff

    // The accumulation (beta 0 overwrites, else one fma), torch's sign and the power rule with its special exponents
    // are Elementwise's: the same per-element formulas as the host evaluation of small autodiff expressions.

    /**
     * {@code 1 / (1 + e⁻ˣ)}, stable: with e = e^−|x| ({@link #expNonPositive}), {@code 1 / (1 + e)} for x ≥ 0 and
     * {@code e / (1 + e)} below (as the BCE gradient computes it).
     */
    static float sigmoid(float x) {
        float e = expNonPositive(-Math.abs(x));
        float onePlus = 1f + e;
        return x >= 0f ? 1f / onePlus : e / onePlus;
    }

    /**
     * {@code ln(1 + eˣ)}, stable: {@code max(x, 0) + ln(1 + e^−|x|)} ({@link #log1pUnit}); above 20 this is x itself in
     * float (e^−20 is below half an ulp of 20), torch's threshold.
     */
    static float softplus(float x) {
        return Math.max(x, 0f) + log1pUnit(expNonPositive(-Math.abs(x)));
    }

    @Override
    public void neg(float[] x, float[] out, int from, int to) {
        for (int i = from; i < to; i++) {
            out[i] = -x[i];
        }
    }

    @Override
    public void exp(float[] x, float[] out, int from, int to) {
        for (int i = from; i < to; i++) {
            out[i] = (float) Math.exp(x[i]);
        }
    }

    @Override
    public void log(float[] x, float[] out, int from, int to) {
        for (int i = from; i < to; i++) {
            out[i] = (float) Math.log(x[i]);
        }
    }

    @Override
    public void log1p(float[] x, float[] out, int from, int to) {
        for (int i = from; i < to; i++) {
            out[i] = (float) Math.log1p(x[i]);
        }
    }

    @Override
    public void sqrt(float[] x, float[] out, int from, int to) {
        for (int i = from; i < to; i++) {
            out[i] = (float) Math.sqrt(x[i]);
        }
    }

    @Override
    public void abs(float[] x, float[] out, int from, int to) {
        for (int i = from; i < to; i++) {
            out[i] = Math.abs(x[i]);
        }
    }

    @Override
    public void sin(float[] x, float[] out, int from, int to) {
        for (int i = from; i < to; i++) {
            out[i] = (float) Math.sin(x[i]);
        }
    }

    @Override
    public void cos(float[] x, float[] out, int from, int to) {
        for (int i = from; i < to; i++) {
            out[i] = (float) Math.cos(x[i]);
        }
    }

    @Override
    public void tanh(float[] x, float[] out, int from, int to) {
        for (int i = from; i < to; i++) {
            out[i] = (float) Math.tanh(x[i]);
        }
    }

    @Override
    public void sigmoid(float[] x, float[] out, int from, int to) {
        for (int i = from; i < to; i++) {
            out[i] = sigmoid(x[i]);
        }
    }

    @Override
    public void softplus(float[] x, float[] out, int from, int to) {
        for (int i = from; i < to; i++) {
            out[i] = softplus(x[i]);
        }
    }

    @Override
    public void pow(float p, float[] x, float[] out, int from, int to) {
        for (int i = from; i < to; i++) {
            out[i] = Elementwise.pow(x[i], p);
        }
    }

    @Override
    public void negGrad(float[] g, float beta, float[] gi, int from, int to) {
        for (int i = from; i < to; i++) {
            gi[i] = Elementwise.accumulate(beta, gi[i], -g[i]);
        }
    }

    @Override
    public void expGrad(float[] y, float[] g, float beta, float[] gi, int from, int to) {
        for (int i = from; i < to; i++) {
            gi[i] = Elementwise.accumulate(beta, gi[i], g[i] * y[i]);
        }
    }

    @Override
    public void logGrad(float[] x, float[] g, float beta, float[] gi, int from, int to) {
        for (int i = from; i < to; i++) {
            gi[i] = Elementwise.accumulate(beta, gi[i], g[i] / x[i]);
        }
    }

    @Override
    public void log1pGrad(float[] x, float[] g, float beta, float[] gi, int from, int to) {
        for (int i = from; i < to; i++) {
            gi[i] = Elementwise.accumulate(beta, gi[i], g[i] / (x[i] + 1f));
        }
    }

    @Override
    public void sqrtGrad(float[] y, float[] g, float beta, float[] gi, int from, int to) {
        for (int i = from; i < to; i++) {
            gi[i] = Elementwise.accumulate(beta, gi[i], g[i] / (2f * y[i]));
        }
    }

    @Override
    public void absGrad(float[] x, float[] g, float beta, float[] gi, int from, int to) {
        for (int i = from; i < to; i++) {
            gi[i] = Elementwise.accumulate(beta, gi[i], g[i] * Elementwise.sign(x[i]));
        }
    }

    @Override
    public void sinGrad(float[] x, float[] g, float beta, float[] gi, int from, int to) {
        for (int i = from; i < to; i++) {
            gi[i] = Elementwise.accumulate(beta, gi[i], g[i] * (float) Math.cos(x[i]));
        }
    }

    @Override
    public void cosGrad(float[] x, float[] g, float beta, float[] gi, int from, int to) {
        for (int i = from; i < to; i++) {
            gi[i] = Elementwise.accumulate(beta, gi[i], g[i] * -(float) Math.sin(x[i]));
        }
    }

    @Override
    public void tanhGrad(float[] y, float[] g, float beta, float[] gi, int from, int to) {
        for (int i = from; i < to; i++) {
            float yi = y[i];
            gi[i] = Elementwise.accumulate(beta, gi[i], g[i] * (1f - yi * yi));
        }
    }

    @Override
    public void sigmoidGrad(float[] y, float[] g, float beta, float[] gi, int from, int to) {
        for (int i = from; i < to; i++) {
            float yi = y[i];
            gi[i] = Elementwise.accumulate(beta, gi[i], g[i] * (1f - yi) * yi);
        }
    }

    @Override
    public void reluGrad(float[] y, float[] g, float beta, float[] gi, int from, int to) {
        for (int i = from; i < to; i++) {
            gi[i] = Elementwise.accumulate(beta, gi[i], y[i] > 0f ? g[i] : 0f);
        }
    }

    @Override
    public void softplusGrad(float[] x, float[] g, float beta, float[] gi, int from, int to) {
        for (int i = from; i < to; i++) {
            gi[i] = Elementwise.accumulate(beta, gi[i], g[i] * sigmoid(x[i]));
        }
    }

    @Override
    public void powGrad(float p, float[] x, float[] g, float beta, float[] gi, int from, int to) {
        float pm1 = p - 1f;
        for (int i = from; i < to; i++) {
            float t = p == 0f ? 0f : g[i] * (p * Elementwise.pow(x[i], pm1));
            gi[i] = Elementwise.accumulate(beta, gi[i], t);
        }
    }

    @Override
    public void add(float[] a, int aOff, int aStride, float[] b, int bOff, int bStride, float[] out, int outOff,
            int n) {
        for (int i = 0; i < n; i++) {
            out[outOff + i] = a[aOff + i * aStride] + b[bOff + i * bStride];
        }
    }

    @Override
    public void sub(float[] a, int aOff, int aStride, float[] b, int bOff, int bStride, float[] out, int outOff,
            int n) {
        for (int i = 0; i < n; i++) {
            out[outOff + i] = a[aOff + i * aStride] - b[bOff + i * bStride];
        }
    }

    @Override
    public void mul(float[] a, int aOff, int aStride, float[] b, int bOff, int bStride, float[] out, int outOff,
            int n) {
        for (int i = 0; i < n; i++) {
            out[outOff + i] = a[aOff + i * aStride] * b[bOff + i * bStride];
        }
    }

    @Override
    public void div(float[] a, int aOff, int aStride, float[] b, int bOff, int bStride, float[] out, int outOff,
            int n) {
        for (int i = 0; i < n; i++) {
            out[outOff + i] = a[aOff + i * aStride] / b[bOff + i * bStride];
        }
    }

    @Override
    public void pow(float[] a, int aOff, int aStride, float[] b, int bOff, int bStride, float[] out, int outOff,
            int n) {
        for (int i = 0; i < n; i++) {
            out[outOff + i] = (float) Math.pow(a[aOff + i * aStride], b[bOff + i * bStride]);
        }
    }

    @Override
    public void spread(float[] src, int srcOff, int srcStride, float divisor, float beta, float[] d, int dOff, int n) {
        for (int i = 0; i < n; i++) {
            d[dOff + i] = Elementwise.accumulate(beta, d[dOff + i], src[srcOff + i * srcStride] / divisor);
        }
    }

    @Override
    public void mulGrad(float[] g, int gOff, float[] o, int oOff, int oStride, float beta, float[] d, int dOff,
            int n) {
        for (int i = 0; i < n; i++) {
            d[dOff + i] = Elementwise.accumulate(beta, d[dOff + i], g[gOff + i] * o[oOff + i * oStride]);
        }
    }

    @Override
    public void divGradA(float[] g, int gOff, float[] b, int bOff, int bStride, float beta, float[] d, int dOff,
            int n) {
        for (int i = 0; i < n; i++) {
            d[dOff + i] = Elementwise.accumulate(beta, d[dOff + i], g[gOff + i] / b[bOff + i * bStride]);
        }
    }

    @Override
    public void divGradB(float[] g, int gOff, float[] a, int aOff, int aStride, float[] b, int bOff, int bStride,
            float beta, float[] d, int dOff, int n) {
        for (int i = 0; i < n; i++) {
            float bi = b[bOff + i * bStride];
            float t = -g[gOff + i] * ((a[aOff + i * aStride] / bi) / bi);
            d[dOff + i] = Elementwise.accumulate(beta, d[dOff + i], t);
        }
    }

    @Override
    public void powGradA(float[] g, int gOff, float[] a, int aOff, int aStride, float[] b, int bOff, int bStride,
            float beta, float[] d, int dOff, int n) {
        for (int i = 0; i < n; i++) {
            float bi = b[bOff + i * bStride];
            float t = bi == 0f ? 0f : g[gOff + i] * (bi * (float) Math.pow(a[aOff + i * aStride], bi - 1f));
            d[dOff + i] = Elementwise.accumulate(beta, d[dOff + i], t);
        }
    }

    @Override
    public void powGradB(float[] g, int gOff, float[] a, int aOff, int aStride, float[] b, int bOff, int bStride,
            float[] y, int yOff, float beta, float[] d, int dOff, int n) {
        for (int i = 0; i < n; i++) {
            float ai = a[aOff + i * aStride];
            float t = ai == 0f && b[bOff + i * bStride] >= 0f ? 0f
                    : g[gOff + i] * (y[yOff + i] * (float) Math.log(ai));
            d[dOff + i] = Elementwise.accumulate(beta, d[dOff + i], t);
        }
    }

    @Override
    public float max(float[] x, int from, int to) {
        float m = Float.NEGATIVE_INFINITY;
        for (int i = from; i < to; i++) {
            m = Math.max(m, x[i]);
        }
        return m;
    }

    @Override
    public void columnMax(float[] x, int cols, int rowFrom, int rowTo, int colFrom, int colTo, float[] acc) {
        for (int r = rowFrom; r < rowTo; r++) {
            int off = r * cols;
            for (int c = colFrom; c < colTo; c++) {
                acc[c] = Math.max(acc[c], x[off + c]);
            }
        }
    }

    @Override
    public void softmaxRows(float[] x, float[] out, int cols, int rowFrom, int rowTo, boolean log) {
        for (int r = rowFrom; r < rowTo; r++) {
            int off = r * cols;
            float m = max(x, off, off + cols);
            double s = 0;
            if (log) {
                for (int j = 0; j < cols; j++) {
                    s += expNonPositive(x[off + j] - m);
                }
                float lse = (float) Math.log(s);
                for (int j = 0; j < cols; j++) {
                    out[off + j] = (x[off + j] - m) - lse;
                }
            } else {
                for (int j = 0; j < cols; j++) {
                    float e = expNonPositive(x[off + j] - m);
                    s += e;
                    out[off + j] = e;
                }
                float sf = (float) s;
                for (int j = 0; j < cols; j++) {
                    out[off + j] = out[off + j] / sf;
                }
            }
        }
    }

    @Override
    public void softmaxRowsGrad(float[] y, float[] g, int cols, int rowFrom, int rowTo, boolean log, float beta,
            float[] gi) {
        for (int r = rowFrom; r < rowTo; r++) {
            int off = r * cols;
            double s = 0;
            if (log) {
                for (int j = 0; j < cols; j++) {
                    s += g[off + j];
                }
                float sf = (float) s;
                for (int j = 0; j < cols; j++) {
                    gi[off + j] = Elementwise.accumulate(beta, gi[off + j], g[off + j] - expNonPositive(y[off + j]) * sf);
                }
            } else {
                for (int j = 0; j < cols; j++) {
                    s += (double) g[off + j] * y[off + j];
                }
                float sf = (float) s;
                for (int j = 0; j < cols; j++) {
                    gi[off + j] = Elementwise.accumulate(beta, gi[off + j], y[off + j] * (g[off + j] - sf));
                }
            }
        }
    }

    /** Rows and columns per tile of a transpose. */
    static final int TRANSPOSE_TILE = 16;

    @Override
    public void transpose(float[] x, int rows, int cols, int rowFrom, int rowTo, float beta, float[] out) {
        for (int r0 = rowFrom; r0 < rowTo; r0 += TRANSPOSE_TILE) {
            int r1 = Math.min(rowTo, r0 + TRANSPOSE_TILE);
            for (int c0 = 0; c0 < cols; c0 += TRANSPOSE_TILE) {
                int c1 = Math.min(cols, c0 + TRANSPOSE_TILE);
                for (int c = c0; c < c1; c++) {
                    int o = c * rows;
                    for (int r = r0; r < r1; r++) {
                        out[o + r] = Elementwise.accumulate(beta, out[o + r], x[r * cols + c]);
                    }
                }
            }
        }
    }
}
