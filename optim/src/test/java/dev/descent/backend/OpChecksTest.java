package dev.descent.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.lang.reflect.Proxy;
import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * {@link OpChecks}: each check passes good arguments, refuses bad ones with its message (these are the messages every
 * backend gives, see {@code BackendContractTest}), and allocates nothing when it passes.
 */
class OpChecksTest {

    /** A backend that only has a description: the checks ask nothing else of it. */
    private static Backend backend(String description) {
        return (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "description", "toString" -> description;
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    private static final Backend MINE = backend("mine");
    private static final Backend OTHER = backend("other");

    /** A tensor of {@code owner} that has a shape and nothing else. */
    private record Fake(Backend backend, DType dtype, int[] dims, boolean isClosed) implements Tensor {
        @Override
        public int rows() {
            return dims[0];
        }

        @Override
        public int cols() {
            return dims.length == 2 ? dims[1] : 1;
        }

        @Override
        public int[] shape() {
            return dims.clone();
        }

        @Override
        public void close() {
        }

        @Override
        public String toString() {
            return "Fake" + Arrays.toString(dims);
        }
    }

    private static Tensor f(int... shape) {
        return new Fake(MINE, DType.F32, shape, false);
    }

    private static Tensor i(int... shape) {
        return new Fake(MINE, DType.I32, shape, false);
    }

    private static void refuses(String message, Executable check) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, check);
        assertEquals(message, e.getMessage());
    }

    @Test
    void describesTensorsByShapeAndIntDtype() {
        assertEquals("[3]", OpChecks.describe(f(3)));
        assertEquals("[2, 3]", OpChecks.describe(f(2, 3)));
        assertEquals("[2, 3] int32", OpChecks.describe(i(2, 3)));
    }

    @Test
    void tensorsMustBeLiveTensorsOfTheBackendWithTheRightDtype() {
        Tensor x = f(3);
        assertSame(x, OpChecks.owned(MINE, Fake.class, x, "op", "x"));
        assertSame(x, OpChecks.float32(MINE, Tensor.class, x, "op", "x"));
        Tensor xi = i(3);
        assertSame(xi, OpChecks.int32(MINE, Tensor.class, xi, "op", "x"));
        refuses("op: x is null", () -> OpChecks.owned(MINE, Tensor.class, null, "op", "x"));
        refuses("op: x Fake[3] belongs to another backend (other), not to this mine",
                () -> OpChecks.owned(MINE, Tensor.class, new Fake(OTHER, DType.F32, new int[] {3}, false), "op",
                        "x"));
        refuses("op: x Fake[3] belongs to another backend (mine), not to this mine",
                () -> OpChecks.owned(MINE, Other.class, x, "op", "x"));
        IllegalStateException closed = assertThrows(IllegalStateException.class,
                () -> OpChecks.owned(MINE, Tensor.class, new Fake(MINE, DType.F32, new int[] {2, 2}, true), "op",
                        "x"));
        assertEquals("op: x [2, 2] is closed", closed.getMessage());
        refuses("op: x must be float32, got [3] int32", () -> OpChecks.float32(MINE, Tensor.class, xi, "op", "x"));
        refuses("op: x must be int32, got float32 [3]", () -> OpChecks.int32(MINE, Tensor.class, x, "op", "x"));
        OpChecks.open(false, "cpu", "op");
        IllegalStateException shut = assertThrows(IllegalStateException.class, () -> OpChecks.open(true, "cpu", "op"));
        assertEquals("op: the cpu backend is closed", shut.getMessage());
    }

    /** Another backend's tensor class: a tensor that claims this backend but is not of its class is foreign. */
    private interface Other extends Tensor {
    }

