package dev.descent.optim;

import dev.descent.backend.Backend;
import dev.descent.backend.Tensor;
import dev.descent.optim.schedule.Schedule;
import dev.descent.optim.schedule.Scheduler;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * What every descent optimizer shares: parameter groups with their own learning rate and weight decay, the
 * learning-rate {@link Scheduler}, {@link GradientClipping}, the step count, state tensors allocated once at
 * construction (owned and closed by the optimizer), and saving and restoring that state ({@link OptimizerStateFile}).
 *
 * <p>{@link #step()} clips the gradients (if configured), runs one fused backend kernel per parameter tensor with each
 * group's current learning rate, counts the step and then advances a per-step schedule; it allocates nothing.
 * {@link #endEpoch(double)} advances a per-epoch schedule. Not thread-safe.
 */
public abstract sealed class BaseOptimizer implements Optimizer permits Sgd, EmaMomentum, Adam, Rmsprop, Adagrad,
        Nadam, Radam, Adamax, Adadelta {

    private final String name;
    final Backend backend;
    final Parameter[] params;
    private final List<Parameter> paramList;
    final int[] groupOf;
    final double[] groupLr;
    final double[] groupWd;
    private final int[] groupSize;
    private final Map<String, Double> hyper;
    private final Schedule schedule;
    private Scheduler scheduler;
    private final GradientClipping clipping;
    final String[] stateNames;
    final Tensor[][] state;
    long steps;
    private double lastGradNorm = Double.NaN;
    private boolean closed;

    BaseOptimizer(String name, OptimizerOptions options, List<ParamGroup> groups, Schedule schedule,
            GradientClipping clipping, String[] stateNames) {
        this.name = name;
        this.schedule = Objects.requireNonNullElse(schedule, Schedule.constant());
        this.clipping = Objects.requireNonNullElse(clipping, GradientClipping.none());
        this.stateNames = stateNames.clone();
        if (groups == null || groups.isEmpty()) {
            throw new IllegalArgumentException(name + ": no parameters to optimize");
        }
        int n = 0;
        for (ParamGroup g : groups) {
            n += g.parameters().size();
        }
        params = new Parameter[n];
        groupOf = new int[n];
        groupLr = new double[groups.size()];
        groupWd = new double[groups.size()];
        groupSize = new int[groups.size()];
        Map<Tensor, String> seen = new IdentityHashMap<>();
        Map<String, Boolean> names = new LinkedHashMap<>();
        int i = 0;
        Backend first = null;
        for (int gi = 0; gi < groups.size(); gi++) {
            ParamGroup g = groups.get(gi);
            groupLr[gi] = g.lr() != null ? g.lr() : options.lr();
            groupWd[gi] = g.weightDecay() != null ? g.weightDecay() : options.weightDecay();
            groupSize[gi] = g.parameters().size();
            for (Parameter p : g.parameters()) {
                Objects.requireNonNull(p, "parameter");
                if (first == null) {
                    first = p.value().backend();
                } else if (p.value().backend() != first) {
                    throw new IllegalArgumentException(name + ": parameter " + p.name()
                            + " belongs to another backend than " + params[0].name());
                }
                if (p.value().isClosed() || p.grad().isClosed()) {
                    throw new IllegalArgumentException(name + ": parameter " + p.name() + " is closed");
                }
                if (seen.put(p.value(), p.name()) != null) {
                    throw new IllegalArgumentException(name + ": parameter " + p.name()
                            + " appears more than once (in one group or in several)");
                }
                if (names.put(p.name(), Boolean.TRUE) != null) {
                    throw new IllegalArgumentException(name + ": two parameters are named " + p.name()
                            + "; names identify parameters in saved state and must be unique");
                }
                params[i] = p;
                groupOf[i] = gi;
                i++;
            }
        }
        this.backend = first;
        this.paramList = Collections.unmodifiableList(Arrays.asList(params.clone()));
        this.hyper = new LinkedHashMap<>(options.settings());
        for (int gi = 0; gi < groupLr.length; gi++) {
            hyper.put("group." + gi + ".lr", groupLr[gi]);
            hyper.put("group." + gi + ".weight_decay", groupWd[gi]);
            hyper.put("group." + gi + ".size", (double) groupSize[gi]);
        }
        hyper.put("clip." + this.clipping.kind().name().toLowerCase(Locale.ROOT), this.clipping.threshold());
        this.scheduler = this.schedule.start(groupLr);
        this.state = new Tensor[n][this.stateNames.length];
        try {
            for (int p = 0; p < n; p++) {
                for (int s = 0; s < this.stateNames.length; s++) {
                    state[p][s] = backend.allocate(params[p].value().shape());
                }
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** One fused update of parameter {@code i} at step count {@code step} (from 1). */
    abstract void update(int i, double lr, double weightDecay, long step);

    @Override
    public final void step() {
        checkOpen();
        if (clipping.kind() != GradientClipping.Kind.NONE) {
            lastGradNorm = clipping.apply(params);
        }
        long t = steps + 1;
        for (int i = 0; i < params.length; i++) {
            int g = groupOf[i];
            update(i, scheduler.lr(g), groupWd[g], t);
        }
        steps = t;
        scheduler.step();
    }

    @Override
    public final void endEpoch(double metric) {
        checkOpen();
        scheduler.endEpoch(metric);
    }

    @Override
    public final long stepCount() {
        return steps;
    }

    @Override
    public final double learningRate() {
        return scheduler.lr(0);
    }

    /** The learning rate the next step uses for parameter group {@code group}. */
    public final double learningRate(int group) {
        return scheduler.lr(group);
    }

    /** Number of parameter groups. */
    public final int groupCount() {
        return groupLr.length;
    }

    /** The running schedule, for inspection: the optimizer advances it (replaced by {@link #loadState}). */
    public final Scheduler scheduler() {
        return scheduler;
    }

    /** The gradient clipping applied in {@link #step()}. */
    public final GradientClipping clipping() {
        return clipping;
    }

    /**
     * The global gradient 2-norm measured by the last step's clipping by norm (before clipping), or NaN when no step
     * clipped by norm yet.
     */
    public final double lastGradientNorm() {
        return lastGradNorm;
    }

    @Override
    public final List<Parameter> parameters() {
        return paramList;
    }

    @Override
    public final String name() {
        return name;
    }

    /** The hyper-parameters recorded in saved state: the options' settings, per-group lr/weight decay, clipping. */
    public final Map<String, Double> hyperParameters() {
        return Collections.unmodifiableMap(hyper);
    }

    /** The names of the per-parameter state tensors (e.g. {@code exp_avg}), in saved order. */
    public final List<String> stateNames() {
        return List.of(stateNames);
    }

    /** A state tensor of a parameter, owned by this optimizer (for inspection; do not close it). */
    public final Tensor stateTensor(int parameter, String stateName) {
        for (int s = 0; s < stateNames.length; s++) {
            if (stateNames[s].equals(stateName)) {
                return state[parameter][s];
            }
        }
        throw new IllegalArgumentException(name + " has no state " + stateName + "; it has " + stateNames());
    }

    final void checkOpen() {
        if (closed) {
            throw new IllegalStateException(name + " optimizer is closed");
        }
    }

    @Override
    public final void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Tensor[] ts : state) {
            if (ts == null) {
                continue;
            }
            for (Tensor t : ts) {
                if (t != null) {
                    t.close();
                }
            }
        }
    }

    // ------------------------------------------------------------------------------------------------- saved state

    @Override
    public final void saveState(DataOutputStream out) throws IOException {
        checkOpen();
        List<OptimizerStateFile.Param> ps = new ArrayList<>(params.length);
        for (int i = 0; i < params.length; i++) {
            List<float[]> data = new ArrayList<>(stateNames.length);
            for (int s = 0; s < stateNames.length; s++) {
                data.add(backend.download(state[i][s]));
            }
            ps.add(new OptimizerStateFile.Param(params[i].name(), groupOf[i], params[i].value().shape(),
                    List.of(stateNames), data));
        }
        OptimizerStateFile.write(out, new OptimizerStateFile.Saved(name, hyper, steps, ps, schedule.spec(),
                scheduler.state()));
    }

    /**
     * Reads a state written by {@link #saveState} ({@link OptimizerStateFile}) and applies it after checking that it
     * was saved by an optimizer of the same kind, configuration, parameters and schedule; on any error this optimizer
     * is unchanged.
     */
    @Override
    public final void loadState(DataInputStream in) throws IOException {
        checkOpen();
        OptimizerStateFile.Saved saved = OptimizerStateFile.read(in);
        if (!saved.name().equals(name)) {
            throw new IOException("optimizer state is for optimizer '" + saved.name() + "', this optimizer is '"
                    + name + "'");
        }
        checkHyper(saved.hyper());
        if (saved.params().size() != params.length) {
            throw new IOException("optimizer state has " + saved.params().size() + " parameters, this optimizer has "
                    + params.length);
        }
        for (int i = 0; i < params.length; i++) {
            checkParam(i, saved.params().get(i));
        }
        if (!saved.scheduleSpec().equals(schedule.spec())) {
            throw new IOException("optimizer state has schedule " + saved.scheduleSpec() + ", this optimizer has "
                    + schedule.spec());
        }
        Scheduler restored = schedule.start(groupLr);
        try {
            restored.restore(saved.schedule());
        } catch (IllegalArgumentException e) {
            throw new IOException("optimizer state: " + e.getMessage(), e);
        }
        // everything checked: apply
        for (int i = 0; i < params.length; i++) {
            for (int s = 0; s < stateNames.length; s++) {
                backend.upload(saved.params().get(i).data().get(s), 0, state[i][s]);
            }
        }
        steps = saved.steps();
        scheduler = restored;
    }

    private void checkParam(int i, OptimizerStateFile.Param saved) throws IOException {
        Parameter param = params[i];
        String pname = saved.name();
        if (!pname.equals(param.name())) {
            throw new IOException("optimizer state: parameter " + (i + 1) + " is named '" + pname
                    + "', this optimizer's is '" + param.name() + "'");
        }
        if (saved.group() != groupOf[i]) {
            throw new IOException("optimizer state: parameter " + pname + " is in group " + saved.group()
                    + ", in this optimizer it is in group " + groupOf[i]);
        }
        if (!Arrays.equals(saved.shape(), param.value().shape())) {
            throw new IOException("optimizer state: parameter " + pname + " has shape "
                    + Arrays.toString(saved.shape()) + ", this optimizer's has "
                    + Arrays.toString(param.value().shape()));
        }
        int ns = saved.stateNames().size();
        if (ns != stateNames.length) {
            throw new IOException("optimizer state: parameter " + pname + " has " + ns
                    + " state tensors, expected " + stateNames.length + " " + stateNames());
        }
        long size = param.value().size();
        for (int s = 0; s < ns; s++) {
            String sname = saved.stateNames().get(s);
            if (!sname.equals(stateNames[s])) {
                throw new IOException("optimizer state: parameter " + pname + " state " + (s + 1) + " is '"
                        + sname + "', expected '" + stateNames[s] + "'");
            }
            int len = saved.data().get(s).length;
            if (len != size) {
                throw new IOException("optimizer state: " + pname + "." + sname + " has " + len
                        + " elements, expected " + size);
            }
        }
    }

    private void checkHyper(Map<String, Double> saved) throws IOException {
        for (Map.Entry<String, Double> e : hyper.entrySet()) {
            Double v = saved.get(e.getKey());
            if (v == null) {
                throw new IOException("optimizer state lacks hyper-parameter " + e.getKey()
                        + " (saved by another configuration)");
            }
            if (Double.doubleToLongBits(v) != Double.doubleToLongBits(e.getValue())) {
                throw new IOException("optimizer state has " + e.getKey() + " = " + Checks.format(v)
                        + ", this optimizer has " + e.getKey() + " = " + Checks.format(e.getValue()));
            }
        }
        for (String k : saved.keySet()) {
            if (!hyper.containsKey(k)) {
                throw new IOException("optimizer state has hyper-parameter " + k + " that this optimizer lacks"
                        + " (another configuration: other parameter groups or clipping)");
            }
        }
    }

    /** A short description for logs: name, groups, schedule, clipping. */
    @Override
    public String toString() {
        List<String> gs = new ArrayList<>();
        for (int g = 0; g < groupLr.length; g++) {
            gs.add("{" + groupSize[g] + " params, lr " + Checks.format(groupLr[g]) + ", weight_decay "
                    + Checks.format(groupWd[g]) + "}");
        }
        return name + " " + hyper.entrySet().stream().filter(e -> !e.getKey().startsWith("group.")
                && !e.getKey().startsWith("clip.")).map(e -> e.getKey() + "=" + Checks.format(e.getValue())).toList()
                + " groups " + gs + " schedule " + schedule.spec() + " clip " + clipping;
    }
}
