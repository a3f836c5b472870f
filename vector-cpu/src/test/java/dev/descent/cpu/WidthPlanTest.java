package dev.descent.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The measured width plan: the choice, the file, the ladder that applies it, and one real probe JVM. */
class WidthPlanTest {
    @TempDir
    Path dir;

    private static Map<String, Map<Integer, Double>> times(Object... rows) {
        Map<String, Map<Integer, Double>> m = new LinkedHashMap<>();
        for (int i = 0; i < rows.length; i += 2) {
            double[] t = (double[]) rows[i + 1];
            Map<Integer, Double> w = new TreeMap<>();
            int[] bits = {128, 256, 512};
            for (int j = 0; j < t.length; j++) {
                if (t[j] > 0) {
                    w.put(bits[j], t[j]);
                }
            }
            m.put((String) rows[i], w);
        }
        return m;
    }

    @Test
    void choosesTheBestGeometricMeanAndTheWiderOnATie() {
        // 256-bit: fastest on "full", 5 % slower than 512 on "mini"; 512-bit 10 % slower on "full": 256 wins
        var a = times("full", new double[] {3.0, 1.0, 1.1}, "mini", new double[] {2.0, 1.05, 1.0});
        assertEquals(256, WidthPlan.choose(a));
        var tie = times("full", new double[] {2.0, 1.0, 1.0});
        assertEquals(512, WidthPlan.choose(tie));
        var wide = times("full", new double[] {3.0, 2.0, 1.0}, "mini", new double[] {3.0, 2.0, 1.5});
        assertEquals(512, WidthPlan.choose(wide));
        // a width missing for one workload cannot win
        var missing = times("full", new double[] {3.0, 1.0, 0.5}, "mini", new double[] {3.0, 1.0, 0});
        assertEquals(256, WidthPlan.choose(missing));
    }

    @Test
    void writesAndReadsBackTheSamePlan() throws IOException {
        var t = times("softmax-full-24", new double[] {0.03, 0.012, 0.0125}, "mlp-b64-10",
                new double[] {0.2, 0.1, 0.09});
        WidthPlan plan = new WidthPlan("AMD EPYC: 9 = x | 512-bit | amd64 | Java 25", 256, t, "2026-12-06T20:00:00Z");
        Path file = dir.resolve("sub").resolve(WidthPlan.FILE_NAME);
        plan.write(file);
        WidthPlan back = WidthPlan.read(file);
        assertEquals(plan, back);
        assertTrue(Files.readString(file).contains("\n# cpu: " + dev.descent.backend.HostCpu.describe() + "\n"),
                "the plan file names the CPU and its vector ISA");
        try (var files = Files.list(file.getParent())) {
            assertEquals(1, files.count(), "no temporary file left beside the plan");
        }
        assertTrue(plan.summary().startsWith("256-bit ran the probe workloads"), plan.summary());
        assertNull(WidthPlan.read(dir.resolve("absent")));
    }

    @Test
    void theLadderPrefersThePropertyThenAPlanOfThisMachineThenTheWidest() throws IOException {
        Path file = dir.resolve(WidthPlan.FILE_NAME);
        String key = "this machine";
        var t = times("w", new double[] {2.0, 1.0, 1.5});
        // no plan
        VectorBits.Decision d = VectorBits.decide(512, null, file, key);
        assertEquals(512, d.bits());
        assertTrue(d.origin().contains("no measured plan"), d.origin());
        // a plan of this machine
        new WidthPlan(key, 256, t, "now").write(file);
        d = VectorBits.decide(512, null, file, key);
        assertEquals(256, d.bits());
        assertTrue(d.origin().startsWith("measured plan " + file), d.origin());
        // the property wins, capped at the hardware
        assertEquals(128, VectorBits.decide(512, "128", file, key).bits());
        assertEquals(256, VectorBits.decide(256, "512", file, key).bits());
        // another machine's plan is ignored, and said so
        d = VectorBits.decide(512, null, file, "another machine");
        assertEquals(512, d.bits());
        assertTrue(d.origin().contains("measured on another machine"), d.origin());
        // a plan wider than this hardware
        new WidthPlan(key, 512, t, "now").write(file);
        assertEquals(256, VectorBits.decide(256, null, file, key).bits());
        // no plan file at all (-Ddescent.vector.plan=none)
        assertEquals(512, VectorBits.decide(512, null, null, key).bits());
        // garbage: ignored, with the file named
        Files.writeString(file, "bits=77\nkey=x\n");
        d = VectorBits.decide(512, null, file, key);
        assertEquals(512, d.bits());
        assertTrue(d.origin().contains(file.toString()) && d.origin().contains("bits=77"), d.origin());
    }