    @Test
    void memory() {
        assertEquals(6, OpChecks.newShape("allocate", new int[] {2, 3}));
        assertEquals(4, OpChecks.newShape("allocate", new int[] {4}));
        refuses("allocate: shape must be [n] or [rows, cols], got []", () -> OpChecks.newShape("allocate", new int[0]));
        refuses("allocate: shape must be [n] or [rows, cols], got null", () -> OpChecks.newShape("allocate", null));
        refuses("allocate: shape must be [n] or [rows, cols], got [1, 2, 3]",
                () -> OpChecks.newShape("allocate", new int[] {1, 2, 3}));
        refuses("allocate: negative dimension in shape [3, -2]",
                () -> OpChecks.newShape("allocate", new int[] {3, -2}));
        OpChecks.uploadLength("upload", 6, new int[] {2, 3});
        refuses("upload: data has 5 elements but shape [2, 3] needs 6",
                () -> OpChecks.uploadLength("upload", 5, new int[] {2, 3}));
        OpChecks.notNull("x", "upload", "data");
        refuses("upload: data is null", () -> OpChecks.notNull(null, "upload", "data"));
        OpChecks.arrayRange("upload", "src", 5, 1, 4);
        refuses("upload: src array of length 5 from offset 2 cannot hold 4 elements",
                () -> OpChecks.arrayRange("upload", "src", 5, 2, 4));
        refuses("download: dst array of length 5 from offset -1 cannot hold 4 elements",
                () -> OpChecks.arrayRange("download", "dst", 5, -1, 4));
        OpChecks.elementIndex("get", 3, f(4));
        refuses("get: index 4 is outside [4] (size 4)", () -> OpChecks.elementIndex("get", 4, f(4)));
        refuses("get: index -1 is outside [2, 2] (size 4)", () -> OpChecks.elementIndex("get", -1, f(2, 2)));
    }

    @Test
    void shapes() {
        OpChecks.sameSize("axpy", "x", f(6), "y", f(2, 3));
        refuses("axpy: x [6] and y [2, 2] differ in size", () -> OpChecks.sameSize("axpy", "x", f(6), "y", f(2, 2)));
        OpChecks.sameSizeIfGiven("adamUpdate", "param", f(3), "maxV", null);
        refuses("adamUpdate: param [3] and maxV [4] differ in size",
                () -> OpChecks.sameSizeIfGiven("adamUpdate", "param", f(3), "maxV", f(4)));
        OpChecks.sameShape("mse", "predictions", f(2, 3), "targets", f(2, 3));
        refuses("mse: predictions [6] and targets [2, 3] differ in shape",
                () -> OpChecks.sameShape("mse", "predictions", f(6), "targets", f(2, 3)));
        OpChecks.sameDtype("copy", "src", f(2), "dst", f(2));
        refuses("copy: src [2] and dst [2] int32 differ in dtype",
                () -> OpChecks.sameDtype("copy", "src", f(2), "dst", i(2)));
        OpChecks.onePerRow("argmaxRows", "out", i(4), "x", f(4, 3));
        refuses("argmaxRows: out [3] int32 must have 4 elements, one per row of x [4, 3]",
                () -> OpChecks.onePerRow("argmaxRows", "out", i(3), "x", f(4, 3)));
        OpChecks.onePerColumn("addRowVector", "bias", f(3), "x", f(4, 3));
        refuses("addRowVector: bias [4] must have 3 elements, one per column of x [4, 3]",
                () -> OpChecks.onePerColumn("addRowVector", "bias", f(4), "x", f(4, 3)));
        OpChecks.hasColumns("argmaxRows", "x", f(0, 0));
        refuses("argmaxRows: x [2, 0] has no columns", () -> OpChecks.hasColumns("argmaxRows", "x", f(2, 0)));
        OpChecks.argmaxRows(f(2, 3), i(2));
        refuses("argmaxRows: out [3] int32 must have 2 elements, one per row of x [2, 3]",
                () -> OpChecks.argmaxRows(f(2, 3), i(3)));
    }

    @Test
    void gemm() {
        Tensor a = f(3, 4);
        Tensor b = f(4, 5);
        OpChecks.gemm(false, false, a, b, f(3, 5));
        OpChecks.gemm(true, true, f(4, 3), f(5, 4), f(3, 5));
        refuses("gemm: shapes do not match: op(A) 4x3 (A [3, 4] transposed), op(B) 4x5 (B [4, 5]), C [3, 5] (needs "
                + "[4, 5])", () -> OpChecks.gemm(true, false, a, b, f(3, 5)));
        refuses("gemm: shapes do not match: op(A) 3x4 (A [3, 4]), op(B) 4x5 (B [4, 5]), C [5, 3] (needs [3, 5])",
                () -> OpChecks.gemm(false, false, a, b, f(5, 3)));
        Tensor s = f(3, 3);
        refuses("gemm: C must not be the same tensor as A or B", () -> OpChecks.gemm(false, false, s, f(3, 3), s));
        refuses("gemm: C must not be the same tensor as A or B", () -> OpChecks.gemm(false, false, f(3, 3), s, s));
    }

