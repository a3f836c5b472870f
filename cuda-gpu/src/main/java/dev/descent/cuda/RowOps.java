package dev.descent.cuda;

import dev.descent.backend.DType;
import dev.descent.backend.OpChecks;
import dev.descent.backend.Tensor;

/**
 * The row-wise operations: {@code gatherRows} (minibatches gathered on the device), {@code argmaxRows},
 * {@code addRowVector} and {@code columnSums}, and autodiff's {@code softmaxRows} and its gradient (one block per row:
 * the row's maximum and sums in a fixed tree), {@code gatherColumns} and {@code scatterAddColumns} (one thread per
 * element, each written once: no atomics). Gather indices and labels the host does not know are checked by the
 * kernels, which report into the {@link DeviceStatus} record.
 */
final class RowOps {
    private final ArgumentChecks args;
    private final Launcher launcher;
    private final StreamState state;
    private final DeviceStatus status;

    RowOps(ArgumentChecks args, Launcher launcher, StreamState state, DeviceStatus status) {
        this.args = args;
        this.launcher = launcher;
        this.state = state;
        this.status = status;
    }

    void gatherRows(Tensor src, Tensor indices, int offset, Tensor dst) {
        DeviceTensor s = args.own(src, "gatherRows", "src");
        DeviceTensor idx = args.i32(indices, "gatherRows", "indices");
        DeviceTensor d = args.own(dst, "gatherRows", "dst");
        OpChecks.gatherRows(s, idx, offset, d);
        int[] ix = idx.known();
        if (ix != null) { // otherwise the kernel checks them, reporting into the status record
            OpChecks.gatherIndices(ix, offset, d.rows, s);
        }
        if (d.size == 0) {
            return;
        }
        launcher.i64(d.rows).i32(d.cols).i32(s.rows).ptr(s).ptr(idx).i32(offset).ptr(d).ptr(status.address())
                .launch(Kernel.GATHER_ROWS, Launcher.elementwiseBlocks(d.size));
        if (ix == null || state.capturing()) {
            status.kernelQueued(); // a replay sees whatever the indices hold then
        }
        if (d.dtype == DType.I32) {
            gatheredInts(s, ix, offset, d);
        }
    }

    /** An int32 gather: dst's host-known contents follow when src's and the indices' are known. */
    private void gatheredInts(DeviceTensor s, int[] ix, int offset, DeviceTensor d) {
        int[] from = s.known();
        int[] known = d.known();
        state.deviceWroteInt(d);
        if (from != null && ix != null && known != null && !state.capturing()) {
            for (int i = 0; i < d.rows; i++) {
                System.arraycopy(from, ix[offset + i] * d.cols, known, i * d.cols, d.cols);
            }
            d.known(known);
        }
    }

    void argmaxRows(Tensor x, Tensor out) {
        DeviceTensor tx = args.f32(x, "argmaxRows", "x");
        DeviceTensor to = args.i32(out, "argmaxRows", "out");
        OpChecks.argmaxRows(tx, to);
        if (tx.rows > 0) {
            launcher.i64(tx.rows).i32(tx.cols).ptr(tx).ptr(to).launch(Kernel.ARGMAX_ROWS,
                    Launcher.elementwiseBlocks(tx.rows));
        }
        state.deviceWroteInt(to);
    }

    void addRowVector(Tensor x, Tensor bias) {
        DeviceTensor tx = args.f32(x, "addRowVector", "x");
        DeviceTensor tb = args.f32(bias, "addRowVector", "bias");
        OpChecks.onePerColumn("addRowVector", "bias", tb, "x", tx);
        if (tx.size > 0) {
            launcher.i64(tx.rows).i32(tx.cols).ptr(tx).ptr(tb).launch(Kernel.ADD_ROW_VECTOR,
                    Launcher.elementwiseBlocks(tx.size));
        }
    }

    void columnSums(float alpha, Tensor x, float beta, Tensor out) {
        DeviceTensor tx = args.f32(x, "columnSums", "x");
        DeviceTensor to = args.f32(out, "columnSums", "out");
        OpChecks.onePerColumn("columnSums", "out", to, "x", tx);
        if (to.size > 0) {
            launcher.i64(tx.rows).i32(tx.cols).f32(alpha).ptr(tx).f32(beta).ptr(to)
                    .launch(Kernel.COLUMN_SUMS, Launcher.elementwiseBlocks(tx.cols));
        }
    }

    void softmaxRows(Tensor x, Tensor out, boolean log) {
        DeviceTensor tx = args.f32(x, "softmaxRows", "x");
        DeviceTensor to = args.f32(out, "softmaxRows", "out");
        OpChecks.softmaxRows(tx, to);
        if (to.size > 0) {
            launcher.i64(tx.rows).i32(tx.cols).ptr(tx).ptr(to).i32(log ? 1 : 0).launch(Kernel.SOFTMAX_ROWS,
                    Launcher.lineBlocks(tx.rows));
        }
    }

    void softmaxRowsBackward(Tensor out, Tensor gradOut, boolean log, float beta, Tensor gradIn) {
        DeviceTensor to = args.f32(out, "softmaxRowsBackward", "out");
        DeviceTensor g = args.f32(gradOut, "softmaxRowsBackward", "gradOut");
        DeviceTensor gi = args.f32(gradIn, "softmaxRowsBackward", "gradIn");
        OpChecks.softmaxRowsBackward(to, g, gi);
        if (gi.size > 0) {
            launcher.i64(to.rows).i32(to.cols).ptr(to).ptr(g).i32(log ? 1 : 0).f32(beta).ptr(gi)
                    .launch(Kernel.SOFTMAX_ROWS_BACKWARD, Launcher.lineBlocks(to.rows));
        }
    }

    void gatherColumns(Tensor x, Tensor labels, Tensor out) {
        String op = "gatherColumns";
        DeviceTensor tx = args.f32(x, op, "x");
        DeviceTensor y = args.i32(labels, op, "labels");
        DeviceTensor to = args.f32(out, op, "out");
        OpChecks.gatherColumns(tx, y, to);
        int[] ys = y.known();
        if (ys != null) { // otherwise the kernel checks them, reporting into the status record
            OpChecks.labels(op, ys, tx.rows, "x", tx);
        }
        if (tx.rows == 0) {
            return;
        }
        launcher.i64(tx.rows).i32(tx.cols).ptr(tx).ptr(y).ptr(to).ptr(status.address())
                .launch(Kernel.GATHER_COLUMNS, Launcher.elementwiseBlocks(tx.rows));
        if (ys == null || state.capturing()) {
            status.kernelQueued(); // a replay sees whatever the labels hold then
        }
    }

    void scatterAddColumns(Tensor gradOut, Tensor labels, float beta, Tensor gradIn) {
        String op = "scatterAddColumns";
        DeviceTensor g = args.f32(gradOut, op, "gradOut");
        DeviceTensor y = args.i32(labels, op, "labels");
        DeviceTensor gi = args.f32(gradIn, op, "gradIn");
        OpChecks.scatterAddColumns(g, y, gi);
        int[] ys = y.known();
        if (ys != null) {
            OpChecks.labels(op, ys, gi.rows, "gradIn", gi);
        }
        if (gi.size == 0) {
            return;
        }
        launcher.i64(gi.rows).i32(gi.cols).ptr(g).ptr(y).f32(beta).ptr(gi).ptr(status.address())
                .launch(Kernel.SCATTER_ADD_COLUMNS, Launcher.elementwiseBlocks(gi.size));
        if (ys == null || state.capturing()) {
            status.kernelQueued();
        }
    }
}
