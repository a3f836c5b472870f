package dev.descent.it.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.backend.Backend;
import dev.descent.optim.BaseOptimizer;
import dev.descent.optim.GradientClipping;
import dev.descent.optim.OptimizerOptions;
import dev.descent.optim.Optimizers;
import dev.descent.optim.ParamGroup;
import dev.descent.optim.Parameter;
import dev.descent.optim.schedule.Schedule;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs a golden case through descent's optimizer on a backend and compares, step by step, the learning rates, the
 * losses and the recorded parameters with PyTorch's.
 *
 * <p>Tolerances. Learning rates: relative 1e-13 (torch and descent compute them in double with the same formulas;
 * cos may differ in the last bit). Parameters: |descent − torch| ≤ rtol · max(|torch|, floor · s) elementwise, with s
 * the largest magnitude in that tensor at that step; losses: relative rtol. Each test states its rtol and floor.
 */
final class Trajectories {
    static final double LR_RTOL = 1e-13;

    private Trajectories() {
    }

    /** Largest error seen, in units of the tolerance's scale (≤ RTOL passes). */
    record Result(double maxParamError, double maxLossError) {
    }

    static Result run(Backend backend, Golden.Case c, Problems.Problem problem, double rtol, double floor) {
        List<Parameter> ps = problem.parameters();
        OptimizerOptions options = Optimizers.parseOptions(c.optimizer, c.settings);
        List<ParamGroup> groups = new ArrayList<>();
        if (c.groups.isEmpty()) {
            groups.add(ParamGroup.of(ps));
        } else {
            for (Golden.Group g : c.groups) {
                List<Parameter> members = g.names().stream()
                        .map(n -> ps.stream().filter(p -> p.name().equals(n)).findFirst().orElseThrow()).toList();
                groups.add(new ParamGroup(members, g.lr(), g.weightDecay()));
            }
        }
        boolean negate = options.maximize();
        double maxParam = 0;
        double maxLoss = 0;
        try (BaseOptimizer opt = Optimizers.create(c.optimizer, options, groups, Schedule.parse(c.schedule),
                GradientClipping.parse(c.clip))) {
            assertEquals(c.lrs.size(), opt.groupCount(), c.id + ": groups");
            for (int step = 1; step <= c.steps; step++) {
                double loss = problem.lossAndGrad(negate);
                for (int g = 0; g < c.lrs.size(); g++) {
                    double want = c.lrs.get(g)[step - 1];
                    double got = opt.learningRate(g);
                    assertTrue(Math.abs(got - want) <= LR_RTOL * Math.abs(want), c.id + " step " + step + " group "
                            + g + ": lr " + got + ", torch " + want);
                }
                double wantLoss = c.loss[step - 1];
                double le = Math.abs(loss - wantLoss) / Math.abs(wantLoss);
                maxLoss = Math.max(maxLoss, le);
                assertTrue(le <= rtol, c.id + " step " + step + ": loss " + loss + ", torch " + wantLoss);
                opt.step();
                if (step % c.epoch == 0) {
                    opt.endEpoch(loss);
                }
                Map<String, float[]> want = c.params.get(step);
                if (want != null) {
                    for (Parameter p : ps) {
                        float[] w = want.get(p.name());
                        float[] got = backend.download(p.value());
                        double e = error(got, w, floor);
                        maxParam = Math.max(maxParam, e);
                        if (e > rtol) {
                            throw new AssertionError(c.id + " step " + step + " parameter " + p.name()
                                    + ": error " + e + " > " + rtol + "\n descent " + java.util.Arrays.toString(got)
                                    + "\n torch   " + java.util.Arrays.toString(w));
                        }
                    }
                }
            }
        }
        return new Result(maxParam, maxLoss);
    }

    /** max_i |a_i − b_i| / max(|b_i|, floor · max_j |b_j|). */
    static double error(float[] got, float[] want, double floor) {
        assertEquals(want.length, got.length);
        double scale = 0;
        for (float v : want) {
            scale = Math.max(scale, Math.abs(v));
        }
        double worst = 0;
        for (int i = 0; i < want.length; i++) {
            double denom = Math.max(Math.abs(want[i]), floor * scale);
            double e = denom == 0 ? Math.abs(got[i]) : Math.abs((double) got[i] - want[i]) / denom;
            worst = Math.max(worst, Double.isNaN(got[i]) ? Double.POSITIVE_INFINITY : e);
        }
        return worst;
    }
}
