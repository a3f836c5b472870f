package dev.descent.cpu;

import dev.descent.backend.Elementwise;

/**
 * The kernels of the CPU backend, over half-open index ranges of heap arrays, so that {@link CpuBackend} can split
 * work into fixed chunks for its worker threads. Two twins implement it: {@link ScalarKernels} (plain loops, the
 * reference) and {@link VectorKernels} (Vector API); {@link KernelSelection} picks one once per JVM.
 *
 * <p>Semantics shared by both twins:
 * <ul>
 *   <li>Optimizer updates follow torch 1.13's CPU kernels operation by operation, with the scalars the caller
 *       rounded to float; both twins give bit-identical results (fma, division and square root are correctly
 *       rounded in both).</li>
 *   <li>{@link #gemmPanel}: every element of the destination is one fused-multiply-add chain in k order, so both
 *       twins give bit-identical results too.</li>
 *   <li>Losses use an exp and a log1p built from basic operations ({@link ScalarKernels#expNonPositive},
 *       {@link ScalarKernels#log1pUnit}) and {@link StrictMath#log}, never an intrinsic whose last bit may differ
 *       between interpreted and compiled code; per-element exp and log1p values are the same in both twins.</li>
 *   <li>Reductions and loss totals accumulate in double; their order within a range differs between the twins
 *       (lanes vs. sequential), so they agree to rounding, not bitwise. Each twin is deterministic.</li>
 * </ul>
 */
interface CpuKernels {

    /**
     * What these kernels are, e.g. {@code "scalar"} or {@code "Vector API 256-bit (8 float lanes; GEMM tiles of 4 rows,
     * 16 vector registers)"}.
     */
    String describe();

    /** Width unit (in floats) of packed B panels for {@link #gemmPanel}: strips are 1, 2 or 3 units wide. */
    int gemmLanes();

    /**
     * Rows of C that {@link #gemmPanel}'s micro-kernel computes together for a strip of {@code width} columns, so that a
     * caller that splits rows into streams ({@link Gemm#streamedRows}) hands it whole tiles. Never changes results.
     */
    default int gemmTileRows(int width) {
        return width == gemmLanes() ? 8 : 4;
    }

    /**
     * For {@code r < rows} and {@code c < width}:
     * {@code d[dOff + r·ldd + c] ← chain(start; kk = 0 .. kLen-1:
     * fma(a[aOff + r·rs + kk·ks], pb[pbOff + kk·ldb + c], ·))}
     * where the chain starts from the old value of d when {@code accumulate}, from +0 otherwise. {@code width} is a
     * multiple of {@link #gemmLanes()}, at most three of them; B's rows are {@code ldb} apart (the strip width for
     * packed panels, the row length when a matrix is used in place).
     */
    default void gemmPanel(float[] a, int aOff, int rs, int ks, int rows, int kLen, float[] pb, int pbOff, int ldb,
            int width, float[] d, int dOff, int ldd, boolean accumulate) {
        gemmPanel(a, aOff, rs, ks, rows, kLen, pb, pbOff, ldb, width, width, d, dOff, ldd, accumulate);
    }

    /**
     * As above, for the destination's first {@code valid} columns only ({@code width − }{@link #gemmLanes()}{@code <
     * valid ≤ width}): the last vector of each row is computed whole but stored (and, when accumulating, read) under a
     * mask, so that a panel padded to whole vectors (10 or 24 classes at any width) writes straight into a destination
     * of rows {@code valid} wide, touching nothing past them. Each written element is the same chain as above. B may
     * be a matrix of rows {@code valid} wide used in place ({@code valid ≤ ldb < width}): the lanes past {@code valid}
     * then read the next row, never stored, so {@code pb} must reach {@code pbOff + (kLen − 1)·ldb + width}.
     */
    void gemmPanel(float[] a, int aOff, int rs, int ks, int rows, int kLen, float[] pb, int pbOff, int ldb, int width,
            int valid, float[] d, int dOff, int ldd, boolean accumulate);

