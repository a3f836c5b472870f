package dev.descent.autodiff;

import dev.descent.backend.Elementwise;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small tape evaluated on the host: the same recorded operations and the same backward plan as the {@link Tape}, run
 * on Java float arrays with the per-element formulas of {@link Elementwise} (which the CPU backend's scalar kernels
 * use too) and sums taken in double in the backend's order for small shapes. An objective of a few scalars costs
 * dozens of backend calls per step, each one dispatch and argument checks on a tensor of one element; on the host the
 * whole step is a few dozen floating-point operations.
 *
 * <p>Used by {@link ExpressionObjective} when every value of its tape is small and every operation is one of the
 * element-wise, broadcasting, reduction, indexing, reshaping or transposing kind (no matmul, softmax or labels: those
 * run on the backend). Allocation-free after construction.
 */
final class HostProgram implements HostEvaluator {
    /** The largest tape evaluated on the host, in elements over all values. */
    static final int MAX_ELEMENTS = 1 << 16;

    private final Node[] nodes;
    private final Object[] steps;
    // per node, its output's and inputs' arrays, fixed at construction so that running looks nothing up
    private final float[][] outValue;
    private final float[][] outGrad;
    private final float[][][] inValue;
    private final float[][][] inGrad;
    // per step
    private static final byte OTHER = 0;
    private static final byte UNARY = 1;
    private static final byte BINARY = 2;
    private static final byte BLOCK = 3;

    /** Per node: which class it is, for a switch that calls each with a single receiver type. */
    private final byte[] kind;
    private final float[][] fillTarget;
    private final int[] stepNode;
    private final float[] w;
    private final float[] wGrad;
    private final float[] lossValue;
    private final float[] lossGrad;
    private final boolean lossRequiresGrad;

    private HostProgram(Tape tape, Var loss, Var parameter, float[][] constantValues, Var[] constants) {
        List<Node> all = tape.nodes();
        int last = loss.node == null ? -1 : all.indexOf(loss.node);
        nodes = all.subList(0, last + 1).toArray(new Node[0]);
        // each value's and each gradient's array, looked up here once: running looks nothing up
        Map<Var, float[]> values = new IdentityHashMap<>();
        Map<Var, float[]> gradients = new IdentityHashMap<>();
        for (int i = 0; i < constants.length; i++) {
            values.put(constants[i], constantValues[i]);
        }
        w = array(values, parameter);
        for (Node n : nodes) {
            array(values, n.out);
        }
        Tape.Plan plan = tape.planFor(loss);
        steps = plan.steps;
        kind = new byte[nodes.length];
        for (int k = 0; k < nodes.length; k++) {
            kind[k] = nodes[k] instanceof Node.Unary ? UNARY : nodes[k] instanceof Node.Binary ? BINARY
                    : nodes[k] instanceof Node.Block ? BLOCK : OTHER;
        }
        outValue = new float[nodes.length][];
        outGrad = new float[nodes.length][];
        inValue = new float[nodes.length][][];
        inGrad = new float[nodes.length][][];
        for (int k = 0; k < nodes.length; k++) {
            Node n = nodes[k];
            outValue[k] = values.get(n.out);
            outGrad[k] = n.out.requiresGrad ? array(gradients, n.out) : null;
            inValue[k] = new float[n.in.length][];
            inGrad[k] = new float[n.in.length][];
            for (int i = 0; i < n.in.length; i++) {
                inValue[k][i] = values.get(n.in[i]);
                inGrad[k][i] = n.in[i].requiresGrad ? array(gradients, n.in[i]) : null;
            }
        }
        fillTarget = new float[steps.length][];
        stepNode = new int[steps.length];
        for (int s = 0; s < steps.length; s++) {
            if (steps[s] instanceof Tape.Fill f) {
                fillTarget[s] = array(gradients, f.target());
            } else {
                stepNode[s] = Arrays.asList(nodes).indexOf(((Tape.Step) steps[s]).node());
            }
        }
        wGrad = array(gradients, parameter);
        lossValue = values.get(loss);
        lossRequiresGrad = loss.requiresGrad;
        lossGrad = loss.requiresGrad ? array(gradients, loss) : null;
    }

