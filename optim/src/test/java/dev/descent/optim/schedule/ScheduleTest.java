package dev.descent.optim.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Schedule arithmetic against hand-computed values (the torch golden comparison is in integration-tests). */
class ScheduleTest {
    private static final double[] BASES = {0.1, 0.02};

    private static Scheduler epochs(Schedule s, int n) {
        Scheduler r = s.start(BASES);
        for (int i = 0; i < n; i++) {
            r.endEpoch(0);
        }
        return r;
    }

    @Test
    void constantKeepsTheBase() {
        Scheduler r = epochs(Schedule.constant(), 10);
        r.step();
        assertEquals(0.1, r.lr(0));
        assertEquals(0.02, r.lr(1));
    }

    @Test
    void stepDecaysEveryStepSizeUnits() {
        Schedule s = Schedule.step(3, 0.5, ScheduleUnit.EPOCH);
        double[] want = {0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025};
        for (int e = 0; e < want.length; e++) {
            assertEquals(want[e], epochs(s, e).lr(0), 1e-17, "epoch " + e);
            assertEquals(want[e] / 5, epochs(s, e).lr(1), 1e-17, "epoch " + e);
        }
    }

    @Test
    void unitsSelectTheEvents() {
        Scheduler perStep = Schedule.exponential(0.5, ScheduleUnit.STEP).start(BASES);
        perStep.endEpoch(1);
        assertEquals(0.1, perStep.lr(0));
        perStep.step();
        perStep.step();
        assertEquals(0.025, perStep.lr(0));
        Scheduler perEpoch = Schedule.exponential(0.5, ScheduleUnit.EPOCH).start(BASES);
        perEpoch.step();
        assertEquals(0.1, perEpoch.lr(0));
        perEpoch.endEpoch(1);
        assertEquals(0.05, perEpoch.lr(0));
    }

    @Test
    void cosineFollowsTheClosedFormAndRisesAfterTMax() {
        int tMax = 7;
        double etaMin = 0.003;
        Scheduler r = Schedule.cosine(tMax, etaMin, ScheduleUnit.EPOCH).start(BASES);
        for (int t = 0; t <= 40; t++) {
            for (int g = 0; g < 2; g++) {
                double closed = etaMin + (BASES[g] - etaMin) * (1 + Math.cos(Math.PI * t / tMax)) / 2;
                assertEquals(closed, r.lr(g), 1e-15, "t=" + t + " group " + g);
            }
            r.endEpoch(0);
        }
    }

    @Test
    void warmupIsLinearThenHandsOver() {
        Schedule s = Schedule.warmup(4, ScheduleUnit.EPOCH, 0.2, Schedule.cosine(10, 0.0, ScheduleUnit.EPOCH));
        for (int e = 0; e < 4; e++) {
            assertEquals(0.1 * (0.2 + 0.8 * e / 4), epochs(s, e).lr(0), 1e-16, "warmup epoch " + e);
            assertEquals(0.02 * (0.2 + 0.8 * e / 4), epochs(s, e).lr(1), 1e-16, "warmup epoch " + e);
        }
        for (int e = 4; e < 20; e++) {
            double t = e - 4;
            assertEquals(0.1 * (1 + Math.cos(Math.PI * t / 10)) / 2, epochs(s, e).lr(0), 1e-15, "epoch " + e);
        }
    }

    @Test
    void warmupInStepsThenPerEpochSchedule() {
        Scheduler r = Schedule.warmup(3, ScheduleUnit.STEP, 0.5, Schedule.step(1, 0.1, ScheduleUnit.EPOCH))
                .start(new double[] {1.0});
        assertEquals(0.5, r.lr(0));
        r.endEpoch(0); // ignored during the warmup: the following schedule has not started
        assertEquals(0.5, r.lr(0));
        r.step();
        assertEquals(0.5 * (1 + 0.5 / 1.5), r.lr(0), 1e-16);
        r.step();
        r.step(); // warmup over: the step schedule starts at its epoch 0 with the base rate
        assertEquals(1.0, r.lr(0));
        r.step();
        assertEquals(1.0, r.lr(0));
        r.endEpoch(0);
        assertEquals(0.1, r.lr(0), 1e-17);
    }

    @Test
    void plateauByHand() {
        Scheduler r = Schedule.plateau().withPatience(1).withFactor(0.5).withCooldown(1).withMinLr(0.015)
                .start(BASES);
        double[] metrics = {1.0, 0.99999, 0.99999, 0.5, 0.6, 0.7, 0.8, Double.NaN, 0.1};
        // e0 best 1; e1 not better by 1e-4 rel: bad 1; e2 bad 2 > 1: reduce (0.05; 0.01 < min_lr: 0.015), cooldown 1;
        // e3 better, cooldown 1 -> 0; e4 bad 1; e5 bad 2: reduce (group 1 stays at min_lr), cooldown 1;
        // e6 bad, in cooldown: 0; e7 NaN: bad 1; e8 better
        double[][] want = {{0.1, 0.02}, {0.1, 0.02}, {0.05, 0.015}, {0.05, 0.015}, {0.05, 0.015}, {0.025, 0.015},
            {0.025, 0.015}, {0.025, 0.015}, {0.025, 0.015}};
        for (int e = 0; e < metrics.length; e++) {
            r.endEpoch(metrics[e]);
            assertEquals(want[e][0], r.lr(0), 1e-17, "after epoch " + e);
            assertEquals(want[e][1], r.lr(1), 1e-17, "after epoch " + e);
        }
        r.step(); // plateau ignores steps
        assertEquals(0.025, r.lr(0), 1e-17);
    }

