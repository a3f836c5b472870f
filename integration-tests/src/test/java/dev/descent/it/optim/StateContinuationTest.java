package dev.descent.it.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.backend.Backend;
import dev.descent.backend.BackendOptions;
import dev.descent.backend.Backends;
import dev.descent.optim.BaseOptimizer;
import dev.descent.optim.GradientClipping;
import dev.descent.optim.Optimizers;
import dev.descent.optim.ParamGroup;
import dev.descent.optim.Parameter;
import dev.descent.optim.schedule.Schedule;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.LongToDoubleFunction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Saved optimizer state on the CPU backend: a run restored from a checkpoint continues bit-identically, and a
 * truncated, corrupted or mismatched checkpoint is refused with a message naming what is wrong.
 */
class StateContinuationTest {
    private static final Golden GOLDEN = Golden.load("softmax.txt");
    private static Backend backend;

    @BeforeAll
    static void open() {
        backend = Backends.select("cpu", BackendOptions.threads(2)).backend();
    }

    @AfterAll
    static void close() {
        backend.close();
    }

    private static BaseOptimizer make(String name, List<Parameter> ps) {
        return make(name, ps, Schedule.parse("warmup(warmup=4, unit=step, start_factor=0.25, "
                + "then=plateau(patience=0, factor=0.5, threshold=0.001))"));
    }

    private static BaseOptimizer make(String name, List<Parameter> ps, Schedule schedule) {
        return Optimizers.builder(name).set("lr", name.startsWith("sgd") || name.contains("momentum") ? "0.2" : "0.02")
                .schedule(schedule)
                .clipping(GradientClipping.norm(0.5))
                .buildGroups(List.of(ParamGroup.of(ps.get(0)).withWeightDecay(0.01), ParamGroup.of(ps.get(1))
                        .withLr(0.01)));
    }

    /** User-defined schedules of the test below, by name. */
    private static final Map<String, LongToDoubleFunction> FUNCTIONS = Map.of(
            "inverse", k -> 1.0 / (1.0 + 0.1 * k), "other", k -> 1.0 / (1.0 + 0.1 * k));

    /**
     * The schedules added for issue 21, through the optimizer's saved state: a run restored after 13 steps continues
     * bit-identically (the epoch schedules advance every 3 steps).
     */
    @ParameterizedTest
    @ValueSource(strings = {"onecycle(total_steps=25, three_phase=true)",
        "onecycle(max_lr=0.05, total_steps=20, anneal=linear)",
        "cyclic(base_lr=0.001, max_lr=0.05, step_size_up=4, mode=triangular2)",
        "cosine-warm-restarts(t_0=2, t_mult=2, eta_min=0.001, unit=step)", "multistep(milestones=[2, 5, 5], gamma=0.5)",
        "polynomial(total_iters=8, power=2.0)", "linear(start_factor=0.2, total_iters=6)",
        "lambda(name=inverse, unit=step)", "warmup(warmup=5, then=cosine-warm-restarts(t_0=3, unit=step))"})
    void newSchedulesContinueBitIdentically(String spec) throws IOException {
        Schedule schedule = Schedule.parse(spec, FUNCTIONS);
        try (Problems.Problem p = Problems.Softmax.fromGolden(backend, GOLDEN)) {
            List<Parameter> ps = p.parameters();
            float[][] snapshot;
            byte[] state;
            double[] lossesA;
            float[][] paramsA;
            double[] lrA = new double[2];
            try (BaseOptimizer a = make("adam", ps, schedule)) {
                train(p, a, 0, 13);
                state = save(a);
                snapshot = ps.stream().map(x -> backend.download(x.value())).toArray(float[][]::new);
                lossesA = train(p, a, 13, 30);
                paramsA = ps.stream().map(x -> backend.download(x.value())).toArray(float[][]::new);
                lrA[0] = a.scheduler().lr(0);
                lrA[1] = a.scheduler().lr(1);
            }
            for (int i = 0; i < ps.size(); i++) {
                backend.upload(snapshot[i], 0, ps.get(i).value());
            }
            try (BaseOptimizer b = make("adam", ps, Schedule.parse(spec, FUNCTIONS))) {
                b.loadState(new DataInputStream(new ByteArrayInputStream(state)));
                double[] lossesB = train(p, b, 13, 30);
                assertArrayEquals(lossesA, lossesB, spec + ": losses after restore");
                for (int i = 0; i < ps.size(); i++) {
                    assertArrayEquals(paramsA[i], backend.download(ps.get(i).value()), spec + ": " + ps.get(i).name());
                }
                assertEquals(lrA[0], b.scheduler().lr(0), 0);
                assertEquals(lrA[1], b.scheduler().lr(1), 0);
            }
        }
    }

