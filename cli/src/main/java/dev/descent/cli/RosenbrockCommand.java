package dev.descent.cli;

import dev.descent.backend.Backend;
import dev.descent.cli.io.AtomicFiles;
import dev.descent.cli.io.Csv;
import dev.descent.cli.io.Json;
import dev.descent.cli.plot.Charts;
import dev.descent.model.AtomicFiles.Pending;
import dev.descent.objective.ObjectiveMinimizer;
import dev.descent.objective.Rosenbrock;
import dev.descent.objective.RunSummary;
import dev.descent.objective.TrajectoryObserver;
import dev.descent.objective.TrajectorySample;
import dev.descent.optim.Optimizers;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
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

/** {@code descent rosenbrock}: one optimizer (or several) on the lecture's Rosenbrock function. */
@Command(name = "rosenbrock", mixinStandardHelpOptions = true, sortOptions = false,
        header = "Run optimizers on the lecture's Rosenbrock function: trajectory CSV and figure.",
        description = {
            "Minimises the lecture's Rosenbrock function R(w1,w2) = (1−w1)² + 10(w2−w1²)² from (0, 1) with one "
                    + "optimizer, or several with --compare, and draws the path over contours of log(R+1) and the "
                    + "loss on log-log axes.",
            "",
            "Writes DIR/trajectory.csv (step,w1,w2,loss; step 0 is the start, row k the parameters after k steps and "
                    + "R there, non-finite values as NaN/Infinity), DIR/rosenbrock.png and DIR/summary.json. With "
                    + "--compare: DIR/trajectory-<name>.csv for each optimizer and one figure with a panel each.",
            "Divergence is a result (shown in the figure and the CSV), not an error: the exit status is 0.",
            "The CSV files are written while the optimizers run, so a long run needs disk space, not memory; the "
                    + "figure shows every step of runs up to 10,000 steps and an even sample of longer ones. Ctrl-C "
                    + "stops a run and leaves no files.",
            ""},
        footer = {"", "Examples:",
            "  descent rosenbrock --optimizer adam --lr 0.04 --epochs 1000 --out out/r1",
            "  descent rosenbrock --compare sgd,momentum,adam --lr 0.04     (the lecture: sgd stalls, momentum "
                    + "diverges, adam converges)"})
final class RosenbrockCommand extends BaseCommand {
    @Option(names = "--optimizer", paramLabel = "NAME", converter = Converters.Name.class,
            description = "Optimizer: " + OptimizerSettings.NAMES + ".")
    String optimizer;

    @Option(names = "--compare", paramLabel = "NAME,NAME,...", split = ",", hideParamSyntax = true,
            converter = Converters.Name.class,
            description = "Run several optimizers at the same learning rate and draw the lecture's comparison figure.")
    List<String> compare;

    @Option(names = "--lr", paramLabel = "LR", converter = Converters.Finite.class,
            description = "Learning rate (default 0.04, the lecture's).")
    Double lr;

    @Mixin
    OptimizerSettings settings;

    @Option(names = "--epochs", paramLabel = "N", defaultValue = "1000",
            description = "Optimizer steps (default: ${DEFAULT-VALUE}); an lbfgs step is up to --max-iter "
                    + "iterations.")
    int epochs;

