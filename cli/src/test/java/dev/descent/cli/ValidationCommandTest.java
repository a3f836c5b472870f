package dev.descent.cli;

import static dev.descent.cli.Child.concat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.cli.io.Json;
import dev.descent.cli.io.Npy;
import dev.descent.cli.io.Npz;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code descent train --val-split F | --val DATA}, {@code --early-stopping PATIENCE --min-delta D --monitor M} and
 * {@code --drop-last}: the validation columns, plot and summary, the best epoch's weights saved bit for bit, resume,
 * and one-line errors.
 */
class ValidationCommandTest {
    @TempDir
    Path dir;
    Path train;
    Path test;

    /**
     * Four overlapping classes in 30 dimensions, 600 rows (a test file of 200): an MLP with Adam at 0.01 overfits
     * them after a couple of epochs, so the validation loss turns up while the training loss keeps falling.
     */
    static Path overlapping(Path dir, String name, int rows, long seed) throws IOException {
        Random centres = new Random(1);
        double[][] c = new double[4][30];
        for (double[] row : c) {
            for (int j = 0; j < row.length; j++) {
                row[j] = centres.nextGaussian() * 0.5;
            }
        }
        Random rnd = new Random(seed);
        List<String> lines = new ArrayList<>();
        StringBuilder header = new StringBuilder();
        for (int j = 0; j < 30; j++) {
            header.append('f').append(j).append(',');
        }
        lines.add(header.append("label").toString());
        for (int i = 0; i < rows; i++) {
            int y = i % 4;
            StringBuilder sb = new StringBuilder();
            for (int j = 0; j < 30; j++) {
                sb.append(String.format(Locale.ROOT, "%.4f", c[y][j] + rnd.nextGaussian())).append(',');
            }
            lines.add(sb.append(y).toString());
        }
        Path f = dir.resolve(name);
        Files.write(f, lines);
        return f;
    }

    @BeforeEach
    void data() throws IOException {
        train = overlapping(dir, "train.csv", 600, 2);
        test = overlapping(dir, "test.csv", 200, 3);
    }

    /** An MLP 30-64-4 with Adam at 0.01 in batches of 32, seed 3, the test file evaluated, and {@code more}. */
    private List<String> mlp(String... more) {
        List<String> a = new ArrayList<>(List.of("train", "--data", train.toString(), "--test", test.toString(),
                "--model", "mlp", "--hidden", "64", "--optimizer", "adam", "--lr", "0.01", "--batch-size", "32",
                "--seed", "3"));
        a.addAll(List.of(more));
        return a;
    }

    /** As {@link #mlp(String...)}, into {@code --out DIR/out}. */
    private List<String> mlpInto(String out, String... more) {
        return concat(mlp(more), "--out", dir.resolve(out).toString());
    }

    private static Cli.Result run(List<String> args) {
        return Cli.run(args.toArray(String[]::new));
    }

    private Map<String, Object> summary(String out) throws IOException {
        return Json.parseObject(Files.readString(dir.resolve(out).resolve("summary.json")));
    }

    /** Every weight of two saved models, bit for bit. */
    private static boolean sameWeights(Path a, Path b) throws IOException {
        Map<String, Npy.Array> x = Npz.read(a.resolve("model.npz"));
        Map<String, Npy.Array> y = Npz.read(b.resolve("model.npz"));
        assertEquals(x.keySet(), y.keySet());
        for (String k : x.keySet()) {
            float[] p = x.get(k).floats();
            float[] q = y.get(k).floats();
            if (p.length != q.length) {
                return false;
            }
            for (int i = 0; i < p.length; i++) {
                if (Float.floatToRawIntBits(p[i]) != Float.floatToRawIntBits(q[i])) {
                    return false;
                }
            }
        }
        return true;
    }

    private List<String> column(String out, String name) throws IOException {
        List<String> lines = Files.readAllLines(dir.resolve(out).resolve("metrics.csv"));
        int c = List.of(lines.getFirst().split(",")).indexOf(name);
        assertTrue(c >= 0, name + " in " + lines.getFirst());
        return lines.subList(1, lines.size()).stream().map(l -> l.split(",", -1)[c]).toList();
    }

