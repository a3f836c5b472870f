package dev.descent.cli;

import dev.descent.optim.Optimizers;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The optimizer settings shared by every command that trains (everything but the optimizer's name and learning rate,
 * which {@code compare} takes as lists): torch.optim's hyper-parameters, the learning-rate schedule and gradient
 * clipping. Unset values take the optimizer's torch default.
 */
final class OptimizerSettings {
    /** The optimizer names descent knows, in the order help texts list them. */
    static final String NAMES = "sgd, momentum, ema-momentum, adam, adamw, rmsprop, adagrad, nadam, radam, adamax, "
            + "adadelta, lbfgs";

    @Option(names = "--momentum", paramLabel = "M", converter = Converters.Finite.class,
            description = "Momentum factor (sgd; momentum: default 0.9; rmsprop). For ema-momentum the β of "
                    + "v ← βv + (1−β)g (default 0.9).")
    Double momentum;

    @Option(names = "--dampening", paramLabel = "D", converter = Converters.Finite.class,
            description = "Dampening of the momentum buffer (sgd, momentum; default 0).")
    Double dampening;

    @Option(names = "--nesterov", description = "Nesterov momentum (sgd, momentum; needs momentum > 0, dampening 0).")
    boolean nesterov;

    @Option(names = "--weight-decay", paramLabel = "L", converter = Converters.Finite.class,
            description = "Weight decay λ: L2 added to the gradient; decoupled for adamw (default 0, adamw 0.01). "
                    + "Every optimizer.")
    Double weightDecay;

    @Option(names = "--betas", paramLabel = "B1,B2", converter = Converters.Pair.class,
            description = "Decay rates β1,β2 of the moment averages (adam, adamw, nadam, radam, adamax; "
                    + "default 0.9,0.999).")
    Converters.NumberPair betas;

    @Option(names = "--eps", paramLabel = "E", converter = Converters.Finite.class,
            description = "Term added to the denominator (adam, adamw, rmsprop, nadam, radam, adamax: 1e-8; "
                    + "adagrad: 1e-10; adadelta: 1e-6).")
    Double eps;

    @Option(names = "--amsgrad", description = "Use AMSGrad's running maximum of v (adam, adamw).")
    boolean amsgrad;

    @Option(names = "--alpha", paramLabel = "A", converter = Converters.Finite.class,
            description = "Smoothing constant of the squared-gradient average (rmsprop; default 0.99).")
    Double alpha;

    @Option(names = "--centered", description = "Centered RMSprop: divide by the estimated variance (rmsprop).")
    boolean centered;

    @Option(names = "--lr-decay", paramLabel = "D", converter = Converters.Finite.class,
            description = "Learning-rate decay per step (adagrad; default 0).")
    Double lrDecay;

    @Option(names = "--initial-accumulator", paramLabel = "S", converter = Converters.Finite.class,
            description = "Initial value of the squared-gradient sum (adagrad; default 0).")
    Double initialAccumulator;

    @Option(names = "--momentum-decay", paramLabel = "D", converter = Converters.Finite.class,
            description = "Decay ψ of NAdam's momentum schedule μ_t = β1(1 − ½·0.96^(tψ)) (nadam; default 4e-3).")
    Double momentumDecay;

    @Option(names = "--rho", paramLabel = "R", converter = Converters.Finite.class,
            description = "Decay ρ of both running averages, in [0, 1] (adadelta; default 0.9).")
    Double rho;

    @Option(names = "--maximize", description = "Maximise the objective instead of minimising it.")
    boolean maximize;

    @Option(names = "--line-search", paramLabel = "NAME",
            description = "Line search (lbfgs): none (default: a fixed step of --lr) or strong-wolfe.")
    String lineSearch;

    @Option(names = "--history-size", paramLabel = "N",
            description = "How many (y, s) pairs the inverse-Hessian approximation keeps (lbfgs; default 100).")
    Integer historySize;

    @Option(names = "--max-iter", paramLabel = "N",
            description = "Most iterations per step, i.e. per epoch (lbfgs; default 20).")
    Integer maxIter;

    @Option(names = "--max-eval", paramLabel = "N",
            description = "Most loss evaluations per step (lbfgs; default max-iter × 5/4, rounded down).")
    Integer maxEval;

