package dev.descent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Help texts, shared option names, and the demo on a small data set. */
class HelpAndDemoTest {
    @TempDir
    Path dir;

    static final List<String> COMMANDS = List.of("rosenbrock", "minimize", "train", "compare", "sweep", "evaluate",
            "demo", "backends", "bench");

    @Test
    void everyCommandHasHelp() {
        Cli.Result top = Cli.run("--help");
        assertEquals(0, top.code());
        for (String c : COMMANDS) {
            assertTrue(top.out().contains(c), "top help lists " + c);
            Cli.Result r = Cli.run(c, "--help");
            assertEquals(0, r.code(), c + ": " + r);
            assertTrue(r.out().contains("Usage: descent " + c), r.out());
            assertTrue(r.out().contains("--quiet") && r.out().contains("--verbose"), c);
        }
        Cli.Result none = Cli.run();
        assertEquals(2, none.code(), "a missing command is a usage error");
        assertTrue(Cli.run("--version").out().contains("descent"));
    }

    @Test
    void optionNamesAreSharedAcrossCommands() {
        CommandLine cl = Main.commandLine();
        for (String opt : List.of("--optimizer", "--lr", "--momentum", "--dampening", "--nesterov", "--weight-decay",
                "--betas", "--eps", "--amsgrad", "--alpha", "--centered", "--lr-decay", "--initial-accumulator",
                "--momentum-decay", "--rho", "--maximize", "--schedule", "--clip")) {
            for (String c : List.of("rosenbrock", "minimize", "train", "sweep")) {
                assertTrue(cl.getSubcommands().get(c).getCommandSpec().findOption(opt) != null, c + " has " + opt);
            }
        }
        for (String opt : List.of("--data", "--test", "--model", "--loss", "--hidden", "--bias",
                "--classes", "--label-column", "--scale", "--epochs", "--seed", "--no-shuffle", "--backend",
                "--threads", "--out", "--batch-size", "--full-batch")) {
            for (String c : List.of("train", "compare")) {
                assertTrue(cl.getSubcommands().get(c).getCommandSpec().findOption(opt) != null, c + " has " + opt);
            }
        }
        for (String opt : List.of("--checkpoint-every", "--resume", "--json")) {
            assertTrue(cl.getSubcommands().get("train").getCommandSpec().findOption(opt) != null, opt);
        }
    }

    @Test
    void demoOnASmallDataSetWritesTheReport() throws Exception {
        Path train = Cli.blobs(dir, "train.csv", 120, 6, 3, 1, 40.0);
        Path test = Cli.blobs(dir, "test.csv", 45, 6, 3, 2, 40.0);
        Path out = dir.resolve("demo");
        Cli.Result r = Cli.run("demo", "--quick", "--data", train.toString(), "--test", test.toString(), "--out",
                out.toString(), "--quiet");
        assertEquals(0, r.code(), r.toString());
        String html = Files.readString(out.resolve("report.html"));
        Matcher m = Pattern.compile("<img src=\"([^\"]+)\"").matcher(html);
        int images = 0;
        while (m.find()) {
            images++;
            Images.check(out.resolve(m.group(1)), 0, 0);
        }
        assertEquals(6, images, "three Rosenbrock figures, the grid, the sweep, the training");
        assertTrue(html.contains("For contrast, a quasi-Newton method: torch's LBFGS"), "the LBFGS paragraph");
        assertTrue(html.contains("Quick version"), "the report says it is the quick version");
        assertTrue(html.contains("<table>"));
        assertTrue(html.contains("Confusion matrix"));
        assertTrue(Files.readString(out.resolve("report.md")).contains("![")); 
        for (String f : List.of("rosenbrock-lr0.04/trajectory-momentum.csv", "rosenbrock-lbfgs/trajectory.csv",
                "compare/compare.csv", "sweep/sweep.csv",
                "train/metrics.csv", "train/model.npz", "train/summary.json")) {
            assertTrue(Files.isRegularFile(out.resolve(f)), f);
        }
    }
}