    @Test
    void aHeldOutValidationSetGetsItsColumnsCurveAndSummary() throws Exception {
        Cli.Result r = run(mlpInto("v", "--val-split", "0.2", "--epochs", "3"));
        assertEquals(0, r.code(), r.toString());
        List<String> lines = Files.readAllLines(dir.resolve("v/metrics.csv"));
        assertEquals("epoch,train_loss,test_loss,test_accuracy,seconds,val_loss,val_accuracy", lines.getFirst());
        assertEquals(4, lines.size());
        for (String line : lines.subList(1, 4)) {
            String[] c = line.split(",");
            assertEquals(7, c.length, line);
            assertTrue(Double.parseDouble(c[5]) > 0 && Double.parseDouble(c[6]) > 0.25, line);
        }
        assertTrue(r.err().contains("validation: 120 of the 600 training samples held out, stratified by class "
                + "(--val-split 0.2, seed 3)"), r.err());
        assertTrue(r.err().lines().anyMatch(l -> l.startsWith("epoch 3/3  train_loss ") && l.contains("  val_loss ")
                && l.contains("  val_accuracy ") && l.contains("  test_loss ")), r.err());

        Map<String, Object> s = summary("v");
        Map<?, ?> settings = (Map<?, ?>) s.get("settings");
        assertEquals(0.2, settings.get("val_split"));
        assertNull(settings.get("val"));
        assertEquals(false, settings.get("drop_last"));
        assertNull(settings.get("early_stopping"));
        Map<?, ?> data = (Map<?, ?>) s.get("data");
        assertEquals(120.0, ((Map<?, ?>) data.get("validation")).get("samples"));
        assertEquals(480.0, ((Map<?, ?>) data.get("train")).get("samples"));
        assertEquals(15.0, data.get("batches_per_epoch"), "480 training samples in batches of 32");
        Map<?, ?> fin = (Map<?, ?>) s.get("final");
        assertEquals(Double.parseDouble(lines.get(3).split(",")[5]), (Double) fin.get("val_loss"), 1e-12);
        assertEquals(Double.parseDouble(lines.get(3).split(",")[6]), (Double) fin.get("val_accuracy"), 1e-12);
        assertNull(s.get("early_stopping"));
        Images.check(dir.resolve("v/loss.png"), 1520, 564);

        // Without a test set the validation columns follow the seconds all the same.
        Cli.Result noTest = Cli.run("train", "--data", train.toString(), "--val-split", "0.1", "--full-batch",
                "--epochs", "2", "--optimizer", "sgd", "--lr", "0.1", "--out", dir.resolve("nt").toString(),
                "--quiet");
        assertEquals(0, noTest.code(), noTest.toString());
        assertEquals("epoch,train_loss,seconds,val_loss,val_accuracy",
                Files.readAllLines(dir.resolve("nt/metrics.csv")).getFirst());
        Images.check(dir.resolve("nt/loss.png"), 1520, 564);
    }

    @Test
    void theSplitIsDrawnFromTheSeed() throws Exception {
        assertEquals(0, run(mlpInto("a", "--val-split", "0.25", "--epochs", "2", "--quiet")).code());
        assertEquals(0, run(mlpInto("b", "--val-split", "0.25", "--epochs", "2", "--quiet")).code());
        List<String> other = new ArrayList<>(mlpInto("c", "--val-split", "0.25", "--epochs", "2", "--quiet"));
        other.set(other.indexOf("--seed") + 1, "4");
        assertEquals(0, run(other).code());
        assertEquals(column("a", "val_loss"), column("b", "val_loss"), "the same seed, the same validation set");
        assertEquals(column("a", "train_loss"), column("b", "train_loss"));
        assertNotEquals(column("a", "val_loss"), column("c", "val_loss"), "another seed, another split");
        assertTrue(sameWeights(dir.resolve("a"), dir.resolve("b")));
    }

    @Test
    void aValidationFileIsReadLikeTheTestFile() throws Exception {
        Path val = overlapping(dir, "val.csv", 100, 9);
        Cli.Result r = run(mlpInto("f", "--val", val.toString(), "--epochs", "2", "--limit", "80"));
        assertEquals(0, r.code(), r.toString());
        Map<?, ?> data = (Map<?, ?>) summary("f").get("data");
        assertEquals(80.0, ((Map<?, ?>) data.get("validation")).get("samples"), "--limit applies to it too");
        assertEquals(80.0, ((Map<?, ?>) data.get("train")).get("samples"), "nothing is held out of --data");
        assertEquals(val.toString(), ((Map<?, ?>) summary("f").get("settings")).get("val"));
        assertEquals(2, column("f", "val_loss").size());

        Cli.Result narrow = run(mlpInto("g", "--val", train.toString().replace("train.csv", "narrow.csv")));
        assertEquals(2, narrow.code());
        Files.writeString(dir.resolve("narrow.csv"), "f0,label\n1.0,0\n2.0,1\n");
        narrow = run(mlpInto("g", "--val", dir.resolve("narrow.csv").toString()));
        assertEquals(2, narrow.code(), narrow.toString());
        assertTrue(narrow.err().contains(dir.resolve("narrow.csv") + " has 1 features but the training data "),
                narrow.err());
    }

