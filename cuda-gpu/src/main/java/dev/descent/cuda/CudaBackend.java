package dev.descent.cuda;

import dev.descent.backend.Backend;
import dev.descent.backend.BackendException;
import dev.descent.backend.BackendUnavailableException;
import dev.descent.backend.BinaryOp;
import dev.descent.backend.DType;
import dev.descent.backend.OpChecks;
import dev.descent.backend.ReduceOp;
import dev.descent.backend.Tensor;
import dev.descent.backend.UnaryOp;
import dev.descent.cuda.bindings.CudaCallException;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;

/**
 * The CUDA backend: tensors in device memory, SGEMM by cuBLAS, everything else by descent's own kernels
 * ({@code src/main/cuda/descent_kernels.cu}, shipped as PTX), all queued in order on one CUDA stream.
 *
 * <p><b>Synchronisation.</b> Operations are queued and return at once. Only {@link #download}, {@link #get},
 * {@link #synchronize} and the scalar reductions ({@link #sum}, {@link #dot}, {@link #squaredNorm}, {@link #maxAbs},
 * {@link #allFinite}) wait for the device. The fused losses write their value into {@code lossOut[lossIndex]} on the
 * device, so a training step (gather, GEMMs, loss, backward, optimizer updates) never waits for the GPU; read the
 * losses back once per epoch with one {@link #download}. Uploads from Java arrays go through two pinned staging
 * buffers and wait only for the upload issued two transfers earlier.
 *
 * <p><b>Errors found on the device.</b> Labels outside {@code [0, k)} and gather indices out of range are detected by
 * the kernels, which do not stop the stream; they are reported as an {@link IllegalArgumentException} by the next
 * call that synchronises, naming the operation, the row and the value.
 *
 * <p><b>CUDA graphs.</b> {@link #captureGraph} records the operations a {@code Runnable} queues into a CUDA graph that
 * {@link CudaGraph#replay()} launches with one call (one launch instead of one per kernel: the win for small batches).
 * See {@link CudaGraph} for what a replay may and may not change. {@link #runStep} is the trainer's way in: per key it
 * runs the step directly once, captures it the second time and from then on replays the graph with the scalars that
 * changed (learning rate, Adam's bias corrections, {@code lossIndex}) patched into it, falling back to direct
 * execution whenever the step does not match its recording (see {@code StepGraphs}). The system property
 * {@code descent.cuda.graphs} ({@code auto}, the default, or {@code off}) switches this off.
 *
 * <p><b>Memory.</b> Every tensor is tracked; {@link #close()} frees those still open. {@link #bytesAllocated()} counts
 * live tensor bytes. Running out of device memory is a {@link BackendException} naming the tensor, e.g.
 * {@code cuda: cannot allocate tensor [27455, 784] (86 MB): cudaErrorMemoryAllocation (2): out of memory ...}.
 *
 * <p>Numerics: cuBLAS runs in its default math mode, which never uses TF32 for SGEMM (set explicitly, so an
 * environment default cannot switch it on); kernels are compiled without fast math and without FMA contraction;
 * reductions use a fixed tree whose shape depends only on the element count, so results are bit-identical from run
 * to run. A backend is used by one thread at a time (any thread; the device context follows it).
 *
 * <p><b>Structure.</b> This class wires small package-private parts together and delegates to them; none of them
 * holds or calls it (the exceptions: {@code DeviceMemory} keeps it as the plain {@link Backend} that its tensors
 * report as their owner, {@link Tensor#backend()}, and never calls it; {@code ArgumentChecks} keeps that owner for the
 * shared ownership check, whose message for a foreign tensor names it by {@link #description()}).
 * {@code DeviceContext}: the primary context, the stream, open or closed. {@code DeviceMemory}: allocation, freeing
 * and the tensor registry. {@code Staging} and {@code Transfers}: pinned buffers and host-device copies.
 * {@code DeviceStatus}: waiting for the stream and the errors kernels record. {@code Launcher} and {@code Blas}:
 * kernel launches and cuBLAS. The operations by kind: {@code ElementwiseOps}, {@code MatrixMultiply},
 * {@code Reductions}, {@code RowOps}, {@code BroadcastOps}, {@code AxisReductions}, {@code LossKernels},
 * {@code OptimizerKernels}, all checking their arguments with the checks every backend shares
 * ({@link dev.descent.backend.OpChecks}, in the order the CPU backend makes them), the tensors through
 * {@code ArgumentChecks}, which first enters the device context. Graphs: {@code GraphCapture} ({@link #captureGraph})
 * and {@code StepGraphs} ({@link #runStep}). What the stream is doing (a capture, a step being recorded) is
 * {@code StreamState}, which they share.
 */
