package dev.descent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.descent.backend.Backend;
import dev.descent.backend.BackendOptions;
import dev.descent.backend.Backends;
import dev.descent.backend.Tensor;
import dev.descent.data.Dataset;
import dev.descent.data.io.DataOptions;
import dev.descent.data.io.DataSources;
import dev.descent.train.FolderLock;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code descent export}: models trained by {@code descent train} (with their {@code --scale}) exported and run in
 * ONNX Runtime on raw features, against descent's own forward pass of the saved model; where the file goes; and the
 * errors, each one line with exit status 2 and nothing written.
 */
class ExportCommandTest {
    static final Path FASHION = Path.of("/usr/share/datasets/fashion-mnist");
    static final double TOLERANCE = 1e-5;

    @TempDir
    Path dir;

    /** ONNX Runtime's outputs for raw features {@code x} [n, d], by output name (labels as float). */
    static Map<String, float[]> runOnnx(Path file, Dataset raw) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(file.toString(), new OrtSession.SessionOptions());
             OnnxTensor input = OnnxTensor.createTensor(env, FloatBuffer.wrap(raw.features()),
                     new long[] {raw.samples(), raw.featureCount()});
             OrtSession.Result result = session.run(Map.of("input", input))) {
            Map<String, float[]> out = new java.util.LinkedHashMap<>();
            for (String name : session.getOutputNames()) {
                Object v = result.get(name).orElseThrow().getValue();
                if (v instanceof float[][] rows) {
                    int k = rows[0].length;
                    float[] flat = new float[rows.length * k];
                    for (int i = 0; i < rows.length; i++) {
                        System.arraycopy(rows[i], 0, flat, i * k, k);
                    }
                    out.put(name, flat);
                } else {
                    long[] labels = (long[]) v;
                    float[] f = new float[labels.length];
                    for (int i = 0; i < labels.length; i++) {
                        f[i] = labels[i];
                    }
                    out.put(name, f);
                }
            }
            return out;
        }
    }

    /** descent's forward pass of the saved model on raw features (scaled as evaluate scales them). */
    static float[] descent(Path model, Dataset raw) throws Exception {
        try (Backend backend = Backends.select("cpu", BackendOptions.defaults()).backend();
             ModelFiles.Loaded loaded = ModelFiles.load(model, backend)) {
            Dataset x = loaded.transform().apply(raw);
            try (Tensor t = backend.upload(x.features(), x.samples(), x.featureCount())) {
                return backend.download(loaded.model().forward(t));
            }
        }
    }

    /** Row by row, each difference within {@link #TOLERANCE} of the row's largest magnitude (at least 1). */
    static double compareRows(float[] expected, float[] actual, int k, String what) {
        assertEquals(expected.length, actual.length, what);
        double worst = 0;
        for (int r = 0; r < expected.length / k; r++) {
            double scale = 1;
            for (int j = 0; j < k; j++) {
                scale = Math.max(scale, Math.abs(expected[r * k + j]));
            }
            for (int j = 0; j < k; j++) {
                double rel = Math.abs(actual[r * k + j] - (double) expected[r * k + j]) / scale;
                assertTrue(rel <= TOLERANCE, what + "[" + r + ", " + j + "]: ONNX Runtime " + actual[r * k + j]
                        + ", descent " + expected[r * k + j]);
                worst = Math.max(worst, rel);
            }
        }
        return worst;
    }

    static int argmax(float[] v, int row, int k) {
        int best = 0;
        for (int j = 1; j < k; j++) {
            if (v[row * k + j] > v[row * k + best]) {
                best = j;
            }
        }
        return best;
    }

    static Dataset csv(Path file, String labelColumn) throws Exception {
        DataOptions o = DataOptions.defaults();
        return DataSources.readFile(file, null, labelColumn == null ? o : o.withTargetColumns(List.of(labelColumn)), 0);
    }

    @Test
    void aScaledMlpExportsNextToItsModelAndRunsInOnnxRuntime() throws Exception {
        Path train = Cli.blobs(dir, "train.csv", 150, 4, 3, 1, 10.0);
        Path out = dir.resolve("mlp");
        Cli.Result r = Cli.run("train", "--data", train.toString(), "--model", "mlp", "--hidden", "8", "--scale",
                "standardize", "--epochs", "5", "--optimizer", "adam", "--lr", "0.01", "--out", out.toString(), "-q");
        assertEquals(0, r.code(), r.toString());
        r = Cli.run("export", "--model", out.toString(), "--format", "onnx");
        assertEquals(0, r.code(), r.toString());
        Path file = out.resolve("model.onnx");
        assertEquals(file.toString(), r.out().strip(), "the file's path on standard output");
        assertTrue(r.err().contains("wrote " + file), r.err());

        Dataset raw = csv(train, null);
        float[] expected = descent(out, raw);
        Map<String, float[]> onnx = runOnnx(file, raw);
        assertEquals(List.of("logits", "probabilities", "label"), List.copyOf(onnx.keySet()));
        compareRows(expected, onnx.get("logits"), 3, "logits");
        for (int i = 0; i < raw.samples(); i++) {
            assertEquals(argmax(expected, i, 3), (int) onnx.get("label")[i], "row " + i);
        }
    }

    @Test
    void aLinearRegressionExportsItsPrediction() throws Exception {
        Path reg = Cli.regression(dir, "reg.csv", 200, 3);
        Path out = dir.resolve("reg");
        Cli.Result r = Cli.run("train", "--data", reg.toString(), "--model", "linear", "--label-column", "target",
                "--scale", "minmax", "--batch-size", "20", "--epochs", "10", "--optimizer", "adam", "--lr", "0.05",
                "--out", out.toString(), "-q");
        assertEquals(0, r.code(), r.toString());
        Path file = dir.resolve("served/linear.onnx");
        r = Cli.run("export", "--model", out.resolve("model.json").toString(), "--out", file.toString(), "-q");
        assertEquals(0, r.code(), r.toString());
        assertEquals("", r.err(), "--quiet");
        Dataset raw = csv(reg, "target");
        Map<String, float[]> onnx = runOnnx(file, raw);
        assertEquals(List.of("prediction"), List.copyOf(onnx.keySet()));
        compareRows(descent(out, raw), onnx.get("prediction"), 1, "prediction");
    }

    /** The real data set through the command line: train with --scale unit, export, serve 1000 raw test images. */
    @Test
    void fashionMnistTrainedByTheCommandServesRawImages() throws Exception {
        for (String f : List.of("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
                "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")) {
            assumeTrue(Files.isRegularFile(FASHION.resolve(f)), "Fashion-MNIST is not installed: no " + FASHION
                    .resolve(f) + " (Debian package dataset-fashion-mnist; scripts/setup.sh installs it)");
        }
        Path out = dir.resolve("fashion");
        Cli.Result r = Cli.run("train", "--data", "fashion-mnist", "--limit", "3000", "--scale", "unit", "--epochs",
                "2", "--batch-size", "64", "--optimizer", "adam", "--lr", "1e-3", "--out", out.toString(), "-q");
        assertEquals(0, r.code(), r.toString());
        r = Cli.run("export", "--model", out.toString(), "--format", "ONNX", "--out", dir.resolve("served").toString());
        assertEquals(0, r.code(), r.toString());
        Path file = dir.resolve("served/model.onnx");
        Dataset all = DataSources.readFile(FASHION.resolve("t10k-images-idx3-ubyte.gz"), null, DataOptions.defaults(),
                10);
        int[] rows = java.util.stream.IntStream.range(0, 1000).toArray();
        Dataset raw = all.subset(rows);
        float[] expected = descent(out, raw);
        Map<String, float[]> onnx = runOnnx(file, raw);
        double worst = compareRows(expected, onnx.get("logits"), 10, "logits");
        int correct = 0;
        for (int i = 0; i < raw.samples(); i++) {
            assertEquals(argmax(expected, i, 10), (int) onnx.get("label")[i], "row " + i);
            correct += (int) onnx.get("label")[i] == raw.label(i) ? 1 : 0;
        }
        System.out.printf(java.util.Locale.ROOT, "descent export: Fashion-MNIST softmax, 1000 raw test images in ONNX "
                + "Runtime: logits within %.2e of each row's largest, %d labels right%n", worst, correct);
        assertTrue(correct > 650, correct + " of 1000");
    }

    @Test
    void errorsAreOneLineAndWriteNothing() throws Exception {
        Path train = Cli.blobs(dir, "train.csv", 60, 4, 3, 1, 1.0);
        Path out = dir.resolve("model");
        assertEquals(0, Cli.run("train", "--data", train.toString(), "--epochs", "1", "--out", out.toString(), "-q")
                .code());
        List<String> before = list(out);

        InputErrorsTest.assertOneLine(Cli.run("export", "--model", out.toString(), "--format", "tflite"),
                "unknown --format 'tflite'; known: onnx");
        InputErrorsTest.assertOneLine(Cli.run("export", "--model", dir.resolve("nomodel").toString()),
                "no such file: " + dir.resolve("nomodel"), "no such model");
        assertFalse(Files.exists(dir.resolve("nomodel")), "no folder made for a missing model");

        // A folder another descent command holds.
        Path held = dir.resolve("held");
        try (FolderLock lock = FolderLock.acquire(held, "train")) {
            InputErrorsTest.assertOneLine(Cli.run("export", "--model", out.toString(), "--out", held.toString()),
                    "--out " + held + " is in use by another descent run");
        }
        assertFalse(Files.exists(held.resolve("model.onnx")));

        Path json = out.resolve("model.json");
        String original = Files.readString(json);
        Files.writeString(json, original.replace("\"kind\": \"softmax\"", "\"kind\": \"cnn\""));
        InputErrorsTest.assertOneLine(Cli.run("export", "--model", out.toString()),
                "cannot export a 'cnn' model to ONNX (supported: linear, logistic, softmax, mlp)");
        Files.writeString(json, original.replace("\"inputs\": 4", "\"inputs\": 5"));
        InputErrorsTest.assertOneLine(Cli.run("export", "--model", out.toString()), "model.npz", "array 'W'");
        Files.writeString(json, original);
        Files.delete(out.resolve("model.npz"));
        InputErrorsTest.assertOneLine(Cli.run("export", "--model", out.toString()), "model.npz");
        assertEquals(before.stream().filter(f -> !f.equals("model.npz")).toList(), list(out),
                "nothing written into the model's folder, no temporary file left");

    }

    @Test
    void outNamesAFileOrAFolder() throws Exception {
        Path train = Cli.blobs(dir, "train.csv", 60, 4, 2, 1, 1.0);
        Path out = dir.resolve("logistic");
        assertEquals(0, Cli.run("train", "--data", train.toString(), "--model", "logistic", "--epochs", "1", "--out",
                out.toString(), "-q").code());
        assertEquals(0, Cli.run("export", "--model", out.toString(), "--out", dir.resolve("a.onnx").toString()).code());
        assertTrue(Files.isRegularFile(dir.resolve("a.onnx")));
        assertEquals(0, Cli.run("export", "--model", out.toString(), "--out", dir.resolve("b").toString()).code());
        assertTrue(Files.isRegularFile(dir.resolve("b/model.onnx")));
        Files.createDirectories(dir.resolve("c.onnx"));
        assertEquals(0, Cli.run("export", "--model", out.toString(), "--out", dir.resolve("c.onnx").toString())
                .code());
        assertTrue(Files.isRegularFile(dir.resolve("c.onnx/model.onnx")), "an existing folder is a folder");
        assertEquals(0, Cli.run("export", "--model", out.resolve("model.npz").toString()).code());
        byte[] first = Files.readAllBytes(out.resolve("model.onnx"));
        assertEquals(0, Cli.run("export", "--model", out.toString()).code(), "an earlier export is replaced");
        assertTrue(java.util.Arrays.equals(first, Files.readAllBytes(out.resolve("model.onnx"))), "deterministic");
        Map<String, float[]> onnx = runOnnx(out.resolve("model.onnx"), csv(train, null));
        assertEquals(List.of("logits", "probabilities", "label"), List.copyOf(onnx.keySet()));
    }

    /** A new run in the folder (--force) removes the export of the old one, which would no longer match. */
    @Test
    void aForcedNewRunRemovesTheOldExport() throws Exception {
        Path train = Cli.blobs(dir, "train.csv", 60, 4, 3, 1, 1.0);
        Path out = dir.resolve("run");
        assertEquals(0, Cli.run("train", "--data", train.toString(), "--epochs", "1", "--out", out.toString(), "-q")
                .code());
        assertEquals(0, Cli.run("export", "--model", out.toString(), "-q").code());
        Cli.Result r = Cli.run("train", "--data", train.toString(), "--epochs", "1", "--out", out.toString(), "-q");
        assertEquals(2, r.code(), "an earlier run's files are there: " + r);
        assertTrue(r.err().contains("model.onnx"), r.err());
        assertEquals(0, Cli.run("train", "--data", train.toString(), "--epochs", "1", "--out", out.toString(), "-q",
                "--force").code());
        assertFalse(Files.exists(out.resolve("model.onnx")), "the old export went with the old run");
    }

    @Test
    void hasHelpAndIsListed() {
        Cli.Result top = Cli.run("--help");
        assertTrue(top.out().contains("export"), top.out());
        Cli.Result r = Cli.run("export", "--help");
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("Usage: descent export") && r.out().contains("--format"), r.out());
    }

    private static List<String> list(Path folder) throws Exception {
        try (Stream<Path> s = Files.list(folder)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