    /**
     * The saved model is the best epoch's, bit for bit: the same weights as a run of exactly that many epochs, not
     * those of the last epoch; the output and summary.json say which epoch it was.
     */
    @Test
    void earlyStoppingSavesTheBestEpochsWeightsBitForBit() throws Exception {
        Cli.Result r = run(mlpInto("es", "--val-split", "0.2", "--early-stopping", "3", "--epochs", "50"));
        assertEquals(0, r.code(), r.toString());
        Map<?, ?> es = (Map<?, ?>) summary("es").get("early_stopping");
        int best = ((Double) es.get("best_epoch")).intValue();
        int stopped = ((Double) es.get("stopped_epoch")).intValue();
        assertEquals(best + 3, stopped);
        assertTrue(best > 1 && stopped < 50, "the validation loss turns up after a few epochs: " + es);
        assertEquals("val_loss", es.get("monitor"));
        assertEquals("min", es.get("mode"));
        assertEquals(3.0, es.get("patience"));
        assertEquals(0.0, es.get("min_delta"));
        assertEquals(true, es.get("stopped_early"));
        assertEquals((double) best, es.get("saved_epoch"));
        assertEquals("early_stopped", summary("es").get("status"));
        List<String> valLoss = column("es", "val_loss");
        assertEquals(stopped, valLoss.size(), "one row per epoch run");
        double bestValue = Double.parseDouble(valLoss.get(best - 1));
        assertEquals(bestValue, (Double) es.get("value"), 0.0);
        for (int e = 1; e <= stopped; e++) {
            assertTrue(Double.parseDouble(valLoss.get(e - 1)) >= bestValue, "epoch " + e);
        }
        Map<?, ?> bm = (Map<?, ?>) es.get("best_epoch_metrics");
        assertEquals(bestValue, (Double) bm.get("val_loss"), 0.0);
        String line = String.format(Locale.ROOT, "early stopping: best val_loss %.4g at epoch %d, stopped after epoch "
                + "%d (3 epochs without improvement); saved epoch %d's weights", bestValue, best, stopped, best);
        assertTrue(r.errLines().contains(line), line + " in:\n" + r.err());
        assertEquals(line, es.get("message"));

        assertEquals(0, run(mlpInto("exact", "--val-split", "0.2", "--epochs", Integer.toString(best), "--quiet")).code());
        assertTrue(sameWeights(dir.resolve("es"), dir.resolve("exact")), "model.npz holds epoch " + best + "'s "
                + "weights, bit for bit");
        assertEquals(0, run(mlpInto("last", "--val-split", "0.2", "--epochs", Integer.toString(stopped), "--quiet"))
                .code());
        assertFalse(sameWeights(dir.resolve("es"), dir.resolve("last")), "not the last epoch's");

        // evaluate reproduces the best epoch's test accuracy from the saved model
        Cli.Result ev = Cli.run("evaluate", "--model", dir.resolve("es").toString(), "--test", test.toString(),
                "--json");
        assertEquals(0, ev.code(), ev.toString());
        Map<?, ?> res = (Map<?, ?>) ((List<?>) Json.parseObject(ev.out()).get("results")).getFirst();
        assertEquals((Double) bm.get("test_accuracy"), (Double) res.get("accuracy"), 1e-12);
    }

    @Test
    void validationAccuracyIsMaximizedAndMinDeltaApplies() throws Exception {
        Cli.Result r = run(mlpInto("acc", "--val-split", "0.2", "--early-stopping", "2", "--monitor", "val_accuracy",
                "--min-delta", "0.005", "--epochs", "50"));
        assertEquals(0, r.code(), r.toString());
        Map<?, ?> es = (Map<?, ?>) summary("acc").get("early_stopping");
        assertEquals("val_accuracy", es.get("monitor"));
        assertEquals("max", es.get("mode"));
        assertEquals(0.005, es.get("min_delta"));
        int best = ((Double) es.get("best_epoch")).intValue();
        List<Double> acc = column("acc", "val_accuracy").stream().map(Double::parseDouble).toList();
        double bestValue = Double.NEGATIVE_INFINITY;
        int expected = 0;
        for (int e = 1; e <= acc.size(); e++) {
            if (acc.get(e - 1) > bestValue + 0.005) {
                bestValue = acc.get(e - 1);
                expected = e;
            }
        }
        assertEquals(expected, best, "the first epoch to beat the best by more than 0.005: " + acc);
        assertEquals(best + 2, acc.size());
        assertEquals(0, run(mlpInto("acc-exact", "--val-split", "0.2", "--epochs", Integer.toString(best), "--quiet"))
                .code());
        assertTrue(sameWeights(dir.resolve("acc"), dir.resolve("acc-exact")));
        Matcher m = Pattern.compile("early stopping: best val_accuracy 0\\.\\d+ at epoch " + best).matcher(r.err());
        assertTrue(m.find(), r.err());
    }

