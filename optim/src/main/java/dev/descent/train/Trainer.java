package dev.descent.train;

import dev.descent.backend.Backend;
import dev.descent.backend.Tensor;
import dev.descent.data.Batch;
import dev.descent.data.Loader;
import dev.descent.dist.Communicator;
import dev.descent.model.Model;
import dev.descent.model.ParameterFile;
import dev.descent.optim.Closure;
import dev.descent.optim.Optimizer;
import dev.descent.optim.Parameter;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Trains a {@link Model} with an {@link Optimizer} over the batches of a {@link Loader}, epoch by epoch.
 *
 * <pre>{@code
 * try (Trainer trainer = Trainer.builder(model, optimizer, trainLoader)
 *         .epochs(10)
 *         .validationLoader(valLoader)                  // evaluate after every epoch, for early stopping
 *         .testLoader(testLoader)                       // evaluate after every epoch, held out
 *         .lossReadInterval(100)                        // read step losses every 100 steps (0: once per epoch)
 *         .checkpoints(Path.of("ckpt"), 1, 3)           // every epoch, keep 3
 *         .earlyStopping(EarlyStopping.of(3, 1e-4).withMonitor(EarlyStopping.Monitor.VAL_LOSS))
 *         .listener(new TrainingListener() {
 *             public void onEpochEnd(EpochMetrics m) { System.out.println(m); }
 *         })
 *         .build()) {
 *     TrainingResult r = trainer.run();                 // or trainer.resume(Checkpoint.read(file))
 *     if (r.diverged()) System.err.println(r.message()); // "diverged at epoch 3, step 117: loss is NaN"
 * }
 * }</pre>
 *
 * <p><b>A step.</b> {@code loader.next()} → {@link Model#lossAndGradients} (the batch's loss goes into a backend
 * tensor of per-step losses, its gradients into the parameters) → {@link GradientSynchronizer#synchronize()} (the
 * data-parallel hook: a no-op with one process) → {@link Optimizer#step()}. Nothing is allocated and nothing waits for
 * the backend: step losses are read back every {@link Builder#lossReadInterval loss-read interval} steps (default: once
 * per epoch), which is when {@link TrainingListener#onBatch} fires and divergence is checked. In a single process the
 * last three go through {@link Backend#runStep} keyed by the batch's row count (the loader's gather stays outside), so
 * a backend may replay the step as a recording: the CUDA backend launches it as one CUDA graph.
 *
 * <p><b>Optimizers that evaluate the objective themselves</b> ({@link Optimizer#needsClosure()}: LBFGS). Each batch is
 * one {@link Optimizer#step(Closure)} whose closure computes the loss and gradients of that same batch (and, with
 * several processes, synchronises the gradients and sums the loss) as often as the optimizer asks; the step's first
 * evaluation, before any update, is the batch's loss in the epoch's training loss. With one batch per epoch (a full
 * batch loader) an epoch is one LBFGS step on the whole training set, which is what torch's LBFGS is made for; with
 * minibatches each is an LBFGS step on its own batch (stochastic, like a torch loop that calls
 * {@code opt.step(closure)} per batch). These steps do not go through {@link Backend#runStep}: the optimizer decides
 * between evaluations on the host, so they cannot be recorded and replayed. Each evaluation reads its loss back.
 *
 * <p><b>Training loss</b> of an epoch, as in the lecture: Σ(batch loss × batch size) / samples, each batch's loss
 * taken before its step, accumulated in double in step order.
 *
 * <p><b>Validation and test sets.</b> Both are evaluated after every epoch ({@link Evaluator}; validation first) and
 * reported in {@link EpochMetrics#validation()} and {@link EpochMetrics#test()}. They play different parts: the
 * validation set is the one training decisions look at (early stopping, and with it the choice of the weights the
 * run ends with), the test set is held out from every decision and only reported, so that its numbers stay an
 * unbiased estimate. {@link dev.descent.data.DataSplit} cuts a validation set from the training data.
 *
 * <p><b>Early stopping</b> ({@link EarlyStopping}) watches a metric after each epoch's evaluation; after
 * {@code patience} epochs without improvement the run ends with status {@link TrainingResult.Status#EARLY_STOPPED}.
 * The best epoch's weights are kept (a host copy, taken when the epoch improves) and put back into the model when
 * the run ends, unless {@link EarlyStopping#restoreBest()} is off; {@link TrainingResult#best()} names that epoch.
 *
 * <p><b>Divergence.</b> A non-finite step loss stops the run at the read-back that sees it; the result has status
 * {@link TrainingResult.Status#DIVERGED} and a message naming the epoch and step of the first non-finite loss, e.g.
 * {@code diverged at epoch 3, step 117: loss is NaN}. Parameters that are not finite at the end of an epoch (an update
 * that overflowed after the last loss) are reported the same way.
 *
 * <p><b>Data-parallel runs.</b> Give the trainer the process's {@link Communicator}; the loader must give each process
 * its shard of every batch with {@link Batch#globalSize()} the global batch size. At the start rank 0's parameters are
 * broadcast; each step's gradients are summed across processes ({@link GradientSynchronizer#allreduce}, see there why
 * a sum gives the global mean); step losses are summed at each read-back (one {@code allreduceSum} of doubles, which
 * also carries checkpoint and stop requests so that all processes agree), evaluation sums and counts are reduced, so
 * metrics and decisions (divergence, early stopping, checkpoints) are identical on all processes. Only rank 0 writes
 * checkpoints. With {@link Communicator#single()} none of this costs anything.
 *
 * <p><b>Checkpoints.</b> With {@link Builder#checkpoints(Path, int, int) checkpoints(dir, everyEpochs, keep)} a
 * checkpoint is written at the end of every {@code everyEpochs}-th epoch (after evaluation and the schedule's epoch
 * step, so it holds the start of the next epoch) and after the last epoch; optionally also every
 * {@link Builder#checkpointEverySteps N steps}. {@link #requestCheckpoint()} (e.g. from a signal handler) writes one at
 * the next step boundary (in a multi-process run: at the next loss read-back, where the processes agree), recording
 * the mid-epoch position; {@link #requestStop()} does the same and then ends the run with status
 * {@link TrainingResult.Status#STOPPED}. {@link #resume(Checkpoint)} restores parameters, optimizer and schedule,
 * loader position, partial epoch sums, early-stopping state (best value and epoch, epochs without improvement, the
 * best epoch's weights) and history, so the continued run produces bit-identical metrics and weights, and ends with
 * the same best epoch, as one that was never interrupted (with the same process count). A checkpoint written by a run
 * whose early stopping watched another metric is refused.
 *
 * <p>Listeners run on the training thread; an exception from one ends the run. The trainer does not close the model,
 * optimizer or loaders; {@link #close()} releases its own buffers.
 */
public final class Trainer implements AutoCloseable {
    private final Model model;
    private final Optimizer optimizer;
    private final Loader loader;
    private final Communicator communicator;
    private final GradientSynchronizer synchronizer;
    private final int epochs;
    private final int readInterval;
    private final EarlyStopping earlyStopping;
    /** The metric early stopping watches (AUTO resolved), or null without early stopping. */
    private final EarlyStopping.Monitor monitor;
    private final Path checkpointDir;
    private final int checkpointEveryEpochs;
    private final long checkpointEverySteps;
    private final int keepCheckpoints;
    private final long seed;
    private final TrainingListener[] listeners;
    private final Backend backend;
    private final int batchesPerEpoch;
    private final Evaluator evaluator;
    private final Evaluator validator;

    // The step handed to Backend.runStep (created once; it reads the batch and loss slot from these fields).
    private final Runnable stepTask = this::step;
    private Batch stepBatch;
    private int stepSlot;

    // The closure of an optimizer that evaluates the objective itself (null otherwise): its first call per step
    // writes the step loss into stepLosses like step(), later ones into closureLoss.
    private final Closure closure;
    private final Tensor closureLoss;
    private final double[] closureReduce = new double[1];
    private int closureCalls;

    // Loss read-back buffers, allocated once.
    private final Tensor stepLosses;
    private final float[] hostLosses;
    private final int[] chunkSizes;
    private final boolean[] chunkEmpty;
    private final double[] reduceBuffer;

    private volatile boolean checkpointRequested;
    private volatile boolean stopRequested;
    private boolean agreedCheckpoint;
    private boolean agreedStop;

    // Run state.
    private int epoch;
    private int stepInEpoch;
    private long globalStep;
    private double epochLossSum;
    private long epochRows;
    private double epochLearningRate;
    private double bestValue = Double.POSITIVE_INFINITY;
    private int bestEpoch;
    private int badEpochs;
    private byte[] bestWeights;
    private final List<EpochMetrics> history = new ArrayList<>();
    private int pending;
    private int chunkFirstStep;
    private long chunkFirstGlobal;
    private Path lastCheckpoint;
    private String runId;
    private final boolean runIdGiven;
    private boolean started;
    private boolean closed;

    private Trainer(Builder b) {
        this.model = b.model;
        this.optimizer = b.optimizer;
        this.loader = b.loader;
        this.communicator = b.communicator;
        this.epochs = b.epochs;
        this.earlyStopping = b.earlyStopping;
        this.checkpointDir = b.checkpointDir;
        this.checkpointEveryEpochs = b.checkpointEveryEpochs;
        this.checkpointEverySteps = b.checkpointEverySteps;
        this.keepCheckpoints = b.keepCheckpoints;
        this.seed = b.seed;
        this.runIdGiven = b.runId != null;
        this.runId = b.runId != null ? b.runId : Checkpoint.newRunId();
        this.listeners = b.listeners.toArray(new TrainingListener[0]);
        this.backend = model.backend();
        this.batchesPerEpoch = loader.batchesPerEpoch();
        if (batchesPerEpoch < 1) {
            throw new IllegalArgumentException("training loader has no batches");
        }
        this.monitor = earlyStopping == null ? null
                : resolve(earlyStopping.monitor(), b.validationLoader != null, b.testLoader != null);
        if (monitor == EarlyStopping.Monitor.TEST_LOSS && b.testLoader == null) {
            throw new IllegalArgumentException("early stopping on the test loss needs a test loader");
        }
        if (monitor != null && monitor.needsValidation() && b.validationLoader == null) {
            throw new IllegalArgumentException("early stopping on " + monitor.label()
                    + " needs a validation loader (Trainer.Builder.validationLoader)");
        }
        if (monitor == EarlyStopping.Monitor.VAL_ACCURACY && !model.classifier()) {
            throw new IllegalArgumentException("early stopping on val_accuracy needs a classifier; "
                    + model.describe() + " is a regression model (watch val_loss)");
        }
        this.bestValue = monitor == null ? Double.POSITIVE_INFINITY : EarlyStopping.initialBest(monitor);
        this.readInterval = b.lossReadInterval == 0 ? batchesPerEpoch : Math.min(b.lossReadInterval, batchesPerEpoch);
        this.synchronizer = b.synchronizer != null ? b.synchronizer
                : GradientSynchronizer.allreduce(model.parameters(), communicator);
        List<Parameter> params = model.parameters();
        for (Parameter p : optimizer.parameters()) {
            if (!params.contains(p)) {
                throw new IllegalArgumentException("optimizer " + optimizer.name() + " updates parameter '" + p.name()
                        + "', which is not one of the model's");
            }
        }
        this.closure = optimizer.needsClosure() ? this::evaluateClosure : null;
        this.closureLoss = optimizer.needsClosure() ? backend.allocate(1) : null;
        this.stepLosses = backend.allocate(readInterval);
        this.hostLosses = new float[readInterval];
        this.chunkSizes = new int[readInterval];
        this.chunkEmpty = new boolean[readInterval];
        this.reduceBuffer = new double[readInterval + 2];
        Evaluator ev = null;
        Evaluator va = null;
        try {
            ev = b.testLoader == null ? null : new Evaluator(model, b.testLoader, communicator);
            va = b.validationLoader == null ? null : new Evaluator(model, b.validationLoader, communicator);
        } catch (RuntimeException e) {
            stepLosses.close();
            if (closureLoss != null) {
                closureLoss.close();
            }
            if (ev != null) {
                ev.close();
            }
            throw e;
        }
        this.evaluator = ev;
        this.validator = va;
    }

    /** AUTO: the validation loss, else the test loss, else the training loss. */
    private static EarlyStopping.Monitor resolve(EarlyStopping.Monitor m, boolean validation, boolean test) {
        if (m != EarlyStopping.Monitor.AUTO) {
            return m;
        }
        return validation ? EarlyStopping.Monitor.VAL_LOSS
                : test ? EarlyStopping.Monitor.TEST_LOSS : EarlyStopping.Monitor.TRAIN_LOSS;
    }

    /** Starts configuring a trainer. */
    public static Builder builder(Model model, Optimizer optimizer, Loader trainLoader) {
        return new Builder(model, optimizer, trainLoader);
    }

    /** The model. */
    public Model model() {
        return model;
    }

    /** The optimizer. */
    public Optimizer optimizer() {
        return optimizer;
    }

    /** The number of epochs the run ends after. */
    public int epochs() {
        return epochs;
    }

    /** Steps between loss read-backs. */
    public int lossReadInterval() {
        return readInterval;
    }

    /** Metrics of the epochs completed so far (including those restored from a checkpoint). */
    public List<EpochMetrics> history() {
        return List.copyOf(history);
    }

    /**
     * Asks for a checkpoint at the next step boundary (multi-process: the next loss read-back). Safe to call from any
     * thread, e.g. a signal handler.
     *
     * @throws IllegalStateException when no checkpoint directory is configured
     */
    public void requestCheckpoint() {
        if (checkpointDir == null) {
            throw new IllegalStateException("no checkpoint directory configured");
        }
        checkpointRequested = true;
    }

    /**
     * Asks the run to stop at the next step boundary, writing a checkpoint first when a directory is configured. Safe
     * to call from any thread.
     */
    public void requestStop() {
        stopRequested = true;
    }

    /** Trains from the model's and optimizer's current state, epoch 1. */
    public TrainingResult run() {
        begin();
        return holdingCheckpointFolder(null, this::fresh);
    }

    private TrainingResult fresh() {
        epoch = 1;
        stepInEpoch = 0;
        globalStep = 0;
        epochLossSum = 0;
        epochRows = 0;
        history.clear();
        bestValue = monitor == null ? Double.POSITIVE_INFINITY : EarlyStopping.initialBest(monitor);
        bestEpoch = 0;
        badEpochs = 0;
        bestWeights = null;
        return loop(false);
    }

    /**
     * Restores {@code checkpoint} (parameters, optimizer state, position, partial sums, history) and continues.
     *
     * @throws UncheckedIOException when the checkpoint does not belong to this model, optimizer or data; its message
     *                              names the checkpoint file and what does not match
     */
    public TrainingResult resume(Checkpoint checkpoint) {
        begin();
        String src = checkpoint.source();
        if (runIdGiven && !runId.equals(checkpoint.runId())) {
            throw mismatch(src + ": written by run " + describeRun(checkpoint.runId()) + ", not by run " + runId);
        }
        runId = checkpoint.runId();
        if (checkpoint.epochsCompleted() > epochs) {
            throw mismatch(src + ": the run is past epoch " + checkpoint.epochsCompleted() + ", beyond this run's "
                    + epochs + " epochs");
        }
        return holdingCheckpointFolder(checkpoint, () -> continueFrom(checkpoint));
    }

    private TrainingResult continueFrom(Checkpoint checkpoint) {
        String src = checkpoint.source();
        if (checkpoint.samples() != loader.samples() || checkpoint.batchesPerEpoch() != batchesPerEpoch) {
            throw mismatch(src + ": written for " + checkpoint.samples()
                    + " samples in " + checkpoint.batchesPerEpoch() + " batches per epoch, this run has "
                    + loader.samples() + " in " + batchesPerEpoch);
        }
        if (checkpoint.seed() != seed) {
            throw mismatch(src + ": written by a run with seed "
                    + checkpoint.seed() + ", this run has seed " + seed);
        }
        if (checkpoint.batchIndex() >= batchesPerEpoch) {
            throw mismatch(src + ": batch index " + checkpoint.batchIndex()
                    + " is beyond the epoch's " + batchesPerEpoch + " batches");
        }
        // A version-3 checkpoint names the metric its state is about; an older one with a best epoch watched the
        // test or training loss (there were no validation sets), so its state means nothing to a validation monitor.
        String watched = checkpoint.monitor();
        boolean hadState = monitor != null && (!watched.isEmpty()
                || checkpoint.bestEpoch() > 0 && !monitor.needsValidation());
        if (hadState && !watched.isEmpty() && !watched.equals(monitor.label())) {
            throw mismatch(src + ": written by a run whose early stopping watched " + watched
                    + ", this run watches " + monitor.label());
        }
        try {
            checkpoint.restore(model, optimizer);
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
        epoch = checkpoint.epoch();
        stepInEpoch = checkpoint.batchIndex();
        globalStep = checkpoint.globalStep();
        epochLossSum = checkpoint.epochLossSum();
        epochRows = checkpoint.epochRows();
        epochLearningRate = checkpoint.epochLearningRate();
        history.clear();
        history.addAll(checkpoint.history());
        if (hadState) {
            bestValue = checkpoint.bestLoss();
            bestEpoch = checkpoint.bestEpoch();
            badEpochs = checkpoint.epochsWithoutImprovement();
            bestWeights = checkpoint.bestWeights();
        } else {
            // no early stopping before (or now, or on this metric): its state starts afresh
            bestValue = monitor == null ? Double.POSITIVE_INFINITY : EarlyStopping.initialBest(monitor);
            bestEpoch = 0;
            badEpochs = 0;
            bestWeights = null;
        }
        return loop(true);
    }

    /**
     * Runs {@code body} holding the checkpoint folder (rank 0, when checkpoints are written): its {@link FolderLock},
     * and a check that no other run's checkpoints are there, since this run would neither resume from nor prune them.
     */
    private TrainingResult holdingCheckpointFolder(Checkpoint from, java.util.function.Supplier<TrainingResult> body) {
        if (checkpointDir == null || communicator.rank() != 0) {
            return body.get();
        }
        try (FolderLock lock = FolderLock.acquire(checkpointDir, "training")) {
            for (Path p : Checkpoint.list(checkpointDir)) {
                if (from == null) {
                    throw mismatch(checkpointDir + " holds " + p.getFileName() + " already; a new run needs an "
                            + "empty checkpoint folder (or resume from that checkpoint)");
                }
                String other = Checkpoint.runIdOf(p);
                if (!other.equals(runId)) {
                    throw mismatch(checkpointDir + " holds " + p.getFileName() + " of another run ("
                            + describeRun(other) + "); this run (" + runId + ") would mix with it: use an empty "
                            + "folder or remove that run's checkpoints");
                }
            }
            return body.get();
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }

    private static String describeRun(String id) {
        return id.isEmpty() ? "unidentified, written by an older descent" : id;
    }

    /** The identity of this run, recorded in every checkpoint it writes (a resumed run keeps its checkpoint's). */
    public String runId() {
        return runId;
    }

    private static UncheckedIOException mismatch(String message) {
        return new UncheckedIOException(message, new IOException(message));
    }

    private void begin() {
        if (closed) {
            throw new IllegalStateException("trainer is closed");
        }
        if (started) {
            throw new IllegalStateException("a trainer runs once; build a new one");
        }
        started = true;
    }

    private TrainingResult loop(boolean resumed) {
        GradientSynchronizer.broadcastParameters(model.parameters(), communicator, 0);
        int startStep = stepInEpoch;
        for (TrainingListener l : listeners) {
            l.onStart(epoch, startStep, epochs, resumed);
        }
        if (earlyStopping != null && badEpochs >= earlyStopping.patience()) {
            return finish(TrainingResult.Status.EARLY_STOPPED, null, earlyStopMessage());
        }
        for (; epoch <= epochs; epoch++) {
            if (stepInEpoch == 0) {
                loader.startEpoch(epoch);
                epochLossSum = 0;
                epochRows = 0;
                epochLearningRate = optimizer.learningRate();
                for (TrainingListener l : listeners) {
                    l.onEpochStart(epoch, batchesPerEpoch);
                }
            } else {
                loader.seek(epoch, stepInEpoch);
            }
            pending = 0;
            TrainingResult stopped = trainEpoch();
            if (stopped != null) {
                return stopped;
            }
            TrainingResult ended = endEpoch();
            if (ended != null) {
                return ended;
            }
            stepInEpoch = 0;
        }
        return finish(TrainingResult.Status.COMPLETED, null, "completed " + epochs + " epochs");
    }

    /** The steps of one epoch; a result when the run ends inside it. */
    private TrainingResult trainEpoch() {
        boolean single = communicator.size() == 1;
        while (loader.hasNext()) {
            if (pending == 0) {
                chunkFirstStep = stepInEpoch + 1;
                chunkFirstGlobal = globalStep + 1;
            }
            Batch batch = loader.next();
            int slot = pending;
            chunkSizes[slot] = batch.globalSize();
            chunkEmpty[slot] = batch.size() == 0;
            stepBatch = batch;
            stepSlot = slot;
            if (closure != null) {
                closureCalls = 0;
                optimizer.step(closure); // decisions between evaluations on the host: not a recordable step
            } else if (single) {
                // one process: the backend may replay the step as a recording (a CUDA graph), keyed by batch shape
                backend.runStep(batch.size(), stepTask);
            } else {
                step(); // the gradient allreduce between processes is host work
            }
            stepBatch = null;
            pending++;
            stepInEpoch++;
            globalStep++;
            boolean last = !loader.hasNext();
            boolean stepCheckpoint = checkpointEverySteps > 0 && globalStep % checkpointEverySteps == 0 && !last;
            boolean localRequest = single && !last && (checkpointRequested || stopRequested);
            if (pending == readInterval || last || stepCheckpoint || localRequest) {
                Divergence d = readLosses();
                if (d != null) {
                    return diverged(d);
                }
                if (!last && (stepCheckpoint || agreedCheckpoint || agreedStop)) {
                    writeCheckpoint();
                    if (agreedStop) {
                        return finish(TrainingResult.Status.STOPPED, null, stopMessage(epoch, stepInEpoch));
                    }
                }
            }
        }
        return null;
    }

    /** One step after the batch is loaded: loss and gradients, the gradient synchronisation, the update. */
    private void step() {
        model.lossAndGradients(stepBatch, stepLosses, stepSlot);
        synchronizer.synchronize();
        optimizer.step();
    }

    /**
     * One evaluation for an optimizer that evaluates the objective itself: loss and gradients of the step's batch at
     * the current parameters, gradients synchronised across processes, the loss read back (summed across processes).
     * The first evaluation of a step is the step's loss.
     */
    private double evaluateClosure() {
        boolean first = closureCalls++ == 0;
        Tensor out = first ? stepLosses : closureLoss;
        int index = first ? stepSlot : 0;
        model.lossAndGradients(stepBatch, out, index);
        synchronizer.synchronize();
        double loss = stepBatch.size() == 0 ? 0.0 : backend.get(out, index);
        if (communicator.size() > 1) {
            closureReduce[0] = loss;
            communicator.allreduceSum(closureReduce, 0, 1);
            loss = closureReduce[0];
        }
        return loss;
    }

    /**
     * Reads the pending step losses back (one download; with several processes one allreduce that also carries the
     * checkpoint/stop requests), accumulates the epoch sum in step order and checks each loss.
     */
    private Divergence readLosses() {
        int n = pending;
        pending = 0;
        backend.download(stepLosses, hostLosses, 0);
        boolean distributed = communicator.size() > 1;
        if (distributed) {
            for (int i = 0; i < n; i++) {
                reduceBuffer[i] = chunkEmpty[i] ? 0.0 : hostLosses[i];
            }
            reduceBuffer[n] = checkpointRequested ? 1 : 0;
            reduceBuffer[n + 1] = stopRequested ? 1 : 0;
            communicator.allreduceSum(reduceBuffer, 0, n + 2);
            agreedCheckpoint = reduceBuffer[n] > 0;
            agreedStop = reduceBuffer[n + 1] > 0;
        }
        for (int i = 0; i < n; i++) {
            double loss = distributed ? reduceBuffer[i] : chunkEmpty[i] ? 0.0 : hostLosses[i];
            int step = chunkFirstStep + i;
            long global = chunkFirstGlobal + i;
            if (!Double.isFinite(loss)) {
                return new Divergence(epoch, step, global, loss, Divergence.describeLoss(loss));
            }
            epochLossSum += loss * chunkSizes[i];
            epochRows += chunkSizes[i];
            for (TrainingListener l : listeners) {
                l.onBatch(epoch, step, batchesPerEpoch, global, loss);
            }
        }
        if (!distributed) {
            // One process needs no agreement; a request made by a listener just now counts at this boundary.
            agreedCheckpoint = checkpointRequested;
            agreedStop = stopRequested;
        }
        return null;
    }

    /** Epoch-end work; a result when the run ends here. */
    private TrainingResult endEpoch() {
        for (Parameter p : model.parameters()) {
            if (!backend.allFinite(p.value())) {
                double lastLoss = Double.NaN;
                return diverged(new Divergence(epoch, stepInEpoch, globalStep, lastLoss,
                        "parameter '" + p.name() + "' is not finite after the update"));
            }
        }
        double trainLoss = epochLossSum / epochRows;
        optimizer.endEpoch(trainLoss);
        Evaluation validation = validator == null ? null : validator.evaluate();
        Evaluation test = evaluator == null ? null : evaluator.evaluate();
        EpochMetrics metrics = new EpochMetrics(epoch, trainLoss, epochRows, globalStep, epochLearningRate, test,
                validation);
        history.add(metrics);
        boolean earlyStop = false;
        if (earlyStopping != null) {
            // the same value on every process: evaluations are reduced across them
            double value = switch (monitor) {
                case VAL_LOSS -> validation.loss();
                case VAL_ACCURACY -> validation.accuracy();
                case TEST_LOSS -> test.loss();
                default -> trainLoss;
            };
            if (earlyStopping.improves(monitor, value, bestValue)) {
                bestValue = value;
                bestEpoch = epoch;
                badEpochs = 0;
                if (earlyStopping.restoreBest()) {
                    bestWeights = snapshot();
                }
            } else {
                badEpochs++;
            }
            earlyStop = badEpochs >= earlyStopping.patience();
        }
        for (TrainingListener l : listeners) {
            l.onEpochEnd(metrics);
        }
        if (communicator.size() == 1) {
            agreedCheckpoint = checkpointRequested;
            agreedStop = stopRequested;
        }
        boolean due = epoch % checkpointEveryEpochs == 0 || epoch == epochs || agreedCheckpoint || agreedStop
                || earlyStop || (checkpointEverySteps > 0 && globalStep % checkpointEverySteps == 0);
        if (due) {
            // Positioned at the start of the next epoch; its sums start at zero and its learning rate is read then.
            writeCheckpoint(epoch + 1, 0, 0.0, 0L, 0.0);
        }
        if (agreedStop && epoch < epochs) {
            return finish(TrainingResult.Status.STOPPED, null, stopMessage(epoch + 1, 0));
        }
        if (earlyStop) {
            return finish(TrainingResult.Status.EARLY_STOPPED, null, earlyStopMessage());
        }
        return null;
    }

    private void writeCheckpoint() {
        writeCheckpoint(epoch, stepInEpoch, epochLossSum, epochRows, epochLearningRate);
    }

    private void writeCheckpoint(int cpEpoch, int cpBatch, double cpLossSum, long cpRows, double cpRate) {
        checkpointRequested = false;
        agreedCheckpoint = false;
        if (checkpointDir == null || communicator.rank() != 0) {
            return;
        }
        try {
            ByteArrayOutputStream state = new ByteArrayOutputStream();
            try (DataOutputStream out = new DataOutputStream(state)) {
                optimizer.saveState(out);
            }
            Checkpoint cp = new Checkpoint(runId, model.describe(), ParameterFile.encode(model), optimizer.name(),
                    state.toByteArray(), cpEpoch, cpBatch, globalStep, cpLossSum, cpRows, cpRate,
                    loader.samples(), batchesPerEpoch, seed, communicator.size(), bestValue, bestEpoch, badEpochs,
                    monitor == null ? "" : monitor.label(), bestWeights, history, "checkpoint");
            lastCheckpoint = cp.write(checkpointDir, keepCheckpoints);
        } catch (IOException e) {
            throw new UncheckedIOException("writing a checkpoint into " + checkpointDir + ": " + e.getMessage(), e);
        }
        for (TrainingListener l : listeners) {
            l.onCheckpoint(lastCheckpoint, cpEpoch, cpBatch);
        }
    }

    /** The parameters' values as a saved-model file (a host copy). */
    private byte[] snapshot() {
        try {
            return ParameterFile.encode(model);
        } catch (IOException e) {
            throw new UncheckedIOException("copying the best epoch's weights: " + e.getMessage(), e);
        }
    }

    private TrainingResult diverged(Divergence d) {
        for (TrainingListener l : listeners) {
            l.onDivergence(d);
        }
        return finish(TrainingResult.Status.DIVERGED, d, d.message());
    }

    private String stopMessage(int atEpoch, int atBatch) {
        return "stopped on request before epoch " + atEpoch + ", batch " + (atBatch + 1)
                + (lastCheckpoint != null ? "; checkpoint " + lastCheckpoint : "");
    }

    private String earlyStopMessage() {
        return "early stopping after epoch " + history.get(history.size() - 1).epoch() + ": no improvement of more than "
                + earlyStopping.minDelta() + " in " + monitor.label() + " for " + earlyStopping.patience()
                + " epochs (best epoch " + bestEpoch + ")";
    }

    private TrainingResult finish(TrainingResult.Status status, Divergence d, String message) {
        int completed = history.isEmpty() ? 0 : history.get(history.size() - 1).epoch();
        BestEpoch best = null;
        if (monitor != null && bestEpoch > 0) {
            // A run that ends for good ends with the best epoch's weights; one stopped on request is to be resumed.
            boolean restore = status != TrainingResult.Status.STOPPED && earlyStopping.restoreBest()
                    && bestWeights != null;
            if (restore) {
                try {
                    ParameterFile.decode(bestWeights, model, "the best epoch's weights");
                } catch (IOException e) {
                    throw new UncheckedIOException(e.getMessage(), e);
                }
                message += "; restored the weights of epoch " + bestEpoch + " (best " + monitor.label() + " "
                        + bestValue + ")";
            }
            best = new BestEpoch(monitor, bestEpoch, bestValue, restore);
        }
        TrainingResult r = new TrainingResult(status, completed, globalStep, history, d, message, lastCheckpoint,
                best);
        for (TrainingListener l : listeners) {
            l.onEnd(r);
        }
        return r;
    }

    /** Releases the trainer's buffers (not the model, optimizer or loaders). Idempotent. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            stepLosses.close();
            if (closureLoss != null) {
                closureLoss.close();
            }
            if (evaluator != null) {
                evaluator.close();
            }
            if (validator != null) {
                validator.close();
            }
        }
    }

    /** Configures a {@link Trainer}. */
    public static final class Builder {
        private final Model model;
        private final Optimizer optimizer;
        private final Loader loader;
        private Loader testLoader;
        private Loader validationLoader;
        private Communicator communicator = Communicator.single();
        private GradientSynchronizer synchronizer;
        private int epochs = 1;
        private int lossReadInterval;
        private EarlyStopping earlyStopping;
        private Path checkpointDir;
        private int checkpointEveryEpochs = 1;
        private long checkpointEverySteps;
        private int keepCheckpoints = 3;
        private long seed;
        private String runId;
        private final List<TrainingListener> listeners = new ArrayList<>();

        private Builder(Model model, Optimizer optimizer, Loader loader) {
            this.model = Objects.requireNonNull(model, "model");
            this.optimizer = Objects.requireNonNull(optimizer, "optimizer");
            this.loader = Objects.requireNonNull(loader, "loader");
        }

        /** Epochs to train (default 1); a resumed run ends after the same epoch count. */
        public Builder epochs(int epochs) {
            if (epochs < 1) {
                throw new IllegalArgumentException("epochs must be >= 1, got " + epochs);
            }
            this.epochs = epochs;
            return this;
        }

        /**
         * Evaluates on this held-out loader after every epoch (loss; accuracy and confusion, or MSE and MAE), for the
         * record only: no decision looks at it unless early stopping is told to watch {@code TEST_LOSS}.
         */
        public Builder testLoader(Loader testLoader) {
            this.testLoader = testLoader;
            return this;
        }

        /**
         * Evaluates on this loader after every epoch ({@link EpochMetrics#validation()}), the set early stopping
         * watches by default. Give it its own data, not the test set's (see {@link dev.descent.data.DataSplit}); in a
         * data-parallel run, shard it like the test loader.
         */
        public Builder validationLoader(Loader validationLoader) {
            this.validationLoader = validationLoader;
            return this;
        }

        /**
         * Steps between reads of the step losses from the backend (each read synchronises with the backend). 0, the
         * default, reads once per epoch; 1 reads after every step. Divergence is detected at a read.
         */
        public Builder lossReadInterval(int steps) {
            if (steps < 0) {
                throw new IllegalArgumentException("loss read interval must be >= 0 (0 = once per epoch), got "
                        + steps);
            }
            this.lossReadInterval = steps;
            return this;
        }

        /** The process's communicator (default {@link Communicator#single()}). */
        public Builder communicator(Communicator communicator) {
            this.communicator = Objects.requireNonNull(communicator, "communicator");
            return this;
        }

        /** Replaces the gradient combination between processes (default {@link GradientSynchronizer#allreduce}). */
        public Builder synchronizer(GradientSynchronizer synchronizer) {
            this.synchronizer = Objects.requireNonNull(synchronizer, "synchronizer");
            return this;
        }

        /** Stops when the monitored metric stops improving, and ends with the best epoch's weights (see there). */
        public Builder earlyStopping(EarlyStopping earlyStopping) {
            this.earlyStopping = earlyStopping;
            return this;
        }

        /**
         * Writes checkpoints into {@code dir}: after every {@code everyEpochs}-th epoch and after the last, on request,
         * and keeps the newest {@code keep}.
         */
        public Builder checkpoints(Path dir, int everyEpochs, int keep) {
            if (everyEpochs < 1) {
                throw new IllegalArgumentException("checkpoint interval must be >= 1 epoch, got " + everyEpochs);
            }
            if (keep < 1) {
                throw new IllegalArgumentException("checkpoints to keep must be >= 1, got " + keep);
            }
            this.checkpointDir = Objects.requireNonNull(dir, "dir");
            this.checkpointEveryEpochs = everyEpochs;
            this.keepCheckpoints = keep;
            return this;
        }

        /** Also writes a checkpoint every {@code steps} optimizer steps inside epochs (0: never, the default). */
        public Builder checkpointEverySteps(long steps) {
            if (steps < 0) {
                throw new IllegalArgumentException("checkpoint step interval must be >= 0, got " + steps);
            }
            this.checkpointEverySteps = steps;
            return this;
        }

        /**
         * The run's identity, recorded in every checkpoint (default: a new random one, see
         * {@link Checkpoint#newRunId()}). A resumed run takes its checkpoint's; given here too, they must agree.
         */
        public Builder runId(String runId) {
            if (!Checkpoint.isRunId(runId)) {
                throw new IllegalArgumentException("run id must be 1 to 64 letters, digits, '_' or '-', got "
                        + (runId == null ? "null" : "\"" + runId + "\""));
            }
            this.runId = runId;
            return this;
        }

        /** The run's seed, recorded in checkpoints and checked on resume (the loader and model use their own). */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Adds a listener. */
        public Builder listener(TrainingListener listener) {
            listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /** Validates and allocates the trainer's buffers. */
        public Trainer build() {
            if (checkpointEverySteps > 0 && checkpointDir == null) {
                throw new IllegalArgumentException("checkpoints every " + checkpointEverySteps
                        + " steps need a checkpoint directory");
            }
            return new Trainer(this);
        }
    }
}
