/**
 * Optimizers with torch.optim's exact update rules, learning-rate schedules, gradient clipping and saved optimizer
 * state.
 *
 * <h2>Example</h2>
 * <pre>{@code
 * try (BaseOptimizer opt = Optimizers.builder("adamw")
 *         .options(AdamOptions.adamwDefaults().withLr(3e-3))
 *         .schedule(Schedule.warmup(100, ScheduleUnit.STEP, 0.1, Schedule.cosine(20, 0, ScheduleUnit.EPOCH)))
 *         .clipping(GradientClipping.norm(1.0))
 *         .build(model.parameters())) {
 *     for (int epoch = 0; epoch < 20; epoch++) {
 *         double sum = 0;
 *         int n = 0;
 *         for (Batch batch : batches) {
 *             model.lossAndGradients(batch, lossOut, 0);   // fills every Parameter.grad()
 *             opt.step();                                  // clip, one fused update per tensor, per-step schedule
 *             sum += backend.get(lossOut, 0) * batch.size();
 *             n += batch.size();
 *         }
 *         opt.endEpoch(sum / n);                           // per-epoch schedule; plateau reads the metric
 *     }
 *     try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(tmp))) {
 *         opt.saveState(out);                              // resume later: opt.loadState(in)
 *     }
 * }
 * }</pre>
 * The {@link dev.descent.train.Trainer} runs this loop (and checkpoints) for a model and a loader.
 *
 * <h2>Optimizers</h2>
 * {@link dev.descent.optim.Optimizers} creates them by name: {@code sgd}, {@code momentum} (torch SGD with momentum 0.9
 * by default), {@code ema-momentum}, {@code adam}, {@code adamw}, {@code rmsprop}, {@code adagrad}, {@code nadam},
 * {@code radam}, {@code adamax}, {@code adadelta}. Each takes an options record with torch's defaults and torch's
 * validation ({@link dev.descent.optim.SgdOptions}, {@link dev.descent.optim.EmaMomentumOptions},
 * {@link dev.descent.optim.AdamOptions}, {@link dev.descent.optim.RmspropOptions},
 * {@link dev.descent.optim.AdagradOptions}, {@link dev.descent.optim.NadamOptions},
 * {@link dev.descent.optim.RadamOptions}, {@link dev.descent.optim.AdamaxOptions},
 * {@link dev.descent.optim.AdadeltaOptions}); their javadoc gives each update rule. Every step runs one fused backend
 * kernel per parameter tensor ({@code Backend.sgdUpdate}, {@code adamUpdate}, {@code rmspropUpdate},
 * {@code adagradUpdate}, {@code nadamUpdate}, {@code radamUpdate}, {@code adamaxUpdate}, {@code adadeltaUpdate});
 * state tensors are allocated once when the optimizer is created, owned by it and released by
 * {@link dev.descent.optim.Optimizer#close()}; {@code step()} allocates nothing.
 * Parameters can be split into {@link dev.descent.optim.ParamGroup}s with their own learning rate and weight decay.
 *
 * <h2>LBFGS</h2>
 * {@code lbfgs} ({@link dev.descent.optim.Lbfgs}, {@link dev.descent.optim.LbfgsOptions}) is torch.optim.LBFGS,
 * ported operation for operation, with its strong-Wolfe line search. It evaluates the objective itself, so it is
 * driven by {@link dev.descent.optim.Optimizer#step(Closure)} with a {@link dev.descent.optim.Closure} that computes
 * the loss and the gradients at the current parameters ({@link dev.descent.optim.Optimizer#needsClosure()} is true;
 * {@code step()} alone is refused). Every optimizer accepts {@code step(closure)} (the others evaluate it once, then
 * step), which is how {@link dev.descent.train.Trainer} and {@link dev.descent.objective.ObjectiveMinimizer} drive
 * lbfgs: one step per batch, or per epoch with the full batch. It is not a {@link dev.descent.optim.BaseOptimizer}
 * (one parameter group, no clipping, no weight decay, as torch): {@link dev.descent.optim.Optimizers#createOptimizer}
 * and {@link dev.descent.optim.Optimizers.Builder#buildOptimizer} create it, and every other optimizer too.
 *
 * <pre>{@code
 * try (Optimizer lbfgs = Optimizers.builder("lbfgs").set("line_search", "strong_wolfe")
 *         .buildOptimizer(model.parameters())) {
 *     Closure closure = () -> {
 *         model.lossAndGradients(wholeTrainingSet, lossOut, 0);
 *         return backend.get(lossOut, 0);
 *     };
 *     for (int epoch = 0; epoch < 20; epoch++) {
 *         double loss = lbfgs.step(closure);   // up to max_iter iterations; the loss before the step
 *     }
 * }
 * }</pre>
 *
 * <h2>Two momentums</h2>
 * The lecture writes momentum as v ← βv + (1 − β)∇R, w ← w − αv (v₀ = 0): that is {@code ema-momentum} with lr α and
 * beta β. Its code calls {@code torch.optim.SGD(lr=α, momentum=β)}, which is b ← βb + g, w ← w − αb (b₁ = g₁): that is
 * {@code momentum} (or {@code sgd} with a momentum). They are different optimizers. Exactly (in real arithmetic):
 * textbook (α, β) = torch SGD with lr α(1 − β), momentum β, dampening 0; and torch SGD with lr α, momentum β,
 * dampening β equals the textbook recurrence except for the first step, where torch copies the gradient.
 *
 * <h2>Order of operations in a step</h2>
 * {@link dev.descent.optim.Optimizer#step()}: (1) gradient clipping, by global norm or by value
 * ({@link dev.descent.optim.GradientClipping}), in place on the gradients; (2) for each parameter in group order, the
 * fused update with its group's current learning rate and weight decay, at step count t = {@code stepCount() + 1};
 * (3) the step count increases; (4) a per-step schedule advances. {@link dev.descent.optim.Optimizer#endEpoch(double)}
 * advances a per-epoch schedule (and feeds reduce-on-plateau its metric). See {@link dev.descent.optim.schedule}.
 *
 * <h2>Saved state, format version 1</h2>
 * {@link dev.descent.optim.Optimizer#saveState} writes, big-endian (DataOutputStream):
 * <pre>
 * int    magic 0x444F5054 ("DOPT")
 * int    format version (1)
 * long   payload length L in bytes
 * byte[L] payload:
 *     UTF    optimizer name (sgd, ema-momentum, adam, adamw, rmsprop, adagrad, nadam, radam, adamax, adadelta,
 *            lbfgs)
 *     int H, then H × (UTF key, double value): hyper-parameters — the options' settings by torch name (booleans 1/0),
 *            group.i.lr, group.i.weight_decay, group.i.size for each group, clip.none|clip.norm|clip.value
 *     long   step count
 *     int P, then P × parameter:
 *            UTF name; int group; int rank; rank × int dimension;
 *            int S, then S × (UTF state name, int n, n × float32): the state tensors, e.g. momentum_buffer,
 *            exp_avg, exp_avg_sq, max_exp_avg_sq, square_avg, grad_avg, sum, velocity, exp_inf, acc_delta
 *            (NAdam's mu_product is not stored: it follows from the step count, see Nadam); lbfgs: d,
 *            prev_flat_grad, old_dirs, old_stps (the history, concatenated) and on the first parameter ro
 *     UTF    schedule spec (Schedule.spec(), e.g. "cosine(t_max=20, eta_min=0.0, unit=epoch)")
 *     int K, then K × (UTF key, double value): schedule state (lr.i per group, last_epoch, plateau's best,
 *            num_bad_epochs, cooldown_counter, warmup.count, warmup.done, then.* for the schedule after a warmup,
 *            cosine-warm-restarts' t_cur and t_i); lbfgs adds its scalars here: lbfgs.n_iter, lbfgs.func_evals,
 *            lbfgs.history, lbfgs.t, lbfgs.h_diag, lbfgs.prev_loss
 *     int    0x454E4421 ("END!")
 * long   CRC-32 of the payload
 * </pre>
 * {@link dev.descent.optim.Optimizer#loadState} reads it back into an optimizer built the same way (same name,
 * hyper-parameters, parameter names, groups and shapes, same schedule); after it the run continues bit-identically on
 * the same backend. It checks everything before changing anything, and reports with an {@link java.io.IOException}
 * naming what is wrong: another format or version, a truncated or corrupted stream (checksum), another optimizer,
 * another hyper-parameter value, another parameter name or shape, another schedule. Parameter values are not part of
 * the optimizer state (the model saves them). The payload is limited to 2 GiB.
 */
package dev.descent.optim;
