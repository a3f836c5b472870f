package dev.descent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.backend.Backend;
import dev.descent.backend.BackendOptions;
import dev.descent.backend.Backends;
import dev.descent.backend.Tensor;
import dev.descent.cli.io.Json;
import dev.descent.data.Dataset;
import dev.descent.data.io.CsvOptions;
import dev.descent.data.io.CsvReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code descent evaluate}'s metrics and files and {@code descent predict}'s predictions.csv, against the saved
 * model's own forward pass (loaded here on the CPU backend) and metrics computed here with plain loops.
 */
class EvaluatePredictTest {
    private static final int CLASSES = 7;

    @TempDir
    Path dir;
    Path train;
    Path test;
    Path model;

    @BeforeEach
    void trainAModel() throws Exception {
        train = Cli.blobs(dir, "train.csv", 350, 4, CLASSES, 1, 1.6);
        test = Cli.blobs(dir, "test.csv", 61, 4, CLASSES, 2, 1.6);
        model = dir.resolve("run");
        Cli.Result r = Cli.run("train", "--data", train.toString(), "--model", "mlp", "--hidden", "6", "--scale",
                "standardize", "--batch-size", "32", "--epochs", "8", "--optimizer", "adam", "--lr", "0.02", "--out",
                model.toString(), "-q");
        assertEquals(0, r.code(), r.toString());
    }

    // ------------------------------------------------------------------ the model's own forward pass, and references

    /** The saved model's outputs for the rows of {@code data}, with its scaling, on the CPU backend. */
    static float[] forward(Path modelDir, Dataset data) throws IOException {
        try (Backend b = Backends.select("cpu", BackendOptions.threads(1)).backend();
                ModelFiles.Loaded l = ModelFiles.load(modelDir, b)) {
            float[] x = data.features().clone();
            l.transform().applyInPlace(x, data.samples(), data.featureCount(), data.source());
            try (Tensor t = b.upload(x, data.samples(), data.featureCount())) {
                return b.download(l.model().forward(t));
            }
        }
    }

