/**
 * Reverse-mode automatic differentiation on backend tensors: write an objective, a loss or a model as tensor
 * expressions and let descent find the gradient.
 *
 * <ul>
 * <li>{@link dev.descent.autodiff.Tape} records operations on {@link dev.descent.autodiff.Var}s, replays them
 *     ({@code forward()}) and differentiates them ({@code backward(loss)}) into the parameters' gradient tensors,
 *     allocation-free after the first time.</li>
 * <li>{@link dev.descent.autodiff.ExpressionObjective}: an {@link dev.descent.objective.Objective} from an expression of
 *     the parameter vector, for {@link dev.descent.objective.ObjectiveMinimizer} and {@code descent minimize}.</li>
 * <li>{@link dev.descent.autodiff.Module}, {@link dev.descent.autodiff.ExpressionLoss} and
 *     {@link dev.descent.autodiff.ExpressionModel}: a user's model and loss, trained by
 *     {@link dev.descent.train.Trainer} like a built-in model (checkpoints and resume included).</li>
 * </ul>
 *
 * <h2>Operations</h2>
 * <table>
 * <caption>the methods of Var</caption>
 * <tr><td>arithmetic, broadcasting</td><td>{@code add sub mul div pow} (with a Var or a number), {@code rsub neg}</td></tr>
 * <tr><td>elementwise functions</td><td>{@code exp log log1p sqrt abs sin cos tanh sigmoid relu softplus}</td></tr>
 * <tr><td>reductions</td><td>{@code sum mean max}: of every element, or along an axis (0: down the columns, 1: along
 *     the rows), optionally keeping the axis as a dimension of 1</td></tr>
 * <tr><td>matrices and rows</td><td>{@code matmul t softmax logSoftmax pick} (one element per row by int32
 *     labels: the cross-entropy's)</td></tr>
 * <tr><td>indexing and shape</td><td>{@code get(i) get(row, col) slice(axis, from, to) reshape(...)}</td></tr>
 * <tr><td>leaves</td><td>{@code Tape.parameter input labels constant}</td></tr>
 * </table>
 *
 * <h2>Shapes</h2>
 * Values have rank 0 (a scalar), 1 ({@code [n]}) or 2 ({@code [rows, cols]}), and broadcast as in torch: a rank-1
 * value is one row, a dimension of 1 repeats along that dimension. A bias {@code [k]} added to {@code [rows, k]}
 * logits adds to every row; {@code x.sub(x.max(1, true))} subtracts each row's maximum.
 *
 * <h2>Arithmetic</h2>
 * float32, with torch 1.13's forward and backward formulas for each operation (see
 * {@link dev.descent.backend.UnaryOp}, {@link dev.descent.backend.BinaryOp}, {@link dev.descent.backend.ReduceOp}):
 * the lecture's Rosenbrock written as {@code (1 - w1)^2 + 10*(w2 - w1^2)^2} gives the hand-written objective's
 * gradients bit for bit, and golden data from PyTorch's autograd (integration-tests) checks the lecture's models.
 * Numbers in expressions are float32 constants, as torch converts a Python number.
 *
 * <h2>Speed</h2>
 * A tape replays without allocating. An {@link dev.descent.autodiff.ExpressionObjective} of scalars (a typed formula)
 * runs its recording as a flat instruction list on the host, and other small element-wise objectives as a host
 * program, with the tape's plan and formulas; larger ones and models replay on the backend. Measured on a Zen 4 host
 * (benchmarks/results/autodiff-2026-12-07.md): the lecture's Rosenbrock step at 1.6× the hand-written objective's,
 * softmax regression written as expressions at 1.0× (batch 16) and 1.1–1.3× (full batch) the fused built-in model.
 *
 * <h2>An objective</h2>
 * <pre>{@code
 * try (ExpressionObjective beale = ExpressionObjective.of(backend, 2, "beale", w -> {
 *         Var x = w.get(0), y = w.get(1);
 *         return x.rsub(1.5).add(x.mul(y)).pow(2)
 *                 .add(x.rsub(2.25).add(x.mul(y.pow(2))).pow(2))
 *                 .add(x.rsub(2.625).add(x.mul(y.pow(3))).pow(2));
 *     })) {
 *     Trajectory t = ObjectiveMinimizer.minimize(backend, beale, new float[] {1, 1}, adam, 2000);
 * }
 * }</pre>
 *
 * <h2>A loss</h2>
 * <pre>{@code
 * ExpressionLoss huber = (out, target) -> {                 // torch's HuberLoss(delta = 1)
 *     Var a = out.sub(target).abs();
 *     Var q = a.add(1).sub(a.sub(1).abs()).mul(0.5);       // min(|r|, 1)
 *     return q.pow(2).mul(0.5).add(a.sub(q)).mean();
 * };
 * Model model = ExpressionModel.regression(new Linear(backend, 13, 1), 13, 1, huber);
 * }</pre>
 *
 * <h2>A model</h2>
 * See {@link dev.descent.autodiff.Module}: parameters made in the constructor, a {@code forward(tape, x)} expression.
 *
 * <h2>By hand</h2>
 * <pre>{@code
 * try (Tape tape = new Tape(backend)) {
 *     Var x = tape.input("x", features), y = tape.labels("y", labels);
 *     Var loss = x.matmul(tape.parameter(w)).add(tape.parameter(b)).logSoftmax().pick(y).mean().neg();
 *     for (int step = 0; step < 100; step++) {
 *         tape.forward();            // recompute at the current parameters (and inputs bound with tape.bind)
 *         tape.backward(loss);       // gradients into w.grad() and b.grad()
 *         optimizer.step();
 *     }
 * }
 * }</pre>
 */
package dev.descent.autodiff;
