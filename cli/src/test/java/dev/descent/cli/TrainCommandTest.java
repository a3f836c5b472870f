package dev.descent.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.cli.io.Json;
import dev.descent.cli.io.Npy;
import dev.descent.cli.io.Npz;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code descent train} and {@code descent evaluate}, end to end in-process on small CSV files. */
class TrainCommandTest {
    @TempDir
    Path dir;
    Path train;
    Path test;

    @BeforeEach
    void data() throws Exception {
        train = Cli.blobs(dir, "train.csv", 150, 4, 3, 1, 1.0);
        test = Cli.blobs(dir, "test.csv", 60, 4, 3, 2, 1.0);
    }

    /** model.json's "weights" names a file in the model's folder; a path that leads elsewhere is refused, in one line. */
    @Test
    void aModelCannotPointItsWeightsOutsideItsFolder() throws Exception {
        Path out = dir.resolve("run-w");
        Cli.Result r = Cli.run("train", "--data", train.toString(), "--full-batch", "--epochs", "1", "--optimizer",
                "sgd", "--lr", "0.01", "--out", out.toString());
        assertEquals(0, r.code(), r.toString());
        Path json = out.resolve("model.json");
        String original = Files.readString(json);
        Files.createDirectories(dir.resolve("other"));
        Files.copy(out.resolve("model.npz"), dir.resolve("other/model.npz"));
        for (String bad : new String[] {"../other/model.npz", dir.resolve("other/model.npz").toString(), "sub/model.npz",
                "..", ""}) {
            Files.writeString(json, original.replace("\"weights\": \"model.npz\"", "\"weights\": \""
                    + bad.replace("\\", "\\\\") + "\""));
            Cli.Result ev = Cli.run("evaluate", "--model", out.toString(), "--test", test.toString());
            assertEquals(2, ev.code(), bad + ": " + ev);
            assertTrue(ev.err().contains("\"weights\"") && ev.err().contains("must be a file name in the model's folder"),
                    ev.err());
            assertEquals(1, ev.err().lines().filter(l -> l.contains("error")).count(), ev.err());
            assertFalse(ev.err().contains("Exception") || ev.err().contains("\tat "), "no stack trace: " + ev.err());
        }
        Files.writeString(json, original);
        assertEquals(0, Cli.run("evaluate", "--model", out.toString(), "--test", test.toString()).code());
    }

