package dev.descent.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.optim.schedule.Schedule;
import dev.descent.optim.schedule.ScheduleUnit;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The saved-state format on the recording test backend (the CPU backend's continuation is in integration-tests). */
class StateFormatTest {

    private static final Schedule PLATEAU_AFTER_WARMUP = Schedule.warmup(2, ScheduleUnit.EPOCH, 0.5,
            Schedule.plateau().withPatience(0).withFactor(0.5));

    static byte[] save(Optimizer opt) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            opt.saveState(out);
        }
        return bytes.toByteArray();
    }

    static void load(Optimizer opt, byte[] data) throws IOException {
        opt.loadState(new DataInputStream(new ByteArrayInputStream(data)));
    }

    private static BaseOptimizer adam(RecordingBackend b, List<Parameter> ps, Schedule s) {
        return Optimizers.create("adam", AdamOptions.defaults().withAmsgrad(true).withLr(0.1),
                List.of(ParamGroup.of(ps.get(0)), ParamGroup.of(ps.get(1)).withLr(0.05)), s, GradientClipping.norm(3));
    }

    private static void setGrads(RecordingBackend b, List<Parameter> ps, int k) {
        for (Parameter p : ps) {
            float[] g = new float[(int) p.grad().size()];
            for (int i = 0; i < g.length; i++) {
                g[i] = (float) Math.sin(k * 0.7 + i);
            }
            b.upload(g, 0, p.grad());
        }
    }

    private static void train(RecordingBackend b, List<Parameter> ps, Optimizer opt, int from, int to) {
        for (int k = from; k < to; k++) {
            setGrads(b, ps, k);
            opt.step();
            if (k % 3 == 2) {
                opt.endEpoch(k < 8 ? 1.0 / k : 5.0);
            }
        }
    }

    @Test
    void restoredRunContinuesBitIdentically() throws IOException {
        RecordingBackend b = new RecordingBackend();
        List<Parameter> ps = OptimizerMechanicsTest.params(b);
        BaseOptimizer a = adam(b, ps, PLATEAU_AFTER_WARMUP);
        train(b, ps, a, 0, 10);
        byte[] state = save(a);
        float[][] snapshot = ps.stream().map(p -> b.download(p.value())).toArray(float[][]::new);
        train(b, ps, a, 10, 25);
        float[][] expected = ps.stream().map(p -> b.download(p.value())).toArray(float[][]::new);
        double expectedLr = a.learningRate(1);

        for (int i = 0; i < ps.size(); i++) {
            b.upload(snapshot[i], 0, ps.get(i).value());
        }
        BaseOptimizer r = adam(b, ps, PLATEAU_AFTER_WARMUP);
        load(r, state);
        assertEquals(10, r.stepCount());
        train(b, ps, r, 10, 25);
        for (int i = 0; i < ps.size(); i++) {
            assertArrayEquals(expected[i], b.download(ps.get(i).value()), ps.get(i).name());
        }
        assertEquals(expectedLr, r.learningRate(1), 0);
        assertTrue(expectedLr < 0.05, "the plateau schedule reduced the rate: " + expectedLr);
        assertArrayEquals(save(a), save(r), "same state after the same steps");
    }

    @Test
    void everyOptimizerRoundTrips() throws IOException {
        for (String name : Optimizers.names()) {
            if (Optimizers.needsClosure(name)) {
                continue; // lbfgs: LbfgsTest
            }
            RecordingBackend b = new RecordingBackend();
            List<Parameter> ps = OptimizerMechanicsTest.params(b);
            BaseOptimizer a = Optimizers.create(name, ps);
            train(b, ps, a, 0, 3);
            byte[] s = save(a);
            BaseOptimizer r = Optimizers.create(name, ps);
            load(r, s);
            assertArrayEquals(s, save(r), name);
        }
    }

    private static String loadError(byte[] state, Function<RecordingBackend, BaseOptimizer> make) {
        RecordingBackend b = new RecordingBackend();
        BaseOptimizer opt = make.apply(b);
        return assertThrows(IOException.class, () -> load(opt, state)).getMessage();
    }

    private static byte[] savedAdam() throws IOException {
        RecordingBackend b = new RecordingBackend();
        List<Parameter> ps = OptimizerMechanicsTest.params(b);
        BaseOptimizer a = adam(b, ps, PLATEAU_AFTER_WARMUP);
        train(b, ps, a, 0, 4);
        return save(a);
    }

    @Test
    void mismatchesAreNamed() throws IOException {
        byte[] s = savedAdam();
        assertEquals("optimizer state is for optimizer 'adam', this optimizer is 'sgd'",
                loadError(s, b -> Optimizers.create("momentum", OptimizerMechanicsTest.params(b))));
        assertEquals("optimizer state has amsgrad = 1, this optimizer has amsgrad = 0",
                loadError(s, b -> adamWith(b, AdamOptions.defaults().withLr(0.1), PLATEAU_AFTER_WARMUP)));
        assertEquals("optimizer state has beta2 = 0.999, this optimizer has beta2 = 0.99",
                loadError(s, b -> adamWith(b, AdamOptions.defaults().withAmsgrad(true).withLr(0.1)
                        .withBetas(0.9, 0.99), PLATEAU_AFTER_WARMUP)));
        assertEquals("optimizer state has group.1.lr = 0.05, this optimizer has group.1.lr = 0.1",
                loadError(s, b -> Optimizers.create("adam", AdamOptions.defaults().withAmsgrad(true).withLr(0.1),
                        List.of(ParamGroup.of(OptimizerMechanicsTest.params(b).get(0)),
                                ParamGroup.of(paramB(b))), PLATEAU_AFTER_WARMUP,
                        GradientClipping.norm(3))));
        assertEquals("optimizer state: parameter W has shape [2, 3], this optimizer's has [3, 2]",
                loadError(s, b -> adamOn(b, new Parameter("W", b.allocate(3, 2), b.allocate(3, 2)), paramB(b))));
        assertEquals("optimizer state: parameter 1 is named 'W', this optimizer's is 'V'",
                loadError(s, b -> adamOn(b, new Parameter("V", b.allocate(2, 3), b.allocate(2, 3)), paramB(b))));
        assertEquals("optimizer state has schedule warmup(warmup=2, unit=epoch, start_factor=0.5, then=plateau("
                + "mode=min, factor=0.5, patience=0, threshold=1.0E-4, threshold_mode=rel, cooldown=0, min_lr=0.0, "
                + "eps=1.0E-8)), this optimizer has constant",
                loadError(s, b -> adamWith(b, AdamOptions.defaults().withAmsgrad(true).withLr(0.1), null)));
        assertEquals("optimizer state lacks hyper-parameter clip.value (saved by another configuration)",
                loadError(s, b -> Optimizers.create("adam", AdamOptions.defaults().withAmsgrad(true).withLr(0.1),
                        List.of(ParamGroup.of(OptimizerMechanicsTest.params(b).get(0)),
                                ParamGroup.of(paramB(b)).withLr(0.05)), PLATEAU_AFTER_WARMUP,
                        GradientClipping.value(3))));
        RecordingBackend one = new RecordingBackend();
        byte[] oneGroup = save(Optimizers.create("adam", AdamOptions.defaults().withAmsgrad(true).withLr(0.1),
                List.of(ParamGroup.of(OptimizerMechanicsTest.params(one))), PLATEAU_AFTER_WARMUP,
                GradientClipping.norm(3)));
        assertEquals("optimizer state has group.0.size = 2, this optimizer has group.0.size = 1",
                loadError(oneGroup, b -> adam(b, OptimizerMechanicsTest.params(b), PLATEAU_AFTER_WARMUP)));
    }

    private static Parameter paramB(RecordingBackend b) {
        return new Parameter("b", b.allocate(3), b.allocate(3));
    }

    private static BaseOptimizer adamWith(RecordingBackend b, AdamOptions o, Schedule s) {
        List<Parameter> ps = OptimizerMechanicsTest.params(b);
        return Optimizers.create("adam", o, List.of(ParamGroup.of(ps.get(0)), ParamGroup.of(ps.get(1)).withLr(0.05)),
                s, GradientClipping.norm(3));
    }

    private static BaseOptimizer adamOn(RecordingBackend b, Parameter w, Parameter bias) {
        return adam(b, List.of(w, bias), PLATEAU_AFTER_WARMUP);
    }

    @Test
    void corruptionAndTruncationAreNamed() throws IOException {
        byte[] s = savedAdam();
        Function<RecordingBackend, BaseOptimizer> make = b -> adam(b, OptimizerMechanicsTest.params(b),
                PLATEAU_AFTER_WARMUP);
        // a flipped bit in a state tensor
        byte[] flipped = s.clone();
        flipped[s.length / 2] ^= 0x10;
        assertTrue(loadError(flipped, make).startsWith("optimizer state is corrupted: checksum 0x"));
        // every truncation
        for (int cut : new int[] {0, 3, 7, 12, 16, 40, s.length / 2, s.length - 9, s.length - 1}) {
            String m = loadError(Arrays.copyOf(s, cut), make);
            assertTrue(m.startsWith("optimizer state is truncated"), cut + ": " + m);
        }
        byte[] magic = s.clone();
        magic[0] = 'X';
        assertEquals("not a descent optimizer state: magic 0x584F5054, expected 0x444F5054 (DOPT)",
                loadError(magic, make));
        byte[] version = s.clone();
        ByteBuffer.wrap(version).putInt(4, 2);
        assertEquals("unsupported optimizer state version 2; this build reads version 1", loadError(version, make));
        byte[] length = s.clone();
        ByteBuffer.wrap(length).putLong(8, -5);
        assertEquals("optimizer state is corrupted: payload length -5 is out of range", loadError(length, make));
    }

    @Test
    void aFailedLoadChangesNothing() throws IOException {
        RecordingBackend b = new RecordingBackend();
        List<Parameter> ps = OptimizerMechanicsTest.params(b);
        BaseOptimizer a = adam(b, ps, PLATEAU_AFTER_WARMUP);
        train(b, ps, a, 0, 7);
        byte[] before = save(a);
        BaseOptimizer other = adam(b, ps, PLATEAU_AFTER_WARMUP);
        byte[] bad = save(other);
        bad[bad.length - 20] ^= 1; // corrupt the schedule state: checksum fails before anything is applied
        assertThrows(IOException.class, () -> load(a, bad));
        assertArrayEquals(before, save(a));
    }
}
