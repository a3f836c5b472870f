package dev.descent.cli;

import dev.descent.backend.Backend;
import dev.descent.cli.io.AtomicFiles;
import dev.descent.cli.io.Csv;
import dev.descent.cli.io.Json;
import dev.descent.cli.plot.Charts;
import dev.descent.cli.plot.ConfusionChart;
import dev.descent.data.DataLoader;
import dev.descent.data.Dataset;
import dev.descent.data.DeviceDataset;
import dev.descent.data.LoaderOptions;
import dev.descent.dist.Communicator;
import dev.descent.model.Model;
import dev.descent.model.Probabilities;
import dev.descent.train.ClassificationMetrics;
import dev.descent.train.ConfusionMatrix;
import dev.descent.train.Evaluation;
import dev.descent.train.EvaluationOptions;
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
        header = "Evaluate a saved model: accuracy, precision/recall/F1, log loss, confusion matrix; or MSE, MAE, R².",
        description = {
            "Loads a model saved by 'descent train' (its folder, or model.json) and evaluates it. The model's own "
                    + "feature scaling is applied.",
            "A classifier: loss, accuracy, log loss (mean -log of the true class's probability, clipped to "
                    + "[2^-52, 1-2^-52] as scikit-learn's log_loss), top-k accuracy (--top-k), precision, recall and "
                    + "F1 macro- and support-weighted-averaged and per class, and the confusion matrix (rows: true "
                    + "class, columns: predicted). A precision or recall that divides by 0 (a class never predicted, "
                    + "or with no samples) is 0, as scikit-learn's zero_division=0; a class with neither is left out "
                    + "of the macro average.",
            "A regression model: loss, MSE, MAE and R² (averaged over the outputs).",
            "With --out DIR also writes DIR/evaluation.json, DIR/confusion.csv and DIR/confusion.png (with --data "
                    + "and --test both: confusion-test.csv and confusion-test.png for the test data).",
            ""},
        footer = {"", "Example:", "  descent evaluate --model out/train --test fashion-mnist --out out/evaluate"})
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

    @Option(names = "--top-k", paramLabel = "K",
            description = "Also report the top-K accuracy: the fraction of samples whose true class is among the K "
                    + "most probable (default: 5 for a model of more than 5 classes, else none).")
    Integer topK;

    @Mixin
    ComputeOptions compute;

    @Option(names = "--out", paramLabel = "DIR",
            description = "Also write evaluation.json, confusion.csv and confusion.png here.")
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
        if (topK != null && topK < 1) {
            throw usage("--top-k must be >= 1, got " + topK);
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
            EvaluationOptions options = EvaluationOptions.detailed();
            if (topK != null) {
                if (!m.classifier()) {
                    throw usage("--top-k applies to classifiers; " + loaded.json() + " is a regression model ("
                            + m.describe() + ")");
                }
                if (topK > m.classes()) {
                    throw usage("--top-k " + topK + " is more than the model's " + m.classes() + " classes");
                }
                options = options.withTopK(topK);
            }
            int[] labels = m.classifier() ? loaded.classLabels() : null;
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
                     Evaluator ev = new Evaluator(m, loader, Communicator.single(), options)) {
                    e = ev.evaluate();
                }
                results.add(result(which[0], which[1], e, labels));
                if (!json) {
                    print(which[1], e, labels);
                }
                if (out != null) {
                    String suffix = which[0].equals("test") && data != null ? "-test" : "";
                    if (e.confusion() != null) {
                        confusionCsv(e.confusion(), labels).write(out.resolve("confusion" + suffix + ".csv"));
                        Charts.savePng(out.resolve("confusion" + suffix + ".png"), ConfusionChart.render(
                                e.confusion(), labels, String.format(Locale.ROOT,
                                        "%s: %d samples, accuracy %.4f", which[1], e.samples(), e.accuracy())));
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

    private void print(String source, Evaluation e, int[] labels) {
        out().println("data: " + source + " (" + e.samples() + " samples)");
        if (e.classification()) {
            ConfusionMatrix c = e.confusion();
            ClassificationMetrics mt = e.metrics();
            out().printf(Locale.ROOT, "accuracy %.4f (%d of %d correct), loss %s%n", e.accuracy(), c.correct(),
                    c.total(), Progress.num(e.loss()));
            out().print("log loss " + Progress.num(e.logLoss()));
            if (e.topK() > 0) {
                out().printf(Locale.ROOT, ", top-%d accuracy %.4f", e.topK(), e.topKAccuracy());
            }
            out().println();
            out().printf(Locale.ROOT, "macro     precision %.4f  recall %.4f  F1 %.4f  (over %d classes)%n",
                    mt.macroPrecision(), mt.macroRecall(), mt.macroF1(), mt.averagedClasses());
            out().printf(Locale.ROOT, "weighted  precision %.4f  recall %.4f  F1 %.4f  (by support)%n",
                    mt.weightedPrecision(), mt.weightedRecall(), mt.weightedF1());
            out().print(perClassTable(mt, labels));
            List<String> notes = zeroDivisionNotes(mt, labels);
            if (!notes.isEmpty()) {
                out().println("0 by definition (scikit-learn's zero_division=0): " + String.join("; ", notes));
            }
            out().println("confusion matrix (rows: true class, columns: predicted class):");
            out().print(c.format(labels));
        } else {
            out().printf(Locale.ROOT, "MSE %s, MAE %s, R² %s, loss %s%n", Progress.num(e.mse()), Progress.num(e.mae()),
                    Progress.num(e.r2()), Progress.num(e.loss()));
        }
        out().flush();
    }

    /** The per-class table: class, precision, recall, F1, support (and how often the class was predicted). */
    static String perClassTable(ClassificationMetrics mt, int[] labels) {
        int w = "class".length();
        for (int l : labels) {
            w = Math.max(w, Integer.toString(l).length());
        }
        StringBuilder sb = new StringBuilder();
        String row = "%" + w + "s  %9s  %9s  %9s  %9s  %9s%n";
        sb.append(String.format(Locale.ROOT, row, "class", "precision", "recall", "F1", "support", "predicted"));
        for (int c = 0; c < mt.classes(); c++) {
            sb.append(String.format(Locale.ROOT, row, labels[c], fixed(mt.precision(c)), fixed(mt.recall(c)),
                    fixed(mt.f1(c)), mt.support(c), mt.predicted(c)));
        }
        return sb.toString();
    }

    private static String fixed(double v) {
        return String.format(Locale.ROOT, "%.4f", v);
    }

    /** "class 9: no samples and never predicted", ... for the classes whose metrics are 0 by definition. */
    static List<String> zeroDivisionNotes(ClassificationMetrics mt, int[] labels) {
        List<String> notes = new ArrayList<>();
        for (int c = 0; c < mt.classes(); c++) {
            String why = mt.zeroDivision(c);
            if (why != null) {
                notes.add("class " + labels[c] + ": " + why + switch (why) {
                    case "no samples" -> " (recall 0)";
                    case "never predicted" -> " (precision 0)";
                    default -> " (precision, recall, F1 0; not in the macro average)";
                });
            }
        }
        return notes;
    }

    static Map<String, Object> result(String split, String source, Evaluation e, int[] labels) {
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
            ClassificationMetrics mt = e.metrics();
            r.put("log_loss", e.logLoss());
            r.put("log_loss_eps", Probabilities.LOG_LOSS_EPSILON);
            if (e.topK() > 0) {
                r.put("top_k", e.topK());
                r.put("top_k_accuracy", e.topKAccuracy());
            }
            r.put("precision_macro", mt.macroPrecision());
            r.put("recall_macro", mt.macroRecall());
            r.put("f1_macro", mt.macroF1());
            r.put("precision_weighted", mt.weightedPrecision());
            r.put("recall_weighted", mt.weightedRecall());
            r.put("f1_weighted", mt.weightedF1());
            r.put("macro_classes", mt.averagedClasses());
            List<Map<String, Object>> perClass = new ArrayList<>();
            for (int k = 0; k < mt.classes(); k++) {
                Map<String, Object> pc = new LinkedHashMap<>();
                pc.put("class", labels[k]);
                pc.put("precision", mt.precision(k));
                pc.put("recall", mt.recall(k));
                pc.put("f1", mt.f1(k));
                pc.put("support", mt.support(k));
                pc.put("predicted", mt.predicted(k));
                perClass.add(pc);
            }
            r.put("per_class", perClass);
            r.put("zero_division", zeroDivisionNotes(mt, labels));
            if (!isIdentity(labels)) {
                r.put("class_labels", labels);
            }
        } else {
            r.put("mse", e.mse());
            r.put("mae", e.mae());
            r.put("r2", e.r2());
        }
        return r;
    }

    private static boolean isIdentity(int[] labels) {
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] != i) {
                return false;
            }
        }
        return true;
    }

    /** {@code true_class,predicted_<label>,...}: one row per true class, each class named by its label. */
    static Csv confusionCsv(ConfusionMatrix c, int[] labels) {
        List<String> header = new ArrayList<>();
        header.add("true_class");
        for (int p = 0; p < c.classes(); p++) {
            header.add("predicted_" + labels[p]);
        }
        Csv csv = new Csv(header);
        for (int t = 0; t < c.classes(); t++) {
            Object[] row = new Object[c.classes() + 1];
            row[0] = labels[t];
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
