package dev.descent.cuda;

import dev.descent.backend.BinaryOp;
import dev.descent.backend.OpChecks;
import dev.descent.backend.Tensor;

/**
 * Autodiff's broadcasting binary operations: {@code binary} (one elementwise kernel; each operand read through a row
 * and a column stride, 0 along a dimension it is broadcast along) and {@code binaryBackward}, whose gradient is summed
 * back to the operand's shape without atomics, in a tree fixed by the shapes: elementwise for an operand of the
 * output's shape, one block per row for one column, one block per tile of columns for one row, and per-block partials
 * in {@link Scratch} finished by a single-block pass for one element. Nothing waits, so a graph can hold them.
 */
final class BroadcastOps {
    private final ArgumentChecks args;
    private final Launcher launcher;
    private final Scratch scratch;

    BroadcastOps(ArgumentChecks args, Launcher launcher, Scratch scratch) {
        this.args = args;
        this.launcher = launcher;
        this.scratch = scratch;
    }

    void binary(BinaryOp op, Tensor a, Tensor b, Tensor out) {
        DeviceTensor ta = args.f32(a, "binary", "a");
        DeviceTensor tb = args.f32(b, "binary", "b");
        DeviceTensor to = args.f32(out, "binary", "out");
        OpChecks.binary(op, ta, tb, to);
        if (to.size > 0) {
            launcher.i64(to.rows).i32(to.cols).i32(code(op)).ptr(ta).i32(rowStride(ta)).i32(colStride(ta)).ptr(tb)
                    .i32(rowStride(tb)).i32(colStride(tb)).ptr(to)
                    .launch(Kernel.BINARY, Launcher.elementwiseBlocks(to.size));
        }
    }

    void binaryBackward(BinaryOp op, int argument, Tensor a, Tensor b, Tensor out, Tensor gradOut, float beta,
            Tensor gradArg) {
        String name = "binaryBackward";
        DeviceTensor ta = args.f32(a, name, "a");
        DeviceTensor tb = args.f32(b, name, "b");
        DeviceTensor to = args.f32(out, name, "out");
        DeviceTensor g = args.f32(gradOut, name, "gradOut");
        DeviceTensor ga = args.f32(gradArg, name, "gradArg");
        OpChecks.binaryBackward(op, argument, ta, tb, to, g, ga);
        if (ga.size == 0) {
            return;
        }
        // sum along each row where the operand is one column, down each column where it is one row
        boolean alongRows = ga.cols != to.cols;
        boolean downColumns = ga.rows != to.rows;
        int mode = alongRows ? (downColumns ? 3 : 1) : (downColumns ? 2 : 0);
        int blocks = switch (mode) {
            case 0 -> Launcher.elementwiseBlocks(to.size);
            case 1 -> Launcher.lineBlocks(to.rows);
            case 2 -> Launcher.tileBlocks(to.cols);
            default -> Launcher.reductionBlocks(to.size);
        };
        long partials = mode == 3 ? scratch.partials() : 0L;
        launcher.i64(to.rows).i32(to.cols).i32(code(op)).i32(argument).ptr(ta).i32(rowStride(ta)).i32(colStride(ta))
                .ptr(tb).i32(rowStride(tb)).i32(colStride(tb)).ptr(to).ptr(g).f32(beta).ptr(ga).i32(mode)
                .ptr(partials).launch(Kernel.BINARY_BACKWARD, blocks);
        if (mode == 3) {
            launcher.i32(blocks).i32(AxisReductions.SUM).ptr(partials).f64(1.0).f32(beta).ptr(ga).ptr(0L)
                    .launch(Kernel.REDUCE_ALL_FINAL, 1);
        }
    }

    /** Elements between rows of an operand as the output reads it: 0 for one row (broadcast down the rows). */
    private static int rowStride(DeviceTensor t) {
        return t.rows == 1 ? 0 : t.cols;
    }

    /** Elements between columns: 0 for one column (broadcast across the columns). */
    private static int colStride(DeviceTensor t) {
        return t.cols == 1 ? 0 : 1;
    }

    /** The kernels' code for {@code op} ({@code B_*} in descent_kernels.cu). */
    static int code(BinaryOp op) {
        return switch (op) {
            case ADD -> 0;
            case SUB -> 1;
            case MUL -> 2;
            case DIV -> 3;
            case POW -> 4;
        };
    }
}
