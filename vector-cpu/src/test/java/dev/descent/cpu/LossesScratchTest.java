package dev.descent.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link Losses#softmaxCrossEntropy} never hands the softmax kernel a null gradient or a null row-term array: a loss
 * without a gradient (evaluation) goes through owned scratch arrays, so that the compiled kernel sees one profile
 * whether a JVM trains, evaluates or runs the fused pass (a null after arrays made C2's kernel deoptimise). The loss
 * is the one a call with a gradient gives, bit for bit, on one reduction chunk and on several.
 */
class LossesScratchTest {

    /** Records the array arguments of every softmax kernel call, and delegates to the real kernels. */
    private static CpuKernels recording(CpuKernels real, List<Object[]> calls) {
        return (CpuKernels) Proxy.newProxyInstance(CpuKernels.class.getClassLoader(), new Class<?>[] {CpuKernels.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("softmaxCrossEntropy") && args.length == 10) {
                        calls.add(new Object[] {args[2], args[8]}); // grad, rowLoss
                    }
                    try {
                        return invoke(method, real, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    private static Object invoke(Method method, CpuKernels target, Object[] args) throws InvocationTargetException {
        try {
            return method.invoke(target, args);
        } catch (IllegalAccessException e) {
            throw new AssertionError(e);
        }
    }

    @ParameterizedTest(name = "{0} rows")
    @ValueSource(ints = {100, 5000}) // one reduction chunk (1024 rows for 10 classes), and five
    void noNullReachesTheKernelAndTheLossIsTheSame(int n) {
        int k = 10;
        Random random = new Random(3);
        float[] logits = new float[n * k];
        for (int i = 0; i < logits.length; i++) {
            logits[i] = (float) random.nextGaussian() * 4;
        }
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = random.nextInt(k);
        }
        List<Object[]> calls = Collections.synchronizedList(new ArrayList<>());
        try (WorkerPool pool = new WorkerPool(2, "losses-test")) {
            Losses losses = new Losses(pool, recording(VectorKernels.INSTANCE, calls));
            float withGrad = losses.softmaxCrossEntropy(logits, labels, new float[n * k], n, k, n);
            float without = losses.softmaxCrossEntropy(logits, labels, null, n, k, n);
            assertEquals(Float.floatToRawIntBits(withGrad), Float.floatToRawIntBits(without),
                    "the loss without a gradient");
            assertTrue(withGrad > 0 && Float.isFinite(withGrad));
        }
        assertFalse(calls.isEmpty(), "the kernel was called");
        for (Object[] c : calls) {
            assertTrue(c[0] != null, "a null gradient reached the kernel");
            assertTrue(c[1] != null, "a null row-term array reached the kernel");
        }
    }
}