    @Test
    void plateauAfterWarmupIgnoresWarmupEpochs() {
        Scheduler r = Schedule.warmup(2, ScheduleUnit.EPOCH, 0.5, Schedule.plateau().withPatience(0))
                .start(new double[] {1.0});
        r.endEpoch(5); // warmup epoch: metric ignored
        assertEquals(0.75, r.lr(0));
        r.endEpoch(5); // warmup ends: plateau starts with the base rate and best = +inf
        assertEquals(1.0, r.lr(0));
        r.endEpoch(10); // first plateau epoch: better than +inf
        assertEquals(1.0, r.lr(0));
        r.endEpoch(10); // not better: patience 0 -> reduce
        assertEquals(0.1, r.lr(0), 1e-17);
    }

    @Test
    void specsParseBack() {
        Schedule[] all = {Schedule.constant(), Schedule.step(30, 0.1, ScheduleUnit.EPOCH),
            Schedule.exponential(0.95, ScheduleUnit.STEP), Schedule.cosine(50, 1e-5, ScheduleUnit.EPOCH),
            Schedule.warmup(500, ScheduleUnit.STEP, 0.01, Schedule.cosine(10000, 0, ScheduleUnit.STEP)),
            Schedule.plateau().withMode(ReduceLrOnPlateau.Mode.MAX)
                    .withThreshold(0.5, ReduceLrOnPlateau.ThresholdMode.ABS).withCooldown(3).withEps(0),
            Schedule.warmup(2, ScheduleUnit.EPOCH, 1, Schedule.warmup(3, ScheduleUnit.STEP, 0.5, Schedule.plateau()))};
        for (Schedule s : all) {
            assertEquals(s, Schedule.parse(s.spec()), s.spec());
        }
        assertEquals(Schedule.cosine(20, 0, ScheduleUnit.EPOCH), Schedule.parse(" Cosine ( t_max = 20 ) "));
        assertEquals(Schedule.warmup(5, ScheduleUnit.STEP, 1.0 / 3, Schedule.constant()),
                Schedule.parse("warmup(warmup=5)"));
        assertEquals(Schedule.plateau().withPatience(2).withFactor(0.5),
                Schedule.parse("reduce-on-plateau(patience=2, factor=0.5)"));
    }

    @Test
    void badTextAndSettingsAreNamed() {
        assertMessage("schedule 'cosine': cosine: missing setting t_max", () -> Schedule.parse("cosine"));
        assertMessage("schedule 'linear(x=1)': unknown schedule 'linear'; known: constant, step, exponential, cosine, "
                + "warmup, plateau", () -> Schedule.parse("linear(x=1)"));
        assertMessage("schedule 'step(step_size=2, gama=0.1)': step: unknown setting 'gama'; known: gamma, step_size, "
                + "unit", () -> Schedule.parse("step(step_size=2, gama=0.1)"));
        assertMessage("schedule 'step(step_size=2.5)': step: step_size '2.5' is not a whole number",
                () -> Schedule.parse("step(step_size=2.5)"));
        assertMessage("schedule 'exponential(gamma=big)': exponential: gamma 'big' is not a number",
                () -> Schedule.parse("exponential(gamma=big)"));
        assertMessage("schedule 'cosine(t_max=3, unit=hour)': cosine: unknown schedule unit 'hour', expected step or "
                + "epoch", () -> Schedule.parse("cosine(t_max=3, unit=hour)"));
        assertMessage("schedule 'cosine(t_max=3': unexpected end, expected ',' or ')'",
                () -> Schedule.parse("cosine(t_max=3"));
        assertMessage("schedule 'cosine(t_max=3; eta_min=0)': cosine: t_max '3; eta_min=0' is not a number",
                () -> Schedule.parse("cosine(t_max=3; eta_min=0)"));
        assertMessage("schedule 'cosine(t_max=3) x': unexpected 'x' after the schedule",
                () -> Schedule.parse("cosine(t_max=3) x"));
        assertMessage("cosine schedule: invalid t_max 0: must be >= 1", () -> Schedule.parse("cosine(t_max=0)"));
        assertMessage("step schedule: invalid step_size 0: must be >= 1",
                () -> Schedule.step(0, 0.1, ScheduleUnit.EPOCH));
        assertMessage("step schedule: invalid gamma -0.1: must be a finite number >= 0",
                () -> Schedule.step(1, -0.1, ScheduleUnit.EPOCH));
        assertMessage("cosine schedule: invalid eta_min -1.0: must be a finite number >= 0",
                () -> Schedule.cosine(3, -1, ScheduleUnit.EPOCH));
        assertMessage("warmup schedule: invalid start_factor 0.0: must be in (0, 1]",
                () -> Schedule.warmup(3, ScheduleUnit.STEP, 0, Schedule.constant()));
        assertMessage("warmup schedule: invalid warmup 0: must be >= 1",
                () -> Schedule.warmup(0, ScheduleUnit.STEP, 0.5, Schedule.constant()));
        assertMessage("plateau schedule: invalid factor 1.0: must be in [0, 1)",
                () -> Schedule.plateau().withFactor(1));
        assertMessage("plateau schedule: invalid patience -1: must be >= 0",
                () -> Schedule.plateau().withPatience(-1));
        assertMessage("plateau schedule: invalid cooldown -2: must be >= 0",
                () -> Schedule.plateau().withCooldown(-2));
        assertMessage("plateau schedule: invalid min_lr -0.1: must be a finite number >= 0",
                () -> Schedule.plateau().withMinLr(-0.1));
        assertMessage("schedule 'plateau(mode=up)': plateau: unknown mode 'up', expected min or max",
                () -> Schedule.parse("plateau(mode=up)"));
    }

