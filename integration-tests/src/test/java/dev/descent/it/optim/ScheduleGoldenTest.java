package dev.descent.it.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.optim.schedule.Schedule;
import dev.descent.optim.schedule.Scheduler;
import java.util.List;
import java.util.Map;
import java.util.function.LongToDoubleFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Learning rates of every schedule for two parameter groups (base 0.1 and 0.02) over whole runs — 60 epochs, or a
 * case's own length (onecycle: its {@code total_steps}) — reduce-on-plateau fed a fixed metric sequence with plateaus
 * and a NaN, against torch.optim.lr_scheduler's {@code param_group['lr']} (golden/optim/schedules.txt).
 *
 * <p>Tolerance: the schedules whose arithmetic has only +, −, ×, ÷ (and pow with exactly representable results) are
 * bit-identical to torch; where torch calls {@code math.cos} or a {@code pow} whose result is rounded (glibc's; Java's
 * {@link Math#cos} and {@link Math#pow} are within an ulp of the exact value too, not always the same ulp), within
 * relative 1e-13, and most of those values are bit-identical as well.
 *
 * <p>Each run is also saved at its middle ({@link Scheduler#state()}), restored into a fresh scheduler, and continued:
 * the restored one gives the same rates, bit for bit, as the uninterrupted one.
 */
class ScheduleGoldenTest {
    private static final Golden GOLDEN = Golden.load("schedules.txt");

    /** The user-defined schedules' functions, as make_golden_optim.py's LAMBDAS defines them. */
    static final Map<String, LongToDoubleFunction> FUNCTIONS = Map.of(
            "inverse", k -> 1.0 / (1.0 + 0.1 * k),
            "halving", k -> Math.pow(0.5, k / 10),
            "ramp10", k -> Math.min(1.0, (k + 1) / 10.0));

    static List<Golden.Case> cases() {
        return GOLDEN.cases;
    }

    /** Whether torch's arithmetic for this schedule rounds a cos or a pow that Java may round to the other side. */
    private static boolean mayDifferInTheLastBit(String spec) {
        if (spec.contains("cosine") || spec.contains("anneal=cos") || spec.contains("exp_range")) {
            return true;
        }
        if (spec.contains("polynomial") && !spec.contains("power=1.0")) {
            return true;
        }
        // multistep: gamma ** n for a milestone listed n > 1 times
        return spec.contains("multistep") && spec.matches(".*milestones=\\[[^]]*\\b(\\d+), \\1\\b.*");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesTorch(Golden.Case c) {
        double[] bases = Golden.doubles(GOLDEN.header.get("bases").get(0));
        double[] metrics = Golden.doubles(GOLDEN.header.get("metrics").get(0));
        int events = c.events >= 0 ? c.events : metrics.length;
        Schedule schedule = Schedule.parse(c.schedule, FUNCTIONS);
        assertEquals(schedule, Schedule.parse(schedule.spec(), FUNCTIONS), "spec round trip");
        boolean exactOnly = !mayDifferInTheLastBit(c.schedule);
        Scheduler s = schedule.start(bases);
        Scheduler restored = null;
        int exact = 0;
        int total = 0;
        double ulps = 0;
        for (int e = 0; e <= events; e++) {
            for (int g = 0; g < bases.length; g++) {
                double want = c.lrs.get(g)[e];
                double got = s.lr(g);
                if (exactOnly) {
                    assertEquals(want, got, 0, c.id + " epoch " + e + " group " + g + ": bit-identical");
                } else {
                    assertTrue(Math.abs(got - want) <= 1e-13 * Math.abs(want),
                            c.id + " epoch " + e + " group " + g + ": " + got + ", torch " + want);
                }
                exact += got == want ? 1 : 0;
                ulps = Math.max(ulps, Math.abs(got - want) / Math.ulp(want));
                total++;
                if (restored != null) {
                    assertEquals(got, restored.lr(g), 0, c.id + " epoch " + e + " group " + g + ": restored");
                }
            }
            if (e == events / 2) {
                restored = schedule.start(bases);
                restored.restore(s.state());
                assertEquals(s.state(), restored.state());
            }
            if (e < events) {
                double metric = e < metrics.length ? metrics[e] : 0;
                s.step(); // epoch schedules ignore steps, step schedules ignore epochs
                s.endEpoch(metric);
                if (restored != null) {
                    restored.step();
                    restored.endEpoch(metric);
                }
            }
        }
        System.out.printf("schedule %-28s %d of %d learning rates bit-identical to torch%s%n", c.id, exact, total,
                exact == total ? "" : String.format(" (the others within %.0f ulp)", ulps));
    }

    /** Past its total_steps torch's OneCycleLR raises an error; descent holds the rate of the cycle's last step. */
    @Test
    void oneCycleHoldsItsFinalRatePastTheEnd() {
        Golden.Case c = GOLDEN.find("onecycle_groups");
        double[] bases = Golden.doubles(GOLDEN.header.get("bases").get(0));
        Scheduler s = Schedule.parse(c.schedule).start(bases);
        for (int e = 0; e < c.events + 25; e++) {
            s.step();
        }
        for (int g = 0; g < bases.length; g++) {
            double last = c.lrs.get(g)[c.events];
            assertEquals(last, s.lr(g), 0);
            assertEquals(bases[g] / 25 / 1e4, last, 1e-15 * last, "the minimum, max_lr / div / final_div");
        }
    }
}
