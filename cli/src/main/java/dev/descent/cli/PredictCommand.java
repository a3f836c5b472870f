package dev.descent.cli;

import dev.descent.backend.Backend;
import dev.descent.backend.Tensor;
import dev.descent.cli.io.AtomicFiles;
import dev.descent.cli.io.Csv;
import dev.descent.data.DataFormatException;
import dev.descent.data.SafeText;
import dev.descent.data.io.DataOptions;
import dev.descent.data.io.DataSources;
import dev.descent.data.io.RowReader;
import dev.descent.model.Model;
import dev.descent.model.Probabilities;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code descent predict}: a saved model's predictions for every row of a data file, streamed into a CSV file. */
@Command(name = "predict", mixinStandardHelpOptions = true, sortOptions = false,
        header = "Predict with a saved model: a CSV of predicted classes and class probabilities, or values.",
        description = {
            "Loads a model saved by 'descent train' (its folder, or model.json), applies its feature scaling and "
                    + "writes DIR/predictions.csv with one line per row of --data, in the file's order:",
            "  classifier:  row,predicted,p_<class>,...   (the predicted class and each class's probability: the "
                    + "softmax of the logits; for logistic regression p_0,p_1)",
            "  regression:  row,prediction                (one prediction_<target> column per target when the model "
                    + "has several outputs)",
            "row counts the data rows from 0. Rows are read, predicted and written --batch-size at a time, so a file "
                    + "of any length fits in memory. The data need no labels: a CSV file without the label column "
                    + "(the model's training --label-column, default label), or an IDX images file without a labels "
                    + "file. When the labels are there, the accuracy (or MSE) is printed too.",
            "predictions.csv appears complete or not at all: it is written to a temporary file and renamed at the end.",
            ""},
        footer = {"", "Example:",
            "  descent predict --model out/train --data new-images-idx3-ubyte.gz --out out/predict"})
final class PredictCommand extends BaseCommand {
    /** The file predict writes into its --out folder. */
    static final String FILE = "predictions.csv";

    @Option(names = "--model", paramLabel = "PATH", required = true,
            description = "The model: the output folder of 'descent train', or its model.json.")
    Path model;

    @Option(names = "--data", paramLabel = "FILE", required = true,
            description = "The rows to predict: a CSV file with a header, or an IDX images file (plain or .gz), "
                    + "with or without labels.")
    String data;

