/**
 * Learning-rate schedules with torch.optim.lr_scheduler's arithmetic.
 *
 * <p>A {@link dev.descent.optim.schedule.Schedule} is an immutable description; an optimizer starts a
 * {@link dev.descent.optim.schedule.Scheduler} from it for its parameter groups (each group's base learning rate is
 * scaled by the schedule) and owns it. Each schedule names its {@link dev.descent.optim.schedule.ScheduleUnit}:
 * {@code STEP} schedules advance after every {@link dev.descent.optim.Optimizer#step()}, {@code EPOCH} schedules at
 * every {@link dev.descent.optim.Optimizer#endEpoch(double)} — the place where a torch loop calls
 * {@code scheduler.step()}. Reduce-on-plateau always advances per epoch, with the metric given to {@code endEpoch}.
 *
 * <pre>{@code
 * Schedule s1 = Schedule.step(30, 0.1, ScheduleUnit.EPOCH);                       // StepLR(step_size=30, gamma=0.1)
 * Schedule s2 = Schedule.cosine(50, 1e-5, ScheduleUnit.EPOCH);                    // CosineAnnealingLR(T_max=50)
 * Schedule s3 = Schedule.warmup(500, ScheduleUnit.STEP, 0.01,                      // LinearLR warmup, then cosine
 *         Schedule.cosine(10_000, 0, ScheduleUnit.STEP));
 * Schedule s4 = Schedule.plateau().withPatience(2).withFactor(0.5);               // ReduceLROnPlateau
 * Schedule s5 = Schedule.parse("warmup(warmup=5, unit=epoch, start_factor=0.1, then=step(step_size=10))");
 * Schedule s6 = Schedule.parse("multistep(milestones=[30, 80], gamma=0.1)");     // MultiStepLR
 * Schedule s7 = Schedule.oneCycle(0.1, 10_000);                                   // OneCycleLR(max_lr=0.1, ...)
 * Schedule s8 = Schedule.lambda("inverse", ScheduleUnit.EPOCH, k -> 1.0 / (1 + 0.1 * k));   // LambdaLR
 * }</pre>
 *
 * <p>Learning rates are computed in double precision with torch 1.13's formulas in torch's operation order — the
 * recursive (chainable) form where torch's {@code get_lr} is recursive (StepLR, MultiStepLR, ExponentialLR,
 * CosineAnnealingLR, LinearLR, PolynomialLR), the closed form where it computes one (CosineAnnealingWarmRestarts,
 * OneCycleLR, CyclicLR, LambdaLR) — so they equal {@code optimizer.param_groups[i]['lr']} of the same torch loop (to
 * the last bit; within an ulp or two where a {@code cos} or a rounded {@code pow} is involved, since Java's and glibc's
 * may round to different sides).
 *
 * <p><b>Learning rate only.</b> OneCycleLR and CyclicLR also cycle the momentum by default in torch; descent's
 * schedules drive the learning rate only (torch's {@code cycle_momentum=False}).
 *
 * <p><b>Schedules of one's own.</b> {@code Schedule} is sealed: each of its implementations is one whose arithmetic
 * descent follows to the bit and whose running state it saves and restores (a run resumed from a checkpoint continues
 * bit-identically). A schedule of one's own is a function of the unit count,
 * {@link dev.descent.optim.schedule.Schedule#lambda(String, ScheduleUnit, java.util.function.LongToDoubleFunction)}
 * (torch's LambdaLR, rate = base × f(k)): it needs no state beyond the count, so saving and resuming work for it as for
 * the others. Its spec names the function ({@code lambda(name=NAME, unit=...)}); a run saved with it resumes only with
 * a schedule of the same name, and the caller must pass the same function under that name
 * ({@link dev.descent.optim.schedule.Schedule#parse(String, java.util.Map)} rebuilds a spec with the functions given by
 * name). The command line has no way to give a function: {@code lambda} is for the library.
 */
package dev.descent.optim.schedule;
