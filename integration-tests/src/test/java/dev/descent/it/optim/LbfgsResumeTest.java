package dev.descent.it.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.descent.backend.Backend;
import dev.descent.backend.BackendOptions;
import dev.descent.backend.Backends;
import dev.descent.optim.Lbfgs;
import dev.descent.optim.LbfgsOptions;
import dev.descent.optim.LbfgsOptions.LineSearch;
import dev.descent.optim.Parameter;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * LBFGS saved in the middle of a run on the CPU backend (after 1 to 5 steps: an empty, a filling, a full and a
 * wrapped history, before and after line searches) and restored into a new optimizer over new parameter tensors
 * continues exactly as the uninterrupted run: the same parameters bit for bit, the same evaluation counts.
 */
class LbfgsResumeTest {
    private static final Golden SOFTMAX = Golden.load("lbfgs-softmax.txt");
    private static final int STEPS = 6;
    private static Backend cpu;

    @BeforeAll
    static void open() {
        cpu = Backends.select("cpu", BackendOptions.threads(2)).backend();
    }

    @AfterAll
    static void close() {
        cpu.close();
    }

    /** Makes a fresh problem (new tensors, the start point). */
    private interface Maker {
        Problems.Problem create();
    }

    /** The parameters after each step; restarted from saved state after {@code saveAfter} steps (-1: never). */
    private static List<float[][]> run(Maker make, LbfgsOptions options, int saveAfter) throws IOException {
        List<float[][]> path = new ArrayList<>();
        Problems.Problem p = make.create();
        Lbfgs opt = new Lbfgs(options, p.parameters(), null);
        try {
            for (int k = 0; k < STEPS; k++) {
                if (k == saveAfter) {
                    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                    try (DataOutputStream out = new DataOutputStream(bytes)) {
                        opt.saveState(out);
                    }
                    float[][] values = values(p);
                    long evals = opt.functionEvaluations();
                    opt.close();
                    p.close();
                    p = make.create();
                    for (int i = 0; i < values.length; i++) {
                        cpu.upload(values[i], 0, p.parameters().get(i).value());
                    }
                    opt = new Lbfgs(options, p.parameters(), null);
                    opt.loadState(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
                    assertEquals(evals, opt.functionEvaluations());
                }
                Problems.Problem q = p;
                opt.step(() -> q.lossAndGrad(false));
                float[][] v = values(p);
                float[][] withCounts = new float[v.length + 1][];
                System.arraycopy(v, 0, withCounts, 0, v.length);
                withCounts[v.length] = new float[] {opt.functionEvaluations(), opt.iterations(), opt.historyLength()};
                path.add(withCounts);
            }
        } finally {
            opt.close();
            p.close();
        }
        return path;
    }

    private static float[][] values(Problems.Problem p) {
        float[][] v = new float[p.parameters().size()][];
        for (int i = 0; i < v.length; i++) {
            Parameter param = p.parameters().get(i);
            v[i] = cpu.download(param.value());
        }
        return v;
    }

    private static void check(Maker make, LbfgsOptions options) throws IOException {
        List<float[][]> straight = run(make, options, -1);
        for (int at = 1; at < STEPS; at++) {
            List<float[][]> resumed = run(make, options, at);
            for (int k = 0; k < STEPS; k++) {
                for (int i = 0; i < straight.get(k).length; i++) {
                    assertArrayEquals(straight.get(k)[i], resumed.get(k)[i], options.lineSearch() + ", saved after "
                            + at + " steps: step " + (k + 1) + (i == straight.get(k).length - 1 ? " counters"
                            : " parameter " + i));
                }
            }
        }
    }

    @Test
    void softmaxResumesBitForBit() throws IOException {
        for (LineSearch ls : LineSearch.values()) {
            check(() -> Problems.Softmax.fromGolden(cpu, SOFTMAX),
                    LbfgsOptions.defaults().withLineSearch(ls).withLr(ls == LineSearch.NONE ? 0.5 : 1).withMaxIter(3)
                            .withHistorySize(4));
        }
    }

    @Test
    void rosenbrockResumesBitForBit() throws IOException {
        for (LineSearch ls : LineSearch.values()) {
            check(() -> new Problems.Rosenbrock(cpu, 0f, 1f),
                    LbfgsOptions.defaults().withLineSearch(ls).withLr(ls == LineSearch.NONE ? 0.2 : 1).withMaxIter(2)
                            .withHistorySize(2));
        }
    }
}
