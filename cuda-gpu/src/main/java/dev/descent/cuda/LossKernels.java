package dev.descent.cuda;

import dev.descent.backend.OpChecks;
import dev.descent.backend.Tensor;

/**
 * The fused losses: forward and backward in one kernel ({@code softmaxCrossEntropy},
 * {@code sigmoidBinaryCrossEntropy}, {@code meanSquaredError}, {@code meanAbsoluteError}), per-block partial sums in
 * {@link Scratch}, then one pass that writes the loss into {@code lossOut[lossIndex]} on the device: nothing waits.
 * Labels the host does not know are checked by the kernel, which reports into the {@link DeviceStatus} record.
 */
final class LossKernels {
    private final ArgumentChecks args;
    private final Launcher launcher;
    private final StreamState state;
    private final DeviceStatus status;
    private final Scratch scratch;

    LossKernels(ArgumentChecks args, Launcher launcher, StreamState state, DeviceStatus status, Scratch scratch) {
        this.args = args;
        this.launcher = launcher;
        this.state = state;
        this.status = status;
        this.scratch = scratch;
    }

    void softmaxCrossEntropy(Tensor logits, Tensor labels, Tensor grad, int normalizer, Tensor lossOut,
            int lossIndex) {
        String op = "softmaxCrossEntropy";
        DeviceTensor z = args.f32(logits, op, "logits");
        DeviceTensor y = args.i32(labels, op, "labels");
        DeviceTensor g = args.f32OrNull(grad, op, "grad");
        DeviceTensor loss = lossTarget(op, lossOut, lossIndex, normalizer);
        OpChecks.softmaxCrossEntropy(op, z, y, g);
        int[] ys = y.known();
        if (ys != null) { // otherwise the kernel checks them, reporting into the status record
            OpChecks.labels(op, ys, z.rows, z);
        }
        int blocks = Launcher.rowBlocks(z.rows);
        launcher.i64(z.rows).i32(z.cols).ptr(z).ptr(y).ptr(g).f32((float) (1.0 / normalizer))
                .ptr(scratch.partials()).ptr(status.address()).launch(Kernel.SOFTMAX_CE, blocks);
        finishLoss(blocks, normalizer, loss, lossIndex);
        if (ys == null || state.capturing()) {
            status.kernelQueued(); // a replay sees whatever the labels hold then
        }
    }

    void sigmoidBinaryCrossEntropy(Tensor logits, Tensor targets, Tensor grad, int normalizer, Tensor lossOut,
            int lossIndex) {
        String op = "sigmoidBinaryCrossEntropy";
        DeviceTensor x = args.f32(logits, op, "logits");
        DeviceTensor t = args.f32(targets, op, "targets");
        DeviceTensor g = args.f32OrNull(grad, op, "grad");
        DeviceTensor loss = lossTarget(op, lossOut, lossIndex, normalizer);
        OpChecks.elementwiseLoss(op, "logits", x, t, g);
        double count = (double) normalizer * x.cols;
        int blocks = Launcher.reductionBlocks(x.size);
        launcher.i64(x.size).ptr(x).ptr(t).ptr(g).f32((float) count).ptr(scratch.partials())
                .launch(Kernel.BCE_LOGITS, blocks);
        finishLoss(blocks, count, loss, lossIndex);
    }

    void meanSquaredError(Tensor predictions, Tensor targets, Tensor grad, int normalizer, Tensor lossOut,
            int lossIndex) {
        String op = "meanSquaredError";
        DeviceTensor p = args.f32(predictions, op, "predictions");
        DeviceTensor t = args.f32(targets, op, "targets");
        DeviceTensor g = args.f32OrNull(grad, op, "grad");
        DeviceTensor loss = lossTarget(op, lossOut, lossIndex, normalizer);
        OpChecks.elementwiseLoss(op, "predictions", p, t, g);
        double count = (double) normalizer * p.cols;
        int blocks = Launcher.reductionBlocks(p.size);
        launcher.i64(p.size).ptr(p).ptr(t).ptr(g).f32((float) (2.0 / count)).ptr(scratch.partials())
                .launch(Kernel.MSE, blocks);
        finishLoss(blocks, count, loss, lossIndex);
    }

    void meanAbsoluteError(Tensor predictions, Tensor targets, Tensor grad, int normalizer, Tensor lossOut,
            int lossIndex) {
        String op = "meanAbsoluteError";
        DeviceTensor p = args.f32(predictions, op, "predictions");
        DeviceTensor t = args.f32(targets, op, "targets");
        DeviceTensor g = args.f32OrNull(grad, op, "grad");
        DeviceTensor loss = lossTarget(op, lossOut, lossIndex, normalizer);
        OpChecks.elementwiseLoss(op, "predictions", p, t, g);
        double count = (double) normalizer * p.cols;
        int blocks = Launcher.reductionBlocks(p.size);
        launcher.i64(p.size).ptr(p).ptr(t).ptr(g).f32((float) (1.0 / count)).ptr(scratch.partials())
                .launch(Kernel.MAE, blocks);
        finishLoss(blocks, count, loss, lossIndex);
    }

    private DeviceTensor lossTarget(String op, Tensor lossOut, int lossIndex, int normalizer) {
        DeviceTensor loss = args.f32(lossOut, op, "lossOut");
        OpChecks.lossOutput(op, loss, lossIndex, normalizer);
        return loss;
    }

    /** Sums the partials and writes {@code sum / divisor} into {@code loss[lossIndex]}. */
    private void finishLoss(int partials, double divisor, DeviceTensor loss, int lossIndex) {
        launcher.i32(partials).ptr(scratch.partials()).f64(divisor).ptr(loss).i32(lossIndex)
                .launch(Kernel.LOSS_FINAL, 1);
    }
}