    private static float[] array(Map<Var, float[]> map, Var v) {
        return map.computeIfAbsent(v, k -> new float[Math.toIntExact(k.size())]);
    }

    /**
     * The host program of {@code loss} as a function of {@code parameter} (the tape's only parameter), or null when the
     * tape has an operation, a leaf or a size the host does not evaluate.
     */
    static HostProgram of(Tape tape, Var loss, Var parameter) {
        List<Node> all = tape.nodes();
        int last = loss.node == null ? -1 : all.indexOf(loss.node);
        long elements = parameter.size();
        Map<Var, Boolean> constants = new IdentityHashMap<>();
        for (int k = 0; k <= last; k++) {
            Node n = all.get(k);
            if (!n.hasHostForm()) {
                return null;
            }
            elements += n.out.size();
            for (Var v : n.in) {
                if (v.kind == Var.Kind.CONSTANT) {
                    constants.put(v, true);
                } else if (v.kind == Var.Kind.INPUT || v.kind == Var.Kind.PARAMETER && v != parameter) {
                    return null;
                }
            }
        }
        for (Var c : constants.keySet()) {
            elements += c.size();
        }
        if (elements > MAX_ELEMENTS) {
            return null;
        }
        Var[] cs = constants.keySet().toArray(new Var[0]);
        float[][] cv = new float[cs.length][];
        for (int i = 0; i < cs.length; i++) {
            cv[i] = tape.backend().download(cs[i].value);
        }
        return new HostProgram(tape, loss, parameter, cv, cs);
    }

    @Override
    public double value(float[] point) {
        forward(point);
        return lossValue[0];
    }

    @Override
    public double valueAndGradient(float[] point, float[] g) {
        forward(point);
        if (lossRequiresGrad) {
            lossGrad[0] = 1f;
        }
        Object[] st = steps;
        for (int s = 0; s < st.length; s++) {
            if (st[s] instanceof Tape.Step step) {
                int k = stepNode[s];
                int i = step.input();
                float beta = step.beta();
                switch (kind[k]) {
                    case UNARY -> ((Node.Unary) nodes[k]).hostBackward(i, beta, inValue[k], outValue[k], outGrad[k],
                            inGrad[k][i]);
                    case BINARY -> ((Node.Binary) nodes[k]).hostBackward(i, beta, inValue[k], outValue[k],
                            outGrad[k], inGrad[k][i]);
                    case BLOCK -> ((Node.Block) nodes[k]).hostBackward(i, beta, inValue[k], outValue[k], outGrad[k],
                            inGrad[k][i]);
                    default -> nodes[k].hostBackward(i, beta, inValue[k], outValue[k], outGrad[k], inGrad[k][i]);
                }
            } else {
                Arrays.fill(fillTarget[s], 0f);
            }
        }
        System.arraycopy(wGrad, 0, g, 0, g.length);
        return lossValue[0];
    }

    private void forward(float[] point) {
        System.arraycopy(point, 0, w, 0, w.length);
        Node[] ns = nodes;
        byte[] kinds = kind;
        for (int k = 0; k < ns.length; k++) {
            // a switch on the node's class, so that each call below has one receiver type and is inlined
            switch (kinds[k]) {
                case UNARY -> ((Node.Unary) ns[k]).hostForward(inValue[k], outValue[k]);
                case BINARY -> ((Node.Binary) ns[k]).hostForward(inValue[k], outValue[k]);
                case BLOCK -> ((Node.Block) ns[k]).hostForward(inValue[k], outValue[k]);
                default -> ns[k].hostForward(inValue[k], outValue[k]);
            }
        }
    }
}
