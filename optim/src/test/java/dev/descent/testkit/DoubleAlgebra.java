package dev.descent.testkit;

import java.util.Arrays;

/**
 * The reference for the autodiff tests: every operation of {@link dev.descent.autodiff.Var}, written again here in
 * double precision on plain arrays, independently of the backends and of the tape. Finite differences of these
 * functions are the gradients the tape must reproduce.
 */
final class DoubleAlgebra implements Algebra<DoubleAlgebra.M> {

    /** A value: rank 0, 1 or 2, row-major, rank 1 stored as one row. */
    record M(int rank, int rows, int cols, double[] v) {
        double at(int r, int c) {
            return v[r * cols + c];
        }

        static M of(int rank, int rows, int cols) {
            return new M(rank, rows, cols, new double[rows * cols]);
        }
    }

    @Override
    public M constant(double c) {
        return new M(0, 1, 1, new double[] {(float) c});
    }

    @Override
    public M constant(double[] values, int... shape) {
        double[] v = new double[values.length];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) values[i];
        }
        int rows = shape.length == 2 ? shape[0] : 1;
        int cols = shape.length == 2 ? shape[1] : shape.length == 1 ? shape[0] : 1;
        return new M(shape.length, rows, cols, v);
    }

    private interface D2 {
        double f(double a, double b);
    }

    private interface D1 {
        double f(double a);
    }

    private static M map(M a, D1 f) {
        M o = M.of(a.rank, a.rows, a.cols);
        for (int i = 0; i < a.v.length; i++) {
            o.v[i] = f.f(a.v[i]);
        }
        return o;
    }

    private static int bc(int x, int y) {
        if (x == y || y == 1) {
            return x;
        }
        if (x == 1) {
            return y;
        }
        throw new IllegalArgumentException("no broadcast " + x + " " + y);
    }

    private static M zip(M a, M b, D2 f) {
        int rows = bc(a.rows, b.rows);
        int cols = bc(a.cols, b.cols);
        M o = M.of(Math.max(a.rank, b.rank), rows, cols);
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                o.v[r * cols + c] = f.f(a.at(a.rows == 1 ? 0 : r, a.cols == 1 ? 0 : c),
                        b.at(b.rows == 1 ? 0 : r, b.cols == 1 ? 0 : c));
            }
        }
        return o;
    }

    @Override
    public M add(M a, M b) {
        return zip(a, b, Double::sum);
    }

    @Override
    public M sub(M a, M b) {
        return zip(a, b, (x, y) -> x - y);
    }

    @Override
    public M mul(M a, M b) {
        return zip(a, b, (x, y) -> x * y);
    }

    @Override
    public M div(M a, M b) {
        return zip(a, b, (x, y) -> x / y);
    }

    @Override
    public M pow(M a, double p) {
        return map(a, x -> Math.pow(x, (float) p));
    }

    @Override
    public M pow(M a, M b) {
        return zip(a, b, Math::pow);
    }

    @Override
    public M neg(M a) {
        return map(a, x -> -x);
    }

    @Override
    public M exp(M a) {
        return map(a, Math::exp);
    }

    @Override
    public M log(M a) {
        return map(a, Math::log);
    }

    @Override
    public M log1p(M a) {
        return map(a, Math::log1p);
    }

    @Override
    public M sqrt(M a) {
        return map(a, Math::sqrt);
    }

    @Override
    public M abs(M a) {
        return map(a, Math::abs);
    }

    @Override
    public M sin(M a) {
        return map(a, Math::sin);
    }

    @Override
    public M cos(M a) {
        return map(a, Math::cos);
    }

    @Override
    public M tanh(M a) {
        return map(a, Math::tanh);
    }

    @Override
    public M sigmoid(M a) {
        return map(a, x -> 1 / (1 + Math.exp(-x)));
    }

    @Override
    public M relu(M a) {
        return map(a, x -> Math.max(x, 0));
    }

    @Override
    public M softplus(M a) {
        return map(a, x -> x > 20 ? x : Math.log1p(Math.exp(x)));
    }

    private enum R { SUM, MEAN, MAX }

    private static M reduce(M a, int axis, boolean keep, R kind) {
        if (axis == -1 || a.rank == 1) {
            double s = kind == R.MAX ? Double.NEGATIVE_INFINITY : 0;
            for (double x : a.v) {
                s = kind == R.MAX ? Math.max(s, x) : s + x;
            }
            if (kind == R.MEAN) {
                s /= a.v.length;
            }
            return new M(axis == -1 || !keep ? 0 : 1, 1, 1, new double[] {s});
        }
        int lines = axis == 0 ? a.cols : a.rows;
        int len = axis == 0 ? a.rows : a.cols;
        double[] out = new double[lines];
        for (int l = 0; l < lines; l++) {
            double s = kind == R.MAX ? Double.NEGATIVE_INFINITY : 0;
            for (int i = 0; i < len; i++) {
                double x = axis == 0 ? a.at(i, l) : a.at(l, i);
                s = kind == R.MAX ? Math.max(s, x) : s + x;
            }
            out[l] = kind == R.MEAN ? s / len : s;
        }
        if (!keep) {
            return new M(1, 1, lines, out);
        }
        return axis == 0 ? new M(2, 1, lines, out) : new M(2, lines, 1, out);
    }

    @Override
    public M sum(M a, int axis, boolean keep) {
        return reduce(a, axis, keep, R.SUM);
    }

    @Override
    public M mean(M a, int axis, boolean keep) {
        return reduce(a, axis, keep, R.MEAN);
    }

    @Override
    public M max(M a, int axis, boolean keep) {
        return reduce(a, axis, keep, R.MAX);
    }

    @Override
    public M matmul(M a, M b) {
        int m = a.rank == 2 ? a.rows : 1;
        int k = a.cols;
        int n = b.rank == 2 ? b.cols : 1;
        double[] o = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) {
                    s += a.v[i * k + p] * (b.rank == 2 ? b.v[p * n + j] : b.v[p]);
                }
                o[i * n + j] = s;
            }
        }
        if (a.rank == 2 && b.rank == 2) {
            return new M(2, m, n, o);
        }
        if (a.rank == 1 && b.rank == 2) {
            return new M(1, 1, n, o);
        }
        if (a.rank == 2) {
            return new M(1, 1, m, o);
        }
        return new M(0, 1, 1, o);
    }

    @Override
    public M t(M a) {
        if (a.rank < 2) {
            return a;
        }
        M o = M.of(2, a.cols, a.rows);
        for (int r = 0; r < a.rows; r++) {
            for (int c = 0; c < a.cols; c++) {
                o.v[c * a.rows + r] = a.at(r, c);
            }
        }
        return o;
    }

    private static M softmaxRows(M a, boolean log) {
        M o = M.of(a.rank, a.rows, a.cols);
        for (int r = 0; r < a.rows; r++) {
            double m = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < a.cols; c++) {
                m = Math.max(m, a.at(r, c));
            }
            double s = 0;
            for (int c = 0; c < a.cols; c++) {
                s += Math.exp(a.at(r, c) - m);
            }
            for (int c = 0; c < a.cols; c++) {
                o.v[r * a.cols + c] = log ? a.at(r, c) - m - Math.log(s) : Math.exp(a.at(r, c) - m) / s;
            }
        }
        return o;
    }

    @Override
    public M softmax(M a) {
        return softmaxRows(a, false);
    }

    @Override
    public M logSoftmax(M a) {
        return softmaxRows(a, true);
    }

    @Override
    public M pick(M a, int[] labels) {
        M o = M.of(1, 1, a.rows);
        for (int r = 0; r < a.rows; r++) {
            o.v[r] = a.at(r, labels[r]);
        }
        return o;
    }

    @Override
    public M get(M a, int i) {
        return new M(0, 1, 1, new double[] {a.v[i]});
    }

    @Override
    public M get(M a, int r, int c) {
        return new M(0, 1, 1, new double[] {a.at(r, c)});
    }

    @Override
    public M slice(M a, int axis, int from, int to) {
        int length = a.rank == 1 || axis == 1 ? a.cols : a.rows;
        int f = from < 0 ? from + length : from;
        int t = to < 0 ? to + length : to;
        if (a.rank == 1) {
            return new M(1, 1, t - f, Arrays.copyOfRange(a.v, f, t));
        }
        if (axis == 0) {
            return new M(2, t - f, a.cols, Arrays.copyOfRange(a.v, f * a.cols, t * a.cols));
        }
        M o = M.of(2, a.rows, t - f);
        for (int r = 0; r < a.rows; r++) {
            for (int c = f; c < t; c++) {
                o.v[r * (t - f) + c - f] = a.at(r, c);
            }
        }
        return o;
    }

    @Override
    public M reshape(M a, int... shape) {
        int rows = shape.length == 2 ? shape[0] : 1;
        int cols = shape.length == 2 ? shape[1] : shape.length == 1 ? shape[0] : 1;
        return new M(shape.length, rows, cols, a.v.clone());
    }
}
