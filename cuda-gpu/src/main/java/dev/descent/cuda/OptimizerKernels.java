package dev.descent.cuda;

import dev.descent.backend.OpChecks;
import dev.descent.backend.Tensor;

/**
 * The optimizer updates, one fused kernel each ({@code sgdUpdate}, {@code adamUpdate}, {@code rmspropUpdate},
 * {@code adagradUpdate}, {@code nadamUpdate}, {@code radamUpdate}, {@code adamaxUpdate}, {@code adadeltaUpdate}), in
 * torch's float32 operation order, with every scalar derived in double on the host and rounded to float where torch
 * rounds it. Options reach the kernel as one flag word.
 */
final class OptimizerKernels {
    private static final int OPT_MAXIMIZE = 1;
    private static final int OPT_WEIGHT_DECAY = 2;
    private static final int OPT_MOMENTUM = 4;
    private static final int OPT_NESTEROV = 8;
    private static final int OPT_COPY_FIRST = 16;
    private static final int OPT_DECOUPLED = 32;
    private static final int OPT_AMSGRAD = 64;
    private static final int OPT_CENTERED = 128;
    private static final int OPT_RECTIFIED = 256;

    private final ArgumentChecks args;
    private final Launcher launcher;

    OptimizerKernels(ArgumentChecks args, Launcher launcher) {
        this.args = args;
        this.launcher = launcher;
    }

    void sgdUpdate(Tensor param, Tensor grad, Tensor momentumBuffer, double lr, double momentum, double dampening,
            boolean nesterov, double weightDecay, boolean maximize, boolean copyFirst) {
        String op = "sgdUpdate";
        DeviceTensor p = args.f32(param, op, "param");
        DeviceTensor g = args.f32(grad, op, "grad");
        OpChecks.sameSize(op, "param", p, "grad", g);
        OpChecks.sgd(lr, momentum, dampening, nesterov, weightDecay);
        OpChecks.momentumBuffer(op, momentum, momentumBuffer);
        DeviceTensor b = momentum != 0 ? args.f32(momentumBuffer, op, "momentumBuffer") : null;
        OpChecks.sameSizeIfGiven(op, "param", p, "momentumBuffer", b);
        int flags = (maximize ? OPT_MAXIMIZE : 0) | (weightDecay != 0 ? OPT_WEIGHT_DECAY : 0)
                | (momentum != 0 ? OPT_MOMENTUM : 0) | (nesterov ? OPT_NESTEROV : 0)
                | (copyFirst ? OPT_COPY_FIRST : 0);
        if (p.size > 0) {
            launcher.i64(p.size).ptr(p).ptr(g).ptr(b).f32((float) -lr).f32((float) momentum)
                    .f32((float) (1 - dampening)).f32((float) weightDecay).i32(flags)
                    .launch(Kernel.SGD, Launcher.elementwiseBlocks(p.size));
        }
    }

    void adamUpdate(Tensor param, Tensor grad, Tensor m, Tensor v, Tensor maxV, double lr, double beta1,
            double beta2, double eps, double weightDecay, boolean decoupled, boolean maximize, long step) {
        String op = "adamUpdate";
        DeviceTensor p = args.f32(param, op, "param");
        DeviceTensor g = args.f32(grad, op, "grad");
        DeviceTensor tm = args.f32(m, op, "m");
        DeviceTensor tv = args.f32(v, op, "v");
        DeviceTensor tmax = args.f32OrNull(maxV, op, "maxV");
        OpChecks.sameSize(op, "param", p, "grad", g);
        OpChecks.sameSize(op, "param", p, "m", tm);
        OpChecks.sameSize(op, "param", p, "v", tv);
        OpChecks.sameSizeIfGiven(op, "param", p, "maxV", tmax);
        OpChecks.adam(lr, beta1, beta2, eps, weightDecay, step);
        // torch: bias_correction1 = 1 - beta1 ** step; step_size = lr / bias_correction1 (Python floats, double);
        // bias_correction2_sqrt = sqrt(1 - beta2 ** step); each rounded to float where the tensor op takes it.
        double bc1 = 1 - Math.pow(beta1, step);
        double bc2 = 1 - Math.pow(beta2, step);
        int flags = (maximize ? OPT_MAXIMIZE : 0) | (weightDecay != 0 ? OPT_WEIGHT_DECAY : 0)
                | (decoupled ? OPT_DECOUPLED : 0) | (tmax != null ? OPT_AMSGRAD : 0);
        if (p.size > 0) {
            launcher.i64(p.size).ptr(p).ptr(g).ptr(tm).ptr(tv).ptr(tmax)
                    .f32((float) beta1).f32((float) (1 - beta1)).f32((float) beta2).f32((float) (1 - beta2))
                    .f32((float) weightDecay).f32((float) (1 - lr * weightDecay)).f32((float) -(lr / bc1))
                    .f32((float) Math.sqrt(bc2)).f32((float) eps).i32(flags)
                    .launch(Kernel.ADAM, Launcher.elementwiseBlocks(p.size));
        }
    }