    @Option(names = "--tolerance-grad", paramLabel = "T", converter = Converters.Finite.class,
            description = "A step ends when every gradient element is within ±T (lbfgs; default 1e-7).")
    Double toleranceGrad;

    @Option(names = "--tolerance-change", paramLabel = "T", converter = Converters.Finite.class,
            description = "A step ends when the loss, the step or the directional derivative changes less than T "
                    + "(lbfgs; default 1e-9).")
    Double toleranceChange;

    @Option(names = "--schedule", paramLabel = "SPEC",
            description = "Learning-rate schedule: constant (default), 'step(step_size=30, gamma=0.1)', "
                    + "'multistep(milestones=[30, 80], gamma=0.1)', "
                    + "'exponential(gamma=0.95)', 'cosine(t_max=20, eta_min=0)', "
                    + "'cosine-warm-restarts(t_0=10, t_mult=2)', 'linear(start_factor=0.1, total_iters=5)', "
                    + "'polynomial(total_iters=50, power=2)', 'onecycle(max_lr=0.1, total_steps=5000)', "
                    + "'cyclic(base_lr=0.001, max_lr=0.1, step_size_up=2000)', "
                    + "'warmup(warmup=500, then=cosine(t_max=20))', 'plateau(patience=10, factor=0.1)'; "
                    + "each takes unit=step|epoch. torch.optim.lr_scheduler's rates; every setting and default: "
                    + "cli/README.md, 'Learning-rate schedules'.")
    String schedule;

    @Option(names = "--clip", paramLabel = "SPEC",
            description = "Gradient clipping: none (default), norm:MAX (global 2-norm) or value:C (clamp to ±C).")
    String clip;

    /**
     * The settings given on the command line as torch-named text values, for the optimizer factory. {@code --momentum}
     * is the β of {@code ema-momentum}.
     */
    Map<String, String> given(String optimizer) {
        Map<String, String> m = new LinkedHashMap<>();
        if (momentum != null) {
            m.put(optimizer.equals("ema-momentum") ? "beta" : "momentum", Double.toString(momentum));
        }
        if (dampening != null) {
            m.put("dampening", Double.toString(dampening));
        }
        if (nesterov) {
            m.put("nesterov", "true");
        }
        if (weightDecay != null) {
            m.put("weight_decay", Double.toString(weightDecay));
        }
        if (betas != null) {
            m.put("betas", betas.first() + "," + betas.second());
        }
        if (eps != null) {
            m.put("eps", Double.toString(eps));
        }
        if (amsgrad) {
            m.put("amsgrad", "true");
        }
        if (alpha != null) {
            m.put("alpha", Double.toString(alpha));
        }
        if (centered) {
            m.put("centered", "true");
        }
        if (lrDecay != null) {
            m.put("lr_decay", Double.toString(lrDecay));
        }
        if (initialAccumulator != null) {
            m.put("initial_accumulator_value", Double.toString(initialAccumulator));
        }
        if (momentumDecay != null) {
            m.put("momentum_decay", Double.toString(momentumDecay));
        }
        if (rho != null) {
            m.put("rho", Double.toString(rho));
        }
        if (maximize) {
            m.put("maximize", "true");
        }
        if (lineSearch != null) {
            m.put("line_search", lineSearch);
        }
        if (historySize != null) {
            m.put("history_size", Integer.toString(historySize));
        }
        if (maxIter != null) {
            m.put("max_iter", Integer.toString(maxIter));
        }
        if (maxEval != null) {
            m.put("max_eval", Integer.toString(maxEval));
        }
        if (toleranceGrad != null) {
            m.put("tolerance_grad", Double.toString(toleranceGrad));
        }
        if (toleranceChange != null) {
            m.put("tolerance_change", Double.toString(toleranceChange));
        }
        return m;
    }

    /** The setting names that are on/off flags (printed as true/false). */
    static boolean isFlag(String setting) {
        return List.of("nesterov", "amsgrad", "centered", "maximize").contains(setting);
    }

    /** A setting's value as text: flags true/false, line_search by name, numbers in their shortest form. */
    static String format(String setting, double value) {
        if (isFlag(setting)) {
            return value != 0 ? "true" : "false";
        }
        if (setting.equals("line_search")) {
            return value != 0 ? "strong_wolfe" : "none";
        }
        return Fmt.number(value);
    }
}
