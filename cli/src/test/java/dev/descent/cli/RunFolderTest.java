package dev.descent.cli;

import static dev.descent.cli.Child.concat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.cli.io.Json;
import dev.descent.train.Checkpoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A training run owns its output folder: a lock, a run identity in every checkpoint, no mixing with earlier runs. */
class RunFolderTest {
    @TempDir
    Path dir;
    List<String> options;
    Path train;

    @BeforeEach
    void data() throws IOException {
        train = Cli.blobs(dir, "train.csv", 160, 5, 3, 21, 1.0);
        options = List.of("train", "--data", train.toString(), "--model", "softmax", "--batch-size", "16",
                "--optimizer", "adam", "--lr", "0.01", "--seed", "3", "--quiet");
    }

    private Cli.Result train(Path out, String... more) {
        return Cli.run(concat(concat(options, "--out", out.toString()), more).toArray(String[]::new));
    }

    @Test
    void aNewRunInAUsedFolderIsRefusedNamingResumeAndForce() throws IOException {
        Path out = dir.resolve("out");
        assertEquals(0, train(out, "--epochs", "3").code());
        byte[] model = Files.readAllBytes(out.resolve("model.npz"));
        Cli.Result again = train(out, "--epochs", "2");
        assertEquals(ExitCodes.USAGE, again.code(), again.toString());
        assertEquals(1, again.errLines().size(), again.toString());
        assertEquals("descent train: error: --out " + out + " holds an earlier run (run.json, summary.json, "
                + "metrics.csv, loss.png, model.json, model.npz, 1 checkpoint); continue it with --resume " + out
                + ", replace it with --force, or choose another --out", again.errLines().get(0));
        assertTrue(java.util.Arrays.equals(model, Files.readAllBytes(out.resolve("model.npz"))), "left as it was");
    }

    @Test
    void forceDeletesOnlyTheEarlierRunsOwnFiles() throws IOException {
        Path out = dir.resolve("out");
        assertEquals(0, train(out, "--epochs", "4", "--checkpoint-every", "1").code());
        Files.writeString(out.resolve("notes.txt"), "mine");
        Files.writeString(out.resolve(".editor.swp.tmp"), "mine too");
        Files.writeString(out.resolve(".metrics.csv.descent-123.tmp"), "a killed descent's");
        String oldId = runId(out);

        Cli.Result r = train(out, "--epochs", "2", "--force");
        assertEquals(0, r.code(), r.toString());
        assertEquals("mine", Files.readString(out.resolve("notes.txt")));
        assertEquals("mine too", Files.readString(out.resolve(".editor.swp.tmp")));
        assertFalse(Files.exists(out.resolve(".metrics.csv.descent-123.tmp")));
        assertEquals(3, Child.countLines(out.resolve("metrics.csv")), "the new run's 2 epochs only");
        String newId = runId(out);
        assertFalse(newId.equals(oldId), "a new run has a new identity");
        List<Path> checkpoints = Checkpoint.list(out.resolve("checkpoints"));
        assertEquals(1, checkpoints.size(), "the old run's checkpoints are gone: " + checkpoints);
        assertEquals(newId, Checkpoint.runIdOf(checkpoints.get(0)));
        assertFalse(Files.readString(out.resolve("run.json")).contains("--force"),
                "run.json keeps the run's options, not --force");
    }

    /**
     * The case: an older, longer run's checkpoints (steps beyond the new run's) outlived the new run's, and
     * --resume continued the old run. Mixed checkpoints (as an older descent left them) are refused now.
     */
    @Test
    void resumeRefusesAFolderThatMixesRuns() throws IOException {
        Path old = dir.resolve("old");
        Path out = dir.resolve("out");
        assertEquals(0, train(old, "--epochs", "6", "--checkpoint-every", "1").code());
        assertEquals(0, train(out, "--epochs", "2", "--checkpoint-every", "1").code());
        for (Path p : Checkpoint.list(old.resolve("checkpoints"))) {
            Files.copy(p, out.resolve("checkpoints").resolve(p.getFileName()));
        }
        Cli.Result r = Cli.run("train", "--resume", out.toString(), "--quiet");
        assertEquals(ExitCodes.USAGE, r.code(), r.toString());
        assertTrue(r.errLines().get(0).contains("is not from the run in run.json (run_id " + runId(out) + ")"),
                r.toString());
        assertTrue(r.errLines().get(0).endsWith("the folder mixes runs: start over with --force"), r.toString());
    }