    void rmspropUpdate(Tensor param, Tensor grad, Tensor squareAvg, Tensor gradAvg, Tensor momentumBuffer, double lr,
            double alpha, double eps, double weightDecay, double momentum, boolean maximize) {
        String op = "rmspropUpdate";
        DeviceTensor p = args.f32(param, op, "param");
        DeviceTensor g = args.f32(grad, op, "grad");
        DeviceTensor sq = args.f32(squareAvg, op, "squareAvg");
        DeviceTensor ga = args.f32OrNull(gradAvg, op, "gradAvg");
        OpChecks.sameSize(op, "param", p, "grad", g);
        OpChecks.sameSize(op, "param", p, "squareAvg", sq);
        OpChecks.sameSizeIfGiven(op, "param", p, "gradAvg", ga);
        OpChecks.rmsprop(lr, alpha, eps, weightDecay, momentum);
        OpChecks.momentumBuffer(op, momentum, momentumBuffer);
        DeviceTensor b = momentum > 0 ? args.f32(momentumBuffer, op, "momentumBuffer") : null;
        OpChecks.sameSizeIfGiven(op, "param", p, "momentumBuffer", b);
        int flags = (maximize ? OPT_MAXIMIZE : 0) | (weightDecay != 0 ? OPT_WEIGHT_DECAY : 0)
                | (b != null ? OPT_MOMENTUM : 0) | (ga != null ? OPT_CENTERED : 0);
        if (p.size > 0) {
            launcher.i64(p.size).ptr(p).ptr(g).ptr(sq).ptr(ga).ptr(b).f32((float) alpha).f32((float) (1 - alpha))
                    .f32((float) eps).f32((float) weightDecay).f32((float) momentum).f32((float) -lr).i32(flags)
                    .launch(Kernel.RMSPROP, Launcher.elementwiseBlocks(p.size));
        }
    }

    void adagradUpdate(Tensor param, Tensor grad, Tensor sum, double clr, double eps, double weightDecay,
            boolean maximize) {
        String op = "adagradUpdate";
        DeviceTensor p = args.f32(param, op, "param");
        DeviceTensor g = args.f32(grad, op, "grad");
        DeviceTensor s = args.f32(sum, op, "sum");
        OpChecks.sameSize(op, "param", p, "grad", g);
        OpChecks.sameSize(op, "param", p, "sum", s);
        OpChecks.adagrad(clr, eps, weightDecay);
        int flags = (maximize ? OPT_MAXIMIZE : 0) | (weightDecay != 0 ? OPT_WEIGHT_DECAY : 0);
        if (p.size > 0) {
            launcher.i64(p.size).ptr(p).ptr(g).ptr(s).f32((float) -clr).f32((float) eps).f32((float) weightDecay)
                    .i32(flags).launch(Kernel.ADAGRAD, Launcher.elementwiseBlocks(p.size));
        }
    }

    // The four below check their arguments with the shared OpChecks, as the CPU backend does.

    void nadamUpdate(Tensor param, Tensor grad, Tensor m, Tensor v, double gradStepSize, double momentumStepSize,
            double beta1, double beta2, double eps, double weightDecay, boolean maximize, long step) {
        String op = "nadamUpdate";
        DeviceTensor p = args.f32(param, op, "param");
        DeviceTensor g = args.f32(grad, op, "grad");
        DeviceTensor tm = args.f32(m, op, "m");
        DeviceTensor tv = args.f32(v, op, "v");
        OpChecks.sameSize(op, "param", p, "grad", g);
        OpChecks.sameSize(op, "param", p, "m", tm);
        OpChecks.sameSize(op, "param", p, "v", tv);
        OpChecks.nadam(gradStepSize, momentumStepSize, beta1, beta2, eps, weightDecay, step);
        // torch: bias_correction2 = 1 - beta2 ** step (double), a float where exp_avg_sq.div takes it
        double bc2 = 1 - Math.pow(beta2, step);
        int flags = (maximize ? OPT_MAXIMIZE : 0) | (weightDecay != 0 ? OPT_WEIGHT_DECAY : 0);
        if (p.size > 0) {
            launcher.i64(p.size).ptr(p).ptr(g).ptr(tm).ptr(tv)
                    .f32((float) beta1).f32((float) (1 - beta1)).f32((float) beta2).f32((float) (1 - beta2))
                    .f32((float) weightDecay).f32((float) bc2).f32((float) eps).f32((float) -gradStepSize)
                    .f32((float) -momentumStepSize).i32(flags)
                    .launch(Kernel.NADAM, Launcher.elementwiseBlocks(p.size));
        }
    }

