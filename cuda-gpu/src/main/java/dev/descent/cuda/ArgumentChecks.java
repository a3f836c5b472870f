package dev.descent.cuda;

import dev.descent.backend.DType;
import dev.descent.backend.Tensor;
import java.util.Arrays;

/**
 * Every argument check of the CUDA backend, in one place, with the wording the backend has always used (tests
 * assert it): tensor ownership and dtype, shapes, array ranges, indices the host knows, scalar ranges. The operations
 * call them in the order they always have; nothing here touches the device except {@link #own}, which first makes
 * the backend's context current as every operation does. Checks the kernels make on the device (labels and gather
 * indices the host does not know) are reported by {@link DeviceStatus}.
 */
final class ArgumentChecks {
    private final DeviceContext context;
    private final DeviceMemory memory;

    ArgumentChecks(DeviceContext context, DeviceMemory memory) {
        this.context = context;
        this.memory = memory;
    }

    // ------------------------------------------------------------------------------------------------ tensors

    /** {@code t} as a live tensor of this backend, any dtype; enters the context first. */
    DeviceTensor own(Tensor t, String op, String name) {
        context.enter();
        if (t == null) {
            throw new IllegalArgumentException(op + ": " + name + " is null");
        }
        if (!(t instanceof DeviceTensor d) || d.memory != memory) {
            throw new IllegalArgumentException(op + ": " + name + " (" + t + ") is not a tensor of this cuda backend");
        }
        if (d.closed) {
            throw new IllegalStateException(op + ": " + name + " " + d.shapeString() + " is closed");
        }
        return d;
    }

    /** {@link #own} and F32. */
    DeviceTensor f32(Tensor t, String op, String name) {
        DeviceTensor d = own(t, op, name);
        if (d.dtype != DType.F32) {
            throw new IllegalArgumentException(op + ": " + name + " must be F32, got " + d.dtype);
        }
        return d;
    }

    /** {@link #own} and I32. */
    DeviceTensor i32(Tensor t, String op, String name) {
        DeviceTensor d = own(t, op, name);
        if (d.dtype != DType.I32) {
            throw new IllegalArgumentException(op + ": " + name + " must be I32, got " + d.dtype);
        }
        return d;
    }

    /** {@link #f32} unless {@code t} is null (an optional tensor such as a loss's gradient). */
    DeviceTensor f32OrNull(Tensor t, String op, String name) {
        return t == null ? null : f32(t, op, name);
    }

    /** The momentum buffer an optimizer with momentum needs: present, F32, the size of {@code param}. */
    DeviceTensor momentumBuffer(String op, Tensor momentumBuffer, double momentum, DeviceTensor param) {
        if (momentumBuffer == null) {
            throw new IllegalArgumentException(op + ": momentum " + momentum + " needs a momentum buffer");
        }
        DeviceTensor b = f32(momentumBuffer, op, "momentumBuffer");
        sameSize(op, param, "param", b, "momentumBuffer");
        return b;
    }

    static void sameSize(String op, DeviceTensor a, String an, DeviceTensor b, String bn) {
        if (a.size != b.size) {
            throw new IllegalArgumentException(op + ": " + an + " " + a.shapeString() + " and " + bn + " "
                    + b.shapeString() + " differ in size");
        }
    }

    // ------------------------------------------------------------------------------------------------ host arrays

    /** A Java array given with a shape ({@code upload(data, shape)}): not null. */
    static void data(String op, Object data) {
        if (data == null) {
            throw new IllegalArgumentException(op + ": data is null");
        }
    }

