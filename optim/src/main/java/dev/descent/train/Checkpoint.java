package dev.descent.train;

import dev.descent.model.AtomicFiles;
import dev.descent.model.Model;
import dev.descent.model.ParameterFile;
import dev.descent.optim.Optimizer;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;

/**
 * Everything a training run needs to continue bit-identically: the model's parameter values, the optimizer's state
 * (moments, step counts, learning-rate schedule; {@link Optimizer#saveState}), the loader position (epoch and next
 * batch index: the loader's order is a function of its seed and the epoch), the partial sums of the current epoch,
 * the early-stopping state (best value and epoch, epochs without improvement, the best epoch's weights), the metrics
 * of every completed epoch, and the seed.
 *
 * <p><b>Files.</b> A checkpoint is one file {@code checkpoint-<global step, 12 digits>.ckpt} in a directory, written
 * atomically (temporary file, fsync, rename, fsync of the directory), so a run killed at any moment leaves only
 * complete checkpoints; the newest {@code keep} are kept. {@link #latest(Path)} finds the newest.
 *
 * <p><b>Run identity.</b> Every checkpoint carries the identity of the run that wrote it ({@link #runId()}, a random
 * token the run drew when it started; a resumed run keeps it). A trainer writing into a folder leaves other runs'
 * checkpoints alone and refuses to start beside them, and {@link #latest(Path, String)} finds only a given run's, so a
 * run never resumes from, or prunes, another run's checkpoints.
 *
 * <p>Format version {@value #VERSION}, big-endian ({@link DataOutputStream}); versions 1 and 2 are still read
 * (version 1 has no run identity: read as ""; versions 1 and 2 have no monitor, best weights or validation
 * evaluations: read as "", none and none):
 * <pre>
 *   8 bytes "DSCNTCKP", int version, UTF run identity (version 2 on)
 *   UTF model description, int n + n bytes: the saved-model file ({@link ParameterFile}) of the parameters
 *   UTF optimizer name, int n + n bytes: its saveState
 *   int epoch, int next batch index, long global step   (batch index 0: the epoch has not started)
 *   double epoch loss sum, long epoch rows, double learning rate at the epoch's start
 *   int samples, int batches per epoch, long seed, int processes
 *   double best monitored value, int best epoch, int epochs without improvement
 *   UTF monitor ("" without early stopping, else {@link EarlyStopping.Monitor#label()})   (version 3 on)
 *   int n + n bytes: the best epoch's parameters as a saved-model file, n = 0: none kept  (version 3 on)
 *   int epochs of history, each: int epoch, double train loss, long samples, long steps, double lr,
 *       boolean has test [EVALUATION], boolean has validation [EVALUATION] (validation: version 3 on)
 *   long CRC-32 of every byte before it
 *
 *   EVALUATION = long samples, double loss, accuracy, mse, mae, int k, k·k long counts
 * </pre>
 */
public final class Checkpoint {
    /** The current format version. */
    public static final int VERSION = 3;
    private static final byte[] MAGIC = "DSCNTCKP".getBytes(StandardCharsets.US_ASCII);
    private static final Pattern NAME = Pattern.compile("checkpoint-(\\d{12})\\.ckpt");

    private final String runId;
    private final String model;
    private final byte[] parameters;
    private final String optimizer;
    private final byte[] optimizerState;
    private final int epoch;
    private final int batchIndex;
    private final long globalStep;
    private final double epochLossSum;
    private final long epochRows;
    private final double epochLearningRate;
    private final int samples;
    private final int batchesPerEpoch;
    private final long seed;
    private final int processes;
    private final double bestLoss;
    private final int bestEpoch;
    private final int epochsWithoutImprovement;
    private final String monitor;
    private final byte[] bestWeights;
    private final List<EpochMetrics> history;
    private final String source;