    /**
     * The key names the kernels' code: a plan measured by another build of them is ignored (which width is fastest
     * follows the kernels), and the checksum is that of the class files, stable within a build.
     */
    @Test
    void theKeyNamesTheKernelsBuild() throws IOException {
        String key = WidthPlan.machineKey(512);
        String id = WidthPlan.kernelsId();
        assertTrue(id.matches("[0-9a-f]{8}"), id);
        assertTrue(key.endsWith(" | kernels " + id), key);
        assertEquals(key, WidthPlan.machineKey(512));
        assertNotEquals("00000000", id);
        // the same machine and JVM, other kernels: ignored, with the reason and the way out
        Path file = dir.resolve("plan-other-build.properties");
        Map<String, Map<Integer, Double>> t = Map.of("softmax-full-24", Map.of(128, 3.0, 256, 1.0, 512, 2.0));
        String otherBuild = key.substring(0, key.lastIndexOf(" | kernels ")) + " | kernels 0badc0de";
        new WidthPlan(otherBuild, 256, t, "now").write(file);
        VectorBits.Decision d = VectorBits.decide(512, null, file, key);
        assertEquals(512, d.bits());
        assertTrue(d.origin().contains("another machine, JVM or build of the kernels")
                && d.origin().contains("./descent backends --plan"), d.origin());
        new WidthPlan(key, 256, t, "now").write(file);
        assertEquals(256, VectorBits.decide(512, null, file, key).bits());
    }

    @Test
    void aWorkloadHintTakesThatWorkloadsFastestWidth() throws IOException {
        assertEquals("mlp-b64-10", WidthPlan.probeFor("model=mlp,classes=10,batch=64"));
        assertEquals("softmax-b16-24", WidthPlan.probeFor("model=softmax,classes=24,batch=16"));
        assertEquals("softmax-b16-10", WidthPlan.probeFor("model=softmax,classes=10,batch=16"));
        assertEquals("softmax-b16-10", WidthPlan.probeFor("model=softmax,classes=3,batch=64"));
        assertEquals("softmax-full-24", WidthPlan.probeFor("model=softmax,classes=24,batch=0"));
        assertEquals("softmax-full-24", WidthPlan.probeFor("model=softmax,classes=26,batch=4096"));
        assertEquals("softmax-full-10", WidthPlan.probeFor("model=softmax,classes=10,batch=0"));
        assertEquals("softmax-full-10", WidthPlan.probeFor("model=softmax,classes=2,batch=1024"));
        assertNull(WidthPlan.probeFor("model=softmax,classes=x"));
        assertNull(WidthPlan.probeFor(null));

        Path file = dir.resolve(WidthPlan.FILE_NAME);
        var t = times("softmax-full-24", new double[] {7.6, 3.6, 6.3}, "softmax-b16-24", new double[] {6.3, 4.7, 4.8},
                "mlp-b64-10", new double[] {26.4, 34.1, 13.5});
        WidthPlan plan = new WidthPlan("k", WidthPlan.choose(t), t, "now");
        assertEquals(512, plan.bits(), "the geometric mean favours 512 (the MLP)");
        plan.write(file);
        VectorBits.Decision d = VectorBits.decide(512, null, file, "k", "model=softmax,classes=24,batch=0");
        assertEquals(256, d.bits(), d.origin());
        assertTrue(d.origin().contains("softmax-full-24") && d.origin().contains("1.75×"), d.origin());
        assertEquals(512, VectorBits.decide(512, null, file, "k", "model=mlp,classes=10,batch=64").bits());
        assertEquals(512, VectorBits.decide(512, null, file, "k", "gibberish").bits(), "no usable hint: overall");
        d = VectorBits.decide(512, null, file, "k", null);
        assertTrue(d.origin().contains("per workload softmax-full-24 256, softmax-b16-24 512, mlp-b64-10 512"),
                d.origin() + " (b16: 256 bits only 2 % faster, within the 5 % a narrower width must beat)");
        assertEquals(128, VectorBits.decide(512, "128", file, "k", "model=mlp,classes=10,batch=64").bits(),
                "the property still wins");
    }

