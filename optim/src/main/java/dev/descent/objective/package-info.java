/**
 * Minimizing a user-supplied differentiable function with any optimizer.
 *
 * <p>An {@link dev.descent.objective.Objective} gives value and gradient of a function of a float32 vector on the
 * host; {@link dev.descent.objective.Rosenbrock} is built in (the lecture's 2-D form with c = 10 and the n-D form with
 * c = 100 by default). {@link dev.descent.objective.ObjectiveMinimizer} keeps the vector on a backend as a [1, n]
 * tensor and runs an {@link dev.descent.optim.Optimizer} on it, recording a
 * {@link dev.descent.objective.Trajectory}:
 *
 * <pre>{@code
 * try (Backend backend = Backends.select("cpu", BackendOptions.defaults()).backend();
 *      ObjectiveMinimizer m = new ObjectiveMinimizer(backend, Rosenbrock.lecture(), new float[] {-1f, 1.5f})) {
 *     Optimizer opt = ...;                       // e.g. SGD over m.parameters(), lr 0.01
 *     Trajectory t = m.run(opt, 500);            // rows 0..500; divergence is reported, not hidden
 *     t.writeCsv(System.out);
 * }
 * }</pre>
 *
 * <p>Each step downloads w, computes the gradient on the host (in float32 for Rosenbrock, bit for bit as torch
 * autograd does), uploads it and calls {@code optimizer.step()}; nothing is allocated inside the loop.
 *
 * <p>A {@link dev.descent.objective.Trajectory} holds every row. For a long run, hand the rows to a
 * {@link dev.descent.objective.TrajectoryObserver} as they are computed instead (write them to a file, keep a bounded
 * {@link dev.descent.objective.TrajectorySample} to plot); the run then returns a
 * {@link dev.descent.objective.RunSummary} and its memory does not grow with the steps:
 *
 * <pre>{@code
 * TrajectorySample sample = new TrajectorySample(2);
 * RunSummary s = m.run(opt, 20_000_000, false, (step, w, value) -> {
 *     out.println(step + "," + w[0] + "," + w[1] + "," + value);
 *     sample.row(step, w, value);
 * });
 * }</pre>
 */
package dev.descent.objective;