public final class CudaBackend implements Backend {
    private final Arena arena = Arena.ofShared();
    private final DeviceContext context;
    private final StreamState state = new StreamState();
    private final DeviceMemory memory;
    private final Staging staging;
    private final DeviceStatus status;
    private final Scratch scratch = new Scratch();
    private final Launcher launcher;
    private final Blas blas;
    private final StepGraphs steps;
    private final GraphCapture graphs;
    private final EventTimer timer;
    private final Transfers transfers;
    private final ElementwiseOps elementwise;
    private final MatrixMultiply matmul;
    private final Reductions reductions;
    private final RowOps rows;
    private final BroadcastOps broadcast;
    private final AxisReductions axisReductions;
    private final ArgumentChecks args;
    private final LossKernels losses;
    private final OptimizerKernels optimizers;

    private CudaBackend(int device, DeviceInfo info, boolean stepGraphs) {
        context = new DeviceContext(device, info, arena);
        memory = new DeviceMemory(this, context, state, arena);
        staging = new Staging(context, arena);
        status = new DeviceStatus(context, state, staging);
        launcher = new Launcher(arena, context, state);
        blas = new Blas(context, arena);
        steps = new StepGraphs(arena, context, launcher, blas, state, stepGraphs);
        graphs = new GraphCapture(context, state, status, arena);
        timer = new EventTimer(context, state, status, arena);
        args = new ArgumentChecks(context, memory);
        transfers = new Transfers(context, state, memory, args, staging, status);
        elementwise = new ElementwiseOps(args, launcher, state, context);
        matmul = new MatrixMultiply(args, launcher, state, blas);
        reductions = new Reductions(args, launcher, state, scratch, transfers);
        rows = new RowOps(args, launcher, state, status);
        broadcast = new BroadcastOps(args, launcher, scratch);
        axisReductions = new AxisReductions(args, launcher, scratch);
        losses = new LossKernels(args, launcher, state, status, scratch);
        optimizers = new OptimizerKernels(args, launcher);
        try {
            setUp();
        } catch (RuntimeException | Error e) {
            releaseAll(new ArrayList<>());
            arena.close();
            context.markClosed();
            if (e instanceof BackendException be) {
                throw be;
            }
            throw new BackendException("cuda: cannot set up device " + device + " (" + info.name() + "): "
                    + e.getMessage(), e);
        }
    }

    /** Creates a backend on {@code device}; the provider has checked availability. */
    static CudaBackend open(int device) {
        boolean stepGraphs = StepGraphs.enabledByProperty();
        DeviceInfo d0 = CudaAvailability.device0();
        if (d0 == null) {
            throw new BackendUnavailableException("backend 'cuda' is " + CudaAvailability.get());
        }
        if (device >= d0.count()) {
            throw new IllegalArgumentException("cuda: device " + device + " requested but there "
                    + (d0.count() == 1 ? "is 1 CUDA device" : "are " + d0.count() + " CUDA devices"));
        }
        DeviceInfo info;
        try {
            info = device == 0 ? d0 : DeviceInfo.query(device, d0.count());
        } catch (CudaCallException e) {
            throw new BackendException("cuda: cannot query device " + device + ": " + e.getMessage(), e);
        }
        return new CudaBackend(device, info, stepGraphs);
    }

    /** The device work of construction, in order; what it got is released by {@link #releaseAll} if it fails. */
    private void setUp() {
        context.open();         // primary context, current on this thread; the stream
        launcher.open();        // descent's kernels
        blas.open(memory);      // cuBLAS on the stream, with its workspace
        scratch.open(memory);   // reductions and losses
        status.open(memory);    // the device status record, cleared
        staging.open();         // pinned bytes for read-back; the staging events
        status.sync("setup");
    }

    // ------------------------------------------------------------------------------------------------ identity

    @Override
    public String name() {
        return "cuda";
    }

    @Override
    public String description() {
        return "cuda: " + context.info().summary();
    }

    @Override
    public int threads() {
        return 1;
    }

    /** {@link #description()}, as the shared checks' messages name a tensor's backend. */
    @Override
    public String toString() {
        return description();
    }

    /** The device this backend runs on. */
    public DeviceInfo deviceInfo() {
        return context.info();
    }

    // ------------------------------------------------------------------------------------------------ memory

    @Override
    public Tensor allocate(int... shape) {
        return memory.allocate(DType.F32, shape, "allocate", true);
    }

    @Override
    public Tensor allocateInt(int... shape) {
        return memory.allocate(DType.I32, shape, "allocateInt", true);
    }