    /**
     * Packs {@code rows} rows for {@link #gemmPanel}: row r's {@code valid} floats at {@code src[srcOff + r·ld]} go to
     * {@code dst[dstOff + r·w]}, followed by zeros up to {@code w} ({@code valid ≤ w}, {@code w} a multiple of
     * {@link #gemmLanes()}). Pure data movement: both twins write the same values.
     */
    void packRows(float[] src, int srcOff, int ld, int rows, int valid, float[] dst, int dstOff, int w);

    /**
     * Copies {@code rows} rows of {@code cols} floats from {@code src[srcOff + r·srcLd]} to {@code dst[dstOff + r·dstLd]},
     * writing nothing else (the destination rows may be packed tightly).
     */
    void copyRows(float[] src, int srcOff, int srcLd, int rows, int cols, float[] dst, int dstOff, int dstLd);

    /**
     * Chunk partial sums added in chunk order: for {@code i < len},
     * {@code out[outOff + i] ← ((p[off + i] + p[off + stride + i]) + p[off + 2·stride + i]) + …} over {@code chunks}
     * partials (one partial: a copy). {@code out} may be {@code p} at {@code off} (the first partial is read before it
     * is written).
     */
    void addChunks(float[] p, int off, int stride, int chunks, float[] out, int outOff, int len);

    // ------------------------------------------------------------------ elementwise

    /** {@code y ← fma(alpha, x, y)} (torch's {@code add_(x, alpha)} rounding). */
    void axpy(float alpha, float[] x, float[] y, int from, int to);

    /** {@code x ← alpha · x}. */
    void scale(float alpha, float[] x, int from, int to);

    /** {@code out ← a · b}. */
    void multiply(float[] a, float[] b, float[] out, int from, int to);

    /** {@code x ← min(max(x, lo), hi)}, NaN stays NaN. */
    void clamp(float[] x, float lo, float hi, int from, int to);

    /** {@code out ← max(x, 0)}, NaN stays NaN. */
    void relu(float[] x, float[] out, int from, int to);

    /** {@code gradIn ← activation > 0 ? gradOut : 0}. */
    void reluBackward(float[] gradOut, float[] activation, float[] gradIn, int from, int to);

    /** Rows {@code [rowFrom, rowTo)} of a {@code [*, cols]} matrix: {@code x[r, :] ← x[r, :] + bias}. */
    void addRowVector(float[] x, float[] bias, int cols, int rowFrom, int rowTo);

    /**
     * {@code acc[c] ← acc[c] + x[r, c]} for rows {@code r} in {@code [rowFrom, rowTo)} in order, and columns
     * {@code c} in {@code [colFrom, colTo)}; the accumulation per column is sequential in double (so both twins agree
     * bitwise).
     */
    void columnSums(float[] x, int cols, int rowFrom, int rowTo, int colFrom, int colTo, double[] acc);

    // ------------------------------------------------------------------ reductions

    double sum(float[] x, int from, int to);

    double dot(float[] x, float[] y, int from, int to);

    double squaredNorm(float[] x, int from, int to);

    /** Largest absolute value; NaN if any element is NaN; 0 for an empty range. */
    float maxAbs(float[] x, int from, int to);

    boolean allFinite(float[] x, int from, int to);

    // ------------------------------------------------------------------ fused losses (return the summed loss)

    /**
     * Rows of a softmax cross-entropy whose logs are taken together: the loss of a group of rows is
     * {@code Σ (max − z_y) + log Π Σ exp(z − max)} (each row's sum of exps is at least 1 and at most k, so the product
     * of 8 of them fits a double by far), one log per group instead of one per row. A group ends at a row index that is
     * a multiple of this, and at the end of a call.
     */
    int LOG_GROUP = 8;

    /** Whether row {@code row} of a call over rows {@code [.., rowTo)} ends a log group ({@link #LOG_GROUP}). */
    static boolean endsLogGroup(int row, int rowTo) {
        return (row + 1) % LOG_GROUP == 0 || row + 1 == rowTo;
    }

