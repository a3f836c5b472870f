package dev.descent.cli;

import static dev.descent.cli.Child.concat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
        options = List.of("train", "--data", train.toString(), "--test", test.toString(), "--model", "mlp",
                "--hidden", "16", "--batch-size", "16", "--epochs", "6", "--optimizer", "adam", "--lr", "0.01",
                "--seed", "7", "--schedule", "step(step_size=2, gamma=0.5)");
    }

    @Test
    void killedAndResumedEqualsUninterrupted() throws Exception {
        Path reference = dir.resolve("reference");
        Cli.Result ref = Cli.run(concat(options, "--out", reference.toString(), "--quiet").toArray(String[]::new));
        assertEquals(0, ref.code(), ref.toString());

        Path killed = dir.resolve("killed");
        Child p = Child.start(dir, concat(options, "--out", killed.toString(), "--checkpoint-every", "1",
                "--slow-epochs", "400"));
        Path checkpoints = killed.resolve("checkpoints");
        p.waitUntil(() -> Child.countCheckpoints(checkpoints) > 0, "a first checkpoint");
        assertTrue(p.process.isAlive(), "the run is still going when it is killed");
        p.kill();
        assertTrue(Child.countLines(killed.resolve("metrics.csv")) < 7, "killed before the end");

        Cli.Result resumed = Cli.run("train", "--resume", killed.toString(), "--quiet");
        assertEquals(0, resumed.code(), resumed.toString());
        Child.assertSameRun(reference, killed, 6);
    }

    @Test
    void interruptWritesACheckpointAndResumes() throws Exception {
        Path reference = dir.resolve("reference");
        assertEquals(0, Cli.run(concat(options, "--out", reference.toString(), "--quiet").toArray(String[]::new))
                .code());

        Path stopped = dir.resolve("stopped");
        Child p = Child.start(dir, concat(options, "--out", stopped.toString(), "--slow-epochs", "400"));
        p.waitUntil(() -> Files.exists(stopped.resolve("metrics.csv")), "the first epoch");
        // SIGTERM takes the same path as Ctrl-C (SIGINT), which a background process may have ignored.
        new ProcessBuilder("kill", "-TERM", Long.toString(p.process.pid())).start().waitFor();
        int code = p.waitFor();
        String err = p.err();
        assertEquals(ExitCodes.INTERRUPTED, code, err);
        assertTrue(err.contains("--resume"), err);
        assertTrue(Child.countCheckpoints(stopped.resolve("checkpoints")) > 0,
                "the interrupted run wrote a checkpoint");

        Cli.Result resumed = Cli.run("train", "--resume", stopped.toString(), "--quiet");
        assertEquals(0, resumed.code(), resumed.toString());
        Child.assertSameRun(reference, stopped, 6);
    }
}
