package dev.descent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.cli.io.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code descent rosenbrock}, end to end in-process. */
class RosenbrockCommandTest {
    @TempDir
    Path dir;

    @Test
    void adamConvergesAndWritesTrajectoryAndFigure() throws Exception {
        Path out = dir.resolve("r1");
        Cli.Result r = Cli.run("rosenbrock", "--optimizer", "adam", "--lr", "0.04", "--epochs", "1000", "--out",
                out.toString(), "--backend", "cpu");
        assertEquals(0, r.code(), r.toString());
        List<String> lines = Files.readAllLines(out.resolve("trajectory.csv"));
        assertEquals("step,w1,w2,loss", lines.getFirst());
        assertEquals(1001 + 1, lines.size(), "header + steps 0..1000");
        assertEquals("0,0.0,1.0,11.0", lines.get(1), "step 0 is the start (0, 1), R = 1 + 10");
        String[] last = lines.getLast().split(",");
        assertEquals("1000", last[0]);
        assertTrue(Math.abs(Double.parseDouble(last[1]) - 1) < 0.05, lines.getLast());
        assertTrue(Math.abs(Double.parseDouble(last[2]) - 1) < 0.1, lines.getLast());
        assertTrue(Double.parseDouble(last[3]) < 1e-2, lines.getLast());
        // row k: R at the parameters of that row
        for (String line : lines.subList(1, 20)) {
            String[] c = line.split(",");
            float w1 = Float.parseFloat(c[1]);
            float w2 = Float.parseFloat(c[2]);
            float a = 1f - w1;
            float d = w2 - w1 * w1;
            assertEquals(a * a + 10f * (d * d), Float.parseFloat(c[3]), 1e-6f * Math.max(1, Float.parseFloat(c[3])));
        }
        Images.check(out.resolve("rosenbrock.png"), 1280, 604);
        Map<String, Object> s = Json.parseObject(Files.readString(out.resolve("summary.json")));
        assertEquals("rosenbrock", s.get("command"));
        assertTrue(r.out().contains("adam lr 0.04, 1000 steps"), r.out());
    }

    @Test
    void lectureComparisonAtLr004() throws Exception {
        Path out = dir.resolve("cmp");
        Cli.Result r = Cli.run("rosenbrock", "--compare", "sgd,momentum,adam", "--lr", "0.04", "--epochs", "1000",
                "--out", out.toString(), "--quiet");
        assertEquals(0, r.code(), "divergence is a result, not an error: " + r);
        for (String name : List.of("sgd", "momentum", "adam")) {
            List<String> lines = Files.readAllLines(out.resolve("trajectory-" + name + ".csv"));
            assertEquals("step,w1,w2,loss", lines.getFirst());
            assertEquals(1002, lines.size());
            assertEquals("0,0.0,1.0,11.0", lines.get(1));
        }
        assertFalse(Files.exists(out.resolve("trajectory.csv")));
        String momentum = Files.readString(out.resolve("trajectory-momentum.csv"));
        assertTrue(momentum.contains("NaN") || momentum.contains("Infinity"), "momentum diverges at lr 0.04");
        String[] sgdLast = Files.readAllLines(out.resolve("trajectory-sgd.csv")).getLast().split(",");
        assertTrue(Double.parseDouble(sgdLast[3]) > 1e-3, "plain descent stalls: " + String.join(",", sgdLast));
        String[] adamLast = Files.readAllLines(out.resolve("trajectory-adam.csv")).getLast().split(",");
        assertTrue(Double.parseDouble(adamLast[3]) < 1e-2, "adam converges: " + String.join(",", adamLast));
        Images.check(out.resolve("rosenbrock.png"), 1280, 1164);
        assertTrue(r.out().contains("momentum lr 0.04, 1000 steps: diverged at step"), r.out());
    }

    @Test
    void startAndOptimizerOptionsAreUsed() throws Exception {
        Path out = dir.resolve("r2");
        Cli.Result r = Cli.run("rosenbrock", "--optimizer", "momentum", "--momentum", "0.5", "--nesterov", "--lr",
                "0.01", "--epochs", "5", "--start", "-0.5,0.25", "--out", out.toString(), "--quiet");
        assertEquals(0, r.code(), r.toString());
        List<String> lines = Files.readAllLines(out.resolve("trajectory.csv"));
        assertEquals(7, lines.size());
        assertTrue(lines.get(1).startsWith("0,-0.5,0.25,"), lines.get(1));
    }

    @Test
    void badOptionsAreUsageErrors() {
        Cli.Result r = Cli.run("rosenbrock", "--optimizer", "lbfgs", "--out", dir.toString());
        assertEquals(2, r.code());
        assertEquals(1, r.errLines().size(), r.err());
        assertTrue(r.err().contains("unknown optimizer 'lbfgs'"), r.err());
        r = Cli.run("rosenbrock", "--optimizer", "sgd", "--lr", "-0.1", "--out", dir.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--lr must be >= 0"), r.err());
        r = Cli.run("rosenbrock", "--optimizer", "adam", "--betas", "0.9", "--out", dir.toString());
        assertEquals(2, r.code());
        assertEquals(1, r.errLines().size(), r.err());
        r = Cli.run("rosenbrock", "--optimizer", "sgd", "--amsgrad", "--out", dir.toString());
        assertEquals(2, r.code(), "sgd has no amsgrad: " + r);
        r = Cli.run("rosenbrock", "--out", dir.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--optimizer"), r.err());
    }
}
