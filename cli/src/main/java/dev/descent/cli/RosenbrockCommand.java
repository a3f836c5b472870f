package dev.descent.cli;

import dev.descent.backend.Backend;
import dev.descent.cli.io.Csv;
import dev.descent.cli.io.Json;
import dev.descent.cli.plot.Charts;
import dev.descent.objective.ObjectiveMinimizer;
import dev.descent.objective.Rosenbrock;
import dev.descent.objective.Trajectory;
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
            description = "Optimizer steps (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--start", paramLabel = "W1,W2", converter = Converters.Pair.class,
            description = "Starting point (default 0,1, the lecture's).")
    Converters.NumberPair start;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "out/rosenbrock",
            description = "Output folder (default: ${DEFAULT-VALUE}).")
    Path out;

    @Mixin
    ComputeOptions compute;

    /** One optimizer's run. */
    record Run(String name, double lr, Trajectory trajectory, Map<String, Double> settings) {
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
        List<Run> runs = new ArrayList<>();
        try (Backend backend = Engine.backend(compute, this::note, common.verbose).backend()) {
            for (String n : names) {
                Trajectory t = ObjectiveMinimizer.minimize(backend, Rosenbrock.lecture(), w0,
                        params -> optimizerBuilder(n, rate).build(params), epochs, false);
                runs.add(new Run(n, rate, t, optimizerBuilder(n, rate).resolvedOptions().settings()));
            }
        }
        write(out, runs, w0, epochs, names.size() > 1);
        for (Run r : runs) {
            out().println(describe(r));
        }
        note("wrote " + out.resolve("rosenbrock.png") + (names.size() > 1 ? " and trajectory-<name>.csv" : " and "
                + out.resolve("trajectory.csv")));
        return ExitCodes.OK;
    }

    private Optimizers.Builder optimizerBuilder(String name, double rate) {
        return Engine.optimizer(name, rate, settings);
    }

    /** One line for standard output. */
    static String describe(Run r) {
        Trajectory t = r.trajectory();
        float[] w = t.finalParameters();
        String end = String.format(Locale.ROOT, "w = (%s, %s), R = %s", w[0], w[1], Progress.num(t.finalValue()));
        if (t.diverged()) {
            return String.format(Locale.ROOT, "%s lr %s, %d steps: diverged at step %d (%s)", r.name(), fmt(r.lr()),
                    t.steps(), t.divergedAt(), end);
        }
        return String.format(Locale.ROOT, "%s lr %s, %d steps: %s", r.name(), fmt(r.lr()), t.steps(), end);
    }

    /** Writes the CSV file(s), the figure and the summary of one or several runs. */
    static void write(Path dir, List<Run> runs, float[] start, int steps, boolean compared) throws Exception {
        List<JFreeChart> panels = new ArrayList<>();
        List<Charts.Curve> curves = new ArrayList<>();
        List<Charts.Trajectory> paths = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        List<Map<String, Object>> summaries = new ArrayList<>();
        for (Run r : runs) {
            Trajectory t = r.trajectory();
            trajectoryCsv(t).write(dir.resolve(compared ? "trajectory-" + r.name() + ".csv" : "trajectory.csv"));
            double[] w1 = new double[t.rows()];
            double[] w2 = new double[t.rows()];
            double[] x = new double[t.rows()];
            double[] y = new double[t.rows()];
            for (int k = 0; k < t.rows(); k++) {
                w1[k] = t.parameter(k, 0);
                w2[k] = t.parameter(k, 1);
                x[k] = k;
                y[k] = t.value(k);
            }
            String note = note(t);
            String label = r.name() + (t.diverged() ? " (diverged at step " + t.divergedAt() + ")" : "");
            Charts.Trajectory path = new Charts.Trajectory(label, w1, w2, note);
            paths.add(path);
            curves.add(new Charts.Curve(label, x, y));
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
        int cols = 2;
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
        files.put("trajectories", runs.stream().map(r -> compared ? "trajectory-" + r.name() + ".csv"
                : "trajectory.csv").toList());
        doc.put("files", files);
        dev.descent.cli.io.AtomicFiles.writeString(dir.resolve("summary.json"), Json.write(doc));
    }

    private static String note(Trajectory t) {
        if (t.diverged()) {
            return "diverged at step " + t.divergedAt();
        }
        int left = -1;
        for (int k = 0; k < t.rows(); k++) {
            float a = t.parameter(k, 0);
            float b = t.parameter(k, 1);
            if (a < Charts.LOW || a > Charts.HIGH || b < Charts.LOW || b > Charts.HIGH) {
                left = k;
                break;
            }
        }
        String end = "final R = " + Progress.num(t.finalValue());
        return left >= 0 ? "left the plot at step " + left + "; " + end : end;
    }

    private static Map<String, Object> summary(Run r) {
        Trajectory t = r.trajectory();
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

    /** {@code step,w1,w2,loss}: row k the parameters after k steps and R there. */
    static Csv trajectoryCsv(Trajectory t) {
        Csv csv = new Csv("step", "w1", "w2", "loss");
        for (int k = 0; k < t.rows(); k++) {
            double v = t.value(k);
            Object loss = (double) (float) v == v || Double.isNaN(v) ? (Object) (float) v : (Object) v;
            csv.add(k, t.parameter(k, 0), t.parameter(k, 1), loss);
        }
        return csv;
    }

    static String fmt(double v) {
        return Fmt.number(v);
    }
}
