package dev.descent.cuda;

import dev.descent.backend.OpChecks;
import dev.descent.backend.Tensor;

/**
 * The scalar reductions ({@code sum}, {@code dot}, {@code squaredNorm}, {@code maxAbs}, {@code allFinite}): per-block
 * partial sums in a fixed tree, then one single-block pass ({@link Scratch}), then the value read back. They wait for
 * the device, so a graph cannot hold them.
 */
final class Reductions {
    private final ArgumentChecks args;
    private final Launcher launcher;
    private final StreamState state;
    private final Scratch scratch;
    private final Transfers transfers;

    Reductions(ArgumentChecks args, Launcher launcher, StreamState state, Scratch scratch, Transfers transfers) {
        this.args = args;
        this.launcher = launcher;
        this.state = state;
        this.scratch = scratch;
        this.transfers = transfers;
    }

    double sum(Tensor x) {
        DeviceTensor tx = args.f32(x, "sum", "x");
        return reduce(0, tx, tx, "sum");
    }

    double dot(Tensor x, Tensor y) {
        DeviceTensor tx = args.f32(x, "dot", "x");
        DeviceTensor ty = args.f32(y, "dot", "y");
        OpChecks.sameSize("dot", "x", tx, "y", ty);
        return reduce(1, tx, ty, "dot");
    }

    double squaredNorm(Tensor x) {
        DeviceTensor tx = args.f32(x, "squaredNorm", "x");
        return reduce(2, tx, tx, "squaredNorm");
    }

    float maxAbs(Tensor x) {
        DeviceTensor tx = args.f32(x, "maxAbs", "x");
        return maxAbsOf(tx, "maxAbs");
    }

    boolean allFinite(Tensor x) {
        DeviceTensor tx = args.f32(x, "allFinite", "x");
        // max |x| is NaN when any element is NaN and infinite when any is infinite
        return Float.isFinite(maxAbsOf(tx, "allFinite"));
    }

    /** Mode 0: sum of x; 1: dot(x, y); 2: sum of squares of x (in double). */
    private double reduce(int mode, DeviceTensor x, DeviceTensor y, String op) {
        state.refuseInGraph(op);
        long n = x.size;
        int blocks = Launcher.reductionBlocks(n);
        long partials = scratch.partials();
        launcher.i64(n).i32(mode).ptr(x).ptr(y).ptr(partials).launch(Kernel.REDUCE_PARTIALS, blocks);
        launcher.i32(blocks).ptr(partials).ptr(scratch.result().address()).launch(Kernel.REDUCE_FINAL, 1);
        return transfers.readDouble(scratch.result(), op);
    }

    private float maxAbsOf(DeviceTensor x, String op) {
        state.refuseInGraph(op);
        long n = x.size;
        int blocks = Launcher.reductionBlocks(n);
        long partials = scratch.partials();
        launcher.i64(n).ptr(x).ptr(partials).launch(Kernel.MAXABS_PARTIALS, blocks);
        launcher.i32(blocks).ptr(partials).ptr(scratch.result().address()).launch(Kernel.MAXABS_FINAL, 1);
        return transfers.readFloat(scratch.result(), op);
    }
}
