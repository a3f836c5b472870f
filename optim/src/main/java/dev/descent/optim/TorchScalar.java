package dev.descent.optim;

/**
 * A scalar as torch.optim.LBFGS's Python code holds it: either a Python float (a double) or a 0-dimensional float32
 * tensor (a dot product, a maximum, anything computed from one), with the arithmetic Python and torch apply between
 * them. {@link Lbfgs} keeps its step lengths, losses and derivatives in these so that every rounding and every
 * comparison is torch's:
 * <ul>
 *   <li>Python float with Python float: double arithmetic and comparison;</li>
 *   <li>anything with a tensor: float32 — the Python float is first rounded to float32 (torch's type promotion keeps
 *       a 0-dim float32 tensor float32 against a Python scalar), then one float32 operation; comparisons too, so
 *       {@code tensor(1e-7) <= 1e-7} is true;</li>
 *   <li>Python float divided by a tensor is {@code tensor.reciprocal() * float} (torch's {@code __rtruediv__}): two
 *       roundings;</li>
 *   <li>{@link #min}/{@link #max} are Python's builtins: they return one of their arguments unchanged (a Python float
 *       stays a double).</li>
 * </ul>
 * Checked against torch 1.13 in the optim tests ({@code TorchScalarTest}). Python ints (the 0 of {@code t_prev}) act
 * as Python floats here.
 *
 * @param value  the value; a tensor's is a float32 value
 * @param tensor whether this is a float32 tensor
 */
record TorchScalar(double value, boolean tensor) {
    static final TorchScalar ZERO = py(0);

    /** A Python float. */
    static TorchScalar py(double v) {
        return new TorchScalar(v, false);
    }

    /** A 0-dim float32 tensor. */
    static TorchScalar f32(float v) {
        return new TorchScalar(v, true);
    }

    /** The value as torch hands it to a float32 kernel (a Python float rounded to float32). */
    float asFloat() {
        return (float) value;
    }

    private boolean anyTensor(TorchScalar b) {
        return tensor || b.tensor;
    }

    TorchScalar plus(TorchScalar b) {
        return anyTensor(b) ? f32(asFloat() + b.asFloat()) : py(value + b.value);
    }

    TorchScalar minus(TorchScalar b) {
        return anyTensor(b) ? f32(asFloat() - b.asFloat()) : py(value - b.value);
    }

    TorchScalar times(TorchScalar b) {
        return anyTensor(b) ? f32(asFloat() * b.asFloat()) : py(value * b.value);
    }

    TorchScalar div(TorchScalar b) {
        if (tensor) {
            return f32(asFloat() / b.asFloat());
        }
        if (b.tensor) {
            return f32((1f / b.asFloat()) * asFloat()); // Python float / tensor: reciprocal, then multiply
        }
        return py(value / b.value);
    }

    TorchScalar abs() {
        return new TorchScalar(Math.abs(value), tensor);
    }

    /** {@code x ** 2}: a tensor squares in float32 (torch computes {@code x * x}). */
    TorchScalar square() {
        return tensor ? f32(asFloat() * asFloat()) : py(value * value);
    }

    /** {@code tensor.sqrt()}, correctly rounded in float32 (on a Python float, {@code math.sqrt}). */
    TorchScalar sqrt() {
        return tensor ? f32((float) Math.sqrt(asFloat())) : py(Math.sqrt(value));
    }

    boolean lt(TorchScalar b) {
        return anyTensor(b) ? asFloat() < b.asFloat() : value < b.value;
    }

    boolean le(TorchScalar b) {
        return anyTensor(b) ? asFloat() <= b.asFloat() : value <= b.value;
    }

    boolean gt(TorchScalar b) {
        return anyTensor(b) ? asFloat() > b.asFloat() : value > b.value;
    }

    boolean ge(TorchScalar b) {
        return anyTensor(b) ? asFloat() >= b.asFloat() : value >= b.value;
    }

    /** Python's {@code min(a, b)}: {@code b} if {@code b < a}, else {@code a}. */
    static TorchScalar min(TorchScalar a, TorchScalar b) {
        return b.lt(a) ? b : a;
    }

    /** Python's {@code max(a, b)}: {@code b} if {@code b > a}, else {@code a}. */
    static TorchScalar max(TorchScalar a, TorchScalar b) {
        return b.gt(a) ? b : a;
    }

    @Override
    public String toString() {
        return tensor ? "tensor(" + asFloat() + ")" : Double.toString(value);
    }
}
