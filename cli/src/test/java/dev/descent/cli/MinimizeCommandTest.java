package dev.descent.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.cli.expr.Formula;
import dev.descent.cli.io.Json;
import dev.descent.objective.RunSummary;
import dev.descent.objective.TrajectorySample;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code descent minimize}, end to end in-process: files, figure, the rosenbrock equality, errors. */
class MinimizeCommandTest {
    static final String ROSENBROCK = "(1-w1)^2 + 10*(w2-w1^2)^2";
    static final String BEALE = "(1.5 - w1 + w1*w2)^2 + (2.25 - w1 + w1*w2^2)^2 + (2.625 - w1 + w1*w2^3)^2";

    @TempDir
    Path dir;

    @Test
    void bealeInTwoVariablesWritesTrajectoryFigureAndSummary() throws Exception {
        Path out = dir.resolve("beale");
        Cli.Result r = Cli.run("minimize", "--objective", BEALE, "--start", "1,1", "--optimizer", "adam", "--lr",
                "0.01", "--epochs", "2000", "--out", out.toString(), "--backend", "cpu");
        assertEquals(0, r.code(), r.toString());
        List<String> lines = Files.readAllLines(out.resolve("trajectory.csv"));
        assertEquals("step,w1,w2,loss", lines.getFirst());
        assertEquals(2001 + 1, lines.size(), "header + steps 0..2000");
        assertEquals("0,1.0,1.0,14.203125", lines.get(1), "step 0 is the start, f(1, 1) = 2.25 + 5.0625 + 6.890625");
        // row k: the formula at the parameters of that row (sums, products and squares: the same float32 numbers)
        Formula f = Formula.parse(BEALE, 2);
        for (String line : lines.subList(1, lines.size())) {
            String[] c = line.split(",");
            float[] w = {Float.parseFloat(c[1]), Float.parseFloat(c[2])};
            assertEquals(f.evaluate(w), Float.parseFloat(c[3]), line);
        }
        String[] last = lines.getLast().split(",");
        assertEquals("2000", last[0]);
        assertEquals(3, Double.parseDouble(last[1]), 0.05, "Beale's minimum is (3, 0.5): " + lines.getLast());
        assertEquals(0.5, Double.parseDouble(last[2]), 0.02, lines.getLast());
        assertTrue(Double.parseDouble(last[3]) < 1e-3, lines.getLast());
        Images.check(out.resolve("minimize.png"), 1280, 604);
        Map<String, Object> s = Json.parseObject(Files.readString(out.resolve("summary.json")));
        assertEquals("minimize", s.get("command"));
        assertEquals(BEALE, s.get("objective"));
        assertEquals(2, ((Number) s.get("variables")).intValue());
        assertEquals(2000, ((Number) s.get("steps")).intValue());
        Map<?, ?> figure = (Map<?, ?>) s.get("figure");
        assertEquals("minimize.png", figure.get("file"));
        assertEquals("the paths", figure.get("range_from"));
        assertEquals("log(f + 1)", figure.get("contours"));
        List<?> range = (List<?>) figure.get("range");
        assertEquals(4, range.size());
        double x0 = ((Number) range.get(0)).doubleValue();
        double x1 = ((Number) range.get(1)).doubleValue();
        double y0 = ((Number) range.get(2)).doubleValue();
        double y1 = ((Number) range.get(3)).doubleValue();
        assertTrue(x0 < 1 && x1 > 3 && y0 < 0.5 && y1 > 1, "the window holds the path: " + range);
        assertTrue(x1 - x0 < 4 && y1 - y0 < 2, "and not much more: " + range);
        assertEquals(List.of("trajectory.csv"), ((Map<?, ?>) s.get("files")).get("trajectories"));
        assertTrue(r.out().startsWith("adam lr 0.01, 2000 steps: w = (2.99"), r.out());
        assertTrue(r.err().contains("wrote " + out.resolve("minimize.png")), r.err());
    }