    @Test
    void gathers() {
        Tensor src = f(5, 2);
        Tensor idx = i(4);
        OpChecks.gatherRows(src, idx, 1, f(3, 2));
        refuses("gatherRows: src [5, 2] and dst [3, 2] int32 must share dtype and column count",
                () -> OpChecks.gatherRows(src, idx, 0, i(3, 2)));
        refuses("gatherRows: src [5, 2] and dst [3, 3] must share dtype and column count",
                () -> OpChecks.gatherRows(src, idx, 0, f(3, 3)));
        refuses("gatherRows: indices [4] int32 from offset 2 do not cover the 3 rows of dst [3, 2]",
                () -> OpChecks.gatherRows(src, idx, 2, f(3, 2)));
        refuses("gatherRows: indices [4] int32 from offset -1 do not cover the 3 rows of dst [3, 2]",
                () -> OpChecks.gatherRows(src, idx, -1, f(3, 2)));
        int[] values = {9, 0, 4, 5};
        OpChecks.gatherIndices(values, 1, 2, src);
        refuses("gatherRows: index 5 at position 3 of indices is outside the 5 rows of src [5, 2]",
                () -> OpChecks.gatherIndices(values, 1, 3, src));
        refuses("gatherRows: index 9 at position 0 of indices is outside the 5 rows of src [5, 2]",
                () -> OpChecks.gatherIndices(values, 0, 1, src));
        refuses("gatherRows: index -1 at position 0 of indices is outside the 5 rows of src [5, 2]",
                () -> OpChecks.gatherIndices(new int[] {-1}, 0, 1, src));
    }

    @Test
    void losses() {
        Tensor z = f(2, 3);
        OpChecks.lossOutput("op", f(2), 1, 1);
        refuses("op: lossIndex 2 is outside lossOut [2]", () -> OpChecks.lossOutput("op", f(2), 2, 1));
        refuses("op: lossIndex -1 is outside lossOut [2]", () -> OpChecks.lossOutput("op", f(2), -1, 1));
        refuses("op: normalizer must be > 0, got 0", () -> OpChecks.lossOutput("op", f(2), 0, 0));
        OpChecks.softmaxCrossEntropy("ce", z, i(2), null);
        OpChecks.softmaxCrossEntropy("ce", z, i(2), f(2, 3));
        refuses("ce: labels [3] int32 must have 2 elements, one per row of logits [2, 3]",
                () -> OpChecks.softmaxCrossEntropy("ce", z, i(3), null));
        refuses("ce: logits [2, 0] has no columns", () -> OpChecks.softmaxCrossEntropy("ce", f(2, 0), i(2), null));
        refuses("ce: logits [2, 3] and grad [3, 2] differ in shape",
                () -> OpChecks.softmaxCrossEntropy("ce", z, i(2), f(3, 2)));
        OpChecks.labels("ce", new int[] {0, 2, 7}, 2, z);
        refuses("ce: label 3 at row 1 is outside [0, 3) for logits [2, 3]",
                () -> OpChecks.labels("ce", new int[] {0, 3}, 2, z));
        refuses("ce: label -1 at row 0 is outside [0, 3) for logits [2, 3]",
                () -> OpChecks.labels("ce", new int[] {-1, 3}, 2, z));
        OpChecks.elementwiseLoss("mse", "predictions", z, f(2, 3), null);
        refuses("mse: predictions [2, 3] and targets [3, 2] differ in shape",
                () -> OpChecks.elementwiseLoss("mse", "predictions", z, f(3, 2), null));
        refuses("bce: logits [2, 3] and grad [6] differ in shape",
                () -> OpChecks.elementwiseLoss("bce", "logits", z, f(2, 3), f(6)));
    }

