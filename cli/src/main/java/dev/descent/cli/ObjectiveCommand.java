package dev.descent.cli;

import dev.descent.backend.Backend;
import dev.descent.cli.io.AtomicFiles;
import dev.descent.model.AtomicFiles.Pending;
import dev.descent.objective.Objective;
import dev.descent.objective.ObjectiveMinimizer;
import dev.descent.objective.RunSummary;
import dev.descent.objective.TrajectoryObserver;
import dev.descent.objective.TrajectorySample;
import dev.descent.optim.Optimizers;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * What {@code rosenbrock} and {@code minimize} share: the optimizer options ({@code --optimizer} or
 * {@code --compare}, {@code --lr}, every optimizer setting, {@code --epochs}, {@code --backend}), and the runs
 * themselves: each optimizer from the same start on the command's objective, its rows streamed into
 * {@code trajectory.csv} (or {@code trajectory-<name>.csv} with {@code --compare}) and into a bounded sample for the
 * figure, Ctrl-C leaving no file. A subclass says what the objective is and writes the figure and summary.
 */
abstract class ObjectiveCommand extends BaseCommand {
    @Option(names = "--optimizer", paramLabel = "NAME", converter = Converters.Name.class,
            description = "Optimizer: " + OptimizerSettings.NAMES + ".")
    String optimizer;

    @Option(names = "--compare", paramLabel = "NAME,NAME,...", split = ",", hideParamSyntax = true,
            converter = Converters.Name.class,
            description = "Run several optimizers at the same learning rate and draw them side by side.")
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

    /**
     * One optimizer's run: how it ended, a bounded sample of its path (w1, w2 at most, and the loss: for the figure),
     * and the first step whose point lies outside the plotted window (−1 if none, or when the window is not known
     * while the run goes).
     */
    record Run(String name, double lr, RunSummary result, TrajectorySample sample, int leftPlotAt,
            Map<String, Double> settings) {
    }

    /** The learning rate: {@code --lr}, or the lecture's 0.04. */
    double rate() {
        double rate = lr != null ? lr : 0.04;
        if (rate < 0) {
            throw usage("--lr must be >= 0, got " + lr);
        }
        return rate;
    }

    /**
     * The optimizers to run ({@code --optimizer}, or {@code --compare}'s without repeats), each with its settings
     * checked, and {@code --epochs} checked.
     */
    List<String> optimizerNames() {
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
        return names;
    }

    /** Checks every optimizer's settings before anything runs. */
    void checkOptimizers(List<String> names, double rate) {
        for (String n : names) {
            optimizerBuilder(n, rate);
        }
    }

    Optimizers.Builder optimizerBuilder(String name, double rate) {
        return Engine.optimizer(name, rate, settings);
    }

    /** The objective to minimise on {@code backend}; closed after the runs when it is {@link AutoCloseable}. */
    abstract Objective objective(Backend backend);

    /** Whether a point lies outside the plotted window, when it is known before the runs; false otherwise. */
    boolean outsidePlot(float[] w) {
        return false;
    }

    /** Writes the figure and the summary once every trajectory file is in place. */
    abstract void writeResults(Path dir, List<Run> runs, float[] start, boolean compared) throws Exception;

    /** The line on standard output for one run. */
    abstract String describe(Run r);

    /** The note on standard error that says what was written. */
    abstract String wroteNote(Path dir, boolean compared);

    /**
     * Runs every optimizer in {@code names} from {@code start}, streaming each trajectory to its CSV file, then writes
     * the results; Ctrl-C stops at a step boundary and leaves no file.
     *
     * @return the exit status
     */
    int runAll(Path dir, List<String> names, double rate, float[] start, ComputeOptions compute) throws Exception {
        boolean compared = names.size() > 1;
        List<Run> runs = new ArrayList<>();
        // The trajectories are streamed to temporary files while the optimizers run (a long run's rows do not fit in
        // memory), and renamed into place together once every run is done; a failure or Ctrl-C removes them.
        List<Pending> files = new ArrayList<>();
        Interrupts.setGraceful(true);
        try {
            AtomicFiles.removeStaleTemporaries(dir); // what a killed run left
            try (Backend backend = Engine.backend(compute, this::note, common.verbose).backend()) {
                Objective objective = objective(backend);
                try {
                    for (String n : names) {
                        Pending file = AtomicFiles.open(dir.resolve(csvName(n, compared)));
                        files.add(file);
                        runs.add(run(backend, objective, n, rate, start, file.out()));
                    }
                } finally {
                    if (objective instanceof AutoCloseable c) {
                        c.close();
                    }
                }
            }
            for (Pending f : files) {
                f.commit();
            }
            writeResults(dir, runs, start, compared);
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
        note(wroteNote(dir, compared));
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
    private Run run(Backend backend, Objective objective, String name, double rate, float[] start, OutputStream csv)
            throws IOException {
        int n = objective.dimension();
        TrajectoryCsv rows = new TrajectoryCsv(csv, n);
        // The sample feeds the figure, which plots w1 and w2 and the loss: a formula in many variables keeps no more.
        TrajectorySample sample = new TrajectorySample(Math.min(n, 2));
        int[] left = {-1};
        RunSummary result = ObjectiveMinimizer.minimize(backend, objective, start,
                params -> optimizerBuilder(name, rate).buildOptimizer(params), epochs, false, (k, w, v) -> {
                    rows.row(k, w, v);
                    sample.row(k, w, v);
                    if (left[0] < 0 && outsidePlot(w)) {
                        left[0] = k;
                    }
                    if ((k & 0xfff) == 0 && Interrupts.stopRequested()) {
                        throw new Stopped(name, k);
                    }
                });
        rows.flush();
        return new Run(name, rate, result, sample, left[0], optimizerBuilder(name, rate).resolvedOptions().settings());
    }

    static String csvName(String optimizer, boolean compared) {
        return compared ? "trajectory-" + optimizer + ".csv" : "trajectory.csv";
    }

    /** A run's part of {@code summary.json}. */
    static Map<String, Object> runSummary(Run r) {
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
        return m;
    }

    /**
     * Writes {@code step,w1,...,wn,loss} rows as a run produces them: row k the parameters after k steps and the
     * objective there, numbers in Java's shortest round-trip form (the loss as a float32 when it is one), non-finite
     * values as {@code NaN}/{@code Infinity}; the same text as {@link dev.descent.cli.io.Csv} gives.
     */
    static final class TrajectoryCsv implements TrajectoryObserver {
        private final Writer out;
        private final int dimension;
        private final StringBuilder line = new StringBuilder(64);

        TrajectoryCsv(OutputStream out, int dimension) throws IOException {
            this.out = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16);
            this.dimension = dimension;
            this.out.write(header(dimension));
        }

        /** {@code step,w1,...,wn,loss} and a newline. */
        static String header(int dimension) {
            StringBuilder sb = new StringBuilder("step");
            for (int i = 1; i <= dimension; i++) {
                sb.append(",w").append(i);
            }
            return sb.append(",loss\n").toString();
        }

        @Override
        public void row(int step, float[] w, double value) {
            line.setLength(0);
            line.append(step);
            for (int i = 0; i < dimension; i++) {
                line.append(',').append(Float.toString(w[i]));
            }
            line.append(',').append(loss(value)).append('\n');
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

    /** A float32 value as typed ({@code 0.1}, not the double 0.10000000149011612). */
    static String fmt(float v) {
        return Fmt.number(Double.parseDouble(Float.toString(v)));
    }
}