    /**
     * Rows {@code [rowFrom, rowTo)} of logits {@code [*, k]}: returns {@code Σ (max + log Σ exp(z − max) − z_y)}, added
     * up as {@link #LOG_GROUP} says; when {@code grad} is not null writes {@code (softmax(z) − onehot(y)) · gradScale}
     * ({@code grad} may be {@code z} itself). Labels are already checked.
     */
    default double softmaxCrossEntropy(float[] z, int[] labels, float[] grad, int k, int rowFrom, int rowTo,
            float gradScale) {
        return softmaxCrossEntropy(z, labels, grad, k, rowFrom, rowTo, gradScale, 0.0);
    }

    /**
     * As above, added to {@code start}: row by row, in order, {@code max − z_y}, and after the last row of each group
     * the log of the group's product of sums. A range cut into consecutive pieces at multiples of {@link #LOG_GROUP}
     * rows, each call continuing from the last one's result, gives exactly the sum of one call.
     */
    default double softmaxCrossEntropy(float[] z, int[] labels, float[] grad, int k, int rowFrom, int rowTo,
            float gradScale, double start) {
        return softmaxCrossEntropy(z, labels, grad, k, rowFrom, rowTo, gradScale, start, null, 0);
    }

    /**
     * As above; when {@code rowLoss} is not null, also writes the two doubles that each row adds to the sum, in the
     * order it adds them, at {@code rowLoss[rowLossOff + 2 (r − rowFrom)]} and the element after: {@code max − z_y},
     * then the log of its group's product of sums where the row ends a group, else 0 (adding it leaves the sum as it
     * is). Rows computed apart (by several threads, in pieces cut at multiples of {@link #LOG_GROUP}) can so be added in
     * row order afterwards, to the same sum.
     */
    double softmaxCrossEntropy(float[] z, int[] labels, float[] grad, int k, int rowFrom, int rowTo, float gradScale,
            double start, double[] rowLoss, int rowLossOff);

    /** Returns {@code Σ max(x,0) − x·t + log1p(exp(−|x|))}; grad {@code (sigmoid(x) − t) · gradScale}. */
    double sigmoidBinaryCrossEntropy(float[] x, float[] t, float[] grad, int from, int to, float gradScale);

    /** Returns {@code Σ (p − t)²}; grad {@code (p − t) · gradScale} (the caller passes 2/N). */
    double squaredError(float[] p, float[] t, float[] grad, int from, int to, float gradScale);

    /** Returns {@code Σ |p − t|}; grad {@code sign(p − t) · gradScale}. */
    double absoluteError(float[] p, float[] t, float[] grad, int from, int to, float gradScale);

    // ------------------------------------------------------------------ optimizer updates (see PARITY.md)

    /**
     * torch SGD: {@code g = ±grad; if applyWd g = fma(wd, θ, g); if useMomentum: b = copyFirst ? g :
     * fma(oneMinusDampening, g, b·momentum); g = nesterov ? fma(momentum, b, g) : b; θ = fma(negLr, g, θ)}.
     */
    void sgd(float[] p, float[] grad, float[] buf, int from, int to, float negLr, boolean applyWd, float wd,
            boolean useMomentum, float momentum, float oneMinusDampening, boolean nesterov, boolean maximize,
            boolean copyFirst);

    /**
     * torch Adam/AdamW: {@code if decoupled θ = θ·decayFactor else if applyWd g = fma(wd, θ, g);
     * m = fma(1−β1, g, m·β1); v = fma((1−β2)·g, g, v·β2); if vmax: vmax = max(vmax, v), v̂ = vmax;
     * θ = θ + (negStepSize·m) / (sqrt(v̂) / bc2Sqrt + eps)}.
     */
    void adam(float[] p, float[] grad, float[] m, float[] v, float[] vmax, int from, int to, float negStepSize,
            float beta1, float oneMinusBeta1, float beta2, float oneMinusBeta2, float bc2Sqrt, float eps,
            boolean applyWd, float wd, boolean decoupled, float decayFactor, boolean maximize);

    /**
     * torch RMSprop: {@code g = ±grad (+wd); sq = fma((1−α)·g, g, sq·α); centered: ga = fma(1−α, g, ga·α),
     * d = sqrt(fma(−ga, ga, sq)) + eps, else d = sqrt(sq) + eps; momentum: b = b·μ + g/d, θ = fma(negLr, b, θ);
     * else θ = θ + (negLr·g)/d}.
     */
    void rmsprop(float[] p, float[] grad, float[] sq, float[] gradAvg, float[] buf, int from, int to, float negLr,
            float alpha, float oneMinusAlpha, float eps, boolean applyWd, float wd, boolean useMomentum,
            float momentum, boolean maximize);

