package dev.descent.cli;

import dev.descent.autodiff.ExpressionObjective;
import dev.descent.autodiff.Var;
import dev.descent.backend.Backend;
import dev.descent.cli.expr.Algebra;
import dev.descent.cli.expr.Formula;
import dev.descent.cli.expr.FormulaException;
import dev.descent.cli.expr.Function;
import dev.descent.cli.expr.Operator;
import dev.descent.cli.io.AtomicFiles;
import dev.descent.cli.io.Json;
import dev.descent.cli.plot.Charts;
import dev.descent.objective.Objective;
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

/** {@code descent minimize}: one optimizer (or several) on a formula the user types. */
@Command(name = "minimize", mixinStandardHelpOptions = true, sortOptions = false,
        header = "Run optimizers on a formula in w1..wn: trajectory CSV and, for two variables, a contour figure.",
        description = {
            "Minimises the function given by --objective, a formula in the variables w1..wn, from the point given "
                    + "by --start (n numbers: one per variable) with one optimizer, or several with --compare. The "
                    + "gradient comes from reverse-mode autodiff with torch's float32 arithmetic: the lecture's "
                    + "Rosenbrock typed as a formula gives exactly the numbers of 'descent rosenbrock'.",
            "",
            "Formulas: numbers (2, 2.625, .5, 1e-3), the variables w1..wn, + - * / and ^ (power), parentheses, and "
                    + "the functions exp log sqrt sin cos tanh abs sigmoid, written name(x). ^ binds tighter than "
                    + "a sign and groups from the right, as in Python: -w1^2 is -(w1^2), 2^3^2 is 2^9. Parts "
                    + "without a variable are computed once, in double precision. Quote the formula for the shell.",
            "",
            "Writes DIR/trajectory.csv (step,w1,...,wn,loss; step 0 is the start, row k the parameters after k steps "
                    + "and the formula's value there, non-finite values as NaN/Infinity) and DIR/summary.json; for a "
                    + "formula in two variables also DIR/minimize.png: the paths over contours of the formula "
                    + "(computed on the host on a grid over --range, or a window around every path) and the loss "
                    + "per step. Other formulas get no figure. With --compare: DIR/trajectory-<name>.csv for each "
                    + "optimizer and one figure with a panel each.",
            "Divergence is a result (shown in the figure and the CSV), not an error: the exit status is 0. Ctrl-C "
                    + "stops a run and leaves no files.",
            ""},
        footer = {"", "Examples:",
            "  descent minimize --objective '(1-w1)^2 + 10*(w2-w1^2)^2' --start 0,1 \\",
            "      --optimizer adam --lr 0.04                   (the lecture's Rosenbrock)",
            "  descent minimize --start 1,1 --compare sgd,adam --lr 0.01 --epochs 2000 \\",
            "      --objective '(1.5 - w1 + w1*w2)^2 + (2.25 - w1 + w1*w2^2)^2",
            "                   + (2.625 - w1 + w1*w2^3)^2'          (Beale's function)",
            "  descent minimize --objective 'w1^2 + 2*w2^2 + 4*w3^2' --start 1,1,1 \\",
            "      --optimizer momentum --lr 0.05               (three variables: no figure)"})
final class MinimizeCommand extends ObjectiveCommand {
    /** The figure's file name. */
    static final String FIGURE = "minimize.png";

    @Option(names = "--objective", paramLabel = "EXPR", required = true,
            description = "The function to minimise: a formula in w1..wn, e.g. '(1-w1)^2 + 10*(w2-w1^2)^2'.")
    String objective;

    @Option(names = "--start", paramLabel = "W1,W2,...", required = true,
            description = "Starting point: one number per variable, e.g. 1,1; their count is n, the number of "
                    + "variables w1..wn.")
    String start;

