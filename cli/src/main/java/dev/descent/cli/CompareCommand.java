package dev.descent.cli;

import dev.descent.backend.Backend;
import dev.descent.cli.io.AtomicFiles;
import dev.descent.cli.io.Csv;
import dev.descent.cli.io.Json;
import dev.descent.cli.plot.Charts;
import dev.descent.data.DeviceDataset;
import dev.descent.model.ModelSpec;
import dev.descent.optim.Optimizers;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jfree.chart.JFreeChart;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code descent compare}: the lecture's optimizer × learning-rate grid. */
@Command(name = "compare", mixinStandardHelpOptions = true, sortOptions = false,
        header = "The optimizer × learning-rate grid: compare.csv and a panel per optimizer.",
        description = {
            "Trains the same model from the same start with each optimizer at each learning rate (the lecture's grid: "
                    + "sgd, momentum, adam × lr 1e-6, 2e-5, 200 full-batch epochs of softmax regression from zero "
                    + "on raw pixels) and writes, into --out DIR:",
            "  compare.csv   optimizer,lr,epoch,train_loss  (a run that diverged ends with its non-finite loss)",
            "  compare.png   one panel per optimizer, a loss curve per learning rate (log-log)",
            "  summary.json  settings and each run's final loss and divergence",
            "Divergence is a result here: the exit status is 0.",
            ""},
        footer = {"", "Example:",
            "  descent compare --data sign-language-mnist --optimizers sgd,momentum,adam --lrs 1e-6,2e-5 --epochs 200 "
                    + "--full-batch"})
final class CompareCommand extends BaseCommand {
    @Mixin
    DataOptions data;

    @Mixin
    ModelOptions model;

    @Option(names = "--optimizers", paramLabel = "NAME,NAME,...", split = ",", hideParamSyntax = true,
            converter = Converters.Name.class,
            defaultValue = "sgd,momentum,adam",
            description = "Optimizers to compare (default: ${DEFAULT-VALUE}); one of " + OptimizerSettings.NAMES + ".")
    List<String> optimizers;

    @Option(names = "--lrs", paramLabel = "LR,LR,...", split = ",", hideParamSyntax = true,
            converter = Converters.Finite.class,
            defaultValue = "1e-6,2e-5", description = "Learning rates (default: ${DEFAULT-VALUE}).")
    List<Double> lrs;

    @Mixin
    BatchOptions batch;

    @Mixin
    RunOptions runOptions;

    @Mixin
    OptimizerSettings settings;