    /** A new tensor's shape: {@code [n]} or {@code [rows, cols]}, no negative dimension. A copy. */
    static int[] shape(String op, int[] shape) {
        if (shape == null || shape.length < 1 || shape.length > 2) {
            throw new IllegalArgumentException(op + ": shape must be [n] or [rows, cols], got "
                    + Arrays.toString(shape));
        }
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException(op + ": negative dimension in shape " + Arrays.toString(shape));
            }
        }
        return shape.clone();
    }

    /** An array of {@code length} elements fills a tensor of {@code shape}. */
    static void dataMatchesShape(String op, int length, int[] shape, long size) {
        if (size != length) {
            throw new IllegalArgumentException(op + ": data has " + length + " elements but shape "
                    + Arrays.toString(shape) + " needs " + size);
        }
    }

    /** {@code array[offset .. offset + count)} is inside an array of {@code length} ({@code -1}: the array is null). */
    static void arrayRange(String op, int length, int offset, long count, String name) {
        if (length < 0) {
            throw new IllegalArgumentException(op + ": " + name + " is null");
        }
        if (offset < 0 || offset + count > length) {
            throw new IllegalArgumentException(op + ": " + name + "[" + offset + " .. " + (offset + count)
                    + ") is outside the array of length " + length);
        }
    }

    /** {@code get}'s element index. */
    static void elementIndex(String op, DeviceTensor s, long index) {
        if (index < 0 || index >= s.size) {
            throw new IllegalArgumentException(op + ": index " + index + " is outside tensor " + s.shapeString()
                    + " of " + s.size + " elements");
        }
    }

    // ------------------------------------------------------------------------------------------------ operations

    /** {@code gemm}: op(a) [m, k], op(b) [k, n], c [m, n], and c is neither a nor b. */
    static void gemm(DeviceTensor ta, boolean transA, DeviceTensor tb, boolean transB, DeviceTensor tc) {
        int m = transA ? ta.cols : ta.rows;
        int k = transA ? ta.rows : ta.cols;
        int kb = transB ? tb.cols : tb.rows;
        int n = transB ? tb.rows : tb.cols;
        if (k != kb || tc.rows != m || tc.cols != n) {
            throw new IllegalArgumentException("gemm: op(a) is [" + m + ", " + k + "], op(b) is [" + kb + ", " + n
                    + "] and c is [" + tc.rows + ", " + tc.cols + "]; need op(a) [m, k], op(b) [k, n], c [m, n]"
                    + " (a " + ta.shapeString() + (transA ? " transposed" : "") + ", b " + tb.shapeString()
                    + (transB ? " transposed" : "") + ")");
        }
        if (tc.bytes > 0 && (tc.address == ta.address || tc.address == tb.address)) {
            throw new IllegalArgumentException("gemm: c must not be the same tensor as a or b");
        }
    }

    /** {@code copy}: the same dtype (the sizes are checked with {@link #sameSize}). */
    static void sameDtype(String op, DeviceTensor s, DeviceTensor d) {
        if (s.dtype != d.dtype) {
            throw new IllegalArgumentException(op + ": src is " + s.dtype + " but dst is " + d.dtype);
        }
    }

    /** {@code gatherRows}: src and dst alike in dtype and columns, rows {@code offset ..} inside the indices. */
    static void gatherRows(DeviceTensor s, DeviceTensor idx, int offset, DeviceTensor d) {
        if (s.dtype != d.dtype || s.cols != d.cols) {
            throw new IllegalArgumentException("gatherRows: src is " + s.dtype + " " + s.shapeString() + " but dst is "
                    + d.dtype + " " + d.shapeString() + "; they need the same dtype and column count");
        }
        if (offset < 0 || (long) offset + d.rows > idx.size) {
            throw new IllegalArgumentException("gatherRows: rows " + offset + " .. " + ((long) offset + d.rows)
                    + " of indices " + idx.shapeString() + " are out of range");
        }
    }

    /** {@code gatherRows}: the indices the host knows ({@code ix}, may be null: then the kernel checks). */
    static void gatherIndices(int[] ix, int offset, DeviceTensor s, DeviceTensor d) {
        if (ix == null) {
            return;
        }
        for (int i = 0; i < d.rows; i++) {
            int r = ix[offset + i];
            if (r < 0 || r >= s.rows) {
                throw new IllegalArgumentException("gatherRows: index " + r + " at position " + (offset + i)
                        + " of indices is outside [0, " + s.rows + ") (src " + s.shapeString() + ")");
            }
        }
    }

    /** {@code argmaxRows}: one output per row, and rows to take the maximum of. */
    static void argmaxRows(DeviceTensor tx, DeviceTensor to) {
        if (to.size != tx.rows) {
            throw new IllegalArgumentException("argmaxRows: x " + tx.shapeString() + " has " + tx.rows
                    + " rows but out " + to.shapeString() + " has " + to.size + " elements");
        }
        if (tx.rows > 0 && tx.cols == 0) {
            throw new IllegalArgumentException("argmaxRows: x " + tx.shapeString() + " has no columns");
        }
    }

    /** {@code addRowVector} and {@code columnSums}: a vector with one element per column of {@code x}. */
    static void perColumn(String op, DeviceTensor x, DeviceTensor v, String vn) {
        if (v.size != x.cols) {
            throw new IllegalArgumentException(op + ": x " + x.shapeString() + " has " + x.cols + " columns but "
                    + vn + " " + v.shapeString() + " has " + v.size + " elements");
        }
    }

    /** A fused loss's output slot and normalizer. */
    static void lossTarget(String op, DeviceTensor loss, int lossIndex, int normalizer) {
        if (lossIndex < 0 || lossIndex >= loss.size) {
            throw new IllegalArgumentException(op + ": lossIndex " + lossIndex + " is outside lossOut "
                    + loss.shapeString());
        }
        if (normalizer <= 0) {
            throw new IllegalArgumentException(op + ": normalizer must be > 0, got " + normalizer);
        }
    }

    /** {@code softmaxCrossEntropy}: one label per row, classes to choose from, a gradient shaped like the logits. */
    static void softmaxShapes(String op, DeviceTensor z, DeviceTensor y, DeviceTensor g) {
        if (y.size != z.rows) {
            throw new IllegalArgumentException(op + ": logits " + z.shapeString() + " has " + z.rows
                    + " rows but labels " + y.shapeString() + " has " + y.size + " elements");
        }
        if (z.rows > 0 && z.cols == 0) {
            throw new IllegalArgumentException(op + ": logits " + z.shapeString() + " has no classes");
        }
        if (g != null && (g.rows != z.rows || g.cols != z.cols)) {
            throw new IllegalArgumentException(op + ": grad " + g.shapeString() + " must have the shape of logits "
                    + z.shapeString());
        }
    }

    /** {@code softmaxCrossEntropy}: the labels the host knows ({@code ys}, may be null: then the kernel checks). */
    static void labels(String op, int[] ys, DeviceTensor z) {
        if (ys == null) {
            return;
        }
        for (int i = 0; i < z.rows; i++) {
            if (ys[i] < 0 || ys[i] >= z.cols) {
                throw new IllegalArgumentException(op + ": label " + ys[i] + " in row " + i + " is outside [0, "
                        + z.cols + ")");
            }
        }
    }

    /** Elementwise losses: predictions (or logits) and targets alike in shape, a gradient shaped like them. */
    static void elementwiseLossShapes(String op, DeviceTensor a, String an, DeviceTensor b, String bn,
            DeviceTensor g) {
        if (a.rows != b.rows || a.cols != b.cols) {
            throw new IllegalArgumentException(op + ": " + an + " " + a.shapeString() + " and " + bn + " "
                    + b.shapeString() + " differ in shape");
        }
        if (g != null && (g.rows != a.rows || g.cols != a.cols)) {
            throw new IllegalArgumentException(op + ": grad " + g.shapeString() + " must have the shape of " + an
                    + " " + a.shapeString());
        }
    }

    /** {@code sgdUpdate}: Nesterov momentum needs momentum > 0 and no dampening. */
    static void nesterov(String op, boolean nesterov, double momentum, double dampening) {
        if (nesterov && (momentum <= 0 || dampening != 0)) {
            throw new IllegalArgumentException(op + ": nesterov needs momentum > 0 and dampening 0, got momentum "
                    + momentum + ", dampening " + dampening);
        }
    }

    /** {@code adamUpdate}: the step count starts at 1. */
    static void step(String op, long step) {
        if (step < 1) {
            throw new IllegalArgumentException(op + ": step counts from 1, got " + step);
        }
    }
}