    @Test
    void trainsWritesEverythingAndEvaluatesTheSavedModel() throws Exception {
        Path out = dir.resolve("run");
        Cli.Result r = Cli.run("train", "--data", train.toString(), "--test", test.toString(), "--batch-size", "16",
                "--epochs", "4", "--optimizer", "adam", "--lr", "0.05", "--out", out.toString(), "--json");
        assertEquals(0, r.code(), r.toString());
        List<String> lines = Files.readAllLines(out.resolve("metrics.csv"));
        assertEquals("epoch,train_loss,test_loss,test_accuracy,seconds", lines.getFirst());
        assertEquals(5, lines.size());
        for (int e = 1; e <= 4; e++) {
            String[] c = lines.get(e).split(",");
            assertEquals(5, c.length, lines.get(e));
            assertEquals(Integer.toString(e), c[0]);
            assertTrue(Double.parseDouble(c[1]) > 0);
            assertTrue(Double.parseDouble(c[4]) >= 0);
        }
        double firstLoss = Double.parseDouble(lines.get(1).split(",")[1]);
        double lastLoss = Double.parseDouble(lines.get(4).split(",")[1]);
        assertTrue(lastLoss < firstLoss, "loss decreases: " + lines);
        double accuracy = Double.parseDouble(lines.get(4).split(",")[3]);
        assertTrue(accuracy > 0.8, "separable blobs: " + lines);

        Map<String, Object> s = Json.parseObject(Files.readString(out.resolve("summary.json")));
        assertEquals(Json.parseObject(r.out()), s, "--json prints summary.json");
        assertEquals("completed", s.get("status"));
        assertEquals(false, s.get("diverged"));
        Map<?, ?> settings = (Map<?, ?>) s.get("settings");
        assertEquals(16.0, settings.get("batch_size"));
        assertEquals("adam", settings.get("optimizer"));
        assertEquals(4.0, settings.get("epochs"));
        Map<?, ?> backend = (Map<?, ?>) s.get("backend");
        assertNotNull(backend.get("description"));
        Map<?, ?> data = (Map<?, ?>) s.get("data");
        assertEquals(150.0, ((Map<?, ?>) data.get("train")).get("samples"));
        assertEquals(4.0, ((Map<?, ?>) data.get("train")).get("features"));
        assertEquals(60.0, ((Map<?, ?>) data.get("test")).get("samples"));
        Map<?, ?> fin = (Map<?, ?>) s.get("final");
        assertEquals(accuracy, (Double) fin.get("test_accuracy"), 1e-12);
        assertTrue(((Map<?, ?>) s.get("time")).get("total_seconds") instanceof Double);

        Images.check(out.resolve("loss.png"), 1520, 564);

        Map<String, Npy.Array> arrays = Npz.read(out.resolve("model.npz"));
        assertArrayEquals(new int[] {4, 3}, arrays.get("W").shape(), "softmax regression: W [features, classes]");
        Map<String, Object> model = Json.parseObject(Files.readString(out.resolve("model.json")));
        assertEquals("softmax", model.get("kind"));

        Cli.Result ev = Cli.run("evaluate", "--model", out.toString(), "--test", test.toString(), "--json");
        assertEquals(0, ev.code(), ev.toString());
        Map<String, Object> e = Json.parseObject(ev.out());
        Map<?, ?> res = (Map<?, ?>) ((List<?>) e.get("results")).getFirst();
        assertEquals(accuracy, (Double) res.get("accuracy"), 1e-12, "evaluate reproduces the final test accuracy");
        assertEquals(3, ((List<?>) res.get("confusion")).size());

        Cli.Result text = Cli.run("evaluate", "--model", out.resolve("model.json").toString(), "--data",
                test.toString(), "--out", dir.resolve("eval").toString());
        assertEquals(0, text.code(), text.toString());
        assertTrue(text.out().contains("accuracy"), text.out());
        assertTrue(text.out().contains("confusion matrix"), text.out());
        assertEquals("true_class,predicted_0,predicted_1,predicted_2",
                Files.readAllLines(dir.resolve("eval/confusion.csv")).getFirst());
    }

    @Test
    void withoutTestSetTheHeaderIsShort() throws Exception {
        Path out = dir.resolve("short");
        Cli.Result r = Cli.run("train", "--data", train.toString(), "--full-batch", "--epochs", "3", "--optimizer",
                "sgd", "--lr", "0.1", "--out", out.toString(), "--quiet", "--scale", "standardize");
        assertEquals(0, r.code(), r.toString());
        assertEquals("", r.err(), "--quiet prints nothing on success");
        List<String> lines = Files.readAllLines(out.resolve("metrics.csv"));
        assertEquals("epoch,train_loss,seconds", lines.getFirst());
        assertEquals(4, lines.size());
        assertTrue(Npz.read(out.resolve("model.npz")).containsKey("scaling.shift"));
    }

