package dev.descent.cli;

import dev.descent.backend.Backend;
import dev.descent.cli.io.AtomicFiles;
import dev.descent.cli.io.Json;
import dev.descent.cli.plot.Charts;
import dev.descent.objective.Objective;
import dev.descent.objective.Rosenbrock;
import dev.descent.objective.RunSummary;
import dev.descent.objective.TrajectorySample;
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
final class RosenbrockCommand extends ObjectiveCommand {
    @Option(names = "--start", paramLabel = "W1,W2", converter = Converters.Pair.class,
            description = "Starting point (default 0,1, the lecture's).")
    Converters.NumberPair start;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "out/rosenbrock",
            description = "Output folder (default: ${DEFAULT-VALUE}).")
    Path out;

    @Mixin
    ComputeOptions compute;

    @Override
    int run() throws Exception {
        double rate = rate();
        List<String> names = optimizerNames();
        float[] w0 = start == null ? new float[] {0f, 1f} : new float[] {(float) start.first(), (float) start.second()};
        compute.validate();
        // Validate every optimizer's settings before running anything.
        checkOptimizers(names, rate);
        return runAll(out, names, rate, w0, compute);
    }

    @Override
    Objective objective(Backend backend) {
        return Rosenbrock.lecture();
    }

    @Override
    boolean outsidePlot(float[] w) {
        return w[0] < Charts.LOW || w[0] > Charts.HIGH || w[1] < Charts.LOW || w[1] > Charts.HIGH;
    }

    @Override
    void writeResults(Path dir, List<Run> runs, float[] start, boolean compared) throws Exception {
        write(dir, runs, start, epochs, compared);
    }

    @Override
    String wroteNote(Path dir, boolean compared) {
        return "wrote " + dir.resolve("rosenbrock.png") + (compared ? " and trajectory-<name>.csv" : " and "
                + dir.resolve("trajectory.csv"));
    }

    /** One line for standard output. */
    @Override
    String describe(Run r) {
        RunSummary t = r.result();
        float[] w = t.finalParameters();
        String end = String.format(Locale.ROOT, "w = (%s, %s), R = %s", w[0], w[1], Progress.num(t.finalValue()));
        if (t.diverged()) {
            return String.format(Locale.ROOT, "%s lr %s, %d steps: diverged at step %d (%s)", r.name(), fmt(r.lr()),
                    t.steps(), t.divergedAt(), end);
        }
        return String.format(Locale.ROOT, "%s lr %s, %d steps: %s", r.name(), fmt(r.lr()), t.steps(), end);
    }

    /** Writes the figure (from the runs' bounded samples) and the summary of one or several runs. */
    static void write(Path dir, List<Run> runs, float[] start, int steps, boolean compared) throws Exception {
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
        Map<String, Object> m = runSummary(r);
        float[] w = r.result().finalParameters();
        m.put("distance_to_minimum", Math.hypot(w[0] - 1.0, w[1] - 1.0));
        return m;
    }

    @Override
    Path outputFolder() {
        return out;
    }
}
