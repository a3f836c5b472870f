package dev.descent.testkit;

import dev.descent.autodiff.Tape;
import dev.descent.autodiff.Var;
import java.util.IdentityHashMap;
import java.util.Map;

/** {@link Algebra} on a {@link Tape}: each operation is the {@link Var} method of the same name. */
final class VarAlgebra implements Algebra<Var> {
    private final Tape tape;
    private final Map<int[], Var> labels = new IdentityHashMap<>();

    VarAlgebra(Tape tape) {
        this.tape = tape;
    }

    @Override
    public Var constant(double c) {
        return tape.constant(c);
    }

    @Override
    public Var constant(double[] values, int... shape) {
        float[] f = new float[values.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) values[i];
        }
        return tape.constant(f, shape);
    }

    @Override
    public Var add(Var a, Var b) {
        return a.add(b);
    }

    @Override
    public Var sub(Var a, Var b) {
        return a.sub(b);
    }

    @Override
    public Var mul(Var a, Var b) {
        return a.mul(b);
    }

    @Override
    public Var div(Var a, Var b) {
        return a.div(b);
    }

    @Override
    public Var pow(Var a, double p) {
        return a.pow(p);
    }

    @Override
    public Var pow(Var a, Var b) {
        return a.pow(b);
    }

    @Override
    public Var neg(Var a) {
        return a.neg();
    }

    @Override
    public Var exp(Var a) {
        return a.exp();
    }

    @Override
    public Var log(Var a) {
        return a.log();
    }

    @Override
    public Var log1p(Var a) {
        return a.log1p();
    }

    @Override
    public Var sqrt(Var a) {
        return a.sqrt();
    }

    @Override
    public Var abs(Var a) {
        return a.abs();
    }

    @Override
    public Var sin(Var a) {
        return a.sin();
    }

    @Override
    public Var cos(Var a) {
        return a.cos();
    }

    @Override
    public Var tanh(Var a) {
        return a.tanh();
    }

    @Override
    public Var sigmoid(Var a) {
        return a.sigmoid();
    }

    @Override
    public Var relu(Var a) {
        return a.relu();
    }

    @Override
    public Var softplus(Var a) {
        return a.softplus();
    }

    @Override
    public Var sum(Var a, int axis, boolean keep) {
        return axis == -1 ? a.sum() : a.sum(axis, keep);
    }

    @Override
    public Var mean(Var a, int axis, boolean keep) {
        return axis == -1 ? a.mean() : a.mean(axis, keep);
    }

    @Override
    public Var max(Var a, int axis, boolean keep) {
        return axis == -1 ? a.max() : a.max(axis, keep);
    }

    @Override
    public Var matmul(Var a, Var b) {
        return a.matmul(b);
    }

    @Override
    public Var t(Var a) {
        return a.t();
    }

    @Override
    public Var softmax(Var a) {
        return a.softmax();
    }

    @Override
    public Var logSoftmax(Var a) {
        return a.logSoftmax();
    }

    @Override
    public Var pick(Var a, int[] y) {
        Var l = labels.get(y);
        if (l == null) {
            l = tape.labels("y", tape.backend().uploadInt(y.clone(), y.length));
            labels.put(y, l);
        }
        return a.pick(l);
    }

    @Override
    public Var get(Var a, int i) {
        return a.get(i);
    }

    @Override
    public Var get(Var a, int r, int c) {
        return a.get(r, c);
    }

    @Override
    public Var slice(Var a, int axis, int from, int to) {
        return a.slice(axis, from, to);
    }

    @Override
    public Var reshape(Var a, int... shape) {
        return a.reshape(shape);
    }
}
