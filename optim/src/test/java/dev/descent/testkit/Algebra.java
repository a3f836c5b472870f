package dev.descent.testkit;

/**
 * The operations of {@link dev.descent.autodiff.Var} over some value type, so that a test function is written once and
 * evaluated both by the tape (float32, on a backend) and by the double-precision reference ({@link DoubleAlgebra}).
 */
interface Algebra<T> {
    T constant(double c);

    /** A constant of the given shape; values rounded to float32. */
    T constant(double[] values, int... shape);

    T add(T a, T b);

    T sub(T a, T b);

    T mul(T a, T b);

    T div(T a, T b);

    T pow(T a, double p);

    T pow(T a, T b);

    T neg(T a);

    T exp(T a);

    T log(T a);

    T log1p(T a);

    T sqrt(T a);

    T abs(T a);

    T sin(T a);

    T cos(T a);

    T tanh(T a);

    T sigmoid(T a);

    T relu(T a);

    T softplus(T a);

    /** axis -1: every element. */
    T sum(T a, int axis, boolean keep);

    T mean(T a, int axis, boolean keep);

    T max(T a, int axis, boolean keep);

    T matmul(T a, T b);

    T t(T a);

    T softmax(T a);

    T logSoftmax(T a);

    T pick(T a, int[] labels);

    T get(T a, int i);

    T get(T a, int r, int c);

    T slice(T a, int axis, int from, int to);

    T reshape(T a, int... shape);
}