    @Test
    void mlpAndRegressionModels() throws Exception {
        Path out = dir.resolve("mlp");
        Cli.Result r = Cli.run("train", "--data", train.toString(), "--test", test.toString(), "--model", "mlp",
                "--hidden", "8,6", "--no-bias", "--batch-size", "32", "--epochs", "2", "--optimizer", "sgd",
                "--lr", "0.1",
                "--momentum", "0.9", "--out", out.toString(), "--quiet");
        assertEquals(0, r.code(), r.toString());
        Map<String, Npy.Array> a = Npz.read(out.resolve("model.npz"));
        assertArrayEquals(new int[] {4, 8}, a.get("layer1.W").shape());
        assertArrayEquals(new int[] {8, 6}, a.get("layer2.W").shape());
        assertArrayEquals(new int[] {6, 3}, a.get("layer3.W").shape());
        assertFalse(a.containsKey("layer3.b"), "--no-bias: " + a.keySet());
        Cli.Result ev = Cli.run("evaluate", "--model", out.toString(), "--test", test.toString());
        assertEquals(0, ev.code(), ev.toString());

        Path reg = Cli.regression(dir, "reg.csv", 200, 3);
        Path regOut = dir.resolve("reg");
        r = Cli.run("train", "--data", reg.toString(), "--test", reg.toString(), "--model", "linear",
                "--label-column", "target", "--batch-size", "20", "--epochs", "30", "--optimizer", "adam", "--lr",
                "0.05", "--out", regOut.toString(), "--quiet");
        assertEquals(0, r.code(), r.toString());
        List<String> lines = Files.readAllLines(regOut.resolve("metrics.csv"));
        assertEquals("epoch,train_loss,test_loss,test_mae,seconds", lines.getFirst());
        assertTrue(Double.parseDouble(lines.getLast().split(",")[1]) < 0.1, lines.getLast());
        ev = Cli.run("evaluate", "--model", regOut.toString(), "--data", reg.toString(), "--label-column", "target");
        assertEquals(0, ev.code(), ev.toString());
        assertTrue(ev.out().contains("MSE"), ev.out());
    }

    @Test
    void divergenceExitsWithThreeAndSaysWhere() throws Exception {
        Path big = Cli.blobs(dir, "big.csv", 120, 4, 3, 5, 1e18);
        Path out = dir.resolve("div");
        Cli.Result r = Cli.run("train", "--data", big.toString(), "--batch-size", "16", "--epochs", "5",
                "--optimizer", "sgd", "--lr", "1e10", "--out", out.toString());
        assertEquals(3, r.code(), r.toString());
        assertTrue(r.err().contains("diverged at epoch"), r.err());
        Map<String, Object> s = Json.parseObject(Files.readString(out.resolve("summary.json")));
        assertEquals(true, s.get("diverged"));
        assertEquals("diverged", s.get("status"));
        Map<?, ?> d = (Map<?, ?>) s.get("divergence");
        assertNotNull(d.get("epoch"));
        assertNotNull(d.get("step"));
        assertTrue(Files.exists(out.resolve("metrics.csv")));
        assertTrue(Files.exists(out.resolve("loss.png")));
        String metrics = Files.readString(out.resolve("metrics.csv"));
        assertTrue(metrics.contains("NaN") || metrics.contains("Infinity"), metrics);
    }