    @Test
    void linearSoftmaxCrossEntropy() {
        Tensor x = f(4, 3);
        Tensor w = f(3, 2);
        Tensor y = i(4);
        Tensor z = f(4, 2);
        Tensor g = f(4, 2);
        Tensor gw = f(3, 2);
        Tensor lo = f(1);
        OpChecks.linearSoftmaxCrossEntropy(x, w, null, y, z, g, gw, null, 4, lo, 0);
        OpChecks.linearSoftmaxCrossEntropy(x, w, f(2), y, z, z, gw, f(2), 4, lo, 0);
        String op = "linearSoftmaxCrossEntropy: ";
        refuses(op + "grad is null", () -> OpChecks.linearSoftmaxCrossEntropy(x, w, null, y, z, null, gw, null, 4,
                lo, 0));
        refuses(op + "gradW is null", () -> OpChecks.linearSoftmaxCrossEntropy(x, w, null, y, z, g, null, null, 4,
                lo, 0));
        refuses(op + "lossIndex 1 is outside lossOut [1]",
                () -> OpChecks.linearSoftmaxCrossEntropy(x, w, null, y, z, g, gw, null, 4, lo, 1));
        refuses(op + "b and gradB must both be given or both be null",
                () -> OpChecks.linearSoftmaxCrossEntropy(x, w, f(2), y, z, g, gw, null, 4, lo, 0));
        refuses(op + "shapes do not match: x [4, 3], w [3, 2], b none, labels [4] int32, logits [4, 2], gradW [2, 2],"
                + " gradB none (needs x [n, in], w and gradW [in, k], b and gradB [k], labels [n], logits and grad [n,"
                + " k])", () -> OpChecks.linearSoftmaxCrossEntropy(x, w, null, y, z, g, f(2, 2), null, 4, lo, 0));
        refuses(op + "shapes do not match: x [4, 3], w [3, 2], b [3], labels [4] int32, logits [4, 2], gradW [3, 2],"
                + " gradB [2] (needs x [n, in], w and gradW [in, k], b and gradB [k], labels [n], logits and grad [n,"
                + " k])", () -> OpChecks.linearSoftmaxCrossEntropy(x, w, f(3), y, z, g, gw, f(2), 4, lo, 0));
        refuses(op + "logits [4, 2] and grad [8] differ in shape",
                () -> OpChecks.linearSoftmaxCrossEntropy(x, w, null, y, z, f(8), gw, null, 4, lo, 0));
        refuses(op + "logits, grad and gradW must not be x, w or each other (grad may be logits)",
                () -> OpChecks.linearSoftmaxCrossEntropy(x, w, null, y, z, g, w, null, 4, lo, 0));
    }