    static double[] softmax(float[] z, int row, int k) {
        double[] p = new double[k];
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < k; j++) {
            max = Math.max(max, z[row * k + j]);
        }
        double s = 0;
        for (int j = 0; j < k; j++) {
            p[j] = Math.exp(z[row * k + j] - max);
            s += p[j];
        }
        for (int j = 0; j < k; j++) {
            p[j] /= s;
        }
        return p;
    }

    static int argmax(float[] z, int row, int k) {
        int best = 0;
        for (int j = 1; j < k; j++) {
            if (z[row * k + j] > z[row * k + best]) {
                best = j;
            }
        }
        return best;
    }

    private static Map<?, ?> firstResult(String json) {
        return (Map<?, ?>) ((List<?>) Json.parseObject(json).get("results")).getFirst();
    }

    private static double num(Map<?, ?> m, String key) {
        return ((Number) m.get(key)).doubleValue();
    }

    // ------------------------------------------------------------------ evaluate

    @Test
    void evaluatesEveryMetricAsComputedFromTheModelsOutputs() throws Exception {
        Cli.Result r = Cli.run("evaluate", "--model", model.toString(), "--test", test.toString(), "--json", "-q");
        assertEquals(0, r.code(), r.toString());
        Map<?, ?> res = firstResult(r.out());
        Dataset data = CsvReader.read(test, CsvOptions.classification());
        float[] z = forward(model, data);
        int n = data.samples();
        int[] y = data.labels();
        int[] pred = new int[n];
        double logLoss = 0;
        int top5 = 0;
        int correct = 0;
        for (int i = 0; i < n; i++) {
            pred[i] = argmax(z, i, CLASSES);
            correct += pred[i] == y[i] ? 1 : 0;
            double[] p = softmax(z, i, CLASSES);
            logLoss -= Math.log(Math.min(Math.max(p[y[i]], Math.pow(2, -52)), 1 - Math.pow(2, -52)));
            Integer[] order = {0, 1, 2, 3, 4, 5, 6};
            int row = i;
            Arrays.sort(order, Comparator.<Integer>comparingDouble(j -> -z[row * CLASSES + j]));
            top5 += Arrays.asList(order).subList(0, 5).contains(y[i]) ? 1 : 0;
        }
        assertEquals((double) correct / n, num(res, "accuracy"), 1e-12);
        assertEquals(logLoss / n, num(res, "log_loss"), 1e-6);
        assertEquals(5.0, num(res, "top_k"), "5 by default for 7 classes");
        assertEquals((double) top5 / n, num(res, "top_k_accuracy"), 1e-12);
        assertEquals(Math.pow(2, -52), num(res, "log_loss_eps"));

        // per class, from the label lists
        List<?> perClass = (List<?>) res.get("per_class");
        assertEquals(CLASSES, perClass.size());
        double macroP = 0;
        double macroR = 0;
        double macroF = 0;
        double weightedF = 0;
        TreeSet<Integer> present = new TreeSet<>();
        for (int i = 0; i < n; i++) {
            present.add(y[i]);
            present.add(pred[i]);
        }
        for (int c = 0; c < CLASSES; c++) {
            int tp = 0;
            int fp = 0;
            int fn = 0;
            for (int i = 0; i < n; i++) {
                tp += pred[i] == c && y[i] == c ? 1 : 0;
                fp += pred[i] == c && y[i] != c ? 1 : 0;
                fn += pred[i] != c && y[i] == c ? 1 : 0;
            }
            double p = tp + fp == 0 ? 0 : (double) tp / (tp + fp);
            double rc = tp + fn == 0 ? 0 : (double) tp / (tp + fn);
            double f = p + rc == 0 ? 0 : 2 * p * rc / (p + rc);
            Map<?, ?> row = (Map<?, ?>) perClass.get(c);
            assertEquals(c, ((Number) row.get("class")).intValue());
            assertEquals(p, num(row, "precision"), 1e-12, "class " + c);
            assertEquals(rc, num(row, "recall"), 1e-12, "class " + c);
            assertEquals(f, num(row, "f1"), 1e-12, "class " + c);
            assertEquals(tp + fn, num(row, "support"));
            assertEquals(tp + fp, num(row, "predicted"));
            if (present.contains(c)) {
                macroP += p;
                macroR += rc;
                macroF += f;
            }
            weightedF += f * (tp + fn);
        }
        assertEquals(macroP / present.size(), num(res, "precision_macro"), 1e-12);
        assertEquals(macroR / present.size(), num(res, "recall_macro"), 1e-12);
        assertEquals(macroF / present.size(), num(res, "f1_macro"), 1e-12);
        assertEquals(weightedF / n, num(res, "f1_weighted"), 1e-12);
        assertEquals(num(res, "accuracy"), num(res, "recall_weighted"), 1e-12);
        for (String kept : List.of("split", "source", "samples", "loss", "accuracy", "confusion")) {
            assertTrue(res.containsKey(kept), "the earlier key " + kept + " is still there");
        }

        // the terminal shows the same
        Cli.Result text = Cli.run("evaluate", "--model", model.toString(), "--test", test.toString(), "-q",
                "--top-k", "2");
        assertEquals(0, text.code(), text.toString());
        assertTrue(text.out().contains("top-2 accuracy"), text.out());
        assertTrue(text.out().contains(String.format(java.util.Locale.ROOT, "macro     precision %.4f",
                num(res, "precision_macro"))), text.out());
        assertTrue(text.out().contains("class  precision     recall         F1    support  predicted"), text.out());
        assertTrue(text.out().contains("confusion matrix"), text.out());
    }

    @Test
    void writesTheConfusionMatrixAsCsvAndFigure() throws Exception {
        Path out = dir.resolve("eval");
        Cli.Result r = Cli.run("evaluate", "--model", model.toString(), "--test", test.toString(), "--out",
                out.toString(), "-q");
        assertEquals(0, r.code(), r.toString());
        Map<?, ?> res = firstResult(Files.readString(out.resolve("evaluation.json")));
        List<String> csv = Files.readAllLines(out.resolve("confusion.csv"));
        assertEquals("true_class,predicted_0,predicted_1,predicted_2,predicted_3,predicted_4,predicted_5,predicted_6",
                csv.getFirst());
        assertEquals(CLASSES + 1, csv.size());
        List<?> confusion = (List<?>) res.get("confusion");
        long total = 0;
        for (int t = 0; t < CLASSES; t++) {
            String[] cells = csv.get(t + 1).split(",");
            assertEquals(Integer.toString(t), cells[0]);
            List<?> row = (List<?>) confusion.get(t);
            for (int p = 0; p < CLASSES; p++) {
                assertEquals(((Number) row.get(p)).longValue(), Long.parseLong(cells[p + 1]));
                total += Long.parseLong(cells[p + 1]);
            }
        }
        assertEquals(61, total);
        int cell = 64; // the largest square: 7 classes would fit 120-pixel ones
        Images.check(out.resolve("confusion.png"), 90 + CLASSES * cell + 70 + 90, 70 + CLASSES * cell + 70);
    }

    @Test
    void twentyFourClassesStayReadable() throws Exception {
        Path t24 = Cli.blobs(dir, "t24.csv", 480, 5, 24, 3, 1.0);
        Path run = dir.resolve("run24");
        assertEquals(0, Cli.run("train", "--data", t24.toString(), "--epochs", "2", "--batch-size", "64",
                "--optimizer", "adam", "--lr", "0.05", "--out", run.toString(), "-q").code());
        Path out = dir.resolve("eval24");
        assertEquals(0, Cli.run("evaluate", "--model", run.toString(), "--data", t24.toString(), "--out",
                out.toString(), "-q").code());
        // 24 squares of 35 pixels: a grid of 840 pixels
        Images.check(out.resolve("confusion.png"), 90 + 840 + 70 + 90, 70 + 840 + 70);
        assertEquals(25, Files.readAllLines(out.resolve("confusion.csv")).size());
    }

    @Test
    void classesWithoutSamplesOrPredictionsAreZeroWithANote() throws Exception {
        // test rows of classes 0 and 1 only
        List<String> lines = Files.readAllLines(test);
        List<String> few = new ArrayList<>();
        few.add(lines.getFirst());
        lines.stream().skip(1).filter(l -> l.endsWith(",0") || l.endsWith(",1")).forEach(few::add);
        Path small = Files.write(dir.resolve("few.csv"), few);
        Cli.Result r = Cli.run("evaluate", "--model", model.toString(), "--data", small.toString(), "--json", "-q");
        assertEquals(0, r.code(), r.toString());
        Map<?, ?> res = firstResult(r.out());
        List<?> notes = (List<?>) res.get("zero_division");
        assertFalse(notes.isEmpty(), res.toString());
        List<?> perClass = (List<?>) res.get("per_class");
        for (int c = 2; c < CLASSES; c++) {
            Map<?, ?> row = (Map<?, ?>) perClass.get(c);
            assertEquals(0.0, num(row, "support"));
            assertEquals(0.0, num(row, "recall"), "no samples: recall 0 (zero_division=0)");
            if (num(row, "predicted") == 0) {
                assertTrue(notes.contains("class " + c + ": no samples and never predicted (precision, recall, F1 0; "
                        + "not in the macro average)"), notes.toString());
            } else {
                assertEquals(0.0, num(row, "precision"), "every prediction of an absent class is wrong");
                assertTrue(notes.contains("class " + c + ": no samples (recall 0)"), notes.toString());
            }
        }
        Cli.Result text = Cli.run("evaluate", "--model", model.toString(), "--data", small.toString(), "-q");
        assertTrue(text.out().contains("0 by definition (scikit-learn's zero_division=0): class "), text.out());
        assertTrue(text.out().contains("class 2: no samples"), text.out());
    }

    @Test
    void topKIsCheckedAgainstTheModel() throws Exception {
        Cli.Result r = Cli.run("evaluate", "--model", model.toString(), "--test", test.toString(), "--top-k", "8");
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("--top-k 8 is more than the model's 7 classes"), r.err());
        assertEquals(2, Cli.run("evaluate", "--model", model.toString(), "--test", test.toString(), "--top-k", "0")
                .code());
        Path reg = Cli.regression(dir, "reg.csv", 120, 3);
        Path regRun = dir.resolve("reg");
        assertEquals(0, Cli.run("train", "--data", reg.toString(), "--model", "linear", "--label-column", "target",
                "--full-batch", "--epochs", "30", "--optimizer", "adam", "--lr", "0.1", "--out", regRun.toString(),
                "-q").code());
        Cli.Result k = Cli.run("evaluate", "--model", regRun.toString(), "--data", reg.toString(), "--top-k", "1");
        assertEquals(2, k.code(), k.toString());
        assertTrue(k.err().contains("--top-k applies to classifiers"), k.err());
    }

    // ------------------------------------------------------------------ predict

    /** predictions.csv as rows of cells. */
    private static List<String[]> rows(Path csv) throws IOException {
        return Files.readAllLines(csv).stream().skip(1).map(l -> l.split(",")).toList();
    }

    private Path withoutLabels(Path csv, String name) throws IOException {
        List<String> out = new ArrayList<>();
        for (String l : Files.readAllLines(csv)) {
            out.add(l.substring(0, l.lastIndexOf(',')));
        }
        return Files.write(dir.resolve(name), out);
    }

    @Test
    void predictsClassesAndProbabilitiesForDataWithoutLabels() throws Exception {
        Path unlabelled = withoutLabels(test, "new.csv");
        Path out = dir.resolve("pred");
        Cli.Result r = Cli.run("predict", "--model", model.toString(), "--data", unlabelled.toString(), "--out",
                out.toString(), "--batch-size", "8", "-q");
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("predictions: 61 rows"), r.out());
        assertFalse(r.out().contains("accuracy"), "no labels, no accuracy: " + r.out());
        List<String> lines = Files.readAllLines(out.resolve("predictions.csv"));
        assertEquals("row,predicted,p_0,p_1,p_2,p_3,p_4,p_5,p_6", lines.getFirst());
        assertEquals(62, lines.size());
        Dataset data = CsvReader.read(test, CsvOptions.classification());
        float[] z = forward(model, data);
        List<String[]> rows = rows(out.resolve("predictions.csv"));
        for (int i = 0; i < rows.size(); i++) {
            String[] c = rows.get(i);
            assertEquals(2 + CLASSES, c.length);
            assertEquals(i, Integer.parseInt(c[0]), "rows in the file's order, from 0");
            assertEquals(argmax(z, i, CLASSES), Integer.parseInt(c[1]), "row " + i);
            double[] p = softmax(z, i, CLASSES);
            double sum = 0;
            for (int k = 0; k < CLASSES; k++) {
                double v = Double.parseDouble(c[2 + k]);
                assertEquals(p[k], v, 1e-6, "row " + i + " p_" + k);
                sum += v;
            }
            assertEquals(1.0, sum, 1e-5);
        }
        // the batch size changes nothing but the pace
        Path out2 = dir.resolve("pred2");
        assertEquals(0, Cli.run("predict", "--model", model.toString(), "--data", unlabelled.toString(), "--out",
                out2.toString(), "-q").code());
        List<String[]> whole = rows(out2.resolve("predictions.csv"));
        for (int i = 0; i < whole.size(); i++) {
            assertEquals(rows.get(i)[1], whole.get(i)[1]);
            for (int k = 2; k < whole.get(i).length; k++) {
                assertEquals(Double.parseDouble(rows.get(i)[k]), Double.parseDouble(whole.get(i)[k]), 1e-6);
            }
        }
        try (Stream<Path> files = Files.list(out)) {
            assertEquals(List.of(".descent.lock", "predictions.csv"), files.map(p -> p.getFileName().toString())
                    .sorted().toList(), "no temporary file left");
        }
    }

    @Test
    void withLabelsItAlsoPrintsTheAccuracy() throws Exception {
        Cli.Result ev = Cli.run("evaluate", "--model", model.toString(), "--test", test.toString(), "--json", "-q");
        double accuracy = num(firstResult(ev.out()), "accuracy");
        Path out = dir.resolve("pred");
        Cli.Result r = Cli.run("predict", "--model", model.toString(), "--data", test.toString(), "--out",
                out.toString(), "-q");
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains(String.format(java.util.Locale.ROOT, "accuracy %.4f", accuracy)), r.out());
        assertEquals("row,predicted,p_0,p_1,p_2,p_3,p_4,p_5,p_6",
                Files.readAllLines(out.resolve("predictions.csv")).getFirst(), "the label column is not a feature");
    }

    @Test
    void predictsFromAnIdxImagesFileWithoutLabels() throws Exception {
        Dataset data = CsvReader.read(test, CsvOptions.classification());
        // the blobs rounded to bytes, as 2x2 "images" (an IDX file holds no negative ubyte values: shift them)
        int n = data.samples();
        ByteBuffer b = ByteBuffer.allocate(16 + n * 4);
        b.putInt(0x00000803).putInt(n).putInt(2).putInt(2);
        float[] bytes = new float[n * 4];
        for (int i = 0; i < n * 4; i++) {
            int v = Math.max(0, Math.min(255, Math.round(data.features()[i] * 10 + 128)));
            b.put((byte) v);
            bytes[i] = v;
        }
        Path images = Files.write(dir.resolve("new-images-idx3-ubyte"), b.array());
        Path out = dir.resolve("pred-idx");
        Cli.Result r = Cli.run("predict", "--model", model.toString(), "--data", images.toString(), "--out",
                out.toString(), "-q");
        assertEquals(0, r.code(), r.toString());
        float[] z = forward(model, Dataset.classification("bytes", bytes, n, 4, new int[n], CLASSES));
        List<String[]> rows = rows(out.resolve("predictions.csv"));
        assertEquals(n, rows.size());
        for (int i = 0; i < n; i++) {
            assertEquals(argmax(z, i, CLASSES), Integer.parseInt(rows.get(i)[1]));
            assertEquals(softmax(z, i, CLASSES)[3], Double.parseDouble(rows.get(i)[5]), 1e-6);
        }
    }

    @Test
    void logisticRegressionGivesTwoProbabilities() throws Exception {
        List<String> two = new ArrayList<>();
        for (String l : Files.readAllLines(train)) {
            if (l.startsWith("f0") || l.endsWith(",0") || l.endsWith(",1")) {
                two.add(l);
            }
        }
        Path binary = Files.write(dir.resolve("binary.csv"), two);
        Path run = dir.resolve("logistic");
        assertEquals(0, Cli.run("train", "--data", binary.toString(), "--model", "logistic", "--full-batch",
                "--epochs", "20", "--optimizer", "adam", "--lr", "0.1", "--out", run.toString(), "-q").code());
        Path out = dir.resolve("pred-logistic");
        Cli.Result r = Cli.run("predict", "--model", run.toString(), "--data", binary.toString(), "--out",
                out.toString(), "-q");
        assertEquals(0, r.code(), r.toString());
        assertEquals("row,predicted,p_0,p_1", Files.readAllLines(out.resolve("predictions.csv")).getFirst());
        Dataset data = CsvReader.read(binary, CsvOptions.classification());
        float[] z = forward(run, data);
        List<String[]> rows = rows(out.resolve("predictions.csv"));
        for (int i = 0; i < rows.size(); i++) {
            double p1 = 1 / (1 + Math.exp(-z[i]));
            assertEquals(z[i] > 0 ? 1 : 0, Integer.parseInt(rows.get(i)[1]));
            assertEquals(1 - p1, Double.parseDouble(rows.get(i)[2]), 1e-6);
            assertEquals(p1, Double.parseDouble(rows.get(i)[3]), 1e-6);
        }
        Cli.Result ev = Cli.run("evaluate", "--model", run.toString(), "--data", binary.toString(), "--json", "-q");
        Map<?, ?> res = firstResult(ev.out());
        assertFalse(res.containsKey("top_k"), "no top-k for 2 classes by default");
        double logLoss = 0;
        for (int i = 0; i < data.samples(); i++) {
            double p1 = 1 / (1 + Math.exp(-z[i]));
            logLoss -= Math.log(data.labels()[i] == 1 ? p1 : 1 - p1);
        }
        assertEquals(logLoss / data.samples(), num(res, "log_loss"), 1e-6);
    }

    @Test
    void regressionPredictionsAndRSquared() throws Exception {
        Path reg = Cli.regression(dir, "reg.csv", 150, 3);
        Path run = dir.resolve("reg");
        assertEquals(0, Cli.run("train", "--data", reg.toString(), "--model", "linear", "--label-column", "target",
                "--full-batch", "--epochs", "40", "--optimizer", "adam", "--lr", "0.1", "--out", run.toString(),
                "-q").code());
        Dataset data = CsvReader.read(reg, CsvOptions.regression("target"));
        float[] z = forward(run, data);
        Cli.Result ev = Cli.run("evaluate", "--model", run.toString(), "--data", reg.toString(), "--json", "-q");
        assertEquals(0, ev.code(), ev.toString());
        Map<?, ?> res = firstResult(ev.out());
        double mean = 0;
        for (float t : data.targets()) {
            mean += t;
        }
        mean /= data.samples();
        double sse = 0;
        double sst = 0;
        double sae = 0;
        for (int i = 0; i < data.samples(); i++) {
            double t = data.targets()[i];
            sse += (z[i] - t) * (z[i] - t);
            sae += Math.abs(z[i] - t);
            sst += (t - mean) * (t - mean);
        }
        assertEquals(1 - sse / sst, num(res, "r2"), 1e-9);
        assertEquals(sse / data.samples(), num(res, "mse"), 1e-5 * sse / data.samples());
        assertEquals(sae / data.samples(), num(res, "mae"), 1e-5 * sae / data.samples());

        Path noTarget = withoutLabels(reg, "x.csv");
        Path out = dir.resolve("pred-reg");
        Cli.Result r = Cli.run("predict", "--model", run.toString(), "--data", noTarget.toString(), "--out",
                out.toString(), "-q");
        assertEquals(0, r.code(), r.toString());
        assertEquals("row,prediction", Files.readAllLines(out.resolve("predictions.csv")).getFirst());
        List<String[]> rows = rows(out.resolve("predictions.csv"));
        for (int i = 0; i < rows.size(); i++) {
            assertEquals(z[i], Float.parseFloat(rows.get(i)[1]), 1e-6 * Math.max(1, Math.abs(z[i])));
        }
        Cli.Result withTargets = Cli.run("predict", "--model", run.toString(), "--data", reg.toString(), "--out",
                out.toString(), "-q");
        assertTrue(withTargets.out().contains("MSE "), withTargets.out());
    }

    @Test
    void theModelsClassLabelsNameThePredictions() throws Exception {
        Path json = model.resolve("model.json");
        String original = Files.readString(json);
        Files.writeString(json, original.replaceFirst("\\{", "{\n  \"class_labels\": [0, 1, 2, 3, 4, 5, 7],"));
        Path out = dir.resolve("labels");
        Cli.Result r = Cli.run("predict", "--model", model.toString(), "--data", test.toString(), "--out",
                out.toString(), "-q");
        assertEquals(0, r.code(), r.toString());
        assertEquals("row,predicted,p_0,p_1,p_2,p_3,p_4,p_5,p_7",
                Files.readAllLines(out.resolve("predictions.csv")).getFirst());
        Dataset data = CsvReader.read(test, CsvOptions.classification());
        float[] z = forward(model, data);
        List<String[]> rows = rows(out.resolve("predictions.csv"));
        for (int i = 0; i < rows.size(); i++) {
            int c = argmax(z, i, CLASSES);
            assertEquals(c == 6 ? 7 : c, Integer.parseInt(rows.get(i)[1]));
        }
        Cli.Result ev = Cli.run("evaluate", "--model", model.toString(), "--test", test.toString(), "--out",
                dir.resolve("ev-labels").toString(), "-q");
        assertEquals(0, ev.code(), ev.toString());
        assertTrue(ev.out().contains("t\\p  0  1  2  3  4  5  7") || ev.out().contains(" 7\n"), ev.out());
        assertTrue(Files.readAllLines(dir.resolve("ev-labels/confusion.csv")).getFirst().endsWith(",predicted_7"));
        Map<?, ?> res = firstResult(Files.readString(dir.resolve("ev-labels/evaluation.json")));
        assertEquals(7.0, num((Map<?, ?>) ((List<?>) res.get("per_class")).get(6), "class"));

        Files.writeString(json, original.replaceFirst("\\{", "{\n  \"class_labels\": [0, 1, 2],"));
        Cli.Result bad = Cli.run("predict", "--model", model.toString(), "--data", test.toString(), "--out",
                out.toString(), "-q");
        assertEquals(2, bad.code(), bad.toString());
        assertEquals(1, bad.errLines().size(), bad.err());
        assertTrue(bad.err().contains(json + ": \"class_labels\" must be an array of the model's 7 class labels, it "
                + "has 3"), bad.err());
    }

    @Test
    void errorsAreOneLineAndLeaveNoFile() throws Exception {
        Path out = dir.resolve("pred");
        Files.createDirectories(out);
        Files.writeString(out.resolve("predictions.csv"), "an earlier file\n");
        // a bad cell far into the file, after several batches were written
        List<String> lines = new ArrayList<>(Files.readAllLines(withoutLabels(test, "n.csv")));
        lines.add("1.0,2.0,oops,4.0");
        Path bad = Files.write(dir.resolve("bad.csv"), lines);
        Path wide = Cli.blobs(dir, "wide.csv", 10, 5, 2, 1, 1.0);
        String[][] cases = {
            {dir.resolve("nomodel").toString(), bad.toString(), "no such file: " + dir.resolve("nomodel")},
            {model.toString(), bad.toString(), bad + " line 63: column 'f2' (index 2): not a number: 'oops'"},
            {model.toString(), wide.toString(), wide + " has 5 features per row; the model takes 4"},
            {model.toString(), dir.resolve("missing.csv").toString(), "no such file: " + dir.resolve("missing.csv")},
        };
        for (String[] c : cases) {
            Cli.Result r = Cli.run("predict", "--model", c[0], "--data", c[1], "--out", out.toString(),
                    "--batch-size", "5", "-q");
            assertEquals(2, r.code(), r.toString());
            assertEquals(1, r.errLines().size(), r.err());
            assertTrue(r.err().contains(c[2]), r.err());
            assertEquals("an earlier file\n", Files.readString(out.resolve("predictions.csv")),
                    "the earlier file stays as it was");
            try (Stream<Path> files = Files.list(out)) {
                assertEquals(List.of(".descent.lock", "predictions.csv"), files.map(p -> p.getFileName().toString())
                        .sorted().toList(), "no temporary file left");
            }
        }
        Cli.Result huge = Cli.run("predict", "--model", model.toString(), "--data", bad.toString(), "--batch-size",
                "2000000000", "--out", out.toString(), "-q");
        assertEquals(2, huge.code(), huge.toString());
        assertTrue(huge.err().contains("--batch-size 2000000000: a batch of 2000000000 rows"), huge.err());
        Cli.Result label = Cli.run("predict", "--model", model.toString(), "--data", bad.toString(),
                "--label-column", "label", "--out", dir.resolve("fresh").toString(), "-q");
        assertEquals(2, label.code());
        assertTrue(label.err().contains(bad + " line 1: the header has no label column 'label'"), label.err());
        assertFalse(Files.exists(dir.resolve("fresh")), "a folder made for nothing is removed");
    }
}
