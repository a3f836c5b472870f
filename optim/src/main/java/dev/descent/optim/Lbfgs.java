package dev.descent.optim;

import dev.descent.backend.Backend;
import dev.descent.backend.Tensor;
import dev.descent.optim.schedule.Schedule;
import dev.descent.optim.schedule.Scheduler;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * torch.optim.LBFGS (name {@code lbfgs}): limited-memory BFGS with an optional strong-Wolfe line search, a port of
 * torch 1.13's {@code lbfgs.py} operation for operation. Unlike the other optimizers it evaluates the objective itself:
 * drive it with {@link #step(Closure)}, which re-evaluates the {@link Closure} (loss and gradients at the current
 * parameters) as often as its iterations and line search need; {@link #step()} without a closure is refused and
 * {@link #needsClosure()} is true. One call is one torch {@code optimizer.step(closure)}: up to {@code max_iter}
 * iterations and about {@code max_eval} closure evaluations.
 *
 * <pre>{@code
 * try (Lbfgs lbfgs = new Lbfgs(LbfgsOptions.defaults().withLineSearch(LbfgsOptions.LineSearch.STRONG_WOLFE),
 *         model.parameters(), null)) {
 *     Closure closure = () -> {
 *         model.lossAndGradients(fullBatch, lossOut, 0);
 *         return backend.get(lossOut, 0);
 *     };
 *     for (int epoch = 0; epoch < 10; epoch++) {
 *         double loss = lbfgs.step(closure);   // the loss before the step
 *     }
 * }
 * }</pre>
 *
 * <p><b>The algorithm</b> (torch's, with g the gradient of all parameters as one flat vector): evaluate the closure;
 * stop if max|g| ≤ tolerance_grad. Each iteration: the first ever takes d = −g with step t = min(1, 1/Σ|g|)·lr;
 * later ones store y = g − g_prev, s = t·d when y·s &gt; 1e-10 (dropping the oldest pair beyond history_size, with
 * ρ = 1/(y·s) and H_diag = y·s / y·y) and take d from the two-loop recursion (q = −g; newest to oldest
 * α_i = ρ_i s_i·q, q −= α_i y_i; r = H_diag q; oldest to newest β_i = ρ_i y_i·r, r += (α_i − β_i) s_i) with t = lr.
 * If g·d &gt; −tolerance_change the step ends; otherwise the parameters move by t·d, either directly (re-evaluating
 * the closure except in the last iteration) or at the t found by the strong-Wolfe line search (c1 1e-4, c2 0.9, at
 * most 25 evaluations, cubic interpolation, torch's {@code _strong_wolfe}). The step ends after max_iter iterations,
 * when the evaluations reach max_eval, when max|g| ≤ tolerance_grad, when max|t·d| ≤ tolerance_change or when the loss
 * changed by less than tolerance_change. The iteration count, the evaluation count, d, t, the history, ρ, H_diag and
 * the previous gradient and loss carry over to the next step.
 *
 * <p><b>Precision</b> follows torch's types exactly: vectors are float32 backend tensors updated by
 * {@link Backend#axpy}/{@link Backend#scale}/{@link Backend#copy} (torch's {@code add_} is one fused multiply-add, as
 * axpy); dot products, maxima and sums are float32 numbers (the backend's dot product, rounded to float32); losses,
 * learning rate and tolerances are doubles (Python floats), and each scalar expression mixes them as torch does
 * ({@link TorchScalar}: a double meeting a float32 number is rounded to float32 first, comparisons included). The only
 * difference from torch is the summation order inside a dot product (torch's BLAS accumulates in float32, the
 * backends in double), which moves a dot product by at most a float32 rounding.
 *
 * <p><b>Memory</b>: besides the parameters, d and the previous gradient, with the line search five more vectors (the
 * start point and four gradients), and up to {@code history_size + 1} pairs (y, s) allocated as the history grows;
 * every vector has one backend tensor per parameter. A step allocates small host objects (its scalars) but no tensors
 * once the history is full. One parameter group, as torch (per-group settings are refused there too); no gradient
 * clipping and no weight decay (torch's LBFGS has neither). A {@link Schedule} may change lr between steps; its step
 * unit is one {@code step(closure)}.
 *
 * <p><b>Saved state</b> ({@link OptimizerStateFile}, name {@code lbfgs}): the hyper-parameters are the options'
 * settings; each parameter's state tensors are {@code d}, {@code prev_flat_grad} (empty before the first iteration),
 * {@code old_dirs} and {@code old_stps} (the history's y and s of that parameter, oldest first, concatenated), and the
 * first parameter's also {@code ro} (ρ per pair); the schedule-state map carries, besides the schedule's own entries,
 * {@code lbfgs.n_iter}, {@code lbfgs.func_evals}, {@code lbfgs.history}, {@code lbfgs.t}, {@code lbfgs.h_diag} and
 * {@code lbfgs.prev_loss}. Restoring it into an optimizer built the same way continues bit-identically.
 */
public final class Lbfgs implements Optimizer {
    /** The optimizer's name. */
    public static final String NAME = "lbfgs";

    private static final double C1 = 1e-4;
    private static final double C2 = 0.9;
    private static final int MAX_LS = 25;
    private static final String KEY = "lbfgs.";

    private final LbfgsOptions o;
    private final Backend backend;
    private final Parameter[] params;
    private final List<Parameter> paramList;
    private final Tensor[] values;
    private final Tensor[] grads;
    private final Map<String, Double> hyper;
    private final Schedule schedule;
    private Scheduler scheduler;

    private final List<Tensor[]> owned = new ArrayList<>();
    private final Tensor[] d;
    private final Tensor[] prevFlatGrad;
    // strong Wolfe only (else null): x_init, g (the gradient at the start), g_prev, and one per bracket end
    private final Tensor[] xInit;
    private final Tensor[] gInit;
    private final Tensor[] gPrev;
    private final Tensor[][] bracketG;

    private final List<Tensor[]> oldDirs = new ArrayList<>();
    private final List<Tensor[]> oldStps = new ArrayList<>();
    private final ArrayDeque<Tensor[]> spare = new ArrayDeque<>();
    private final float[] ro;
    private final float[] al;
    private float hDiag = 1f;
    private double t;
    private double prevLoss = Double.NaN;
    private long nIter;
    private long funcEvals;
    private long steps;
    private boolean closed;

    /**
     * @param options    the settings
     * @param parameters the parameters, all on one backend, with unique names (torch's single parameter group)
     * @param schedule   the learning-rate schedule, or null for constant (its per-step unit is one step(closure))
     */
    public Lbfgs(LbfgsOptions options, List<Parameter> parameters, Schedule schedule) {
        this.o = Objects.requireNonNull(options, "options");
        this.schedule = Objects.requireNonNullElse(schedule, Schedule.constant());
        if (parameters == null || parameters.isEmpty()) {
            throw new IllegalArgumentException(NAME + ": no parameters to optimize");
        }
        this.params = parameters.toArray(new Parameter[0]);
        Map<Tensor, String> seen = new IdentityHashMap<>();
        Map<String, Boolean> names = new LinkedHashMap<>();
        Backend first = null;
        for (Parameter p : params) {
            Objects.requireNonNull(p, "parameter");
            if (first == null) {
                first = p.value().backend();
            } else if (p.value().backend() != first) {
                throw new IllegalArgumentException(NAME + ": parameter " + p.name()
                        + " belongs to another backend than " + params[0].name());
            }
            if (p.value().isClosed() || p.grad().isClosed()) {
                throw new IllegalArgumentException(NAME + ": parameter " + p.name() + " is closed");
            }
            if (seen.put(p.value(), p.name()) != null) {
                throw new IllegalArgumentException(NAME + ": parameter " + p.name() + " appears more than once");
            }
            if (names.put(p.name(), Boolean.TRUE) != null) {
                throw new IllegalArgumentException(NAME + ": two parameters are named " + p.name()
                        + "; names identify parameters in saved state and must be unique");
            }
        }
        this.backend = first;
        this.paramList = Collections.unmodifiableList(Arrays.asList(params.clone()));
        this.values = new Tensor[params.length];
        this.grads = new Tensor[params.length];
        for (int i = 0; i < params.length; i++) {
            values[i] = params[i].value();
            grads[i] = params[i].grad();
        }
        this.hyper = new LinkedHashMap<>(o.settings());
        this.scheduler = this.schedule.start(new double[] {o.lr()});
        this.ro = new float[o.historySize()];
        this.al = new float[o.historySize()];
        try {
            d = vector();
            prevFlatGrad = vector();
            if (o.lineSearch() == LbfgsOptions.LineSearch.STRONG_WOLFE) {
                xInit = vector();
                gInit = vector();
                gPrev = vector();
                bracketG = new Tensor[][] {vector(), vector()};
            } else {
                xInit = null;
                gInit = null;
                gPrev = null;
                bracketG = null;
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** The settings. */
    public LbfgsOptions options() {
        return o;
    }

    /** Always true: a step re-evaluates the objective, see {@link #step(Closure)}. */
    @Override
    public boolean needsClosure() {
        return true;
    }

    /**
     * Refused: LBFGS evaluates the objective during a step.
     *
     * @throws IllegalStateException always; call {@link #step(Closure)}
     */
    @Override
    public void step() {
        throw new IllegalStateException(NAME + " re-evaluates the objective during a step: call step(closure)");
    }

    /** Total closure evaluations over every step so far (torch's {@code state['func_evals']}). */
    public long functionEvaluations() {
        return funcEvals;
    }

    /** Total iterations over every step so far (torch's {@code state['n_iter']}). */
    public long iterations() {
        return nIter;
    }

    /** The number of (y, s) pairs in the history now. */
    public int historyLength() {
        return oldDirs.size();
    }

    /**
     * One torch {@code LBFGS.step(closure)}: up to max_iter iterations, each with a closure evaluation (or, with the
     * strong-Wolfe line search, several). Leaves the parameters at the last accepted point; their grad tensors hold
     * the gradient of the last evaluation, which may be another point (torch alike).
     *
     * @return the loss of the first evaluation, at the parameters as they were before the step
     */
    @Override
    public double step(Closure closure) {
        checkOpen();
        Objects.requireNonNull(closure, "closure");
        double lr = scheduler.lr(0);
        int maxIter = o.maxIter();
        int maxEval = o.maxEval();
        float tolGrad = (float) o.toleranceGrad();
        TorchScalar tolChange = TorchScalar.py(o.toleranceChange());

        double origLoss = closure.evaluate();
        double loss = origLoss;
        int currentEvals = 1;
        funcEvals++;
        Tensor[] flat = grads;
        boolean optCond = maxAbs(flat) <= tolGrad;
        if (optCond) {
            endStep();
            return origLoss;
        }

        TorchScalar tt = TorchScalar.py(t);
        int iter = 0;
        while (iter < maxIter) {
            iter++;
            nIter++;

            // ------------------------------------------------------------ descent direction
            if (nIter == 1) {
                copy(flat, d);
                scale(-1f, d);
                clearHistory();
                hDiag = 1f;
            } else {
                Tensor[] y = take();
                Tensor[] s = take();
                copy(flat, y);
                axpy(-1f, prevFlatGrad, y); // y = g - g_prev
                copy(d, s);
                scale(tt.asFloat(), s); // s = d * t
                float ys = dot(y, s);
                if (ys > (float) 1e-10) {
                    if (oldDirs.size() == o.historySize()) {
                        spare.push(oldDirs.removeFirst());
                        spare.push(oldStps.removeFirst());
                        System.arraycopy(ro, 1, ro, 0, ro.length - 1);
                    }
                    oldDirs.add(y);
                    oldStps.add(s);
                    ro[oldDirs.size() - 1] = 1f / ys;
                    hDiag = ys / dot(y, y);
                } else {
                    spare.push(y);
                    spare.push(s);
                }
                // two-loop recursion in d (q, then r): d's old value went into s above
                int numOld = oldDirs.size();
                copy(flat, d);
                scale(-1f, d);
                for (int i = numOld - 1; i >= 0; i--) {
                    al[i] = dot(oldStps.get(i), d) * ro[i];
                    axpy(-al[i], oldDirs.get(i), d);
                }
                scale(hDiag, d);
                for (int i = 0; i < numOld; i++) {
                    float be = dot(oldDirs.get(i), d) * ro[i];
                    axpy(al[i] - be, oldStps.get(i), d);
                }
            }
            copy(flat, prevFlatGrad);
            prevLoss = loss;

            // ------------------------------------------------------------ step length
            if (nIter == 1) {
                TorchScalar inv = TorchScalar.f32(1f / absSum(flat)); // 1. / flat_grad.abs().sum()
                tt = TorchScalar.min(TorchScalar.py(1.0), inv).times(TorchScalar.py(lr));
            } else {
                tt = TorchScalar.py(lr);
            }
            t = tt.value();
            TorchScalar gtd = TorchScalar.f32(dot(flat, d));
            if (gtd.gt(TorchScalar.py(-o.toleranceChange()))) {
                break;
            }

            int lsFuncEvals = 0;
            if (o.lineSearch() == LbfgsOptions.LineSearch.STRONG_WOLFE) {
                copy(values, xInit);
                LineSearchResult r = strongWolfe(closure, tt, loss, flat, gtd);
                loss = r.loss();
                flat = r.grad();
                tt = r.t();
                t = tt.value();
                lsFuncEvals = r.evals();
                axpy(tt.asFloat(), d, values);
                optCond = maxAbs(flat) <= tolGrad;
            } else {
                axpy(tt.asFloat(), d, values);
                if (iter != maxIter) {
                    loss = closure.evaluate();
                    flat = grads;
                    optCond = maxAbs(flat) <= tolGrad;
                    lsFuncEvals = 1;
                }
            }
            currentEvals += lsFuncEvals;
            funcEvals += lsFuncEvals;

            // ------------------------------------------------------------ conditions
            if (iter == maxIter) {
                break;
            }
            if (currentEvals >= maxEval) {
                break;
            }
            if (optCond) {
                break;
            }
            // d.mul(t).abs().max() <= tolerance_change: rounding is monotone, so max|fl(d_i t)| = fl(max|d_i| |t|)
            if (TorchScalar.f32(maxAbs(d) * Math.abs(tt.asFloat())).le(tolChange)) {
                break;
            }
            if (Math.abs(loss - prevLoss) < o.toleranceChange()) {
                break;
            }
        }
        endStep();
        return origLoss;
    }

    private void endStep() {
        steps++;
        scheduler.step();
    }

    // ------------------------------------------------------------------------------------------------- line search

    private record LineSearchResult(double loss, Tensor[] grad, TorchScalar t, int evals) {
    }

    /** torch's {@code _directional_evaluate}: loss and gradient (in the grad tensors) at x + t·d; x restored. */
    private double directionalEvaluate(Closure closure, TorchScalar step) {
        axpy(step.asFloat(), d, values);
        double loss = closure.evaluate();
        copy(xInit, values);
        return loss;
    }

    /** {@code f_new > f + c1 * t * gtd} (Python evaluates {@code (c1 * t) * gtd} first). */
    private static boolean armijoFails(double fNew, double f, TorchScalar step, TorchScalar gtd) {
        TorchScalar bound = TorchScalar.py(f).plus(TorchScalar.py(C1).times(step).times(gtd));
        return TorchScalar.py(fNew).gt(bound);
    }

    /** {@code abs(gtd_new) <= -c2 * gtd}. */
    private static boolean curvatureHolds(TorchScalar gtdNew, TorchScalar gtd) {
        return gtdNew.abs().le(TorchScalar.py(-C2).times(gtd));
    }

    /**
     * torch's {@code _strong_wolfe(obj_func, x, t, d, f, g, gtd)} with c1 1e-4, c2 0.9, tolerance_change from the
     * options and max_ls 25. Gradients torch clones are copied into this optimizer's buffers: g into gInit, g_prev
     * into gPrev, and each bracket end's into its own buffer.
     */
    private LineSearchResult strongWolfe(Closure closure, TorchScalar t0, double f, Tensor[] g, TorchScalar gtd) {
        TorchScalar tolChange = TorchScalar.py(o.toleranceChange());
        TorchScalar dNorm = TorchScalar.f32(maxAbs(d));
        copy(g, gInit);
        TorchScalar step = t0;
        double fNew = directionalEvaluate(closure, step);
        int evals = 1;
        TorchScalar gtdNew = TorchScalar.f32(dot(grads, d));

        TorchScalar tPrev = TorchScalar.ZERO;
        double fPrev = f;
        Tensor[] gPrevRef = gInit;
        TorchScalar gtdPrev = gtd;
        boolean done = false;
        int lsIter = 0;

        TorchScalar[] bracket = new TorchScalar[2];
        double[] bracketF = new double[2];
        TorchScalar[] bracketGtd = new TorchScalar[2];
        int size = 0;
        while (lsIter < MAX_LS) {
            if (armijoFails(fNew, f, step, gtd) || (lsIter > 1 && fNew >= fPrev)) {
                size = twoPointBracket(bracket, bracketF, bracketGtd, tPrev, fPrev, gPrevRef, gtdPrev, step, fNew,
                        gtdNew);
                break;
            }
            if (curvatureHolds(gtdNew, gtd)) {
                bracket[0] = step;
                bracketF[0] = fNew;
                copy(grads, bracketG[0]);
                size = 1;
                done = true;
                break;
            }
            if (gtdNew.ge(TorchScalar.ZERO)) {
                size = twoPointBracket(bracket, bracketF, bracketGtd, tPrev, fPrev, gPrevRef, gtdPrev, step, fNew,
                        gtdNew);
                break;
            }
            // interpolate
            TorchScalar minStep = step.plus(TorchScalar.py(0.01).times(step.minus(tPrev)));
            TorchScalar maxStep = step.times(TorchScalar.py(10));
            TorchScalar tmp = step;
            step = cubicInterpolate(tPrev, fPrev, gtdPrev, step, fNew, gtdNew, minStep, maxStep);

            // next step
            tPrev = tmp;
            fPrev = fNew;
            copy(grads, gPrev);
            gPrevRef = gPrev;
            gtdPrev = gtdNew;
            fNew = directionalEvaluate(closure, step);
            evals++;
            gtdNew = TorchScalar.f32(dot(grads, d));
            lsIter++;
        }
        if (lsIter == MAX_LS) {
            bracket[0] = TorchScalar.ZERO;
            bracket[1] = step;
            bracketF[0] = f;
            bracketF[1] = fNew;
            copy(gInit, bracketG[0]);
            copy(grads, bracketG[1]);
            size = 2;
        }

        // zoom
        boolean insufProgress = false;
        // torch: (0, 1) if bracket_f[0] <= bracket_f[-1] else (1, 0); a one-point bracket whose loss is NaN would
        // make torch fail with an IndexError; here its one point is the low end
        int low = size == 1 || bracketF[0] <= bracketF[size - 1] ? 0 : 1;
        int high = 1 - low;
        while (!done && lsIter < MAX_LS) {
            if (bracket[1].minus(bracket[0]).abs().times(dNorm).lt(tolChange)) {
                break;
            }
            step = cubicInterpolate(bracket[0], bracketF[0], bracketGtd[0], bracket[1], bracketF[1], bracketGtd[1],
                    null, null);
            TorchScalar bMax = TorchScalar.max(bracket[0], bracket[1]);
            TorchScalar bMin = TorchScalar.min(bracket[0], bracket[1]);
            TorchScalar eps = TorchScalar.py(0.1).times(bMax.minus(bMin));
            if (TorchScalar.min(bMax.minus(step), step.minus(bMin)).lt(eps)) {
                // interpolation close to boundary
                if (insufProgress || step.ge(bMax) || step.le(bMin)) {
                    // evaluate at 0.1 away from boundary
                    if (step.minus(bMax).abs().lt(step.minus(bMin).abs())) {
                        step = bMax.minus(eps);
                    } else {
                        step = bMin.plus(eps);
                    }
                    insufProgress = false;
                } else {
                    insufProgress = true;
                }
            } else {
                insufProgress = false;
            }

            fNew = directionalEvaluate(closure, step);
            evals++;
            gtdNew = TorchScalar.f32(dot(grads, d));
            lsIter++;

            if (armijoFails(fNew, f, step, gtd) || fNew >= bracketF[low]) {
                // Armijo condition not satisfied or not lower than lowest point
                bracket[high] = step;
                bracketF[high] = fNew;
                copy(grads, bracketG[high]);
                bracketGtd[high] = gtdNew;
                low = bracketF[0] <= bracketF[1] ? 0 : 1;
                high = 1 - low;
            } else {
                if (curvatureHolds(gtdNew, gtd)) {
                    done = true;
                } else if (gtdNew.times(bracket[high].minus(bracket[low])).ge(TorchScalar.ZERO)) {
                    // old high becomes new low
                    bracket[high] = bracket[low];
                    bracketF[high] = bracketF[low];
                    copy(bracketG[low], bracketG[high]);
                    bracketGtd[high] = bracketGtd[low];
                }
                // new point becomes new low
                bracket[low] = step;
                bracketF[low] = fNew;
                copy(grads, bracketG[low]);
                bracketGtd[low] = gtdNew;
            }
        }
        return new LineSearchResult(bracketF[low], bracketG[low], bracket[low], evals);
    }

    /** {@code bracket = [t_prev, t]} with g_prev and a clone of g_new. */
    private int twoPointBracket(TorchScalar[] bracket, double[] bracketF, TorchScalar[] bracketGtd, TorchScalar tPrev,
            double fPrev, Tensor[] gPrevRef, TorchScalar gtdPrev, TorchScalar step, double fNew, TorchScalar gtdNew) {
        bracket[0] = tPrev;
        bracket[1] = step;
        bracketF[0] = fPrev;
        bracketF[1] = fNew;
        copy(gPrevRef, bracketG[0]);
        copy(grads, bracketG[1]);
        bracketGtd[0] = gtdPrev;
        bracketGtd[1] = gtdNew;
        return 2;
    }

    /**
     * torch's {@code _cubic_interpolate(x1, f1, g1, x2, f2, g2, bounds)}: the minimiser of the cubic through two
     * points with their values and derivatives, clamped to the bounds (default: the interval between the points), or
     * the bounds' midpoint when the cubic has no minimiser. {@code xminBound} null: no bounds given.
     */
    static TorchScalar cubicInterpolate(TorchScalar x1, double f1, TorchScalar g1, TorchScalar x2, double f2,
            TorchScalar g2, TorchScalar xminBound, TorchScalar xmaxBound) {
        TorchScalar lo;
        TorchScalar hi;
        if (xminBound != null) {
            lo = xminBound;
            hi = xmaxBound;
        } else if (x1.le(x2)) {
            lo = x1;
            hi = x2;
        } else {
            lo = x2;
            hi = x1;
        }
        TorchScalar three = TorchScalar.py(3);
        TorchScalar two = TorchScalar.py(2);
        // d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
        TorchScalar d1 = g1.plus(g2).minus(three.times(TorchScalar.py(f1).minus(TorchScalar.py(f2)))
                .div(x1.minus(x2)));
        TorchScalar d2Square = d1.square().minus(g1.times(g2));
        if (d2Square.ge(TorchScalar.ZERO)) {
            TorchScalar d2 = d2Square.sqrt();
            TorchScalar minPos;
            if (x1.le(x2)) {
                // x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
                minPos = x2.minus(x2.minus(x1).times(g2.plus(d2).minus(d1).div(g2.minus(g1).plus(two.times(d2)))));
            } else {
                minPos = x1.minus(x1.minus(x2).times(g1.plus(d2).minus(d1).div(g1.minus(g2).plus(two.times(d2)))));
            }
            return TorchScalar.min(TorchScalar.max(minPos, lo), hi);
        }
        return lo.plus(hi).div(two);
    }

    // ------------------------------------------------------------------------------------------------- vectors

    /** A vector: one new tensor per parameter, owned by this optimizer. */
    private Tensor[] vector() {
        Tensor[] v = new Tensor[params.length];
        owned.add(v);
        for (int i = 0; i < params.length; i++) {
            v[i] = backend.allocate(params[i].value().shape());
        }
        return v;
    }

    /** A history vector: a spare one, or a new one. */
    private Tensor[] take() {
        Tensor[] v = spare.poll();
        return v != null ? v : vector();
    }

    private void clearHistory() {
        spare.addAll(oldDirs);
        spare.addAll(oldStps);
        oldDirs.clear();
        oldStps.clear();
    }

    private void copy(Tensor[] src, Tensor[] dst) {
        for (int i = 0; i < dst.length; i++) {
            backend.copy(src[i], dst[i]);
        }
    }

    private void axpy(float alpha, Tensor[] x, Tensor[] y) {
        for (int i = 0; i < y.length; i++) {
            backend.axpy(alpha, x[i], y[i]);
        }
    }

    private void scale(float alpha, Tensor[] x) {
        for (Tensor xi : x) {
            backend.scale(alpha, xi);
        }
    }

    /** The dot product of two flat vectors, as a float32 number (torch's {@code x.dot(y)}). */
    private float dot(Tensor[] x, Tensor[] y) {
        double s = 0;
        for (int i = 0; i < x.length; i++) {
            s += backend.dot(x[i], y[i]);
        }
        return (float) s;
    }

    /** {@code x.abs().max()}: NaN when any element is NaN. */
    private float maxAbs(Tensor[] x) {
        float m = 0f;
        for (Tensor xi : x) {
            float v = backend.maxAbs(xi);
            if (Float.isNaN(v)) {
                return Float.NaN;
            }
            m = Math.max(m, v);
        }
        return m;
    }

    /** {@code x.abs().sum()} as a float32 number; read on the host (needed once, in the very first iteration). */
    private float absSum(Tensor[] x) {
        double s = 0;
        for (Tensor xi : x) {
            for (float v : backend.download(xi)) {
                s += Math.abs(v);
            }
        }
        return (float) s;
    }

    // ------------------------------------------------------------------------------------------------- Optimizer

    @Override
    public void endEpoch(double metric) {
        checkOpen();
        scheduler.endEpoch(metric);
    }

    /** Number of {@link #step(Closure)} calls so far. */
    @Override
    public long stepCount() {
        return steps;
    }

    @Override
    public double learningRate() {
        return scheduler.lr(0);
    }

    @Override
    public List<Parameter> parameters() {
        return paramList;
    }

    @Override
    public String name() {
        return NAME;
    }

    /** The hyper-parameters recorded in saved state: the options' settings. */
    public Map<String, Double> hyperParameters() {
        return Collections.unmodifiableMap(hyper);
    }

    /** The running schedule, for inspection (replaced by {@link #loadState}). */
    public Scheduler scheduler() {
        return scheduler;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException(NAME + " optimizer is closed");
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Tensor[] v : owned) {
            for (Tensor x : v) {
                if (x != null) {
                    x.close();
                }
            }
        }
        owned.clear();
        oldDirs.clear();
        oldStps.clear();
        spare.clear();
    }

    @Override
    public String toString() {
        return NAME + " " + hyper.entrySet().stream().map(e -> e.getKey() + "="
                + (e.getKey().equals("line_search") ? o.lineSearch().torchName() : Checks.format(e.getValue())))
                .toList() + " schedule " + schedule.spec();
    }

    // ------------------------------------------------------------------------------------------------- saved state

    private static final List<String> STATE_NAMES = List.of("d", "prev_flat_grad", "old_dirs", "old_stps");

    @Override
    public void saveState(DataOutputStream out) throws IOException {
        checkOpen();
        boolean started = nIter > 0;
        int numOld = oldDirs.size();
        List<OptimizerStateFile.Param> ps = new ArrayList<>(params.length);
        for (int i = 0; i < params.length; i++) {
            int size = Math.toIntExact(params[i].value().size());
            long histLen = (long) numOld * size;
            if (histLen > Integer.MAX_VALUE - 8) {
                throw new IOException(NAME + ": the history of parameter " + params[i].name() + " (" + numOld
                        + " x " + size + " values) is too large for the saved-state format");
            }
            float[] dirs = new float[(int) histLen];
            float[] stps = new float[(int) histLen];
            for (int k = 0; k < numOld; k++) {
                backend.download(oldDirs.get(k)[i], dirs, k * size);
                backend.download(oldStps.get(k)[i], stps, k * size);
            }
            List<String> names = new ArrayList<>(STATE_NAMES);
            List<float[]> data = new ArrayList<>(List.of(started ? backend.download(d[i]) : new float[0],
                    started ? backend.download(prevFlatGrad[i]) : new float[0], dirs, stps));
            if (i == 0) {
                names.add("ro");
                data.add(Arrays.copyOf(ro, numOld));
            }
            ps.add(new OptimizerStateFile.Param(params[i].name(), 0, params[i].value().shape(), names, data));
        }
        Map<String, Double> sched = new LinkedHashMap<>(scheduler.state());
        sched.put(KEY + "n_iter", (double) nIter);
        sched.put(KEY + "func_evals", (double) funcEvals);
        sched.put(KEY + "history", (double) numOld);
        sched.put(KEY + "t", t);
        sched.put(KEY + "h_diag", (double) hDiag);
        sched.put(KEY + "prev_loss", prevLoss);
        OptimizerStateFile.write(out, new OptimizerStateFile.Saved(NAME, hyper, steps, ps, schedule.spec(), sched));
    }

    /**
     * Reads a state written by {@link #saveState} and applies it after checking that it was saved by an lbfgs
     * optimizer with the same settings, parameters and schedule; on any error this optimizer is unchanged.
     */
    @Override
    public void loadState(DataInputStream in) throws IOException {
        checkOpen();
        OptimizerStateFile.Saved saved = OptimizerStateFile.read(in);
        if (!saved.name().equals(NAME)) {
            throw new IOException("optimizer state is for optimizer '" + saved.name() + "', this optimizer is '"
                    + NAME + "'");
        }
        checkHyper(saved.hyper());
        if (saved.params().size() != params.length) {
            throw new IOException("optimizer state has " + saved.params().size() + " parameters, this optimizer has "
                    + params.length);
        }
        if (!saved.scheduleSpec().equals(schedule.spec())) {
            throw new IOException("optimizer state has schedule " + saved.scheduleSpec() + ", this optimizer has "
                    + schedule.spec());
        }
        Map<String, Double> sched = new LinkedHashMap<>(saved.schedule());
        long savedIter = whole(sched.remove(KEY + "n_iter"), "n_iter", Long.MAX_VALUE);
        long savedEvals = whole(sched.remove(KEY + "func_evals"), "func_evals", Long.MAX_VALUE);
        int numOld = (int) whole(sched.remove(KEY + "history"), "history", o.historySize());
        Double savedT = sched.remove(KEY + "t");
        Double savedHDiag = sched.remove(KEY + "h_diag");
        Double savedPrevLoss = sched.remove(KEY + "prev_loss");
        if (savedT == null || savedHDiag == null || savedPrevLoss == null) {
            throw new IOException("optimizer state lacks lbfgs.t, lbfgs.h_diag or lbfgs.prev_loss");
        }
        if (savedHDiag.floatValue() != savedHDiag) {
            throw new IOException("optimizer state: lbfgs.h_diag " + savedHDiag + " is not a float32 value");
        }
        boolean started = savedIter > 0;
        for (int i = 0; i < params.length; i++) {
            checkParam(i, saved.params().get(i), started, numOld);
        }
        Scheduler restored = schedule.start(new double[] {o.lr()});
        try {
            restored.restore(sched);
        } catch (IllegalArgumentException e) {
            throw new IOException("optimizer state: " + e.getMessage(), e);
        }
        // everything checked: apply
        clearHistory();
        for (int k = 0; k < numOld; k++) {
            oldDirs.add(take());
            oldStps.add(take());
        }
        for (int i = 0; i < params.length; i++) {
            List<float[]> data = saved.params().get(i).data();
            int size = Math.toIntExact(params[i].value().size());
            if (started) {
                backend.upload(data.get(0), 0, d[i]);
                backend.upload(data.get(1), 0, prevFlatGrad[i]);
            } else {
                backend.fill(d[i], 0f);
                backend.fill(prevFlatGrad[i], 0f);
            }
            for (int k = 0; k < numOld; k++) {
                backend.upload(data.get(2), k * size, oldDirs.get(k)[i]);
                backend.upload(data.get(3), k * size, oldStps.get(k)[i]);
            }
        }
        Arrays.fill(ro, 0f);
        System.arraycopy(saved.params().get(0).data().get(4), 0, ro, 0, numOld);
        nIter = savedIter;
        funcEvals = savedEvals;
        t = savedT;
        hDiag = savedHDiag.floatValue();
        prevLoss = savedPrevLoss;
        steps = saved.steps();
        scheduler = restored;
    }

    private static long whole(Double v, String key, long max) throws IOException {
        if (v == null) {
            throw new IOException("optimizer state lacks " + KEY + key);
        }
        if (!(v >= 0 && v <= max) || v != Math.rint(v)) {
            throw new IOException("optimizer state: " + KEY + key + " = " + v + " is not a count from 0 to " + max);
        }
        return v.longValue();
    }

    private void checkParam(int i, OptimizerStateFile.Param saved, boolean started, int numOld) throws IOException {
        Parameter param = params[i];
        String pname = saved.name();
        if (!pname.equals(param.name())) {
            throw new IOException("optimizer state: parameter " + (i + 1) + " is named '" + pname
                    + "', this optimizer's is '" + param.name() + "'");
        }
        if (!Arrays.equals(saved.shape(), param.value().shape())) {
            throw new IOException("optimizer state: parameter " + pname + " has shape "
                    + Arrays.toString(saved.shape()) + ", this optimizer's has "
                    + Arrays.toString(param.value().shape()));
        }
        List<String> want = new ArrayList<>(STATE_NAMES);
        if (i == 0) {
            want.add("ro");
        }
        if (!saved.stateNames().equals(want)) {
            throw new IOException("optimizer state: parameter " + pname + " has state " + saved.stateNames()
                    + ", expected " + want);
        }
        long size = param.value().size();
        long[] lengths = {started ? size : 0, started ? size : 0, numOld * size, numOld * size, numOld};
        for (int s = 0; s < want.size(); s++) {
            int len = saved.data().get(s).length;
            if (len != lengths[s]) {
                throw new IOException("optimizer state: " + pname + "." + want.get(s) + " has " + len
                        + " elements, expected " + lengths[s]);
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
                throw new IOException("optimizer state has hyper-parameter " + k + " that this optimizer lacks");
            }
        }
    }
}