    @Test
    void oneThreadWhereThePlanFoundItFasterForTheWorkload() throws IOException {
        var all = times("softmax-b16-24", new double[] {6.0, 4.9, 4.7}, "mlp-b64-10", new double[] {26, 15, 13.9});
        var one = times("softmax-b16-24", new double[] {6.5, 2.8, 3.1}, "mlp-b64-10", new double[] {40, 25, 22});
        WidthPlan plan = new WidthPlan("k", 512, all, one, "now");
        Path file = dir.resolve(WidthPlan.FILE_NAME);
        plan.write(file);
        assertEquals(plan, WidthPlan.read(file));
        assertEquals(1, plan.threadsFor("softmax-b16-24", 512));
        assertEquals(0, plan.threadsFor("softmax-b16-24", 128), "one thread only 8 % slower there: all cores");
        assertEquals(0, plan.threadsFor("mlp-b64-10", 512));
        VectorBits.Decision d = VectorBits.decide(512, null, file, "k", "model=softmax,classes=10,batch=16");
        assertEquals(256, d.bits(), "one thread at 256 bits (2.8) beats one at 512 (3.1) by 10 %, and all cores");
        assertEquals(1, d.threads(), d.origin());
        assertTrue(d.origin().contains("on 1 thread"), d.origin());
        assertEquals(0, VectorBits.decide(512, null, file, "k", "model=mlp,classes=10,batch=64").threads());
        assertEquals(0, VectorBits.decide(512, null, file, "k", null).threads(), "no hint: all cores");
        assertEquals(0, VectorBits.decide(512, "256", file, "k", "model=softmax,classes=10,batch=16").threads(),
                "the width property bypasses the plan, threads too");
        assertTrue(plan.perWorkload().contains("softmax-b16-24 256 on 1 thread"), plan.perWorkload());
    }

    @Test
    void minibatchesOfTenClassesFollowTheirOwnProbeWhenThePlanHasIt() throws IOException {
        var all = times("softmax-b16-24", new double[] {6.0, 4.0, 4.7}, "softmax-b16-10", new double[] {5.0, 4.0, 3.0});
        WidthPlan plan = new WidthPlan("k", 256, all, Map.of(), "now");
        Path file = dir.resolve(WidthPlan.FILE_NAME);
        plan.write(file);
        assertEquals(256, VectorBits.decide(512, null, file, "k", "model=softmax,classes=24,batch=16").bits());
        VectorBits.Decision d = VectorBits.decide(512, null, file, "k", "model=softmax,classes=10,batch=16");
        assertEquals(512, d.bits(), d.origin());
        assertTrue(d.origin().contains("softmax-b16-10"), d.origin());
        assertEquals("softmax-b16-10", plan.measuredFor("softmax-b16-10"));
        WidthPlan old = new WidthPlan("k", 256, times("softmax-b16-24", new double[] {6.0, 4.0, 4.7}), Map.of(), "now");
        assertEquals("softmax-b16-24", old.measuredFor("softmax-b16-10"), "a plan from before the probe existed");
    }

    @Test
    void aWidthWhoseOneThreadRunBeatsEveryOtherIsChosenForTheWorkload() throws IOException {
        // this host, 2026-12-07: all cores fastest at 256 bits, but one thread at 512 faster still
        var all = times("softmax-b16-10", new double[] {3.51, 3.26, 4.04});
        var one = times("softmax-b16-10", new double[] {3.06, 2.54, 2.25});
        WidthPlan plan = new WidthPlan("k", 256, all, one, "now");
        assertEquals(512, plan.bestFor("softmax-b16-10"));
        assertEquals(1, plan.threadsFor("softmax-b16-10", 512));
        Path file = dir.resolve(WidthPlan.FILE_NAME);
        plan.write(file);
        VectorBits.Decision d = VectorBits.decide(512, null, file, "k", "model=softmax,classes=10,batch=16");
        assertEquals(512, d.bits(), d.origin());
        assertEquals(1, d.threads(), d.origin());
    }

