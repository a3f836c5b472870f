package dev.descent.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.backend.Tensor;
import dev.descent.data.DataLoader;
import dev.descent.data.Dataset;
import dev.descent.data.DeviceDataset;
import dev.descent.data.LoaderOptions;
import dev.descent.model.Model;
import dev.descent.model.ModelSpec;
import dev.descent.optim.GradientClipping;
import dev.descent.optim.Optimizer;
import dev.descent.optim.Optimizers;
import dev.descent.optim.Parameter;
import dev.descent.optim.schedule.Schedule;
import dev.descent.optim.schedule.ScheduleUnit;
import dev.descent.train.EpochMetrics;
import dev.descent.train.Trainer;
import dev.descent.train.TrainingListener;
import dev.descent.train.TrainingResult;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * {@link CudaBackend#runStep}: the trainer's step captured once per batch shape as a CUDA graph and replayed with the
 * changed scalars patched in gives bit for bit what running the steps directly gives, and falls back to direct
 * execution, still exact, whenever a step does not match its recording.
 */
class CudaStepGraphTest {
    private static final int EPOCHS = 3;
    private static final int BATCH = 64;   // 600 samples: 9 batches of 64 and one of 24 per epoch

    // ------------------------------------------------------------------------------------------------ the trainer

    @Test
    void adamWithAPerStepScheduleTrainsBitForBitAsWithoutGraphs() {
        trainerMatchesDirectRun("softmax", () -> Optimizers.builder("adam")
                .schedule(Schedule.cosine(25, 1e-4, ScheduleUnit.STEP)), true);
    }

    @Test
    void anMlpWithMomentumAndAStepScheduleTrainsBitForBitAsWithoutGraphs() {
        trainerMatchesDirectRun("mlp", () -> Optimizers.builder("momentum")
                .schedule(Schedule.step(7, 0.5, ScheduleUnit.STEP)), true);
    }

    @Test
    void nadamRadamAdamaxAdadeltaTrainBitForBitAsWithoutGraphs() {
        // NAdam's step sizes, RAdam's rectification (it switches on at step 6) and Adamax's bias correction change
        // every step and are patched into the replayed graphs
        trainerMatchesDirectRun("softmax", () -> Optimizers.builder("nadam"), true);
        trainerMatchesDirectRun("mlp", () -> Optimizers.builder("radam").set("lr", "0.01"), true);
        trainerMatchesDirectRun("softmax", () -> Optimizers.builder("adamax").set("weight_decay", "0.01"), true);
        trainerMatchesDirectRun("mlp", () -> Optimizers.builder("adadelta")
                .schedule(Schedule.step(7, 0.5, ScheduleUnit.STEP)), true);
    }

    @Test
    void clippingByNormReadsBackEveryStepSoTheKeyIsGivenUpAndStillExact() {
        trainerMatchesDirectRun("softmax", () -> Optimizers.builder("adamw")
                .clipping(GradientClipping.norm(0.5)), false);
    }

    private interface OptimizerRecipe {
        Optimizers.Builder builder();
    }

    /** Trains twice from the same start, with graphs and with descent.cuda.graphs=off, and compares everything. */
    private static void trainerMatchesDirectRun(String kind, OptimizerRecipe recipe, boolean graphable) {
        Dataset data = dataset();
        Run direct;
        try (CudaBackend cuda = openWithGraphs("off")) {
            direct = train(cuda, data, kind, recipe);
            assertEquals(0, cuda.stepGraphs().captures(), "descent.cuda.graphs=off captures nothing");
            assertEquals(EPOCHS * 10, cuda.stepGraphs().directSteps());
        }
        long[] before = emulatorCounters();
        Run graphed;
        StepGraphs sg;
        try (CudaBackend cuda = CudaTests.open()) {
            sg = cuda.stepGraphs();
            graphed = train(cuda, data, kind, recipe);
            long[] during = minus(emulatorCounters(), before);
            if (graphable) {
                // key 64: 27 steps = 1 direct + 1 capture + 25 replays; key 24 (the last batch): 1 + 1 + 1
                assertEquals(2, sg.directSteps(), "the first step of each batch shape runs directly");
                assertEquals(2, sg.captures(), "one capture per batch shape");
                assertEquals(26, sg.replays(), "every later step is one graph launch");
                assertEquals(0, sg.fallbacks());
                // lossIndex, the learning rate, Adam's bias corrections: at least one node changes every step
                assertTrue(sg.patchedParams() >= sg.replays(), "changing scalars are patched in: "
                        + sg.patchedParams());
                assertEquals(2, sg.liveGraphs());
                if (during != null) {
                    assertEquals(sg.captures() + sg.replays(), during[GRAPH_LAUNCHES], "graph launches");
                    assertEquals(sg.patchedParams(), during[NODE_UPDATES], "kernel node updates");
                }
            } else {
                // clipping by norm reads the gradient norm back inside the step: each capture is abandoned at the
                // read, after the operations before it were issued directly; after three tries the key gives up
                assertEquals(0, sg.captures() + sg.replays());
                // key 64 gives up after three tries; key 24 (once per epoch) has had two by the end
                assertEquals(StepGraphs.MAX_FAILURES + EPOCHS - 1, sg.fallbacks());
                assertEquals(1, sg.keysGivenUp());
                assertEquals(0, sg.liveGraphs());
            }
        }
        if (CudaTests.emulated()) {
            long[] after = minus(emulatorCounters(), before);
            assertEquals(0, after[GRAPHS_LIVE], "closing the backend destroys its step graphs");
            assertEquals(0, after[EXECS_LIVE], "closing the backend destroys its executable step graphs");
        }
        assertEquals(direct.losses.size(), EPOCHS * 10);
        assertEquals(direct.losses, graphed.losses, "every step's loss, bit for bit");
        assertEquals(direct.history, graphed.history, "epoch metrics");
        assertEquals(direct.params.size(), graphed.params.size());
        for (int i = 0; i < direct.params.size(); i++) {
            assertArrayEquals(direct.params.get(i), graphed.params.get(i), "parameter " + i);
        }
        double first = direct.history.get(0).trainLoss();
        double last = direct.history.get(EPOCHS - 1).trainLoss();
        assertTrue(last < first, "it trains: " + first + " -> " + last);
    }

    private record Run(List<Double> losses, List<EpochMetrics> history, List<float[]> params) {
    }

    private static Run train(CudaBackend cuda, Dataset data, String kind, OptimizerRecipe recipe) {
        ModelSpec.Builder spec = ModelSpec.builder(kind).inputs(SoftmaxRegression.D)
                .classes(SoftmaxRegression.K).seed(11);
        if (kind.equals("mlp")) {
            spec.hidden(16);
        }
        try (DeviceDataset ds = data.upload(cuda);
                DataLoader loader = new DataLoader(ds, LoaderOptions.batches(BATCH).withShuffle(true).withSeed(5));
                Model model = spec.build().create(cuda);
                Optimizer opt = recipe.builder().build(model.parameters())) {
            List<Double> losses = new ArrayList<>();
            TrainingResult r;
            try (Trainer t = Trainer.builder(model, opt, loader).epochs(EPOCHS).lossReadInterval(4)
                    .listener(new TrainingListener() {
                        @Override
                        public void onBatch(int epoch, int step, int steps, long global, double loss) {
                            losses.add(loss);
                        }
                    }).build()) {
                r = t.run();
            }
            assertSame(TrainingResult.Status.COMPLETED, r.status(), r.message());
            List<float[]> params = new ArrayList<>();
            for (Parameter p : model.parameters()) {
                params.add(cuda.download(p.value()));
            }
            return new Run(losses, r.history(), params);
        }
    }

    private static Dataset dataset() {
        SoftmaxRegression.Data d = SoftmaxRegression.Data.make(21, 1);
        return Dataset.classification("synthetic", d.x(), SoftmaxRegression.N, SoftmaxRegression.D, d.y(),
                SoftmaxRegression.K);
    }

    // ------------------------------------------------------------------------------------------------ replays

    @Test
    void aPatchedReplayIsOneLaunchAndNeitherWaitsNorAllocates() {
        SoftmaxRegression.Data data = SoftmaxRegression.Data.make(4, 1);
        int perEpoch = data.stepsPerEpoch();
        try (CudaBackend cuda = CudaTests.open();
                SoftmaxRegression graphed = new SoftmaxRegression(cuda, data, 3 * perEpoch);
                SoftmaxRegression direct = new SoftmaxRegression(cuda, data, 3 * perEpoch)) {
            cuda.uploadInt(data.permutations()[0], 0, graphed.perm);
            cuda.uploadInt(data.permutations()[0], 0, direct.perm);
            cuda.synchronize();
            StepGraphs sg = cuda.stepGraphs();
            long[] replays = new long[12];
            for (int s = 0; s < 3 * perEpoch; s++) {
                int step = s;
                long[] c0 = emulatorCounters();
                // the gather offset, lossIndex and Adam's step change every step: all patched into the graph
                cuda.runStep(7, () -> {
                    graphed.forwardBackward(step % perEpoch, step);
                    graphed.adam(0.01 / (1 + step), step + 1);
                });
                long[] d = minus(emulatorCounters(), c0);
                if (s >= 2 && d != null) {
                    for (int i = 0; i < d.length; i++) {
                        replays[i] += d[i];
                    }
                }
                direct.forwardBackward(step % perEpoch, step);
                direct.adam(0.01 / (1 + step), step + 1);
            }
            assertEquals(1, sg.captures());
            assertEquals(3 * perEpoch - 2, sg.replays());
            assertEquals(0, sg.fallbacks());
            if (CudaTests.emulated()) {
                assertEquals(0, replays[LAUNCHES], "a replayed step launches no kernel one by one");
                assertEquals(3 * perEpoch - 2, replays[GRAPH_LAUNCHES], "but its graph, once");
                assertEquals(0, replays[STREAM_SYNCS] + replays[EVENT_SYNCS] + replays[DEVICE_SYNCS]
                        + replays[MALLOCS] + replays[HOST_MALLOCS], "a replay neither waits nor allocates");
                assertTrue(replays[NODE_UPDATES] >= 3L * (3 * perEpoch - 2), "gather offsets, lossIndex and "
                        + "Adam's scalars are patched: " + replays[NODE_UPDATES]);
            }
            assertArrayEquals(cuda.download(direct.losses), cuda.download(graphed.losses), "losses");
            assertArrayEquals(cuda.download(direct.w), cuda.download(graphed.w), "weights");
            assertArrayEquals(cuda.download(direct.b), cuda.download(graphed.b), "bias");
        }
    }

    // ------------------------------------------------------------------------------------------------ fallbacks

    /** Runs the same sequence of steps on a backend with graphs and one without; everything must agree. */
    private static void twin(Consumer<Fixture> steps, Consumer<StepGraphs> check) {
        float[] graphedX;
        float[] graphedY;
        float[] directX;
        float[] directY;
        try (CudaBackend cuda = openWithGraphs("off"); Fixture f = new Fixture(cuda)) {
            steps.accept(f);
            directX = cuda.download(f.x);
            directY = cuda.download(f.y);
            assertEquals(0, cuda.stepGraphs().captures());
        }
        try (CudaBackend cuda = CudaTests.open(); Fixture f = new Fixture(cuda)) {
            steps.accept(f);
            graphedX = cuda.download(f.x);
            graphedY = cuda.download(f.y);
            check.accept(cuda.stepGraphs());
        }
        assertArrayEquals(directX, graphedX, "x");
        assertArrayEquals(directY, graphedY, "y");
    }

    private static final class Fixture implements AutoCloseable {
        final CudaBackend cuda;
        final Tensor x;
        final Tensor y;
        final Tensor a;
        final Tensor c;
        final List<Double> sums = new ArrayList<>();

        Fixture(CudaBackend cuda) {
            this.cuda = cuda;
            x = cuda.upload(new float[] {1, -2, 3, -4, 5, -6}, 2, 3);
            y = cuda.upload(new float[] {0.5f, 0.25f, 2, 1, -1, 3}, 2, 3);
            a = cuda.upload(new float[] {1, 0, 0.5f, 0, 1, 0.25f, 0.5f, 0.5f, 1}, 3, 3);
            c = cuda.allocate(2, 3);
        }

        void step(int i) {
            cuda.scale(1.5f + 0.01f * i, x);
            cuda.gemm(false, false, 0.5f, x, a, 0f, c);
            cuda.axpy(-0.1f * i, c, y);
            cuda.clamp(y, -50, 50 + i);
            cuda.copy(y, x);
        }

        @Override
        public void close() {
            x.close();
            y.close();
            a.close();
            c.close();
        }
    }

    @Test
    void stepsThatMatchTheirRecordingArePatchedNotRecaptured() {
        twin(f -> {
            for (int i = 0; i < 6; i++) {
                int s = i;
                f.cuda.runStep(1, () -> f.step(s));
            }
        }, sg -> {
            assertEquals(1, sg.captures());
            assertEquals(4, sg.replays());
            assertEquals(0, sg.fallbacks());
            assertEquals(3 * 4, sg.patchedParams(), "scale's alpha, axpy's alpha and clamp's hi change each step");
        });
    }

    @Test
    void aDifferentOperationOrAnSgemmWithOtherScalarsFallsBackToTheDirectResult() {
        twin(f -> {
            for (int i = 0; i < 4; i++) {
                int s = i;
                f.cuda.runStep(1, () -> f.step(s));
            }
            f.cuda.runStep(1, () -> {                        // another kernel in the middle
                f.cuda.scale(1.25f, f.x);
                f.cuda.relu(f.x, f.c);
                f.cuda.axpy(0.5f, f.c, f.y);
            });
            for (int i = 4; i < 7; i++) {                    // recaptured, then replayed
                int s = i;
                f.cuda.runStep(1, () -> f.step(s));
            }
            f.cuda.runStep(1, () -> {                        // the SGEMM's alpha changed: cuBLAS's node is not ours
                f.cuda.scale(1.5f, f.x);
                f.cuda.gemm(false, false, 0.75f, f.x, f.a, 0f, f.c);
                f.cuda.axpy(-0.1f, f.c, f.y);
                f.cuda.clamp(f.y, -50, 50);
                f.cuda.copy(f.y, f.x);
            });
            f.cuda.runStep(1, () -> f.step(7));              // recaptured
            f.cuda.runStep(1, () -> {                        // fewer operations than recorded
                f.cuda.scale(1.5f, f.x);
                f.cuda.gemm(false, false, 0.5f, f.x, f.a, 0f, f.c);
            });
            f.cuda.runStep(1, () -> f.step(9));              // the key has failed three times: direct for good
            f.cuda.runStep(1, () -> f.step(10));
        }, sg -> {
            assertEquals(3, sg.fallbacks());
            assertEquals(3, sg.captures());
            assertEquals(2 + 2, sg.replays());
            assertEquals(1 + 2, sg.directSteps());
            assertEquals(1, sg.keysGivenUp());
            assertEquals(0, sg.liveGraphs());
        });
    }

    @Test
    void aReadBackOrAnUploadInsideAStepSeesEverythingQueuedBeforeIt() {
        twin(f -> {
            for (int i = 0; i < 5; i++) {
                int s = i;
                f.cuda.runStep(2, () -> {
                    f.step(s);
                    f.sums.add(f.cuda.sum(f.x));             // a reduction waits for the step so far
                    f.cuda.upload(new float[] {1, 2, 3, 4, 5, 6}, 0, f.c);
                    f.cuda.axpy(0.25f, f.c, f.y);
                });
            }
            // the sums are part of the result: compare them through y
            float[] host = new float[6];
            for (int i = 0; i < f.sums.size(); i++) {
                host[i] = (float) (double) f.sums.get(i);
            }
            f.cuda.upload(host, 0, f.c);
            f.cuda.axpy(1f, f.c, f.y);
        }, sg -> {
            assertEquals(0, sg.captures());
            assertEquals(StepGraphs.MAX_FAILURES, sg.fallbacks());
            assertEquals(1, sg.keysGivenUp());
        });
    }

    @Test
    void anExceptionInsideAStepKeepsWhatWasQueuedBeforeItAndPropagates() {
        twin(f -> {
            for (int i = 0; i < 3; i++) {
                int s = i;
                f.cuda.runStep(3, () -> f.step(s));
            }
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> f.cuda.runStep(3, () -> {
                f.cuda.scale(3f, f.x);
                f.cuda.axpy(1f, f.x, f.a);                   // shapes differ: [2, 3] and [3, 3]
            }));
            assertTrue(e.getMessage().startsWith("axpy:"), e.getMessage());
            f.cuda.runStep(3, () -> f.step(7));
        }, sg -> {
            assertEquals(2, sg.captures(), "recaptured after the failure");
            assertEquals(1, sg.replays());
            assertEquals(1, sg.fallbacks());
            assertEquals(1, sg.liveGraphs());
        });
    }

    // ------------------------------------------------------------------------------------------------ keys, close

    @Test
    void atMostFourKeysKeepGraphsAndCloseDestroysThem() {
        long[] before = emulatorCounters();
        CudaBackend cuda = CudaTests.open();
        Fixture f = new Fixture(cuda);
        for (int round = 0; round < 3; round++) {
            for (int key = 1; key <= 4; key++) {
                int s = round * 10 + key;
                cuda.runStep(key, () -> f.step(s));
            }
        }
        StepGraphs sg = cuda.stepGraphs();
        assertEquals(4, sg.captures());
        for (int round = 0; round < 3; round++) {           // a fifth key takes the least recently used one's place
            int s = round;
            cuda.runStep(5, () -> f.step(s));
        }
        assertEquals(5, sg.captures());
        assertEquals(4 + 1, sg.replays());
        assertEquals(StepGraphs.MAX_KEYS, sg.liveGraphs());
        assertEquals(0, sg.fallbacks());
        long[] live = minus(emulatorCounters(), before);
        if (live != null) {
            assertEquals(StepGraphs.MAX_KEYS, live[GRAPHS_LIVE], "each kept graph: its captured graph");
            assertEquals(StepGraphs.MAX_KEYS, live[EXECS_LIVE], "and its executable graph");
        }
        long bytes = cuda.bytesAllocated();
        assertEquals(4 * (6 + 6 + 9 + 6), bytes, "graphs hold no tensor memory");
        cuda.close();
        assertEquals(0, cuda.bytesAllocated());
        assertEquals(0, cuda.liveTensors());
        assertEquals(0, sg.liveGraphs());
        long[] after = minus(emulatorCounters(), before);
        if (after != null) {
            assertEquals(0, after[GRAPHS_LIVE]);
            assertEquals(0, after[EXECS_LIVE]);
        }
        assertThrows(IllegalStateException.class, () -> cuda.runStep(1, () -> { }));
    }

    @Test
    void insideACapturedGraphAStepJustRecordsIntoIt() {
        try (CudaBackend cuda = CudaTests.open(); Tensor x = cuda.upload(new float[] {1, 2}, 2)) {
            CudaGraph g = cuda.captureGraph(() -> cuda.runStep(1, () -> cuda.scale(2f, x)));
            g.replay();
            g.replay();
            assertArrayEquals(new float[] {4, 8}, cuda.download(x));
            assertEquals(0, cuda.stepGraphs().captures());
            g.close();
        }
    }

    @Test
    void theGraphsPropertyIsCheckedWhenTheBackendOpens() {
        CudaTests.assumeCuda();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> openWithGraphs("always"));
        assertEquals("system property descent.cuda.graphs must be 'auto' or 'off', got 'always'", e.getMessage());
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private static CudaBackend openWithGraphs(String value) {
        String old = System.getProperty("descent.cuda.graphs");
        System.setProperty("descent.cuda.graphs", value);
        try {
            return CudaTests.open();
        } finally {
            if (old == null) {
                System.clearProperty("descent.cuda.graphs");
            } else {
                System.setProperty("descent.cuda.graphs", old);
            }
        }
    }

    // the emulator's counters (src/test/emulator/emulator.cpp, DescentEmulatorCounters)
    private static final int STREAM_SYNCS = 0;
    private static final int EVENT_SYNCS = 1;
    private static final int DEVICE_SYNCS = 2;
    private static final int MALLOCS = 3;
    private static final int HOST_MALLOCS = 5;
    private static final int LAUNCHES = 7;
    private static final int GRAPH_LAUNCHES = 8;
    private static final int NODE_UPDATES = 9;
    private static final int GRAPHS_LIVE = 10;
    private static final int EXECS_LIVE = 11;

    /** The emulator's counters, or null on a real device. */
    @SuppressWarnings("restricted")
    private static long[] emulatorCounters() {
        String dir = System.getProperty("descent.test.cuda.emulator");
        if (dir == null) {
            return null;
        }
        SymbolLookup lib = SymbolLookup.libraryLookup(Path.of(dir, "libcudart.so.13"), Arena.global());
        MemorySegment c = lib.find("descent_emulator_counters").orElseThrow().reinterpret(12 * 8);
        long[] v = new long[12];
        for (int i = 0; i < v.length; i++) {
            v[i] = c.getAtIndex(ValueLayout.JAVA_LONG, i);
        }
        return v;
    }

    private static long[] minus(long[] a, long[] b) {
        if (a == null || b == null) {
            return null;
        }
        long[] d = new long[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i] - b[i];
        }
        return d;
    }
}
