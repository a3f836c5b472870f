package dev.descent.optim;

import dev.descent.backend.Backend;
import dev.descent.backend.Tensor;
import dev.descent.optim.schedule.Schedule;
import dev.descent.optim.schedule.Scheduler;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UTFDataFormatException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.zip.CRC32;

/**
 * What every descent optimizer shares: parameter groups with their own learning rate and weight decay, the
 * learning-rate {@link Scheduler}, {@link GradientClipping}, the step count, state tensors allocated once at
 * construction (owned and closed by the optimizer), and the saved-state format described in the package documentation.
 *
 * <p>{@link #step()} clips the gradients (if configured), runs one fused backend kernel per parameter tensor with each
 * group's current learning rate, counts the step and then advances a per-step schedule; it allocates nothing.
 * {@link #endEpoch(double)} advances a per-epoch schedule. Not thread-safe.
 */
public abstract sealed class BaseOptimizer implements Optimizer permits Sgd, EmaMomentum, Adam, Rmsprop, Adagrad {

    /** "DOPT": the first four bytes of a saved optimizer state. */
    static final int MAGIC = 0x444F5054;
    /** The version of the saved-state format this build writes and reads. */
    static final int VERSION = 1;
    /** "END!": closes the payload. */
    static final int END = 0x454E4421;

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
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        DataOutputStream p = new DataOutputStream(buf);
        p.writeUTF(name);
        p.writeInt(hyper.size());
        for (Map.Entry<String, Double> e : hyper.entrySet()) {
            p.writeUTF(e.getKey());
            p.writeDouble(e.getValue());
        }
        p.writeLong(steps);
        p.writeInt(params.length);
        for (int i = 0; i < params.length; i++) {
            Parameter param = params[i];
            p.writeUTF(param.name());
            p.writeInt(groupOf[i]);
            int[] shape = param.value().shape();
            p.writeInt(shape.length);
            for (int d : shape) {
                p.writeInt(d);
            }
            p.writeInt(stateNames.length);
            for (int s = 0; s < stateNames.length; s++) {
                p.writeUTF(stateNames[s]);
                float[] data = backend.download(state[i][s]);
                p.writeInt(data.length);
                ByteBuffer bb = ByteBuffer.allocate(data.length * 4);
                bb.asFloatBuffer().put(data);
                p.write(bb.array());
            }
        }
        p.writeUTF(schedule.spec());
        Map<String, Double> sched = scheduler.state();
        p.writeInt(sched.size());
        for (Map.Entry<String, Double> e : sched.entrySet()) {
            p.writeUTF(e.getKey());
            p.writeDouble(e.getValue());
        }
        p.writeInt(END);
        p.flush();
        byte[] payload = buf.toByteArray();
        CRC32 crc = new CRC32();
        crc.update(payload);
        out.writeInt(MAGIC);
        out.writeInt(VERSION);
        out.writeLong(payload.length);
        out.write(payload);
        out.writeLong(crc.getValue());
        out.flush();
    }

    @Override
    public final void loadState(DataInputStream in) throws IOException {
        checkOpen();
        byte[] payload = readEnvelope(in);
        DataInputStream p = new DataInputStream(new ByteArrayInputStream(payload));
        String where = "optimizer name";
        try {
            String savedName = p.readUTF();
            if (!savedName.equals(name)) {
                throw new IOException("optimizer state is for optimizer '" + savedName + "', this optimizer is '"
                        + name + "'");
            }
            where = "hyper-parameters";
            Map<String, Double> savedHyper = new LinkedHashMap<>();
            int h = count(p.readInt(), 100_000, "hyper-parameter count");
            for (int k = 0; k < h; k++) {
                savedHyper.put(p.readUTF(), p.readDouble());
            }
            checkHyper(savedHyper);
            where = "step count";
            long savedSteps = p.readLong();
            if (savedSteps < 0) {
                throw corrupt("negative step count " + savedSteps);
            }
            where = "parameters";
            int np = count(p.readInt(), Integer.MAX_VALUE, "parameter count");
            if (np != params.length) {
                throw new IOException("optimizer state has " + np + " parameters, this optimizer has "
                        + params.length);
            }
            float[][][] data = new float[params.length][stateNames.length][];
            for (int i = 0; i < params.length; i++) {
                Parameter param = params[i];
                String pname = p.readUTF();
                where = "parameter " + pname;
                if (!pname.equals(param.name())) {
                    throw new IOException("optimizer state: parameter " + (i + 1) + " is named '" + pname
                            + "', this optimizer's is '" + param.name() + "'");
                }
                int group = p.readInt();
                if (group != groupOf[i]) {
                    throw new IOException("optimizer state: parameter " + pname + " is in group " + group
                            + ", in this optimizer it is in group " + groupOf[i]);
                }
                int rank = count(p.readInt(), 8, "rank of " + pname);
                int[] shape = new int[rank];
                for (int d = 0; d < rank; d++) {
                    shape[d] = p.readInt();
                }
                if (!Arrays.equals(shape, param.value().shape())) {
                    throw new IOException("optimizer state: parameter " + pname + " has shape "
                            + Arrays.toString(shape) + ", this optimizer's has " + Arrays.toString(param.value().shape()));
                }
                int ns = count(p.readInt(), 64, "state count of " + pname);
                if (ns != stateNames.length) {
                    throw new IOException("optimizer state: parameter " + pname + " has " + ns
                            + " state tensors, expected " + stateNames.length + " " + stateNames());
                }
                long size = param.value().size();
                for (int s = 0; s < ns; s++) {
                    String sname = p.readUTF();
                    if (!sname.equals(stateNames[s])) {
                        throw new IOException("optimizer state: parameter " + pname + " state " + (s + 1) + " is '"
                                + sname + "', expected '" + stateNames[s] + "'");
                    }
                    int len = p.readInt();
                    if (len != size) {
                        throw new IOException("optimizer state: " + pname + "." + sname + " has " + len
                                + " elements, expected " + size);
                    }
                    byte[] raw = new byte[Math.multiplyExact(len, 4)];
                    p.readFully(raw);
                    float[] f = new float[len];
                    ByteBuffer.wrap(raw).asFloatBuffer().get(f);
                    data[i][s] = f;
                }
            }
            where = "schedule";
            String spec = p.readUTF();
            if (!spec.equals(schedule.spec())) {
                throw new IOException("optimizer state has schedule " + spec + ", this optimizer has "
                        + schedule.spec());
            }
            int ks = count(p.readInt(), 100_000, "schedule state count");
            Map<String, Double> sched = new LinkedHashMap<>();
            for (int k = 0; k < ks; k++) {
                sched.put(p.readUTF(), p.readDouble());
            }
            Scheduler restored = schedule.start(groupLr);
            try {
                restored.restore(sched);
            } catch (IllegalArgumentException e) {
                throw new IOException("optimizer state: " + e.getMessage(), e);
            }
            where = "end marker";
            if (p.readInt() != END || p.available() != 0) {
                throw corrupt("bad end of payload");
            }
            // everything checked: apply
            for (int i = 0; i < params.length; i++) {
                for (int s = 0; s < stateNames.length; s++) {
                    backend.upload(data[i][s], 0, state[i][s]);
                }
            }
            steps = savedSteps;
            scheduler = restored;
        } catch (EOFException | UTFDataFormatException e) {
            throw corrupt("malformed payload while reading " + where);
        }
    }

    private static IOException corrupt(String what) {
        return new IOException("optimizer state is corrupted: " + what);
    }

    private static int count(int value, int max, String what) throws IOException {
        if (value < 0 || value > max) {
            throw corrupt(what + " " + value + " is out of range");
        }
        return value;
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

    /** Reads magic, version, length, payload and checksum; returns the verified payload. */
    private static byte[] readEnvelope(DataInputStream in) throws IOException {
        int magic;
        try {
            magic = in.readInt();
        } catch (EOFException e) {
            throw new IOException("optimizer state is truncated: empty or shorter than its header");
        }
        if (magic != MAGIC) {
            throw new IOException(String.format("not a descent optimizer state: magic 0x%08X, expected 0x%08X (DOPT)",
                    magic, MAGIC));
        }
        long length;
        try {
            int version = in.readInt();
            if (version != VERSION) {
                throw new IOException("unsupported optimizer state version " + version + "; this build reads version "
                        + VERSION);
            }
            length = in.readLong();
        } catch (EOFException e) {
            throw new IOException("optimizer state is truncated: header incomplete");
        }
        if (length < 0 || length > Integer.MAX_VALUE - 16) {
            throw corrupt("payload length " + length + " is out of range");
        }
        ByteArrayOutputStream buf = new ByteArrayOutputStream((int) Math.min(length, 1 << 20));
        byte[] chunk = new byte[(int) Math.min(length, 1 << 20)];
        long left = length;
        while (left > 0) {
            int r = in.read(chunk, 0, (int) Math.min(left, chunk.length));
            if (r < 0) {
                throw new IOException("optimizer state is truncated: payload has " + (length - left)
                        + " of " + length + " bytes");
            }
            buf.write(chunk, 0, r);
            left -= r;
        }
        byte[] payload = buf.toByteArray();
        long crc;
        try {
            crc = in.readLong();
        } catch (EOFException e) {
            throw new IOException("optimizer state is truncated: checksum missing");
        }
        CRC32 c = new CRC32();
        c.update(payload);
        if (c.getValue() != crc) {
            throw corrupt(String.format("checksum 0x%08X does not match the data's 0x%08X", crc, c.getValue()));
        }
        return payload;
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
