package dev.descent.backend;

import java.util.Arrays;

/**
 * The argument checks of the {@link Backend} operations, shared by every backend so that each refuses the same bad
 * arguments with the same {@link IllegalArgumentException} (or, for a closed tensor or backend,
 * {@link IllegalStateException}) and the same message. Every message starts with the operation's name, then names the
 * argument and its shape.
 *
 * <p>A backend checks, in order: that it is open ({@link #open}); each tensor argument, with its own tensor class
 * ({@link #owned}, {@link #float32}, {@link #int32}); then the operation's shapes and scalars with the methods below.
 * The checks read only {@link Tensor}'s shape and dtype, never the data, except for the host-side values an operation
 * is given ({@link #labels}, {@link #gatherIndices}), which a backend that keeps the values elsewhere may check where
 * they live instead.
 *
 * <p>The passing path allocates nothing (the messages are built only when a check fails), so the checks may run on
 * every call of a training step.
 */
public final class OpChecks {
    private OpChecks() {
    }

    /**
     * How messages show a tensor: {@code [n]} or {@code [rows, cols]} as created, followed by {@code " int32"} for an
     * int32 tensor.
     */
    public static String describe(Tensor t) {
        return Arrays.toString(t.shape()) + (t.dtype() == DType.I32 ? " int32" : "");
    }

    // ================================================================ backends and tensors

    /** The backend named {@code backend} ({@code cpu}, {@code cuda}) must not be closed. */
    public static void open(boolean closed, String backend, String op) {
        if (closed) {
            throw new IllegalStateException(op + ": the " + backend + " backend is closed");
        }
    }

    /**
     * {@code x} must be a live tensor of {@code backend}, an instance of that backend's tensor class {@code type};
     * returns it as that class.
     */
    public static <T extends Tensor> T owned(Backend backend, Class<T> type, Tensor x, String op, String name) {
        if (x == null) {
            throw new IllegalArgumentException(op + ": " + name + " is null");
        }
        if (!type.isInstance(x) || x.backend() != backend) {
            throw foreign(backend, x, op, name);
        }
        if (x.isClosed()) {
            throw new IllegalStateException(op + ": " + name + " " + describe(x) + " is closed");
        }
        return type.cast(x);
    }

    /** {@link #owned}, and float32. */
    public static <T extends Tensor> T float32(Backend backend, Class<T> type, Tensor x, String op, String name) {
        T t = owned(backend, type, x, op, name);
        if (t.dtype() != DType.F32) {
            throw new IllegalArgumentException(op + ": " + name + " must be float32, got " + describe(t));
        }
        return t;
    }

    /** {@link #owned}, and int32. */
    public static <T extends Tensor> T int32(Backend backend, Class<T> type, Tensor x, String op, String name) {
        T t = owned(backend, type, x, op, name);
        if (t.dtype() != DType.I32) {
            throw new IllegalArgumentException(op + ": " + name + " must be int32, got float32 " + describe(t));
        }
        return t;
    }

    private static IllegalArgumentException foreign(Backend backend, Tensor x, String op, String name) {
        return new IllegalArgumentException(op + ": " + name + " " + x + " belongs to another backend ("
                + x.backend() + "), not to this " + backend.description());
    }

    // ================================================================ memory

    /** A Java array or other object argument must not be null. */
    public static void notNull(Object o, String op, String name) {
        if (o == null) {
            throw new IllegalArgumentException(op + ": " + name + " is null");
        }
    }