    /** Text quoted from a data file (CSV header, cells, model.json) reaches the terminal escaped, on one line. */
    @Test
    void dataFileTextIsShownEscaped() throws Exception {
        Path hostile = dir.resolve("hostile.csv");
        Files.writeString(hostile, "label,a\u001b[2J\u001b]0;pwned\u0007,b\u202eevil\n0,1,x\u001b[31m\n1,2,3\n");
        Cli.Result cell = Cli.run("train", "--data", hostile.toString(), "--out", dir.resolve("h1").toString());
        Cli.Result header = Cli.run("train", "--data", hostile.toString(), "--label-column", "y", "--out",
                dir.resolve("h2").toString());
        assertTrue(cell.err().contains("line 2: column 'b\\u202eevil' (index 2): not a number: 'x\\x1b[31m'"),
                cell.err());
        assertTrue(header.err().contains("(columns: label, a\\x1b[2J\\x1b]0;pwned\\x07, b\\u202eevil)"),
                header.err());

        Path out = dir.resolve("run-k");
        assertEquals(0, Cli.run("train", "--data", train.toString(), "--full-batch", "--epochs", "1", "--out",
                out.toString(), "--quiet").code());
        Path json = out.resolve("model.json");
        String original = Files.readString(json);
        Files.writeString(json, original.replaceFirst("\"kind\": \"[a-z]+\"", "\"kind\": \"\\\\u001b[2J"
                + "x".repeat(500) + "\""));
        Cli.Result kind = Cli.run("evaluate", "--model", out.toString(), "--test", test.toString(), "--quiet");
        assertTrue(kind.err().contains("unknown model '\\x1b[2Jxxx"), kind.err());
        assertTrue(kind.err().length() < 400, "the 500-character value is shortened: " + kind.err());
        Files.writeString(json, "{\"format\": \u001b[2J}");
        Cli.Result syntax = Cli.run("evaluate", "--model", out.toString(), "--test", test.toString(), "--quiet");
        assertTrue(syntax.err().contains("unexpected character '\\x1b'"), syntax.err());

        for (Cli.Result r : List.of(cell, header, kind, syntax)) {
            assertEquals(2, r.code(), r.toString());
            assertEquals(1, r.errLines().size(), r.toString());
            assertTrue(r.err().chars().noneMatch(c -> c == 0x1b || c == 0x07 || c == 0x202e), r.toString());
        }
    }