    /** Killed (SIGKILL) mid-run and resumed: the same metrics, best epoch and saved weights as an unbroken run. */
    @Test
    void aKilledRunResumesWithItsEarlyStoppingState() throws Exception {
        List<String> options = mlp("--val-split", "0.2", "--early-stopping", "3", "--epochs", "50");
        Path reference = dir.resolve("reference");
        Cli.Result ref = run(concat(options, "--out", reference.toString(), "--quiet"));
        assertEquals(0, ref.code(), ref.toString());
        Map<?, ?> refEs = (Map<?, ?>) summary("reference").get("early_stopping");
        int stopped = ((Double) refEs.get("stopped_epoch")).intValue();

        Path killed = dir.resolve("killed");
        Child p = Child.start(dir, concat(options, "--out", killed.toString(), "--checkpoint-every", "1",
                "--slow-epochs", "400"));
        Path checkpoints = killed.resolve("checkpoints");
        // killed after the best epoch, with epochs without improvement counted
        int best = ((Double) refEs.get("best_epoch")).intValue();
        p.waitUntil(() -> Child.countCheckpoints(checkpoints) > 0 && Files.exists(checkpoints.resolve(
                dev.descent.train.Checkpoint.fileName(15L * (best + 1)))), "a checkpoint after the best epoch");
        p.kill();
        assertTrue(Child.countLines(killed.resolve("metrics.csv")) < stopped + 1, "killed before the end");

        Cli.Result resumed = Cli.run("train", "--resume", killed.toString(), "--quiet");
        assertEquals(0, resumed.code(), resumed.toString());
        Child.assertSameRun(reference, killed, stopped);
        Map<?, ?> es = (Map<?, ?>) summary("killed").get("early_stopping");
        for (String k : List.of("best_epoch", "value", "stopped_epoch", "saved_epoch", "message")) {
            assertEquals(refEs.get(k), es.get(k), k);
        }
    }

    @Test
    void dropLastLeavesOutThePartialBatch() throws Exception {
        // 600 training samples in batches of 64: 9 full batches and one of 24
        Cli.Result r = Cli.run("train", "--data", train.toString(), "--batch-size", "64", "--drop-last", "--epochs",
                "3", "--optimizer", "sgd", "--lr", "0.1", "--schedule", "step(step_size=9, gamma=0.5, unit=step)",
                "--out", dir.resolve("dl").toString(), "--quiet", "--json");
        assertEquals(0, r.code(), r.toString());
        Map<String, Object> s = Json.parseObject(r.out());
        assertEquals(9.0, ((Map<?, ?>) s.get("data")).get("batches_per_epoch"));
        assertEquals(27.0, s.get("steps"));
        assertEquals(true, ((Map<?, ?>) s.get("settings")).get("drop_last"));
        Cli.Result kept = Cli.run("train", "--data", train.toString(), "--batch-size", "64", "--epochs", "1",
                "--optimizer", "sgd", "--lr", "0.1", "--out", dir.resolve("kept").toString(), "--quiet", "--json");
        assertEquals(10.0, ((Map<?, ?>) Json.parseObject(kept.out()).get("data")).get("batches_per_epoch"));

        // a killed run resumes with the same batches
        Path stopped = dir.resolve("dl2");
        List<String> args = List.of("train", "--data", train.toString(), "--batch-size", "64", "--drop-last",
                "--epochs", "3", "--optimizer", "sgd", "--lr", "0.1", "--schedule",
                "step(step_size=9, gamma=0.5, unit=step)", "--out", stopped.toString(), "--checkpoint-every", "1",
                "--slow-epochs", "400");
        Child p = Child.start(dir, args);
        p.waitUntil(() -> Child.countCheckpoints(stopped.resolve("checkpoints")) > 0, "a first checkpoint");
        p.kill();
        Cli.Result resumed = Cli.run("train", "--resume", stopped.toString(), "--quiet");
        assertEquals(0, resumed.code(), resumed.toString());
        Child.assertSameRun(dir.resolve("dl"), stopped, 3);
    }