    /** A new tensor's shape must be {@code [n]} or {@code [rows, cols]}, no dimension negative; returns its size. */
    public static long newShape(String op, int[] shape) {
        if (shape == null || shape.length < 1 || shape.length > 2) {
            throw new IllegalArgumentException(op + ": shape must be [n] or [rows, cols], got "
                    + Arrays.toString(shape));
        }
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException(op + ": negative dimension in shape " + Arrays.toString(shape));
            }
        }
        return shape.length == 2 ? (long) shape[0] * shape[1] : shape[0];
    }

    /** The data of a new tensor must have exactly the size of its shape (itself checked as by {@link #newShape}). */
    public static void uploadLength(String op, int dataLength, int[] shape) {
        long size = newShape(op, shape);
        if (dataLength != size) {
            throw new IllegalArgumentException(op + ": data has " + dataLength + " elements but shape "
                    + Arrays.toString(shape) + " needs " + size);
        }
    }

    /**
     * A copy between a tensor and the Java array {@code name} of {@code arrayLength} elements, from {@code offset}, of
     * {@code count} elements must fit the array.
     */
    public static void arrayRange(String op, String name, int arrayLength, int offset, long count) {
        if (offset < 0 || offset + count > arrayLength) {
            throw new IllegalArgumentException(op + ": " + name + " array of length " + arrayLength + " from offset "
                    + offset + " cannot hold " + count + " elements");
        }
    }

    /** {@code index} must be an element of {@code src}. */
    public static void elementIndex(String op, long index, Tensor src) {
        if (index < 0 || index >= src.size()) {
            throw new IllegalArgumentException(op + ": index " + index + " is outside " + describe(src) + " (size "
                    + src.size() + ")");
        }
    }

    // ================================================================ shapes

    /** Two tensors must have the same number of elements. */
    public static void sameSize(String op, String an, Tensor a, String bn, Tensor b) {
        if (a.size() != b.size()) {
            throw differ(op, an, a, bn, b, "size");
        }
    }

    /** {@link #sameSize} when {@code b} is given (an optional tensor). */
    public static void sameSizeIfGiven(String op, String an, Tensor a, String bn, Tensor b) {
        if (b != null) {
            sameSize(op, an, a, bn, b);
        }
    }

    /** Two tensors must have the same rows and columns. */
    public static void sameShape(String op, String an, Tensor a, String bn, Tensor b) {
        if (a.rows() != b.rows() || a.cols() != b.cols()) {
            throw differ(op, an, a, bn, b, "shape");
        }
    }

    /** Two tensors must have the same dtype. */
    public static void sameDtype(String op, String an, Tensor a, String bn, Tensor b) {
        if (a.dtype() != b.dtype()) {
            throw differ(op, an, a, bn, b, "dtype");
        }
    }

    private static IllegalArgumentException differ(String op, String an, Tensor a, String bn, Tensor b, String what) {
        return new IllegalArgumentException(op + ": " + an + " " + describe(a) + " and " + bn + " " + describe(b)
                + " differ in " + what);
    }

    /** {@code v} must have one element per row of the matrix {@code x}. */
    public static void onePerRow(String op, String vn, Tensor v, String xn, Tensor x) {
        if (v.size() != x.rows()) {
            throw new IllegalArgumentException(op + ": " + vn + " " + describe(v) + " must have " + x.rows()
                    + " elements, one per row of " + xn + " " + describe(x));
        }
    }

    /** {@code v} must have one element per column of the matrix {@code x}. */
    public static void onePerColumn(String op, String vn, Tensor v, String xn, Tensor x) {
        if (v.size() != x.cols()) {
            throw new IllegalArgumentException(op + ": " + vn + " " + describe(v) + " must have " + x.cols()
                    + " elements, one per column of " + xn + " " + describe(x));
        }
    }

    /** A matrix with rows must have columns (an argmax or a softmax over none is undefined). */
    public static void hasColumns(String op, String name, Tensor x) {
        if (x.rows() > 0 && x.cols() == 0) {
            throw new IllegalArgumentException(op + ": " + name + " " + describe(x) + " has no columns");
        }
    }

    // ================================================================ GEMM

    /** {@code C ← alpha·op(A)·op(B) + beta·C}: op(A) m×k, op(B) k×n, C m×n, and C neither A nor B. */
    public static void gemm(boolean transA, boolean transB, Tensor a, Tensor b, Tensor c) {
        int m = transA ? a.cols() : a.rows();
        int k = transA ? a.rows() : a.cols();
        int kb = transB ? b.cols() : b.rows();
        int n = transB ? b.rows() : b.cols();
        if (k != kb || c.rows() != m || c.cols() != n) {
            throw new IllegalArgumentException("gemm: shapes do not match: op(A) " + m + "x" + k + " (A "
                    + describe(a) + (transA ? " transposed" : "") + "), op(B) " + kb + "x" + n + " (B "
                    + describe(b) + (transB ? " transposed" : "") + "), C " + describe(c) + " (needs [" + m + ", "
                    + n + "])");
        }
        if (c == a || c == b) {
            throw new IllegalArgumentException("gemm: C must not be the same tensor as A or B");
        }
    }

    // ================================================================ rows

    /**
     * A gather's tensors: src and dst share dtype and column count, and {@code indices[offset ..]} covers dst's rows.
     * The index values are checked by {@link #gatherIndices}.
     */
    public static void gatherRows(Tensor src, Tensor indices, int offset, Tensor dst) {
        if (src.dtype() != dst.dtype() || src.cols() != dst.cols()) {
            throw new IllegalArgumentException("gatherRows: src " + describe(src) + " and dst " + describe(dst)
                    + " must share dtype and column count");
        }
        if (offset < 0 || (long) offset + dst.rows() > indices.size()) {
            throw new IllegalArgumentException("gatherRows: indices " + describe(indices) + " from offset " + offset
                    + " do not cover the " + dst.rows() + " rows of dst " + describe(dst));
        }
    }

    /** The gathered indices {@code indices[offset .. offset + rows)} must be rows of {@code src}. */
    public static void gatherIndices(int[] indices, int offset, int rows, Tensor src) {
        int srcRows = src.rows();
        for (int r = 0; r < rows; r++) {
            int v = indices[offset + r];
            if (v < 0 || v >= srcRows) {
                throw new IllegalArgumentException("gatherRows: index " + v + " at position " + (offset + r)
                        + " of indices is outside the " + srcRows + " rows of src " + describe(src));
            }
        }
    }

    /** {@code argmaxRows}: out has one element per row of x, and x has columns. */
    public static void argmaxRows(Tensor x, Tensor out) {
        onePerRow("argmaxRows", "out", out, "x", x);
        hasColumns("argmaxRows", "x", x);
    }

    // ================================================================ losses

    /** {@code lossOut[lossIndex]} must exist and the normalizer be positive. */
    public static void lossOutput(String op, Tensor lossOut, int lossIndex, int normalizer) {
        if (lossIndex < 0 || lossIndex >= lossOut.size()) {
            throw new IllegalArgumentException(op + ": lossIndex " + lossIndex + " is outside lossOut "
                    + describe(lossOut));
        }
        if (normalizer <= 0) {
            throw new IllegalArgumentException(op + ": normalizer must be > 0, got " + normalizer);
        }
    }

    /** Softmax cross-entropy's shapes: one label per row of logits, which has columns; grad (if given) like logits. */
    public static void softmaxCrossEntropy(String op, Tensor logits, Tensor labels, Tensor grad) {
        onePerRow(op, "labels", labels, "logits", logits);
        hasColumns(op, "logits", logits);
        if (grad != null) {
            sameShape(op, "logits", logits, "grad", grad);
        }
    }

    /** Each of the first {@code n} class labels must be in [0, k) for logits [n, k]; the error names the first not. */
    public static void labels(String op, int[] labels, int n, Tensor logits) {
        labels(op, labels, n, "logits", logits);
    }

    /**
     * Each of the first {@code n} labels must be a column of the matrix {@code x} [n, k], named {@code name} in the
     * message ({@code logits}, {@code x}, {@code gradIn}); the error names the first label that is not, and its row.
     */
    public static void labels(String op, int[] labels, int n, String name, Tensor x) {
        int k = x.cols();
        for (int r = 0; r < n; r++) {
            if (labels[r] < 0 || labels[r] >= k) {
                throw new IllegalArgumentException(op + ": label " + labels[r] + " at row " + r + " is outside [0, "
                        + k + ") for " + name + " " + describe(x));
            }
        }
    }

    /**
     * An elementwise loss's shapes: targets and grad (if given) like the input, named {@code inputName}
     * ({@code logits} or {@code predictions}).
     */
    public static void elementwiseLoss(String op, String inputName, Tensor input, Tensor targets, Tensor grad) {
        sameShape(op, inputName, input, "targets", targets);
        if (grad != null) {
            sameShape(op, inputName, input, "grad", grad);
        }
    }

    /**
     * {@link Backend#linearSoftmaxCrossEntropy}'s arguments but the tensors' dtypes and owners: every tensor but b
     * and gradB given, b and gradB both or neither, the loss output, the shapes (x [n, in], w and gradW [in, k], b and
     * gradB [k], labels [n], logits and grad [n, k]), and no output aliasing an input or another output (grad may be
     * logits). Label values are checked where the softmax runs.
     */
    public static void linearSoftmaxCrossEntropy(Tensor x, Tensor w, Tensor b, Tensor labels, Tensor logits,
            Tensor grad, Tensor gradW, Tensor gradB, int normalizer, Tensor lossOut, int lossIndex) {
        String op = "linearSoftmaxCrossEntropy";
        notNull(x, op, "x");
        notNull(w, op, "w");
        notNull(labels, op, "labels");
        notNull(logits, op, "logits");
        notNull(grad, op, "grad");
        notNull(gradW, op, "gradW");
        notNull(lossOut, op, "lossOut");
        lossOutput(op, lossOut, lossIndex, normalizer);
        if ((b == null) != (gradB == null)) {
            throw new IllegalArgumentException(op + ": b and gradB must both be given or both be null");
        }
        int n = x.rows();
        int in = x.cols();
        int k = w.cols();
        if (w.rows() != in || logits.rows() != n || logits.cols() != k || gradW.rows() != in || gradW.cols() != k
                || labels.size() != n || (b != null && (b.size() != k || gradB.size() != k))) {
            throw new IllegalArgumentException(op + ": shapes do not match: x " + describe(x) + ", w "
                    + describe(w) + ", b " + (b == null ? "none" : describe(b)) + ", labels " + describe(labels)
                    + ", logits " + describe(logits) + ", gradW " + describe(gradW) + ", gradB "
                    + (gradB == null ? "none" : describe(gradB)) + " (needs x [n, in], w and gradW [in, k], b and gradB"
                    + " [k], labels [n], logits and grad [n, k])");
        }
        sameShape(op, "logits", logits, "grad", grad);
        if (logits == x || grad == x || gradW == x || gradW == w || gradW == grad || gradW == logits) {
            throw new IllegalArgumentException(op + ": logits, grad and gradW must not be x, w or each other "
                    + "(grad may be logits)");
        }
    }

    // ================================================================ optimizer updates

    /** A hyperparameter must be a finite number. */
    public static void finite(String op, String name, double value) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(op + ": " + name + " must be finite, got " + value);
        }
    }

    /** A hyperparameter must be {@code >= 0} (NaN is not). */
    public static void nonNegative(String op, String name, double value) {
        if (!(value >= 0)) {
            throw new IllegalArgumentException(op + ": " + name + " must be >= 0, got " + value);
        }
    }

    /** With momentum, a momentum buffer must be given. */
    public static void momentumBuffer(String op, double momentum, Tensor momentumBuffer) {
        if (momentum != 0 && momentumBuffer == null) {
            throw new IllegalArgumentException(op + ": momentum " + momentum + " needs a momentum buffer");
        }
    }

    /** {@link Backend#sgdUpdate}'s scalars: lr, weightDecay and dampening finite, momentum ≥ 0, Nesterov's needs. */
    public static void sgd(double lr, double momentum, double dampening, boolean nesterov, double weightDecay) {
        String op = "sgdUpdate";
        finite(op, "lr", lr);
        finite(op, "weightDecay", weightDecay);
        nonNegative(op, "momentum", momentum);
        finite(op, "dampening", dampening);
        if (nesterov && (momentum <= 0 || dampening != 0)) {
            throw new IllegalArgumentException(op + ": nesterov needs momentum > 0 and dampening 0, got momentum "
                    + momentum + ", dampening " + dampening);
        }
    }

    /** {@link Backend#adamUpdate}'s scalars: step from 1, lr, eps and weightDecay finite, betas in [0, 1). */
    public static void adam(double lr, double beta1, double beta2, double eps, double weightDecay, long step) {
        String op = "adamUpdate";
        if (step < 1) {
            throw new IllegalArgumentException(op + ": step counts from 1, got " + step);
        }
        finite(op, "lr", lr);
        finite(op, "eps", eps);
        finite(op, "weightDecay", weightDecay);
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException(op + ": betas must be in [0, 1), got (" + beta1 + ", " + beta2 + ")");
        }
    }

    /** {@link Backend#rmspropUpdate}'s scalars: lr, alpha, eps and weightDecay finite, momentum ≥ 0. */
    public static void rmsprop(double lr, double alpha, double eps, double weightDecay, double momentum) {
        String op = "rmspropUpdate";
        finite(op, "lr", lr);
        finite(op, "alpha", alpha);
        finite(op, "eps", eps);
        finite(op, "weightDecay", weightDecay);
        nonNegative(op, "momentum", momentum);
    }

    /** The step count of a bias-corrected update starts at 1. */
    private static void stepFromOne(String op, long step) {
        if (step < 1) {
            throw new IllegalArgumentException(op + ": step counts from 1, got " + step);
        }
    }

    /** Two decay rates β1, β2 must each be in [0, 1). */
    private static void decayRates(String op, double beta1, double beta2) {
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException(op + ": betas must be in [0, 1), got (" + beta1 + ", " + beta2 + ")");
        }
    }

    /**
     * {@link Backend#nadamUpdate}'s scalars: step from 1, both step sizes, eps and weightDecay finite, betas in
     * [0, 1).
     */
    public static void nadam(double gradStepSize, double momentumStepSize, double beta1, double beta2, double eps,
            double weightDecay, long step) {
        String op = "nadamUpdate";
        stepFromOne(op, step);
        finite(op, "gradStepSize", gradStepSize);
        finite(op, "momentumStepSize", momentumStepSize);
        finite(op, "eps", eps);
        finite(op, "weightDecay", weightDecay);
        decayRates(op, beta1, beta2);
    }

    /** {@link Backend#radamUpdate}'s scalars: step from 1, lr, eps and weightDecay finite, betas in [0, 1). */
    public static void radam(double lr, double beta1, double beta2, double eps, double weightDecay, long step) {
        String op = "radamUpdate";
        stepFromOne(op, step);
        finite(op, "lr", lr);
        finite(op, "eps", eps);
        finite(op, "weightDecay", weightDecay);
        decayRates(op, beta1, beta2);
    }

    /** {@link Backend#adamaxUpdate}'s scalars: step from 1, lr, eps and weightDecay finite, betas in [0, 1). */
    public static void adamax(double lr, double beta1, double beta2, double eps, double weightDecay, long step) {
        String op = "adamaxUpdate";
        stepFromOne(op, step);
        finite(op, "lr", lr);
        finite(op, "eps", eps);
        finite(op, "weightDecay", weightDecay);
        decayRates(op, beta1, beta2);
    }

    /** {@link Backend#adadeltaUpdate}'s scalars: lr, eps and weightDecay finite, rho in [0, 1]. */
    public static void adadelta(double lr, double rho, double eps, double weightDecay) {
        String op = "adadeltaUpdate";
        finite(op, "lr", lr);
        finite(op, "eps", eps);
        finite(op, "weightDecay", weightDecay);
        if (!(rho >= 0 && rho <= 1)) {
            throw new IllegalArgumentException(op + ": rho must be in [0, 1], got " + rho);
        }
    }

    /** {@link Backend#adagradUpdate}'s scalars: clr, eps and weightDecay finite. */
    public static void adagrad(double clr, double eps, double weightDecay) {
        String op = "adagradUpdate";
        finite(op, "clr", clr);
        finite(op, "eps", eps);
        finite(op, "weightDecay", weightDecay);
    }

    // ================================================================ views and autodiff operations

    /** {@code reshape}: the new shape is valid and has x's size. */
    public static void reshape(Tensor x, int[] shape) {
        long size = newShape("reshape", shape);
        if (size != x.size()) {
            throw new IllegalArgumentException("reshape: cannot view " + describe(x) + " (size " + x.size()
                    + ") as " + Arrays.toString(shape) + " (size " + size + ")");
        }
    }

    // The operations below name themselves with their UnaryOp, BinaryOp or ReduceOp ("unary exp"): the name is built
    // only when a check fails, so that the passing path allocates nothing.

    /** {@code unary}: an operation, and out of x's size. */
    public static void unary(UnaryOp op, Tensor x, Tensor out) {
        notNull(op, "unary", "op");
        if (x.size() != out.size()) {
            sameSize("unary " + op.label(), "x", x, "out", out);
        }
    }

    /** {@code unaryBackward}: an operation, and all four tensors of one size. */
    public static void unaryBackward(UnaryOp op, Tensor x, Tensor out, Tensor gradOut, Tensor gradIn) {
        notNull(op, "unaryBackward", "op");
        long n = x.size();
        if (out.size() != n || gradOut.size() != n || gradIn.size() != n) {
            String name = "unaryBackward " + op.label();
            sameSize(name, "x", x, "out", out);
            sameSize(name, "x", x, "gradOut", gradOut);
            sameSize(name, "x", x, "gradIn", gradIn);
        }
    }

    /** {@code binary}: an operation, and a and b each broadcast to out (see {@link Backend#binary}). */
    public static void binary(BinaryOp op, Tensor a, Tensor b, Tensor out) {
        notNull(op, "binary", "op");
        if (!broadcastsTo(a, out.rows(), out.cols()) || !broadcastsTo(b, out.rows(), out.cols())) {
            String name = "binary " + op.label();
            broadcasts(name, "a", a, out);
            broadcasts(name, "b", b, out);
        }
    }

    /**
     * {@code binaryBackward}: as {@link #binary}, an argument 0 or 1, gradOut of out's shape, gradArg of the
     * argument's.
     */
    public static void binaryBackward(BinaryOp op, int argument, Tensor a, Tensor b, Tensor out, Tensor gradOut,
            Tensor gradArg) {
        notNull(op, "binaryBackward", "op");
        Tensor arg = argument == 0 ? a : b;
        if ((argument != 0 && argument != 1) || !broadcastsTo(a, out.rows(), out.cols())
                || !broadcastsTo(b, out.rows(), out.cols()) || gradOut.rows() != out.rows()
                || gradOut.cols() != out.cols() || gradArg.rows() != arg.rows() || gradArg.cols() != arg.cols()) {
            String name = "binaryBackward " + op.label();
            if (argument != 0 && argument != 1) {
                throw new IllegalArgumentException(name + ": argument must be 0 (a) or 1 (b), got " + argument);
            }
            broadcasts(name, "a", a, out);
            broadcasts(name, "b", b, out);
            sameShape(name, "gradOut", gradOut, "out", out);
            throw new IllegalArgumentException(name + ": gradArg " + describe(gradArg) + " must have the shape of "
                    + (argument == 0 ? "a " : "b ") + describe(arg));
        }
    }

    /** Whether {@code x} broadcasts to a {@code rows × cols} output: each dimension equal or 1. */
    public static boolean broadcastsTo(Tensor x, int rows, int cols) {
        return (x.rows() == rows || x.rows() == 1) && (x.cols() == cols || x.cols() == 1);
    }

    private static void broadcasts(String op, String name, Tensor x, Tensor out) {
        if (!broadcastsTo(x, out.rows(), out.cols())) {
            throw new IllegalArgumentException(op + ": " + name + " " + describe(x) + " does not broadcast to out "
                    + describe(out) + " (it needs out's rows or 1 row, and out's columns or 1 column)");
        }
    }

    /** The axis a reduction of x into out runs along: -1 every element, 0 down the columns, 1 along the rows. */
    public static int reduceAxis(Tensor x, Tensor out) {
        if (out.size() == 1) {
            return -1;
        }
        if (out.rows() == 1 && out.cols() == x.cols()) {
            return 0;
        }
        if (out.cols() == 1 && out.rows() == x.rows()) {
            return 1;
        }
        return -2;
    }

    /** {@code reduce}: out has one element, or one per column of x, or one per row; MAX reduces no empty line. */
    public static void reduce(String op, ReduceOp kind, Tensor x, Tensor out) {
        notNull(kind, op, "op");
        int axis = reduceAxis(x, out);
        if (axis == -2) {
            throw new IllegalArgumentException(op + " " + kind.label() + ": out " + describe(out) + " must have one "
                    + "element, [1, " + x.cols() + "] (one per column of x " + describe(x) + ") or [" + x.rows()
                    + ", 1] (one per row)");
        }
        if (kind == ReduceOp.MAX) {
            long line = axis == -1 ? x.size() : axis == 0 ? x.rows() : x.cols();
            if (line == 0 && out.size() > 0) {
                throw new IllegalArgumentException(op + " " + kind.label() + ": the maximum of no elements is "
                        + "undefined (x " + describe(x) + ")");
            }
        }
    }

    /** {@code reduceBackward}: as {@link #reduce}, gradOut of out's size and gradIn of x's shape. */
    public static void reduceBackward(ReduceOp kind, Tensor x, Tensor out, Tensor gradOut, Tensor gradIn) {
        reduce("reduceBackward", kind, x, out);
        if (gradOut.size() != out.size() || gradIn.rows() != x.rows() || gradIn.cols() != x.cols()) {
            String name = "reduceBackward " + kind.label();
            sameSize(name, "gradOut", gradOut, "out", out);
            sameShape(name, "gradIn", gradIn, "x", x);
        }
    }

    /** {@code softmaxRows}: out of x's shape, and columns if there are rows. */
    public static void softmaxRows(Tensor x, Tensor out) {
        sameShape("softmaxRows", "x", x, "out", out);
        hasColumns("softmaxRows", "x", x);
    }

    /** {@code softmaxRowsBackward}: out, gradOut and gradIn of one shape. */
    public static void softmaxRowsBackward(Tensor out, Tensor gradOut, Tensor gradIn) {
        sameShape("softmaxRowsBackward", "gradOut", gradOut, "out", out);
        sameShape("softmaxRowsBackward", "gradIn", gradIn, "out", out);
    }

    /** {@code gatherColumns}: one label and one output element per row of x, and columns to pick from. */
    public static void gatherColumns(Tensor x, Tensor labels, Tensor out) {
        onePerRow("gatherColumns", "labels", labels, "x", x);
        onePerRow("gatherColumns", "out", out, "x", x);
        hasColumns("gatherColumns", "x", x);
    }

    /** {@code scatterAddColumns}: one label and one gradOut element per row of gradIn. */
    public static void scatterAddColumns(Tensor gradOut, Tensor labels, Tensor gradIn) {
        onePerRow("scatterAddColumns", "labels", labels, "gradIn", gradIn);
        onePerRow("scatterAddColumns", "gradOut", gradOut, "gradIn", gradIn);
        hasColumns("scatterAddColumns", "gradIn", gradIn);
    }

    /** {@code transpose}: out is x's transpose in shape, and not x itself. */
    public static void transpose(Tensor x, Tensor out) {
        if (out.rows() != x.cols() || out.cols() != x.rows()) {
            throw new IllegalArgumentException("transpose: out " + describe(out) + " must be [" + x.cols() + ", "
                    + x.rows() + "], the transpose of x " + describe(x));
        }
        if (x == out) {
            throw new IllegalArgumentException("transpose: out must not be x (no transpose in place)");
        }
    }

    /** {@code copyBlock}: same dtype, a block inside both tensors, and two different tensors. */
    public static void copyBlock(Tensor src, int srcRow, int srcCol, Tensor dst, int dstRow, int dstCol, int rows,
            int cols) {
        sameDtype("copyBlock", "src", src, "dst", dst);
        if (src == dst) {
            throw new IllegalArgumentException("copyBlock: src and dst must be different tensors");
        }
        if (rows < 0 || cols < 0) {
            throw new IllegalArgumentException("copyBlock: negative block " + rows + "x" + cols);
        }
        block("src", src, srcRow, srcCol, rows, cols);
        block("dst", dst, dstRow, dstCol, rows, cols);
    }

    private static void block(String name, Tensor t, int row, int col, int rows, int cols) {
        if (row < 0 || col < 0 || (long) row + rows > t.rows() || (long) col + cols > t.cols()) {
            throw new IllegalArgumentException("copyBlock: the " + rows + "x" + cols + " block at (" + row + ", "
                    + col + ") is outside " + name + " " + describe(t));
        }
    }
}
