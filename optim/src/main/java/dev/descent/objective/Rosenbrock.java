package dev.descent.objective;

/**
 * The Rosenbrock function, in the lecture's 2-D form and the general n-D form:
 * <pre>
 *   R(w) = Σ_{i=1}^{n-1} (1 − w_i)² + c·(w_{i+1} − w_i²)²
 * </pre>
 * with minimum 0 at w = (1, …, 1). The lecture uses n = 2 and c = 10 ({@link #lecture()}); the classic benchmark uses
 * c = 100 ({@link #standard(int)}).
 *
 * <p><b>Arithmetic.</b> Value and gradient are computed in float32 with exactly the operations torch autograd performs
 * on a float32 tensor for {@code torch.sum((1 - w[:-1])**2 + c*(w[1:] - w[:-1]**2)**2)} (for n = 2 equally
 * {@code (1 - w[0])**2 + c*(w[1] - w[0]**2)**2}). With a_i = 1 − w_i, d_i = w_{i+1} − w_i·w_i and
 * q_i = c·(2·d_i) (each operation rounded to float32):
 * <pre>
 *   ∂R/∂w_i = ( −(q_i · (2·w_i)) + q_{i−1} ) + (−(2·a_i))
 * </pre>
 * where the terms that do not exist at the ends (q_{n−1}, q_{−1}) are left out. This grouping is the order in which
 * autograd accumulates the three slice gradients; it was checked bit for bit against torch 1.13 for n = 2 … 17 and
 * c = 10, 100. The value sums the per-index terms (a_i·a_i + c·(d_i·d_i)) left to right in float32, which equals
 * torch for n ≤ 7; for longer vectors torch's vectorised sum may differ in the last bit (the gradient does not depend
 * on it). The coefficient is used as a float32 number, as torch converts a Python scalar.
 *
 * <p>Both methods are allocation-free.
 */
public final class Rosenbrock implements Objective {
    /** The lecture's coefficient. */
    public static final float LECTURE_COEFFICIENT = 10f;
    /** The classic coefficient, the default for the n-D form. */
    public static final float DEFAULT_COEFFICIENT = 100f;

    private final int n;
    private final float c;

    /**
     * @param n dimension, at least 2
     * @param c the coefficient of the curvature term; finite
     */
    public Rosenbrock(int n, float c) {
        if (n < 2) {
            throw new IllegalArgumentException("rosenbrock dimension must be >= 2, got " + n);
        }
        if (!Float.isFinite(c)) {
            throw new IllegalArgumentException("rosenbrock coefficient must be finite, got " + c);
        }
        this.n = n;
        this.c = c;
    }

    /** The lecture's form: R(w1, w2) = (1 − w1)² + 10(w2 − w1²)². */
    public static Rosenbrock lecture() {
        return new Rosenbrock(2, LECTURE_COEFFICIENT);
    }

    /** The n-D form with c = 100. */
    public static Rosenbrock standard(int n) {
        return new Rosenbrock(n, DEFAULT_COEFFICIENT);
    }

    @Override
    public int dimension() {
        return n;
    }

    /** The coefficient c. */
    public float coefficient() {
        return c;
    }

    @Override
    public double value(float[] w) {
        check(w, "w");
        float sum = 0f;
        for (int i = 0; i < n - 1; i++) {
            float a = 1f - w[i];
            float d = w[i + 1] - w[i] * w[i];
            float term = a * a + c * (d * d);
            sum += term;
        }
        return sum;
    }

    @Override
    public void gradient(float[] w, float[] g) {
        check(w, "w");
        check(g, "g");
        // Autograd sums three full-length slice gradients, zero where a slice does not reach: (t2 + t3) + t1 with
        // t1 = -(2a_i), t2 = -(q_i * 2w_i) (both for i < n-1) and t3 = q_{i-1} (for i > 0). Adding the zeros
        // literally keeps even the sign of a zero gradient identical to torch.
        float qPrev = 0f;
        for (int i = 0; i < n; i++) {
            float t1 = 0f;
            float t2 = 0f;
            float q = 0f;
            if (i < n - 1) {
                float d = w[i + 1] - w[i] * w[i];
                q = c * (2f * d);
                t2 = -(q * (2f * w[i]));
                t1 = -(2f * (1f - w[i]));
            }
            g[i] = (t2 + qPrev) + t1;
            qPrev = q;
        }
    }

    @Override
    public double valueAndGradient(float[] w, float[] g) {
        gradient(w, g);
        return value(w);
    }

    @Override
    public String describe() {
        return "rosenbrock n=" + n + " c=" + (c == Math.rint(c) ? Long.toString((long) c) : Float.toString(c));
    }

    private void check(float[] v, String what) {
        if (v.length != n) {
            throw new IllegalArgumentException("rosenbrock n=" + n + ": " + what + " has length " + v.length);
        }
    }
}
