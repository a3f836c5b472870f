package dev.descent.it.model;

import dev.descent.backend.Backend;
import dev.descent.optim.Optimizer;
import dev.descent.optim.Parameter;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.List;

/**
 * A minimal test optimizer: θ ← θ − lr·g through a given backend's {@code sgdUpdate} (so that a
 * {@link MeasuringBackend} sees its kernel calls). The real optimizers live in dev.descent.optim.
 */
public final class PlainSgd implements Optimizer {
    private final Backend backend;
    private final Parameter[] params;
    private final double lr;
    private long steps;

    public PlainSgd(Backend backend, List<Parameter> params, double lr) {
        this.backend = backend;
        this.params = params.toArray(new Parameter[0]);
        this.lr = lr;
    }

    @Override
    public void step() {
        for (Parameter p : params) {
            backend.sgdUpdate(p.value(), p.grad(), null, lr, 0, 0, false, 0, false, false);
        }
        steps++;
    }

    @Override public void endEpoch(double metric) { }
    @Override public long stepCount() { return steps; }
    @Override public double learningRate() { return lr; }
    @Override public List<Parameter> parameters() { return List.of(params); }
    @Override public String name() { return "plain-sgd"; }

    @Override
    public void saveState(DataOutputStream out) throws IOException {
        out.writeLong(steps);
    }

    @Override
    public void loadState(DataInputStream in) throws IOException {
        steps = in.readLong();
    }

    @Override public void close() { }
}
