package dev.descent.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.backend.Backend;
import dev.descent.backend.BackendOptions;
import dev.descent.backend.BackendProvider;
import dev.descent.backend.Backends;
import org.junit.jupiter.api.Test;

/**
 * The CPU and CUDA backends train the same softmax regression (a few epochs, the same data, order and starting point)
 * to the same losses and weights, up to float rounding; and CUDA repeats itself bit for bit.
 */
class CpuCudaAgreementTest {
    private static final int EPOCHS = 4;

    private record Run(float[] losses, float[] w, float[] b) {
    }

    private static Run run(Backend backend, SoftmaxRegression.Data data, boolean adam) {
        int steps = EPOCHS * data.stepsPerEpoch();
        try (SoftmaxRegression m = new SoftmaxRegression(backend, data, steps)) {
            float[] losses = m.train(data, adam);
            return new Run(losses, backend.download(m.w), backend.download(m.b));
        }
    }

    private static void assertAgree(float[] want, float[] got, double rel, String what) {
        assertTrue(want.length == got.length, what);
        double worst = 0;
        for (int i = 0; i < want.length; i++) {
            assertTrue(Float.isFinite(got[i]), what + "[" + i + "] = " + got[i]);
            double err = Math.abs(want[i] - got[i]) / Math.max(1, Math.abs(want[i]));
            worst = Math.max(worst, err);
        }
        assertTrue(worst <= rel, what + ": worst relative difference " + worst + " > " + rel);
    }

    private void agree(boolean adam) {
        CudaTests.assumeCuda();
        BackendProvider cpuProvider = Backends.provider("cpu");
        assertNotNull(cpuProvider, "the cpu backend is a test dependency");
        SoftmaxRegression.Data data = SoftmaxRegression.Data.make(42, EPOCHS);
        Run cpu;
        try (Backend b = cpuProvider.create(BackendOptions.threads(1))) {
            cpu = run(b, data, adam);
        }
        Run gpu;
        Run again;
        try (CudaBackend b = CudaTests.open()) {
            gpu = run(b, data, adam);
            again = run(b, data, adam);
        }
        String what = adam ? "adamw" : "sgd+momentum";
        assertTrue(cpu.losses()[cpu.losses().length - 1] < 0.5f * cpu.losses()[0], what + " learns: "
                + cpu.losses()[0] + " -> " + cpu.losses()[cpu.losses().length - 1]);
        assertAgree(cpu.losses(), gpu.losses(), 2e-4, what + " losses");
        assertAgree(cpu.w(), gpu.w(), 2e-4, what + " W");
        assertAgree(cpu.b(), gpu.b(), 2e-4, what + " b");
        assertArrayEquals(gpu.losses(), again.losses(), "CUDA repeats itself bit for bit");
        assertArrayEquals(gpu.w(), again.w());
    }

    @Test
    void sgdWithMomentumAgrees() {
        agree(false);
    }

    @Test
    void adamWAgrees() {
        agree(true);
    }
}