    /** A user-defined schedule resumes only under the name it was saved with: its spec names the function. */
    @Test
    void userDefinedScheduleResumesOnlyUnderItsName() throws IOException {
        try (Problems.Problem p = Problems.Softmax.fromGolden(backend, GOLDEN)) {
            List<Parameter> ps = p.parameters();
            byte[] state;
            try (BaseOptimizer a = make("adam", ps, Schedule.parse("lambda(name=inverse, unit=step)", FUNCTIONS))) {
                train(p, a, 0, 4);
                state = save(a);
            }
            try (BaseOptimizer b = make("adam", ps, Schedule.parse("lambda(name=other, unit=step)", FUNCTIONS))) {
                IOException e = assertThrows(IOException.class,
                        () -> b.loadState(new DataInputStream(new ByteArrayInputStream(state))));
                assertEquals("optimizer state has schedule lambda(name=inverse, unit=step), this optimizer has "
                        + "lambda(name=other, unit=step)", e.getMessage());
            }
        }
    }

    /** Runs steps [from, to), an epoch every 3 steps; returns the losses. */
    private static double[] train(Problems.Problem p, BaseOptimizer opt, int from, int to) {
        double[] losses = new double[to - from];
        for (int s = from; s < to; s++) {
            double loss = p.lossAndGrad(false);
            losses[s - from] = loss;
            opt.step();
            if (s % 3 == 2) {
                opt.endEpoch(loss);
            }
        }
        return losses;
    }

    private static byte[] save(BaseOptimizer opt) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            opt.saveState(out);
        }
        return bytes.toByteArray();
    }

    @ParameterizedTest
    @ValueSource(strings = {"sgd", "momentum", "ema-momentum", "adam", "adamw", "rmsprop", "adagrad", "nadam", "radam",
        "adamax", "adadelta"})
    void restoredRunContinuesBitIdentically(String name) throws IOException {
        try (Problems.Problem p = Problems.Softmax.fromGolden(backend, GOLDEN)) {
            List<Parameter> ps = p.parameters();
            float[][] snapshot;
            byte[] state;
            double[] lossesA;
            float[][] paramsA;
            double lrA;
            try (BaseOptimizer a = make(name, ps)) {
                train(p, a, 0, 13);
                state = save(a);
                snapshot = ps.stream().map(x -> backend.download(x.value())).toArray(float[][]::new);
                lossesA = train(p, a, 13, 30);
                paramsA = ps.stream().map(x -> backend.download(x.value())).toArray(float[][]::new);
                lrA = a.learningRate();
            }
            for (int i = 0; i < ps.size(); i++) {
                backend.upload(snapshot[i], 0, ps.get(i).value());
            }
            try (BaseOptimizer b = make(name, ps)) {
                b.loadState(new DataInputStream(new ByteArrayInputStream(state)));
                assertEquals(13, b.stepCount());
                double[] lossesB = train(p, b, 13, 30);
                assertArrayEquals(lossesA, lossesB, name + ": losses after restore");
                for (int i = 0; i < ps.size(); i++) {
                    assertArrayEquals(paramsA[i], backend.download(ps.get(i).value()), name + ": " + ps.get(i).name());
                }
                assertEquals(lrA, b.learningRate(), 0);
            }
        }
    }

    @Test
    void checkpointFileErrorsAreNamed(@TempDir Path dir) throws IOException {
        try (Problems.Problem p = Problems.Softmax.fromGolden(backend, GOLDEN);
                BaseOptimizer opt = make("adam", p.parameters())) {
            train(p, opt, 0, 5);
            Path file = dir.resolve("adam.state");
            Path tmp = dir.resolve("adam.state.tmp");
            try (OutputStream o = Files.newOutputStream(tmp); DataOutputStream out = new DataOutputStream(o)) {
                opt.saveState(out);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
            byte[] bytes = Files.readAllBytes(file);

            Files.write(file, Arrays.copyOf(bytes, bytes.length - 100));
            assertTrue(loadError(opt, file).startsWith("optimizer state is truncated: payload has "));
            Files.write(file, Arrays.copyOf(bytes, bytes.length - 3));
            assertEquals("optimizer state is truncated: checksum missing", loadError(opt, file));
            byte[] corrupt = bytes.clone();
            corrupt[300] ^= 0x40;
            Files.write(file, corrupt);
            assertTrue(loadError(opt, file).startsWith("optimizer state is corrupted: checksum 0x"));
            Files.write(file, bytes);
            try (BaseOptimizer other = make("adamw", p.parameters())) {
                assertEquals("optimizer state is for optimizer 'adam', this optimizer is 'adamw'",
                        loadError(other, file));
            }
            try (var w = backend.allocate(10, 3); var gw = backend.allocate(10, 3); var b = backend.allocate(4);
                    var gb = backend.allocate(4); BaseOptimizer shaped = make("adam",
                    List.of(new Parameter("W", w, gw), new Parameter("b", b, gb)))) {
                assertEquals("optimizer state: parameter W has shape [10, 4], this optimizer's has [10, 3]",
                        loadError(shaped, file));
            }
            // the intact file still loads into the optimizer the failed attempts left unchanged
            try (InputStream in = Files.newInputStream(file)) {
                opt.loadState(new DataInputStream(in));
            }
            assertEquals(5, opt.stepCount());
        }
    }

    private static String loadError(BaseOptimizer opt, Path file) {
        return assertThrows(IOException.class, () -> {
            try (InputStream in = Files.newInputStream(file)) {
                opt.loadState(new DataInputStream(in));
            }
        }).getMessage();
    }
}