    /** torch Adagrad: {@code g = ±grad (+wd); s = fma(g, g, s); θ = θ + (negClr·g) / (sqrt(s) + eps)}. */
    void adagrad(float[] p, float[] grad, float[] sum, int from, int to, float negClr, float eps, boolean applyWd,
            float wd, boolean maximize);

    /**
     * torch NAdam: {@code g = ±grad (+wd); m = fma(1−β1, g, m·β1); v = fma((1−β2)·g, g, v·β2);
     * d = sqrt(v / bc2) + eps; θ = θ + (negGradStep·g) / d; θ = θ + (negMomentumStep·m) / d}.
     */
    void nadam(float[] p, float[] grad, float[] m, float[] v, int from, int to, float negGradStep,
            float negMomentumStep, float beta1, float oneMinusBeta1, float beta2, float oneMinusBeta2, float bc2,
            float eps, boolean applyWd, float wd, boolean maximize);

    /**
     * torch RAdam: {@code g = ±grad (+wd); m = fma(1−β1, g, m·β1); v = fma((1−β2)·g, g, v·β2); m̂ = m / bc1;
     * adaptive: θ = θ − ((m̂·lr)·((1 / (sqrt(v) + eps))·bc2Sqrt))·rect; otherwise θ = θ − m̂·lr}.
     */
    void radam(float[] p, float[] grad, float[] m, float[] v, int from, int to, float lr, float beta1,
            float oneMinusBeta1, float beta2, float oneMinusBeta2, float bc1, boolean adaptive, float bc2Sqrt,
            float rect, float eps, boolean applyWd, float wd, boolean maximize);

    /**
     * torch Adamax: {@code g = ±grad (+wd); m = fma(1−β1, g, m·β1); u = max(u·β2, |g| + eps) (NaN wins);
     * θ = θ + (negClr·m) / u}.
     */
    void adamax(float[] p, float[] grad, float[] m, float[] u, int from, int to, float negClr, float beta1,
            float oneMinusBeta1, float beta2, float eps, boolean applyWd, float wd, boolean maximize);

    /**
     * torch Adadelta: {@code g = ±grad (+wd); sq = fma((1−ρ)·g, g, sq·ρ); Δ = (sqrt(acc + eps) / sqrt(sq + eps))·g;
     * acc = fma((1−ρ)·Δ, Δ, acc·ρ); θ = fma(negLr, Δ, θ)}.
     */
    void adadelta(float[] p, float[] grad, float[] sq, float[] acc, int from, int to, float negLr, float rho,
            float oneMinusRho, float eps, boolean applyWd, float wd, boolean maximize);

    // ------------------------------------------------------------------ autodiff (Backend's UnaryOp, BinaryOp, ...)
    //
    // Every gradient kernel adds its gradient t to an accumulator d with a factor beta as
    // d ← beta == 0 ? t : fma(beta, d, t) (beta 0 ignores d, NaN included; beta 1 is d + t exactly), see
    // Elementwise.accumulate. Exact operations (+, −, ×, ÷, √, negation, |x|, max, the broadcasts) are bit-identical
    // in both twins. exp, log, log1p, sin, cos, tanh and pow (but torch's special exponents) are java.lang.Math's, in
    // double rounded once to float, element by element in both twins; sigmoid, softplus and the softmax along rows are
    // built on expNonPositive and log1pUnit (basic operations, vectorised), like the losses. So both twins give the
    // same bits, and so does every compilation tier (see VectorKernels).
    // Operands named with an offset and a stride are read at off + i·stride, stride 0 (one value, broadcast) or 1.

    /** {@code out ← −x}. */
    void neg(float[] x, float[] out, int from, int to);

    /** {@code out ← eˣ}. */
    void exp(float[] x, float[] out, int from, int to);

    /** {@code out ← ln x}. */
    void log(float[] x, float[] out, int from, int to);

