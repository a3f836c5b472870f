package dev.descent.optim.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongToDoubleFunction;
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
        assertMessage("schedule 'linearly(x=1)': unknown schedule 'linearly'; known: constant, step, multistep, "
                + "exponential, cosine, cosine-warm-restarts, linear, polynomial, onecycle, cyclic, warmup, plateau, "
                + "lambda", () -> Schedule.parse("linearly(x=1)"));
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

    // ------------------------------------------------------------------ schedules of issue 21

    @Test
    void multiStepDecaysAtEachMilestoneAndRepeatsCount() {
        Schedule s = Schedule.parse("multistep(milestones=[4, 2, 4], gamma=0.5)");
        assertEquals(List.of(2, 4, 4), ((MultiStepLr) s).milestones(), "kept sorted");
        double[] want = {0.1, 0.1, 0.05, 0.05, 0.0125, 0.0125, 0.0125};
        for (int e = 0; e < want.length; e++) {
            assertEquals(want[e], epochs(s, e).lr(0), 0, "epoch " + e);
        }
        assertEquals(Schedule.multiStep(List.of(30), 0.1, ScheduleUnit.EPOCH),
                Schedule.parse("multistep(milestones=30)"));
        assertEquals(Schedule.multiStep(List.of(3, 8), 0.1, ScheduleUnit.STEP),
                Schedule.parse("MultiStepLR( milestones = [ 8 ,3 ] , unit=step)"));
    }

    @Test
    void linearAndPolynomialByHand() {
        Schedule lin = Schedule.linear(0.5, 1.0, 4, ScheduleUnit.EPOCH);
        double[] want = {0.05, 0.0625, 0.075, 0.0875, 0.1, 0.1};
        for (int e = 0; e < want.length; e++) {
            assertEquals(want[e], epochs(lin, e).lr(0), 1e-16, "linear epoch " + e);
        }
        Schedule poly = Schedule.polynomial(4, 2.0, ScheduleUnit.EPOCH);
        for (int e = 0; e <= 6; e++) {
            double f = 1 - Math.min(e, 4) / 4.0;
            assertEquals(0.1 * f * f, epochs(poly, e).lr(0), 1e-17, "polynomial epoch " + e);
        }
        assertEquals(Schedule.linear(1.0 / 3, 1.0, 5, ScheduleUnit.EPOCH), Schedule.parse("linear"));
        assertEquals(Schedule.polynomial(5, 1.0, ScheduleUnit.EPOCH), Schedule.parse("polynomial()"));
    }

    @Test
    void warmRestartsRestartWithLongerPeriods() {
        Scheduler r = Schedule.cosineWarmRestarts(2, 2, 0, ScheduleUnit.EPOCH).start(BASES);
        // periods 2, 4, 8: restarts at 2, 6, 14
        int[] tCur = {0, 1, 0, 1, 2, 3, 0, 1, 2, 3, 4, 5, 6, 7, 0};
        int[] tI = {2, 2, 4, 4, 4, 4, 8, 8, 8, 8, 8, 8, 8, 8, 16};
        for (int e = 0; e < tCur.length; e++) {
            assertEquals(0.1 * (1 + Math.cos(Math.PI * tCur[e] / tI[e])) / 2, r.lr(0), 1e-17, "epoch " + e);
            r.endEpoch(0);
        }
        Map<String, Double> st = r.state();
        assertEquals(List.of("last_epoch", "t_cur", "t_i", "lr.0", "lr.1"), List.copyOf(st.keySet()));
        Map<String, Double> bad = new LinkedHashMap<>(st);
        bad.put("t_cur", 16.0);
        assertMessage("schedule state t_cur = 16, t_i = 16 is not a position in a cycle (0 <= t_cur < t_i)",
                () -> Schedule.cosineWarmRestarts(2, 2, 0, ScheduleUnit.EPOCH).start(BASES).restore(bad));
    }

    @Test
    void oneCycleRisesFallsAndHolds() {
        Schedule s = Schedule.parse("onecycle(max_lr=1, total_steps=10, pct_start=0.2, anneal=linear)");
        Scheduler r = s.start(BASES);
        // phase ends 1 and 9: 0.04 -> 1 at step 1, then linearly to 4e-6 at step 9; held after
        assertEquals(0.04, r.lr(0), 0);
        assertEquals(0.04, r.lr(1), 0, "max_lr given: every group the same");
        r.step();
        assertEquals(1.0, r.lr(0), 0);
        for (int k = 2; k <= 9; k++) {
            r.step();
            assertEquals((4e-6 - 1.0) * ((k - 1) / 8.0) + 1.0, r.lr(0), 0, "step " + k);
        }
        double last = r.lr(0);
        for (int k = 0; k < 5; k++) {
            r.step();
            r.endEpoch(0);
        }
        assertEquals(last, r.lr(0), 0, "past total_steps the final rate holds");
        Scheduler own = Schedule.oneCycle(Double.NaN, 10).start(BASES);
        assertEquals(0.1 / 25, own.lr(0), 1e-17, "without max_lr each group peaks at its base rate");
        assertEquals(0.02 / 25, own.lr(1), 1e-17);
        assertEquals("onecycle(total_steps=10, pct_start=0.3, anneal=cos, div_factor=25.0, final_div_factor=10000.0, "
                + "three_phase=false, unit=step)", Schedule.oneCycle(Double.NaN, 10).spec());
    }

    @Test
    void cyclicBetweenTwoRates() {
        Scheduler r = Schedule.parse("cyclic(base_lr=0.1, max_lr=0.5, step_size_up=2, step_size_down=2, "
                + "mode=triangular2)").start(BASES);
        double[] want = {0.1, 0.3, 0.5, 0.3, 0.1, 0.2, 0.3, 0.2, 0.1, 0.15};
        for (int k = 0; k < want.length; k++) {
            assertEquals(want[k], r.lr(0), 1e-16, "step " + k);
            assertEquals(r.lr(0), r.lr(1), 0, "every group the same");
            r.step();
        }
        assertEquals(Schedule.cyclic(0.1, 0.5, 2000, 2000, CyclicLr.Mode.TRIANGULAR, 1, ScheduleUnit.STEP),
                Schedule.parse("cyclic(base_lr=0.1, max_lr=0.5)"));
    }

    @Test
    void userDefinedSchedulesAreFunctionsOfTheCount() {
        LongToDoubleFunction half = k -> k < 3 ? 1 : 0.5;
        Schedule s = Schedule.lambda("half-after-3", ScheduleUnit.EPOCH, half);
        assertEquals("lambda(name=half-after-3, unit=epoch)", s.spec());
        assertEquals(0.1, epochs(s, 2).lr(0), 0);
        assertEquals(0.01, epochs(s, 3).lr(1), 0);
        assertEquals(s, Schedule.parse(s.spec(), Map.of("half-after-3", half)));
        Schedule w = Schedule.warmup(2, ScheduleUnit.EPOCH, 0.5, s);
        assertEquals(w, Schedule.parse(w.spec(), Map.of("half-after-3", half)));
        assertMessage("schedule 'lambda(name=half-after-3, unit=epoch)': lambda: user-defined schedule 'half-after-3' "
                + "needs its function, which text cannot give (build it in the library: Schedule.lambda, or "
                + "Schedule.parse(text, functions))", () -> Schedule.parse(s.spec()));
        assertMessage("schedule 'lambda(name=x)': lambda: no function named 'x'; known: half-after-3",
                () -> Schedule.parse("lambda(name=x)", Map.of("half-after-3", half)));
        assertMessage("lambda schedule: invalid name 'a b': must be 1 to 64 letters, digits, _ - . :",
                () -> Schedule.lambda("a b", ScheduleUnit.STEP, half));
        Scheduler bad = Schedule.lambda("neg", ScheduleUnit.STEP, k -> k == 2 ? -1 : 1).start(BASES);
        bad.step();
        Map<String, Double> before = bad.state();
        assertEquals("lambda schedule 'neg': factor(2) = -1.0, must be a finite number >= 0",
                assertThrows(IllegalStateException.class, bad::step).getMessage());
        assertEquals(before, bad.state(), "a refused step changes nothing");
    }

    @Test
    void newSpecsParseBack() {
        Schedule[] all = {Schedule.multiStep(List.of(30, 80, 80), 0.1, ScheduleUnit.EPOCH),
            Schedule.oneCycle(0.3, 1000), Schedule.oneCycle(Double.NaN, 7),
            Schedule.oneCycle(0.01, 50, 0.45, OneCycleLr.Anneal.LINEAR, 10, 100, true, ScheduleUnit.EPOCH),
            Schedule.cosineWarmRestarts(10, 2, 1e-5, ScheduleUnit.STEP),
            Schedule.polynomial(100, 0.9, ScheduleUnit.STEP),
            Schedule.cyclic(1e-4, 0.01, 50, 0, CyclicLr.Mode.EXP_RANGE, 0.999, ScheduleUnit.EPOCH),
            Schedule.linear(0.1, 0.0, 8, ScheduleUnit.STEP),
            Schedule.warmup(5, ScheduleUnit.STEP, 0.1, Schedule.cyclic(0.1, 1, 3, 4, CyclicLr.Mode.TRIANGULAR, 1,
                    ScheduleUnit.STEP))};
        for (Schedule s : all) {
            assertEquals(s, Schedule.parse(s.spec()), s.spec());
        }
        assertEquals(Schedule.cosineWarmRestarts(5, 1, 0, ScheduleUnit.EPOCH),
                Schedule.parse("cosine-warm-restarts(t_0=5)"));
        assertEquals(Schedule.parse("onecycle(max_lr=0.1, total_steps=100, three_phase=TRUE)"),
                Schedule.oneCycle(0.1, 100, 0.3, OneCycleLr.Anneal.COS, 25, 1e4, true, ScheduleUnit.STEP));
    }

    @Test
    void newBadTextAndSettingsAreNamed() {
        assertMessage("schedule 'multistep(milestones=[30, 80)': '[' at position 22 is not closed by ']'",
                () -> Schedule.parse("multistep(milestones=[30, 80)"));
        assertMessage("schedule 'multistep(milestones=[])': multistep: milestones is empty: give at least one, e.g. "
                + "milestones=[30, 80]", () -> Schedule.parse("multistep(milestones=[])"));
        assertMessage("schedule 'multistep(milestones=[30, x])': multistep: milestone 'x' is not a number "
                + "(milestones=[30, 80])", () -> Schedule.parse("multistep(milestones=[30, x])"));
        assertMessage("schedule 'multistep(milestones=[3.5])': multistep: milestone '3.5' is not a whole number",
                () -> Schedule.parse("multistep(milestones=[3.5])"));
        assertMessage("schedule 'multistep(gamma=0.5)': multistep: missing setting milestones",
                () -> Schedule.parse("multistep(gamma=0.5)"));
        assertMessage("multistep schedule: invalid milestone -1: must be >= 0",
                () -> Schedule.parse("multistep(milestones=[-1, 4])"));
        assertMessage("multistep schedule: 1001 milestones, at most 1000",
                () -> Schedule.multiStep(java.util.Collections.nCopies(1001, 1), 0.1, ScheduleUnit.EPOCH));
        assertMessage("schedule 'onecycle(max_lr=0.1)': onecycle: missing setting total_steps",
                () -> Schedule.parse("onecycle(max_lr=0.1)"));
        assertMessage("onecycle schedule: invalid pct_start 1.5: must be in [0, 1]",
                () -> Schedule.parse("onecycle(total_steps=10, pct_start=1.5)"));
        assertMessage("onecycle schedule: pct_start 0.1 × total_steps 10 = 1 leaves the rising phase without length "
                + "(torch divides by zero at step 0)", () -> Schedule.parse("onecycle(total_steps=10, pct_start=0.1)"));
        assertMessage("onecycle schedule: invalid div_factor 0.0: must be a finite number > 0",
                () -> Schedule.parse("onecycle(total_steps=10, div_factor=0)"));
        assertMessage("schedule 'onecycle(total_steps=10, anneal=cosine)': onecycle: unknown anneal 'cosine', "
                + "expected cos or linear", () -> Schedule.parse("onecycle(total_steps=10, anneal=cosine)"));
        assertMessage("schedule 'onecycle(total_steps=10, three_phase=yes)': onecycle: three_phase 'yes' is not true "
                + "or false", () -> Schedule.parse("onecycle(total_steps=10, three_phase=yes)"));
        assertMessage("onecycle schedule: invalid max_lr -1.0: must be a finite number >= 0",
                () -> Schedule.oneCycle(-1, 10));
        assertMessage("warmup schedule: then=onecycle is not supported: onecycle sets the rates itself and has its own "
                + "warm-up phase (pct_start)", () -> Schedule.parse("warmup(warmup=3, then=onecycle(total_steps=9))"));
        assertMessage("schedule 'cyclic(max_lr=0.1)': cyclic: missing setting base_lr",
                () -> Schedule.parse("cyclic(max_lr=0.1)"));
        assertMessage("schedule 'cyclic(base_lr=0.1, max_lr=1, mode=sine)': cyclic: unknown mode 'sine', expected "
                + "triangular, triangular2 or exp_range",
                () -> Schedule.parse("cyclic(base_lr=0.1, max_lr=1, mode=sine)"));
        assertMessage("cyclic schedule: invalid step_size_up 0: must be >= 1",
                () -> Schedule.parse("cyclic(base_lr=0.1, max_lr=1, step_size_up=0)"));
        assertMessage("cyclic schedule: invalid gamma 1.5: must be in [0, 1]",
                () -> Schedule.parse("cyclic(base_lr=0.1, max_lr=1, mode=exp_range, gamma=1.5)"));
        assertMessage("cosine-warm-restarts schedule: invalid t_mult 0: must be >= 1",
                () -> Schedule.parse("cosine-warm-restarts(t_0=3, t_mult=0)"));
        assertMessage("schedule 'cosine-warm-restarts(t_0=3, t_mult=1.5)': cosine-warm-restarts: t_mult '1.5' is not "
                + "a whole number", () -> Schedule.parse("cosine-warm-restarts(t_0=3, t_mult=1.5)"));
        assertMessage("linear schedule: invalid start_factor 0.0: must be in (0, 1]",
                () -> Schedule.parse("linear(start_factor=0)"));
        assertMessage("linear schedule: invalid end_factor 1.5: must be in [0, 1]",
                () -> Schedule.parse("linear(end_factor=1.5)"));
        assertMessage("polynomial schedule: invalid power -1.0: must be a finite number >= 0",
                () -> Schedule.parse("polynomial(power=-1)"));
        assertMessage("polynomial schedule: invalid total_iters 0: must be >= 1",
                () -> Schedule.parse("polynomial(total_iters=0)"));
    }

    /** Every schedule, saved at any point and restored into a fresh scheduler, continues bit-identically. */
    @Test
    void newSchedulesRestoreExactly() {
        LongToDoubleFunction f = k -> 1.0 / (1 + k);
        Schedule[] all = {Schedule.parse("multistep(milestones=[2, 5, 5], gamma=0.5, unit=step)"),
            Schedule.parse("onecycle(total_steps=12, three_phase=true)"),
            Schedule.parse("cosine-warm-restarts(t_0=2, t_mult=3, eta_min=0.001, unit=step)"),
            Schedule.parse("polynomial(total_iters=7, power=2, unit=step)"),
            Schedule.parse("cyclic(base_lr=0.01, max_lr=0.1, step_size_up=3, mode=exp_range, gamma=0.9)"),
            Schedule.parse("linear(start_factor=0.25, total_iters=6, unit=step)"),
            Schedule.lambda("inv", ScheduleUnit.STEP, f),
            Schedule.parse("warmup(warmup=3, then=cosine-warm-restarts(t_0=3, unit=step))")};
        for (Schedule s : all) {
            for (int at = 0; at < 15; at++) {
                Scheduler a = s.start(BASES);
                for (int k = 0; k < at; k++) {
                    a.step();
                }
                Scheduler b = s.start(BASES);
                b.restore(a.state());
                for (int k = at; k < 20; k++) {
                    assertEquals(a.lr(0), b.lr(0), 0, s.spec() + " restored at " + at + ", step " + k);
                    assertEquals(a.lr(1), b.lr(1), 0, s.spec() + " restored at " + at + ", step " + k);
                    a.step();
                    b.step();
                }
            }
        }
    }

    /** {@code n} warmups around a constant schedule: {@code n + 1} schedules deep. */
    static String nested(int n) {
        return "warmup(warmup=1, then=".repeat(n) + "constant" + ")".repeat(n);
    }
}
