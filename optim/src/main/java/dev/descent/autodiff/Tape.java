package dev.descent.autodiff;

import dev.descent.backend.Backend;
import dev.descent.backend.BinaryOp;
import dev.descent.backend.DType;
import dev.descent.backend.ReduceOp;
import dev.descent.backend.Tensor;
import dev.descent.backend.UnaryOp;
import dev.descent.optim.Parameter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Reverse-mode automatic differentiation on a {@link Backend}'s tensors: a recording of operations on {@link Var}s that
 * can be replayed and differentiated as often as wanted, without allocating.
 *
 * <p>Build the computation once: leaves with {@link #parameter}, {@link #input}, {@link #labels} and
 * {@link #constant}, then operations on them ({@link Var#add}, {@link Var#matmul}, ...). Each operation computes its
 * value at once, on the backend, into a tensor the tape allocates for it, and is recorded. Afterwards:
 * <ul>
 * <li>{@link #forward()} computes every recorded value again, in order, from the leaves' current contents (the
 *     parameters an optimizer has updated, the inputs {@link #bind bound} to the next batch);</li>
 * <li>{@link #backward(Var)} computes the gradient of a one-element value with respect to every parameter and writes
 *     it into the parameter's {@link Parameter#grad()} tensor, overwriting it (torch's {@code zero_grad()} followed
 *     by {@code loss.backward()}); a parameter the value does not depend on gets a zero gradient. Any descent
 *     optimizer, schedule and gradient clipping then work on those parameters as on a built-in model's.</li>
 * </ul>
 * The order of backward operations and where each gradient is first written or later added is planned once per
 * differentiated value; gradients of intermediate values live in tensors allocated by that plan. After the first
 * {@code forward()}/{@code backward()} a replay allocates nothing, neither on the Java heap nor on the backend. Both
 * follow {@link Backend#runStep}'s contract, so a training step built on them can be captured by the CUDA backend.
 *
 * <pre>{@code
 * try (Tape tape = new Tape(backend)) {
 *     Var w = tape.parameter(param);                   // a Parameter [2] on the backend
 *     Var w1 = w.get(0), w2 = w.get(1);
 *     Var loss = w1.rsub(1).pow(2).add(w2.sub(w1.pow(2)).pow(2).mul(10));
 *     for (int step = 0; step < 1000; step++) {
 *         tape.forward();                              // loss at the current w
 *         tape.backward(loss);                         // gradient into param.grad()
 *         optimizer.step();
 *     }
 * }
 * }</pre>
 *
 * <p>The recorded computation is static: its shapes and operations are fixed when it is built. A different batch size
 * needs its own tape (the {@link ExpressionModel} keeps one per row count). A tape is not thread-safe.
 */
public final class Tape implements AutoCloseable {
    private final Backend backend;
    private final List<Node> nodes = new ArrayList<>();
    private final List<Var> parameters = new ArrayList<>();
    private final Map<Parameter, Var> parameterVars = new IdentityHashMap<>();
    private final Map<Integer, Var> scalarConstants = new HashMap<>();
    private final Map<Var, Plan> plans = new IdentityHashMap<>();
    private final List<Tensor> owned = new ArrayList<>();
    private boolean closed;

    /** A tape whose values live on {@code backend}. */
    public Tape(Backend backend) {
        this.backend = Objects.requireNonNull(backend, "backend");
    }

    /** The backend. */
    public Backend backend() {
        return backend;
    }

    /** The number of recorded operations. */
    public int operations() {
        return nodes.size();
    }

    /** The parameters, in the order they were added. */
    public List<Var> parameters() {
        return List.copyOf(parameters);
    }

    // ================================================================ leaves

    /**
     * A parameter: a value the gradient is computed for. Its value is {@code p.value()} itself (not a copy: an optimizer
     * updating it changes what the next {@link #forward()} computes) and its gradient is written into
     * {@code p.grad()}. A rank-1 {@code [n]} parameter is a rank-1 value. Adding the same parameter twice gives the
     * same value.
     */
    public Var parameter(Parameter p) {
        open();
        Objects.requireNonNull(p, "parameter");
        Var known = parameterVars.get(p);
        if (known != null) {
            return known;
        }
        Tensor value = p.value();
        checkOwn(value, "parameter " + p.name());
        if (value.dtype() != DType.F32) {
            throw new IllegalArgumentException("parameter " + p.name() + " must be float32");
        }
        int[] shape = value.shape();
        int rank = shape.length;
        int rows = rank == 2 ? shape[0] : 1;
        int cols = rank == 2 ? shape[1] : shape[0];
        Var v = new Var(this, Var.Kind.PARAMETER, rank, rows, cols, null, true, p.name(), false);
        v.value = canonical(value, rows, cols);
        v.grad = canonical(p.grad(), rows, cols);
        parameters.add(v);
        parameterVars.put(p, v);
        return v;
    }

    /**
     * An input: data the computation reads but does not differentiate (a batch's features, targets). A rank-1
     * {@code [n]} tensor is a rank-1 value. {@link #bind} points it at another tensor of the same shape.
     */
    public Var input(String name, Tensor t) {
        open();
        checkOwn(t, "input " + name);
        if (t.dtype() != DType.F32) {
            throw new IllegalArgumentException("input " + name + " must be float32; use labels(...) for int32");
        }
        int[] shape = t.shape();
        Var v = new Var(this, Var.Kind.INPUT, shape.length, shape.length == 2 ? shape[0] : 1,
                shape.length == 2 ? shape[1] : shape[0], null, false, name, false);
        v.value = t;
        v.value = canonicalInput(v, t);
        return v;
    }

    /** Int32 class labels [n], for {@link Var#pick}; {@link #bind} points them at another tensor. */
    public Var labels(String name, Tensor t) {
        open();
        checkOwn(t, "labels " + name);
        if (t.dtype() != DType.I32 || t.cols() != 1 && t.rows() != 1) {
            throw new IllegalArgumentException("labels " + name + " must be an int32 vector, got "
                    + Arrays.toString(t.shape()) + " " + t.dtype());
        }
        Var v = new Var(this, Var.Kind.INPUT, 1, 1, Math.toIntExact(t.size()), null, false, name, true);
        v.value = t;
        return v;
    }

    /**
     * Points an input (or labels) at another tensor of the same shape, for the next {@link #forward()}; no copy.
     * Binding a tensor again that was bound before costs nothing; a new tensor costs a view when the input is rank 1.
     */
    public void bind(Var input, Tensor t) {
        open();
        if (input.tape != this || input.kind != Var.Kind.INPUT) {
            throw new IllegalArgumentException("bind: " + input + " is not an input of this tape");
        }
        checkOwn(t, "bind ", input.name); // the message is built only for an error: a replay allocates nothing
        if (t.size() != input.size() || (t.dtype() == DType.I32) != input.int32
                || input.rank == 2 && (t.rows() != input.rows || t.cols() != input.cols)) {
            throw new IllegalArgumentException("bind: " + input.name + " is " + input + ", cannot bind "
                    + Arrays.toString(t.shape()) + " " + t.dtype());
        }
        input.value = input.int32 ? t : canonicalInput(input, t);
    }

    /** A scalar constant (float32, as torch converts a Python number). Equal constants share one tensor. */
    public Var constant(double value) {
        open();
        float f = (float) value;
        Integer key = Float.floatToRawIntBits(f);
        Var known = scalarConstants.get(key);
        if (known != null) {
            return known;
        }
        Var v = new Var(this, Var.Kind.CONSTANT, 0, 1, 1, null, false, null, false);
        v.value = own(backend.upload(new float[] {f}, 1, 1));
        scalarConstants.put(key, v);
        return v;
    }

    /** A constant of the given shape ({@code []}, {@code [n]} or {@code [rows, cols]}) holding {@code data}. */
    public Var constant(float[] data, int... shape) {
        open();
        int[] s = checkShape(shape, "constant");
        int rows = s.length == 2 ? s[0] : 1;
        int cols = s.length == 2 ? s[1] : s.length == 1 ? s[0] : 1;
        if (data.length != (long) rows * cols) {
            throw new IllegalArgumentException("constant: " + data.length + " values for shape "
                    + Arrays.toString(shape));
        }
        Var v = new Var(this, Var.Kind.CONSTANT, s.length, rows, cols, null, false, null, false);
        v.value = own(backend.upload(data.clone(), rows, cols));
        return v;
    }

    // ================================================================ running

    /** Computes every recorded operation again, in the order recorded. Allocation-free. */
    public void forward() {
        open();
        Backend b = backend;
        for (int i = 0, n = nodes.size(); i < n; i++) {
            nodes.get(i).forward(b);
        }
    }

    /**
     * The gradient of {@code loss} (one element) with respect to every parameter, into the parameters' gradient
     * tensors (overwritten), from the values of the last {@link #forward()} (or of the recording).
     */
    public void backward(Var loss) {
        backward(loss, 1f);
    }

    /** As {@link #backward(Var)}, with the gradient of {@code loss} itself taken as {@code seed} instead of 1. */
    public void backward(Var loss, float seed) {
        open();
        planFor(loss).run(backend, seed);
    }

    /** The backward plan of {@code loss}, made on first use. */
    Plan planFor(Var loss) {
        Plan plan = plans.get(loss);
        if (plan == null) {
            plan = plan(loss);
            plans.put(loss, plan);
        }
        return plan;
    }

    /** The recorded operations, in order. */
    List<Node> nodes() {
        return nodes;
    }

    /** A one-element value as a float; synchronises. */
    public float item(Var v) {
        if (v.size() != 1) {
            throw new IllegalArgumentException("item: " + v + " has " + v.size() + " elements, not one");
        }
        return backend.get(v.value, 0);
    }

    /** The values, row-major; synchronises. */
    public float[] values(Var v) {
        if (v.int32) {
            int[] ints = backend.downloadInt(v.value);
            float[] out = new float[ints.length];
            for (int i = 0; i < ints.length; i++) {
                out[i] = ints[i];
            }
            return out;
        }
        return backend.download(v.value);
    }

    /** Releases every tensor the tape allocated (values, gradients of intermediates, views); not the leaves'. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (int i = owned.size() - 1; i >= 0; i--) {
            owned.get(i).close();
        }
        owned.clear();
        plans.clear();
    }

    // ================================================================ recording

    Var unary(UnaryOp op, float param, Var x) {
        check(x, op.label());
        return record(new Node.Unary(op, param, x), x.rank, x.rows, x.cols, x.requiresGrad);
    }

    Var binary(BinaryOp op, Var a, Var b) {
        check(a, op.label());
        check(b, op.label());
        int rows = broadcast(a.rows, b.rows, op, a, b);
        int cols = broadcast(a.cols, b.cols, op, a, b);
        return record(new Node.Binary(op, a, b), Math.max(a.rank, b.rank), rows, cols,
                a.requiresGrad || b.requiresGrad);
    }

    private static int broadcast(int x, int y, BinaryOp op, Var a, Var b) {
        if (x == y || y == 1) {
            return x;
        }
        if (x == 1) {
            return y;
        }
        throw new IllegalArgumentException(op.label() + ": shapes " + Arrays.toString(a.shape()) + " and "
                + Arrays.toString(b.shape()) + " do not broadcast");
    }

    Var reduce(ReduceOp op, Var x, int axis, boolean keepDim) {
        check(x, op.label());
        String name = op.label();
        if (axis == -1) {
            return record(new Node.Reduce(this, op, x, 1, 1), 0, 1, 1, x.requiresGrad);
        }
        if (x.rank == 0 || axis < 0 || axis >= x.rank) {
            throw new IllegalArgumentException(name + ": axis " + axis + " does not exist in " + x);
        }
        if (x.rank == 1) {
            return record(new Node.Reduce(this, op, x, 1, 1), keepDim ? 1 : 0, 1, 1, x.requiresGrad);
        }
        if (axis == 0) {
            return record(new Node.Reduce(this, op, x, 1, x.cols), keepDim ? 2 : 1, 1, x.cols, x.requiresGrad);
        }
        if (keepDim) {
            return record(new Node.Reduce(this, op, x, x.rows, 1), 2, x.rows, 1, x.requiresGrad);
        }
        return record(new Node.Reduce(this, op, x, x.rows, 1), 1, 1, x.rows, x.requiresGrad);
    }

    Var matmul(Var a, Var b) {
        check(a, "matmul");
        check(b, "matmul");
        if (a.rank == 0 || b.rank == 0) {
            throw new IllegalArgumentException("matmul: both operands need at least one dimension, got " + a
                    + " and " + b);
        }
        int m = a.rank == 2 ? a.rows : 1;
        int k = a.cols;
        int kb = b.rank == 2 ? b.rows : b.cols;
        int n = b.rank == 2 ? b.cols : 1;
        if (k != kb) {
            throw new IllegalArgumentException("matmul: " + Arrays.toString(a.shape()) + " and "
                    + Arrays.toString(b.shape()) + " do not match (" + k + " != " + kb + ")");
        }
        Node node = new Node.Matmul(this, a, b, m, k, n);
        boolean grad = a.requiresGrad || b.requiresGrad;
        if (a.rank == 2 && b.rank == 2) {
            return record(node, 2, m, n, grad);
        }
        if (a.rank == 1 && b.rank == 2) {
            return record(node, 1, 1, n, grad);
        }
        if (a.rank == 2) {
            return record(node, 1, 1, m, grad);
        }
        return record(node, 0, 1, 1, grad);
    }

    Var transpose(Var x) {
        check(x, "t");
        if (x.rank < 2) {
            return x;
        }
        return record(new Node.Transpose(x), 2, x.cols, x.rows, x.requiresGrad);
    }

    Var softmax(Var x, boolean log) {
        check(x, log ? "logSoftmax" : "softmax");
        if (x.rank == 0) {
            throw new IllegalArgumentException((log ? "logSoftmax" : "softmax") + ": needs a vector or a matrix, got "
                    + x);
        }
        return record(new Node.Softmax(x, log), x.rank, x.rows, x.cols, x.requiresGrad);
    }

    Var pick(Var x, Var labels) {
        check(x, "pick");
        check(labels, "pick");
        if (!labels.int32 || labels.rank != 1) {
            throw new IllegalArgumentException("pick: labels must be int32 labels (Tape.labels), got " + labels);
        }
        if (x.rank != 2 || labels.cols != x.rows) {
            throw new IllegalArgumentException("pick: needs a matrix with one row per label, got " + x + " and "
                    + labels);
        }
        return record(new Node.Pick(x, labels), 1, 1, x.rows, x.requiresGrad);
    }

    Var element(Var x, int i) {
        check(x, "get");
        if (x.rank != 1) {
            throw new IllegalArgumentException("get(" + i + "): needs a vector, got " + x + "; use get(row, col)");
        }
        if (i < 0 || i >= x.cols) {
            throw new IllegalArgumentException("get(" + i + "): index outside " + x);
        }
        return record(new Node.Block(x, 0, i, 1, 1, "get"), 0, 1, 1, x.requiresGrad);
    }

    Var element(Var x, int row, int col) {
        check(x, "get");
        if (x.rank != 2) {
            throw new IllegalArgumentException("get(" + row + ", " + col + "): needs a matrix, got " + x);
        }
        if (row < 0 || row >= x.rows || col < 0 || col >= x.cols) {
            throw new IllegalArgumentException("get(" + row + ", " + col + "): index outside " + x);
        }
        return record(new Node.Block(x, row, col, 1, 1, "get"), 0, 1, 1, x.requiresGrad);
    }

    Var slice(Var x, int axis, int from, int to) {
        check(x, "slice");
        if (x.rank == 0 || axis < 0 || axis >= x.rank) {
            throw new IllegalArgumentException("slice: axis " + axis + " does not exist in " + x);
        }
        int length = x.rank == 1 || axis == 1 ? x.cols : x.rows;
        int f = from < 0 ? from + length : from;
        int t = to < 0 ? to + length : to;
        f = Math.max(0, Math.min(f, length));
        t = Math.max(f, Math.min(t, length));
        int n = t - f;
        if (x.rank == 1) {
            return record(new Node.Block(x, 0, f, 1, n, "slice"), 1, 1, n, x.requiresGrad);
        }
        if (axis == 0) {
            return record(new Node.Block(x, f, 0, n, x.cols, "slice"), 2, n, x.cols, x.requiresGrad);
        }
        return record(new Node.Block(x, 0, f, x.rows, n, "slice"), 2, x.rows, n, x.requiresGrad);
    }

    Var reshape(Var x, int[] shape) {
        check(x, "reshape");
        int[] s = shape.clone();
        int unknown = -1;
        long known = 1;
        if (s.length > 2) {
            throw new IllegalArgumentException("reshape: at most two dimensions, got " + Arrays.toString(shape));
        }
        for (int d = 0; d < s.length; d++) {
            if (s[d] == -1 && unknown < 0) {
                unknown = d;
            } else if (s[d] < 0) {
                throw new IllegalArgumentException("reshape: bad shape " + Arrays.toString(shape));
            } else {
                known *= s[d];
            }
        }
        if (unknown >= 0) {
            if (known == 0 || x.size() % known != 0) {
                throw new IllegalArgumentException("reshape: cannot view " + x + " as " + Arrays.toString(shape));
            }
            s[unknown] = (int) (x.size() / known);
            known *= s[unknown];
        }
        if (known != x.size()) {
            throw new IllegalArgumentException("reshape: cannot view " + x + " as " + Arrays.toString(shape));
        }
        int rows = s.length == 2 ? s[0] : 1;
        int cols = s.length == 2 ? s[1] : s.length == 1 ? s[0] : 1;
        return record(new Node.Reshape(x), s.length, rows, cols, x.requiresGrad);
    }

    private Var record(Node node, int rank, int rows, int cols, boolean requiresGrad) {
        Var out = new Var(this, Var.Kind.RESULT, rank, rows, cols, node, requiresGrad, null, false);
        out.value = own(backend.allocate(rows, cols));
        node.out = out;
        node.forward(backend);
        nodes.add(node);
        return out;
    }

    private void check(Var v, String op) {
        open();
        Objects.requireNonNull(v, op + ": argument");
        if (v.tape != this) {
            throw new IllegalArgumentException(op + ": " + v + " belongs to another tape");
        }
        if (v.int32 && !op.equals("pick")) {
            throw new IllegalArgumentException(op + ": " + v + " holds int32 labels, usable only by pick");
        }
    }

    // ================================================================ the backward plan

    /** The backward pass of one value: which node writes or adds which input's gradient, in reverse order. */
    private Plan plan(Var loss) {
        check(loss, "backward");
        if (loss.size() != 1) {
            throw new IllegalArgumentException("backward: " + loss + " has " + loss.size()
                    + " elements; the value differentiated must have one");
        }
        List<Object> steps = new ArrayList<>();
        IdentityHashMap<Var, Boolean> written = new IdentityHashMap<>();
        IdentityHashMap<Var, Boolean> reached = new IdentityHashMap<>();
        if (loss.requiresGrad) {
            gradientOf(loss);
            reached.put(loss, true);
            written.put(loss, true);
            if (loss.kind == Var.Kind.RESULT) {
                int last = nodes.indexOf(loss.node);
                for (int i = last; i >= 0; i--) {
                    Node node = nodes.get(i);
                    if (!reached.containsKey(node.out)) {
                        continue;
                    }
                    for (int k = 0; k < node.in.length; k++) {
                        Var x = node.in[k];
                        if (!x.requiresGrad) {
                            continue;
                        }
                        gradientOf(x);
                        float beta = 1f;
                        if (!written.containsKey(x)) {
                            if (node.overwrites(k)) {
                                beta = 0f;
                            } else {
                                steps.add(new Fill(x));
                            }
                            written.put(x, true);
                        }
                        reached.put(x, true);
                        steps.add(new Step(node, k, beta));
                    }
                }
            }
        }
        for (Var p : parameters) {
            if (!written.containsKey(p)) {
                steps.add(new Fill(p));
            }
        }
        for (Node n : nodes) {
            n.gradientsReady();
        }
        return new Plan(loss, steps.toArray());
    }

    private void gradientOf(Var v) {
        if (v.grad == null) {
            v.grad = own(backend.allocate(v.rows, v.cols));
        }
    }

    /** A backward step: node's gradient into its input {@code input}, with factor beta. */
    record Step(Node node, int input, float beta) {
    }

    /** A backward step: zero a value's gradient (before contributions that do not overwrite it all). */
    record Fill(Var target) {
    }

    /** The backward pass of one value: its steps in order, after seeding the value's own gradient. */
    static final class Plan {
        final Var loss;
        final Object[] steps;

        Plan(Var loss, Object[] steps) {
            this.loss = loss;
            this.steps = steps;
        }

        void run(Backend b, float seed) {
            if (loss.requiresGrad) {
                b.fill(loss.grad, seed);
            }
            for (Object s : steps) {
                if (s instanceof Step step) {
                    step.node.backward(b, step.input, step.beta);
                } else {
                    b.fill(((Fill) s).target.grad, 0f);
                }
            }
        }
    }

    // ================================================================ tensors

    Tensor own(Tensor t) {
        owned.add(t);
        return t;
    }

    void release(Tensor t) {
        owned.remove(t);
        t.close();
    }

    private Tensor canonical(Tensor t, int rows, int cols) {
        if (t.rows() == rows && t.cols() == cols) {
            return t;
        }
        return own(backend.reshape(t, rows, cols));
    }

    /** The canonical form of an input's tensor, reusing the view made for it last time if it is the same tensor. */
    private final Map<Tensor, Tensor> inputViews = new IdentityHashMap<>();

    private Tensor canonicalInput(Var input, Tensor t) {
        if (t.rows() == input.rows && t.cols() == input.cols) {
            return t;
        }
        Tensor view = inputViews.get(t);
        if (view == null || view.isClosed()) {
            view = own(backend.reshape(t, input.rows, input.cols));
            inputViews.put(t, view);
        }
        return view;
    }

    private void checkOwn(Tensor t, String what) {
        checkOwn(t, what, "");
    }

    /** As {@link #checkOwn(Tensor, String)} for {@code what + name}, concatenated only for a message. */
    private void checkOwn(Tensor t, String what, String name) {
        if (t == null) {
            throw new NullPointerException(what + name);
        }
        if (t.backend() != backend) {
            throw new IllegalArgumentException(what + name + ": the tensor belongs to another backend");
        }
        if (t.isClosed()) {
            throw new IllegalStateException(what + name + ": the tensor is closed");
        }
    }

    private static int[] checkShape(int[] shape, String op) {
        if (shape == null || shape.length > 2) {
            throw new IllegalArgumentException(op + ": shape must be [], [n] or [rows, cols], got "
                    + Arrays.toString(shape));
        }
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException(op + ": negative dimension in " + Arrays.toString(shape));
            }
        }
        return shape;
    }

    private void open() {
        if (closed) {
            throw new IllegalStateException("the tape is closed");
        }
    }
}