    /** {@code out ← ln(1 + x)}. */
    void log1p(float[] x, float[] out, int from, int to);

    /** {@code out ← √x}. */
    void sqrt(float[] x, float[] out, int from, int to);

    /** {@code out ← |x|}. */
    void abs(float[] x, float[] out, int from, int to);

    /** {@code out ← sin x}. */
    void sin(float[] x, float[] out, int from, int to);

    /** {@code out ← cos x}. */
    void cos(float[] x, float[] out, int from, int to);

    /** {@code out ← tanh x}. */
    void tanh(float[] x, float[] out, int from, int to);

    /** {@code out ← 1 / (1 + e⁻ˣ)} ({@link ScalarKernels#sigmoid}). */
    void sigmoid(float[] x, float[] out, int from, int to);

    /** {@code out ← ln(1 + eˣ)}, which is x above 20 ({@link ScalarKernels#softplus}). */
    void softplus(float[] x, float[] out, int from, int to);

    /** {@code out ← xᵖ} with torch's special exponents ({@link Elementwise#pow}). */
    void pow(float p, float[] x, float[] out, int from, int to);

    /** {@code gi ← acc(beta, gi, −g)}. */
    void negGrad(float[] g, float beta, float[] gi, int from, int to);

    /** {@code gi ← acc(beta, gi, g·y)}, y = eˣ. */
    void expGrad(float[] y, float[] g, float beta, float[] gi, int from, int to);

    /** {@code gi ← acc(beta, gi, g / x)}. */
    void logGrad(float[] x, float[] g, float beta, float[] gi, int from, int to);

    /** {@code gi ← acc(beta, gi, g / (x + 1))}. */
    void log1pGrad(float[] x, float[] g, float beta, float[] gi, int from, int to);

    /** {@code gi ← acc(beta, gi, g / (2·y))}, y = √x. */
    void sqrtGrad(float[] y, float[] g, float beta, float[] gi, int from, int to);

    /** {@code gi ← acc(beta, gi, g·sign(x))}, sign 0 at ±0 and NaN (torch's sign). */
    void absGrad(float[] x, float[] g, float beta, float[] gi, int from, int to);

    /** {@code gi ← acc(beta, gi, g·cos x)}. */
    void sinGrad(float[] x, float[] g, float beta, float[] gi, int from, int to);

    /** {@code gi ← acc(beta, gi, g·(−sin x))}. */
    void cosGrad(float[] x, float[] g, float beta, float[] gi, int from, int to);

    /** {@code gi ← acc(beta, gi, g·(1 − y·y))}, y = tanh x. */
    void tanhGrad(float[] y, float[] g, float beta, float[] gi, int from, int to);

    /** {@code gi ← acc(beta, gi, (g·(1 − y))·y)}, y = sigmoid x. */
    void sigmoidGrad(float[] y, float[] g, float beta, float[] gi, int from, int to);

    /** {@code gi ← acc(beta, gi, y > 0 ? g : 0)}, y = relu x. */
    void reluGrad(float[] y, float[] g, float beta, float[] gi, int from, int to);

    /** {@code gi ← acc(beta, gi, g·sigmoid(x))}: torch's {@code x > 20 ? g : g·z / (z + 1)}, z = eˣ, stable. */
    void softplusGrad(float[] x, float[] g, float beta, float[] gi, int from, int to);

    /** {@code gi ← acc(beta, gi, p == 0 ? 0 : g·(p·x^(p−1)))}, the power by {@link Elementwise#pow}. */
    void powGrad(float p, float[] x, float[] g, float beta, float[] gi, int from, int to);

    /** {@code out[outOff + i] ← a[aOff + i·aStride] + b[bOff + i·bStride]} for {@code i < n}. */
    void add(float[] a, int aOff, int aStride, float[] b, int bOff, int bStride, float[] out, int outOff, int n);

    /** As {@link #add}, {@code a − b}. */
    void sub(float[] a, int aOff, int aStride, float[] b, int bOff, int bStride, float[] out, int outOff, int n);

    /** As {@link #add}, {@code a · b}. */
    void mul(float[] a, int aOff, int aStride, float[] b, int bOff, int bStride, float[] out, int outOff, int n);

