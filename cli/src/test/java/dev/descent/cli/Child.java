package dev.descent.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.descent.cli.io.Npy;
import dev.descent.cli.io.Npz;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Test helper: descent in a separate JVM (so that it can be killed with SIGKILL or sent a signal), and comparisons of
 * two training runs' outputs bit for bit.
 */
final class Child {
    final Process process;
    final Path errFile;

    private Child(Process process, Path errFile) {
        this.process = process;
        this.errFile = errFile;
    }

    /** Starts {@code descent ARGS} in a new JVM on the test class path; standard error goes to a file in {@code dir}. */
    static Child start(Path dir, List<String> args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of("--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                "-Djava.awt.headless=true", "-cp",
                System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        Path err = dir.resolve("child-" + System.nanoTime() + ".err");
        pb.redirectError(err.toFile());
        return new Child(pb.start(), err);
    }

    String err() throws IOException {
        return Files.exists(errFile) ? Files.readString(errFile) : "";
    }

    /** Waits for the child to end; returns its exit status. */
    int waitFor() throws Exception {
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("child did not end within 120 s: " + err());
        }
        return process.exitValue();
    }

    void kill() throws Exception {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    interface Condition {
        boolean holds() throws IOException;
    }

    /** Waits until {@code c} holds while the child runs; fails if it ends first or after 60 s. */
    void waitUntil(Condition c, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!c.holds()) {
            if (!process.isAlive()) {
                throw new AssertionError("the run ended (exit " + process.exitValue() + ") before " + what + ": "
                        + err());
            }
            if (System.nanoTime() > deadline) {
                process.destroyForcibly();
                throw new AssertionError("no " + what + " within 60 s");
            }
            Thread.sleep(5);
        }
    }

    static long countCheckpoints(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(f -> f.getFileName().toString().endsWith(".ckpt")).count();
        }
    }

    static long countLines(Path f) throws IOException {
        return Files.exists(f) ? Files.readAllLines(f).size() : 0;
    }

    /** metrics.csv without the seconds column ({@code epochs} rows), and every weight, bit for bit. */
    static void assertSameRun(Path expected, Path actual, int epochs) throws IOException {
        assertEquals(withoutSeconds(expected.resolve("metrics.csv"), epochs),
                withoutSeconds(actual.resolve("metrics.csv"), epochs), "metrics of " + actual);
        Map<String, Npy.Array> a = Npz.read(expected.resolve("model.npz"));
        Map<String, Npy.Array> b = Npz.read(actual.resolve("model.npz"));
        assertEquals(a.keySet(), b.keySet());
        for (String k : a.keySet()) {
            assertArrayEquals(bits(a.get(k).floats()), bits(b.get(k).floats()), "weights " + k + " of " + actual);
        }
    }

    private static List<String> withoutSeconds(Path csv, int epochs) throws IOException {
        List<String> out = new ArrayList<>();
        List<String> lines = Files.readAllLines(csv);
        int seconds = Arrays.asList(lines.getFirst().split(",")).indexOf("seconds");
        for (String line : lines) {
            List<String> cells = new ArrayList<>(Arrays.asList(line.split(",", -1)));
            cells.remove(seconds);
            out.add(String.join(",", cells));
        }
        assertEquals(epochs + 1, out.size(), "header and " + epochs + " epochs: " + out);
        return out;
    }

    private static int[] bits(float[] f) {
        int[] b = new int[f.length];
        for (int i = 0; i < f.length; i++) {
            b[i] = Float.floatToRawIntBits(f[i]);
        }
        return b;
    }

    static List<String> concat(List<String> a, String... more) {
        List<String> l = new ArrayList<>(a);
        l.addAll(Arrays.asList(more));
        return l;
    }
}