    @Option(names = "--start", paramLabel = "W1,W2", converter = Converters.Pair.class,
            description = "Starting point (default 0,1, the lecture's).")
    Converters.NumberPair start;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "out/rosenbrock",
            description = "Output folder (default: ${DEFAULT-VALUE}).")
    Path out;

    @Mixin
    ComputeOptions compute;

    /**
     * One optimizer's run: how it ended, a bounded sample of its path (for the figure), and the first step whose point
     * lies outside the plotted square (−1 if none).
     */
    record Run(String name, double lr, RunSummary result, TrajectorySample sample, int leftPlotAt,
            Map<String, Double> settings) {
    }

    @Override
    int run() throws Exception {
        double rate = lr != null ? lr : 0.04;
        if (rate < 0) {
            throw usage("--lr must be >= 0, got " + lr);
        }
        if (epochs < 0) {
            throw usage("--epochs must be >= 0, got " + epochs);
        }
        List<String> names;
        if (compare != null && !compare.isEmpty()) {
            if (optimizer != null) {
                throw usage("give either --optimizer NAME or --compare NAME,NAME,..., not both");
            }
            names = compare.stream().distinct().toList();
        } else if (optimizer != null) {
            names = List.of(optimizer);
        } else {
            throw usage("missing --optimizer NAME (one of " + OptimizerSettings.NAMES + ") or --compare LIST");
        }
        float[] w0 = start == null ? new float[] {0f, 1f} : new float[] {(float) start.first(), (float) start.second()};
        compute.validate();
        // Validate every optimizer's settings before running anything.
        for (String n : names) {
            optimizerBuilder(n, rate);
        }
        boolean compared = names.size() > 1;
        List<Run> runs = new ArrayList<>();
        // The trajectories are streamed to temporary files while the optimizers run (a long run's rows do not fit in
        // memory), and renamed into place together once every run is done; a failure or Ctrl-C removes them.
        List<Pending> files = new ArrayList<>();
        Interrupts.setGraceful(true);
        try {
            AtomicFiles.removeStaleTemporaries(out); // what a killed run left
            try (Backend backend = Engine.backend(compute, this::note, common.verbose).backend()) {
                for (String n : names) {
                    Pending file = AtomicFiles.open(out.resolve(csvName(n, compared)));
                    files.add(file);
                    runs.add(run(backend, n, rate, w0, file.out()));
                }
            }
            write(out, runs, files, w0, epochs, compared);
        } catch (Stopped e) {
            note("stopped at step " + e.step + " of " + e.name + "; nothing written");
            return ExitCodes.INTERRUPTED;
        } finally {
            Interrupts.setGraceful(false);
            for (Pending f : files) {
                try {
                    f.close(); // removes the temporary file of a trajectory that was not committed
                } catch (IOException e) {
                    note("note: could not remove the temporary file for " + f.target() + ": " + e.getMessage());
                }
            }
        }
        for (Run r : runs) {
            out().println(describe(r));
        }
        note("wrote " + out.resolve("rosenbrock.png") + (compared ? " and trajectory-<name>.csv" : " and "
                + out.resolve("trajectory.csv")));
        return ExitCodes.OK;
    }

    /** Ctrl-C during a run. */
    private static final class Stopped extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final String name;
        final int step;

        Stopped(String name, int step) {
            super("stopped", null, false, false);
            this.name = name;
            this.step = step;
        }
    }

    /** Runs one optimizer, streaming its rows as CSV to {@code csv} and into a bounded sample. */
    private Run run(Backend backend, String name, double rate, float[] w0, java.io.OutputStream csv)
            throws IOException {
        TrajectoryCsv rows = new TrajectoryCsv(csv);
        TrajectorySample sample = new TrajectorySample(2);
        int[] left = {-1};
        RunSummary result = ObjectiveMinimizer.minimize(backend, Rosenbrock.lecture(), w0,
                params -> optimizerBuilder(name, rate).buildOptimizer(params), epochs, false, (k, w, v) -> {
                    rows.row(k, w, v);
                    sample.row(k, w, v);
                    if (left[0] < 0 && (w[0] < Charts.LOW || w[0] > Charts.HIGH || w[1] < Charts.LOW
                            || w[1] > Charts.HIGH)) {
                        left[0] = k;
                    }
                    if ((k & 0xfff) == 0 && Interrupts.stopRequested()) {
                        throw new Stopped(name, k);
                    }
                });
        rows.flush();
        return new Run(name, rate, result, sample, left[0], optimizerBuilder(name, rate).resolvedOptions().settings());
    }

    private Optimizers.Builder optimizerBuilder(String name, double rate) {
        return Engine.optimizer(name, rate, settings);
    }

    private static String csvName(String optimizer, boolean compared) {
        return compared ? "trajectory-" + optimizer + ".csv" : "trajectory.csv";
    }

    /** One line for standard output. */
    static String describe(Run r) {
        RunSummary t = r.result();
        float[] w = t.finalParameters();
        String end = String.format(Locale.ROOT, "w = (%s, %s), R = %s", w[0], w[1], Progress.num(t.finalValue()));
        if (t.diverged()) {
            return String.format(Locale.ROOT, "%s lr %s, %d steps: diverged at step %d (%s)", r.name(), fmt(r.lr()),
                    t.steps(), t.divergedAt(), end);
        }
        return String.format(Locale.ROOT, "%s lr %s, %d steps: %s", r.name(), fmt(r.lr()), t.steps(), end);
    }

    /**
     * Commits the streamed CSV file(s) and writes the figure (from the runs' bounded samples) and the summary of one
     * or several runs.
     */
    static void write(Path dir, List<Run> runs, List<Pending> csvFiles, float[] start, int steps,
            boolean compared) throws Exception {
        for (Pending f : csvFiles) {
            f.commit();
        }
        List<JFreeChart> panels = new ArrayList<>();
        List<Charts.Curve> curves = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        List<Map<String, Object>> summaries = new ArrayList<>();
        for (Run r : runs) {
            RunSummary t = r.result();
            TrajectorySample sample = r.sample();
            double[] x = new double[sample.size()];
            for (int i = 0; i < x.length; i++) {
                x[i] = sample.step(i);
            }
            String label = r.name() + (t.diverged() ? " (diverged at step " + t.divergedAt() + ")" : "");
            Charts.Trajectory path = new Charts.Trajectory(label, sample.parameters(0), sample.parameters(1),
                    note(r));
            curves.add(new Charts.Curve(label, x, sample.values()));
            if (t.diverged()) {
                notes.add(r.name() + " diverged at step " + t.divergedAt());
            }
            panels.add(Charts.rosenbrock(r.name() + ", lr " + fmt(r.lr()), List.of(path), panels.size()));
            summaries.add(summary(r));
        }
        String title = String.format(Locale.ROOT, "Rosenbrock from (%s, %s), %d steps", fmt(start[0]), fmt(start[1]),
                steps);
        JFreeChart loss = Charts.curves("loss R(w) per step", "step", "R(w1, w2)", curves, true, true, notes);
        List<JFreeChart> all = new ArrayList<>(panels);
        all.add(loss);
        int cols = Charts.columns(all.size(), 2); // a panel per optimizer and the losses, about square
        String figTitle = compared ? title + " at lr " + fmt(runs.getFirst().lr()) + ": "
                + String.join(", ", runs.stream().map(Run::name).toList())
                : title + ": " + runs.getFirst().name() + ", lr " + fmt(runs.getFirst().lr());
        Charts.savePng(dir.resolve("rosenbrock.png"), Charts.figure(figTitle, all, cols, 640, 560));

        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("command", "rosenbrock");
        doc.put("function", "R(w1,w2) = (1-w1)^2 + 10(w2-w1^2)^2, minimum 0 at (1, 1)");
        doc.put("start", new float[] {start[0], start[1]});
        doc.put("steps", steps);
        doc.put("runs", summaries);
        Map<String, Object> files = new LinkedHashMap<>();
        files.put("figure", "rosenbrock.png");
        files.put("trajectories", runs.stream().map(r -> csvName(r.name(), compared)).toList());
        doc.put("files", files);
        AtomicFiles.writeString(dir.resolve("summary.json"), Json.write(doc));
    }

    private static String note(Run r) {
        RunSummary t = r.result();
        if (t.diverged()) {
            return "diverged at step " + t.divergedAt();
        }
        String end = "final R = " + Progress.num(t.finalValue());
        return r.leftPlotAt() >= 0 ? "left the plot at step " + r.leftPlotAt() + "; " + end : end;
    }

    private static Map<String, Object> summary(Run r) {
        RunSummary t = r.result();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("optimizer", r.name());
        m.put("lr", r.lr());
        m.put("settings", r.settings());
        m.put("final_w", t.finalParameters());
        m.put("final_loss", t.finalValue());
        m.put("final_loss_text", Double.toString(t.finalValue()));
        m.put("diverged", t.diverged());
        m.put("diverged_at_step", t.diverged() ? t.divergedAt() : null);
        m.put("distance_to_minimum", Math.hypot(t.finalParameters()[0] - 1.0, t.finalParameters()[1] - 1.0));
        return m;
    }

    /**
     * Writes {@code step,w1,w2,loss} rows as a run produces them: row k the parameters after k steps and R there,
     * numbers in Java's shortest round-trip form (the loss as a float32 when it is one), non-finite values as
     * {@code NaN}/{@code Infinity}; the same text as {@link Csv} gives.
     */
    static final class TrajectoryCsv implements TrajectoryObserver {
        private final Writer out;
        private final StringBuilder line = new StringBuilder(64);

        TrajectoryCsv(java.io.OutputStream out) throws IOException {
            this.out = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16);
            this.out.write("step,w1,w2,loss\n");
        }

        @Override
        public void row(int step, float[] w, double value) {
            line.setLength(0);
            line.append(step).append(',').append(Float.toString(w[0])).append(',').append(Float.toString(w[1]))
                    .append(',').append(loss(value)).append('\n');
            try {
                out.append(line);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** The loss as the CSV shows it. */
        static String loss(double v) {
            return (double) (float) v == v || Double.isNaN(v) ? Float.toString((float) v) : Double.toString(v);
        }

        /** Pushes the buffered rows to the underlying stream (which is not closed). */
        void flush() throws IOException {
            out.flush();
        }
    }

    static String fmt(double v) {
        return Fmt.number(v);
    }

    @Override
    Path outputFolder() {
        return out;
    }
}
