package dev.descent.cli;

import static dev.descent.cli.Child.concat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.cli.io.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills training runs (SIGKILL, separate processes) at random moments while new runs ({@code --force}) and resumes
 * follow each other in one output folder, with two different runs' options. After every kill, the folder (a copy of
 * it) is resumed to the end: that must give, bit for bit, what the run named by its run.json gives uninterrupted, or
 * be refused with exit 2 (nothing to resume yet); it must never finish with anything else.
 *
 * <p>The kill moments (0 to 2.5 s after the child takes the folder; epochs are slowed to 0.1 s) come from a seeded
 * generator ({@code -Ddescent.faults.seed}, default fixed) but land wherever the child is at that moment, so each run of the test explores different points; {@code -Ddescent.faults.rounds}
 * sets how many kills (default 8).
 */
class FaultInjectionTest {
    @TempDir
    Path dir;

    @Test
    void killedRunsInOneFolderResumeExactlyOrAreRefused() throws Exception {
        Path train = Cli.blobs(dir, "train.csv", 240, 6, 4, 11, 1.0);
        // Two runs: same data, different seeds and lengths (their checkpoints are indistinguishable but for the run).
        Map<String, List<String>> runs = Map.of(
                "5", List.of("train", "--data", train.toString(), "--model", "mlp", "--hidden", "12",
                        "--batch-size", "16", "--epochs", "6", "--optimizer", "adam", "--lr", "0.01", "--seed", "5",
                        "--schedule", "step(step_size=2, gamma=0.5)"),
                "9", List.of("train", "--data", train.toString(), "--model", "mlp", "--hidden", "12",
                        "--batch-size", "16", "--epochs", "4", "--optimizer", "adam", "--lr", "0.01", "--seed", "9",
                        "--schedule", "step(step_size=2, gamma=0.5)"));
        Map<String, Integer> epochs = Map.of("5", 6, "9", 4);
        for (String seed : runs.keySet()) {
            Cli.Result ref = Cli.run(concat(runs.get(seed), "--out", dir.resolve("ref-" + seed).toString(),
                    "--quiet").toArray(String[]::new));
            assertEquals(0, ref.code(), ref.toString());
        }

        Random random = new Random(Long.getLong("descent.faults.seed", 20261206L));
        int rounds = Integer.getInteger("descent.faults.rounds", 8);
        Path folder = dir.resolve("out");
        int finished = 0;
        int refused = 0;
        List<String> log = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
            boolean fresh = round == 0 || random.nextInt(3) == 0;
            String seed = random.nextBoolean() ? "5" : "9";
            // Now and then a new run without --force: refused (exit 2) while the folder holds a run.
            boolean force = random.nextInt(4) != 0;
            List<String> args = fresh
                    ? concat(runs.get(seed), "--out", folder.toString(), "--checkpoint-every", "1",
                            force ? "--force" : "--quiet", "--slow-epochs", "100")
                    : List.of("train", "--resume", folder.toString(), "--slow-epochs", "100");
            // The moment is counted from when the child holds the folder (its pid in the lock file), so that the
            // JVM's start does not eat the window: from then on it loads, trains and writes for about a second.
            long killAfter = random.nextInt(2500);
            Child child = Child.start(dir, args);
            String holder = "pid=" + child.process.pid() + "\n";
            Path lock = folder.resolve(dev.descent.train.FolderLock.FILE_NAME);
            while (child.process.isAlive() && !(Files.exists(lock) && Files.readString(lock).startsWith(holder))) {
                Thread.sleep(2);
            }
            long t0 = System.nanoTime();
            while (child.process.isAlive() && (System.nanoTime() - t0) / 1_000_000 < killAfter) {
                Thread.sleep(2);
            }
            boolean killed = child.process.isAlive();
            child.kill();
            int code = child.process.exitValue();
            log.add((fresh ? "new run seed " + seed + (force ? " --force" : "") : "resume") + (killed ? ", killed after " + killAfter + " ms"
                    : ", ended with exit " + code));
            // Ended by itself: a resume of a folder whose run is not resumable yet is refused with exit 2.
            assertTrue(killed || code == 0 || code == ExitCodes.USAGE, log + "\n" + child.err());

            // Resume a copy to the end: exact, or refused.
            Path copy = dir.resolve("check-" + round);
            copyFolder(folder, copy);
            Cli.Result r = Cli.run("train", "--resume", copy.toString(), "--slow-epochs", "0", "--quiet");
            log.set(log.size() - 1, log.get(log.size() - 1) + "; resumed copy: " + (r.code() == 0 ? "finished"
                    : "refused (" + r.errLines().get(0) + ")"));
            if (r.code() == 0) {
                String runSeed = seedOf(copy);
                Child.assertSameRun(dir.resolve("ref-" + runSeed), copy, epochs.get(runSeed));
                finished++;
            } else {
                assertEquals(ExitCodes.USAGE, r.code(), log + "\n" + r);
                assertEquals(1, r.errLines().size(), r.toString());
                refused++;
            }
        }
        System.out.println("fault injection: " + String.join("\n  ", log));
        // A run that cannot finish anything would make the test vacuous.
        assertTrue(finished > 0, "some resumes completed: " + log + ", refused " + refused);
    }

    private static String seedOf(Path folder) throws IOException {
        Map<String, Object> run = Json.parseObject(Files.readString(folder.resolve("run.json")));
        List<?> args = (List<?>) run.get("args");
        return String.valueOf(args.get(args.indexOf("--seed") + 1));
    }

    private static void copyFolder(Path from, Path to) throws IOException {
        if (!Files.exists(from)) {
            return;
        }
        try (Stream<Path> files = Files.walk(from)) {
            for (Path p : files.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }
}