    @Test
    void optimizerScalars() {
        OpChecks.sgd(0.1, 0.9, 0, true, 0.01);
        refuses("sgdUpdate: lr must be finite, got NaN", () -> OpChecks.sgd(Double.NaN, 0, 0, false, 0));
        refuses("sgdUpdate: weightDecay must be finite, got Infinity",
                () -> OpChecks.sgd(0.1, 0, 0, false, Double.POSITIVE_INFINITY));
        refuses("sgdUpdate: momentum must be >= 0, got -0.5", () -> OpChecks.sgd(0.1, -0.5, 0, false, 0));
        refuses("sgdUpdate: momentum must be >= 0, got NaN", () -> OpChecks.sgd(0.1, Double.NaN, 0, false, 0));
        refuses("sgdUpdate: dampening must be finite, got NaN", () -> OpChecks.sgd(0.1, 0.9, Double.NaN, false, 0));
        refuses("sgdUpdate: nesterov needs momentum > 0 and dampening 0, got momentum 0.0, dampening 0.0",
                () -> OpChecks.sgd(0.1, 0, 0, true, 0));
        refuses("sgdUpdate: nesterov needs momentum > 0 and dampening 0, got momentum 0.9, dampening 0.1",
                () -> OpChecks.sgd(0.1, 0.9, 0.1, true, 0));
        OpChecks.momentumBuffer("sgdUpdate", 0, null);
        OpChecks.momentumBuffer("sgdUpdate", 0.9, f(3));
        refuses("sgdUpdate: momentum 0.9 needs a momentum buffer", () -> OpChecks.momentumBuffer("sgdUpdate", 0.9,
                null));

        OpChecks.adam(1e-3, 0, 0.999, 1e-8, 0, 1);
        refuses("adamUpdate: step counts from 1, got 0", () -> OpChecks.adam(1e-3, 0.9, 0.999, 1e-8, 0, 0));
        refuses("adamUpdate: lr must be finite, got NaN", () -> OpChecks.adam(Double.NaN, 0.9, 0.999, 1e-8, 0, 1));
        refuses("adamUpdate: eps must be finite, got Infinity",
                () -> OpChecks.adam(1e-3, 0.9, 0.999, Double.POSITIVE_INFINITY, 0, 1));
        refuses("adamUpdate: weightDecay must be finite, got NaN",
                () -> OpChecks.adam(1e-3, 0.9, 0.999, 1e-8, Double.NaN, 1));
        refuses("adamUpdate: betas must be in [0, 1), got (1.0, 0.999)", () -> OpChecks.adam(1e-3, 1, 0.999, 1e-8, 0,
                1));
        refuses("adamUpdate: betas must be in [0, 1), got (0.9, -0.1)", () -> OpChecks.adam(1e-3, 0.9, -0.1, 1e-8, 0,
                1));
        refuses("adamUpdate: betas must be in [0, 1), got (NaN, 0.999)",
                () -> OpChecks.adam(1e-3, Double.NaN, 0.999, 1e-8, 0, 1));

        OpChecks.rmsprop(1e-2, 0.99, 1e-8, 0, 0.9);
        refuses("rmspropUpdate: lr must be finite, got Infinity",
                () -> OpChecks.rmsprop(Double.POSITIVE_INFINITY, 0.99, 1e-8, 0, 0));
        refuses("rmspropUpdate: alpha must be finite, got NaN", () -> OpChecks.rmsprop(1e-2, Double.NaN, 1e-8, 0, 0));
        refuses("rmspropUpdate: eps must be finite, got NaN", () -> OpChecks.rmsprop(1e-2, 0.99, Double.NaN, 0, 0));
        refuses("rmspropUpdate: weightDecay must be finite, got NaN",
                () -> OpChecks.rmsprop(1e-2, 0.99, 1e-8, Double.NaN, 0));
        refuses("rmspropUpdate: momentum must be >= 0, got -1.0", () -> OpChecks.rmsprop(1e-2, 0.99, 1e-8, 0, -1));

        OpChecks.adagrad(1e-2, 1e-10, 0);
        refuses("adagradUpdate: clr must be finite, got NaN", () -> OpChecks.adagrad(Double.NaN, 1e-10, 0));
        refuses("adagradUpdate: eps must be finite, got Infinity",
                () -> OpChecks.adagrad(1e-2, Double.POSITIVE_INFINITY, 0));
        refuses("adagradUpdate: weightDecay must be finite, got NaN", () -> OpChecks.adagrad(1e-2, 1e-10, Double.NaN));
    }

