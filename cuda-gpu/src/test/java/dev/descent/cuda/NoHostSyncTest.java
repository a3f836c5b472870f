package dev.descent.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * A training step waits for nothing and allocates nothing: measured by the host emulator's call counters (this test
 * runs only in the cuda-emulator run; a real driver offers no such counters).
 */
class NoHostSyncTest {

    /** Snapshot of the emulator's counters: stream, event and device syncs, device/host allocations, launches. */
    private record Counters(long streamSyncs, long eventSyncs, long deviceSyncs, long mallocs, long frees,
            long hostMallocs, long hostFrees, long launches) {
        Counters minus(Counters o) {
            return new Counters(streamSyncs - o.streamSyncs, eventSyncs - o.eventSyncs, deviceSyncs - o.deviceSyncs,
                    mallocs - o.mallocs, frees - o.frees, hostMallocs - o.hostMallocs, hostFrees - o.hostFrees,
                    launches - o.launches);
        }
    }

    @SuppressWarnings("restricted")
    private static Counters read() {
        String dir = System.getProperty("descent.test.cuda.emulator");
        SymbolLookup lib = SymbolLookup.libraryLookup(Path.of(dir, "libcudart.so.13"), Arena.global());
        MemorySegment c = lib.find("descent_emulator_counters").orElseThrow().reinterpret(64);
        long[] v = new long[8];
        for (int i = 0; i < 8; i++) {
            v[i] = c.getAtIndex(ValueLayout.JAVA_LONG, i);
        }
        return new Counters(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]);
    }

    @Test
    void trainingStepsNeitherWaitNorAllocateUntilTheLossesAreRead() {
        assumeTrue(CudaTests.emulated(), "needs the host emulator's call counters");
        CudaTests.assumeCuda();
        SoftmaxRegression.Data data = SoftmaxRegression.Data.make(3, 1);
        int steps = data.stepsPerEpoch();
        try (CudaBackend cuda = CudaTests.open(); SoftmaxRegression m = new SoftmaxRegression(cuda, data, steps)) {
            cuda.uploadInt(data.permutations()[0], 0, m.perm);
            cuda.synchronize();
            Counters before = read();
            for (int s = 0; s < steps; s++) {
                m.forwardBackward(s, s);
                if (s % 2 == 0) {
                    m.sgd(0.1, 0.9, s == 0);
                } else {
                    m.adam(0.01, s);
                }
            }
            Counters during = read().minus(before);
            assertEquals(new Counters(0, 0, 0, 0, 0, 0, 0, during.launches()), during,
                    "a step must not wait for the device or allocate");
            assertTrue(during.launches() >= 8L * steps, "kernels were launched: " + during.launches());

            float[] losses = cuda.download(m.losses); // the one wait, once per epoch
            Counters after = read().minus(before);
            assertTrue(after.streamSyncs() >= 1 && after.mallocs() == 0, after.toString());
            for (float l : losses) {
                assertTrue(Float.isFinite(l) && l > 0, "loss " + l);
            }

            // a batch upload from a Java array waits at most for the upload two transfers back, never the stream
            float[] batch = new float[SoftmaxRegression.BATCH * SoftmaxRegression.D];
            Counters u0 = read();
            for (int i = 0; i < 5; i++) {
                cuda.upload(batch, 0, m.xb);
                m.forwardBackward(0, 0);
            }
            Counters uploads = read().minus(u0);
            assertEquals(0, uploads.streamSyncs() + uploads.deviceSyncs() + uploads.mallocs()
                    + uploads.hostMallocs(), uploads.toString());
            assertTrue(uploads.eventSyncs() <= 3, uploads.toString());

            // a replayed graph is one launch call for the whole step
            CudaGraph g = cuda.captureGraph(() -> {
                m.forwardBackward(0, 0);
                m.sgd(0.1, 0.9, false);
            });
            Counters r0 = read();
            g.replay();
            Counters replay = read().minus(r0);
            assertEquals(new Counters(0, 0, 0, 0, 0, 0, 0, 0), replay, "a replay launches no kernel one by one");
            g.close();
        }
    }
}
