package dev.descent.cli;

import dev.descent.backend.Backend;
import dev.descent.backend.Backends;
import dev.descent.cli.io.AtomicFiles;
import dev.descent.cli.io.Csv;
import dev.descent.cli.io.Json;
import dev.descent.cli.plot.Charts;
import dev.descent.data.DeviceDataset;
import dev.descent.dist.Communicator;
import dev.descent.dist.Communicators;
import dev.descent.model.ModelSpec;
import dev.descent.optim.Optimizers;
import dev.descent.train.BestEpoch;
import dev.descent.train.Checkpoint;
import dev.descent.train.Divergence;
import dev.descent.train.EarlyStopping;
import dev.descent.train.EpochMetrics;
import dev.descent.train.Evaluation;
import dev.descent.train.TrainingListener;
import dev.descent.train.TrainingResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jfree.chart.JFreeChart;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code descent train}: trains a model on a data set, with checkpoints and resume. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        header = "Train a model: metrics, summary, loss plot, saved model, checkpoints and resume.",
        description = {
            "Trains a model (softmax regression by default) on a data set and writes, into --out DIR:",
            "  metrics.csv    epoch,train_loss[,test_loss,test_accuracy],seconds[,val_loss,val_accuracy]  (one row per "
                    + "epoch; train_loss as the lecture computes it: Σ batch loss × batch size / n, each batch's loss "
                    + "before its step; seconds: the epoch's training wall time; the val_ columns with a validation "
                    + "set; a regression model has test_mae and val_mae instead of the accuracies)",
            "  summary.json   every setting, the backend and vector width, data shapes, final metrics, whether and "
                    + "where it diverged, the best epoch with --early-stopping, total time",
            "  loss.png       the loss curves (and accuracy), validation included",
            "  model.npz + model.json   the trained model, readable by NumPy (see model.json); 'descent evaluate' "
                    + "loads it; with --early-stopping, the best epoch's weights",
            "  checkpoints/   with --checkpoint-every N (and on Ctrl-C): everything needed to continue with --resume",
            "",
            "A run owns its folder: a second run on the same --out is refused while the first runs (naming its "
                    + "process id), and a new run is refused in a folder that holds an earlier run unless --force "
                    + "(which deletes that run's files first) or --resume (which continues it). Every checkpoint "
                    + "carries its run's identity (run.json's run_id): a run never resumes from another's.",
            "",
            "Validation: --val-split F holds out a fraction of the training data (stratified by class, drawn with "
                    + "--seed), or --val DATA gives a validation set; it is evaluated after every epoch. The test "
                    + "set (--test) is only reported; --early-stopping PATIENCE watches the validation set "
                    + "(--monitor val_loss or val_accuracy, --min-delta D) and needs one.",
            "",
            "Exit status 3 when the loss diverges (outputs up to that point are written; summary.json says where).",
            "Under 'mpirun -np N ./descent train ...' the batches are split across the processes; rank 0 writes.",
            ""},
        footer = {"", "Examples:",
            "  descent train --data fashion-mnist --test fashion-mnist --batch-size 16 --epochs 20 --optimizer adam "
                    + "--lr 1e-5",
            "  descent train --data train.csv --test test.csv --model mlp --hidden 256,128 --scale standardize "
                    + "--checkpoint-every 1 --out out/mlp",
            "  descent train --data fashion-mnist --test fashion-mnist --val-split 0.1 --early-stopping 5 --epochs 100",
            "  descent train --resume out/mlp        (continue a stopped or killed run)"})
final class TrainCommand extends BaseCommand {
    @Mixin
    DataOptions data;

    @Mixin
    ModelOptions model;

    @Mixin
    BatchOptions batch;

    @Option(names = "--drop-last",
            description = "Leave out each epoch's final batch when it is smaller than --batch-size (torch's "
                    + "DataLoader drop_last): every step then has the same batch size; the rows left out differ "
                    + "from epoch to epoch.")
    boolean dropLast;

    @Mixin
    ValidationOptions validation;

    @Mixin
    RunOptions runOptions;

    @Option(names = "--optimizer", paramLabel = "NAME", converter = Converters.Name.class, defaultValue = "adam",
            description = "Optimizer: " + OptimizerSettings.NAMES + " (default: ${DEFAULT-VALUE}).")
    String optimizer;

    @Option(names = "--lr", paramLabel = "LR", converter = Converters.Finite.class,
            description = "Learning rate (default: the optimizer's torch default, listed below).")
    Double lr;

    @Mixin
    OptimizerSettings settings;

    @Mixin
    ComputeOptions compute;

    @Option(names = "--out", paramLabel = "DIR",
            description = "Output folder (default: out/train, or the --resume folder).")
    Path out;

    @Option(names = "--checkpoint-every", paramLabel = "N",
            description = "Write a checkpoint every N epochs into DIR/checkpoints (atomically; the newest 2 are kept).")
    Integer checkpointEvery;

