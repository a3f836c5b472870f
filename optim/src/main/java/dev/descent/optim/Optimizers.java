package dev.descent.optim;

import dev.descent.optim.schedule.Schedule;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Creates optimizers by name, with torch's defaults:
 * <table>
 *   <caption>Optimizer names</caption>
 *   <tr><th>name</th><th>optimizer</th><th>options</th><th>defaults</th></tr>
 *   <tr><td>{@code sgd}</td><td>torch.optim.SGD</td><td>{@link SgdOptions}</td><td>lr 1e-3, momentum 0</td></tr>
 *   <tr><td>{@code momentum}</td><td>torch.optim.SGD</td><td>{@link SgdOptions}</td><td>lr 1e-3, momentum 0.9</td></tr>
 *   <tr><td>{@code ema-momentum}</td><td>textbook v ← βv + (1−β)g, θ ← θ − αv</td><td>{@link EmaMomentumOptions}</td>
 *       <td>lr 1e-3, beta 0.9</td></tr>
 *   <tr><td>{@code adam}</td><td>torch.optim.Adam</td><td>{@link AdamOptions}</td>
 *       <td>lr 1e-3, betas (0.9, 0.999), eps 1e-8</td></tr>
 *   <tr><td>{@code adamw}</td><td>torch.optim.AdamW</td><td>{@link AdamOptions}</td>
 *       <td>as adam, weight_decay 0.01</td></tr>
 *   <tr><td>{@code rmsprop}</td><td>torch.optim.RMSprop</td><td>{@link RmspropOptions}</td>
 *       <td>lr 1e-2, alpha 0.99, eps 1e-8</td></tr>
 *   <tr><td>{@code adagrad}</td><td>torch.optim.Adagrad</td><td>{@link AdagradOptions}</td>
 *       <td>lr 1e-2, eps 1e-10</td></tr>
 *   <tr><td>{@code nadam}</td><td>torch.optim.NAdam</td><td>{@link NadamOptions}</td>
 *       <td>lr 2e-3, betas (0.9, 0.999), eps 1e-8, momentum_decay 4e-3</td></tr>
 *   <tr><td>{@code radam}</td><td>torch.optim.RAdam</td><td>{@link RadamOptions}</td>
 *       <td>lr 1e-3, betas (0.9, 0.999), eps 1e-8</td></tr>
 *   <tr><td>{@code adamax}</td><td>torch.optim.Adamax</td><td>{@link AdamaxOptions}</td>
 *       <td>lr 2e-3, betas (0.9, 0.999), eps 1e-8</td></tr>
 *   <tr><td>{@code adadelta}</td><td>torch.optim.Adadelta</td><td>{@link AdadeltaOptions}</td>
 *       <td>lr 1.0, rho 0.9, eps 1e-6</td></tr>
 *   <tr><td>{@code lbfgs}</td><td>torch.optim.LBFGS</td><td>{@link LbfgsOptions}</td>
 *       <td>lr 1, max_iter 20, max_eval 25, tolerance_grad 1e-7, tolerance_change 1e-9, history_size 100, no line
 *       search</td></tr>
 * </table>
 *
 * <p>{@code lbfgs} is not a {@link BaseOptimizer}: it evaluates the objective itself ({@link Lbfgs#step(Closure)}).
 * {@link #createOptimizer} and {@link Builder#buildOptimizer} create every optimizer, lbfgs included, as an
 * {@link Optimizer}; {@link #create} and {@link Builder#build} create the others as {@link BaseOptimizer}s.
 *
 * <pre>{@code
 * BaseOptimizer opt = Optimizers.create("adam", AdamOptions.defaults().withLr(1e-2), model.parameters());
 *
 * BaseOptimizer opt2 = Optimizers.builder("sgd")
 *         .settings(Map.of("lr", "0.1", "momentum", "0.9", "nesterov", "true"))   // text, e.g. from a command line
 *         .schedule(Schedule.parse("warmup(warmup=5, unit=epoch, start_factor=0.1, then=cosine(t_max=45))"))
 *         .clipping(GradientClipping.norm(1.0))
 *         .buildGroups(List.of(ParamGroup.of(weights).withWeightDecay(5e-4), ParamGroup.of(biases)));
 * }</pre>
 */
public final class Optimizers {
    private Optimizers() {
    }

    /** The optimizer names, in the order of the table above. */
    public static List<String> names() {
        return List.of("sgd", "momentum", "ema-momentum", "adam", "adamw", "rmsprop", "adagrad", "nadam", "radam",
                "adamax", "adadelta", "lbfgs");
    }

    /**
     * Whether the optimizer {@code name} evaluates the objective itself (lbfgs): it is driven by
     * {@link Optimizer#step(Closure)} and is not a {@link BaseOptimizer}.
     *
     * @throws IllegalArgumentException for an unknown name
     */
    public static boolean needsClosure(String name) {
        String n = canonical(name);
        defaults(n); // rejects an unknown name
        return n.equals("lbfgs");
    }

    /**
     * The default options for an optimizer name.
     *
     * @throws IllegalArgumentException for an unknown name, listing the known ones
     */
    public static OptimizerOptions defaults(String name) {
        return switch (canonical(name)) {
            case "sgd" -> SgdOptions.defaults();
            case "momentum" -> SgdOptions.momentumDefaults();
            case "ema-momentum" -> EmaMomentumOptions.defaults();
            case "adam" -> AdamOptions.defaults();
            case "adamw" -> AdamOptions.adamwDefaults();
            case "rmsprop" -> RmspropOptions.defaults();
            case "adagrad" -> AdagradOptions.defaults();
            case "nadam" -> NadamOptions.defaults();
            case "radam" -> RadamOptions.defaults();
            case "adamax" -> AdamaxOptions.defaults();
            case "adadelta" -> AdadeltaOptions.defaults();
            case "lbfgs" -> LbfgsOptions.defaults();
            default -> throw unknown(name);
        };
    }

    /**
     * Options for {@code name} from text settings over its defaults, keys by torch's names ({@code lr},
     * {@code momentum}, {@code weight_decay}, {@code betas} as {@code "0.9,0.999"} or {@code beta1}/{@code beta2},
     * {@code nesterov=true} …; {@code -} may replace {@code _}).
     *
     * @throws IllegalArgumentException naming an unknown setting, a value that is not a number or boolean, or a value
     *                                  the optimizer rejects
     */
    public static OptimizerOptions parseOptions(String name, Map<String, String> settings) {
        return applySettings(name, defaults(name), settings);
    }

    /** {@code base} with text settings applied (see {@link #parseOptions}). */
    public static OptimizerOptions applySettings(String name, OptimizerOptions base, Map<String, String> settings) {
        String n = canonical(name);
        checkCompatible(n, base);
        Map<String, Double> values = new LinkedHashMap<>(base.settings());
        for (Map.Entry<String, String> e : settings.entrySet()) {
            String key = Checks.lower(e.getKey()).replace('-', '_');
            String text = e.getValue() == null ? "" : e.getValue().trim();
            if (key.equals("betas") && values.containsKey("beta1")) {
                String[] parts = text.replace("(", "").replace(")", "").split(",");
                if (parts.length != 2) {
                    throw new IllegalArgumentException(n + ": setting betas '" + text + "' must be two numbers, "
                            + "e.g. 0.9,0.999");
                }
                values.put("beta1", number(n, "betas", parts[0].trim()));
                values.put("beta2", number(n, "betas", parts[1].trim()));
                continue;
            }
            if (!values.containsKey(key)) {
                throw new IllegalArgumentException(n + ": unknown setting '" + e.getKey() + "'; known: "
                        + String.join(", ", values.keySet()) + (values.containsKey("beta1") ? ", betas" : ""));
            }
            values.put(key, isFlag(key) ? flag(n, key, text)
                    : key.equals("line_search") ? LbfgsOptions.LineSearch.parse(text).code() : number(n, key, text));
        }
        return switch (base) {
            case SgdOptions s -> SgdOptions.fromSettings(values);
            case EmaMomentumOptions s -> EmaMomentumOptions.fromSettings(values);
            case AdamOptions s -> AdamOptions.fromSettings(values);
            case RmspropOptions s -> RmspropOptions.fromSettings(values);
            case AdagradOptions s -> AdagradOptions.fromSettings(values);
            case NadamOptions s -> NadamOptions.fromSettings(values);
            case RadamOptions s -> RadamOptions.fromSettings(values);
            case AdamaxOptions s -> AdamaxOptions.fromSettings(values);
            case AdadeltaOptions s -> AdadeltaOptions.fromSettings(values);
            case LbfgsOptions s -> LbfgsOptions.fromSettings(values, s, settings.keySet().stream()
                    .anyMatch(k -> Checks.lower(k).replace('-', '_').equals("max_eval")));
        };
    }

    /** An optimizer with the name's defaults over one parameter group, constant rate, no clipping. */
    public static BaseOptimizer create(String name, List<Parameter> parameters) {
        return create(name, defaults(name), List.of(ParamGroup.of(parameters)), null, null);
    }

    /** An optimizer over one parameter group, constant rate, no clipping. */
    public static BaseOptimizer create(String name, OptimizerOptions options, List<Parameter> parameters) {
        checkCompatible(canonical(name), options);
        return create(name, options, List.of(ParamGroup.of(parameters)), null, null);
    }

    /**
     * An optimizer over parameter groups, with a schedule and clipping.
     *
     * @param name     an optimizer name ({@link #names()})
     * @param options  options of the type the name takes (see the table)
     * @param groups   parameter groups, each with optional own lr and weight decay
     * @param schedule learning-rate schedule, or null for constant
     * @param clipping gradient clipping, or null for none
     * @throws IllegalArgumentException for an unknown name, options of the wrong type, or invalid groups
     */
    public static BaseOptimizer create(String name, OptimizerOptions options, List<ParamGroup> groups,
            Schedule schedule, GradientClipping clipping) {
        String n = canonical(name);
        Objects.requireNonNull(options, "options");
        checkCompatible(n, options);
        return switch (n) {
            case "sgd", "momentum" -> new Sgd((SgdOptions) options, groups, schedule, clipping);
            case "ema-momentum" -> new EmaMomentum((EmaMomentumOptions) options, groups, schedule, clipping);
            case "adam" -> new Adam((AdamOptions) options, false, groups, schedule, clipping);
            case "adamw" -> new Adam((AdamOptions) options, true, groups, schedule, clipping);
            case "rmsprop" -> new Rmsprop((RmspropOptions) options, groups, schedule, clipping);
            case "adagrad" -> new Adagrad((AdagradOptions) options, groups, schedule, clipping);
            case "nadam" -> new Nadam((NadamOptions) options, groups, schedule, clipping);
            case "radam" -> new Radam((RadamOptions) options, groups, schedule, clipping);
            case "adamax" -> new Adamax((AdamaxOptions) options, groups, schedule, clipping);
            case "adadelta" -> new Adadelta((AdadeltaOptions) options, groups, schedule, clipping);
            case "lbfgs" -> throw new IllegalArgumentException("lbfgs is not a BaseOptimizer (it evaluates the "
                    + "objective itself): create it with Optimizers.createOptimizer or Builder.buildOptimizer");
            default -> throw unknown(name);
        };
    }

    /**
     * Any optimizer by name, lbfgs included, over parameter groups, with a schedule and clipping: a {@link BaseOptimizer}
     * as {@link #create(String, OptimizerOptions, List, Schedule, GradientClipping)} makes, or an {@link Lbfgs}.
     *
     * @throws IllegalArgumentException as {@code create}; for lbfgs also for more than one group, a group with its own
     *                                  lr or weight decay, or clipping (torch's LBFGS has one group and no clipping)
     */
    public static Optimizer createOptimizer(String name, OptimizerOptions options, List<ParamGroup> groups,
            Schedule schedule, GradientClipping clipping) {
        String n = canonical(name);
        if (!n.equals("lbfgs")) {
            return create(name, options, groups, schedule, clipping);
        }
        Objects.requireNonNull(options, "options");
        checkCompatible(n, options);
        if (groups == null || groups.size() != 1) {
            throw new IllegalArgumentException("lbfgs takes one parameter group (as torch.optim.LBFGS), got "
                    + (groups == null ? 0 : groups.size()));
        }
        ParamGroup g = groups.getFirst();
        if (g.lr() != null || g.weightDecay() != null) {
            throw new IllegalArgumentException("lbfgs: a parameter group cannot have its own lr or weight_decay");
        }
        if (clipping != null && clipping.kind() != GradientClipping.Kind.NONE) {
            throw new IllegalArgumentException("lbfgs does not clip gradients (torch.optim.LBFGS has no clipping); "
                    + "got clipping " + clipping);
        }
        return new Lbfgs((LbfgsOptions) options, g.parameters(), schedule);
    }

    /** Any optimizer by name, lbfgs included, with its defaults over one parameter group, constant rate. */
    public static Optimizer createOptimizer(String name, List<Parameter> parameters) {
        return createOptimizer(name, defaults(name), List.of(ParamGroup.of(parameters)), null, null);
    }

    /** A builder for the optimizer {@code name}. */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** Collects options, text settings, schedule and clipping; {@link #build} creates the optimizer. */
    public static final class Builder {
        private final String name;
        private OptimizerOptions options;
        private final Map<String, String> settings = new LinkedHashMap<>();
        private Schedule schedule;
        private GradientClipping clipping;

        private Builder(String name) {
            this.name = canonical(name);
            defaults(this.name); // rejects an unknown name now
        }

        /** Options to start from (default: the name's defaults). */
        public Builder options(OptimizerOptions options) {
            checkCompatible(name, options);
            this.options = options;
            return this;
        }

        /** A text setting applied over the options (see {@link #parseOptions}). */
        public Builder set(String key, String value) {
            settings.put(key, value);
            return this;
        }

        /** Text settings applied over the options. */
        public Builder settings(Map<String, String> values) {
            settings.putAll(values);
            return this;
        }

        /** The learning-rate schedule (default constant). */
        public Builder schedule(Schedule schedule) {
            this.schedule = schedule;
            return this;
        }

        /** Gradient clipping (default none). */
        public Builder clipping(GradientClipping clipping) {
            this.clipping = clipping;
            return this;
        }

        /** The options this builder would use. */
        public OptimizerOptions resolvedOptions() {
            return applySettings(name, options != null ? options : defaults(name), settings);
        }

        /** Creates the optimizer over one parameter group. */
        public BaseOptimizer build(List<Parameter> parameters) {
            return buildGroups(List.of(ParamGroup.of(parameters)));
        }

        /** Creates the optimizer over parameter groups. */
        public BaseOptimizer buildGroups(List<ParamGroup> groups) {
            return create(name, resolvedOptions(), groups, schedule, clipping);
        }

        /** Creates any optimizer, lbfgs included, over one parameter group (see {@link #createOptimizer}). */
        public Optimizer buildOptimizer(List<Parameter> parameters) {
            return createOptimizer(name, resolvedOptions(), List.of(ParamGroup.of(parameters)), schedule, clipping);
        }
    }

    private static String canonical(String name) {
        if (name == null) {
            throw new IllegalArgumentException("optimizer name is null; known: " + String.join(", ", names()));
        }
        String n = Checks.lower(name).replace('_', '-');
        return n.equals("ema") ? "ema-momentum" : n;
    }

    private static IllegalArgumentException unknown(String name) {
        return new IllegalArgumentException("unknown optimizer '" + name + "'; known: " + String.join(", ", names()));
    }

    private static void checkCompatible(String n, OptimizerOptions options) {
        Class<?> want = switch (n) {
            case "sgd", "momentum" -> SgdOptions.class;
            case "ema-momentum" -> EmaMomentumOptions.class;
            case "adam", "adamw" -> AdamOptions.class;
            case "rmsprop" -> RmspropOptions.class;
            case "adagrad" -> AdagradOptions.class;
            case "nadam" -> NadamOptions.class;
            case "radam" -> RadamOptions.class;
            case "adamax" -> AdamaxOptions.class;
            case "adadelta" -> AdadeltaOptions.class;
            case "lbfgs" -> LbfgsOptions.class;
            default -> throw unknown(n);
        };
        if (!want.isInstance(options)) {
            throw new IllegalArgumentException("optimizer '" + n + "' takes " + want.getSimpleName() + ", got "
                    + (options == null ? "null" : options.getClass().getSimpleName()));
        }
    }

    private static boolean isFlag(String key) {
        return switch (key) {
            case "nesterov", "maximize", "amsgrad", "centered" -> true;
            default -> false;
        };
    }

    private static double number(String optimizer, String key, String text) {
        try {
            return Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(optimizer + ": setting " + key + " '" + text + "' is not a number");
        }
    }

    private static double flag(String optimizer, String key, String text) {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on", "1", "1.0" -> 1.0;
            case "false", "no", "off", "0", "0.0" -> 0.0;
            default -> throw new IllegalArgumentException(optimizer + ": setting " + key + " '" + text
                    + "' is not a boolean (true or false)");
        };
    }
}
