package dev.descent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input that used to break the error contract (exit status 2, one line naming the file or option, no stack
 * trace): absurd sizes and thread counts, damaged model files, a full disk, a schedule nested without end, a path the
 * locale cannot encode.
 */
class InputErrorsTest {
    @TempDir
    Path dir;
    Path train;

    @BeforeEach
    void data() throws Exception {
        train = Cli.blobs(dir, "train.csv", 60, 4, 3, 1, 1.0);
    }

    /** Exit status 2 and a single error line holding every fragment, without a stack trace. */
    static String assertOneLine(Cli.Result r, String... fragments) {
        assertEquals(2, r.code(), r.toString());
        List<String> lines = r.errLines();
        assertEquals(1, lines.size(), r.toString());
        String line = lines.getFirst();
        assertTrue(line.startsWith("descent ") && line.contains(" error: "), line);
        assertFalse(line.contains("Exception") || r.err().contains("\tat "), "no stack trace: " + r.err());
        for (String f : fragments) {
            assertTrue(line.contains(f), "'" + f + "' in: " + line);
        }
        return line;
    }

    // ------------------------------------------------------------------ model and data sizes

    /** A layer wider than an array used to end in a NegativeArraySizeException (exit 1). */
    @Test
    void aLayerBeyondAnArrayIsRefusedNamingHidden() {
        Path out = dir.resolve("wide");
        Cli.Result r = Cli.run("train", "--data", train.toString(), "--model", "mlp", "--hidden", "2000000000",
                "--epochs", "1", "-q", "--out", out.toString());
        assertOneLine(r, "--hidden 2000000000: layer 1 of the mlp 4-2000000000-3 model (4 features in " + train
                + ") would have 4 x 2000000000 = 8000000000 weights, more than an array holds (2147483639)");
        assertFalse(Files.exists(out), "nothing written");
        r = Cli.run("train", "--data", train.toString(), "--classes", "2000000000", "--epochs", "1", "-q", "--out",
                out.toString());
        assertOneLine(r, "--classes 2000000000: layer 1 of the softmax 4-2000000000 model");
    }

    /** Layers that each fit an array but together need far more than the heap are refused before allocating. */
    @Test
    void aModelBeyondTheHeapIsRefusedSayingHowMuchItNeeds() {
        Path out = dir.resolve("deep");
        String hidden = String.join(",", java.util.Collections.nCopies(20, "46000"));
        Cli.Result r = Cli.run("train", "--data", train.toString(), "--model", "mlp", "--hidden", hidden,
                "--backend", "cpu", "--epochs", "1", "-q", "--out", out.toString());
        assertOneLine(r, "--hidden " + hidden + ": the mlp 4-46000-", " parameters; training it on the CPU needs at "
                + "least ", "GiB of memory", "more than the JVM's maximum heap of " + Engine.bytesText(
                Runtime.getRuntime().maxMemory()), "DESCENT_JAVA_OPTS=-Xmx");
        assertFalse(Files.exists(out), "nothing written");
    }

    /** A batch whose activations exceed an array used to fail inside the backend, naming no option. */
    @Test
    void aBatchBeyondAnArrayIsRefusedNamingTheOptions() {
        Path out = dir.resolve("batch");
        Cli.Result r = Cli.run("train", "--data", train.toString(), "--model", "mlp", "--hidden", "40000000",
                "--full-batch", "--backend", "cpu", "--epochs", "1", "-q", "--out", out.toString());
        assertOneLine(r, "--full-batch with --hidden 40000000: a batch of 60 rows would have 60 x 40000000 = "
                + "2400000000 activations in layer 1 of the mlp 4-40000000-3 model, more than an array holds "
                + "(2147483639); use a smaller batch");
        assertFalse(Files.exists(out), "nothing written");
    }

