package dev.descent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.cli.io.Json;
import dev.descent.optim.schedule.Schedule;
import dev.descent.optim.schedule.Scheduler;
import dev.descent.train.Checkpoint;
import dev.descent.train.EpochMetrics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code --schedule} with the schedules added for issue 21, end to end: {@code train} records the spec in summary.json,
 * each epoch starts at the learning rate the library's schedule gives (read back from the checkpoint's history, where
 * descent records it), and a finished run extended with {@code --resume DIR --epochs N} continues the schedule
 * bit-identically.
 */
class ScheduleOptionTest {
    @TempDir
    Path dir;
    Path train;

    @BeforeEach
    void data() throws Exception {
        train = Cli.blobs(dir, "train.csv", 150, 4, 3, 1, 1.0);
    }

    private List<String> options(String schedule, int epochs, Path out) {
        return List.of("train", "--data", train.toString(), "--batch-size", "16", "--epochs",
                Integer.toString(epochs), "--optimizer", "adam", "--lr", "0.05", "--seed", "3", "--schedule", schedule,
                "--checkpoint-every", "1", "--out", out.toString(), "--quiet");
    }

    @ParameterizedTest
    @ValueSource(strings = {"onecycle(total_steps=40, pct_start=0.25, three_phase=true)",
        "multistep(milestones=[1, 3, 3], gamma=0.5)", "cosine-warm-restarts(t_0=7, t_mult=2, unit=step)",
        "cyclic(base_lr=0.001, max_lr=0.05, step_size_up=6, mode=triangular2)",
        "linear(start_factor=0.25, end_factor=0.75, total_iters=3)", "polynomial(total_iters=30, power=2, unit=step)",
        "warmup(warmup=8, then=cosine-warm-restarts(t_0=5, unit=step))"})
    void epochsStartAtTheSchedulesRates(String spec) throws Exception {
        Path out = dir.resolve("run");
        Cli.Result r = Cli.run(options(spec, 5, out).toArray(String[]::new));
        assertEquals(0, r.code(), r.toString());
        Map<String, Object> summary = Json.parseObject(Files.readString(out.resolve("summary.json")));
        @SuppressWarnings("unchecked")
        Map<String, Object> settings = (Map<String, Object>) summary.get("settings");
        assertEquals(spec, settings.get("schedule"));
        @SuppressWarnings("unchecked")
        int batches = ((Number) ((Map<String, Object>) summary.get("data")).get("batches_per_epoch")).intValue();
        assertEquals(10, batches);

        List<EpochMetrics> history = Checkpoint.read(Checkpoint.latest(out.resolve("checkpoints")).orElseThrow())
                .history();
        assertEquals(5, history.size());
        Scheduler s = Schedule.parse(spec).start(new double[] {0.05});
        for (EpochMetrics m : history) {
            assertEquals(s.lr(0), m.learningRate(), 0, spec + ": learning rate at the start of epoch " + m.epoch());
            for (int b = 0; b < batches; b++) {
                s.step();
            }
            s.endEpoch(m.trainLoss());
        }
    }

    @Test
    void anExtendedRunContinuesTheSchedule() throws Exception {
        List<String> specs = List.of("onecycle(max_lr=0.08, total_steps=50, anneal=linear)",
                "multistep(milestones=[2, 3], gamma=0.3)");
        for (int i = 0; i < specs.size(); i++) {
            String spec = specs.get(i);
            Path reference = dir.resolve("reference-" + i);
            Path extended = dir.resolve("extended-" + i);
            assertEquals(0, Cli.run(options(spec, 5, reference).toArray(String[]::new)).code(), spec);
            assertEquals(0, Cli.run(options(spec, 2, extended).toArray(String[]::new)).code(), spec);
            Cli.Result resumed = Cli.run("train", "--resume", extended.toString(), "--epochs", "5", "--quiet");
            assertEquals(0, resumed.code(), resumed.toString());
            Child.assertSameRun(reference, extended, 5);
        }
    }

    @Test
    void badSchedulesAreUsageErrorsNamingTheOption() {
        Cli.Result r = Cli.run("train", "--data", train.toString(), "--epochs", "1", "--out",
                dir.resolve("bad").toString(), "--schedule", "multistep(milestones=[3, x])");
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("--schedule 'multistep(milestones=[3, x])': multistep: milestone 'x' is not a "
                + "number"), r.err());
        r = Cli.run("train", "--data", train.toString(), "--epochs", "1", "--out", dir.resolve("bad2").toString(),
                "--schedule", "lambda(name=mine)");
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("lambda: user-defined schedule 'mine' needs its function"), r.err());
        r = Cli.run("train", "--data", train.toString(), "--epochs", "1", "--out", dir.resolve("bad3").toString(),
                "--schedule", "warmup(warmup=2, then=onecycle(total_steps=9))");
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("--schedule: warmup schedule: then=onecycle is not supported"), r.err());
    }
}
