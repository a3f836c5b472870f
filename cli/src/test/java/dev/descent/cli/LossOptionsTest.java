package dev.descent.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.cli.io.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --loss} with its settings ({@code --huber-delta}, {@code --smooth-l1-beta}, {@code --label-smoothing},
 * {@code --class-weights}): the run trains with them, model.json records the loss's text and evaluate loads it back,
 * {@code --resume} continues bit for bit, and every bad combination is a one-line usage error.
 */
class LossOptionsTest {
    @TempDir
    Path dir;
    Path blobs;
    Path reg;

    @BeforeEach
    void data() throws Exception {
        blobs = Cli.blobs(dir, "blobs.csv", 120, 4, 3, 1, 1.0);
        reg = Cli.regression(dir, "reg.csv", 150, 3);
    }

    private Cli.Result train(String out, String... more) {
        List<String> args = new ArrayList<>(List.of("train", "--epochs", "3", "--batch-size", "32", "--optimizer",
                "sgd", "--lr", "0.1", "--out", dir.resolve(out).toString(), "--quiet"));
        args.addAll(Arrays.asList(more));
        return Cli.run(args.toArray(String[]::new));
    }

    private Map<String, Object> modelJson(String out) throws Exception {
        return Json.readObject(dir.resolve(out).resolve("model.json"));
    }

    @Test
    void regressionLossesAreSavedAndLoadBack() throws Exception {
        String[][] runs = {
            {"huber(delta=0.5)", "--loss", "huber", "--huber-delta", "0.5"},
            {"huber(delta=1.0)", "--loss", "huber"},
            {"smooth-l1(beta=0.25)", "--loss", "smooth-l1", "--smooth-l1-beta", "0.25"},
            {"smooth-l1(beta=2.0)", "--loss", "Smooth_L1(beta=2)"},
        };
        for (String[] run : runs) {
            String out = "reg-" + run[0].replaceAll("[^a-z0-9]", "");
            List<String> args = new ArrayList<>(List.of("--data", reg.toString(), "--test", reg.toString(), "--model",
                    "linear", "--json"));
            args.addAll(Arrays.asList(run).subList(1, run.length));
            Cli.Result r = train(out, args.toArray(String[]::new));
            assertEquals(0, r.code(), r.toString());
            assertEquals(run[0], modelJson(out).get("loss"));
            assertTrue(String.valueOf(modelJson(out).get("description")).contains(run[0]));
            Map<String, Object> summary = Json.readObject(dir.resolve(out).resolve("summary.json"));
            assertEquals(run[0], ((Map<?, ?>) summary.get("settings")).get("loss"));
            Cli.Result ev = Cli.run("evaluate", "--model", dir.resolve(out).toString(), "--test", reg.toString(),
                    "--json");
            assertEquals(0, ev.code(), ev.toString());
            // evaluate computes the test loss with the saved loss: the run's last test loss
            double trained = ((Number) ((Map<?, ?>) summary.get("final")).get("test_loss")).doubleValue();
            List<?> results = (List<?>) Json.parseObject(ev.out()).get("results");
            double evaluated = ((Number) ((Map<?, ?>) results.getFirst()).get("loss")).doubleValue();
            assertEquals(trained, evaluated, 1e-6 * Math.abs(trained), run[0]);
        }
    }

    @Test
    void crossEntropySettingsAndNll() throws Exception {
        Cli.Result r = train("ce", "--data", blobs.toString(), "--label-smoothing", "0.1", "--class-weights",
                "1,2,0.5");
        assertEquals(0, r.code(), r.toString());
        assertEquals("ce(label_smoothing=0.1, weight=[1.0, 2.0, 0.5])", modelJson("ce").get("loss"));
        assertEquals(0, Cli.run("evaluate", "--model", dir.resolve("ce").toString(), "--test", blobs.toString())
                .code());

        r = train("ce-text", "--data", blobs.toString(), "--model", "mlp", "--hidden", "5", "--loss",
                "ce(label_smoothing=0.2)");
        assertEquals(0, r.code(), r.toString());
        assertEquals("ce(label_smoothing=0.2)", modelJson("ce-text").get("loss"));

        // the blobs have 40 rows of each class: balanced weights are all 1
        r = train("balanced", "--data", blobs.toString(), "--class-weights", "balanced", "--loss", "nll");
        assertEquals(0, r.code(), r.toString());
        assertEquals("nll(weight=[1.0, 1.0, 1.0])", modelJson("balanced").get("loss"));
        assertTrue(r.err().isEmpty() || !r.err().contains("error"), r.err());

        // plain ce stays "ce"
        r = train("plain", "--data", blobs.toString(), "--loss", "ce", "--label-smoothing", "0");
        assertEquals(0, r.code(), r.toString());
        assertEquals("ce", modelJson("plain").get("loss"));
    }

    @Test
    void balancedWeightsFollowScikitLearn() {
        // n / (k · count): 6 samples, 3 classes present, counts 3, 2, 1; class 3 has none
        float[] w = ModelOptions.balanced(new int[] {3, 2, 1, 0}, 4);
        assertArrayEquals(new float[] {6f / 9, 1f, 2f, 1f}, w, 1e-7f);
    }