    private static void assertMessage(String message, Runnable r) {
        assertEquals(message, assertThrows(IllegalArgumentException.class, r::run).getMessage());
    }

    @Test
    void stateRestoresExactly() {
        Schedule s = Schedule.warmup(3, ScheduleUnit.EPOCH, 0.1,
                Schedule.plateau().withPatience(1).withCooldown(2).withFactor(0.3));
        Scheduler a = s.start(BASES);
        double[] metrics = {3, 2, 1, 1, 1, 1, 0.5, 0.5, 0.5, 0.5};
        for (int e = 0; e < 6; e++) {
            a.endEpoch(metrics[e]);
        }
        Map<String, Double> st = a.state();
        Scheduler b = s.start(BASES);
        b.restore(st);
        assertEquals(st, b.state());
        for (int e = 6; e < metrics.length; e++) {
            a.endEpoch(metrics[e]);
            b.endEpoch(metrics[e]);
            assertEquals(a.lr(0), b.lr(0), 0);
            assertEquals(a.lr(1), b.lr(1), 0);
        }
        Map<String, Double> extra = new LinkedHashMap<>(st);
        extra.put("lr.2", 0.1);
        assertMessage("schedule state has unexpected lr.2 (another schedule or another number of parameter groups)",
                () -> s.start(BASES).restore(extra));
        Map<String, Double> missing = new LinkedHashMap<>(st);
        missing.remove("then.best");
        assertMessage("schedule state lacks then.best", () -> s.start(BASES).restore(missing));
        Map<String, Double> bad = new LinkedHashMap<>(st);
        bad.put("then.lr.0", -1.0);
        assertMessage("schedule state then.lr.0 = -1.0 is not a learning rate", () -> s.start(BASES).restore(bad));
        bad.put("then.lr.0", 0.1);
        bad.put("warmup.count", 1.5);
        assertMessage("schedule state warmup.count = 1.5 is not a whole count", () -> s.start(BASES).restore(bad));
        assertTrue(st.containsKey("then.num_bad_epochs"));
    }

    @Test
    void rejectsBadBaseRates() {
        assertMessage("schedule: base learning rate of group 1 is NaN, must be a finite number >= 0",
                () -> Schedule.constant().start(new double[] {0.1, Double.NaN}));
        assertMessage("a schedule needs at least one parameter group", () -> Schedule.constant().start(new double[0]));
    }

    /** A warmup chain in the thousands used to overflow the stack (parsing, printing, running); 32 levels is the bound. */
    @Test
    void nestingIsBoundedAtParseTime() {
        assertEquals(32, Schedule.MAX_NESTING);
        Schedule deepest = Schedule.parse(nested(Schedule.MAX_NESTING - 1));
        assertEquals(deepest, Schedule.parse(deepest.spec()), "the deepest allowed schedule reads back");
        epochs(deepest, 3);
        for (int n : new int[] {Schedule.MAX_NESTING, 10_000}) {
            String text = nested(n);
            String m = assertThrows(IllegalArgumentException.class, () -> Schedule.parse(text)).getMessage();
            assertTrue(m.startsWith("schedule 'warmup(warmup=1, then=") && m.contains("schedules nested more than 32 deep"),
                    m);
            assertTrue(m.length() < 200, "a long text is shortened in the message: " + m);
            if (n > 100) {
                assertTrue(m.contains("(" + text.length() + " characters)"), m);
            }
        }
        Schedule s = Schedule.constant();
        for (int i = 1; i < Schedule.MAX_NESTING; i++) {
            s = Schedule.warmup(1, ScheduleUnit.STEP, 1, s);
        }
        Schedule full = s;
        assertMessage("warmup schedule: then= nests schedules more than 32 deep",
                () -> Schedule.warmup(1, ScheduleUnit.STEP, 1, full));
    }

    /** {@code n} warmups around a constant schedule: {@code n + 1} schedules deep. */
    static String nested(int n) {
        return "warmup(warmup=1, then=".repeat(n) + "constant" + ")".repeat(n);
    }
}