    @Option(names = "--resume", paramLabel = "DIR",
            description = "Continue the run whose output folder is DIR from its newest checkpoint. Without --data, the "
                    + "options of that run are used again.")
    Path resume;

    @Option(names = "--force",
            description = "Start a new run even if --out holds an earlier run: delete that run's files (run.json, "
                    + "metrics.csv, summary.json, loss.png, model.*, checkpoints) first; other files stay.")
    boolean force;

    @Option(names = "--json", description = "Print summary.json on standard output.")
    boolean json;

    /** Test hook: sleep this long after each epoch (to kill a run at a known point). */
    @Option(names = "--slow-epochs", hidden = true, defaultValue = "0")
    long slowEpochMillis;

    private Communicator comm = Communicator.single();

    static final int DEFAULT_BATCH = 64;
    static final int DEFAULT_EPOCHS = 10;
    static final String RUN_FILE = "run.json";
    /** The batch size when none is given: 64, or the full batch for lbfgs (torch's LBFGS is a full-batch method). */
    private int defaultBatch = DEFAULT_BATCH;

    /** What a minibatch means for an optimizer that evaluates the loss itself. */
    static String lbfgsMinibatchNote(String optimizer) {
        return "note: " + optimizer + " makes one step per batch, re-evaluating that batch as often as the step needs; "
                + "torch's LBFGS is meant for the whole data set at once (--full-batch, train's default for "
                + optimizer + ")";
    }

    @Override
    int run() throws Exception {
        if (resume != null && data.data == null) {
            return rerunWithSavedOptions();
        }
        // ---- validate everything before any heavy work
        data.validate();
        model.validate();
        batch.validate();
        validation.validate();
        validation.earlyStopping(!model.model.equals("linear")); // val_accuracy on regression, before reading data
        int epochs = runOptions.epochs(DEFAULT_EPOCHS);
        if (checkpointEvery != null && checkpointEvery < 1) {
            throw usage("--checkpoint-every must be >= 1, got " + checkpointEvery);
        }
        Optimizers.Builder opt = Engine.optimizer(optimizer, lr != null ? lr : Double.NaN, settings);
        defaultBatch = Optimizers.needsClosure(optimizer) ? 0 : DEFAULT_BATCH;
        int batchSize = batch.batchSize(defaultBatch);
        compute.validate();
        Path dir = out != null ? out : resume != null ? resume : Path.of("out", "train");
        boolean continuesInPlace = resume != null && sameFolder(dir, resume);
        if (force && continuesInPlace) {
            throw usage("--force starts a new run; it cannot be combined with --resume " + resume
                    + " into the same folder (give another --out, or leave out --force)");
        }

        comm = Communicators.detect();
        boolean finished = false;
        OutputFolder folder = null;
        try {
            // Rank 0 owns the output folder for the whole run: no second run can write into it meanwhile.
            if (comm.rank() == 0) {
                folder = OutputFolder.claim(dir, "train");
                if (!continuesInPlace) {
                    if (force) {
                        OutputFolder.clearEarlierRun(dir);
                    } else {
                        refuseEarlierRun(dir);
                    }
                }
            }
            Checkpoint checkpoint = resume != null ? latestCheckpoint(resume) : null;
            int code = train(dir, checkpoint, epochs, batchSize, opt);
            finished = true;
            return code;
        } finally {
            if (folder != null) {
                folder.close();
            }
            if (finished && comm.size() > 1) {
                comm.barrier();
                comm.close();
            }
        }
    }