    /** The heap bound on its own: parameters, gradients and a batch's activations against the maximum given. */
    @Test
    void theHeapBoundCountsParametersGradientsAndActivations() {
        dev.descent.model.ModelSpec mlp = dev.descent.model.ModelSpec.builder("mlp").inputs(784).hidden(256, 128)
                .classes(10).build();
        long need = 4L * (2 * mlp.parameterCount() + 64L * (2 * 256 + 2 * 128 + 10));
        Engine.checkFits(mlp, "", "--batch-size 64", 64, true, need);
        String m = org.junit.jupiter.api.Assertions.assertThrows(UsageException.class,
                () -> Engine.checkFits(mlp, "", "--batch-size 64", 64, true, need - 1)).getMessage();
        assertTrue(m.startsWith("the mlp 784-256-128-10 model has 235146 parameters; training it on the CPU needs at "
                + "least " + Engine.bytesText(need) + " of memory"), m);
        Engine.checkFits(mlp, "", "--batch-size 64", 64, false, need - 1); // a GPU holds them
    }

    /** bench's synthetic data beyond an array used to end in "ArithmeticException: integer overflow" (exit 1). */
    @Test
    void benchDataBeyondAnArrayIsRefused() {
        assertOneLine(Cli.run("bench", "--samples", "100000", "--features", "100000", "-q"),
                "--samples 100000 with --features 100000: 10000000000 feature values, more than an array holds");
        assertOneLine(Cli.run("bench", "--samples", "10", "--features", "100000", "--classes", "100000", "-q"),
                "--features 100000 with --classes 100000: 10000000000 weights");
    }

    // ------------------------------------------------------------------ --threads

    /** Thousands of threads are refused before any starts (100,000 used to run the JVM out of native threads). */
    @Test
    void absurdThreadCountsAreRefusedUpFront() {
        Path out = dir.resolve("threads");
        Cli.Result r = Cli.run("train", "--data", train.toString(), "--threads", "5000", "--epochs", "1", "-q",
                "--out", out.toString());
        assertOneLine(r, "--threads", "between 0 and 1024", "got 5000");
        assertFalse(Files.exists(out), "nothing written");
    }

    // ------------------------------------------------------------------ --schedule

    /** A schedule nested 10,000 deep is refused when the options are read, before any data or training. */
    @Test
    void deeplyNestedSchedulesAreRefusedBeforeTraining() {
        Path out = dir.resolve("schedule");
        String spec = "warmup(warmup=1, then=".repeat(10_000) + "constant" + ")".repeat(10_000);
        Cli.Result r = Cli.run("train", "--data", train.toString(), "--epochs", "1", "-q", "--checkpoint-every", "1",
                "--schedule", spec, "--out", out.toString());
        String line = assertOneLine(r, "--schedule 'warmup(warmup=1, then=", "(" + spec.length() + " characters)",
                "nested more than 32 deep");
        assertTrue(line.length() < 300, line);
        assertFalse(Files.exists(out), "nothing written");
    }

    // ------------------------------------------------------------------ a full disk

    /**
     * Every output goes through the atomic writer: when the disk fills up (simulated by a body that fails as the
     * kernel's write would), the one line names the file being written and no temporary stays behind.
     */
    @Test
    void aFullDiskNamesTheFileBeingWritten() throws Exception {
        Path target = dir.resolve("out/metrics.csv");
        java.io.IOException e = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class,
                () -> dev.descent.cli.io.AtomicFiles.write(target, out -> {
                    out.write("epoch,train_loss\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
                    throw new java.io.IOException("No space left on device");
                }));
        assertEquals(ExitCodes.USAGE, Failures.exitCode(e));
        assertEquals("cannot write " + target + ": No space left on device", Failures.message(e));
        // as the trainer reports a failed checkpoint or metrics write
        assertEquals("cannot write " + target + ": No space left on device",
                Failures.message(new java.io.UncheckedIOException("writing a checkpoint into " + dir + ": "
                        + e.getMessage(), e)));
        try (var files = Files.list(target.getParent())) {
            assertEquals(List.of(), files.toList(), "no temporary left");
        }
    }