    @Test
    void aNarrowerWidthMustBeFivePercentFasterToDisplaceAWiderOne() {
        // this host, 2026-12-08: 256 bits on both cores 34.49 ms, 512 on one thread 34.87 (all cores 79.18)
        var all = times("softmax-b16-24", new double[] {67.89, 34.49, 79.18});
        var one = times("softmax-b16-24", new double[] {96.49, 39.04, 34.87});
        WidthPlan plan = new WidthPlan("k", 512, all, one, "now");
        assertEquals(512, plan.bestFor("softmax-b16-24"), "1 % faster is within noise");
        assertEquals(1, plan.threadsFor("softmax-b16-24", 512));
        var clearly = times("softmax-b16-24", new double[] {67.89, 32.9, 79.18});
        assertEquals(256, new WidthPlan("k", 512, clearly, one, "now").bestFor("softmax-b16-24"), "5.6 % faster");
        var slowWide = times("softmax-b16-24", new double[] {30.0, 34.49, 79.18});
        assertEquals(128, new WidthPlan("k", 512, slowWide, one, "now").bestFor("softmax-b16-24"),
                "the narrowest, 13 % faster than 256 and 14 % than 512");
    }

    @Test
    void measureTakesEachWidthsMedianRoundAndChooses() throws IOException {
        List<Integer> calls = new ArrayList<>();
        boolean cores = Runtime.getRuntime().availableProcessors() > 1;
        WidthPlan plan = WidthPlanner.measure(512, 3, (bits, paired) -> {
            assertEquals(cores, paired, "all cores and one thread in one probe JVM where there are several cores");
            calls.add(bits);
            // the first round ran under load, the last was lucky on all cores: the middle one counts
            double slow = calls.size() <= 3 ? 2.0 : calls.size() <= 6 ? 1.0 : 0.5;
            Map<String, double[]> m = new LinkedHashMap<>();
            m.put("a", new double[] {slow * (bits == 256 ? 1.0 : 1.2), 5.0});
            // one thread wins "b" at 512 bits in the rounds that count
            m.put("b", new double[] {slow * (bits == 128 ? 3.0 : 1.0), bits == 512 ? 0.5 * slow : 5.0});
            return m;
        }, line -> { });
        assertEquals(List.of(128, 256, 512, 128, 256, 512, 128, 256, 512), calls,
                "the widths take turns, round by round");
        assertEquals(256, plan.bits());
        assertEquals(1.0, plan.seconds().get("a").get(256), "the median round, not the fastest");
        assertEquals(1.2, plan.seconds().get("a").get(512));
        assertEquals(WidthPlan.machineKey(512), plan.key());
        if (cores) {
            assertEquals(0.5, plan.oneThread().get("b").get(512));
            assertEquals(1, plan.threadsFor("b", 512));
            assertEquals(0, plan.threadsFor("a", 256));
            assertEquals(0, plan.threadsFor("b", 256));
        } else {
            assertTrue(plan.oneThread().isEmpty(), "no one-thread runs on one core");
        }
        String table = WidthPlanner.table(plan);
        assertTrue(table.contains("256-bit") && table.contains("1000.00*"), table);
        assertTrue(table.startsWith("cpu: " + dev.descent.backend.HostCpu.model() + ", "
                + dev.descent.backend.HostCpu.vectorIsa() + "\n"), table);
    }

    @Test
    void mediansTakeTheMiddleRoundAndTheFasterOfTwo() {
        Map<String, Map<Integer, List<Double>>> rounds = new LinkedHashMap<>();
        rounds.put("w", new java.util.TreeMap<>(Map.of(512, List.of(3.0, 1.0, 9.0), 256, List.of(4.0, 2.0))));
        var m = WidthPlanner.medians(rounds);
        assertEquals(3.0, m.get("w").get(512));
        assertEquals(2.0, m.get("w").get(256));
    }

    @Test
    void aRealProbeJvmReportsEveryWorkloadAtItsWidth() throws IOException {
        Map<String, double[]> t = WidthPlanner.runProbeJvm(128, List.of("--small", "--threads", "1"));
        assertEquals(List.of(WidthProbe.WORKLOADS), new ArrayList<>(t.keySet()));
        for (double[] s : t.values()) {
            assertEquals(1, s.length);
            assertTrue(s[0] > 0 && s[0] < 10, "seconds " + s[0]);
        }
    }

    @Test
    void aPairedProbeJvmReportsBothThreadCounts() throws IOException {
        Map<String, double[]> t = WidthPlanner.runProbeJvm(128, List.of("--small", "--paired"));
        assertEquals(List.of(WidthProbe.WORKLOADS), new ArrayList<>(t.keySet()));
        for (double[] s : t.values()) {
            assertEquals(2, s.length);
            assertTrue(s[0] > 0 && s[0] < 10 && s[1] > 0 && s[1] < 10, "seconds " + Arrays.toString(s));
        }
    }
}