    /** Bytes held by this backend's live tensors. */
    public long bytesAllocated() {
        return memory.bytesAllocated();
    }

    /** Number of live tensors. */
    public int liveTensors() {
        return memory.liveTensors();
    }

    /** Device memory the backend holds besides tensors: cuBLAS workspace and reduction scratch. */
    public long overheadBytes() {
        return memory.bufferBytes();
    }

    /** Free and total device memory ({@code cudaMemGetInfo}; counts every process on the device). */
    public record MemoryInfo(long free, long total) {
    }

    /** {@code cudaMemGetInfo} for this backend's device. */
    public MemoryInfo memoryInfo() {
        return memory.memoryInfo();
    }

    // ------------------------------------------------------------------------------------------------ transfers

    @Override
    public Tensor upload(float[] data, int... shape) {
        return transfers.upload(data, shape);
    }

    @Override
    public Tensor uploadInt(int[] data, int... shape) {
        return transfers.uploadInt(data, shape);
    }

    @Override
    public void upload(float[] src, int srcOffset, Tensor dst) {
        transfers.upload(src, srcOffset, dst);
    }

    @Override
    public void uploadInt(int[] src, int srcOffset, Tensor dst) {
        transfers.uploadInt(src, srcOffset, dst);
    }

    @Override
    public void download(Tensor src, float[] dst, int dstOffset) {
        transfers.download(src, dst, dstOffset);
    }

    @Override
    public void downloadInt(Tensor src, int[] dst, int dstOffset) {
        transfers.downloadInt(src, dst, dstOffset);
    }

    @Override
    public float get(Tensor src, long index) {
        return transfers.get(src, index);
    }

    @Override
    public void synchronize() {
        status.synchronize();
    }

    /**
     * Milliseconds the device spends on the operations {@code work} queues, measured with CUDA events around it on
     * the backend's stream; synchronises.
     */
    public float time(Runnable work) {
        return timer.time(work);
    }

    // ------------------------------------------------------------------------------------------------ operations

    @Override
    public void gemm(boolean transA, boolean transB, float alpha, Tensor a, Tensor b, float beta, Tensor c) {
        matmul.gemm(transA, transB, alpha, a, b, beta, c);
    }

    @Override
    public void axpy(float alpha, Tensor x, Tensor y) {
        elementwise.axpy(alpha, x, y);
    }

    @Override
    public void scale(float alpha, Tensor x) {
        elementwise.scale(alpha, x);
    }

    @Override
    public void fill(Tensor x, float value) {
        elementwise.fill(x, value);
    }

    @Override
    public void copy(Tensor src, Tensor dst) {
        elementwise.copy(src, dst);
    }

    @Override
    public void multiply(Tensor a, Tensor b, Tensor out) {
        elementwise.multiply(a, b, out);
    }

    @Override
    public void clamp(Tensor x, float lo, float hi) {
        elementwise.clamp(x, lo, hi);
    }

    @Override
    public void relu(Tensor x, Tensor out) {
        elementwise.relu(x, out);
    }

    @Override
    public void reluBackward(Tensor gradOut, Tensor activation, Tensor gradIn) {
        elementwise.reluBackward(gradOut, activation, gradIn);
    }

    @Override
    public double sum(Tensor x) {
        return reductions.sum(x);
    }

    @Override
    public double dot(Tensor x, Tensor y) {
        return reductions.dot(x, y);
    }

    @Override
    public double squaredNorm(Tensor x) {
        return reductions.squaredNorm(x);
    }

    @Override
    public float maxAbs(Tensor x) {
        return reductions.maxAbs(x);
    }

    @Override
    public boolean allFinite(Tensor x) {
        return reductions.allFinite(x);
    }

    @Override
    public void gatherRows(Tensor src, Tensor indices, int offset, Tensor dst) {
        rows.gatherRows(src, indices, offset, dst);
    }

    @Override
    public void argmaxRows(Tensor x, Tensor out) {
        rows.argmaxRows(x, out);
    }

    @Override
    public void addRowVector(Tensor x, Tensor bias) {
        rows.addRowVector(x, bias);
    }

    @Override
    public void columnSums(float alpha, Tensor x, float beta, Tensor out) {
        rows.columnSums(alpha, x, beta, out);
    }

    // ------------------------------------------------------------------------------------------------ fused losses

    @Override
    public void softmaxCrossEntropy(Tensor logits, Tensor labels, Tensor grad, int normalizer, Tensor lossOut,
            int lossIndex) {
        losses.softmaxCrossEntropy(logits, labels, grad, normalizer, lossOut, lossIndex);
    }

