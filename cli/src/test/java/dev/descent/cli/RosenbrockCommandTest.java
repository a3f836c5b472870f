package dev.descent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.cli.io.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
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

    /**
     * The trajectory files are streamed now; their text is the contract (step,w1,w2,loss, shortest round-trip
     * numbers): byte for byte what the in-memory implementation wrote (the resources are its output).
     */
    @Test
    void streamedOutputIsByteIdenticalToTheRecordedImplementation() throws Exception {
        Path one = dir.resolve("one");
        assertEquals(0, Cli.run("rosenbrock", "--optimizer", "adam", "--epochs", "200", "--out", one.toString(),
                "--quiet").code());
        assertSameBytes("adam-lr0.04-200.csv", one.resolve("trajectory.csv"));

        Path cmp = dir.resolve("cmp");
        assertEquals(0, Cli.run("rosenbrock", "--compare", "sgd,momentum,adam", "--lr", "0.04", "--epochs", "200",
                "--out", cmp.toString(), "--quiet").code());
        assertSameBytes("sgd-lr0.04-200.csv", cmp.resolve("trajectory-sgd.csv"));
        assertSameBytes("momentum-lr0.04-200.csv", cmp.resolve("trajectory-momentum.csv"));
        assertSameBytes("adam-lr0.04-200.csv", cmp.resolve("trajectory-adam.csv"));
        assertSameBytes("compare-lr0.04-200-summary.json", cmp.resolve("summary.json"));

        Path rms = dir.resolve("rms");
        assertEquals(0, Cli.run("rosenbrock", "--optimizer", "rmsprop", "--lr", "0.01", "--epochs", "200", "--start",
                "-0.5,0.25", "--out", rms.toString(), "--quiet").code());
        assertSameBytes("rmsprop-lr0.01-200-from-minus0.5-0.25.csv", rms.resolve("trajectory.csv"));
        for (Path d : List.of(one, cmp, rms)) {
            try (var files = Files.list(d)) {
                assertTrue(files.noneMatch(f -> f.getFileName().toString().startsWith(".")
                        && !f.getFileName().toString().equals(dev.descent.train.FolderLock.FILE_NAME)),
                        "no temporary left in " + d);
            }
        }
    }

    private static void assertSameBytes(String resource, Path actual) throws Exception {
        byte[] want;
        try (var in = RosenbrockCommandTest.class.getResourceAsStream("rosenbrock/" + resource)) {
            assertTrue(in != null, resource);
            want = in.readAllBytes();
        }
        byte[] got = Files.readAllBytes(actual);
        if (!java.util.Arrays.equals(want, got)) {
            assertEquals(new String(want, java.nio.charset.StandardCharsets.UTF_8),
                    new String(got, java.nio.charset.StandardCharsets.UTF_8), actual + " differs from " + resource);
        }
    }

    /**
     * Millions of steps in a small heap: the trajectory goes to disk as it is computed and the figure is drawn from a
     * bounded sample (the recorded implementation held every row, and every row's text, in memory).
     */
    @Test
    void aLongRunStreamsInBoundedMemory() throws Exception {
        Path out = dir.resolve("long");
        int epochs = 2_000_000;
        Process p = child(out, "-Xmx48m", "rosenbrock", "--optimizer", "adam", "--epochs", Integer.toString(epochs),
                "--out", out.toString(), "--quiet");
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "finishes");
        String err = Files.readString(out.resolveSibling("long.err"));
        assertEquals(0, p.exitValue(), err);
        Path csv = out.resolve("trajectory.csv");
        long rows;
        try (var lines = Files.lines(csv)) {
            rows = lines.count() - 1;
        }
        assertEquals(epochs + 1L, rows);
        try (var lines = Files.lines(csv)) {
            assertEquals("0,0.0,1.0,11.0", lines.skip(1).findFirst().orElseThrow());
        }
        Images.check(out.resolve("rosenbrock.png"), 1280, 604);
        Map<String, Object> s = Json.parseObject(Files.readString(out.resolve("summary.json")));
        assertEquals(epochs, ((Number) s.get("steps")).intValue());
    }

    /** SIGTERM (as Ctrl-C) stops a long run at a step boundary: exit 130, and no file, not even a temporary one. */
    @Test
    void aStoppedRunLeavesNothing() throws Exception {
        Path out = dir.resolve("stopped");
        Process p = child(out, "-Xmx256m", "rosenbrock", "--compare", "sgd,adam", "--epochs", "2000000000", "--out",
                out.toString());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!hasTemporary(out)) {
            assertTrue(p.isAlive(), () -> "ended early: " + readErr(out));
            assertTrue(System.nanoTime() < deadline, "no temporary trajectory file within 60 s");
            Thread.sleep(20);
        }
        new ProcessBuilder("kill", "-TERM", Long.toString(p.pid())).start().waitFor();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "stops after the signal");
        String err = readErr(out);
        assertEquals(ExitCodes.INTERRUPTED, p.exitValue(), err);
        assertTrue(err.contains("; nothing written"), err);
        // The folder the run made is removed again, lock file and all: nothing is left.
        assertTrue(Files.notExists(out), out + " is gone");
    }

    private static boolean hasTemporary(Path dir) throws java.io.IOException {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (var files = Files.list(dir)) {
            return files.anyMatch(f -> f.getFileName().toString().startsWith(".trajectory-"));
        }
    }

    private static String readErr(Path out) {
        try {
            return Files.readString(out.resolveSibling(out.getFileName() + ".err"));
        } catch (java.io.IOException e) {
            return e.toString();
        }
    }

    /** descent in a child JVM with {@code heap}, standard error into {@code <out>.err}. */
    private static Process child(Path out, String heap, String... args) throws java.io.IOException {
        List<String> cmd = new java.util.ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of(heap, "--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                "-Djava.awt.headless=true", "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.redirectError(out.resolveSibling(out.getFileName() + ".err").toFile());
        return pb.start();
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
        Cli.Result r = Cli.run("rosenbrock", "--optimizer", "adabelief", "--out", dir.toString());
        assertEquals(2, r.code());
        assertEquals(1, r.errLines().size(), r.err());
        assertTrue(r.err().contains("unknown optimizer 'adabelief'"), r.err());
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