    // ------------------------------------------------------------------ damaged model files

    /** A trained MLP's folder (several arrays in model.npz). */
    private Path trainedModel(String name) {
        Path out = dir.resolve(name);
        Cli.Result r = Cli.run("train", "--data", train.toString(), "--model", "mlp", "--hidden", "16", "--full-batch",
                "--epochs", "1", "-q", "--out", out.toString());
        assertEquals(0, r.code(), r.toString());
        return out;
    }

    private Cli.Result evaluate(Path model) {
        return Cli.run("evaluate", "--model", model.toString(), "--data", train.toString(), "-q");
    }

    /** model.npz cut in half used to give "Unexpected end of ZLIB input stream", naming no file. */
    @Test
    void aTruncatedModelNpzIsNamed() throws Exception {
        Path model = trainedModel("cut");
        Path npz = model.resolve("model.npz");
        byte[] whole = Files.readAllBytes(npz);
        Files.write(npz, java.util.Arrays.copyOf(whole, whole.length / 2));
        Cli.Result r = evaluate(model);
        assertOneLine(r, npz + ": truncated or corrupt (it breaks off in array 'layer");

        // a damaged byte inside an array's compressed data: that array is named
        byte[] flipped = whole.clone();
        for (int i = 60; i < 70; i++) {
            flipped[i] ^= 0x5a;
        }
        Files.write(npz, flipped);
        r = evaluate(model);
        assertOneLine(r, npz + ": truncated or corrupt (array 'layer1.W': ");

        Files.writeString(npz, "not a zip");
        assertOneLine(evaluate(model),
                npz + ": not a .npz file (not a zip archive)");
    }

    /** Random bytes in model.json used to give "Input length = 1". */
    @Test
    void randomBytesInModelJsonAreNamed() throws Exception {
        Path model = trainedModel("garbled");
        Path json = model.resolve("model.json");
        byte[] noise = new byte[300];
        new java.util.Random(7).nextBytes(noise);
        noise[0] = '{';
        noise[1] = '\n';
        noise[2] = (byte) 0xC3; // a lead byte without its continuation byte
        noise[3] = 'x';
        Files.write(json, noise);
        Cli.Result r = evaluate(model);
        assertOneLine(r, json + ": not a JSON file: not UTF-8 text (byte 0xC3 at offset 2, line 2)");

        Files.writeString(json, "[".repeat(100_000) + "]".repeat(100_000));
        r = evaluate(model);
        assertOneLine(r, json + ": invalid JSON at line 1, column 257: arrays and objects nested more than 256 deep");
    }

    /** The bytes of a .npy file of float32 {@code data} bytes whose header declares {@code shape}. */
    static byte[] npy(String shape, int dataBytes) {
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': " + shape + ", }";
        int unpadded = 10 + dict.length() + 1;
        String header = dict + " ".repeat((unpadded + 63) / 64 * 64 - unpadded) + "\n";
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        b.writeBytes(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (byte) header.length(),
            (byte) (header.length() >> 8)});
        b.writeBytes(header.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        b.writeBytes(new byte[dataBytes]);
        return b.toByteArray();
    }

