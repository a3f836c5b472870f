package dev.descent.cuda;

import dev.descent.backend.OpChecks;
import dev.descent.backend.ReduceOp;
import dev.descent.backend.Tensor;

/**
 * Autodiff's reductions ({@code reduce}, {@code reduceBackward}): SUM, MEAN and MAX over everything, down each column
 * or along each row, written into a tensor on the device (unlike {@link Reductions}, nothing waits, so a graph can
 * hold them). Sums are accumulated in double without atomics, in a tree fixed by the shapes: one block per row, one
 * block per tile of columns, or per-block partials in {@link Scratch} finished by a single-block pass. MAX keeps the
 * first maximum of each line (the first NaN, if any); its gradient finds that element again from x.
 */
final class AxisReductions {
    /** The kernels' codes ({@code R_*} in descent_kernels.cu). */
    static final int SUM = 0;
    static final int MEAN = 1;
    static final int MAX = 2;

    private final ArgumentChecks args;
    private final Launcher launcher;
    private final Scratch scratch;

    AxisReductions(ArgumentChecks args, Launcher launcher, Scratch scratch) {
        this.args = args;
        this.launcher = launcher;
        this.scratch = scratch;
    }

    void reduce(ReduceOp op, Tensor x, Tensor out) {
        DeviceTensor tx = args.f32(x, "reduce", "x");
        DeviceTensor to = args.f32(out, "reduce", "out");
        OpChecks.reduce("reduce", op, tx, to);
        if (to.size == 0) {
            return;
        }
        int code = code(op);
        switch (OpChecks.reduceAxis(tx, to)) {
            case -1 -> {
                int blocks = allPartials(code, tx);
                double divisor = op == ReduceOp.MEAN ? (double) tx.size : 1.0;
                launcher.i32(blocks).i32(code).ptr(scratch.partials()).f64(divisor).f32(0f).ptr(to).ptr(0L)
                        .launch(Kernel.REDUCE_ALL_FINAL, 1);
            }
            case 0 -> launcher.i64(tx.rows).i32(tx.cols).i32(code).ptr(tx).ptr(to)
                    .launch(Kernel.REDUCE_COLUMNS, Launcher.tileBlocks(tx.cols));
            default -> launcher.i64(tx.rows).i32(tx.cols).i32(code).ptr(tx).ptr(to)
                    .launch(Kernel.REDUCE_ROWS, Launcher.lineBlocks(tx.rows));
        }
    }

    void reduceBackward(ReduceOp op, Tensor x, Tensor out, Tensor gradOut, float beta, Tensor gradIn) {
        String name = "reduceBackward";
        DeviceTensor tx = args.f32(x, name, "x");
        DeviceTensor to = args.f32(out, name, "out");
        DeviceTensor g = args.f32(gradOut, name, "gradOut");
        DeviceTensor gi = args.f32(gradIn, name, "gradIn");
        OpChecks.reduceBackward(op, tx, to, g, gi);
        if (gi.size == 0) {
            return;
        }
        int axis = OpChecks.reduceAxis(tx, to);
        if (op != ReduceOp.MAX) {
            long line = axis == -1 ? tx.size : axis == 0 ? tx.rows : tx.cols;
            float divisor = op == ReduceOp.MEAN ? (float) line : 1f;
            launcher.i64(tx.rows).i32(tx.cols).i32(axis).ptr(g).f32(divisor).f32(beta).ptr(gi)
                    .launch(Kernel.REDUCE_BACKWARD, Launcher.elementwiseBlocks(gi.size));
            return;
        }
        switch (axis) {
            case -1 -> {
                int blocks = allPartials(MAX, tx);
                long index = scratch.result().address();
                launcher.i32(blocks).i32(MAX).ptr(scratch.partials()).f64(1.0).f32(0f).ptr(0L).ptr(index)
                        .launch(Kernel.REDUCE_ALL_FINAL, 1);
                launcher.i64(tx.size).ptr(index).ptr(g).f32(beta).ptr(gi)
                        .launch(Kernel.MAX_BACKWARD_ALL, Launcher.elementwiseBlocks(tx.size));
            }
            case 0 -> launcher.i64(tx.rows).i32(tx.cols).ptr(tx).ptr(g).f32(beta).ptr(gi)
                    .launch(Kernel.MAX_BACKWARD_COLUMNS, Launcher.tileBlocks(tx.cols));
            default -> launcher.i64(tx.rows).i32(tx.cols).ptr(tx).ptr(g).f32(beta).ptr(gi)
                    .launch(Kernel.MAX_BACKWARD_ROWS, Launcher.lineBlocks(tx.rows));
        }
    }

    /** Queues the per-block partials of {@code code} over all of x into the scratch; the number of blocks. */
    private int allPartials(int code, DeviceTensor x) {
        int blocks = Launcher.reductionBlocks(x.size);
        launcher.i64(x.size).i32(code).ptr(x).ptr(scratch.partials()).launch(Kernel.REDUCE_ALL_PARTIALS, blocks);
        return blocks;
    }

    static int code(ReduceOp op) {
        return switch (op) {
            case SUM -> SUM;
            case MEAN -> MEAN;
            case MAX -> MAX;
        };
    }
}