    @Test
    void threeVariablesWriteTheTrajectoryAndNoFigure() throws Exception {
        Path out = dir.resolve("bowl");
        Cli.Result r = Cli.run("minimize", "--objective", "w1^2 + 2*w2^2 + 4*w3^2", "--start", "1,1,1",
                "--optimizer", "sgd", "--lr", "0.1", "--epochs", "50", "--out", out.toString());
        assertEquals(0, r.code(), r.toString());
        List<String> lines = Files.readAllLines(out.resolve("trajectory.csv"));
        assertEquals("step,w1,w2,w3,loss", lines.getFirst());
        assertEquals(52, lines.size());
        assertEquals("0,1.0,1.0,1.0,7.0", lines.get(1));
        assertTrue(lines.get(2).startsWith("1,0.8,0.6"), "w ← w − 0.1·(2w1, 4w2, 8w3): " + lines.get(2));
        Formula f = Formula.parse("w1^2 + 2*w2^2 + 4*w3^2", 3);
        for (String line : lines.subList(1, lines.size())) {
            String[] c = line.split(",");
            float[] w = {Float.parseFloat(c[1]), Float.parseFloat(c[2]), Float.parseFloat(c[3])};
            assertEquals(f.evaluate(w), Float.parseFloat(c[4]), line);
        }
        assertTrue(Double.parseDouble(lines.getLast().split(",")[4]) < 1e-6, lines.getLast());
        assertFalse(Files.exists(out.resolve("minimize.png")), "no figure for three variables");
        assertTrue(r.err().contains("no figure: the contour figure needs a formula in two variables, this one has 3"),
                r.err());
        Map<String, Object> s = Json.parseObject(Files.readString(out.resolve("summary.json")));
        assertNull(s.get("figure"));
        assertNull(((Map<?, ?>) s.get("files")).get("figure"));
        assertEquals(3, ((Number) s.get("variables")).intValue());
        assertTrue(r.out().startsWith("sgd lr 0.1, 50 steps: w = ("), r.out());
    }

    @Test
    void oneVariableAndEveryFunction() throws Exception {
        Path out = dir.resolve("one");
        // exp(w1) − 2·w1 is lowest at ln 2; the other terms are constant in value but go through every function
        String f = "exp(w1) - 2*w1 + 0*(log(1 + w1^2) + sqrt(1 + w1^2) + sin(w1) + cos(w1) + tanh(w1) + abs(w1) "
                + "+ sigmoid(w1)) - -w1^2 + w1^2";
        Cli.Result r = Cli.run("minimize", "--objective", f, "--start", "0", "--optimizer", "adam", "--lr", "0.05",
                "--epochs", "400", "--out", out.toString(), "--quiet");
        assertEquals(0, r.code(), r.toString());
        List<String> lines = Files.readAllLines(out.resolve("trajectory.csv"));
        assertEquals("step,w1,loss", lines.getFirst());
        assertEquals("0,0.0,1.0", lines.get(1));
        // f = e^w − 2w + 2w², lowest where f' = e^w − 2 + 4w = 0
        double w = 0;
        for (int i = 0; i < 50; i++) {
            w -= (Math.exp(w) - 2 + 4 * w) / (Math.exp(w) + 4);
        }
        assertEquals(w, Double.parseDouble(lines.getLast().split(",")[1]), 1e-4, lines.getLast());
        assertEquals("", r.err(), "--quiet");
    }