    private int train(Path dir, Checkpoint checkpoint, int epochs, int batchSize, Optimizers.Builder opt)
            throws Exception {
        boolean rank0 = comm.rank() == 0;
        Progress progress = new Progress(err(), rank0 ? Progress.detect(common.quiet) : Progress.Mode.QUIET,
                comm.size() > 1 ? "rank 0" : "");
        java.util.function.Consumer<String> say = rank0 ? this::note : s -> { };
        if (comm.size() > 1) {
            say.accept("data-parallel run: " + comm.description());
        }
        long t0 = System.nanoTime();
        Engine.Data d = Engine.loadData(data, Engine.regressionTargets(model, data), say, validation,
                runOptions.seed);
        say.accept(d.description());
        if (validation.val != null && validation.val.equals(data.test)) {
            say.accept("note: --val and --test name the same data: the test numbers are then no longer held out from "
                    + "the choices made on the validation set");
        }
        ModelSpec spec = Engine.modelSpec(model, d.train(), runOptions.seed, data.classes);
        EarlyStopping earlyStopping = validation.earlyStopping(d.train().isClassification());
        if (dropLast && batchSize > d.train().samples()) {
            throw usage("--drop-last with --batch-size " + batchSize + " leaves no batch: the training data has only "
                    + d.train().samples() + " samples");
        }
        if (spec.loss() instanceof dev.descent.loss.LossSpec.Nll) {
            say.accept("note: --loss nll takes the model's outputs as log-probabilities; this model's are logits, on "
                    + "which nll is unbounded below (--loss ce is nll of their log-softmax)");
        }
        if (batchSize > d.train().samples()) {
            say.accept("note: --batch-size " + batchSize + " exceeds the " + d.train().samples()
                    + " training samples: one batch per epoch");
        } else if (batchSize != 0 && Optimizers.needsClosure(optimizer)) {
            say.accept(lbfgsMinibatchNote(optimizer));
        }
        // The run's identity: new for a new run, the checkpoint's when continuing; in run.json and every checkpoint.
        String runId = checkpoint != null ? checkpoint.runId() : Checkpoint.newRunId();
        Map<Integer, Double> oldSeconds = checkpoint != null ? readSeconds(resume.resolve("metrics.csv"))
                : Map.of();
        Path checkpointDir = dir.resolve("checkpoints");
        Engine.hintWorkload(spec, batchSize);
        Backends.Selection sel = Engine.backend(compute, say, common.verbose);
        // Each process holds its share of a batch; the test data is evaluated in batches of up to 1024 rows.
        int batchRows = Math.max(ceilDiv(BatchOptions.rows(batchSize, d.train().samples()), comm.size()),
                Math.max(d.hasTest() ? ceilDiv(Math.min(1024, d.test().samples()), comm.size()) : 0,
                        d.hasValidation() ? ceilDiv(Math.min(1024, d.validation().samples()), comm.size()) : 0));
        try (Backend backend = Engine.fitting(sel.backend(), spec, model, data.classes,
                    batch.describe(defaultBatch), batchRows);
             DeviceDataset train = d.train().upload(backend);
             DeviceDataset valSet = d.hasValidation() ? d.validation().upload(backend) : null;
             DeviceDataset test = d.hasTest() ? d.test().upload(backend) : null) {
            // run.json is written once the run is known to fit (the folder, held since the start, is removed again
            // if the run fails before writing anything).
            if (rank0 && (checkpoint == null || !sameFolder(dir, resume))) {
                Map<String, Object> run = new LinkedHashMap<>();
                run.put("command", "train");
                run.put("run_id", runId);
                run.put("args", originalArgs());
                AtomicFiles.writeString(dir.resolve(RUN_FILE), Json.write(run));
            }
            List<EpochMetrics> rows = new ArrayList<>(checkpoint != null ? checkpoint.history() : List.of());
            Map<Integer, Double> seconds = new HashMap<>(oldSeconds);
            boolean classifier = d.train().isClassification();
            boolean hasVal = d.hasValidation();
            TrainingListener writer = new TrainingListener() {
                @Override
                public void onEpochEnd(EpochMetrics m) {
                    rows.removeIf(r -> r.epoch() == m.epoch());
                    rows.add(m);
                }
            };
            // Every rank is given the checkpoint folder; the trainer writes checkpoints on rank 0 only.
            Training.Config config = new Training.Config(spec, opt, batchSize, epochs, runOptions.seed,
                    !runOptions.noShuffle, checkpointDir, checkpointEvery != null ? checkpointEvery : 0,
                    slowEpochMillis, runId, dropLast, earlyStopping);
            try (Training training = new Training(comm, train, valSet, test, config, progress,
                    List.of(writer, new MetricsWriter(rank0, dir, rows, seconds, classifier, hasVal)), seconds)) {
                say.accept("model: " + spec.describe() + ", " + training.model().parameterCount() + " parameters; "
                        + "optimizer: " + Engine.describe(optimizer, opt) + "; " + training.batchesPerEpoch()
                        + " batches per epoch" + (checkpoint != null ? "; resuming from " + checkpoint.source() : ""));
                TrainingResult result = training.run(checkpoint);
                double total = (System.nanoTime() - t0) / 1e9;
                if (!rank0) {
                    return exitCode(result);
                }
                writeMetrics(dir.resolve("metrics.csv"), rows, seconds, classifier, d.hasTest(), hasVal,
                        result.divergence());
                writeLossPlot(dir.resolve("loss.png"), rows, result.divergence(), spec,
                        Engine.describe(optimizer, opt), batchSize, classifier, d.trainSource(), result.best());
                Map<String, Object> dataInfo = new LinkedHashMap<>();
                dataInfo.put("source", d.trainSource());
                dataInfo.put("features", d.train().featureCount());
                dataInfo.put("label_column", data.labelColumn);
                ModelFiles.save(dir, training.model(), d.transform(), dataInfo);
                Map<String, Object> summary = summary(result, rows, seconds, total, training, sel, d, spec, opt,
                        batchSize, epochs, dir, checkpoint, earlyStopping);
                String text = Json.write(summary);
                AtomicFiles.writeString(dir.resolve("summary.json"), text);
                if (json) {
                    out().print(text);
                }
                report(result, dir, earlyStopping);
                return exitCode(result);
            }
        }
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    private int exitCode(TrainingResult r) {
        return switch (r.status()) {
            case COMPLETED, EARLY_STOPPED -> ExitCodes.OK;
            case DIVERGED -> ExitCodes.DIVERGED;
            case STOPPED -> ExitCodes.INTERRUPTED;
        };
    }

    private void report(TrainingResult r, Path dir, EarlyStopping earlyStopping) {
        EpochMetrics last = r.last();
        switch (r.status()) {
            case DIVERGED -> err().println("descent train: " + r.divergence().message()
                    + "; outputs up to that point are in " + dir);
            case STOPPED -> err().println("descent train: stopped"
                    + (r.lastCheckpoint() != null ? "; checkpoint " + r.lastCheckpoint() : "")
                    + "; continue with: " + Main.launcherName() + " train --resume " + dir);
            default -> {
                if (!common.quiet && last != null) {
                    StringBuilder sb = new StringBuilder("done: ").append(r.epochsCompleted()).append(" epochs, ")
                            .append("train_loss ").append(Progress.num(last.trainLoss()));
                    if (last.validation() != null) {
                        sb.append(", val_loss ").append(Progress.num(last.validation().loss()));
                        if (last.validation().classification()) {
                            sb.append(String.format(java.util.Locale.ROOT, ", val_accuracy %.4f",
                                    last.validation().accuracy()));
                        }
                    }
                    if (last.test() != null) {
                        sb.append(", test_loss ").append(Progress.num(last.test().loss()));
                        if (last.test().classification()) {
                            sb.append(String.format(java.util.Locale.ROOT, ", test_accuracy %.4f",
                                    last.test().accuracy()));
                        }
                    }
                    err().println(sb.append("; outputs in ").append(dir));
                }
            }
        }
        if (earlyStopping != null && !common.quiet && r.status() != TrainingResult.Status.STOPPED) {
            err().println(earlyStoppingLine(r, earlyStopping));
        }
        err().flush();
    }

    /**
     * The line that says which epoch's weights were saved, e.g. "early stopping: best val_loss 0.4123 at epoch 7,
     * stopped after epoch 10 (3 epochs without improvement); saved epoch 7's weights".
     */
    static String earlyStoppingLine(TrainingResult r, EarlyStopping es) {
        BestEpoch best = r.best();
        if (best == null) {
            return "early stopping: no epoch had a finite " + es.monitor().label() + "; saved the last weights";
        }
        String value = String.format(java.util.Locale.ROOT, "%.4g", best.value());
        String how = switch (r.status()) {
            case EARLY_STOPPED -> "stopped after epoch " + r.epochsCompleted() + " (" + es.patience()
                    + (es.patience() == 1 ? " epoch" : " epochs") + " without improvement)";
            case DIVERGED -> "diverged in epoch " + r.divergence().epoch();
            default -> "no stop in " + r.epochsCompleted() + (r.epochsCompleted() == 1 ? " epoch" : " epochs");
        };
        return "early stopping: best " + best.monitor().label() + " " + value + " at epoch " + best.epoch() + ", "
                + how + "; " + (best.restored() ? "saved epoch " + best.epoch() + "'s weights"
                        : "saved the last weights");
    }

    // ------------------------------------------------------------------ resume

    /** {@code --resume DIR} alone: run again with the options saved in DIR/run.json, plus --resume DIR. */
    private int rerunWithSavedOptions() throws IOException {
        Path file = resume.resolve(RUN_FILE);
        if (!Files.isRegularFile(file)) {
            if (!Files.isDirectory(resume)) {
                throw new NoSuchFileException(resume.toString(), null, "no such folder (--resume)");
            }
            throw usage("--resume " + resume + ": no " + RUN_FILE + " there; give the run's options (--data ...) "
                    + "again with --resume");
        }
        Map<String, Object> saved = Json.readObject(file);
        if (!(saved.get("args") instanceof List<?> list)) {
            throw new IOException(file + ": no \"args\" list");
        }
        List<String> args = new ArrayList<>();
        args.add("train");
        for (Object o : list) {
            args.add(String.valueOf(o));
        }
        // Options of this invocation (other than --resume) override the saved ones: they come later.
        List<String> now = originalArgs();
        args.addAll(now);
        args.add("--resume");
        args.add(resume.toString());
        if (out == null) {
            args.add("--out");
            args.add(resume.toString());
        }
        CommandLine cl = Main.commandLine();
        cl.setOut(out());
        cl.setErr(err());
        return cl.execute(args.toArray(String[]::new));
    }

    /**
     * This invocation's arguments after {@code train}, without {@code --resume DIR} and {@code --force} (which are about
     * this invocation, not the run: they are not saved in run.json).
     */
    private List<String> originalArgs() {
        List<String> args = new ArrayList<>(spec.commandLine().getParseResult().originalArgs());
        int i = args.indexOf("train");
        List<String> rest = new ArrayList<>(i >= 0 ? args.subList(i + 1, args.size()) : args);
        for (int k = 0; k < rest.size(); k++) {
            String a = rest.get(k);
            if (a.equals("--resume") && k + 1 < rest.size()) {
                rest.remove(k + 1);
                rest.remove(k);
                k--;
            } else if (a.startsWith("--resume=") || a.equals("--force")) {
                rest.remove(k);
                k--;
            }
        }
        return rest;
    }

    /**
     * The newest checkpoint of the run in {@code dir}: the run named by its run.json's run_id (a folder from before
     * run identities, without one, gives its newest checkpoint). Refused when the newest checkpoint there is another
     * run's: the folder mixes runs, and continuing either could give a result neither run asked for.
     */
    private static Checkpoint latestCheckpoint(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new NoSuchFileException(dir.toString(), null, "no such folder (--resume)");
        }
        Path ckdir = dir.resolve("checkpoints");
        Optional<Path> latest = Checkpoint.latest(ckdir);
        if (latest.isEmpty()) {
            throw new UsageException("--resume " + dir + ": no checkpoint in " + ckdir
                    + " (train with --checkpoint-every N, or stop a run with Ctrl-C, to get one)");
        }
        String runId = savedRunId(dir);
        if (runId != null) {
            String newest = Checkpoint.runIdOf(latest.get());
            if (!newest.equals(runId)) {
                Optional<Path> own = Checkpoint.latest(ckdir, runId);
                throw new UsageException("--resume " + dir + ": the newest checkpoint, " + latest.get()
                        + ", is not from the run in " + RUN_FILE + " (run_id " + runId + ")"
                        + (own.isPresent() ? " but from another run" : " and that run has no checkpoint there")
                        + "; the folder mixes runs: start over with --force");
            }
        }
        return Checkpoint.read(latest.get());
    }

