package dev.descent.cli;

import dev.descent.backend.Availability;
import dev.descent.backend.Backend;
import dev.descent.backend.BackendOptions;
import dev.descent.backend.BackendProvider;
import dev.descent.backend.Backends;
import dev.descent.cli.io.AtomicFiles;
import dev.descent.cli.io.Csv;
import dev.descent.cli.io.Json;
import dev.descent.data.Dataset;
import dev.descent.data.DeviceDataset;
import dev.descent.model.ModelSpec;
import dev.descent.optim.Optimizers;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code descent bench}: a quick backend comparison on synthetic data. */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        header = "A quick backend comparison on a synthetic data set.",
        description = {
            "Trains the same model on a synthetic classification data set of the given shape on each available "
                    + "backend (or the one --backend names) and prints the throughput. Features are uniform in "
                    + "[0, 1); labels come from a random linear teacher (argmax of (x − ½)·T), so the task is "
                    + "learnable.",
            "The first epoch is a warm-up (JIT, CUDA context) and is not timed. This is a quick check, not a "
                    + "benchmark suite: see the benchmarks module for JMH and the PyTorch comparison.",
            ""})
final class BenchCommand extends BaseCommand {
    @Option(names = "--samples", paramLabel = "N", defaultValue = "60000",
            description = "Samples (default: ${DEFAULT-VALUE}).")
    int samples;

    @Option(names = "--features", paramLabel = "D", defaultValue = "784",
            description = "Features per sample (default: ${DEFAULT-VALUE}).")
    int features;

    @Option(names = "--classes", paramLabel = "K", defaultValue = "10",
            description = "Classes (default: ${DEFAULT-VALUE}).")
    int classes;

    @Option(names = "--model", paramLabel = "softmax|mlp", defaultValue = "softmax", converter = Converters.Name.class,
            description = "Model (default: ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--hidden", paramLabel = "N,N,...", split = ",", hideParamSyntax = true,
            description = "Hidden widths for --model mlp (default 256,128).")
    List<Integer> hidden;

    @Mixin
    BatchOptions batch;

    @Option(names = "--epochs", paramLabel = "N", defaultValue = "3",
            description = "Timed epochs after the warm-up epoch (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--optimizer", paramLabel = "NAME", converter = Converters.Name.class, defaultValue = "sgd",
            description = "Optimizer (default: ${DEFAULT-VALUE}).")
    String optimizer;

    @Option(names = "--lr", paramLabel = "LR", converter = Converters.Finite.class, defaultValue = "0.01",
            description = "Learning rate (default: ${DEFAULT-VALUE}).")
    double lr;

    @Mixin
    OptimizerSettings settings;

