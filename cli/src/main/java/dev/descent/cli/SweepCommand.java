package dev.descent.cli;

import dev.descent.backend.Backend;
import dev.descent.cli.io.AtomicFiles;
import dev.descent.cli.io.Csv;
import dev.descent.cli.io.Json;
import dev.descent.cli.plot.Charts;
import dev.descent.data.DeviceDataset;
import dev.descent.model.ModelSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code descent sweep}: the lecture's batch-size experiment. */
@Command(name = "sweep", mixinStandardHelpOptions = true, sortOptions = false,
        header = "The batch-size sweep: sweep.csv and the batch-size figure.",
        description = {
            "Trains the same model with one optimizer at each batch size (the lecture: 8, 16, 64, 1024, 4096 with Adam "
                    + "at lr 1e-5) and writes, into --out DIR:",
            "  sweep.csv     batch_size,epoch,train_loss,seconds  (seconds: that epoch's training wall time)",
            "  sweep.png     train loss per epoch and against training time, a curve per batch size",
            "  summary.json  settings and each run's final loss and time",
            ""},
        footer = {"", "Example:",
            "  descent sweep --data sign-language-mnist --batch-sizes 8,16,64,1024,4096 --optimizer adam --lr 1e-5 "
                    + "--epochs 20"})
final class SweepCommand extends BaseCommand {
    @Mixin
    DataOptions data;

    @Mixin
    ModelOptions model;

    @Option(names = "--batch-sizes", paramLabel = "N,N,...", split = ",", hideParamSyntax = true,
            defaultValue = "8,16,64,1024,4096",
            description = "Batch sizes (default: ${DEFAULT-VALUE}).")
    List<Integer> batchSizes;

    @Option(names = "--optimizer", paramLabel = "NAME", converter = Converters.Name.class, defaultValue = "adam",
            description = "Optimizer (default: ${DEFAULT-VALUE}); one of " + OptimizerSettings.NAMES + ".")
    String optimizer;

    @Option(names = "--lr", paramLabel = "LR", converter = Converters.Finite.class, defaultValue = "1e-5",
            description = "Learning rate (default: ${DEFAULT-VALUE}).")
    double lr;

    @Mixin
    RunOptions runOptions;

    @Mixin
    OptimizerSettings settings;

