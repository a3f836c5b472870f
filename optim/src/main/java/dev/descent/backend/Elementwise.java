package dev.descent.backend;

/**
 * The per-element float32 formulas of {@link UnaryOp} and {@link BinaryOp}, forward and backward, as plain Java: what
 * {@link dev.descent.autodiff.ExpressionObjective} evaluates on the host for small expressions. The exact operations
 * (arithmetic, NEG, ABS, SQRT, RELU, POW's special exponents, the accumulation) give the backends' bits; the
 * transcendental ones use {@code java.lang.Math}, as the CPU backend does for exp, log, log1p, sin, cos, tanh and
 * general powers, while its sigmoid and softplus are vectorised polynomials and the CUDA kernels compute in double:
 * those agree within a few ulps. Each gradient function returns the term added to the accumulator;
 * {@link #accumulate} adds it with the operations' factor beta.
 */
public final class Elementwise {
    private Elementwise() {
    }

    /** {@code beta == 0 ? t : fma(beta, old, t)}: beta 0 ignores the old value (NaN included), beta 1 adds exactly. */
    public static float accumulate(float beta, float old, float t) {
        return beta == 0f ? t : Math.fma(beta, old, t);
    }

    /**
     * xᵖ as torch computes a float tensor to a scalar power: the special exponents exactly (2: x·x, 3: x·x·x, 0.5: √x,
     * −0.5: 1/√x, −1: 1/x, −2: 1/(x·x), 1: x, 0: 1), any other {@code (float) Math.pow(x, p)}.
     */
    public static float pow(float x, float p) {
        if (p == 2f) {
            return x * x;
        } else if (p == 3f) {
            return x * x * x;
        } else if (p == 0.5f) {
            return (float) Math.sqrt(x);
        } else if (p == -0.5f) {
            return 1f / (float) Math.sqrt(x);
        } else if (p == -1f) {
            return 1f / x;
        } else if (p == -2f) {
            return 1f / (x * x);
        } else if (p == 1f) {
            return x;
        } else if (p == 0f) {
            return 1f;
        }
        return (float) Math.pow(x, p);
    }

    /** torch's sign: 1 above 0, −1 below, 0 at ±0 and NaN. */
    public static float sign(float x) {
        return x > 0f ? 1f : x < 0f ? -1f : 0f;
    }

    /** {@code 1 / (1 + e^−x)}, computed in double and rounded once. */
    public static float sigmoid(float x) {
        return (float) (1.0 / (1.0 + Math.exp(-(double) x)));
    }

    /** torch's softplus with beta 1 and threshold 20: x above 20, else {@code ln(1 + e^x)}. */
    public static float softplus(float x) {
        return x > 20f ? x : (float) Math.log1p(Math.exp(x));
    }

    /** {@code op(x)} with POW's exponent {@code p}. */
    public static float unary(UnaryOp op, float p, float x) {
        return switch (op) {
            case NEG -> -x;
            case EXP -> (float) Math.exp(x);
            case LOG -> (float) Math.log(x);
            case LOG1P -> (float) Math.log1p(x);
            case SQRT -> (float) Math.sqrt(x);
            case ABS -> Math.abs(x);
            case SIN -> (float) Math.sin(x);
            case COS -> (float) Math.cos(x);
            case TANH -> (float) Math.tanh(x);
            case SIGMOID -> sigmoid(x);
            case RELU -> x > 0f || x != x ? x : 0f;
            case SOFTPLUS -> softplus(x);
            case POW -> pow(x, p);
        };
    }

    /** The gradient term of {@code op} at input x, output y and incoming gradient g. */
    public static float unaryGradient(UnaryOp op, float p, float x, float y, float g) {
        return switch (op) {
            case NEG -> -g;
            case EXP -> g * y;
            case LOG -> g / x;
            case LOG1P -> g / (x + 1f);
            case SQRT -> g / (2f * y);
            case ABS -> g * sign(x);
            case SIN -> g * (float) Math.cos(x);
            case COS -> g * -(float) Math.sin(x);
            case TANH -> g * (1f - y * y);
            case SIGMOID -> g * (1f - y) * y;
            case RELU -> y > 0f ? g : 0f;
            case SOFTPLUS -> {
                if (x > 20f) {
                    yield g;
                }
                float z = (float) Math.exp(x);
                yield g * z / (z + 1f);
            }
            case POW -> p == 0f ? 0f : g * (p * pow(x, p - 1f));
        };
    }

    /** {@code a op b}. */
    public static float binary(BinaryOp op, float a, float b) {
        return switch (op) {
            case ADD -> a + b;
            case SUB -> a - b;
            case MUL -> a * b;
            case DIV -> a / b;
            case POW -> (float) Math.pow(a, b);
        };
    }

    /** The gradient term of {@code a op b = y} with respect to a ({@code argument} 0) or b (1), incoming g. */
    public static float binaryGradient(BinaryOp op, int argument, float a, float b, float y, float g) {
        if (argument == 0) {
            return switch (op) {
                case ADD, SUB -> g;
                case MUL -> g * b;
                case DIV -> g / b;
                case POW -> b == 0f ? 0f : g * (b * (float) Math.pow(a, b - 1f));
            };
        }
        return switch (op) {
            case ADD -> g;
            case SUB -> -g;
            case MUL -> g * a;
            case DIV -> -g * ((a / b) / b);
            case POW -> a == 0f && b >= 0f ? 0f : g * (y * (float) Math.log(a));
        };
    }
}