    @Test
    void nadamRadamAdamaxAdadeltaScalars() {
        OpChecks.nadam(1e-3, 2e-3, 0, 0.999, 1e-8, 0, 1);
        refuses("nadamUpdate: step counts from 1, got 0", () -> OpChecks.nadam(1e-3, 1e-3, 0.9, 0.999, 1e-8, 0, 0));
        refuses("nadamUpdate: gradStepSize must be finite, got NaN",
                () -> OpChecks.nadam(Double.NaN, 1e-3, 0.9, 0.999, 1e-8, 0, 1));
        refuses("nadamUpdate: momentumStepSize must be finite, got Infinity",
                () -> OpChecks.nadam(1e-3, Double.POSITIVE_INFINITY, 0.9, 0.999, 1e-8, 0, 1));
        refuses("nadamUpdate: betas must be in [0, 1), got (1.0, 0.999)",
                () -> OpChecks.nadam(1e-3, 1e-3, 1, 0.999, 1e-8, 0, 1));

        OpChecks.radam(1e-3, 0.9, 0, 1e-8, 0.1, 3);
        refuses("radamUpdate: step counts from 1, got -1", () -> OpChecks.radam(1e-3, 0.9, 0.999, 1e-8, 0, -1));
        refuses("radamUpdate: lr must be finite, got NaN", () -> OpChecks.radam(Double.NaN, 0.9, 0.999, 1e-8, 0, 1));
        refuses("radamUpdate: eps must be finite, got NaN", () -> OpChecks.radam(1e-3, 0.9, 0.999, Double.NaN, 0, 1));
        refuses("radamUpdate: betas must be in [0, 1), got (0.9, 1.0)", () -> OpChecks.radam(1e-3, 0.9, 1, 1e-8, 0,
                1));

        OpChecks.adamax(2e-3, 0.9, 0.999, 1e-8, 0, 1);
        refuses("adamaxUpdate: step counts from 1, got 0", () -> OpChecks.adamax(2e-3, 0.9, 0.999, 1e-8, 0, 0));
        refuses("adamaxUpdate: weightDecay must be finite, got NaN",
                () -> OpChecks.adamax(2e-3, 0.9, 0.999, 1e-8, Double.NaN, 1));
        refuses("adamaxUpdate: betas must be in [0, 1), got (-0.5, 0.999)",
                () -> OpChecks.adamax(2e-3, -0.5, 0.999, 1e-8, 0, 1));

        OpChecks.adadelta(1, 1, 1e-6, 0);
        OpChecks.adadelta(1, 0, 1e-6, 0);
        refuses("adadeltaUpdate: lr must be finite, got Infinity",
                () -> OpChecks.adadelta(Double.POSITIVE_INFINITY, 0.9, 1e-6, 0));
        refuses("adadeltaUpdate: eps must be finite, got NaN", () -> OpChecks.adadelta(1, 0.9, Double.NaN, 0));
        refuses("adadeltaUpdate: weightDecay must be finite, got NaN", () -> OpChecks.adadelta(1, 0.9, 1e-6,
                Double.NaN));
        refuses("adadeltaUpdate: rho must be in [0, 1], got 1.5", () -> OpChecks.adadelta(1, 1.5, 1e-6, 0));
        refuses("adadeltaUpdate: rho must be in [0, 1], got NaN", () -> OpChecks.adadelta(1, Double.NaN, 1e-6, 0));
    }

    /** A backend runs the checks on every call of a training step: passing them must not allocate. */
    @Test
    void passingChecksAllocateNothing() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        Tensor x = f(4, 3);
        Tensor w = f(3, 2);
        Tensor y = i(4);
        Tensor z = f(4, 2);
        Tensor gw = f(3, 2);
        Tensor lo = f(1);
        int[] labels = {0, 1, 1, 0};
        Runnable checks = () -> {
            OpChecks.open(false, "cpu", "op");
            OpChecks.float32(MINE, Fake.class, x, "op", "x");
            OpChecks.int32(MINE, Fake.class, y, "op", "y");
            OpChecks.sameSize("op", "a", z, "b", z);
            OpChecks.sameShape("op", "a", z, "b", z);
            OpChecks.gemm(false, false, x, w, z);
            OpChecks.gatherRows(x, y, 0, x);
            OpChecks.gatherIndices(labels, 0, 4, x);
            OpChecks.lossOutput("op", lo, 0, 4);
            OpChecks.softmaxCrossEntropy("op", z, y, z);
            OpChecks.labels("op", labels, 4, z);
            OpChecks.linearSoftmaxCrossEntropy(x, w, null, y, z, z, gw, null, 4, lo, 0);
            OpChecks.sgd(0.1, 0.9, 0, true, 0);
            OpChecks.adam(1e-3, 0.9, 0.999, 1e-8, 0, 7);
            OpChecks.rmsprop(1e-2, 0.99, 1e-8, 0, 0.9);
            OpChecks.adagrad(1e-2, 1e-10, 0);
        };
        for (int r = 0; r < 20_000; r++) {
            checks.run();
        }
        long min = Long.MAX_VALUE;
        for (int window = 0; window < 3; window++) {
            long before = threads.getCurrentThreadAllocatedBytes();
            for (int r = 0; r < 1000; r++) {
                checks.run();
            }
            min = Math.min(min, threads.getCurrentThreadAllocatedBytes() - before);
        }
        assertTrue(min < 1000, "passing checks allocated " + min + " bytes in 1000 rounds");
    }
}