    @Mixin
    ComputeOptions compute;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "out/sweep",
            description = "Output folder (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--title", paramLabel = "TEXT", description = "Figure title.")
    String title;

    static final int DEFAULT_EPOCHS = 10;

    @Override
    int run() throws Exception {
        data.validate();
        model.validate();
        int epochs = runOptions.epochs(DEFAULT_EPOCHS);
        List<Integer> sizes = batchSizes.stream().distinct().toList();
        if (sizes.isEmpty()) {
            throw usage("--batch-sizes must not be empty");
        }
        for (int b : sizes) {
            if (b < 1) {
                throw usage("--batch-sizes: a batch size must be >= 1, got " + b);
            }
        }
        Engine.optimizer(optimizer, lr, settings);
        compute.validate();
        if (dev.descent.optim.Optimizers.needsClosure(optimizer)) {
            note(TrainCommand.lbfgsMinibatchNote(optimizer));
        }
        if (data.test != null) {
            note("note: %s reports the training loss only; --test is not used".formatted("sweep"));
            data.test = null;
        }
        Engine.Data d = Engine.loadData(data, Engine.regressionTargets(model, data), this::note);
        note(d.description());
        ModelSpec spec = Engine.modelSpec(model, d.train(), runOptions.seed, data.classes);
        List<GridRun> runs = new ArrayList<>();
        Progress.Mode mode = Progress.detect(common.quiet);
        int largest = sizes.stream().mapToInt(Integer::intValue).max().orElse(1);
        try (Backend backend = Engine.fitting(Engine.backend(compute, this::note, common.verbose).backend(), spec,
                    model, data.classes, "--batch-sizes " + largest, BatchOptions.rows(largest, d.train().samples()));
             DeviceDataset train = d.train().upload(backend)) {
            for (int b : sizes) {
                Progress p = new Progress(err(), mode, "batch " + b);
                GridRun r = GridRun.train(train, spec, optimizer, Engine.optimizer(optimizer, lr, settings), lr, b,
                        epochs, runOptions.seed, !runOptions.noShuffle, p);
                runs.add(r);
                note(line(r));
            }
        } catch (GridRun.InterruptedRun e) {
            err().println("descent sweep: interrupted; nothing written");
            return ExitCodes.INTERRUPTED;
        }
        write(out, runs, optimizer, lr, epochs, spec, title, d.description());
        for (GridRun r : runs) {
            out().println(line(r));
        }
        note("wrote " + out.resolve("sweep.csv") + " and " + out.resolve("sweep.png"));
        return ExitCodes.OK;
    }

    static String line(GridRun r) {
        double total = r.seconds().values().stream().mapToDouble(Double::doubleValue).sum();
        String s = String.format(Locale.ROOT, "batch %-6d ", r.batchSize());
        if (r.diverged()) {
            return s + "diverged at epoch " + r.divergence().epoch() + " (" + r.divergence().reason() + ")";
        }
        return s + "final train_loss " + Progress.num(r.finalLoss()) + ", " + Fmt.seconds(total) + " training";
    }

    /** Writes sweep.csv, sweep.png and summary.json. */
    static void write(Path dir, List<GridRun> runs, String optimizer, double lr, int epochs, ModelSpec spec,
            String title, String dataDescription) throws Exception {
        Csv csv = new Csv("batch_size", "epoch", "train_loss", "seconds");
        List<Charts.Curve> byEpoch = new ArrayList<>();
        List<Charts.Curve> byTime = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        for (GridRun r : runs) {
            double[][] c = r.curve();
            double[] t = new double[c[0].length];
            double acc = 0;
            for (int i = 0; i < c[0].length; i++) {
                Double s = r.seconds().get((int) c[0][i]);
                acc += s == null ? 0 : s;
                t[i] = acc;
                csv.add(r.batchSize(), (int) c[0][i], c[1][i], s);
            }
            String label = "batch " + r.batchSize();
            if (r.diverged()) {
                label += " (diverged)";
                notes.add("batch " + r.batchSize() + " " + r.divergence().message());
            }
            byEpoch.add(new Charts.Curve(label, c[0], c[1]));
            byTime.add(new Charts.Curve(label, t, c[1]));
        }
        csv.write(dir.resolve("sweep.csv"));
        String t = title != null ? title : String.format(Locale.ROOT, "%s, %s lr %s, %d epochs", spec.describe(),
                optimizer, Fmt.number(lr), epochs);
        Charts.savePng(dir.resolve("sweep.png"), Charts.figure(t, List.of(
                Charts.curves("train loss per epoch", "epoch", "train loss", byEpoch, true, true, notes),
                Charts.curves("train loss against training time", "seconds", "train loss", byTime, true, true,
                        List.of())), 2, 640, 500));

        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("command", "sweep");
        doc.put("data", dataDescription);
        doc.put("model", spec.describe());
        doc.put("optimizer", optimizer);
        doc.put("lr", lr);
        doc.put("epochs", epochs);
        List<Map<String, Object>> rs = new ArrayList<>();
        for (GridRun r : runs) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("batch_size", r.batchSize());
            m.put("epochs_completed", r.history().size());
            m.put("final_train_loss", r.finalLoss());
            m.put("training_seconds", r.seconds().values().stream().mapToDouble(Double::doubleValue).sum());
            m.put("diverged", r.diverged());
            m.put("divergence", r.diverged() ? r.divergence().message() : null);
            rs.add(m);
        }
        doc.put("runs", rs);
        doc.put("files", List.of("sweep.csv", "sweep.png"));
        AtomicFiles.writeString(dir.resolve("summary.json"), Json.write(doc));
    }

    @Override
    Path outputFolder() {
        return out;
    }
}
