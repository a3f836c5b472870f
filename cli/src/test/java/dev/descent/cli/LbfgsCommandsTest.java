package dev.descent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.backend.Backend;
import dev.descent.backend.BackendOptions;
import dev.descent.backend.Backends;
import dev.descent.cli.io.Json;
import dev.descent.objective.ObjectiveMinimizer;
import dev.descent.objective.Rosenbrock;
import dev.descent.objective.Trajectory;
import dev.descent.optim.Lbfgs;
import dev.descent.optim.LbfgsOptions;
import dev.descent.optim.Optimizers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --optimizer lbfgs} in rosenbrock, train (with resume), compare and sweep, its options, errors and help. */
class LbfgsCommandsTest {
    @TempDir
    Path dir;

    @Test
    void rosenbrockWritesOneRowPerLbfgsStep() throws Exception {
        Path out = dir.resolve("r");
        Cli.Result r = Cli.run("rosenbrock", "--optimizer", "lbfgs", "--line-search", "strong-wolfe", "--lr", "1",
                "--history-size", "5", "--max-iter", "4", "--epochs", "6", "--out", out.toString());
        assertEquals(0, r.code(), r.toString());
        List<String> rows = Files.readAllLines(out.resolve("trajectory.csv"));
        assertEquals("step,w1,w2,loss", rows.getFirst());
        assertEquals(1 + 7, rows.size(), rows.toString());
        // the library's run, row for row
        LbfgsOptions options = LbfgsOptions.defaults().withLineSearch(LbfgsOptions.LineSearch.STRONG_WOLFE)
                .withHistorySize(5).withMaxIter(4);
        Trajectory t;
        try (Backend b = Backends.select("cpu", BackendOptions.defaults()).backend()) {
            t = ObjectiveMinimizer.minimize(b, Rosenbrock.lecture(), new float[] {0f, 1f},
                    ps -> new Lbfgs(options, ps, null), 6, false);
        }
        for (int k = 0; k <= 6; k++) {
            String[] f = rows.get(k + 1).split(",");
            assertEquals(k, Integer.parseInt(f[0]));
            assertEquals(t.parameter(k, 0), Float.parseFloat(f[1]), 0f, "row " + k);
            assertEquals(t.parameter(k, 1), Float.parseFloat(f[2]), 0f, "row " + k);
        }
        assertTrue(Math.abs(t.parameter(6, 0) - 1) < 1e-3, "converges: " + rows.getLast());
        Map<String, Object> s = Json.parseObject(Files.readString(out.resolve("summary.json")));
        Map<?, ?> settings = (Map<?, ?>) ((Map<?, ?>) ((List<?>) s.get("runs")).getFirst()).get("settings");
        assertEquals(5.0, ((Number) settings.get("history_size")).doubleValue());
        assertEquals(4.0, ((Number) settings.get("max_iter")).doubleValue());
        assertEquals(5.0, ((Number) settings.get("max_eval")).doubleValue());
        assertEquals(1.0, ((Number) settings.get("line_search")).doubleValue());
    }

    @Test
    void rosenbrockComparesLbfgsWithTheOthers() throws Exception {
        Path out = dir.resolve("cmp");
        Cli.Result r = Cli.run("rosenbrock", "--compare", "adam,lbfgs", "--lr", "0.04", "--epochs", "50", "--out",
                out.toString());
        assertEquals(0, r.code(), r.toString());
        assertTrue(Files.exists(out.resolve("trajectory-lbfgs.csv")));
        assertTrue(r.out().contains("lbfgs lr 0.04, 50 steps"), r.out());
    }

    private List<String> trainArgs(Path data, Path out, String... more) {
        List<String> a = new java.util.ArrayList<>(List.of("train", "--data", data.toString(), "--optimizer", "lbfgs",
                "--line-search", "strong-wolfe", "--max-iter", "5", "--history-size", "4", "--seed", "3", "--out",
                out.toString(), "--quiet"));
        a.addAll(List.of(more));
        return a;
    }

