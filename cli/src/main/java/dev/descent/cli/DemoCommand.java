package dev.descent.cli;

import dev.descent.backend.BackendOptions;
import dev.descent.backend.Backends;
import dev.descent.cli.io.Json;
import dev.descent.data.io.DataSources;
import dev.descent.data.io.Downloader;
import dev.descent.data.io.LoadedData;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code descent demo}: the whole lecture, end to end, into one folder with a report page. */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        header = "The whole lecture end to end into one folder, with a report page. Start here.",
        description = {
            "Runs the lecture end to end and writes every figure and table into one folder, with a report page "
                    + "(report.html, and report.md) that shows them all:",
            "  1. Rosenbrock: sgd, momentum and adam from (0, 1) for 1000 steps at lr 0.04 (sgd stalls, momentum "
                    + "diverges, adam converges) and at lr 0.01;",
            "  2. the optimizer grid: sgd, momentum, adam × lr 1e-6, 2e-5, 200 full-batch epochs of softmax "
                    + "regression from zero weights on raw 0–255 pixels, cross-entropy;",
            "  3. the batch-size sweep: 8, 16, 64, 1024, 4096 with Adam at lr 1e-5;",
            "  4. training at batch 16 for 20 epochs, then the test accuracy and confusion matrix.",
            "Data: Sign Language MNIST when it can be had (local copy, download cache, or download), otherwise "
                    + "Fashion-MNIST from local files; the report says which.",
            "--quick runs a short version (a 3000-sample subset and fewer epochs; a minute or two on 2 cores), and "
                    + "the report says so. Every step is an ordinary descent command; the report lists them.",
            ""},
        footer = {"", "Example:", "  descent demo --quick --out out/demo   then open out/demo/report.html"})