    @Option(names = "--range", paramLabel = "X0,X1,Y0,Y1",
            description = "The figure's window [X0, X1] × [Y0, Y1] (two variables only; default: around every path "
                    + "with a margin, diverging paths left out).")
    String range;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "out/minimize",
            description = "Output folder (default: ${DEFAULT-VALUE}).")
    Path out;

    @Mixin
    ComputeOptions compute;

    private Formula formula;
    private double[] window;

    @Override
    int run() throws Exception {
        double rate = rate();
        List<String> names = optimizerNames();
        float[] w0 = parseStart(start);
        formula = parseObjective(objective, w0.length);
        window = range == null ? null : parseRange(range, w0.length);
        compute.validate();
        // Validate every optimizer's settings before running anything.
        checkOptimizers(names, rate);
        return runAll(out, names, rate, w0, compute);
    }

    /** {@code --start}: n finite float32 numbers. */
    static float[] parseStart(String text) {
        if (text.isBlank()) {
            throw usage("--start needs one number per variable, e.g. --start 1,1 for a formula in w1, w2");
        }
        String[] parts = text.split(",", -1);
        float[] w = new float[parts.length];
        for (int i = 0; i < parts.length; i++) {
            String p = parts[i].strip();
            String which = parts.length == 1 ? "" : " (value " + (i + 1) + " of " + parts.length + ")";
            if (p.isEmpty()) {
                throw usage("--start has an empty value" + which + " in '" + text + "'; give numbers like 1,1");
            }
            double v;
            try {
                v = Double.parseDouble(p);
            } catch (NumberFormatException e) {
                throw usage("--start: '" + p + "'" + which + " is not a number");
            }
            if (!Double.isFinite(v)) {
                throw usage("--start: '" + p + "'" + which + " is not finite; the start must be a finite point");
            }
            if (!Float.isFinite((float) v)) {
                throw usage("--start: '" + p + "'" + which + " is beyond float32's range (at most 3.4e38)");
            }
            w[i] = (float) v;
        }
        return w;
    }

    /** {@code --objective} in {@code n} variables, using each of w1..wn's highest. */
    static Formula parseObjective(String text, int n) {
        Formula f;
        try {
            f = Formula.parse(text, n);
        } catch (FormulaException e) {
            throw usage("--objective: " + e.getMessage());
        }
        String vars = n == 1 ? "w1" : n == 2 ? "w1, w2" : "w1..w" + n;
        if (f.highestVariable() == 0) {
            throw usage("--objective: the formula has no variable; write it in " + vars + ", one per --start value");
        }
        if (f.highestVariable() < n) {
            int k = f.highestVariable();
            throw usage("--start gives " + n + " values, but the formula's highest variable is w" + k + ": give "
                    + k + (k == 1 ? " value" : " values") + ", or use w" + n + " in the formula");
        }
        return f;
    }

    /** {@code --range}: four finite numbers, X0 < X1 and Y0 < Y1, for a formula in two variables. */
    static double[] parseRange(String text, int n) {
        if (n != 2) {
            throw usage("--range is for the figure, which needs a formula in two variables (w1, w2); this one has "
                    + n);
        }
        String[] parts = text.split(",", -1);
        if (parts.length != 4) {
            throw usage("--range needs four numbers X0,X1,Y0,Y1, got '" + text + "'");
        }
        double[] r = new double[4];
        for (int i = 0; i < 4; i++) {
            try {
                r[i] = Converters.number(parts[i], "--range");
            } catch (picocli.CommandLine.TypeConversionException e) {
                throw usage("--range: " + e.getMessage());
            }
        }
        if (!(r[0] < r[1]) || !(r[2] < r[3])) {
            throw usage("--range must have X0 < X1 and Y0 < Y1, got " + text);
        }
        if (!Double.isFinite(r[1] - r[0]) || !Double.isFinite(r[3] - r[2])) {
            throw usage("--range is too wide: " + text);
        }
        return r;
    }

    @Override
    Objective objective(Backend backend) {
        return ExpressionObjective.of(backend, formula.variables(), formula.text(),
                w -> formula.build(new VarAlgebra(w)));
    }

    /**
     * The formula as autodiff operations, as torch would record it for the same formula in Python over a float32
     * tensor {@code w}: {@code w1} is {@code w[0]}, a number on the left a scalar constant, a number on the right the
     * operation with a number ({@code x.sub(2.5)}, {@code x.pow(2)}).
     */
    private static final class VarAlgebra implements Algebra<Var> {
        private final Var w;
        private final Var[] elements;

        VarAlgebra(Var w) {
            this.w = w;
            this.elements = new Var[(int) w.size()];
        }

        @Override
        public Var variable(int index) {
            if (elements[index] == null) {
                elements[index] = w.get(index);
            }
            return elements[index];
        }

        @Override
        public Var constant(double value) {
            return w.tape().constant(value);
        }

        @Override
        public Var unary(Function function, Var x) {
            return switch (function) {
                case NEG -> x.neg();
                case EXP -> x.exp();
                case LOG -> x.log();
                case SQRT -> x.sqrt();
                case SIN -> x.sin();
                case COS -> x.cos();
                case TANH -> x.tanh();
                case ABS -> x.abs();
                case SIGMOID -> x.sigmoid();
            };
        }

        @Override
        public Var binary(Operator operator, Var a, Var b) {
            return switch (operator) {
                case ADD -> a.add(b);
                case SUB -> a.sub(b);
                case MUL -> a.mul(b);
                case DIV -> a.div(b);
                case POW -> a.pow(b);
            };
        }

        @Override
        public Var binary(Operator operator, Var a, double b) {
            return switch (operator) {
                case ADD -> a.add(b);
                case SUB -> a.sub(b);
                case MUL -> a.mul(b);
                case DIV -> a.div(b);
                case POW -> a.pow(b);
            };
        }
    }

    @Override
    boolean outsidePlot(float[] w) {
        return window != null && outside(window, w[0], w[1]);
    }

    private static boolean outside(double[] win, double x, double y) {
        return !(x >= win[0] && x <= win[1] && y >= win[2] && y <= win[3]);
    }

    @Override
    String describe(Run r) {
        RunSummary t = r.result();
        String end = "w = (" + point(t.finalParameters()) + "), f = " + Progress.num(t.finalValue());
        if (t.diverged()) {
            return String.format(Locale.ROOT, "%s lr %s, %d steps: diverged at step %d (%s)", r.name(), fmt(r.lr()),
                    t.steps(), t.divergedAt(), end);
        }
        return String.format(Locale.ROOT, "%s lr %s, %d steps: %s", r.name(), fmt(r.lr()), t.steps(), end);
    }

    /** The values of a point, the first eight and a count for longer ones. */
    static String point(float[] w) {
        StringBuilder sb = new StringBuilder();
        int shown = w.length <= 10 ? w.length : 8;
        for (int i = 0; i < shown; i++) {
            sb.append(i == 0 ? "" : ", ").append(w[i]);
        }
        if (shown < w.length) {
            sb.append(", … (").append(w.length).append(" values)");
        }
        return sb.toString();
    }

    @Override
    String wroteNote(Path dir, boolean compared) {
        String csv = compared ? dir.resolve("trajectory-<name>.csv").toString() : dir.resolve("trajectory.csv")
                .toString();
        if (formula.variables() == 2) {
            return "wrote " + dir.resolve(FIGURE) + " and " + csv;
        }
        return "wrote " + csv + "; no figure: " + noFigure(formula.variables());
    }

    private static String noFigure(int n) {
        return "the contour figure needs a formula in two variables, this one has " + n;
    }

    @Override
    void writeResults(Path dir, List<Run> runs, float[] start, boolean compared) throws Exception {
        Map<String, Object> figure = null;
        if (formula.variables() == 2) {
            double[] win = window != null ? window : window(runs, start);
            figure = new LinkedHashMap<>();
            figure.put("file", FIGURE);
            figure.put("range", win);
            figure.put("range_from", window != null ? "--range" : "the paths");
            figure.put("contours", drawFigure(dir, runs, start, win, compared));
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("command", "minimize");
        doc.put("objective", formula.text());
        doc.put("variables", formula.variables());
        doc.put("start", start);
        doc.put("steps", epochs);
        List<Map<String, Object>> summaries = new ArrayList<>();
        for (Run r : runs) {
            summaries.add(runSummary(r));
        }
        doc.put("runs", summaries);
        doc.put("figure", figure);
        if (figure == null) {
            doc.put("no_figure", noFigure(formula.variables()));
        }
        Map<String, Object> files = new LinkedHashMap<>();
        files.put("figure", figure == null ? null : FIGURE);
        files.put("trajectories", runs.stream().map(r -> csvName(r.name(), compared)).toList());
        doc.put("files", files);
        AtomicFiles.writeString(dir.resolve("summary.json"), Json.write(doc));
    }

    /** Draws {@code minimize.png}; returns what its contours show. */
    private String drawFigure(Path dir, List<Run> runs, float[] start, double[] win, boolean compared)
            throws Exception {
        Field field = Field.of(formula, win);
        String shown = display(formula.text());
        Charts.ContourSpec spec = Charts.ContourSpec.of(field.function(), win[0], win[1], win[2], win[3],
                "contours of " + field.what() + ", f = " + shown);
        List<JFreeChart> panels = new ArrayList<>();
        List<Charts.Curve> curves = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        boolean positive = true;
        for (Run r : runs) {
            RunSummary t = r.result();
            TrajectorySample sample = r.sample();
            double[] steps = new double[sample.size()];
            for (int i = 0; i < steps.length; i++) {
                steps[i] = sample.step(i);
            }
            double[] values = sample.values();
            for (double v : values) {
                positive &= !(v <= 0);
            }
            double[] w1 = sample.parameters(0);
            double[] w2 = sample.parameters(1);
            int left = window != null ? r.leftPlotAt() : leftAt(sample, w1, w2, win);
            String label = r.name() + (t.diverged() ? " (diverged at step " + t.divergedAt() + ")" : "");
            curves.add(new Charts.Curve(label, steps, values));
            if (t.diverged()) {
                notes.add(r.name() + " diverged at step " + t.divergedAt());
            }
            panels.add(Charts.contours(r.name() + ", lr " + fmt(r.lr()),
                    spec, List.of(new Charts.Trajectory(label, w1, w2, note(t, left))), panels.size()));
        }
        // A log axis leaves out values <= 0: a formula that goes below zero gets a linear one.
        JFreeChart loss = Charts.curves("loss f(w) per step", "step", "f(w1, w2)", curves, true, positive, notes);
        List<JFreeChart> all = new ArrayList<>(panels);
        all.add(loss);
        int cols = Charts.columns(all.size(), 2);
        String title = String.format(Locale.ROOT, "minimize from (%s, %s), %d steps", fmt(start[0]), fmt(start[1]),
                epochs);
        String figTitle = compared ? title + " at lr " + fmt(runs.getFirst().lr()) + ": "
                + String.join(", ", runs.stream().map(Run::name).toList())
                : title + ": " + runs.getFirst().name() + ", lr " + fmt(runs.getFirst().lr());
        Charts.savePng(dir.resolve(FIGURE), Charts.figure(figTitle, all, cols, 640, 560));
        return field.what();
    }

    /** The formula on one line for a figure: whitespace runs as one space, at most 90 characters. */
    static String display(String text) {
        String s = text.strip().replaceAll("\\s+", " ");
        return s.codePointCount(0, s.length()) <= 90 ? s : s.substring(0, s.offsetByCodePoints(0, 89)) + "…";
    }

    /** The first sampled step whose point lies outside the window (an estimate when the sample is not complete). */
    private static int leftAt(TrajectorySample sample, double[] w1, double[] w2, double[] win) {
        for (int i = 0; i < w1.length; i++) {
            if (outside(win, w1[i], w2[i])) {
                return sample.step(i);
            }
        }
        return -1;
    }

    private static String note(RunSummary t, int leftAt) {
        if (t.diverged()) {
            return "diverged at step " + t.divergedAt();
        }
        String end = "final f = " + Progress.num(t.finalValue());
        return leftAt >= 0 ? "left the plot at step " + leftAt + "; " + end : end;
    }

    /**
     * What the contours show: log(f + 1) when f is at least 0 on the window (as rosenbrock draws log(R + 1)),
     * otherwise log(f − m + 1) with m the lowest value on a grid over it, so that deep valleys and high walls both
     * show. Points where f is not finite are left white.
     */
    record Field(java.util.function.DoubleBinaryOperator function, String what) {
        static final int GRID = 120;

        static Field of(Formula f, double[] win) {
            float[] w = new float[2];
            double m = Double.POSITIVE_INFINITY;
            for (int r = 0; r <= GRID; r++) {
                for (int c = 0; c <= GRID; c++) {
                    w[0] = (float) (win[0] + (win[1] - win[0]) * c / GRID);
                    w[1] = (float) (win[2] + (win[3] - win[2]) * r / GRID);
                    float v = f.evaluate(w);
                    if (Float.isFinite(v)) {
                        m = Math.min(m, v);
                    }
                }
            }
            double shift = m < 0 ? m : 0;
            float[] at = new float[2];
            java.util.function.DoubleBinaryOperator fn = (x, y) -> {
                at[0] = (float) x;
                at[1] = (float) y;
                double v = f.evaluate(at);
                return Math.log1p(Math.max(0, v - shift));
            };
            String what = shift == 0 ? "log(f + 1)" : "log(f − m + 1), m = " + Progress.num(m);
            return new Field(fn, what);
        }
    }

    /**
     * The default window of the figure: the bounding box of the start and of every point of the runs that did not
     * diverge, within 100 units (times the start's scale) of the start; when every run diverged, their points within
     * 10 units of it. Widened to a quarter of its longer side where it is thinner, to a unit square around the start
     * when no run moved, and by a tenth on each side.
     */
    static double[] window(List<Run> runs, float[] start) {
        double sx = start[0];
        double sy = start[1];
        double scale = Math.max(1, Math.max(Math.abs(sx), Math.abs(sy)));
        boolean anyConverged = runs.stream().anyMatch(r -> !r.result().diverged());
        double reach = (anyConverged ? 100 : 10) * scale;
        double[] box = {sx, sx, sy, sy};
        for (Run r : runs) {
            if (anyConverged && r.result().diverged()) {
                continue;
            }
            double[] w1 = r.sample().parameters(0);
            double[] w2 = r.sample().parameters(1);
            for (int i = 0; i < w1.length; i++) {
                double x = w1[i];
                double y = w2[i];
                if (Double.isFinite(x) && Double.isFinite(y) && Math.abs(x - sx) <= reach
                        && Math.abs(y - sy) <= reach) {
                    box[0] = Math.min(box[0], x);
                    box[1] = Math.max(box[1], x);
                    box[2] = Math.min(box[2], y);
                    box[3] = Math.max(box[3], y);
                }
            }
        }
        return widen(box, scale);
    }

    /** A box made a usable window: no side empty or thin, a margin of a tenth on each side. */
    static double[] widen(double[] box, double scale) {
        double ex = box[1] - box[0];
        double ey = box[3] - box[2];
        double e = Math.max(ex, ey);
        if (e == 0) {
            ex = scale;
            ey = scale;
        } else {
            e = Math.max(e, 1e-3 * scale);
            ex = Math.max(ex, e / 4);
            ey = Math.max(ey, e / 4);
        }
        double cx = (box[0] + box[1]) / 2;
        double cy = (box[2] + box[3]) / 2;
        ex *= 1.2;
        ey *= 1.2;
        return new double[] {cx - ex / 2, cx + ex / 2, cy - ey / 2, cy + ey / 2};
    }

    @Override
    Path outputFolder() {
        return out;
    }
}
