package dev.descent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.cli.io.Json;
import dev.descent.optim.Optimizers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every optimizer from the command line: the help and the README list each with its defaults, the options of NAdam,
 * RAdam, Adamax and Adadelta reach them (Rosenbrock runs end where torch 1.13's do), and {@code rosenbrock},
 * {@code compare}, {@code sweep} and {@code train} (with {@code --resume}) take any of them, {@code compare} and
 * {@code rosenbrock --compare} all of them at once.
 */
class OptimizersCliTest {
    @TempDir
    Path dir;

    /** Whether some line of {@code text} starts (after spaces) with {@code name} and it or the next gives {@code v}. */
    private static boolean listed(List<String> lines, String name, String value) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).matches("\\s*\\|? ?`?" + java.util.regex.Pattern.quote(name) + "\\b.*")) {
                String two = lines.get(i) + " " + (i + 1 < lines.size() ? lines.get(i + 1) : "");
                if (two.contains(value)) {
                    return true;
                }
            }
        }
        return false;
    }

    @Test
    void helpListsEveryOptimizerWithItsDefaults() {
        for (String c : List.of("rosenbrock", "minimize", "train", "compare", "sweep")) {
            Cli.Result r = Cli.run(c, "--help");
            assertEquals(0, r.code(), r.toString());
            List<String> lines = r.out().lines().toList();
            for (String n : Optimizers.names()) {
                String lr = Fmt.number(Optimizers.defaults(n).lr());
                assertTrue(listed(lines, n, lr), c + " help lists " + n + " with its default lr " + lr + ":\n"
                        + r.out());
            }
        }
    }

    @Test
    void theHelpSectionGivesTheDefaultsAsOptions() {
        String help = Cli.run("train", "--help").out();
        assertTrue(help.contains("Optimizers (torch 1.13's rules"), help);
        for (String line : help.substring(help.indexOf("Optimizers (")).lines().takeWhile(l -> !l.isBlank())
                .toList()) {
            assertTrue(line.length() <= 79, "a line of the optimizer list is too wide: " + line);
        }
        String flat = help.replaceAll("\\s+", " ");
        for (String n : Optimizers.names()) {
            assertTrue(flat.contains(OptimizerHelp.defaults(n)), "help gives the defaults of " + n);
        }
        assertEquals("--lr 0.002 --betas 0.9,0.999 --eps 1e-8 --weight-decay 0 --momentum-decay 0.004",
                OptimizerHelp.defaults("nadam"));
        assertEquals("--lr 0.001 --betas 0.9,0.999 --eps 1e-8 --weight-decay 0", OptimizerHelp.defaults("radam"));
        assertEquals("--lr 0.002 --betas 0.9,0.999 --eps 1e-8 --weight-decay 0", OptimizerHelp.defaults("adamax"));
        assertEquals("--lr 1 --rho 0.9 --eps 1e-6 --weight-decay 0", OptimizerHelp.defaults("adadelta"));
        assertEquals("--lr 0.001 --momentum 0.9 --weight-decay 0", OptimizerHelp.defaults("ema-momentum"));
    }

    @Test
    void readmeListsEveryOptimizerWithItsDefaults() throws Exception {
        List<String> rows = Files.readAllLines(Path.of("README.md")).stream().filter(l -> l.startsWith("| `"))
                .toList();
        for (String n : Optimizers.names()) {
            assertTrue(rows.stream().anyMatch(l -> l.startsWith("| `" + n + "` |")), "cli/README.md has a row for "
                    + n);
        }
        String nadam = rows.stream().filter(l -> l.startsWith("| `nadam` |")).findFirst().orElseThrow();
        assertTrue(nadam.contains("0.004") || nadam.contains("4e-3"), "nadam's momentum decay: " + nadam);
        String adadelta = rows.stream().filter(l -> l.startsWith("| `adadelta` |")).findFirst().orElseThrow();
        assertTrue(adadelta.contains("rho 0.9") && adadelta.contains("1e-6"), "adadelta's rho and eps: " + adadelta);
    }

    /** The golden end points are torch 1.13's (integration-tests/.../rosenbrock2.txt, 200 steps from (0, 1)). */
    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', value = {
        "nadam    | --lr 0.02                                                       | 0.800566673 | 0.630659521",
        "nadam    | --lr 0.02 --betas 0.8,0.99 --eps 0.001 --momentum-decay 0.01    | 0.831618071 | 0.6832394",
        "nadam    | --lr 0.02 --weight-decay 0.1                                    | 0.779015899 | 0.596779764",
        "radam    | --lr 0.02                                                       | 0.453024417 | 0.15282914",
        "radam    | --lr 0.02 --betas 0.9,0.9 --eps 1e-6                            | 1.00023293  | 0.997966409",
        "adamax   | --lr 0.02 --betas 0.8,0.5 --eps 0.01                            | 0.939351141 | 0.899204314",
        "adadelta | --lr 1                                                          | 0.921332717 | 0.845292032",
        "adadelta | --lr 1 --rho 0.8 --eps 1e-4                                     | 0.927727461 | 0.711232543"})
    void rosenbrockEndsWhereTorchDoes(String optimizer, String options, String w1, String w2) throws Exception {
        Path out = dir.resolve("r");
        List<String> args = new ArrayList<>(List.of("rosenbrock", "--optimizer", optimizer, "--epochs", "200",
                "--out", out.toString(), "--quiet"));
        args.addAll(List.of(options.trim().split(" +")));
        Cli.Result r = Cli.run(args.toArray(String[]::new));
        assertEquals(0, r.code(), r.toString());
        String[] last = Files.readAllLines(out.resolve("trajectory.csv")).getLast().split(",");
        assertEquals("200", last[0]);
        assertEquals(Float.parseFloat(w1), Float.parseFloat(last[1]), 0, "w1 after 200 steps, bit for bit");
        assertEquals(Float.parseFloat(w2), Float.parseFloat(last[2]), 0, "w2 after 200 steps, bit for bit");
    }

    @Test
    void rosenbrockComparesEveryOptimizerInOneFigure() throws Exception {
        Path out = dir.resolve("all");
        String all = String.join(",", Optimizers.names());
        Cli.Result r = Cli.run("rosenbrock", "--compare", all, "--lr", "0.01", "--epochs", "50", "--out",
                out.toString(), "--quiet");
        assertEquals(0, r.code(), r.toString());
        for (String n : Optimizers.names()) {
            assertEquals(52, Files.readAllLines(out.resolve("trajectory-" + n + ".csv")).size(), n);
        }
        // a panel per optimizer and the losses (11 and 1: 4 columns of 640, 3 rows of 560), below a 44-pixel title
        int panels = Optimizers.names().size() + 1;
        int cols = dev.descent.cli.plot.Charts.columns(panels, 2);
        Images.check(out.resolve("rosenbrock.png"), cols * 640, (panels + cols - 1) / cols * 560 + 44);
        Map<String, Object> s = Json.parseObject(Files.readString(out.resolve("summary.json")));
        assertEquals(Optimizers.names().size(), ((List<?>) s.get("runs")).size());
    }

    @Test
    void compareTakesEveryOptimizer() throws Exception {
        Path data = Cli.blobs(dir, "d.csv", 60, 4, 3, 1, 5.0);
        Path out = dir.resolve("cmp");
        Cli.Result r = Cli.run("compare", "--data", data.toString(), "--optimizers",
                String.join(",", Optimizers.names()), "--lrs", "0.01", "--epochs", "3", "--full-batch", "--out",
                out.toString(), "--rho", "0.95", "--momentum-decay", "0.01", "--quiet");
        // --rho and --momentum-decay reach only the optimizers that have them: the others refuse them, before any run
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("sgd: unknown setting 'momentum_decay'"), r.err());
        assertTrue(!Files.exists(out.resolve("compare.csv")));
        r = Cli.run("compare", "--data", data.toString(), "--optimizers", String.join(",", Optimizers.names()),
                "--lrs", "0.01,0.001", "--epochs", "3", "--full-batch", "--out", out.toString(), "--quiet");
        assertEquals(0, r.code(), r.toString());
        List<String> lines = Files.readAllLines(out.resolve("compare.csv"));
        for (String n : Optimizers.names()) {
            assertEquals(6, lines.stream().filter(l -> l.startsWith(n + ",")).count(), n + ": " + lines);
        }
        // a panel per optimizer (11: 4 columns of 560, 3 rows of 480) below a 44-pixel title
        int panels = Optimizers.names().size();
        int cols = dev.descent.cli.plot.Charts.columns(panels, 3);
        Images.check(out.resolve("compare.png"), cols * 560, (panels + cols - 1) / cols * 480 + 44);
        assertEquals(2 * panels, r.out().lines().count(), r.out());
    }

    @Test
    void sweepTakesTheNewOptimizersAndTheirOptions() throws Exception {
        Path data = Cli.blobs(dir, "d.csv", 80, 4, 2, 3, 1.0);
        for (String[] opt : new String[][] {{"nadam", "--momentum-decay", "0.01"}, {"radam", "--betas", "0.8,0.99"},
            {"adamax", "--eps", "1e-6"}, {"adadelta", "--rho", "0.95"}}) {
            Path out = dir.resolve("sw-" + opt[0]);
            Cli.Result r = Cli.run("sweep", "--data", data.toString(), "--batch-sizes", "8,32", "--optimizer", opt[0],
                    opt[1], opt[2], "--lr", "0.01", "--epochs", "2", "--out", out.toString(), "--quiet");
            assertEquals(0, r.code(), opt[0] + ": " + r);
            assertEquals(1 + 2 * 2, Files.readAllLines(out.resolve("sweep.csv")).size(), opt[0]);
            Map<String, Object> s = Json.parseObject(Files.readString(out.resolve("summary.json")));
            assertEquals(opt[0], s.get("optimizer"), opt[0]);
        }
    }

    @Test
    void trainRecordsTheSettingsAndAResumedRunContinuesBitForBit() throws Exception {
        Path train = Cli.blobs(dir, "train.csv", 120, 5, 3, 11, 1.0);
        for (String[] opt : new String[][] {{"nadam", "--momentum-decay", "0.01"}, {"radam", "--weight-decay", "0.01"},
            {"adamax", "--betas", "0.8,0.99"}, {"adadelta", "--rho", "0.95"}}) {
            List<String> common = List.of("train", "--data", train.toString(), "--model", "mlp", "--hidden", "8",
                    "--batch-size", "16", "--optimizer", opt[0], opt[1], opt[2], "--seed", "3", "--quiet");
            Path whole = dir.resolve(opt[0] + "-whole");
            Cli.Result r = Cli.run(Child.concat(common, "--epochs", "4", "--out", whole.toString())
                    .toArray(String[]::new));
            assertEquals(0, r.code(), r.toString());
            Map<String, Object> s = Json.parseObject(Files.readString(whole.resolve("summary.json")));
            Map<?, ?> settings = (Map<?, ?>) s.get("settings");
            assertEquals(opt[0], settings.get("optimizer"));
            Map<?, ?> os = (Map<?, ?>) settings.get("optimizer_settings");
            assertEquals(Optimizers.defaults(opt[0]).lr(), ((Number) os.get("lr")).doubleValue(), 0,
                    opt[0] + " trains at torch's default lr");
            Path parts = dir.resolve(opt[0] + "-parts");
            r = Cli.run(Child.concat(common, "--epochs", "2", "--checkpoint-every", "1", "--out", parts.toString())
                    .toArray(String[]::new));
            assertEquals(0, r.code(), r.toString());
            r = Cli.run("train", "--resume", parts.toString(), "--epochs", "4", "--quiet");
            assertEquals(0, r.code(), opt[0] + ": " + r);
            Child.assertSameRun(whole, parts, 4);
        }
    }

    @Test
    void badSettingsOfTheNewOptimizersAreUsageErrors() {
        Path out = dir.resolve("bad");
        Cli.Result r = Cli.run("rosenbrock", "--optimizer", "adadelta", "--rho", "1.5", "--out", out.toString());
        assertEquals(2, r.code(), r.toString());
        assertEquals(1, r.errLines().size(), r.err());
        assertTrue(r.err().contains("adadelta: invalid rho 1.5: must be in [0, 1]"), r.err());
        r = Cli.run("rosenbrock", "--optimizer", "nadam", "--momentum-decay", "-1", "--out", out.toString());
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("nadam: invalid momentum_decay -1"), r.err());
        r = Cli.run("rosenbrock", "--optimizer", "adam", "--rho", "0.9", "--out", out.toString());
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("adam: unknown setting 'rho'"), r.err());
        r = Cli.run("train", "--data", "x.csv", "--optimizer", "radam", "--betas", "0.9,1", "--out", out.toString());
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("radam: invalid betas[1] (beta2) 1"), r.err());
    }
}