final class DemoCommand extends BaseCommand {
    @Option(names = "--quick", description = "The short version: a data subset and fewer epochs.")
    boolean quick;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "out/demo",
            description = "Output folder (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--data", paramLabel = "SOURCE",
            description = "Use this data set instead (a name, or a CSV/IDX training file; give --test for a file).")
    String data;

    @Option(names = "--test", paramLabel = "SOURCE", description = "Test data when --data is a file.")
    String test;

    @Mixin
    ComputeOptions compute;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "0", description = "Seed (default: ${DEFAULT-VALUE}).")
    long seed;

    /** The settings of the full and the quick version. */
    record Plan(Integer limit, int gridEpochs, int sweepEpochs, int trainEpochs) {
    }

    static final Plan FULL = new Plan(null, 200, 20, 20);
    static final Plan QUICK = new Plan(3000, 60, 3, 5);

    private final List<String> commands = new ArrayList<>();

    @Override
    int run() throws Exception {
        compute.validate();
        Plan plan = quick ? QUICK : FULL;
        long t0 = System.nanoTime();
        Files.createDirectories(out);
        String[] chosen = chooseData();
        String trainSource = chosen[0];
        String testSource = chosen[1];
        String dataNote = chosen[2];
        note("demo: " + dataNote);
        String backendLine;
        try (var b = Backends.select(compute.backend, new BackendOptions(compute.threads, 0)).backend()) {
            backendLine = b.description();
        }

        // 1. Rosenbrock at both learning rates
        step("Rosenbrock at lr 0.04", "rosenbrock", "--compare", "sgd,momentum,adam", "--lr", "0.04", "--epochs",
                "1000", "--out", sub("rosenbrock-lr0.04"));
        step("Rosenbrock at lr 0.01", "rosenbrock", "--compare", "sgd,momentum,adam", "--lr", "0.01", "--epochs",
                "1000", "--out", sub("rosenbrock-lr0.01"));
        // ... and, for contrast, a quasi-Newton method (torch's LBFGS with its strong-Wolfe line search)
        // (one iteration per step, so that each step of the figure is one quasi-Newton iteration)
        step("Rosenbrock with LBFGS", "rosenbrock", "--optimizer", "lbfgs", "--line-search", "strong-wolfe", "--lr",
                "1", "--max-iter", "1", "--epochs", "40", "--out", sub("rosenbrock-lbfgs"));

        List<String> dataArgs = new ArrayList<>(List.of("--data", trainSource));
        if (plan.limit() != null) {
            dataArgs.addAll(List.of("--limit", Integer.toString(plan.limit())));
        }
        // 2. the optimizer grid
        List<String> grid = new ArrayList<>(List.of("compare"));
        grid.addAll(dataArgs);
        grid.addAll(List.of("--optimizers", "sgd,momentum,adam", "--lrs", "1e-6,2e-5", "--epochs",
                Integer.toString(plan.gridEpochs()), "--full-batch", "--seed", Long.toString(seed), "--out",
                sub("compare")));
        step("the optimizer grid", grid.toArray(String[]::new));
        // 3. the batch-size sweep
        List<String> sweep = new ArrayList<>(List.of("sweep"));
        sweep.addAll(dataArgs);
        sweep.addAll(List.of("--batch-sizes", "8,16,64,1024,4096", "--optimizer", "adam", "--lr", "1e-5", "--epochs",
                Integer.toString(plan.sweepEpochs()), "--seed", Long.toString(seed), "--out", sub("sweep")));
        step("the batch-size sweep", sweep.toArray(String[]::new));
        // 4. training at batch 16, then the test set
        List<String> train = new ArrayList<>(List.of("train"));
        train.addAll(dataArgs);
        if (testSource != null) {
            train.addAll(List.of("--test", testSource));
        }
        train.addAll(List.of("--batch-size", "16", "--epochs", Integer.toString(plan.trainEpochs()), "--optimizer",
                "adam", "--lr", "1e-5", "--seed", Long.toString(seed), "--out", sub("train"), "--force"));
        int trained = step("training at batch 16", train.toArray(String[]::new));
        if (testSource != null) {
            List<String> eval = new ArrayList<>(List.of("evaluate", "--model", sub("train"), "--test", testSource,
                    "--out", sub("train")));
            if (plan.limit() != null) {
                eval.addAll(List.of("--limit", Integer.toString(plan.limit())));
            }
            step("the test set", eval.toArray(String[]::new));
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        DemoReport.write(out, quick, plan, dataNote, backendLine, commands, secs, trained == ExitCodes.DIVERGED);
        note("demo finished in " + Fmt.seconds(secs) + ": open " + out.resolve("report.html"));
        out().println(out.resolve("report.html"));
        return ExitCodes.OK;
    }

    private String sub(String name) {
        return out.resolve(name).toString();
    }

    /** Runs one descent command as a step of the demo; a failure ends the demo with that command's status. */
    private int step(String what, String... args) {
        List<String> full = new ArrayList<>(List.of(args));
        if (!compute.backend.equals("auto")) {
            full.addAll(List.of("--backend", compute.backend));
        }
        if (compute.threads != 0 && !args[0].equals("rosenbrock")) {
            full.addAll(List.of("--threads", Integer.toString(compute.threads)));
        }
        if (common.quiet) {
            full.add("--quiet");
        }
        if (common.verbose) {
            full.add("--verbose");
        }
        commands.add(Main.launcherName() + " " + String.join(" ", full));
        note("");
        note("== " + what + ": " + Main.launcherName() + " " + String.join(" ", full));
        CommandLine cl = Main.commandLine();
        StringWriter captured = new StringWriter();
        cl.setOut(new PrintWriter(captured, true));
        cl.setErr(err());
        int code = cl.execute(full.toArray(String[]::new));
        String text = captured.toString().strip();
        boolean echo = args[0].equals("rosenbrock") || args[0].equals("evaluate");
        if (echo && !text.isEmpty() && !common.quiet) {
            err().println(text);
            err().flush();
        }
        if (code == ExitCodes.DIVERGED && args[0].equals("train")) {
            note("(the training run diverged; the report shows it)");
            return code;
        }
        if (code != ExitCodes.OK) {
            throw new DemoFailed(what, code);
        }
        return code;
    }

    /** Picks the data: --data, else Sign Language MNIST when available, else Fashion-MNIST. */
    private String[] chooseData() throws IOException {
        if (data != null) {
            String t = test != null ? test : Engine.isNamed(data) ? data : null;
            return new String[] {data, t, "data: " + data + (t != null ? ", test: " + t : " (no test set)")};
        }
        String why;
        try (Downloader d = new Downloader(Downloader.defaultCacheDir(), Duration.ofSeconds(30),
                Duration.ofSeconds(10))) {
            LoadedData l = DataSources.load("sign-language-mnist",
                    dev.descent.data.io.DataOptions.defaults().withDownloader(d));
            return new String[] {"sign-language-mnist", "sign-language-mnist",
                "data: Sign Language MNIST (" + l.description() + ")"};
        } catch (IOException | RuntimeException e) {
            why = Failures.message(e);
        }
        try {
            LoadedData l = DataSources.load("fashion-mnist", dev.descent.data.io.DataOptions.defaults()
                    .withDownloader(new Downloader(Downloader.defaultCacheDir(), Duration.ofSeconds(60),
                            Duration.ofSeconds(15))));
            return new String[] {"fashion-mnist", "fashion-mnist", "data: Fashion-MNIST (" + l.description()
                    + "), because Sign Language MNIST could not be had: " + why};
        } catch (IOException e) {
            throw new UsageException("no data set for the demo: Sign Language MNIST could not be had (" + why
                    + ") and neither could Fashion-MNIST (" + Failures.message(e) + "); install Debian's "
                    + "dataset-fashion-mnist package, or give --data FILE --test FILE");
        }
    }

    /** A step of the demo failed. */
    static final class DemoFailed extends RuntimeException {
        final int code;

        DemoFailed(String what, int code) {
            super("the demo step '" + what + "' failed with exit status " + code);
            this.code = code;
        }
    }

    static String timestamp() {
        return LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm", Locale.ROOT));
    }

    static Map<String, Object> readJson(Path file) throws IOException {
        return Json.readObject(file);
    }

    @Override
    Path outputFolder() {
        return out;
    }
}