    @Test
    void nllOnLogitsIsNoted() {
        Cli.Result r = Cli.run("train", "--data", blobs.toString(), "--loss", "nll", "--epochs", "1",
                "--out", dir.resolve("nll").toString());
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.err().contains("note: --loss nll takes the model's outputs as log-probabilities"), r.err());
    }

    @Test
    void resumeContinuesBitForBit() throws Exception {
        String[] common = {"--data", reg.toString(), "--model", "linear", "--loss", "huber", "--huber-delta", "0.3",
            "--checkpoint-every", "1"};
        List<String> once = new ArrayList<>(List.of(common));
        once.addAll(List.of("--epochs", "4"));
        Cli.Result r = train("once", once.toArray(String[]::new));
        assertEquals(0, r.code(), r.toString());
        Cli.Result first = train("twice", common);
        assertEquals(0, first.code(), first.toString());
        Cli.Result resumed = Cli.run("train", "--resume", dir.resolve("twice").toString(), "--epochs", "4", "--quiet");
        assertEquals(0, resumed.code(), resumed.toString());
        assertEquals(lossColumn("once"), lossColumn("twice"));
        assertEquals(Files.readString(dir.resolve("once/model.json")).replace("once", "X"),
                Files.readString(dir.resolve("twice/model.json")).replace("twice", "X"));
        assertArrayEquals(Files.readAllBytes(dir.resolve("once/model.npz")),
                Files.readAllBytes(dir.resolve("twice/model.npz")));
    }

    private List<String> lossColumn(String out) throws Exception {
        return Files.readAllLines(dir.resolve(out).resolve("metrics.csv")).stream().map(l -> l.split(",")[1])
                .toList();
    }

    @Test
    void badSettingsAreOneLineUsageErrors() {
        String d = blobs.toString();
        String g = reg.toString();
        String[][] cases = {
            {"--class-weights has 2 weights; ", "--data", d, "--class-weights", "1,2"},
            {"--class-weights: the weight of class 1 must be >= 0 and finite, got -1", "--data", d, "--class-weights",
                "1,-1,1"},
            {"--class-weights: weight 2 ('x') is not a number", "--data", d, "--class-weights", "1,x,1"},
            {"--class-weights: every weight is 0", "--data", d, "--class-weights", "0,0,0"},
            {"--label-smoothing must be in [0, 1), got 1.0", "--data", d, "--label-smoothing", "1"},
            {"--label-smoothing must be in [0, 1), got -0.1", "--data", d, "--label-smoothing", "-0.1"},
            {"--huber-delta must be > 0, got 0.0", "--data", g, "--model", "linear", "--loss", "huber",
                "--huber-delta", "0"},
            {"--smooth-l1-beta must be >= 0, got -1.0", "--data", g, "--model", "linear", "--loss", "smooth-l1",
                "--smooth-l1-beta", "-1"},
            {"--huber-delta applies to --loss huber only (the loss is mse)", "--data", g, "--model", "linear",
                "--huber-delta", "1"},
            {"--label-smoothing applies to --loss ce only (the loss is nll)", "--data", d, "--loss", "nll",
                "--label-smoothing", "0.1"},
            {"--class-weights applies to --loss ce and nll only (the loss is huber)", "--data", g, "--model",
                "linear", "--loss", "huber", "--class-weights", "1"},
            {"--loss huber is for regression (--model linear, with real-valued targets); --model softmax trains with "
                + "ce or nll", "--data", d, "--loss", "huber"},
            {"--loss ce is for classifiers (--model softmax or mlp); --model linear trains with mse, mae, huber or "
                + "smooth-l1", "--data", g, "--model", "linear", "--loss", "ce"},
            {"--model logistic trains with bce, not nll (use --model softmax for ce or nll)", "--data", d, "--model",
                "logistic", "--loss", "nll"},
            {"--loss smooth-l1 is for regression (--model linear, with real-valued targets); --model mlp trains "
                + "with ce or nll", "--data", d, "--model", "mlp", "--loss", "smooth-l1"},
            {"--loss bce is for --model logistic; --model linear trains with mse, mae, huber or smooth-l1", "--data",
                g, "--model", "linear", "--loss", "bce"},
            {"--loss: 'hinge': unknown loss 'hinge'; known: ce, bce, mse, mae, huber, smooth-l1, nll", "--data", d,
                "--loss", "hinge"},
            {"--loss: 'huber(delta=-2)': huber: delta must be positive and finite, got -2.0", "--data", g,
                "--model", "linear", "--loss", "huber(delta=-2)"},
            {"--huber-delta and settings in --loss 'huber(delta=2)': give the loss's settings one way, not both",
                "--data", g, "--model", "linear", "--loss", "huber(delta=2)", "--huber-delta", "1"},
            {"softmax model: ce has 2 class weights for 3 classes", "--data", d, "--loss", "ce(weight=[1, 2])"},
        };
        for (String[] c : cases) {
            Cli.Result r = train("bad", Arrays.copyOfRange(c, 1, c.length));
            assertEquals(2, r.code(), String.join(" ", c) + ": " + r);
            assertTrue(r.err().contains(c[0]), c[0] + "\n" + r.err());
            assertEquals(1, r.err().lines().filter(l -> !l.isBlank()).count(), r.err());
            assertFalse(r.err().contains("Exception"), r.err());
            assertFalse(Files.exists(dir.resolve("bad").resolve("run.json")), "nothing written: " + c[0]);
        }
    }
}
