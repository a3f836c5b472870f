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
 * }</pre>
 *
 * <p>Learning rates are computed in double precision with torch 1.13's recursive (chainable) formulas in torch's
 * operation order, so they equal {@code optimizer.param_groups[i]['lr']} of the same torch loop (to the last bit,
 * within an ulp where a cosine is involved).
 */
package dev.descent.optim.schedule;
