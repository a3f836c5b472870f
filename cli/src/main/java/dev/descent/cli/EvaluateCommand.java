package dev.descent.cli;

import dev.descent.backend.Backend;
import dev.descent.cli.io.AtomicFiles;
import dev.descent.cli.io.Csv;
import dev.descent.cli.io.Json;
import dev.descent.data.DataLoader;
import dev.descent.data.Dataset;
import dev.descent.data.DeviceDataset;
import dev.descent.data.LoaderOptions;
import dev.descent.dist.Communicator;
import dev.descent.model.Model;
import dev.descent.train.ConfusionMatrix;
import dev.descent.train.Evaluation;
import dev.descent.train.Evaluator;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code descent evaluate}: a saved model on a data set. */
@Command(name = "evaluate", mixinStandardHelpOptions = true, sortOptions = false,
        header = "Evaluate a saved model: accuracy and confusion matrix, or MSE and MAE.",
        description = {
            "Loads a model saved by 'descent train' (its folder, or model.json) and evaluates it: loss, accuracy and "
                    + "the confusion matrix (rows: true class, columns: predicted) for a classifier, MSE and MAE for "
                    + "a regression model. The model's own feature scaling is applied.",
            "With --out DIR also writes DIR/evaluation.json and DIR/confusion.csv.",
            ""},
        footer = {"", "Example:", "  descent evaluate --model out/train --test fashion-mnist"})
final class EvaluateCommand extends BaseCommand {
    @Option(names = "--model", paramLabel = "PATH", required = true,
            description = "The model: the output folder of 'descent train', or its model.json.")
    Path model;

    @Option(names = "--data", paramLabel = "SOURCE",
            description = "Data to evaluate on: a CSV or IDX file, or a named data set (its training split).")
    String data;

    @Option(names = "--test", paramLabel = "SOURCE",
            description = "Data to evaluate on: a file, or a named data set (its test split).")
    String test;

    @Option(names = "--label-column", paramLabel = "NAME",
            description = "CSV column holding the label or, for a regression model, the target (default: label, "
                    + "target).")
    String labelColumn;

    @Option(names = "--limit", paramLabel = "N", description = "Evaluate on the first N samples only.")
    Integer limit;

    @Mixin
    ComputeOptions compute;

    @Option(names = "--out", paramLabel = "DIR", description = "Also write evaluation.json and confusion.csv here.")
    Path out;

    @Option(names = "--json", description = "Print the evaluation as JSON on standard output.")
    boolean json;

