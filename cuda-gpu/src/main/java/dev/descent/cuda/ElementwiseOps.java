package dev.descent.cuda;

import dev.descent.backend.DType;
import dev.descent.backend.OpChecks;
import dev.descent.backend.Tensor;
import dev.descent.backend.UnaryOp;
import dev.descent.cuda.bindings.gen.cuda_runtime_h;
import java.util.Arrays;

/**
 * The elementwise operations: {@code axpy}, {@code scale}, {@code fill}, {@code copy}, {@code multiply},
 * {@code clamp}, {@code relu} and its backward pass, autodiff's {@code unary} functions and their gradients, and the
 * copies that move elements: {@code transpose} and {@code copyBlock}. One kernel launch each ({@code copy}: a
 * device-to-device copy).
 */
final class ElementwiseOps {
    private final ArgumentChecks args;
    private final Launcher launcher;
    private final StreamState state;
    private final DeviceContext context;

    ElementwiseOps(ArgumentChecks args, Launcher launcher, StreamState state, DeviceContext context) {
        this.args = args;
        this.launcher = launcher;
        this.state = state;
        this.context = context;
    }

    void axpy(float alpha, Tensor x, Tensor y) {
        DeviceTensor tx = args.f32(x, "axpy", "x");
        DeviceTensor ty = args.f32(y, "axpy", "y");
        OpChecks.sameSize("axpy", "x", tx, "y", ty);
        if (ty.size > 0) {
            launcher.i64(ty.size).f32(alpha).ptr(tx).ptr(ty).launch(Kernel.AXPY, Launcher.elementwiseBlocks(ty.size));
        }
    }

    void scale(float alpha, Tensor x) {
        DeviceTensor tx = args.f32(x, "scale", "x");
        if (tx.size > 0) {
            launcher.i64(tx.size).f32(alpha).ptr(tx).launch(Kernel.SCALE, Launcher.elementwiseBlocks(tx.size));
        }
    }

    void fill(Tensor x, float value) {
        DeviceTensor tx = args.own(x, "fill", "x");
        int bits = tx.dtype == DType.F32 ? Float.floatToRawIntBits(value) : (int) value;
        if (tx.size > 0) {
            launcher.i64(tx.size).u32(bits).ptr(tx).launch(Kernel.FILL, Launcher.elementwiseBlocks(tx.size));
        }
        if (tx.dtype == DType.I32) {
            int[] known = tx.known();
            state.deviceWroteInt(tx);
            if (known != null && !state.capturing()) {
                Arrays.fill(known, bits);
                tx.known(known);
            }
        }
    }

    void copy(Tensor src, Tensor dst) {
        DeviceTensor s = args.own(src, "copy", "src");
        DeviceTensor d = args.own(dst, "copy", "dst");
        OpChecks.sameDtype("copy", "src", s, "dst", d);
        OpChecks.sameSize("copy", "src", s, "dst", d);
        if (s.bytes == 0 || s.address == d.address) {
            return;
        }
        StepGraphs recorder = state.recorder();
        if (recorder != null) {
            long[] c = recorder.scratch();
            c[0] = d.address;
            c[1] = s.address;
            c[2] = s.bytes;
            recorder.submit(StepGraphs.COPY, 0, c, 3);
        } else {
            CudaCalls.check(cuda_runtime_h.cudaMemcpyAsync(d.pointer, s.pointer, s.bytes,
                    cuda_runtime_h.cudaMemcpyDeviceToDevice(), context.stream()), "cudaMemcpyAsync(device to device)");
        }
        if (d.dtype == DType.I32) {
            int[] from = s.known();
            state.deviceWroteInt(d);
            if (from != null && !state.capturing()) {
                d.known(from.clone());
            }
        }
    }

    void multiply(Tensor a, Tensor b, Tensor out) {
        DeviceTensor ta = args.f32(a, "multiply", "a");
        DeviceTensor tb = args.f32(b, "multiply", "b");
        DeviceTensor to = args.f32(out, "multiply", "out");
        OpChecks.sameSize("multiply", "a", ta, "b", tb);
        OpChecks.sameSize("multiply", "a", ta, "out", to);
        if (to.size > 0) {
            launcher.i64(to.size).ptr(ta).ptr(tb).ptr(to).launch(Kernel.MUL, Launcher.elementwiseBlocks(to.size));
        }
    }

    void clamp(Tensor x, float lo, float hi) {
        DeviceTensor tx = args.f32(x, "clamp", "x");
        if (tx.size > 0) {
            launcher.i64(tx.size).f32(lo).f32(hi).ptr(tx).launch(Kernel.CLAMP, Launcher.elementwiseBlocks(tx.size));
        }
    }

    void relu(Tensor x, Tensor out) {
        DeviceTensor tx = args.f32(x, "relu", "x");
        DeviceTensor to = args.f32(out, "relu", "out");
        OpChecks.sameSize("relu", "x", tx, "out", to);
        if (to.size > 0) {
            launcher.i64(to.size).ptr(tx).ptr(to).launch(Kernel.RELU, Launcher.elementwiseBlocks(to.size));
        }
    }

