package dev.descent.autodiff;

import dev.descent.backend.BinaryOp;
import dev.descent.backend.Elementwise;
import dev.descent.backend.UnaryOp;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * A tape of scalars evaluated on the host as a flat list of instructions: what a formula typed for
 * {@code descent minimize} records (elements of w, numbers, element-wise functions and arithmetic on one-element
 * values). Every value is one slot of an array, every operation one instruction with slot numbers, so a step is a loop
 * over a few int arrays with no calls between operations. The operations, their order, the backward plan and the
 * formulas ({@link Elementwise}) are the {@link Tape}'s: the results are those of {@link HostProgram} and, for exact
 * operations, of the backend tape, bit for bit. Allocation-free after construction.
 */
final class ScalarProgram implements HostEvaluator {
    private static final byte GET = 0;
    private static final byte UNARY = 1;
    private static final byte BINARY = 2;
    private static final byte FILL = 3;

    private final float[] v;
    private final float[] g;
    private final float[] wGrad;
    private final int loss;
    private final boolean lossRequiresGrad;
    // forward instructions
    private final byte[] code;
    private final int[] a;
    private final int[] b;
    private final int[] out;
    private final UnaryOp[] unary;
    private final BinaryOp[] binary;
    private final float[] param;
    // backward instructions: GET (into w's gradient), UNARY, BINARY with an input index, FILL
    private final byte[] bCode;
    private final int[] bNode;
    private final int[] bInput;
    private final float[] bBeta;

    private ScalarProgram(int slots, int dimension, int forwardCount, int backwardCount, int loss,
            boolean lossRequiresGrad) {
        v = new float[slots];
        g = new float[slots];
        wGrad = new float[dimension];
        code = new byte[forwardCount];
        a = new int[forwardCount];
        b = new int[forwardCount];
        out = new int[forwardCount];
        unary = new UnaryOp[forwardCount];
        binary = new BinaryOp[forwardCount];
        param = new float[forwardCount];
        bCode = new byte[backwardCount];
        bNode = new int[backwardCount];
        bInput = new int[backwardCount];
        bBeta = new float[backwardCount];
        this.loss = loss;
        this.lossRequiresGrad = lossRequiresGrad;
    }

    /**
     * The scalar program of {@code loss} as a function of the rank-1 {@code parameter}, or null when the tape holds
     * anything but elements of the parameter, one-element constants and element-wise operations on one element.
     */
    static ScalarProgram of(Tape tape, Var loss, Var parameter) {
        if (loss.size() != 1 || loss.kind == Var.Kind.INPUT) {
            return null;
        }
        List<Node> all = tape.nodes();
        int last = loss.node == null ? -1 : all.indexOf(loss.node);
        Map<Var, Integer> slot = new IdentityHashMap<>();
        Map<Var, Boolean> constants = new IdentityHashMap<>();
        for (int k = 0; k <= last; k++) {
            Node n = all.get(k);
            if (n.out.size() != 1) {
                return null;
            }
            if (n instanceof Node.Block block) {
                if (block.in[0] != parameter) {
                    return null;
                }
            } else if (n instanceof Node.Unary || n instanceof Node.Binary) {
                for (Var x : n.in) {
                    if (x.size() != 1 || x.kind == Var.Kind.INPUT || x.kind == Var.Kind.PARAMETER) {
                        return null;
                    }
                    if (x.kind == Var.Kind.CONSTANT) {
                        constants.put(x, true);
                    }
                }
            } else {
                return null;
            }
            slot.put(n.out, slot.size());
        }
        if (loss.kind == Var.Kind.CONSTANT) {
            constants.put(loss, true);
        }
        if (loss.kind == Var.Kind.PARAMETER) {
            return null;
        }
        for (Var c : constants.keySet()) {
            slot.put(c, slot.size());
        }
        Tape.Plan plan = tape.planFor(loss);
        ScalarProgram program = new ScalarProgram(slot.size() + 1, Math.toIntExact(parameter.size()), last + 1,
                plan.steps.length, slot.get(loss), loss.requiresGrad);
        for (Var c : constants.keySet()) {
            program.v[slot.get(c)] = tape.backend().get(c.value, 0);
        }
        for (int k = 0; k <= last; k++) {
            Node n = all.get(k);
            program.out[k] = slot.get(n.out);
            switch (n) {
                case Node.Block block -> {
                    program.code[k] = GET;
                    program.a[k] = block.col;
                }
                case Node.Unary u -> {
                    program.code[k] = UNARY;
                    program.a[k] = slot.get(n.in[0]);
                    program.unary[k] = u.op;
                    program.param[k] = u.param;
                }
                case Node.Binary bin -> {
                    program.code[k] = BINARY;
                    program.a[k] = slot.get(n.in[0]);
                    program.b[k] = slot.get(n.in[1]);
                    program.binary[k] = bin.op;
                }
                default -> throw new IllegalStateException(n.label());
            }
        }
        for (int s = 0; s < plan.steps.length; s++) {
            if (plan.steps[s] instanceof Tape.Fill fill) {
                program.bCode[s] = FILL;
                program.bNode[s] = fill.target() == parameter ? -1 : slot.get(fill.target());
            } else {
                Tape.Step step = (Tape.Step) plan.steps[s];
                int k = all.indexOf(step.node());
                program.bCode[s] = program.code[k];
                program.bNode[s] = k;
                program.bInput[s] = step.input();
                program.bBeta[s] = step.beta();
            }
        }
        return program;
    }

    @Override
    public double value(float[] point) {
        forward(point);
        return v[loss];
    }

    @Override
    public double valueAndGradient(float[] point, float[] gradient) {
        forward(point);
        float[] v = this.v;
        float[] g = this.g;
        float[] wg = wGrad;
        if (lossRequiresGrad) {
            g[loss] = 1f;
        }
        for (int s = 0; s < bCode.length; s++) {
            int k = bNode[s];
            float beta = bBeta[s];
            switch (bCode[s]) {
                case GET -> {
                    int i = a[k];
                    wg[i] = Elementwise.accumulate(beta, wg[i], g[out[k]]);
                }
                case UNARY -> {
                    int x = a[k];
                    int y = out[k];
                    g[x] = Elementwise.accumulate(beta, g[x],
                            Elementwise.unaryGradient(unary[k], param[k], v[x], v[y], g[y]));
                }
                case BINARY -> {
                    int i = bInput[s];
                    int target = i == 0 ? a[k] : b[k];
                    int y = out[k];
                    g[target] = Elementwise.accumulate(beta, g[target],
                            Elementwise.binaryGradient(binary[k], i, v[a[k]], v[b[k]], v[y], g[y]));
                }
                default -> {
                    if (k < 0) {
                        for (int i = 0; i < wg.length; i++) {
                            wg[i] = 0f;
                        }
                    } else {
                        g[k] = 0f;
                    }
                }
            }
        }
        for (int i = 0; i < wg.length; i++) {
            gradient[i] = wg[i];
        }
        return v[loss];
    }

    private void forward(float[] point) {
        float[] v = this.v;
        for (int k = 0; k < code.length; k++) {
            switch (code[k]) {
                case GET -> v[out[k]] = point[a[k]];
                case UNARY -> v[out[k]] = Elementwise.unary(unary[k], param[k], v[a[k]]);
                default -> v[out[k]] = Elementwise.binary(binary[k], v[a[k]], v[b[k]]);
            }
        }
    }
}
