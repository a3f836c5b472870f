package dev.descent.it.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.optim.schedule.Schedule;
import dev.descent.optim.schedule.Scheduler;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Learning rates of every schedule over 60 epochs for two parameter groups (base 0.1 and 0.02), reduce-on-plateau fed
 * a fixed metric sequence with plateaus and a NaN, against torch.optim.lr_scheduler's {@code param_group['lr']}
 * (golden/optim/schedules.txt). Tolerance: relative 1e-13 (both compute in double with the same formulas and
 * operation order; only {@code cos} may differ in its last bit); most values are bit-identical.
 */
class ScheduleGoldenTest {
    private static final Golden GOLDEN = Golden.load("schedules.txt");

    static List<Golden.Case> cases() {
        return GOLDEN.cases;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesTorch(Golden.Case c) {
        double[] bases = Golden.doubles(GOLDEN.header.get("bases").get(0));
        double[] metrics = Golden.doubles(GOLDEN.header.get("metrics").get(0));
        Schedule schedule = Schedule.parse(c.schedule);
        assertEquals(schedule, Schedule.parse(schedule.spec()), "spec round trip");
        Scheduler s = schedule.start(bases);
        int exact = 0;
        int total = 0;
        for (int e = 0; e <= metrics.length; e++) {
            for (int g = 0; g < bases.length; g++) {
                double want = c.lrs.get(g)[e];
                double got = s.lr(g);
                assertTrue(Math.abs(got - want) <= 1e-13 * Math.abs(want),
                        c.id + " epoch " + e + " group " + g + ": " + got + ", torch " + want);
                exact += got == want ? 1 : 0;
                total++;
            }
            if (e < metrics.length) {
                s.step(); // epoch schedules ignore steps
                s.endEpoch(metrics[e]);
            }
        }
        System.out.printf("schedule %-24s %d of %d learning rates bit-identical to torch%n", c.id, exact, total);
    }
}