    @Test
    void resumeRefusesACheckpointBeyondTheEpochsAskedFor() throws IOException {
        Path out = dir.resolve("out");
        assertEquals(0, train(out, "--epochs", "4", "--checkpoint-every", "1").code());
        Cli.Result r = Cli.run("train", "--resume", out.toString(), "--epochs", "2", "--quiet");
        assertEquals(ExitCodes.USAGE, r.code(), r.toString());
        assertTrue(r.errLines().get(0).contains("the run is past epoch 4, beyond this run's 2 epochs"),
                r.toString());
        // More epochs than before: the run continues from epoch 5, with the same identity.
        String id = runId(out);
        Cli.Result more = Cli.run("train", "--resume", out.toString(), "--epochs", "5", "--quiet");
        assertEquals(0, more.code(), more.toString());
        assertEquals(6, Child.countLines(out.resolve("metrics.csv")));
        assertEquals(id, Checkpoint.runIdOf(Checkpoint.latest(out.resolve("checkpoints")).orElseThrow()));
    }

    @Test
    void forceAndResumeOfTheSameFolderContradict() throws IOException {
        Path out = dir.resolve("out");
        assertEquals(0, train(out, "--epochs", "1", "--checkpoint-every", "1").code());
        Cli.Result r = Cli.run(concat(options, "--resume", out.toString(), "--force").toArray(String[]::new));
        assertEquals(ExitCodes.USAGE, r.code(), r.toString());
        assertTrue(r.errLines().get(0).contains("--force starts a new run; it cannot be combined with --resume"),
                r.toString());
    }

    @Test
    void aSecondRunOnTheSameFolderIsRefusedNamingTheFirstsProcess() throws Exception {
        Path out = dir.resolve("out");
        Child first = Child.start(dir, concat(options, "--out", out.toString(), "--epochs", "30",
                "--checkpoint-every", "1", "--slow-epochs", "200"));
        try {
            // The first epoch's checkpoint, not only metrics.csv (rewritten during an epoch): the resume below needs
            // one, and on a loaded machine the kill could otherwise come before it is written.
            first.waitUntil(() -> Files.exists(out.resolve("metrics.csv")) && hasCheckpoint(out), "the first epoch");
            for (String[] more : List.of(new String[] {"--force"}, new String[] {"--resume", out.toString()})) {
                Cli.Result second = train(out, concat(List.of("--epochs", "30"), more).toArray(String[]::new));
                assertEquals(ExitCodes.USAGE, second.code(), second + "\n--- first run (alive: "
                        + first.process.isAlive() + "):\n" + first.err());
                assertEquals(1, second.errLines().size(), second.toString());
                assertTrue(second.errLines().get(0).startsWith("descent train: error: --out " + out
                        + " is in use by another descent run (pid " + first.process.pid() + ", train, since "),
                        second + "\n--- first run (alive: " + first.process.isAlive() + "):\n" + first.err());
            }
            // Other commands respect the lock too.
            Cli.Result sweep = Cli.run("sweep", "--data", train.toString(), "--batch-sizes", "8", "--epochs", "1",
                    "--out", out.toString(), "--quiet");
            assertEquals(ExitCodes.USAGE, sweep.code(), sweep.toString());
            assertTrue(sweep.errLines().get(0).contains("is in use by another descent run (pid "
                    + first.process.pid()), sweep.toString());
            assertTrue(first.process.isAlive(), "the first run goes on: " + first.err());
        } finally {
            first.kill();
        }
        // Killed: the lock went with the process; --resume takes the folder and finishes the first run.
        Cli.Result resumed = Cli.run("train", "--resume", out.toString(), "--epochs", "3", "--slow-epochs", "0",
                "--quiet");
        assertTrue(resumed.code() == 0 || resumed.err().contains("beyond this run's 3 epochs"), resumed.toString());
    }

    @Test
    void aFolderMadeForARunThatFailsIsRemovedAgain() {
        Path out = dir.resolve("never");
        Cli.Result r = Cli.run("train", "--data", dir.resolve("missing.csv").toString(), "--out", out.toString());
        assertEquals(ExitCodes.USAGE, r.code(), r.toString());
        assertFalse(Files.exists(out), "no empty folder (or lock file) is left behind");
    }

    private static boolean hasCheckpoint(Path out) {
        try (var files = Files.list(out.resolve("checkpoints"))) {
            return files.anyMatch(f -> f.getFileName().toString().endsWith(".ckpt"));
        } catch (IOException e) {
            return false;
        }
    }

    static String runId(Path out) throws IOException {
        Map<String, Object> run = Json.parseObject(Files.readString(out.resolve("run.json")));
        return (String) run.get("run_id");
    }
}