    Checkpoint(String runId, String model, byte[] parameters, String optimizer, byte[] optimizerState, int epoch, int batchIndex,
            long globalStep, double epochLossSum, long epochRows, double epochLearningRate, int samples,
            int batchesPerEpoch, long seed, int processes, double bestLoss, int bestEpoch,
            int epochsWithoutImprovement, String monitor, byte[] bestWeights, List<EpochMetrics> history,
            String source) {
        this.runId = runId;
        this.model = model;
        this.parameters = parameters;
        this.optimizer = optimizer;
        this.optimizerState = optimizerState;
        this.epoch = epoch;
        this.batchIndex = batchIndex;
        this.globalStep = globalStep;
        this.epochLossSum = epochLossSum;
        this.epochRows = epochRows;
        this.epochLearningRate = epochLearningRate;
        this.samples = samples;
        this.batchesPerEpoch = batchesPerEpoch;
        this.seed = seed;
        this.processes = processes;
        this.bestLoss = bestLoss;
        this.bestEpoch = bestEpoch;
        this.epochsWithoutImprovement = epochsWithoutImprovement;
        this.monitor = monitor == null ? "" : monitor;
        this.bestWeights = bestWeights;
        this.history = List.copyOf(history);
        this.source = source;
    }

    /** The model's description when it was written. */
    public String model() {
        return model;
    }

    /** The optimizer's name. */
    public String optimizer() {
        return optimizer;
    }

    /** The epoch to continue in (from 1). */
    public int epoch() {
        return epoch;
    }

    /** The batch index of {@link #epoch()} to continue at; 0 when the epoch has not started. */
    public int batchIndex() {
        return batchIndex;
    }

    /** Optimizer steps done. */
    public long globalStep() {
        return globalStep;
    }

    /** Epochs completed: {@code epoch() − 1}. */
    public int epochsCompleted() {
        return epoch - 1;
    }

    /** The seed of the run. */
    public long seed() {
        return seed;
    }

    /** Samples in the training set. */
    public int samples() {
        return samples;
    }

    /** Batches per epoch. */
    public int batchesPerEpoch() {
        return batchesPerEpoch;
    }

    /** Processes of the run that wrote it. */
    public int processes() {
        return processes;
    }

    /** Metrics of every completed epoch. */
    public List<EpochMetrics> history() {
        return history;
    }

    /** The identity of the run that wrote it ("" for a version-1 checkpoint, which has none). */
    public String runId() {
        return runId;
    }

    /** Where it was read from, or "checkpoint" when it was not read from a file. */
    public String source() {
        return source;
    }

    double epochLossSum() {
        return epochLossSum;
    }

    long epochRows() {
        return epochRows;
    }

    double epochLearningRate() {
        return epochLearningRate;
    }

    double bestLoss() {
        return bestLoss;
    }

    int bestEpoch() {
        return bestEpoch;
    }

    int epochsWithoutImprovement() {
        return epochsWithoutImprovement;
    }

    /**
     * The metric early stopping watched ({@link EarlyStopping.Monitor#label()}), or "" when the run had no early
     * stopping or the checkpoint predates version 3.
     */
    public String monitor() {
        return monitor;
    }

    /** The best epoch's parameters as a saved-model file ({@link ParameterFile}), or null when none were kept. */
    byte[] bestWeights() {
        return bestWeights;
    }

    /**
     * Loads the parameters into {@code model} and the state into {@code optimizer}, after checking that they are the
     * ones the checkpoint was written for (the best epoch's weights, when kept, are checked against the model too).
     *
     * @throws IOException naming the checkpoint and what does not match
     */
    public void restore(Model model, Optimizer optimizer) throws IOException {
        if (!optimizer.name().equals(this.optimizer)) {
            throw new IOException(source + ": written by optimizer " + this.optimizer + ", this run uses "
                    + optimizer.name());
        }
        if (bestWeights != null) {
            ParameterFile.decode(bestWeights, model, source + " (the best epoch's weights)");
        }
        ParameterFile.decode(parameters, model, source);
        try {
            optimizer.loadState(new DataInputStream(new ByteArrayInputStream(optimizerState)));
        } catch (IOException e) {
            throw new IOException(source + ": optimizer state: " + e.getMessage(), e);
        }
    }