    /**
     * The lecture's Rosenbrock typed as a formula gives rosenbrock's numbers: trajectory.csv is the same, byte for
     * byte, for sgd, momentum (which diverges) and adam at the lecture's lr 0.04.
     */
    @ParameterizedTest
    @ValueSource(strings = {"sgd", "momentum", "adam"})
    void theRosenbrockFormulaGivesRosenbrocksNumbers(String optimizer) throws Exception {
        Path a = dir.resolve("rosenbrock-" + optimizer);
        Path b = dir.resolve("minimize-" + optimizer);
        assertEquals(0, Cli.run("rosenbrock", "--optimizer", optimizer, "--lr", "0.04", "--epochs", "1000",
                "--out", a.toString(), "--quiet").code());
        Cli.Result r = Cli.run("minimize", "--objective", ROSENBROCK, "--start", "0,1", "--optimizer", optimizer,
                "--lr", "0.04", "--epochs", "1000", "--out", b.toString(), "--quiet");
        assertEquals(0, r.code(), r.toString());
        List<String> want = Files.readAllLines(a.resolve("trajectory.csv"));
        List<String> got = Files.readAllLines(b.resolve("trajectory.csv"));
        assertEquals(1002, got.size());
        for (int i = 0; i < want.size(); i++) {
            assertEquals(want.get(i), got.get(i), "row " + i);
        }
        assertArrayEquals(Files.readAllBytes(a.resolve("trajectory.csv")), Files.readAllBytes(b.resolve(
                "trajectory.csv")));
        // and so the recorded rosenbrock trajectories
        try (var in = RosenbrockCommandTest.class.getResourceAsStream("rosenbrock/" + optimizer + "-lr0.04-200.csv")) {
            List<String> recorded = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).lines()
                    .toList();
            assertEquals(recorded, got.subList(0, recorded.size()));
        }
    }

    /** Every optimizer option reaches the optimizer: the same options give the same numbers as rosenbrock's. */
    @Test
    void optimizerOptionsScheduleAndClippingWorkAsInRosenbrock() throws Exception {
        List<List<String>> options = List.of(
                List.of("--optimizer", "momentum", "--momentum", "0.5", "--nesterov", "--lr", "0.01",
                        "--schedule", "step(step_size=20, gamma=0.5, unit=step)", "--clip", "norm:1"),
                List.of("--optimizer", "rmsprop", "--lr", "0.01", "--alpha", "0.9", "--centered", "--weight-decay",
                        "0.01"),
                List.of("--optimizer", "lbfgs", "--line-search", "strong-wolfe", "--lr", "1", "--max-iter", "5"));
        int i = 0;
        for (List<String> o : options) {
            Path a = dir.resolve("r" + i);
            Path b = dir.resolve("m" + i++);
            List<String> ra = new ArrayList<>(List.of("rosenbrock", "--start", "-0.5,0.25", "--epochs", "60",
                    "--out", a.toString(), "--quiet"));
            ra.addAll(o);
            List<String> rb = new ArrayList<>(List.of("minimize", "--objective", ROSENBROCK, "--start", "-0.5,0.25",
                    "--epochs", "60", "--out", b.toString(), "--quiet"));
            rb.addAll(o);
            assertEquals(0, Cli.run(ra.toArray(String[]::new)).code(), ra.toString());
            Cli.Result r = Cli.run(rb.toArray(String[]::new));
            assertEquals(0, r.code(), r.toString());
            assertEquals(Files.readString(a.resolve("trajectory.csv")), Files.readString(b.resolve("trajectory.csv")),
                    String.join(" ", o));
        }
    }

    @Test
    void compareWritesATrajectoryPerOptimizerAndOneFigure() throws Exception {
        Path a = dir.resolve("rosenbrock");
        Path b = dir.resolve("minimize");
        assertEquals(0, Cli.run("rosenbrock", "--compare", "sgd,momentum,adam", "--lr", "0.04", "--epochs", "300",
                "--out", a.toString(), "--quiet").code());
        Cli.Result r = Cli.run("minimize", "--objective", ROSENBROCK, "--start", "0,1", "--compare",
                "sgd,momentum,adam", "--lr", "0.04", "--epochs", "300", "--out", b.toString());
        assertEquals(0, r.code(), "divergence is a result, not an error: " + r);
        for (String name : List.of("sgd", "momentum", "adam")) {
            Path csv = b.resolve("trajectory-" + name + ".csv");
            assertEquals(Files.readString(a.resolve("trajectory-" + name + ".csv")), Files.readString(csv), name);
        }
        assertFalse(Files.exists(b.resolve("trajectory.csv")));
        Images.check(b.resolve("minimize.png"), 1280, 1164);
        assertTrue(r.out().contains("momentum lr 0.04, 300 steps: diverged at step"), r.out());
        assertTrue(r.err().contains("trajectory-<name>.csv"), r.err());
        Map<String, Object> s = Json.parseObject(Files.readString(b.resolve("summary.json")));
        assertEquals(List.of("trajectory-sgd.csv", "trajectory-momentum.csv", "trajectory-adam.csv"),
                ((Map<?, ?>) s.get("files")).get("trajectories"));
        // the diverging momentum run does not stretch the window: it stays around the other two paths
        List<?> range = (List<?>) ((Map<?, ?>) s.get("figure")).get("range");
        for (Object v : range) {
            assertTrue(Math.abs(((Number) v).doubleValue()) < 3, "window " + range);
        }
    }

    @Test
    void rangeSetsTheWindow() throws Exception {
        Path out = dir.resolve("range");
        Cli.Result r = Cli.run("minimize", "--objective", "sin(w1) * cos(w2) + 0.1*w1^2", "--start", "0.5,0.5",
                "--optimizer", "adam", "--lr", "0.1", "--epochs", "100", "--range", "-3,3,-2,2", "--out",
                out.toString(), "--quiet");
        assertEquals(0, r.code(), r.toString());
        Map<String, Object> s = Json.parseObject(Files.readString(out.resolve("summary.json")));
        Map<?, ?> figure = (Map<?, ?>) s.get("figure");
        assertEquals(List.of(-3.0, 3.0, -2.0, 2.0), ((List<?>) figure.get("range")).stream()
                .map(v -> ((Number) v).doubleValue()).toList());
        assertEquals("--range", figure.get("range_from"));
        assertTrue(((String) figure.get("contours")).startsWith("log(f − m + 1), m = "), "f goes below 0: "
                + figure.get("contours"));
        Images.check(out.resolve("minimize.png"), 1280, 604);
    }

    @Test
    void aFormulaThatIsUndefinedInPartsOfTheWindowIsDrawn() throws Exception {
        Path out = dir.resolve("log");
        Cli.Result r = Cli.run("minimize", "--objective", "w1 - log(w1) + (w2 - 1)^2 / w1", "--start", "2,0",
                "--optimizer", "adam", "--lr", "0.05", "--epochs", "200", "--range", "-1,3,-1,2", "--out",
                out.toString(), "--quiet");
        assertEquals(0, r.code(), r.toString());
        Images.check(out.resolve("minimize.png"), 1280, 604);
    }

    @Test
    void anEverywhereDivergingRunStillGetsAWindow() throws Exception {
        Path out = dir.resolve("diverge");
        Cli.Result r = Cli.run("minimize", "--objective", "-w1^2 - w2^2", "--start", "0.1,0.2", "--optimizer",
                "sgd", "--lr", "1", "--epochs", "300", "--out", out.toString(), "--quiet");
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("diverged at step"), r.out());
        Map<String, Object> s = Json.parseObject(Files.readString(out.resolve("summary.json")));
        List<?> range = (List<?>) ((Map<?, ?>) s.get("figure")).get("range");
        for (Object v : range) {
            assertTrue(Double.isFinite(((Number) v).doubleValue()) && Math.abs(((Number) v).doubleValue()) < 20,
                    "window " + range);
        }
        Images.check(out.resolve("minimize.png"), 1280, 604);
    }

    private static MinimizeCommand.Run run(boolean diverged, double[]... points) {
        TrajectorySample sample = new TrajectorySample(2);
        for (int k = 0; k < points.length; k++) {
            sample.row(k, new float[] {(float) points[k][0], (float) points[k][1]}, 1.0);
        }
        double[] last = points[points.length - 1];
        RunSummary s = new RunSummary(2, points.length, new float[] {(float) last[0], (float) last[1]}, 1.0,
                diverged ? points.length - 1 : -1, false);
        return new MinimizeCommand.Run("r", 0.1, s, sample, -1, Map.of());
    }

    @Test
    void theDefaultWindowHoldsThePathsAndLeavesOutDivergingOnes() {
        float[] start = {0, 1};
        MinimizeCommand.Run good = run(false, new double[] {0, 1}, new double[] {1, 0}, new double[] {2, 1});
        MinimizeCommand.Run bad = run(true, new double[] {0, 1}, new double[] {5, -7}, new double[] {1e30, 1e30},
                new double[] {Double.NaN, Double.NaN});
        // the box [0, 2] x [0, 1] of the converging path, with a margin of a tenth on each side
        assertArrayEquals(new double[] {-0.2, 2.2, -0.1, 1.1}, MinimizeCommand.window(List.of(good, bad), start),
                1e-12);
        // every run diverged: their points within 10 of the start (here (5, -7) and the start)
        assertArrayEquals(new double[] {-0.5, 5.5, -7.8, 1.8}, MinimizeCommand.window(List.of(bad), start), 1e-12);
        // nothing moved: a unit square (times the margin) around the start
        assertArrayEquals(new double[] {-0.6, 0.6, 0.4, 1.6},
                MinimizeCommand.window(List.of(run(false, new double[] {0, 1})), start), 1e-12);
        // a path along one axis: the other side is a quarter of it
        assertArrayEquals(new double[] {-0.4, 4.4, 0.4, 1.6}, MinimizeCommand.window(List.of(run(false,
                new double[] {0, 1}, new double[] {4, 1})), start), 1e-12);
        // a finite run that goes far away is cut at 100 (times the start's scale) from the start
        double[] far = MinimizeCommand.window(List.of(run(false, new double[] {0, 1}, new double[] {50, 1},
                new double[] {1e9, 1})), start);
        assertEquals(55, far[1], 1e-9);
    }

    @Test
    void errorsAreOneLineWithExitStatus2() {
        String[][] cases = {
            {"(w1 + )", "0,1", "--objective: unexpected ')' at column 7 in \"(w1 + )\""},
            {"w1 + w3", "0,1", "--objective: unknown variable 'w3' at column 6 in \"w1 + w3\""},
            {"x^2 + w1", "0", "--objective: unknown variable 'x' at column 1"},
            {"foo(w1) + w2", "0,1", "--objective: unknown function 'foo' at column 1"},
            {"", "0,1", "--objective: the formula is empty"},
            {"  ", "0,1", "--objective: the formula is empty"},
            {"w1 w2", "0,1", "--objective: unexpected 'w2' at column 4"},
            {"(w1 + w2", "0,1", "--objective: missing ')' at column 9"},
            {"w1 + w2)", "0,1", "--objective: unexpected ')' at column 8"},
            {"2 + 3", "0,1", "--objective: the formula has no variable; write it in w1, w2"},
            {"w1^2", "0,1", "--start gives 2 values, but the formula's highest variable is w1: give 1 value, or use "
                    + "w2"},
            {"w1 + w2", "", "--start needs one number per variable"},
            {"w1 + w2", "1,", "--start has an empty value (value 2 of 2)"},
            {"w1 + w2", "1,NaN", "--start: 'NaN' (value 2 of 2) is not finite"},
            {"w1 + w2", "1,Infinity", "--start: 'Infinity' (value 2 of 2) is not finite"},
            {"w1 + w2", "1,1e39", "--start: '1e39' (value 2 of 2) is beyond float32's range"},
            {"w1 + w2", "1,two", "--start: 'two' (value 2 of 2) is not a number"},
        };
        for (String[] c : cases) {
            Cli.Result r = Cli.run("minimize", "--objective", c[0], "--start", c[1], "--optimizer", "adam", "--out",
                    dir.resolve("e").toString());
            assertEquals(2, r.code(), r.toString());
            assertEquals(1, r.errLines().size(), r.err());
            assertTrue(r.err().contains(c[2]), c[2] + " in " + r.err());
            assertFalse(r.err().contains("Exception") || r.err().contains("\tat "), r.err());
        }
        assertFalse(Files.exists(dir.resolve("e")), "a failed run leaves no folder");
        // {the message, the arguments...}
        String[][] more = {
            {"--range needs four numbers X0,X1,Y0,Y1", "--objective", "w1 + w2", "--start", "1,2", "--optimizer",
                "adam", "--range", "0,1,0"},
            {"--range must have X0 < X1 and Y0 < Y1", "--objective", "w1 + w2", "--start", "1,2", "--optimizer",
                "adam", "--range", "1,0,0,1"},
            {"--range: 'x' is not a number", "--objective", "w1 + w2", "--start", "1,2", "--optimizer", "adam",
                "--range", "0,1,0,x"},
            {"--range is for the figure, which needs a formula in two variables (w1, w2); this one has 3",
                "--objective", "w1 + w2 + w3", "--start", "1,2,3", "--optimizer", "adam", "--range", "0,1,0,1"},
            {"unknown optimizer 'adabelief'", "--objective", "w1", "--start", "1", "--optimizer", "adabelief"},
            {"missing --optimizer NAME", "--objective", "w1", "--start", "1"},
            {"give either --optimizer NAME or --compare", "--objective", "w1", "--start", "1", "--optimizer", "sgd",
                "--compare", "sgd,adam"},
            {"--lr must be >= 0", "--objective", "w1", "--start", "1", "--optimizer", "adam", "--lr", "-1"},
            {"--epochs must be >= 0", "--objective", "w1", "--start", "1", "--optimizer", "adam", "--epochs", "-1"},
            {"amsgrad", "--objective", "w1", "--start", "1", "--optimizer", "sgd", "--amsgrad"},
            {"Missing required option: '--objective=EXPR'", "--start", "1", "--optimizer", "sgd"},
            {"Missing required option: '--start=W1,W2,...'", "--objective", "w1", "--optimizer", "sgd"},
        };
        for (String[] c : more) {
            List<String> args = new ArrayList<>(List.of("minimize", "--out", dir.resolve("e").toString()));
            args.addAll(List.of(c).subList(1, c.length));
            Cli.Result r = Cli.run(args.toArray(String[]::new));
            assertEquals(2, r.code(), args + ": " + r);
            assertEquals(1, r.errLines().size(), r.err());
            assertTrue(r.err().contains(c[0]), c[0] + " in " + r.err());
        }
        assertFalse(Files.exists(dir.resolve("e")), "a failed run leaves no folder");
    }
}