    void radamUpdate(Tensor param, Tensor grad, Tensor m, Tensor v, double lr, double beta1, double beta2,
            double eps, double weightDecay, boolean maximize, long step) {
        String op = "radamUpdate";
        DeviceTensor p = args.f32(param, op, "param");
        DeviceTensor g = args.f32(grad, op, "grad");
        DeviceTensor tm = args.f32(m, op, "m");
        DeviceTensor tv = args.f32(v, op, "v");
        OpChecks.sameSize(op, "param", p, "grad", g);
        OpChecks.sameSize(op, "param", p, "m", tm);
        OpChecks.sameSize(op, "param", p, "v", tv);
        OpChecks.radam(lr, beta1, beta2, eps, weightDecay, step);
        // torch: the bias corrections, rho_inf, rho_t and the rectification in double (Python floats)
        double bc1 = 1 - Math.pow(beta1, step);
        double bc2 = 1 - Math.pow(beta2, step);
        double rhoInf = 2 / (1 - beta2) - 1;
        double rhoT = rhoInf - 2 * step * Math.pow(beta2, step) / bc2;
        boolean rectified = rhoT > 5.;
        double rect = rectified ? Math.sqrt((rhoT - 4) * (rhoT - 2) * rhoInf / ((rhoInf - 4) * (rhoInf - 2) * rhoT))
                : 0;
        int flags = (maximize ? OPT_MAXIMIZE : 0) | (weightDecay != 0 ? OPT_WEIGHT_DECAY : 0)
                | (rectified ? OPT_RECTIFIED : 0);
        if (p.size > 0) {
            launcher.i64(p.size).ptr(p).ptr(g).ptr(tm).ptr(tv)
                    .f32((float) beta1).f32((float) (1 - beta1)).f32((float) beta2).f32((float) (1 - beta2))
                    .f32((float) weightDecay).f32((float) bc1).f32((float) lr).f32((float) Math.sqrt(bc2))
                    .f32((float) rect).f32((float) eps).i32(flags)
                    .launch(Kernel.RADAM, Launcher.elementwiseBlocks(p.size));
        }
    }

    void adamaxUpdate(Tensor param, Tensor grad, Tensor m, Tensor u, double lr, double beta1, double beta2,
            double eps, double weightDecay, boolean maximize, long step) {
        String op = "adamaxUpdate";
        DeviceTensor p = args.f32(param, op, "param");
        DeviceTensor g = args.f32(grad, op, "grad");
        DeviceTensor tm = args.f32(m, op, "m");
        DeviceTensor tu = args.f32(u, op, "u");
        OpChecks.sameSize(op, "param", p, "grad", g);
        OpChecks.sameSize(op, "param", p, "m", tm);
        OpChecks.sameSize(op, "param", p, "u", tu);
        OpChecks.adamax(lr, beta1, beta2, eps, weightDecay, step);
        // torch: clr = lr / (1 - beta1 ** step) in double, negated and a float as addcdiv_'s value
        double clr = lr / (1 - Math.pow(beta1, step));
        int flags = (maximize ? OPT_MAXIMIZE : 0) | (weightDecay != 0 ? OPT_WEIGHT_DECAY : 0);
        if (p.size > 0) {
            launcher.i64(p.size).ptr(p).ptr(g).ptr(tm).ptr(tu)
                    .f32((float) beta1).f32((float) (1 - beta1)).f32((float) beta2).f32((float) weightDecay)
                    .f32((float) eps).f32((float) -clr).i32(flags)
                    .launch(Kernel.ADAMAX, Launcher.elementwiseBlocks(p.size));
        }
    }

    void adadeltaUpdate(Tensor param, Tensor grad, Tensor squareAvg, Tensor accDelta, double lr, double rho,
            double eps, double weightDecay, boolean maximize) {
        String op = "adadeltaUpdate";
        DeviceTensor p = args.f32(param, op, "param");
        DeviceTensor g = args.f32(grad, op, "grad");
        DeviceTensor sq = args.f32(squareAvg, op, "squareAvg");
        DeviceTensor acc = args.f32(accDelta, op, "accDelta");
        OpChecks.sameSize(op, "param", p, "grad", g);
        OpChecks.sameSize(op, "param", p, "squareAvg", sq);
        OpChecks.sameSize(op, "param", p, "accDelta", acc);
        OpChecks.adadelta(lr, rho, eps, weightDecay);
        int flags = (maximize ? OPT_MAXIMIZE : 0) | (weightDecay != 0 ? OPT_WEIGHT_DECAY : 0);
        if (p.size > 0) {
            launcher.i64(p.size).ptr(p).ptr(g).ptr(sq).ptr(acc)
                    .f32((float) rho).f32((float) (1 - rho)).f32((float) eps).f32((float) weightDecay)
                    .f32((float) -lr).i32(flags)
                    .launch(Kernel.ADADELTA, Launcher.elementwiseBlocks(p.size));
        }
    }
}
