package dev.descent.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;

import dev.descent.cuda.bindings.gen.cuda_runtime_h;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * Explicit CUDA graphs ({@link CudaBackend#captureGraph}): stream capture of what a {@code Runnable} queues,
 * instantiation, in-place update, launch and destruction of the executable graphs, which it tracks so that closing
 * the backend destroys those still open. See {@link CudaGraph} for what a replay repeats.
 */
final class GraphCapture {
    private final DeviceContext context;
    private final StreamState state;
    private final DeviceStatus status;
    private final MemorySegment out;
    private final MemorySegment updateResultInfo;  // cudaGraphExecUpdateResultInfo (24 bytes)
    private final List<CudaGraph> graphs = new ArrayList<>();

    GraphCapture(DeviceContext context, StreamState state, DeviceStatus status, Arena arena) {
        this.context = context;
        this.state = state;
        this.status = status;
        this.out = arena.allocate(ADDRESS);
        this.updateResultInfo = arena.allocate(64, 8);
    }

    /** Captures {@code step} into a new executable graph (see {@link CudaBackend#captureGraph}). */
    CudaGraph captureGraph(Runnable step) {
        MemorySegment exec = instantiate(capture(step));
        CudaGraph g = new CudaGraph(this, exec, state.capturedStatusKernel(), state.capturedIntWrites());
        graphs.add(g);
        return g;
    }

    /** Records {@code step} into a new graph (returned; the caller destroys it). */
    MemorySegment capture(Runnable step) {
        context.enter();
        state.interruptRecording(); // a graph captured inside a training step: finish the step directly
        if (state.capturing()) {
            throw new IllegalStateException("captureGraph: a capture is already in progress");
        }
        CudaCalls.check(cuda_runtime_h.cudaStreamBeginCapture(context.stream(),
                cuda_runtime_h.cudaStreamCaptureModeThreadLocal()), "cudaStreamBeginCapture");
        state.beginCapture();
        Throwable failure = null;
        try {
            step.run();
        } catch (Throwable t) {
            failure = t;
        } finally {
            state.endCapture();
        }
        return endCapture(failure);
    }

    /** Ends the stream capture: the graph; or, after {@code failure} or a failed end, the graph destroyed, a throw. */
    private MemorySegment endCapture(Throwable failure) {
        context.enter();
        int rc = cuda_runtime_h.cudaStreamEndCapture(context.stream(), out);
        MemorySegment graph = out.get(ADDRESS, 0);
        if (failure == null && rc == 0) {
            return graph;
        }
        if (!graph.equals(MemorySegment.NULL)) {
            cuda_runtime_h.cudaGraphDestroy(graph);
        }
        cuda_runtime_h.cudaGetLastError();
        if (failure instanceof RuntimeException re) {
            throw re;
        }
        if (failure instanceof Error err) {
            throw err;
        }
        throw CudaCalls.fail(rc, "cudaStreamEndCapture");
    }

    /** Instantiates and destroys {@code graph}, returning the executable graph. */
    MemorySegment instantiate(MemorySegment graph) {
        try {
            CudaCalls.check(cuda_runtime_h.cudaGraphInstantiate(out, graph, 0L), "cudaGraphInstantiate");
            return out.get(ADDRESS, 0);
        } finally {
            cuda_runtime_h.cudaGraphDestroy(graph);
        }
    }

    /** Updates {@code exec} in place from a new capture if the topology allows, else re-instantiates. */
    MemorySegment update(MemorySegment exec, Runnable step) {
        MemorySegment graph = capture(step);
        int rc = cuda_runtime_h.cudaGraphExecUpdate(exec, graph, updateResultInfo);
        if (rc == 0) {
            cuda_runtime_h.cudaGraphDestroy(graph);
            return exec;
        }
        cuda_runtime_h.cudaGetLastError();
        cuda_runtime_h.cudaGraphExecDestroy(exec);
        return instantiate(graph);
    }

    /** Whether the last capture holds a kernel that reports into the device status record. */
    boolean capturedStatusKernel() {
        return state.capturedStatusKernel();
    }

    /** Queues an executable graph; {@code intWrites} are the int32 tensors it writes (no longer known on the host). */
    void launch(MemorySegment exec, boolean reportsStatus, DeviceTensor[] intWrites) {
        context.enter();
        if (state.capturing()) {
            throw new IllegalStateException("CudaGraph.replay: cannot replay a graph while capturing another");
        }
        state.interruptRecording();
        CudaCalls.check(cuda_runtime_h.cudaGraphLaunch(exec, context.stream()), "cudaGraphLaunch");
        if (reportsStatus) {
            status.graphLaunched();
        }
        for (DeviceTensor t : intWrites) {
            t.known(null);
        }
    }

    /** A graph's {@code close()}. */
    void destroy(CudaGraph g, MemorySegment exec) {
        graphs.remove(g);
        if (!context.isClosed()) {
            context.enter();
            CudaCalls.check(cuda_runtime_h.cudaGraphExecDestroy(exec), "cudaGraphExecDestroy");
        }
    }

    boolean isClosed() {
        return context.isClosed();
    }

    /** Closing: ends a capture left open (a step that closed the backend) and drops what it recorded. */
    void abandonCapture() {
        if (state.capturing()) {
            cuda_runtime_h.cudaStreamEndCapture(context.stream(), out);
            MemorySegment g = out.get(ADDRESS, 0);
            if (!g.equals(MemorySegment.NULL)) {
                cuda_runtime_h.cudaGraphDestroy(g);
            }
            state.endCapture();
        }
    }

    /** Closing: destroys every graph still open and marks it closed, recording failures. */
    void destroyAll(List<String> errors) {
        for (CudaGraph g : new ArrayList<>(graphs)) {
            g.markClosed();
            CudaCalls.quietly(errors, cuda_runtime_h.cudaGraphExecDestroy(g.exec()), "cudaGraphExecDestroy");
        }
        graphs.clear();
    }
}