    @Override
    public void sigmoidBinaryCrossEntropy(Tensor logits, Tensor targets, Tensor grad, int normalizer,
            Tensor lossOut, int lossIndex) {
        losses.sigmoidBinaryCrossEntropy(logits, targets, grad, normalizer, lossOut, lossIndex);
    }

    @Override
    public void meanSquaredError(Tensor predictions, Tensor targets, Tensor grad, int normalizer, Tensor lossOut,
            int lossIndex) {
        losses.meanSquaredError(predictions, targets, grad, normalizer, lossOut, lossIndex);
    }

    @Override
    public void meanAbsoluteError(Tensor predictions, Tensor targets, Tensor grad, int normalizer, Tensor lossOut,
            int lossIndex) {
        losses.meanAbsoluteError(predictions, targets, grad, normalizer, lossOut, lossIndex);
    }

    // ------------------------------------------------------------------------------------------------ optimizers

    @Override
    public void sgdUpdate(Tensor param, Tensor grad, Tensor momentumBuffer, double lr, double momentum,
            double dampening, boolean nesterov, double weightDecay, boolean maximize, boolean copyFirst) {
        optimizers.sgdUpdate(param, grad, momentumBuffer, lr, momentum, dampening, nesterov, weightDecay, maximize,
                copyFirst);
    }

    @Override
    public void adamUpdate(Tensor param, Tensor grad, Tensor m, Tensor v, Tensor maxV, double lr, double beta1,
            double beta2, double eps, double weightDecay, boolean decoupled, boolean maximize, long step) {
        optimizers.adamUpdate(param, grad, m, v, maxV, lr, beta1, beta2, eps, weightDecay, decoupled, maximize, step);
    }

    @Override
    public void rmspropUpdate(Tensor param, Tensor grad, Tensor squareAvg, Tensor gradAvg, Tensor momentumBuffer,
            double lr, double alpha, double eps, double weightDecay, double momentum, boolean maximize) {
        optimizers.rmspropUpdate(param, grad, squareAvg, gradAvg, momentumBuffer, lr, alpha, eps, weightDecay,
                momentum, maximize);
    }

    @Override
    public void adagradUpdate(Tensor param, Tensor grad, Tensor sum, double clr, double eps, double weightDecay,
            boolean maximize) {
        optimizers.adagradUpdate(param, grad, sum, clr, eps, weightDecay, maximize);
    }

    @Override
    public void nadamUpdate(Tensor param, Tensor grad, Tensor m, Tensor v, double gradStepSize,
            double momentumStepSize, double beta1, double beta2, double eps, double weightDecay, boolean maximize,
            long step) {
        optimizers.nadamUpdate(param, grad, m, v, gradStepSize, momentumStepSize, beta1, beta2, eps, weightDecay,
                maximize, step);
    }

    @Override
    public void radamUpdate(Tensor param, Tensor grad, Tensor m, Tensor v, double lr, double beta1, double beta2,
            double eps, double weightDecay, boolean maximize, long step) {
        optimizers.radamUpdate(param, grad, m, v, lr, beta1, beta2, eps, weightDecay, maximize, step);
    }

    @Override
    public void adamaxUpdate(Tensor param, Tensor grad, Tensor m, Tensor u, double lr, double beta1, double beta2,
            double eps, double weightDecay, boolean maximize, long step) {
        optimizers.adamaxUpdate(param, grad, m, u, lr, beta1, beta2, eps, weightDecay, maximize, step);
    }

    @Override
    public void adadeltaUpdate(Tensor param, Tensor grad, Tensor squareAvg, Tensor accDelta, double lr, double rho,
            double eps, double weightDecay, boolean maximize) {
        optimizers.adadeltaUpdate(param, grad, squareAvg, accDelta, lr, rho, eps, weightDecay, maximize);
    }

    // ------------------------------------------------------------------------------------------------ views

    /**
     * A view: a tensor of {@code shape} on {@code x}'s device memory (no copy, no device work, so it may be made inside
     * a captured graph or a training step). It counts neither in {@link #liveTensors()} nor in
     * {@link #bytesAllocated()}; closing it frees nothing; closing {@code x} or the backend closes it.
     */
    @Override
    public Tensor reshape(Tensor x, int... shape) {
        DeviceTensor tx = args.own(x, "reshape", "x");
        OpChecks.reshape(tx, shape);
        return memory.view(tx, shape);
    }

    // ------------------------------------------------------------------------------------------------ autodiff

    @Override
    public void unary(UnaryOp op, float param, Tensor x, Tensor out) {
        elementwise.unary(op, param, x, out);
    }