    @Option(names = "--label-column", paramLabel = "NAME",
            description = "CSV column holding the label (or, for a regression model, the comma-separated target "
                    + "columns), left out of the features when present (default: the one the model was trained with, "
                    + "else label or target). Given explicitly, the column must be there.")
    String labelColumn;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "1024",
            description = "Rows read, predicted and written at a time (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Mixin
    ComputeOptions compute;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "out/predict",
            description = "Output folder for " + FILE + " (default: ${DEFAULT-VALUE}).")
    Path out;

    @Override
    int run() throws Exception {
        if (batchSize < 1) {
            throw usage("--batch-size must be >= 1, got " + batchSize);
        }
        if (data == null || data.isBlank()) {
            throw usage("--data must not be empty");
        }
        Converters.checkPath(data, "--data");
        compute.validate();
        if (!Files.exists(model)) {
            throw new NoSuchFileException(model.toString(), null,
                    "no such model (give the folder a 'descent train' run wrote, or its model.json)");
        }
        Path file = Path.of(data);
        if (!Files.exists(file)) {
            throw new NoSuchFileException(data, null, Engine.isNamed(data)
                    ? "predict reads a CSV or IDX file; for a named data set's test split use 'descent evaluate'"
                    : "no such file");
        }
        try (Backend backend = Engine.backend(compute, this::note, common.verbose).backend();
             ModelFiles.Loaded loaded = ModelFiles.load(model, backend)) {
            Model m = loaded.model();
            note("model: " + m.describe() + " from " + loaded.json());
            long widest = Math.max(m.inputs(), Math.max(m.outputs(), Arrays.stream(m.spec().widths()).max()
                    .orElse(1)));
            if ((long) batchSize * widest > Engine.MAX_ARRAY) {
                throw usage("--batch-size " + batchSize + ": a batch of " + batchSize + " rows of the " + m.describe()
                        + " model would need arrays of " + (long) batchSize * widest + " elements, more than an array "
                        + "holds (" + Engine.MAX_ARRAY + "); use a smaller batch");
            }
            String columns = labelColumn != null ? labelColumn : loaded.labelColumn();
            DataOptions options = DataOptions.defaults();
            List<String> targets = List.of();
            if (m.classifier()) {
                if (columns != null) {
                    options = options.withLabelColumn(columns);
                }
                options = options.withClasses(m.classes());
            } else {
                targets = Arrays.stream((columns != null ? columns : "target").split(",")).map(String::trim)
                        .filter(s -> !s.isEmpty()).toList();
                if (targets.isEmpty()) {
                    throw usage("--label-column: no target column named in '" + SafeText.of(columns) + "'");
                }
                options = options.withTargetColumns(targets);
            }
            try (RowReader rows = DataSources.openRows(file, options, labelColumn == null)) {
                check(rows, m, options, targets);
                Result r = predict(rows, m, loaded, targets, out.resolve(FILE));
                report(r, rows, m);
            }
        }
        return ExitCodes.OK;
    }

    /** Refuses data whose shape does not fit the model, naming the file and what differs. */
    private void check(RowReader rows, Model m, DataOptions options, List<String> targets) {
        if (rows.featureCount() != m.inputs()) {
            String why = "";
            boolean unlabelled = m.classifier() ? !rows.hasLabels() : rows.targetCount() == 0;
            if (unlabelled && rows.featureCount() == m.inputs() + (m.classifier() ? 1 : targets.size())) {
                why = " (no " + (m.classifier() ? "label column '" + SafeText.of(options.csvOptions().labelColumn())
                        + "'" : "target column " + SafeText.of(String.join(",", targets))) + " was found, so every "
                        + "column was taken for a feature; name it with --label-column)";
            }
            throw usage(rows.source() + " has " + rows.featureCount() + " features per row; the model takes "
                    + m.inputs() + why);
        }
        if (!m.classifier() && rows.targetCount() != 0 && rows.targetCount() != m.outputs()) {
            throw usage(rows.source() + " has " + rows.targetCount() + " target columns; the model predicts "
                    + m.outputs());
        }
    }

    /** What the rows came to: their count, and the correct predictions (or squared errors) where labels were there. */
    private record Result(long rows, long correct, double squaredError, Path file) {
    }

    private Result predict(RowReader rows, Model m, ModelFiles.Loaded loaded, List<String> targets, Path target)
            throws IOException {
        Backend backend = m.backend();
        int d = m.inputs();
        int width = m.outputs();
        boolean classifier = m.classifier();
        int classes = classifier ? Math.max(2, width) : 0;
        int[] labelNames = classifier ? loaded.classLabels() : null;
        int batch = batchSize;
        float[] x = new float[Math.multiplyExact(batch, d)];
        int[] labels = rows.hasLabels() ? new int[batch] : null;
        float[] y = rows.targetCount() > 0 ? new float[Math.multiplyExact(batch, rows.targetCount())] : null;
        float[] outputs = new float[Math.multiplyExact(batch, width)];
        int[] predicted = new int[batch];
        double[] p = new double[Math.max(classes, 1)];
        Tensor[] features = new Tensor[2];
        Tensor[] classesOut = new Tensor[2];
        long n = 0;
        long correct = 0;
        double squaredError = 0;
        try (dev.descent.model.AtomicFiles.Pending file = AtomicFiles.open(target)) {
            Writer w = new OutputStreamWriter(file.out(), StandardCharsets.UTF_8);
            emit(w, String.join(",", header(m, labelNames, targets)) + "\n", target);
            StringBuilder line = new StringBuilder(64 + 16 * width);
            for (int got; (got = rows.read(x, labels, y, batch)) > 0; ) {
                loaded.transform().applyInPlace(x, got, d, rows.source());
                int slot = got == batch ? 0 : 1;
                if (features[slot] == null || features[slot].rows() != got) {
                    if (features[slot] != null) {
                        features[slot].close();
                        classesOut[slot].close();
                    }
                    features[slot] = backend.allocate(got, d);
                    classesOut[slot] = classifier ? backend.allocateInt(got) : null;
                }
                backend.upload(x, 0, features[slot]);
                Tensor o = m.forward(features[slot]);
                backend.download(o, outputs, 0);
                if (classifier) {
                    m.classify(o, classesOut[slot]);
                    backend.downloadInt(classesOut[slot], predicted, 0);
                }
                for (int i = 0; i < got; i++) {
                    line.setLength(0);
                    line.append(n + i);
                    if (classifier) {
                        line.append(',').append(labelNames[predicted[i]]);
                        Probabilities.of(outputs, i * width, width, p);
                        for (int c = 0; c < classes; c++) {
                            line.append(',').append(Csv.format((float) p[c]));
                        }
                        if (labels != null && labels[i] == predicted[i]) {
                            correct++;
                        }
                    } else {
                        for (int j = 0; j < width; j++) {
                            float v = outputs[i * width + j];
                            line.append(',').append(Csv.format(v));
                            if (y != null) {
                                double e = v - (double) y[i * width + j];
                                squaredError += e * e;
                            }
                        }
                    }
                    line.append('\n');
                    emit(w, line, target);
                }
                n += got;
            }
            if (n == 0) {
                throw new DataFormatException(rows.source(), null, "no data rows to predict");
            }
            try {
                w.flush();
                file.commit();
            } catch (IOException e) {
                throw cannotWrite(target, e);
            }
        } finally {
            for (int i = 0; i < 2; i++) {
                if (features[i] != null) {
                    features[i].close();
                }
                if (classesOut[i] != null) {
                    classesOut[i].close();
                }
            }
        }
        return new Result(n, correct, squaredError, target);
    }

    private static void emit(Writer w, CharSequence text, Path target) throws IOException {
        try {
            w.append(text);
        } catch (IOException e) {
            throw cannotWrite(target, e);
        }
    }

    /** A write error (a full disk) naming the file being written; the temporary file is then removed. */
    private static IOException cannotWrite(Path target, IOException e) {
        String m = e.getMessage();
        if (m != null && m.contains(target.toString())) {
            return e;
        }
        return new IOException("cannot write " + target + ": " + (m == null ? e.getClass().getSimpleName() : m), e);
    }

    /** {@code row,predicted,p_<label>...}, {@code row,prediction} or {@code row,prediction_<target>...}. */
    static List<String> header(Model m, int[] labelNames, List<String> targets) {
        List<String> h = new ArrayList<>();
        h.add("row");
        if (m.classifier()) {
            h.add("predicted");
            for (int c = 0; c < Math.max(2, m.outputs()); c++) {
                h.add("p_" + labelNames[c]);
            }
        } else if (m.outputs() == 1) {
            h.add("prediction");
        } else {
            boolean named = targets.size() == m.outputs() && targets.stream().noneMatch(t -> t.matches("\\d+"));
            for (int j = 0; j < m.outputs(); j++) {
                h.add(Csv.format("prediction_" + (named ? targets.get(j) : Integer.toString(j))));
            }
        }
        return h;
    }

    private void report(Result r, RowReader rows, Model m) {
        out().println("predictions: " + r.rows() + " rows of " + rows.source() + " -> " + r.file());
        if (m.classifier() && rows.hasLabels()) {
            out().printf(Locale.ROOT, "accuracy %.4f (%d of %d correct; the file has labels)%n",
                    (double) r.correct() / r.rows(), r.correct(), r.rows());
        } else if (!m.classifier() && rows.targetCount() > 0) {
            out().println("MSE " + Progress.num(r.squaredError() / ((double) r.rows() * m.outputs()))
                    + " (the file has targets)");
        }
        out().flush();
    }

    @Override
    Path outputFolder() {
        return out;
    }
}
