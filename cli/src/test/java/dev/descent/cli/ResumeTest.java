package dev.descent.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.cli.io.Npy;
import dev.descent.cli.io.Npz;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A training run killed with SIGKILL (a real separate process) and resumed with {@code --resume} ends with metrics
 * and weights identical, bit for bit, to the same run done in one go; so does one stopped with a signal (Ctrl-C's
 * SIGINT, or SIGTERM), which writes a checkpoint before exiting.
 */
class ResumeTest {
    @TempDir
    Path dir;
    List<String> options;

    @BeforeEach
    void data() throws IOException {
        Path train = Cli.blobs(dir, "train.csv", 240, 6, 4, 11, 1.0);
        Path test = Cli.blobs(dir, "test.csv", 40, 6, 4, 12, 1.0);
        options = List.of("--data", train.toString(), "--test", test.toString(), "--model", "mlp", "--hidden", "16",
                "--batch-size", "16", "--epochs", "6", "--optimizer", "adam", "--lr", "0.01", "--seed", "7",
                "--schedule", "step(step_size=2, gamma=0.5)");
    }

    @Test
    void killedAndResumedEqualsUninterrupted() throws Exception {
        Path reference = dir.resolve("reference");
        Cli.Result ref = Cli.run(args("train", "--out", reference.toString(), "--quiet"));
        assertEquals(0, ref.code(), ref.toString());

        Path killed = dir.resolve("killed");
        Process p = start(args("train", "--out", killed.toString(), "--checkpoint-every", "1", "--slow-epochs", "400"));
        Path checkpoints = killed.resolve("checkpoints");
        waitFor(() -> countCheckpoints(checkpoints) > 0, p, "a first checkpoint");
        assertTrue(p.isAlive(), "the run is still going when it is killed");
        p.destroyForcibly();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertTrue(countLines(killed.resolve("metrics.csv")) < 7, "killed before the end");

        Cli.Result resumed = Cli.run("train", "--resume", killed.toString(), "--quiet");
        assertEquals(0, resumed.code(), resumed.toString());
        assertSameRun(reference, killed);
    }

    @Test
    void interruptWritesACheckpointAndResumes() throws Exception {
        Path reference = dir.resolve("reference");
        assertEquals(0, Cli.run(args("train", "--out", reference.toString(), "--quiet")).code());

        Path stopped = dir.resolve("stopped");
        Process p = start(args("train", "--out", stopped.toString(), "--slow-epochs", "400"));
        waitFor(() -> Files.exists(stopped.resolve("metrics.csv")), p, "the first epoch");
        // SIGTERM takes the same path as Ctrl-C (SIGINT), which a background process may have ignored.
        new ProcessBuilder("kill", "-TERM", Long.toString(p.pid())).start().waitFor();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "stops after the signal");
        String err = Files.readString(lastErr.toPath());
        assertEquals(ExitCodes.INTERRUPTED, p.exitValue(), err);
        assertTrue(err.contains("--resume"), err);
        assertTrue(countCheckpoints(stopped.resolve("checkpoints")) > 0, "the interrupted run wrote a checkpoint");

        Cli.Result resumed = Cli.run("train", "--resume", stopped.toString(), "--quiet");
        assertEquals(0, resumed.code(), resumed.toString());
        assertSameRun(reference, stopped);
    }

    private String[] args(String command, String... more) {
        List<String> a = new ArrayList<>();
        a.add(command);
        a.addAll(options);
        a.addAll(List.of(more));
        return a.toArray(String[]::new);
    }

    private Process start(String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of("--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                "-Djava.awt.headless=true", "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(Arrays.asList(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.redirectError(dir.resolve("child-" + System.nanoTime() + ".err").toFile());
        Process p = pb.start();
        lastErr = pb.redirectError().file();
        return p;
    }

    private File lastErr;

    private interface Condition {
        boolean holds() throws IOException;
    }

    private void waitFor(Condition c, Process p, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!c.holds()) {
            if (!p.isAlive()) {
                throw new AssertionError("the run ended (exit " + p.exitValue() + ") before " + what + ": "
                        + Files.readString(lastErr.toPath()));
            }
            if (System.nanoTime() > deadline) {
                p.destroyForcibly();
                throw new AssertionError("no " + what + " within 60 s");
            }
            Thread.sleep(10);
        }
    }

    private static long countCheckpoints(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(f -> f.getFileName().toString().endsWith(".ckpt")).count();
        }
    }

    private static long countLines(Path f) throws IOException {
        return Files.exists(f) ? Files.readAllLines(f).size() : 0;
    }

    /** metrics.csv without the seconds column, and every weight, bit for bit. */
    private static void assertSameRun(Path expected, Path actual) throws IOException {
        assertEquals(withoutSeconds(expected.resolve("metrics.csv")), withoutSeconds(actual.resolve("metrics.csv")));
        Map<String, Npy.Array> a = Npz.read(expected.resolve("model.npz"));
        Map<String, Npy.Array> b = Npz.read(actual.resolve("model.npz"));
        assertEquals(a.keySet(), b.keySet());
        for (String k : a.keySet()) {
            assertArrayEquals(bits(a.get(k).floats()), bits(b.get(k).floats()), "weights " + k);
        }
    }

    private static List<String> withoutSeconds(Path csv) throws IOException {
        List<String> out = new ArrayList<>();
        for (String line : Files.readAllLines(csv)) {
            out.add(line.substring(0, line.lastIndexOf(',')));
        }
        assertEquals(7, out.size(), "header and 6 epochs: " + out);
        return out;
    }

    private static int[] bits(float[] f) {
        int[] b = new int[f.length];
        for (int i = 0; i < f.length; i++) {
            b[i] = Float.floatToRawIntBits(f[i]);
        }
        return b;
    }
}