    /**
     * A .npy header declaring a shape beyond any array used to give "For input string: ..."; a shape that does not
     * match the data is refused before anything is allocated.
     */
    @Test
    void aNpyShapeThatCannotBeIsNamed() throws Exception {
        Path model = trainedModel("shape");
        Path npz = model.resolve("model.npz");
        try (var zip = new java.util.zip.ZipOutputStream(Files.newOutputStream(npz))) {
            zip.putNextEntry(new java.util.zip.ZipEntry("layer1.W.npy"));
            zip.write(npy("(99999999999999999999,)", 64));
            zip.closeEntry();
        }
        Cli.Result r = evaluate(model);
        assertOneLine(r, npz + ":layer1.W.npy: 'shape' (99999999999999999999,): dimension 99999999999999999999 is out "
                + "of range (0 to 2147483639)");

        Path f = dir.resolve("a.npy");
        java.util.Map<String, String> cases = new java.util.LinkedHashMap<>();
        cases.put("(100000, 100000, 100000, 100000, 100000)", f + ": 'shape' (100000, 100000, 100000, 100000, 100000) "
                + "with dtype '<f4' holds 10000000000000000000000000 elements (40000000000000000000000000 bytes), more "
                + "than descent reads in one array (2147483639 bytes)");
        cases.put("(1000,)", f + ": truncated: 'shape' (1000,) with dtype '<f4' needs 4000 bytes of data, the file "
                + "has 64");
        cases.put("(4,)", f + ": 'shape' (4,) with dtype '<f4' needs 16 bytes of data, the file has 64 (48 too many)");
        cases.put("(-1,)", f + ": 'shape' (-1,): dimension -1 is out of range (0 to 2147483639)");
        cases.put("(3, x)", f + ": 'shape' (3, x): 'x' is not a whole number");
        for (var c : cases.entrySet()) {
            Files.write(f, npy(c.getKey(), 64));
            java.io.IOException e = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class,
                    () -> dev.descent.cli.io.Npy.read(f));
            assertEquals(c.getValue(), e.getMessage());
        }
        Files.write(f, npy("(16,)", 64));
        assertEquals(16, dev.descent.cli.io.Npy.read(f).size());
        Files.write(f, npy("(2, 0, 99999)", 0));
        assertEquals(0, dev.descent.cli.io.Npy.read(f).size());
    }

    // ------------------------------------------------------------------ a path the locale cannot encode

    /**
     * Under LC_ALL=C the JVM encodes file names in ASCII and --out out/é cannot be named: it used to end with picocli's
     * or the JDK's InvalidPathException text. A lone surrogate is just as unencodable in this test's UTF-8 JVM.
     */
    @Test
    void aPathTheLocaleCannotEncodeIsExplainedNamingTheOption() throws Exception {
        String bad = "caf\uD800";
        String[] advice = {"cannot be encoded in the current locale (", "file names in ",
            "); run descent under a UTF-8 locale, e.g. LC_ALL=C.UTF-8"};
        Cli.Result r = Cli.run("train", "--data", train.toString(), "--epochs", "1", "-q", "--out",
                dir.resolve("out") + "/" + bad);
        assertOneLine(r, concat("Invalid value for option '--out': the path '", advice));
        r = Cli.run("train", "--data", bad + ".csv", "--epochs", "1", "-q", "--out", dir.resolve("out").toString());
        // The message shows the unencodable character escaped, as every message does with such text.
        String shown = dev.descent.data.SafeText.escape(bad);
        assertOneLine(r, concat("--data: the path '" + shown + ".csv' cannot be encoded", advice));
        r = Cli.run("evaluate", "--model", dir.toString(), "--test", bad, "-q");
        assertOneLine(r, concat("--test: the path '" + shown + "'", advice));
        assertFalse(Files.exists(dir.resolve("out")), "nothing written");

        // from anywhere else: the same explanation, exit status 2
        java.nio.file.InvalidPathException e = new java.nio.file.InvalidPathException("x/" + bad,
                "Malformed input or input contains unmappable characters");
        assertEquals(ExitCodes.USAGE, Failures.exitCode(e));
        assertTrue(Failures.message(e).startsWith("the path 'x/" + shown + "' cannot be encoded in the current locale ("
                + Failures.localeInEffect() + ", file names in "), Failures.message(e));
        assertEquals("invalid path 'a\\x00b': Nul character not allowed",
                Failures.message(new java.nio.file.InvalidPathException("a\u0000b", "Nul character not allowed")));
    }

    private static String[] concat(String first, String... rest) {
        String[] all = new String[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }
}