    /** run.json's run_id in {@code dir}, or null when there is none (no run.json, or one from an older descent). */
    private static String savedRunId(Path dir) throws IOException {
        Path file = dir.resolve(RUN_FILE);
        if (!Files.isRegularFile(file)) {
            return null;
        }
        Object id = Json.readObject(file).get("run_id");
        if (id == null) {
            return null;
        }
        if (!(id instanceof String s) || !Checkpoint.isRunId(s)) {
            throw new IOException(file + ": run_id must be a string of 1 to 64 letters, digits, '_' or '-'");
        }
        return s;
    }

    /** Refuses a new run in a folder holding an earlier run's files, naming what is there and the ways on. */
    private static void refuseEarlierRun(Path dir) throws IOException {
        String earlier = OutputFolder.earlierRun(dir);
        if (!earlier.isEmpty()) {
            throw new UsageException("--out " + dir + " holds an earlier run (" + earlier + "); continue it with "
                    + "--resume " + dir + ", replace it with --force, or choose another --out");
        }
    }

    private static boolean sameFolder(Path a, Path b) {
        if (a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize())) {
            return true;
        }
        try {
            return Files.exists(a) && Files.exists(b) && Files.isSameFile(a, b);
        } catch (IOException e) {
            return false;
        }
    }

    /** Epoch seconds from an earlier run's metrics.csv (for the epochs a resumed run restores). */
    static Map<Integer, Double> readSeconds(Path csv) {
        Map<Integer, Double> m = new HashMap<>();
        try {
            if (!Files.isRegularFile(csv)) {
                return m;
            }
            List<String> lines = Files.readAllLines(csv);
            if (lines.isEmpty()) {
                return m;
            }
            List<String> header = List.of(lines.getFirst().split(","));
            int e = header.indexOf("epoch");
            int s = header.indexOf("seconds");
            if (e < 0 || s < 0) {
                return m;
            }
            for (String line : lines.subList(1, lines.size())) {
                String[] cells = line.split(",", -1);
                if (cells.length > Math.max(e, s) && !cells[s].isEmpty()) {
                    m.put(Integer.parseInt(cells[e]), Double.parseDouble(cells[s]));
                }
            }
        } catch (IOException | RuntimeException ex) {
            // timings of earlier epochs are informative only
        }
        return m;
    }

    // ------------------------------------------------------------------ outputs

    /** Keeps metrics.csv current during the run (rank 0), so that a stopped or killed run leaves a complete file. */
    private final class MetricsWriter implements TrainingListener {
        private final boolean enabled;
        private final Path dir;
        private final List<EpochMetrics> rows;
        private final Map<Integer, Double> seconds;
        private final boolean classifier;
        private final boolean validation;

        MetricsWriter(boolean enabled, Path dir, List<EpochMetrics> rows, Map<Integer, Double> seconds,
                boolean classifier, boolean validation) {
            this.enabled = enabled;
            this.dir = dir;
            this.rows = rows;
            this.seconds = seconds;
            this.classifier = classifier;
            this.validation = validation;
        }

        private long lastWrite;

        /**
         * Rewrites metrics.csv (atomically: the whole file each time) after an epoch, at most once a second: a run of
         * many short epochs would otherwise spend its time rewriting an ever longer file. The run's end writes it
         * once more in any case, and a resumed run rewrites it from the checkpoint's history.
         */
        @Override
        public void onEpochEnd(EpochMetrics m) {
            long now = System.nanoTime();
            if (!enabled || (lastWrite != 0 && now - lastWrite < 1_000_000_000L)) {
                return;
            }
            try {
                writeMetrics(dir.resolve("metrics.csv"), rows, seconds, classifier, data.test != null, validation,
                        null);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            lastWrite = System.nanoTime();
        }
    }

    /**
     * metrics.csv: {@code epoch,train_loss[,test_loss,test_accuracy],seconds[,val_loss,val_accuracy]} (regression:
     * {@code test_mae}, {@code val_mae}). The validation columns come last, so that every column before them keeps
     * the place it has without a validation set.
     */
    static Csv metricsCsv(List<EpochMetrics> rows, Map<Integer, Double> seconds, boolean classifier, boolean test,
            boolean validation, Divergence divergence) {
        List<String> header = new ArrayList<>(List.of("epoch", "train_loss"));
        if (test) {
            header.add("test_loss");
            header.add(classifier ? "test_accuracy" : "test_mae");
        }
        header.add("seconds");
        if (validation) {
            header.add("val_loss");
            header.add(classifier ? "val_accuracy" : "val_mae");
        }
        Csv csv = new Csv(header);
        List<EpochMetrics> sorted = new ArrayList<>(rows);
        sorted.sort(java.util.Comparator.comparingInt(EpochMetrics::epoch));
        for (EpochMetrics m : sorted) {
            List<Object> r = new ArrayList<>();
            r.add(m.epoch());
            r.add(m.trainLoss());
            if (test) {
                r.add(m.test() != null ? (Object) m.test().loss() : null);
                r.add(m.test() != null ? (Object) (classifier ? m.test().accuracy() : m.test().mae()) : null);
            }
            r.add(seconds.get(m.epoch()));
            if (validation) {
                Evaluation v = m.validation();
                r.add(v != null ? (Object) v.loss() : null);
                r.add(v != null ? (Object) (classifier ? v.accuracy() : v.mae()) : null);
            }
            csv.add(r.toArray());
        }
        if (divergence != null && sorted.stream().noneMatch(m -> m.epoch() == divergence.epoch())) {
            List<Object> r = new ArrayList<>();
            r.add(divergence.epoch());
            r.add(divergence.loss());
            if (test) {
                r.add(null);
                r.add(null);
            }
            r.add(null);
            if (validation) {
                r.add(null);
                r.add(null);
            }
            csv.add(r.toArray());
        }
        return csv;
    }

    private static void writeMetrics(Path file, List<EpochMetrics> rows, Map<Integer, Double> seconds,
            boolean classifier, boolean test, boolean validation, Divergence divergence) throws IOException {
        metricsCsv(rows, seconds, classifier, test, validation, divergence).write(file);
    }

    private static void writeLossPlot(Path file, List<EpochMetrics> rows, Divergence divergence, ModelSpec spec,
            String optimizerText, int batchSize, boolean classifier, String source, BestEpoch best)
            throws IOException {
        List<EpochMetrics> sorted = new ArrayList<>(rows);
        sorted.sort(java.util.Comparator.comparingInt(EpochMetrics::epoch));
        int n = sorted.size();
        double[] x = new double[n];
        double[] train = new double[n];
        double[] test = new double[n];
        double[] acc = new double[n];
        double[] val = new double[n];
        double[] valAcc = new double[n];
        boolean hasTest = false;
        boolean hasVal = false;
        for (int i = 0; i < n; i++) {
            EpochMetrics m = sorted.get(i);
            x[i] = m.epoch();
            train[i] = m.trainLoss();
            test[i] = m.test() != null ? m.test().loss() : Double.NaN;
            acc[i] = m.test() != null ? (classifier ? m.test().accuracy() : m.test().mae()) : Double.NaN;
            hasTest |= m.test() != null;
            Evaluation v = m.validation();
            val[i] = v != null ? v.loss() : Double.NaN;
            valAcc[i] = v != null ? (classifier ? v.accuracy() : v.mae()) : Double.NaN;
            hasVal |= v != null;
        }
        List<Charts.Curve> curves = new ArrayList<>();
        curves.add(new Charts.Curve("train loss", x, train));
        if (hasVal) {
            curves.add(new Charts.Curve("validation loss", x, val));
        }
        if (hasTest) {
            curves.add(new Charts.Curve("test loss", x, test));
        }
        List<String> notes = new ArrayList<>();
        notes.add(optimizerText + ", batch " + (batchSize == 0 ? "full" : Integer.toString(batchSize)));
        if (divergence != null) {
            notes.add(divergence.message());
        }
        if (best != null) {
            notes.add("best " + best.monitor().label() + " at epoch " + best.epoch()
                    + (best.restored() ? " (saved model)" : ""));
        }
        boolean logY = spansDecade(train);
        List<JFreeChart> panels = new ArrayList<>();
        panels.add(Charts.curves("loss per epoch", "epoch", "loss", curves, false, logY, notes));
        if (hasTest || hasVal) {
            String what = classifier ? "accuracy" : "MAE";
            List<Charts.Curve> second = new ArrayList<>();
            if (hasVal) {
                second.add(new Charts.Curve("validation " + what, x, valAcc));
            }
            if (hasTest) {
                second.add(new Charts.Curve("test " + what, x, acc));
            }
            String title = (hasVal && hasTest ? "" : hasVal ? "validation " : "test ") + what;
            JFreeChart chart = Charts.curves(title, "epoch", what, second, false, false, List.of());
            // each set in the colour of its loss curve
            org.jfree.chart.renderer.xy.XYItemRenderer renderer = chart.getXYPlot().getRenderer();
            for (int i = 0; i < second.size(); i++) {
                renderer.setSeriesPaint(i, Charts.COLORS[1 + i]);
            }
            panels.add(chart);
        }
        String title = Path.of(source).getFileName() + ": " + spec.describe();
        Charts.savePng(file, Charts.figure(title, panels, panels.size(), 760, 520));
    }

    static boolean spansDecade(double[] v) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = 0;
        for (double d : v) {
            if (Double.isFinite(d) && d > 0) {
                lo = Math.min(lo, d);
                hi = Math.max(hi, d);
            }
        }
        return hi > 0 && hi / lo >= 20;
    }

    private Map<String, Object> summary(TrainingResult r, List<EpochMetrics> rows, Map<Integer, Double> seconds,
            double total, Training training, Backends.Selection sel, Engine.Data d, ModelSpec spec,
            Optimizers.Builder opt, int batchSize, int epochs, Path dir, Checkpoint resumed, EarlyStopping es) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("command", "train");
        s.put("status", r.status().name().toLowerCase(java.util.Locale.ROOT));
        s.put("message", r.message());
        s.put("diverged", r.diverged());
        if (r.divergence() != null) {
            Divergence v = r.divergence();
            Map<String, Object> dv = new LinkedHashMap<>();
            dv.put("epoch", v.epoch());
            dv.put("step", v.step());
            dv.put("global_step", v.globalStep());
            dv.put("loss", Double.toString(v.loss()));
            dv.put("reason", v.reason());
            dv.put("message", v.message());
            s.put("divergence", dv);
        } else {
            s.put("divergence", null);
        }
        Map<String, Object> settingsMap = new LinkedHashMap<>();
        settingsMap.put("data", data.data);
        settingsMap.put("test", data.test);
        settingsMap.put("val", validation.val);
        settingsMap.put("val_split", validation.valSplit);
        settingsMap.put("label_column", data.labelColumn);
        settingsMap.put("classes", data.classes);
        settingsMap.put("scale", data.scale);
        settingsMap.put("limit", data.limit);
        settingsMap.put("model", spec.kind());
        settingsMap.put("loss", spec.loss().spec());
        settingsMap.put("hidden", spec.hidden());
        settingsMap.put("bias", spec.bias());
        settingsMap.put("init", spec.init().shortName());
        settingsMap.put("batch_size", batchSize == 0 ? null : batchSize);
        settingsMap.put("full_batch", batchSize == 0);
        settingsMap.put("epochs", epochs);
        settingsMap.put("seed", runOptions.seed);
        settingsMap.put("shuffle", !runOptions.noShuffle);
        settingsMap.put("drop_last", dropLast);
        settingsMap.put("early_stopping", es == null ? null : es.patience());
        settingsMap.put("min_delta", es == null ? null : es.minDelta());
        settingsMap.put("monitor", es == null ? null : es.monitor().label());
        settingsMap.put("optimizer", optimizer);
        settingsMap.put("optimizer_settings", opt.resolvedOptions().settings());
        settingsMap.put("schedule", settings.schedule == null ? "constant" : settings.schedule);
        settingsMap.put("clip", settings.clip == null ? "none" : settings.clip);
        settingsMap.put("backend", compute.backend);
        settingsMap.put("threads", compute.threads);
        settingsMap.put("checkpoint_every", checkpointEvery);
        settingsMap.put("resume", resume == null ? null : resume.toString());
        settingsMap.put("out", dir.toString());
        s.put("settings", settingsMap);
        Backend b = sel.backend();
        Map<String, Object> be = new LinkedHashMap<>();
        be.put("name", b.name());
        be.put("description", b.description());
        be.put("threads", b.threads());
        be.put("selection", sel.explanation());
        be.put("processes", comm.size());
        be.put("communicator", comm.description());
        s.put("backend", be);
        Map<String, Object> dm = new LinkedHashMap<>();
        dm.put("description", d.description());
        dm.put("train", shape(d.train()));
        dm.put("test", d.hasTest() ? shape(d.test()) : null);
        dm.put("validation", d.hasValidation() ? shape(d.validation()) : null);
        dm.put("scaling", d.transform().description());
        dm.put("batches_per_epoch", training.batchesPerEpoch());
        s.put("data", dm);
        Map<String, Object> mm = new LinkedHashMap<>();
        mm.put("description", spec.describe());
        mm.put("parameters", training.model().parameterCount());
        mm.put("files", List.of(ModelFiles.NPZ, ModelFiles.JSON));
        s.put("model", mm);
        EpochMetrics last = r.last();
        Map<String, Object> fin = new LinkedHashMap<>();
        fin.put("epoch", last == null ? null : last.epoch());
        fin.put("train_loss", last == null ? null : last.trainLoss());
        if (last != null && last.test() != null) {
            fin.put("test_loss", last.test().loss());
            if (last.test().classification()) {
                fin.put("test_accuracy", last.test().accuracy());
            } else {
                fin.put("test_mse", last.test().mse());
                fin.put("test_mae", last.test().mae());
            }
        }
        if (last != null && last.validation() != null) {
            Evaluation v = last.validation();
            fin.put("val_loss", v.loss());
            if (v.classification()) {
                fin.put("val_accuracy", v.accuracy());
            } else {
                fin.put("val_mse", v.mse());
                fin.put("val_mae", v.mae());
            }
        }
        s.put("final", fin);
        s.put("early_stopping", es == null ? null : earlyStoppingSummary(r, es));
        s.put("epochs_completed", r.epochsCompleted());
        s.put("steps", r.steps());
        double trainSecs = 0;
        for (EpochMetrics m : rows) {
            trainSecs += seconds.getOrDefault(m.epoch(), 0.0);
        }
        Map<String, Object> time = new LinkedHashMap<>();
        time.put("total_seconds", total);
        time.put("training_seconds", trainSecs);
        time.put("this_process_seconds", total);
        s.put("time", time);
        s.put("resumed_from", resumed == null ? null : resumed.source());
        s.put("last_checkpoint", r.lastCheckpoint() == null ? null : r.lastCheckpoint().toString());
        Map<String, Object> files = new LinkedHashMap<>();
        files.put("metrics", "metrics.csv");
        files.put("summary", "summary.json");
        files.put("plot", "loss.png");
        files.put("model", List.of(ModelFiles.NPZ, ModelFiles.JSON));
        files.put("checkpoints", "checkpoints/");
        s.put("files", files);
        return s;
    }

    /**
     * summary.json's "early_stopping": the monitor and settings, the best epoch and its value, the epoch the run
     * stopped after (null when it ran all its epochs), the epoch whose weights model.npz holds, and the best epoch's
     * validation metrics.
     */
    static Map<String, Object> earlyStoppingSummary(TrainingResult r, EarlyStopping es) {
        BestEpoch best = r.best();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("monitor", es.monitor().label());
        m.put("mode", es.monitor().maximized() ? "max" : "min");
        m.put("patience", es.patience());
        m.put("min_delta", es.minDelta());
        m.put("best_epoch", best == null ? null : best.epoch());
        m.put("value", best == null ? null : best.value());
        m.put("stopped_epoch", r.status() == TrainingResult.Status.EARLY_STOPPED ? r.epochsCompleted() : null);
        m.put("stopped_early", r.status() == TrainingResult.Status.EARLY_STOPPED);
        m.put("saved_epoch", best != null && best.restored() ? best.epoch()
                : r.status() == TrainingResult.Status.STOPPED || r.status() == TrainingResult.Status.DIVERGED ? null
                        : r.epochsCompleted());
        EpochMetrics at = null;
        for (EpochMetrics e : r.history()) {
            if (best != null && e.epoch() == best.epoch()) {
                at = e;
            }
        }
        if (at != null && at.validation() != null) {
            Map<String, Object> metrics = new LinkedHashMap<>();
            metrics.put("train_loss", at.trainLoss());
            metrics.put("val_loss", at.validation().loss());
            if (at.validation().classification()) {
                metrics.put("val_accuracy", at.validation().accuracy());
            } else {
                metrics.put("val_mae", at.validation().mae());
            }
            if (at.test() != null) {
                metrics.put("test_loss", at.test().loss());
                metrics.put(at.test().classification() ? "test_accuracy" : "test_mae",
                        at.test().classification() ? at.test().accuracy() : at.test().mae());
            }
            m.put("best_epoch_metrics", metrics);
        }
        m.put("message", earlyStoppingLine(r, es));
        return m;
    }

    static Map<String, Object> shape(dev.descent.data.Dataset ds) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("source", ds.source());
        m.put("samples", ds.samples());
        m.put("features", ds.featureCount());
        if (ds.isClassification()) {
            m.put("classes", ds.classes());
        } else {
            m.put("targets", ds.targetCount());
        }
        return m;
    }

    @Override
    String beforeErrorReport() {
        if (comm.size() > 1 && comm.rank() > 0) {
            try {
                Thread.sleep(1500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return "rank " + comm.rank() + ": ";
        }
        return "";
    }

    @Override
    void onFailure(int exitCode) {
        if (comm.size() > 1) {
            comm.abort(exitCode);
        }
    }
}