    @Override
    int run() throws Exception {
        if (data == null && test == null) {
            throw usage("give the data to evaluate on: --data SOURCE or --test SOURCE");
        }
        if (limit != null && limit < 1) {
            throw usage("--limit must be >= 1, got " + limit);
        }
        Converters.checkPath(data, "--data");
        Converters.checkPath(test, "--test");
        compute.validate();
        if (!java.nio.file.Files.exists(model)) {
            throw new java.nio.file.NoSuchFileException(model.toString(), null,
                    "no such model (give the folder a 'descent train' run wrote, or its model.json)");
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        List<Map<String, Object>> results = new ArrayList<>();
        try (Backend backend = Engine.backend(compute, this::note, common.verbose).backend();
             ModelFiles.Loaded loaded = ModelFiles.load(model, backend)) {
            Model m = loaded.model();
            note("model: " + m.describe() + " from " + loaded.json());
            doc.put("model", loaded.json().toString());
            doc.put("description", m.describe());
            for (String[] which : new String[][] {{"data", data}, {"test", test}}) {
                if (which[1] == null) {
                    continue;
                }
                Dataset ds = read(which[0], which[1], m);
                ds = loaded.transform().apply(ds);
                if (limit != null) {
                    ds = Engine.limit(ds, limit);
                }
                Evaluation e;
                try (DeviceDataset dd = ds.upload(backend);
                     DataLoader loader = new DataLoader(dd,
                             LoaderOptions.batches(Math.min(1024, ds.samples())).withShuffle(false));
                     Evaluator ev = new Evaluator(m, loader, Communicator.single())) {
                    e = ev.evaluate();
                }
                results.add(result(which[0], which[1], e));
                if (!json) {
                    print(which[1], e);
                }
                if (out != null) {
                    String suffix = which[0].equals("test") && data != null ? "-test" : "";
                    if (e.confusion() != null) {
                        confusionCsv(e.confusion()).write(out.resolve("confusion" + suffix + ".csv"));
                    }
                }
            }
        }
        doc.put("results", results);
        String text = Json.write(doc);
        if (out != null) {
            AtomicFiles.writeString(out.resolve("evaluation.json"), text);
        }
        if (json) {
            out().print(text);
        }
        return ExitCodes.OK;
    }

    private Dataset read(String split, String source, Model m) throws Exception {
        DataOptions d = new DataOptions();
        d.scale = "none";
        d.labelColumn = labelColumn;
        if (split.equals("data")) {
            d.data = source;
        } else {
            d.data = source;
            d.test = source;
        }
        ModelOptions mo = new ModelOptions();
        mo.model = m.classifier() ? "softmax" : "linear";
        Engine.Data loaded;
        if (split.equals("test") && Engine.isNamed(source)) {
            loaded = Engine.loadData(d, Engine.regressionTargets(mo, d), this::note);
        } else {
            d.test = null;
            if (m.classifier()) {
                d.classes = m.classes() == 2 && m.outputs() == 1 ? null : m.classes();
            }
            loaded = Engine.loadData(d, Engine.regressionTargets(mo, d), this::note);
        }
        Dataset ds = split.equals("test") && loaded.test() != null ? loaded.test() : loaded.train();
        if (ds.featureCount() != m.inputs()) {
            throw usage(source + " has " + ds.featureCount() + " features; the model takes " + m.inputs());
        }
        if (m.classifier()) {
            if (!ds.isClassification()) {
                throw usage(source + " has no class labels; the model is a classifier");
            }
            if (ds.classes() > m.classes()) {
                throw usage(source + " has labels up to " + (ds.classes() - 1) + "; the model knows " + m.classes()
                        + " classes");
            }
            if (ds.classes() != m.classes()) {
                ds = ds.withClasses(m.classes());
            }
        } else if (ds.isClassification() || ds.targetCount() != m.outputs()) {
            throw usage(source + " does not have the model's " + m.outputs() + " target column(s)");
        }
        return ds;
    }

    private void print(String source, Evaluation e) {
        out().println("data: " + source + " (" + e.samples() + " samples)");
        if (e.classification()) {
            ConfusionMatrix c = e.confusion();
            out().printf(Locale.ROOT, "accuracy %.4f (%d of %d correct), loss %s%n", e.accuracy(), c.correct(),
                    c.total(), Progress.num(e.loss()));
            out().println("confusion matrix (rows: true class, columns: predicted class):");
            out().print(c.format());
        } else {
            out().printf(Locale.ROOT, "MSE %s, MAE %s, loss %s%n", Progress.num(e.mse()), Progress.num(e.mae()),
                    Progress.num(e.loss()));
        }
        out().flush();
    }

    static Map<String, Object> result(String split, String source, Evaluation e) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("split", split);
        r.put("source", source);
        r.put("samples", e.samples());
        r.put("loss", e.loss());
        if (e.classification()) {
            r.put("accuracy", e.accuracy());
            ConfusionMatrix c = e.confusion();
            List<long[]> rows = new ArrayList<>();
            for (int t = 0; t < c.classes(); t++) {
                long[] row = new long[c.classes()];
                for (int p = 0; p < c.classes(); p++) {
                    row[p] = c.count(t, p);
                }
                rows.add(row);
            }
            r.put("confusion", rows);
        } else {
            r.put("mse", e.mse());
            r.put("mae", e.mae());
        }
        return r;
    }

    /** {@code true_class,predicted_0,...}: one row per true class. */
    static Csv confusionCsv(ConfusionMatrix c) {
        List<String> header = new ArrayList<>();
        header.add("true_class");
        for (int p = 0; p < c.classes(); p++) {
            header.add("predicted_" + p);
        }
        Csv csv = new Csv(header);
        for (int t = 0; t < c.classes(); t++) {
            Object[] row = new Object[c.classes() + 1];
            row[0] = t;
            for (int p = 0; p < c.classes(); p++) {
                row[p + 1] = c.count(t, p);
            }
            csv.add(row);
        }
        return csv;
    }

    @Override
    Path outputFolder() {
        return out;
    }
}