    @Override
    public void unaryBackward(UnaryOp op, float param, Tensor x, Tensor out, Tensor gradOut, float beta,
            Tensor gradIn) {
        elementwise.unaryBackward(op, param, x, out, gradOut, beta, gradIn);
    }

    @Override
    public void binary(BinaryOp op, Tensor a, Tensor b, Tensor out) {
        broadcast.binary(op, a, b, out);
    }

    @Override
    public void binaryBackward(BinaryOp op, int argument, Tensor a, Tensor b, Tensor out, Tensor gradOut, float beta,
            Tensor gradArg) {
        broadcast.binaryBackward(op, argument, a, b, out, gradOut, beta, gradArg);
    }

    @Override
    public void reduce(ReduceOp op, Tensor x, Tensor out) {
        axisReductions.reduce(op, x, out);
    }

    @Override
    public void reduceBackward(ReduceOp op, Tensor x, Tensor out, Tensor gradOut, float beta, Tensor gradIn) {
        axisReductions.reduceBackward(op, x, out, gradOut, beta, gradIn);
    }

    @Override
    public void softmaxRows(Tensor x, Tensor out, boolean log) {
        rows.softmaxRows(x, out, log);
    }

    @Override
    public void softmaxRowsBackward(Tensor out, Tensor gradOut, boolean log, float beta, Tensor gradIn) {
        rows.softmaxRowsBackward(out, gradOut, log, beta, gradIn);
    }

    @Override
    public void gatherColumns(Tensor x, Tensor labels, Tensor out) {
        rows.gatherColumns(x, labels, out);
    }

    @Override
    public void scatterAddColumns(Tensor gradOut, Tensor labels, float beta, Tensor gradIn) {
        rows.scatterAddColumns(gradOut, labels, beta, gradIn);
    }

    @Override
    public void transpose(Tensor x, float beta, Tensor out) {
        elementwise.transpose(x, beta, out);
    }

    @Override
    public void copyBlock(Tensor src, int srcRow, int srcCol, Tensor dst, int dstRow, int dstCol, int rows, int cols,
            float beta) {
        elementwise.copyBlock(src, srcRow, srcCol, dst, dstRow, dstCol, rows, cols, beta);
    }

    // ------------------------------------------------------------------------------------------------ CUDA graphs

    /**
     * Runs one training step, as a CUDA graph from the second call of a key on: the first call runs {@code step}
     * directly, the second captures and launches it, later calls run {@code step} again only to collect its
     * operations' arguments, patch those that changed into the graph's kernel nodes and launch the graph once. A
     * step that does not match its recording (another sequence of operations or tensors, an SGEMM with other scalars,
     * an upload, download, reduction or allocation) is finished by running its operations directly: results are always
     * those of {@code step.run()}. A key that fails three times runs directly from then on; at most four keys keep
     * graphs. With {@code -Ddescent.cuda.graphs=off}, inside {@link #captureGraph}, or inside another step, it just
     * runs {@code step}. See {@link dev.descent.backend.Backend#runStep} for the contract.
     */
    @Override
    public void runStep(long key, Runnable step) {
        context.enter();
        steps.run(key, step);
    }

    /** The step-graph machinery of {@link #runStep}, for tests (its counters). */
    StepGraphs stepGraphs() {
        return steps;
    }

    /**
     * Captures the operations {@code step} queues on this backend into a CUDA graph, without running them, and
     * returns it instantiated; {@link CudaGraph#replay()} runs it. While capturing, calls that allocate, free, upload
     * from Java arrays or synchronise are refused with an {@link IllegalStateException} (see {@link CudaGraph}).
     *
     * @throws IllegalStateException when a capture is already in progress
     */
    public CudaGraph captureGraph(Runnable step) {
        return graphs.captureGraph(step);
    }

    // ------------------------------------------------------------------------------------------------ close

    @Override
    public void close() {
        if (context.isClosed()) {
            return;
        }
        List<String> errors = new ArrayList<>();
        context.enterQuietly(errors);
        graphs.abandonCapture();
        steps.close(errors); // before the stream synchronises: ends a step capture left open
        releaseAll(errors);
        context.markClosed();
        arena.close();
        if (!errors.isEmpty()) {
            throw new BackendException("cuda: close: " + String.join("; ", errors));
        }
    }

    /** Frees everything this backend holds, recording failures instead of stopping at the first. */
    private void releaseAll(List<String> errors) {
        context.synchronizeQuietly(errors);
        graphs.destroyAll(errors);
        memory.freeTensors(errors);
        blas.close(errors);
        memory.freeBuffers(errors);   // the cuBLAS workspace, reduction scratch and status record
        staging.close(errors);
        context.release(errors);      // the stream, then the primary context
    }
}
