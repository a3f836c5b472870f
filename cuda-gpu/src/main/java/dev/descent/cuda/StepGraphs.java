package dev.descent.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.descent.cuda.bindings.CudaErrors;
import dev.descent.cuda.bindings.gen.cuda_h;
import dev.descent.cuda.bindings.gen.cuda_runtime_h;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link CudaBackend#runStep}: a training step captured once per key as a CUDA graph and replayed, with the scalars
 * that change from step to step patched into the executable graph.
 *
 * <p>Per key (the trainer passes the batch's row count): the first call runs the step directly (buffers get
 * allocated, the module and cuBLAS warm up). The second runs it under stream capture: every operation is issued into
 * the capture and also recorded here as a descriptor (a kernel with its grid and argument values and the graph node
 * the launch added, a cuBLAS SGEMM with its pointers, shapes, alpha and beta, a device-to-device copy); the graph is
 * instantiated and launched. Later calls run the step in <em>patch</em> mode: each operation, instead of being issued,
 * is compared with the descriptor at the same position. A kernel whose arguments changed (learning rate, Adam's bias
 * corrections, {@code lossIndex}, a gather offset) gets them written into its node of the executable graph with
 * {@code cuGraphExecKernelNodeSetParams_v2} once the step has matched to the end; then one {@code cudaGraphLaunch}
 * runs the whole step. SGEMMs and copies must match exactly (cuBLAS's nodes are not ours to patch).
 *
 * <p>Anything else is a mismatch: another operation, kernel or grid, a different operation count, an operation a
 * graph cannot hold (an upload from a Java array, a download, a reduction, an allocation, closing a tensor,
 * {@code synchronize}), or an exception from the step. The step is then finished correctly: the operations recorded
 * so far are issued one by one with this step's arguments, and the step continues directly. The key's graph is
 * dropped and captured again on its next call; after {@value #MAX_FAILURES} failures the key runs directly for good.
 * At most {@value #MAX_KEYS} keys hold graphs (the least recently used is destroyed for a new one); closing the
 * backend destroys them all.
 *
 * <p>The host side of the step (shape checks, a tensor's known int32 contents, the device-status bookkeeping) runs
 * on every call exactly as in a direct call, so a replay is observably the same as running the step directly.
 */
@SuppressWarnings("restricted") // FFM: sizing native pointers returned by the driver
final class StepGraphs {
    /** Keys with graphs at a time. */
    static final int MAX_KEYS = 4;
    /** Failed captures or replays after which a key runs directly for good. */
    static final int MAX_FAILURES = 3;
    /** Operation codes besides kernels (whose code is their {@link Kernel#ordinal()}). */
    static final int GEMM = -1;
    static final int COPY = -2;
    static final int MAX_ARGS = Math.max(Launcher.MAX_ARGS, 13);

    private static final Kernel[] KERNELS = Kernel.values();
    // CUDA_KERNEL_NODE_PARAMS_v2 (cuda.h, CUDA 12+): CUfunction func; unsigned gridDimX, gridDimY, gridDimZ,
    // blockDimX, blockDimY, blockDimZ, sharedMemBytes; void **kernelParams; void **extra; CUkernel kern;
    // CUcontext ctx. 72 bytes.
    private static final long NODE_PARAMS_BYTES = 72;
    private static final long P_FUNC = 0;
    private static final long P_GRID = 8;
    private static final long P_BLOCK = 20;
    private static final long P_SHARED = 32;
    private static final long P_KERNEL_PARAMS = 40;
    private static final long P_EXTRA = 48;
    private static final long P_KERN = 56;
    private static final long P_CTX = 64;

    private enum Mode { CAPTURE, PATCH }

    /** One recorded operation. */
    private static final class Op {
        int code;
        int blocks;
        int argc;
        /** The arguments the executable graph holds. */
        final long[] recorded = new long[MAX_ARGS];
        /** This step's arguments (patch mode). */
        final long[] pending = new long[MAX_ARGS];
        boolean changed;
        /** The kernel's node in the captured graph; null for SGEMM and copies (or when the driver named none). */
        MemorySegment node;
    }

    /** What is known about one key. */
    private static final class Entry {
        long key;
        long lastUse;
        boolean warm;
        int failures;
        boolean direct;
        MemorySegment graph;
        MemorySegment exec;
        Op[] ops;
        int opCount;
        int cursor;
        final List<Op> building = new ArrayList<>();

        void reset(long newKey) {
            key = newKey;
            warm = false;
            failures = 0;
            direct = false;
            ops = null;
            opCount = 0;
            cursor = 0;
            building.clear();
        }
    }

    private final DeviceContext context;
    private final Launcher launcher;
    private final Blas blas;
    private final StreamState state;
    private final boolean enabled;
    private final Entry[] entries = new Entry[MAX_KEYS];
    private int entryCount;
    private long tick;
    private Entry active;
    private Mode mode;
    private Boolean driverSupport;
    private final long[] scratch = new long[MAX_ARGS];
    private final MemorySegment outPointer;
    private final MemorySegment captureStatus;
    private final MemorySegment dependencies;
    private final MemorySegment edgeData;
    private final MemorySegment dependencyCount;
    private final MemorySegment nodeParams;

    // counters, for tests and diagnostics
    private long directSteps;
    private long captures;
    private long replays;
    private long patchedParams;
    private long fallbacks;

    StepGraphs(Arena arena, DeviceContext context, Launcher launcher, Blas blas, StreamState state, boolean enabled) {
        this.context = context;
        this.launcher = launcher;
        this.blas = blas;
        this.state = state;
        this.enabled = enabled;
        this.outPointer = arena.allocate(ADDRESS);
        this.captureStatus = arena.allocate(JAVA_INT);
        this.dependencies = arena.allocate(ADDRESS);
        this.edgeData = arena.allocate(ADDRESS);
        this.dependencyCount = arena.allocate(JAVA_LONG);
        this.nodeParams = arena.allocate(NODE_PARAMS_BYTES, 8);
    }

    /** Whether {@code descent.cuda.graphs} allows graphs ({@code auto}, the default) or not ({@code off}). */
    static boolean enabledByProperty() {
        String v = System.getProperty("descent.cuda.graphs", "auto").trim();
        return switch (v) {
            case "auto", "" -> true;
            case "off" -> false;
            default -> throw new IllegalArgumentException("system property descent.cuda.graphs must be 'auto' or "
                    + "'off', got '" + v + "'");
        };
    }

    /** True while a step is being captured or patched (its operations go through {@link #submit}). */
    boolean recording() {
        return active != null;
    }

    /** The argument array an operation fills before {@link #submit} (one per backend, reused). */
    long[] scratch() {
        return scratch;
    }

    // ------------------------------------------------------------------------------------------------ one step

    void run(long key, Runnable step) {
        if (!enabled || active != null || state.capturing() || !driverSupported()) {
            if (active == null) {
                directSteps++;
            }
            step.run();
            return;
        }
        Entry e = entry(key);
        if (e.direct || !e.warm) {
            e.warm = true;
            directSteps++;
            step.run();
        } else if (e.exec == null) {
            capture(e, step);
        } else {
            patch(e, step);
        }
    }

    private void capture(Entry e, Runnable step) {
        int rc = cuda_runtime_h.cudaStreamBeginCapture(context.stream(),
                cuda_runtime_h.cudaStreamCaptureModeThreadLocal());
        if (rc != 0) {
            cuda_runtime_h.cudaGetLastError();
            e.direct = true;
            directSteps++;
            step.run();
            return;
        }
        e.building.clear();
        begin(e, Mode.CAPTURE);
        runRecorded(e, step);
        if (active != e) {
            return; // interrupted: already finished directly
        }
        end();
        finishCapture(e);
    }

    /** Ends the step's capture, instantiates its graph and launches it; on any failure the step runs directly. */
    private void finishCapture(Entry e) {
        MemorySegment stream = context.stream();
        int rc = cuda_runtime_h.cudaStreamEndCapture(stream, outPointer);
        MemorySegment graph = outPointer.get(ADDRESS, 0);
        if (rc != 0 || graph.equals(MemorySegment.NULL)) {
            cuda_runtime_h.cudaGetLastError();
            destroyGraph(graph);
            fallBack(e, e.building, false, e.building.size());
            return;
        }
        if (e.building.isEmpty()) {
            destroyGraph(graph); // nothing to launch: the step issues no operation
            e.direct = true;
            return;
        }
        rc = cuda_runtime_h.cudaGraphInstantiate(outPointer, graph, 0L);
        if (rc != 0) {
            cuda_runtime_h.cudaGetLastError();
            destroyGraph(graph);
            fallBack(e, e.building, false, e.building.size());
            return;
        }
        MemorySegment exec = outPointer.get(ADDRESS, 0);
        rc = cuda_runtime_h.cudaGraphLaunch(exec, stream);
        if (rc != 0) {
            cuda_runtime_h.cudaGetLastError();
            cuda_runtime_h.cudaGraphExecDestroy(exec);
            destroyGraph(graph);
            fallBack(e, e.building, false, e.building.size());
            return;
        }
        e.graph = graph;
        e.exec = exec;
        e.ops = e.building.toArray(new Op[0]);
        e.opCount = e.ops.length;
        e.building.clear();
        captures++;
    }

    private void patch(Entry e, Runnable step) {
        e.cursor = 0;
        begin(e, Mode.PATCH);
        runRecorded(e, step);
        if (active != e) {
            return;
        }
        end();
        if (e.cursor != e.opCount) {
            fallBack(e, null, true, e.cursor);
            return;
        }
        Op[] ops = e.ops;
        for (int i = 0; i < e.opCount; i++) {
            Op op = ops[i];
            if (!op.changed) {
                continue;
            }
            if (setNodeParams(e.exec, op) != 0) {
                // the driver refuses to patch this node: give the key up (its graph no longer matches `recorded`)
                e.failures = MAX_FAILURES - 1;
                fallBack(e, null, true, e.opCount);
                return;
            }
            System.arraycopy(op.pending, 0, op.recorded, 0, op.argc);
            op.changed = false;
            patchedParams++;
        }
        int rc = cuda_runtime_h.cudaGraphLaunch(e.exec, context.stream());
        if (rc != 0) {
            cuda_runtime_h.cudaGetLastError();
            fallBack(e, null, true, e.opCount);
            return;
        }
        replays++;
    }

    /** Runs the step with this recorder active; an exception ends the recording (finishing what was issued). */
    private void runRecorded(Entry e, Runnable step) {
        try {
            step.run();
        } catch (Throwable t) {
            if (active == e) {
                interrupt();
            }
            throw t;
        }
    }

    private void begin(Entry e, Mode m) {
        active = e;
        mode = m;
        state.startRecording(this);
    }

    private void end() {
        active = null;
        mode = null;
        state.stopRecording();
    }

    // ------------------------------------------------------------------------------------------------ operations

    /** A kernel launch while recording: its arguments are in the launcher's block. */
    void kernel(Kernel kernel, int blocks, int argc) {
        launcher.readArgs(kernel, scratch, argc);
        submit(kernel.ordinal(), blocks, scratch, argc);
    }

    /**
     * An operation while recording (kernel ordinal, {@link #GEMM} or {@link #COPY}, with its arguments): captured,
     * matched against the recording, or, on a mismatch, issued directly after what was recorded before it.
     */
    void submit(int code, int blocks, long[] args, int argc) {
        if (mode == Mode.CAPTURE ? captured(code, blocks, args, argc) : matched(code, blocks, args, argc)) {
            return;
        }
        // not capturable after all, or a mismatch: finish directly (the recorded operations, then this one)
        interrupt();
        issue(code, blocks, args, argc);
    }

    /** Capture mode: issues the operation into the capture and records it; false if the capture refused it. */
    private boolean captured(int code, int blocks, long[] args, int argc) {
        if (tryIssue(code, blocks, args, argc) != 0) {
            return false;
        }
        Op op = new Op();
        op.code = code;
        op.blocks = blocks;
        op.argc = argc;
        System.arraycopy(args, 0, op.recorded, 0, argc);
        op.node = code >= 0 ? capturedNode() : null;
        active.building.add(op);
        return true;
    }

    /**
     * Patch mode: compares the operation with the one recorded at this position, keeping its arguments to patch in;
     * false on a mismatch (another operation or grid, or changed arguments that cannot be patched).
     */
    private boolean matched(int code, int blocks, long[] args, int argc) {
        Entry e = active;
        Op op = e.cursor < e.opCount ? e.ops[e.cursor] : null;
        if (op == null || op.code != code || op.blocks != blocks || op.argc != argc) {
            return false;
        }
        boolean changed = false;
        for (int i = 0; i < argc; i++) {
            op.pending[i] = args[i];
            changed |= args[i] != op.recorded[i];
        }
        if (changed && (code < 0 || op.node == null)) {
            return false;
        }
        op.changed = changed;
        e.cursor++;
        return true;
    }

    /**
     * An operation a graph cannot hold (or the end of a step that did not match): ends the recording and issues
     * the operations recorded so far directly, so the step continues exactly as if it had run directly.
     */
    void interrupt() {
        Entry e = active;
        if (e == null) {
            return;
        }
        Mode m = mode;
        end();
        if (m == Mode.CAPTURE) {
            cuda_runtime_h.cudaStreamEndCapture(context.stream(), outPointer);
            destroyGraph(outPointer.get(ADDRESS, 0));
            cuda_runtime_h.cudaGetLastError();
            fallBack(e, e.building, false, e.building.size());
        } else {
            fallBack(e, null, true, e.cursor);
        }
    }

    /** Issues ops [0, count) directly (recorded or this step's arguments), then counts a failure of the key. */
    private void fallBack(Entry e, List<Op> building, boolean pending, int count) {
        fallbacks++;
        try {
            for (int i = 0; i < count; i++) {
                Op op = building != null ? building.get(i) : e.ops[i];
                issue(op.code, op.blocks, pending ? op.pending : op.recorded, op.argc);
            }
        } finally {
            e.building.clear();
            drop(e);
            if (++e.failures >= MAX_FAILURES) {
                e.direct = true;
            }
        }
    }

    private int tryIssue(int code, int blocks, long[] args, int argc) {
        if (code == GEMM) {
            return blas.tryGemm(args);
        }
        if (code == COPY) {
            return cuda_runtime_h.cudaMemcpyAsync(MemorySegment.ofAddress(args[0]), MemorySegment.ofAddress(args[1]),
                    args[2], cuda_runtime_h.cudaMemcpyDeviceToDevice(), context.stream());
        }
        Kernel k = KERNELS[code];
        launcher.writeArgs(k, args, argc);
        return launcher.tryIssue(k, blocks);
    }

    private void issue(int code, int blocks, long[] args, int argc) {
        int rc = tryIssue(code, blocks, args, argc);
        if (code == GEMM) {
            Blas.checkGemm(rc, args);
        } else if (code == COPY) {
            CudaCalls.check(rc, "cudaMemcpyAsync(device to device)");
        } else {
            Launcher.check(rc, KERNELS[code], blocks);
        }
    }

    /** The node the launch just issued into the capture added (the stream's one dependency now), or null. */
    private MemorySegment capturedNode() {
        int rc = cuda_h.cuStreamGetCaptureInfo_v3(context.stream(), captureStatus, MemorySegment.NULL,
                MemorySegment.NULL, dependencies, edgeData, dependencyCount);
        if (rc != 0 || captureStatus.get(JAVA_INT, 0) != cuda_h.CU_STREAM_CAPTURE_STATUS_ACTIVE()
                || dependencyCount.get(JAVA_LONG, 0) != 1) {
            return null;
        }
        MemorySegment array = dependencies.get(ADDRESS, 0);
        if (array.equals(MemorySegment.NULL)) {
            return null;
        }
        MemorySegment node = array.reinterpret(ADDRESS.byteSize()).get(ADDRESS, 0);
        return node.equals(MemorySegment.NULL) ? null : node;
    }

    private int setNodeParams(MemorySegment exec, Op op) {
        Kernel k = KERNELS[op.code];
        launcher.writeArgs(k, op.pending, op.argc);
        nodeParams.set(ADDRESS, P_FUNC, launcher.function(k));
        nodeParams.set(JAVA_INT, P_GRID, op.blocks);
        nodeParams.set(JAVA_INT, P_GRID + 4, 1);
        nodeParams.set(JAVA_INT, P_GRID + 8, 1);
        nodeParams.set(JAVA_INT, P_BLOCK, Launcher.BLOCK);
        nodeParams.set(JAVA_INT, P_BLOCK + 4, 1);
        nodeParams.set(JAVA_INT, P_BLOCK + 8, 1);
        nodeParams.set(JAVA_INT, P_SHARED, 0);
        nodeParams.set(ADDRESS, P_KERNEL_PARAMS, launcher.pointers());
        nodeParams.set(ADDRESS, P_EXTRA, MemorySegment.NULL);
        nodeParams.set(ADDRESS, P_KERN, MemorySegment.NULL);
        nodeParams.set(ADDRESS, P_CTX, MemorySegment.NULL);
        return cuda_h.cuGraphExecKernelNodeSetParams_v2(exec, op.node, nodeParams);
    }

    /** Whether the driver exports the two calls patching needs (drivers for CUDA 12.3 and later do). */
    private boolean driverSupported() {
        if (driverSupport == null) {
            try {
                cuda_h.cuStreamGetCaptureInfo_v3$address();
                cuda_h.cuGraphExecKernelNodeSetParams_v2$address();
                driverSupport = true;
            } catch (LinkageError e) {
                driverSupport = false;
            }
        }
        return driverSupport;
    }

    // ------------------------------------------------------------------------------------------------ keys

    /** The entry for {@code key}, taking a free slot or the least recently used one (whose graph is destroyed). */
    private Entry entry(long key) {
        tick++;
        for (int i = 0; i < entryCount; i++) {
            if (entries[i].key == key) {
                entries[i].lastUse = tick;
                return entries[i];
            }
        }
        Entry e;
        if (entryCount < MAX_KEYS) {
            e = new Entry();
            entries[entryCount++] = e;
        } else {
            e = entries[0];
            for (int i = 1; i < entryCount; i++) {
                if (entries[i].lastUse < e.lastUse) {
                    e = entries[i];
                }
            }
            drop(e);
        }
        e.reset(key);
        e.lastUse = tick;
        return e;
    }

    /** Destroys the key's graph (keeping what is known about the key). */
    private void drop(Entry e) {
        if (e.exec != null) {
            cuda_runtime_h.cudaGraphExecDestroy(e.exec);
            e.exec = null;
        }
        if (e.graph != null) {
            destroyGraph(e.graph);
            e.graph = null;
        }
        e.ops = null;
        e.opCount = 0;
    }

    private static void destroyGraph(MemorySegment graph) {
        if (graph != null && !graph.equals(MemorySegment.NULL)) {
            cuda_runtime_h.cudaGraphDestroy(graph);
        }
    }

    /**
     * Destroys every graph, recording failures in {@code errors}; ends a capture left open (a step that closed the
     * backend). The backend is closing.
     */
    void close(List<String> errors) {
        if (active != null) {
            if (mode == Mode.CAPTURE) {
                cuda_runtime_h.cudaStreamEndCapture(context.stream(), outPointer);
                destroyGraph(outPointer.get(ADDRESS, 0));
                cuda_runtime_h.cudaGetLastError();
            }
            end();
        }
        for (int i = 0; i < entryCount; i++) {
            Entry e = entries[i];
            if (e.exec != null) {
                int rc = cuda_runtime_h.cudaGraphExecDestroy(e.exec);
                if (rc != 0) {
                    errors.add(CudaErrors.cuda(rc, "cudaGraphExecDestroy").getMessage());
                }
                e.exec = null;
            }
            if (e.graph != null) {
                int rc = cuda_runtime_h.cudaGraphDestroy(e.graph);
                if (rc != 0) {
                    errors.add(CudaErrors.cuda(rc, "cudaGraphDestroy").getMessage());
                }
                e.graph = null;
            }
            e.ops = null;
        }
        entryCount = 0;
    }

    // ------------------------------------------------------------------------------------------------ counters

    /** Steps run directly by {@link CudaBackend#runStep} (first call of a key, graphs off, keys given up). */
    long directSteps() {
        return directSteps;
    }

    /** Successful captures (each also launched its graph once). */
    long captures() {
        return captures;
    }

    /** Steps run as one launch of a patched graph. */
    long replays() {
        return replays;
    }

    /** Kernel nodes whose arguments were patched. */
    long patchedParams() {
        return patchedParams;
    }

    /** Captures or replays abandoned for a direct run (mismatch, an operation a graph cannot hold, a failure). */
    long fallbacks() {
        return fallbacks;
    }

    /** Keys that currently hold an executable graph. */
    int liveGraphs() {
        int n = 0;
        for (int i = 0; i < entryCount; i++) {
            if (entries[i].exec != null) {
                n++;
            }
        }
        return n;
    }

    /** Keys that run directly for good after {@value #MAX_FAILURES} failures. */
    int keysGivenUp() {
        int n = 0;
        for (int i = 0; i < entryCount; i++) {
            if (entries[i].direct) {
                n++;
            }
        }
        return n;
    }
}