    void reluBackward(Tensor gradOut, Tensor activation, Tensor gradIn) {
        DeviceTensor g = args.f32(gradOut, "reluBackward", "gradOut");
        DeviceTensor a = args.f32(activation, "reluBackward", "activation");
        DeviceTensor gi = args.f32(gradIn, "reluBackward", "gradIn");
        OpChecks.sameSize("reluBackward", "gradOut", g, "activation", a);
        OpChecks.sameSize("reluBackward", "gradOut", g, "gradIn", gi);
        if (gi.size > 0) {
            launcher.i64(gi.size).ptr(g).ptr(a).ptr(gi).launch(Kernel.RELU_BACKWARD,
                    Launcher.elementwiseBlocks(gi.size));
        }
    }

    void unary(UnaryOp op, float param, Tensor x, Tensor out) {
        DeviceTensor tx = args.f32(x, "unary", "x");
        DeviceTensor to = args.f32(out, "unary", "out");
        OpChecks.unary(op, tx, to);
        if (to.size > 0) {
            launcher.i64(to.size).i32(code(op)).f32(param).ptr(tx).ptr(to).launch(Kernel.UNARY,
                    Launcher.elementwiseBlocks(to.size));
        }
    }

    void unaryBackward(UnaryOp op, float param, Tensor x, Tensor out, Tensor gradOut, float beta, Tensor gradIn) {
        DeviceTensor tx = args.f32(x, "unaryBackward", "x");
        DeviceTensor to = args.f32(out, "unaryBackward", "out");
        DeviceTensor g = args.f32(gradOut, "unaryBackward", "gradOut");
        DeviceTensor gi = args.f32(gradIn, "unaryBackward", "gradIn");
        OpChecks.unaryBackward(op, tx, to, g, gi);
        if (gi.size > 0) {
            launcher.i64(gi.size).i32(code(op)).f32(param).ptr(tx).ptr(to).ptr(g).f32(beta).ptr(gi)
                    .launch(Kernel.UNARY_BACKWARD, Launcher.elementwiseBlocks(gi.size));
        }
    }

    /** The kernels' code for {@code op} ({@code U_*} in descent_kernels.cu). */
    static int code(UnaryOp op) {
        return switch (op) {
            case NEG -> 0;
            case EXP -> 1;
            case LOG -> 2;
            case LOG1P -> 3;
            case SQRT -> 4;
            case ABS -> 5;
            case SIN -> 6;
            case COS -> 7;
            case TANH -> 8;
            case SIGMOID -> 9;
            case RELU -> 10;
            case SOFTPLUS -> 11;
            case POW -> 12;
        };
    }

    void transpose(Tensor x, float beta, Tensor out) {
        DeviceTensor tx = args.f32(x, "transpose", "x");
        DeviceTensor to = args.f32(out, "transpose", "out");
        OpChecks.transpose(tx, to);
        if (to.size > 0) {
            launcher.i64(tx.rows).i32(tx.cols).ptr(tx).f32(beta).ptr(to).launch(Kernel.TRANSPOSE,
                    Launcher.elementwiseBlocks(to.size));
        }
    }

    void copyBlock(Tensor src, int srcRow, int srcCol, Tensor dst, int dstRow, int dstCol, int rows, int cols,
            float beta) {
        DeviceTensor s = args.own(src, "copyBlock", "src");
        DeviceTensor d = args.own(dst, "copyBlock", "dst");
        OpChecks.copyBlock(s, srcRow, srcCol, d, dstRow, dstCol, rows, cols);
        if ((long) rows * cols > 0) {
            long from = s.address + 4L * ((long) srcRow * s.cols + srcCol);
            long to = d.address + 4L * ((long) dstRow * d.cols + dstCol);
            launcher.i64(rows).i32(cols).ptr(from).i32(s.cols).ptr(to).i32(d.cols).f32(beta)
                    .i32(d.dtype == DType.I32 ? 1 : 0).launch(Kernel.COPY_BLOCK,
                            Launcher.elementwiseBlocks((long) rows * cols));
        }
        if (d.dtype == DType.I32) {
            blockOfInts(s, srcRow, srcCol, d, dstRow, dstCol, rows, cols, beta);
        }
    }

    /** An int32 block copy: dst's host-known contents follow a plain copy (beta 0) from known contents. */
    private void blockOfInts(DeviceTensor s, int srcRow, int srcCol, DeviceTensor d, int dstRow, int dstCol,
            int rows, int cols, float beta) {
        int[] from = s.known();
        int[] known = d.known();
        state.deviceWroteInt(d);
        if (beta == 0f && from != null && known != null && !state.capturing()) {
            for (int i = 0; i < rows; i++) {
                System.arraycopy(from, (srcRow + i) * s.cols + srcCol, known, (dstRow + i) * d.cols + dstCol, cols);
            }
            d.known(known);
        }
    }
}