    // ------------------------------------------------------------------ files

    /** The file name for a checkpoint after {@code globalStep} steps. */
    public static String fileName(long globalStep) {
        return String.format("checkpoint-%012d.ckpt", globalStep);
    }

    /** The checkpoint files in {@code dir}, oldest first (none if the directory does not exist). */
    public static List<Path> list(Path dir) throws IOException {
        List<Path> files = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return files;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "checkpoint-*.ckpt")) {
            for (Path p : ds) {
                if (NAME.matcher(p.getFileName().toString()).matches()) {
                    files.add(p);
                }
            }
        }
        files.sort(Comparator.comparing(p -> p.getFileName().toString()));
        return files;
    }

    /** The newest checkpoint file in {@code dir}, if any, whichever run wrote it. */
    public static Optional<Path> latest(Path dir) throws IOException {
        List<Path> files = list(dir);
        return files.isEmpty() ? Optional.empty() : Optional.of(files.get(files.size() - 1));
    }

    /** The newest checkpoint file in {@code dir} written by run {@code runId}, if any. */
    public static Optional<Path> latest(Path dir, String runId) throws IOException {
        List<Path> files = list(dir);
        for (int i = files.size() - 1; i >= 0; i--) {
            if (runId.equals(runIdOf(files.get(i)))) {
                return Optional.of(files.get(i));
            }
        }
        return Optional.empty();
    }

    /** Whether {@code id} can be a run identity: 1 to 64 letters, digits, '_' or '-'. */
    public static boolean isRunId(String id) {
        return id != null && id.matches("[0-9A-Za-z_-]{1,64}");
    }

    /** A new run identity: 16 random hexadecimal digits. */
    public static String newRunId() {
        byte[] b = new byte[8];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    private static final SecureRandom RANDOM = new SecureRandom();

    /**
     * The run identity in a checkpoint file's header ("" for version 1), read without reading the rest.
     *
     * @throws IOException naming the file when it is not a descent checkpoint
     */
    public static String runIdOf(Path file) throws IOException {
        try (DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(Files.newInputStream(file),
                256))) {
            byte[] magic = in.readNBytes(MAGIC.length);
            if (!Arrays.equals(magic, MAGIC)) {
                throw new IOException(file + ": not a descent checkpoint (expected magic DSCNTCKP)");
            }
            int version = in.readInt();
            if (version == 1) {
                return "";
            }
            if (version != 2 && version != VERSION) {
                throw new IOException(file + ": checkpoint format version " + version
                        + " is not supported (this is version " + VERSION + ")");
            }
            return in.readUTF();
        } catch (EOFException e) {
            throw new IOException(file + ": checkpoint ends early (truncated)", e);
        }
    }

    /** The global step encoded in a checkpoint file's name, or −1. */
    public static long stepOf(Path file) {
        Matcher m = NAME.matcher(file.getFileName().toString());
        return m.matches() ? Long.parseLong(m.group(1)) : -1;
    }

    /**
     * Writes this checkpoint into {@code dir} atomically and deletes this run's older checkpoints but the newest
     * {@code keep} in all (and temporary files left by a killed writer; the caller holds the folder).
     *
     * @return the file written
     */
    public Path write(Path dir, int keep) throws IOException {
        if (keep < 1) {
            throw new IllegalArgumentException("keep must be >= 1, got " + keep);
        }
        byte[] bytes = encode();
        Path file = dir.resolve(fileName(globalStep));
        AtomicFiles.write(file, out -> out.write(bytes));
        // Prune this run's older checkpoints only: never the one just written, never another run's.
        List<Path> older = new ArrayList<>();
        for (Path p : list(dir)) {
            if (stepOf(p) < globalStep && runId.equals(runIdOrNull(p))) {
                older.add(p);
            }
        }
        for (int i = 0; i < older.size() - (keep - 1); i++) {
            Files.deleteIfExists(older.get(i));
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, ".checkpoint-*.descent-*.tmp")) {
            for (Path p : ds) {
                Files.deleteIfExists(p);
            }
        }
        return file;
    }

    private static String runIdOrNull(Path file) {
        try {
            return runIdOf(file);
        } catch (IOException e) {
            return null;
        }
    }

    /** Reads and verifies a checkpoint file. */
    public static Checkpoint read(Path file) throws IOException {
        byte[] data;
        try {
            data = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new IOException(file + ": no such checkpoint", e);
        }
        return decode(data, file.toString());
    }

    /** The checkpoint's bytes, as written to its file. */
    public byte[] encode() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(parameters.length + optimizerState.length
                + (bestWeights == null ? 0 : bestWeights.length) + 4096);
        DataOutputStream out = new DataOutputStream(bytes);
        out.write(MAGIC);
        out.writeInt(VERSION);
        out.writeUTF(runId);
        out.writeUTF(model);
        out.writeInt(parameters.length);
        out.write(parameters);
        out.writeUTF(optimizer);
        out.writeInt(optimizerState.length);
        out.write(optimizerState);
        out.writeInt(epoch);
        out.writeInt(batchIndex);
        out.writeLong(globalStep);
        out.writeDouble(epochLossSum);
        out.writeLong(epochRows);
        out.writeDouble(epochLearningRate);
        out.writeInt(samples);
        out.writeInt(batchesPerEpoch);
        out.writeLong(seed);
        out.writeInt(processes);
        out.writeDouble(bestLoss);
        out.writeInt(bestEpoch);
        out.writeInt(epochsWithoutImprovement);
        out.writeUTF(monitor);
        out.writeInt(bestWeights == null ? 0 : bestWeights.length);
        if (bestWeights != null) {
            out.write(bestWeights);
        }
        out.writeInt(history.size());
        for (EpochMetrics m : history) {
            out.writeInt(m.epoch());
            out.writeDouble(m.trainLoss());
            out.writeLong(m.trainSamples());
            out.writeLong(m.steps());
            out.writeDouble(m.learningRate());
            writeEvaluation(out, m.test());
            writeEvaluation(out, m.validation());
        }
        out.flush();
        CRC32 crc = new CRC32();
        crc.update(bytes.toByteArray());
        out.writeLong(crc.getValue());
        out.flush();
        return bytes.toByteArray();
    }

    private static void writeEvaluation(DataOutputStream out, Evaluation e) throws IOException {
        out.writeBoolean(e != null);
        if (e != null) {
            out.writeLong(e.samples());
            out.writeDouble(e.loss());
            out.writeDouble(e.accuracy());
            out.writeDouble(e.mse());
            out.writeDouble(e.mae());
            ConfusionMatrix c = e.confusion();
            out.writeInt(c == null ? 0 : c.classes());
            if (c != null) {
                for (long v : c.counts()) {
                    out.writeLong(v);
                }
            }
        }
    }

    private static Evaluation readEvaluation(DataInputStream in, String source, int epoch) throws IOException {
        if (!in.readBoolean()) {
            return null;
        }
        long evalSamples = in.readLong();
        double evalLoss = in.readDouble();
        double acc = in.readDouble();
        double mse = in.readDouble();
        double mae = in.readDouble();
        int k = in.readInt();
        ConfusionMatrix cm = null;
        if (k < 0 || k > 1 << 15) {
            throw new IOException(source + ": history epoch " + epoch + " has " + k + " classes");
        }
        if (k > 0) {
            long[] counts = new long[k * k];
            for (int j = 0; j < counts.length; j++) {
                counts[j] = in.readLong();
            }
            cm = new ConfusionMatrix(k, counts);
        }
        return new Evaluation(evalSamples, evalLoss, acc, mse, mae, cm);
    }

    /**
     * Decodes checkpoint bytes.
     *
     * @param source names the data in error messages
     * @throws IOException naming the source and what is wrong (magic, version, checksum, truncation, a bad field)
     */
    public static Checkpoint decode(byte[] data, String source) throws IOException {
        if (data.length < MAGIC.length + 4 + 8 || !Arrays.equals(data, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw new IOException(source + ": not a descent checkpoint (expected magic DSCNTCKP)");
        }
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(data, 0, data.length - 8));
        try {
            in.skipNBytes(MAGIC.length);
            int version = in.readInt();
            if (version < 1 || version > VERSION) {
                throw new IOException(source + ": checkpoint format version " + version
                        + " is not supported (this is version " + VERSION + ")");
            }
            CRC32 crc = new CRC32();
            crc.update(data, 0, data.length - 8);
            long stored = 0;
            for (int i = data.length - 8; i < data.length; i++) {
                stored = (stored << 8) | (data[i] & 0xFF);
            }
            if (stored != crc.getValue()) {
                throw new IOException(source + ": checksum mismatch, the checkpoint is damaged");
            }
            String runId = version >= 2 ? in.readUTF() : "";
            String model = in.readUTF();
            byte[] params = readBlock(in, source, "parameters");
            String optimizer = in.readUTF();
            byte[] state = readBlock(in, source, "optimizer state");
            int epoch = in.readInt();
            int batchIndex = in.readInt();
            long globalStep = in.readLong();
            if (epoch < 1 || batchIndex < 0 || globalStep < 0) {
                throw new IOException(source + ": position field is invalid (epoch " + epoch + ", batch "
                        + batchIndex + ", step " + globalStep + ")");
            }
            double lossSum = in.readDouble();
            long rows = in.readLong();
            double lr = in.readDouble();
            int samples = in.readInt();
            int batches = in.readInt();
            long seed = in.readLong();
            int processes = in.readInt();
            double best = in.readDouble();
            int bestEpoch = in.readInt();
            int bad = in.readInt();
            String monitor = "";
            byte[] bestWeights = null;
            if (version >= 3) {
                monitor = in.readUTF();
                byte[] w = readBlock(in, source, "best weights");
                bestWeights = w.length == 0 ? null : w;
            }
            int n = in.readInt();
            if (n < 0 || n > epoch) {
                throw new IOException(source + ": history field holds " + n + " epochs at epoch " + epoch);
            }
            List<EpochMetrics> history = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                int ep = in.readInt();
                double trainLoss = in.readDouble();
                long trainSamples = in.readLong();
                long steps = in.readLong();
                double rate = in.readDouble();
                Evaluation eval = readEvaluation(in, source, ep);
                Evaluation validation = version >= 3 ? readEvaluation(in, source, ep) : null;
                history.add(new EpochMetrics(ep, trainLoss, trainSamples, steps, rate, eval, validation));
            }
            if (in.available() != 0) {
                throw new IOException(source + ": " + in.available() + " unexpected bytes at the end");
            }
            return new Checkpoint(runId, model, params, optimizer, state, epoch, batchIndex, globalStep, lossSum, rows, lr,
                    samples, batches, seed, processes, best, bestEpoch, bad, monitor, bestWeights, history, source);
        } catch (EOFException e) {
            throw new IOException(source + ": checkpoint ends early (truncated)", e);
        }
    }

    private static byte[] readBlock(DataInputStream in, String source, String what) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > in.available()) {
            throw new IOException(source + ": " + what + " field claims " + n + " bytes, " + in.available()
                    + " remain");
        }
        return in.readNBytes(n);
    }

    @Override
    public String toString() {
        return "checkpoint " + source + " (run " + (runId.isEmpty() ? "?" : runId) + "): epoch " + epoch + ", batch " + batchIndex + ", step " + globalStep + ", "
                + model + ", " + optimizer;
    }
}