    /** As {@link #add}, {@code a / b}. */
    void div(float[] a, int aOff, int aStride, float[] b, int bOff, int bStride, float[] out, int outOff, int n);

    /** As {@link #add}, {@code (float) Math.pow(a, b)}. */
    void pow(float[] a, int aOff, int aStride, float[] b, int bOff, int bStride, float[] out, int outOff, int n);

    /**
     * {@code d[dOff + i] ← acc(beta, d[dOff + i], src[srcOff + i·srcStride] / divisor)} for {@code i < n}: a gradient
     * spread back over the elements a sum, a mean or an addition broadcast it to (divisor 1 or −1 is exact).
     */
    void spread(float[] src, int srcOff, int srcStride, float divisor, float beta, float[] d, int dOff, int n);

    /** {@code d[dOff + i] ← acc(beta, d[dOff + i], g[gOff + i] · o[oOff + i·oStride])}: MUL's gradients. */
    void mulGrad(float[] g, int gOff, float[] o, int oOff, int oStride, float beta, float[] d, int dOff, int n);

    /** {@code d ← acc(beta, d, g / b)}: DIV's gradient of a. */
    void divGradA(float[] g, int gOff, float[] b, int bOff, int bStride, float beta, float[] d, int dOff, int n);

    /** {@code d ← acc(beta, d, −g·((a / b) / b))}: DIV's gradient of b. */
    void divGradB(float[] g, int gOff, float[] a, int aOff, int aStride, float[] b, int bOff, int bStride, float beta,
            float[] d, int dOff, int n);

    /** {@code d ← acc(beta, d, b == 0 ? 0 : g·(b·a^(b−1)))}: POW's gradient of a (general pow). */
    void powGradA(float[] g, int gOff, float[] a, int aOff, int aStride, float[] b, int bOff, int bStride, float beta,
            float[] d, int dOff, int n);

    /** {@code d ← acc(beta, d, (a == 0 && b ≥ 0) ? 0 : g·(y·ln a))}: POW's gradient of b. */
    void powGradB(float[] g, int gOff, float[] a, int aOff, int aStride, float[] b, int bOff, int bStride, float[] y,
            int yOff, float beta, float[] d, int dOff, int n);

    /** The largest element of {@code x[from, to)} (NaN if any is NaN; −∞ for an empty range). */
    float max(float[] x, int from, int to);

    /**
     * {@code acc[c] ← max(acc[c], x[r, c])} for rows {@code r} in {@code [rowFrom, rowTo)} and columns {@code c} in
     * {@code [colFrom, colTo)} of a {@code [*, cols]} matrix; NaN wins.
     */
    void columnMax(float[] x, int cols, int rowFrom, int rowTo, int colFrom, int colTo, float[] acc);

    /**
     * Rows {@code [rowFrom, rowTo)} of a {@code [*, cols]} matrix: {@code out ← e^(x − m) / Σ e^(x − m)}, or with
     * {@code log} {@code out ← (x − m) − ln Σ e^(x − m)}, m the row's maximum, the exps
     * {@link ScalarKernels#expNonPositive}, their sum in double (so the twins agree to rounding, not bitwise); out may
     * be x.
     */
    void softmaxRows(float[] x, float[] out, int cols, int rowFrom, int rowTo, boolean log);

    /**
     * Rows {@code [rowFrom, rowTo)}: {@code gi ← acc(beta, gi, y·(g − Σ g·y))} for softmax, {@code gi ← acc(beta, gi,
     * g − e^y·Σ g)} for log-softmax (y ≤ 0, e^y by {@link ScalarKernels#expNonPositive}), the sums in double and
     * rounded to float; gi may be g.
     */
    void softmaxRowsGrad(float[] y, float[] g, int cols, int rowFrom, int rowTo, boolean log, float beta, float[] gi);

    /**
     * Rows {@code [rowFrom, rowTo)} of {@code x [rows, cols]} into {@code out [cols, rows]}:
     * {@code out[c, r] ← acc(beta, out[c, r], x[r, c])}.
     */
    void transpose(float[] x, int rows, int cols, int rowFrom, int rowTo, float beta, float[] out);
}