    @Test
    void trainDefaultsToTheFullBatchAndResumesBitForBit() throws Exception {
        Path data = Cli.blobs(dir, "d.csv", 150, 5, 3, 4, 1.0);
        Path reference = dir.resolve("reference");
        Cli.Result r = Cli.run(trainArgs(data, reference, "--epochs", "5").toArray(String[]::new));
        assertEquals(0, r.code(), r.toString());
        Map<String, Object> s = Json.parseObject(Files.readString(reference.resolve("summary.json")));
        Map<?, ?> settings = (Map<?, ?>) s.get("settings");
        assertEquals(Boolean.TRUE, settings.get("full_batch"), s.toString());
        assertEquals("lbfgs", settings.get("optimizer"));
        List<String> metrics = Files.readAllLines(reference.resolve("metrics.csv"));
        assertEquals(6, metrics.size(), metrics.toString());

        // two epochs, then the run extended to five from its last checkpoint
        Path resumed = dir.resolve("resumed");
        assertEquals(0, Cli.run(trainArgs(data, resumed, "--epochs", "2", "--checkpoint-every", "1")
                .toArray(String[]::new)).code());
        Cli.Result more = Cli.run("train", "--resume", resumed.toString(), "--epochs", "5", "--quiet");
        assertEquals(0, more.code(), more.toString());
        Child.assertSameRun(reference, resumed, 5);
    }

    @Test
    void trainWithMinibatchesSaysWhatAStepIs() throws Exception {
        Path data = Cli.blobs(dir, "d.csv", 150, 5, 3, 4, 1.0);
        Cli.Result r = Cli.run("train", "--data", data.toString(), "--optimizer", "lbfgs", "--batch-size", "50",
                "--epochs", "2", "--out", dir.resolve("mb").toString());
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.err().contains("lbfgs makes one step per batch"), r.err());
        assertTrue(r.err().contains("3 batches per epoch"), r.err());
    }

    @Test
    void badLbfgsSettingsAreUsageErrors() throws Exception {
        Path data = Cli.blobs(dir, "d.csv", 30, 3, 2, 4, 1.0);
        String[][] cases = {
                {"--clip", "norm:1", "does not clip"},
                {"--max-iter", "0", "max_iter"},
                {"--history-size", "0", "history_size"},
                {"--line-search", "armijo", "none or strong_wolfe"},
                {"--tolerance-grad", "-1", "tolerance_grad"}};
        for (String[] c : cases) {
            Cli.Result r = Cli.run("train", "--data", data.toString(), "--optimizer", "lbfgs", c[0], c[1], "--out",
                    dir.resolve("bad").toString());
            assertEquals(ExitCodes.USAGE, r.code(), c[0] + ": " + r);
            assertTrue(r.err().contains(c[2]), c[0] + ": " + r.err());
        }
        Cli.Result r = Cli.run("train", "--data", data.toString(), "--optimizer", "adam", "--max-iter", "3", "--out",
                dir.resolve("bad").toString());
        assertEquals(ExitCodes.USAGE, r.code(), r.toString());
        assertTrue(r.err().contains("unknown setting 'max_iter'"), r.err());
    }

    @Test
    void compareAndSweepAcceptLbfgs() throws Exception {
        Path data = Cli.blobs(dir, "d.csv", 90, 5, 3, 1, 1.0);
        Path cmp = dir.resolve("cmp");
        Cli.Result r = Cli.run("compare", "--data", data.toString(), "--optimizers", "lbfgs,adam", "--lrs",
                "0.01,1", "--epochs", "3", "--out", cmp.toString(), "--quiet");
        assertEquals(0, r.code(), r.toString());
        List<String> lines = Files.readAllLines(cmp.resolve("compare.csv"));
        assertEquals(3, lines.stream().filter(l -> l.startsWith("lbfgs,1.0,")).count(), lines.toString());
        Path sw = dir.resolve("sw");
        r = Cli.run("sweep", "--data", data.toString(), "--optimizer", "lbfgs", "--lr", "1", "--batch-sizes",
                "30,4096", "--epochs", "2", "--out", sw.toString());
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.err().contains("lbfgs makes one step per batch"), r.err());
        assertEquals(1 + 2 * 2, Files.readAllLines(sw.resolve("sweep.csv")).size());
    }

    @Test
    void helpListsEveryOptimizerWithItsDefaults() {
        for (String c : List.of("rosenbrock", "minimize", "train", "compare", "sweep")) {
            Cli.Result r = Cli.run(c, "--help");
            assertEquals(0, r.code(), r.toString());
            String help = r.out().replaceAll("\\s+", " ");
            for (String name : Optimizers.names()) {
                assertTrue(help.matches("(?s).* " + name + " [^-]*--lr .*"), c + " --help lists " + name
                        + " with defaults");
            }
            assertTrue(help.contains("--lr 1 --max-iter 20 --max-eval 25 --tolerance-grad 1e-7 "
                    + "--tolerance-change 1e-9 --history-size 100 --line-search none"), c + ": " + help);
            for (String opt : List.of("--line-search", "--history-size", "--max-iter", "--max-eval",
                    "--tolerance-grad", "--tolerance-change")) {
                assertTrue(help.contains(opt), c + " --help has " + opt);
            }
        }
    }
}