    @Test
    void mistakesAreOneLineAndExitTwo() throws Exception {
        Path reg = Cli.regression(dir, "reg.csv", 100, 3);
        String t = train.toString();
        String[][] cases = {
            {"train", "--data", t, "--val-split", "1.5"},
            {"train", "--data", t, "--val-split", "0"},
            {"train", "--data", t, "--val-split", "abc"},
            {"train", "--data", t, "--early-stopping", "3"},
            {"train", "--data", t, "--val-split", "0.2", "--early-stopping", "3", "--monitor", "foo"},
            {"train", "--data", t, "--val-split", "0.2", "--val", test.toString()},
            {"train", "--data", t, "--val-split", "0.2", "--monitor", "val_loss"},
            {"train", "--data", t, "--val-split", "0.2", "--min-delta", "0.1"},
            {"train", "--data", t, "--val-split", "0.2", "--early-stopping", "0"},
            {"train", "--data", t, "--val-split", "0.2", "--early-stopping", "2", "--min-delta", "-1"},
            {"train", "--data", reg.toString(), "--model", "linear", "--val-split", "0.2", "--early-stopping", "2",
                "--monitor", "val_accuracy"},
            {"train", "--data", t, "--val", dir.resolve("missing.csv").toString()},
        };
        String[] expected = {
            "descent train: error: --val-split must be a fraction between 0 and 1 (exclusive), got 1.5",
            "descent train: error: --val-split must be a fraction between 0 and 1 (exclusive), got 0",
            "descent train: error: Invalid value for option '--val-split': 'abc' is not a number",
            "descent train: error: --early-stopping watches val_loss and needs a validation set: add --val-split F "
                    + "(e.g. 0.1) or --val DATA",
            "descent train: error: --monitor must be val_loss or val_accuracy, got 'foo'",
            "descent train: error: --val-split and --val are mutually exclusive",
            "descent train: error: --monitor applies to early stopping: add --early-stopping PATIENCE",
            "descent train: error: --min-delta applies to early stopping: add --early-stopping PATIENCE",
            "descent train: error: --early-stopping must be a patience of >= 1 epochs, got 0",
            "descent train: error: --min-delta must be >= 0, got -1",
            "descent train: error: --monitor val_accuracy needs a classifier; a regression model has val_loss and "
                    + "val_mae: use --monitor val_loss",
            "descent train: error: no such file: " + dir.resolve("missing.csv"),
        };
        for (int i = 0; i < cases.length; i++) {
            List<String> args = new ArrayList<>(List.of(cases[i]));
            args.addAll(List.of("--out", dir.resolve("bad" + i).toString()));
            Cli.Result r = run(args);
            String what = String.join(" ", args) + " -> " + r;
            assertEquals(2, r.code(), what);
            assertEquals(1, r.errLines().size(), "one line: " + what);
            assertTrue(r.errLines().getFirst().startsWith(expected[i]), what);
            assertFalse(Files.exists(dir.resolve("bad" + i).resolve("metrics.csv")), what);
        }
        Cli.Result tooBig = Cli.run("train", "--data", t, "--batch-size", "1000", "--drop-last", "--out",
                dir.resolve("big").toString(), "--quiet");
        assertEquals(2, tooBig.code(), tooBig.toString());
        assertEquals(List.of("descent train: error: --drop-last with --batch-size 1000 leaves no batch: the training "
                + "data has only 600 samples"), tooBig.errLines());
        Cli.Result tiny = Cli.run("train", "--data", t, "--val-split", "0.001", "--out", dir.resolve("tiny")
                .toString(), "--quiet");
        assertEquals(2, tiny.code(), tiny.toString());
        assertEquals(List.of("descent train: error: --val-split 0.001: a validation fraction of 0.001 of 600 samples "
                + "leaves no validation sample"), tiny.errLines());
    }

    @Test
    void helpNamesTheOptions() {
        Cli.Result r = Cli.run("train", "--help");
        for (String o : List.of("--val-split=F", "--val=SOURCE", "--early-stopping=PATIENCE", "--min-delta=D",
                "--monitor=val_loss|val_accuracy",
                "--drop-last", "seconds[,val_loss,")) {
            assertTrue(r.out().contains(o), o + " in:\n" + r.out());
        }
    }
}