    @Mixin
    ComputeOptions compute;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "out/compare",
            description = "Output folder (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--title", paramLabel = "TEXT", description = "Figure title.")
    String title;

    static final int DEFAULT_EPOCHS = 200;

    @Override
    int run() throws Exception {
        data.validate();
        model.validate();
        batch.validate();
        int epochs = runOptions.epochs(DEFAULT_EPOCHS);
        int batchSize = batch.batchSize(0);
        List<String> names = optimizers.stream().distinct().toList();
        if (names.isEmpty() || lrs.isEmpty()) {
            throw usage("--optimizers and --lrs must not be empty");
        }
        for (double lr : lrs) {
            if (lr < 0) {
                throw usage("--lrs: a learning rate must be >= 0, got " + Fmt.number(lr));
            }
        }
        for (String n : names) {
            for (double lr : lrs) {
                Engine.optimizer(n, lr, settings);
            }
        }
        compute.validate();
        if (batchSize != 0) {
            names.stream().filter(Optimizers::needsClosure).findFirst()
                    .ifPresent(n -> note(TrainCommand.lbfgsMinibatchNote(n)));
        }
        if (data.test != null) {
            note("note: %s reports the training loss only; --test is not used".formatted("compare"));
            data.test = null;
        }
        Engine.Data d = Engine.loadData(data, Engine.regressionTargets(model, data), this::note);
        note(d.description());
        ModelSpec spec = Engine.modelSpec(model, d.train(), runOptions.seed, data.classes);
        note("model: " + spec.describe() + "; batch " + (batchSize == 0 ? "full" : batchSize) + ", " + epochs
                + " epochs; " + names.size() * lrs.size() + " runs");
        List<GridRun> runs = new ArrayList<>();
        Progress.Mode mode = Progress.detect(common.quiet);
        Engine.hintWorkload(spec, batchSize);
        try (Backend backend = Engine.fitting(Engine.backend(compute, this::note, common.verbose).backend(), spec,
                    model, data.classes, batch.describe(0), BatchOptions.rows(batchSize, d.train().samples()));
             DeviceDataset train = d.train().upload(backend)) {
            for (String n : names) {
                for (double lr : lrs) {
                    Progress p = new Progress(err(), mode, n + " lr " + Fmt.number(lr)).epochLines(false);
                    GridRun r = GridRun.train(train, spec, n, Engine.optimizer(n, lr, settings), lr, batchSize,
                            epochs, runOptions.seed, !runOptions.noShuffle, p);
                    runs.add(r);
                    note(line(r));
                }
            }
        } catch (GridRun.InterruptedRun e) {
            err().println("descent compare: interrupted; nothing written");
            return ExitCodes.INTERRUPTED;
        }
        write(out, runs, names, lrs, epochs, batchSize, spec, title, d.description());
        for (GridRun r : runs) {
            out().println(line(r));
        }
        note("wrote " + out.resolve("compare.csv") + " and " + out.resolve("compare.png"));
        return ExitCodes.OK;
    }

    static String line(GridRun r) {
        String s = String.format(Locale.ROOT, "%-12s lr %-8s ", r.optimizer(), Fmt.number(r.lr()));
        if (r.diverged()) {
            return s + "diverged at epoch " + r.divergence().epoch() + " (" + r.divergence().reason() + ")";
        }
        return s + "final train_loss " + Progress.num(r.finalLoss());
    }

    /** Writes compare.csv, compare.png and summary.json. */
    static void write(Path dir, List<GridRun> runs, List<String> names, List<Double> lrs, int epochs, int batchSize,
            ModelSpec spec, String title, String dataDescription) throws Exception {
        Csv csv = new Csv("optimizer", "lr", "epoch", "train_loss");
        for (GridRun r : runs) {
            double[][] c = r.curve();
            for (int i = 0; i < c[0].length; i++) {
                csv.add(r.optimizer(), r.lr(), (int) c[0][i], c[1][i]);
            }
        }
        csv.write(dir.resolve("compare.csv"));
        List<JFreeChart> panels = new ArrayList<>();
        for (String n : names) {
            List<Charts.Curve> curves = new ArrayList<>();
            List<String> notes = new ArrayList<>();
            for (GridRun r : runs) {
                if (!r.optimizer().equals(n)) {
                    continue;
                }
                double[][] c = r.curve();
                String label = "lr " + Fmt.number(r.lr());
                if (r.diverged()) {
                    label += " (diverged at epoch " + r.divergence().epoch() + ")";
                    notes.add("lr " + Fmt.number(r.lr()) + " diverged at epoch " + r.divergence().epoch() + ": "
                            + r.divergence().reason());
                }
                curves.add(new Charts.Curve(label, c[0], c[1]));
            }
            panels.add(Charts.curves(n, "epoch", "train loss", curves, true, true, notes));
        }
        int cols = Charts.columns(panels.size(), 3); // any number of optimizers: the grid grows about square
        String t = title != null ? title : String.format(Locale.ROOT, "%s, batch %s, %d epochs", spec.describe(),
                batchSize == 0 ? "full" : Integer.toString(batchSize), epochs);
        Charts.savePng(dir.resolve("compare.png"), Charts.figure(t, panels, cols, 560, 480));

        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("command", "compare");
        doc.put("data", dataDescription);
        doc.put("model", spec.describe());
        doc.put("batch_size", batchSize == 0 ? null : batchSize);
        doc.put("full_batch", batchSize == 0);
        doc.put("epochs", epochs);
        doc.put("optimizers", names);
        doc.put("lrs", lrs);
        List<Map<String, Object>> rs = new ArrayList<>();
        for (GridRun r : runs) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("optimizer", r.optimizer());
            m.put("lr", r.lr());
            m.put("settings", r.optimizerSettings());
            m.put("epochs_completed", r.history().size());
            m.put("final_train_loss", r.finalLoss());
            m.put("diverged", r.diverged());
            m.put("diverged_at_epoch", r.diverged() ? r.divergence().epoch() : null);
            m.put("divergence", r.diverged() ? r.divergence().message() : null);
            rs.add(m);
        }
        doc.put("runs", rs);
        doc.put("files", List.of("compare.csv", "compare.png"));
        AtomicFiles.writeString(dir.resolve("summary.json"), Json.write(doc));
    }

    @Override
    Path outputFolder() {
        return out;
    }
}
