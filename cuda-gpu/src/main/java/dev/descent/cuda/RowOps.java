package dev.descent.cuda;

import dev.descent.backend.DType;
import dev.descent.backend.OpChecks;
import dev.descent.backend.Tensor;

/**
 * The row-wise operations: {@code gatherRows} (minibatches gathered on the device), {@code argmaxRows},
 * {@code addRowVector} and {@code columnSums}. Gather indices the host does not know are checked by the kernel, which
 * reports into the {@link DeviceStatus} record.
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
}