    /** A second column named like the label column would silently become a feature: refused, naming both. */
    @Test
    void aSecondLabelColumnIsRefused() throws Exception {
        Path dup = dir.resolve("dup.csv");
        Files.writeString(dup, "label,f0,f1,label\n0,1.0,2.0,0\n1,1.5,2.5,1\n");
        Cli.Result r = Cli.run("train", "--data", dup.toString(), "--out", dir.resolve("d1").toString());
        assertEquals(2, r.code(), r.toString());
        assertEquals(1, r.errLines().size(), r.toString());
        assertTrue(r.err().startsWith("descent train: error: " + dup + " line 1: columns 0 and 3 are both named "
                + "'label': which is the label column is ambiguous"), r.err());
        Path dupY = dir.resolve("dupy.csv");
        Files.writeString(dupY, "y,f0,y\n0,1.0,0\n1,1.5,1\n");
        r = Cli.run("train", "--data", dupY.toString(), "--label-column", "y", "--out", dir.resolve("d2").toString());
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains(dupY + " line 1: columns 0 and 2 are both named 'y'"), r.err());
        assertFalse(Files.exists(dir.resolve("d1/model.json")) || Files.exists(dir.resolve("d2/model.json")));
        // by index the label column is unambiguous
        r = Cli.run("train", "--data", dupY.toString(), "--label-column", "2", "--full-batch", "--epochs", "1",
                "--out", dir.resolve("d3").toString(), "--quiet");
        assertEquals(0, r.code(), r.toString());
    }

    /** A damaged file in the download cache is named as such (with its checksum), not reported as missing. */
    @Test
    void aDamagedCachedDownloadIsReportedAsDamaged() throws Exception {
        Path cache = dir.resolve("cache");
        Path images = Files.createDirectories(cache.resolve("mnist")).resolve("train-images-idx3-ubyte.gz");
        Files.write(images, new byte[9912422]); // the right size, the wrong content
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort(); // closed again: connections are refused, nothing leaves the machine
        }
        System.setProperty("descent.cache.dir", cache.toString());
        System.setProperty("descent.data.baseUrl.mnist", "http://127.0.0.1:" + port + "/mnist/");
        try {
            Cli.Result r = Cli.run("train", "--data", "mnist", "--epochs", "1", "--out", dir.resolve("m").toString());
            assertEquals(2, r.code(), r.toString());
            List<String> lines = r.errLines();
            assertEquals("the cached file " + images + " fails its checksum: it has MD5 "
                    + "51552e37bc256999a66fea5bd4c4e654, expected f68b3c2dcbeaaa9fbdd348bbdeb94873; downloading it again",
                    lines.getFirst(), r.toString());
            String error = lines.getLast();
            assertTrue(error.startsWith("descent train: error: the cached file " + images + " fails its checksum: it "
                    + "has MD5 51552e37bc256999a66fea5bd4c4e654, expected f68b3c2dcbeaaa9fbdd348bbdeb94873, and "
                    + "downloading it again failed (http://127.0.0.1:" + port + "/mnist/train-images-idx3-ubyte.gz: "
                    + "connection refused or network unreachable). Delete it and run again"), error);
            assertFalse(error.contains("To work offline, put"), error);
            assertEquals(1, r.err().lines().filter(l -> l.contains("error")).count(), r.toString());
            assertEquals(9912422, Files.size(images), "the cached file is left as it was");
        } finally {
            System.clearProperty("descent.cache.dir");
            System.clearProperty("descent.data.baseUrl.mnist");
        }
    }

    @Test
    void badInputIsOneLineAndExitTwo() throws Exception {
        Path bad = dir.resolve("bad.csv");
        Files.writeString(bad, "f0,f1,label\n1.0,2.0,0\n1.5,abc,1\n");
        String[][] cases = {
            {"train", "--data", dir.resolve("missing.csv").toString(), "--out", dir.resolve("o1").toString()},
            {"train", "--data", bad.toString(), "--out", dir.resolve("o2").toString()},
            {"train", "--data", train.toString(), "--optimizer", "adabelief", "--out", dir.resolve("o3").toString()},
            {"train", "--data", train.toString(), "--lr", "-1", "--out", dir.resolve("o4").toString()},
            {"train", "--data", train.toString(), "--batch-size", "8", "--full-batch"},
            {"train", "--data", train.toString(), "--batch-size", "0"},
            {"train", "--data", train.toString(), "--epochs", "0"},
            {"train", "--data", train.toString(), "--label-column", "nope", "--out", dir.resolve("o5").toString()},
            {"train", "--data", train.toString(), "--no-such-option"},
            {"train", "--data", train.toString(), "--lr", "fast"},
            {"train", "--data", train.toString(), "--model", "transformer"},
            {"train", "--data", train.toString(), "--backend", "tpu", "--out", dir.resolve("o6").toString()},
            {"train", "--data", train.toString(), "--resume", dir.resolve("nothing").toString()},
            {"train", "--data", train.toString(), "--test", bad.toString(), "--out", dir.resolve("o7").toString()},
            {"evaluate", "--model", dir.resolve("nomodel").toString(), "--data", train.toString()},
            {"compare", "--data", train.toString(), "--lrs", "1e-3,-1", "--out", dir.resolve("o8").toString()},
            {"sweep", "--data", train.toString(), "--batch-sizes", "8,0", "--out", dir.resolve("o9").toString()},
        };
        for (String[] args : cases) {
            Cli.Result r = Cli.run(args);
            String what = String.join(" ", args) + " -> " + r;
            assertEquals(2, r.code(), what);
            assertEquals(1, r.errLines().size(), "one line: " + what);
            assertFalse(r.err().contains("Exception"), "no exception names: " + what);
            assertFalse(r.err().contains("\tat "), "no stack trace: " + what);
        }
        assertTrue(Cli.run(cases[0]).err().contains("missing.csv"));
        assertTrue(Cli.run(cases[1]).err().contains("bad.csv"), Cli.run(cases[1]).err());
        assertTrue(Cli.run(cases[1]).err().contains("line 3"), Cli.run(cases[1]).err());
        assertTrue(Cli.run(cases[4]).err().contains("mutually exclusive"), Cli.run(cases[4]).err());
        Cli.Result verbose = Cli.run("train", "--data", dir.resolve("missing.csv").toString(), "--verbose");
        assertEquals(2, verbose.code());
        assertTrue(verbose.err().contains("\tat "), "--verbose prints the stack trace");
    }
}