    @Mixin
    ComputeOptions compute;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "0", description = "Seed of the data and model.")
    long seed;

    @Option(names = "--out", paramLabel = "DIR", description = "Also write DIR/bench.csv and DIR/bench.json.")
    Path out;

    @Option(names = "--json", description = "Print the results as JSON on standard output.")
    boolean json;

    @Override
    int run() throws Exception {
        if (samples < 1 || features < 1 || classes < 2) {
            throw usage("--samples and --features must be >= 1 and --classes >= 2");
        }
        if (epochs < 1) {
            throw usage("--epochs must be >= 1, got " + epochs);
        }
        batch.validate();
        int batchSize = batch.batchSize(256);
        ModelOptions mo = new ModelOptions();
        mo.model = model;
        mo.hidden = hidden;
        mo.validate();
        Optimizers.Builder opt = Engine.optimizer(optimizer, lr, settings);
        compute.validate();
        List<String> names = new ArrayList<>();
        if (compute.backend.equals("auto")) {
            for (BackendProvider p : Backends.providers()) {
                Availability a = BackendsCommand.safeAvailability(p);
                if (a.available()) {
                    names.add(p.name());
                } else {
                    note(p.name() + ": skipped (" + a.reason() + ")");
                }
            }
            if (names.isEmpty()) {
                throw usage("no backend is available (see 'descent backends')");
            }
        } else {
            names.add(compute.backend);
        }
        checkDataSize(samples, features, classes, Runtime.getRuntime().maxMemory());
        note(String.format(Locale.ROOT, "synthetic data: %d samples x %d features, %d classes; generating ...",
                samples, features, classes));
        Dataset data = synthetic(samples, features, classes, seed);
        ModelSpec spec = Engine.modelSpec(mo, data, seed, classes);
        Csv csv = new Csv("backend", "description", "threads", "samples", "features", "classes", "batch_size",
                "epochs", "seconds", "samples_per_second", "ms_per_epoch", "final_train_loss");
        List<Map<String, Object>> results = new ArrayList<>();
        for (String name : names) {
            Backends.Selection sel = Backends.select(name, new BackendOptions(compute.threads, 0));
            try (Backend backend = Engine.fitting(sel.backend(), spec, mo, classes, batch.describe(256),
                    BatchOptions.rows(batchSize, samples)); DeviceDataset dd = data.upload(backend)) {
                note(name + ": " + backend.description() + " — warm-up epoch ...");
                GridRun.train(dd, spec, optimizer, opt, lr, batchSize, 1, seed, true,
                        new Progress(err(), Progress.Mode.QUIET, name));
                Progress p = new Progress(err(), Progress.detect(common.quiet), name);
                long t0 = System.nanoTime();
                GridRun r = GridRun.train(dd, spec, optimizer, opt, lr, batchSize, epochs, seed, true, p);
                double secs = (System.nanoTime() - t0) / 1e9;
                double trainSecs = r.seconds().values().stream().mapToDouble(Double::doubleValue).sum();
                double rate = (double) samples * epochs / trainSecs;
                csv.add(name, backend.description(), backend.threads(), samples, features, classes,
                        batchSize == 0 ? samples : batchSize, epochs, trainSecs, rate, 1000 * trainSecs / epochs,
                        r.finalLoss());
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("backend", name);
                m.put("description", backend.description());
                m.put("threads", backend.threads());
                m.put("training_seconds", trainSecs);
                m.put("wall_seconds", secs);
                m.put("samples_per_second", rate);
                m.put("ms_per_epoch", 1000 * trainSecs / epochs);
                m.put("final_train_loss", r.finalLoss());
                results.add(m);
                if (!json) {
                    out().printf(Locale.ROOT, "%-5s %12.0f samples/s  %9.1f ms/epoch  loss %s  (%s)%n", name, rate,
                            1000 * trainSecs / epochs, Progress.num(r.finalLoss()), backend.description());
                }
            }
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("command", "bench");
        doc.put("model", spec.describe());
        doc.put("samples", samples);
        doc.put("features", features);
        doc.put("classes", classes);
        doc.put("batch_size", batchSize == 0 ? null : batchSize);
        doc.put("epochs", epochs);
        doc.put("optimizer", opt.resolvedOptions().settings());
        doc.put("results", results);
        String text = Json.write(doc);
        if (out != null) {
            csv.write(out.resolve("bench.csv"));
            AtomicFiles.writeString(out.resolve("bench.json"), text);
        }
        if (json) {
            out().print(text);
        }
        return ExitCodes.OK;
    }

    /**
     * Refuses a synthetic data set whose features, or whose teacher's weights, would not fit in an array, or whose
     * features alone would not fit in the heap's maximum.
     */
    static void checkDataSize(int samples, int features, int classes, long maxHeap) {
        long cells = (long) samples * features;
        if (cells > Engine.MAX_ARRAY) {
            throw new UsageException("--samples " + samples + " with --features " + features + ": " + cells
                    + " feature values, more than an array holds (" + Engine.MAX_ARRAY + ")");
        }
        long teacher = (long) features * classes;
        if (teacher > Engine.MAX_ARRAY) {
            throw new UsageException("--features " + features + " with --classes " + classes + ": " + teacher
                    + " weights (the data's teacher and the model), more than an array holds (" + Engine.MAX_ARRAY
                    + ")");
        }
        long bytes = Float.BYTES * cells;
        if (bytes > maxHeap) {
            throw new UsageException("--samples " + samples + " with --features " + features + ": the data alone "
                    + "needs " + Engine.bytesText(bytes) + " of memory, more than the JVM's maximum heap of "
                    + Engine.bytesText(maxHeap) + "; use fewer samples or features, or give the JVM more memory, "
                    + "e.g. DESCENT_JAVA_OPTS=-Xmx" + Math.max(2, (bytes >> 30) * 2) + "g");
        }
    }

    /** Uniform features in [0, 1); label = argmax of (x − ½)·T for a random Gaussian teacher T. */
    static Dataset synthetic(int n, int d, int k, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] teacher = new float[d * k];
        for (int i = 0; i < teacher.length; i++) {
            teacher[i] = (float) rnd.nextGaussian();
        }
        float[] x = new float[Math.multiplyExact(n, d)];
        int[] y = new int[n];
        double[] z = new double[k];
        for (int i = 0; i < n; i++) {
            java.util.Arrays.fill(z, 0);
            int base = i * d;
            for (int j = 0; j < d; j++) {
                float v = (float) rnd.nextDouble();
                x[base + j] = v;
                int tb = j * k;
                for (int c = 0; c < k; c++) {
                    z[c] += (v - 0.5) * teacher[tb + c];
                }
            }
            int best = 0;
            for (int c = 1; c < k; c++) {
                if (z[c] > z[best]) {
                    best = c;
                }
            }
            y[i] = best;
        }
        return Dataset.classification("synthetic " + n + "x" + d, x, n, d, y, k);
    }

    @Override
    Path outputFolder() {
        return out;
    }
}
