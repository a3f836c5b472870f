package dev.descent.cuda;

import java.lang.foreign.MemorySegment;

/**
 * A captured sequence of backend operations (a CUDA graph), launched with one call.
 *
 * <p>For small batches a training step is dozens of short kernels whose launch cost exceeds their run time; a graph
 * launches them all at once. Capture records, it does not run:
 * <pre>{@code
 * CudaBackend cuda = ...;                       // buffers allocated once per batch shape
 * CudaGraph step = cuda.captureGraph(() -> {    // queues nothing, records everything
 *     cuda.gemm(false, true, 1f, x, w, 0f, logits);
 *     cuda.addRowVector(logits, b);
 *     cuda.softmaxCrossEntropy(logits, y, dLogits, batch, losses, 0);
 *     cuda.gemm(true, false, 1f, dLogits, x, 0f, dW);
 *     cuda.columnSums(1f, dLogits, 0f, dB);
 *     cuda.sgdUpdate(w, dW, null, lr, 0, 0, false, 0, false, false);
 *     cuda.sgdUpdate(b, dB, null, lr, 0, 0, false, 0, false, false);
 * });
 * for (each batch) {
 *     cuda.upload(batchX, 0, x);                // uploads stay outside the graph
 *     cuda.uploadInt(batchY, 0, y);
 *     step.replay();                            // the whole step, one launch, no host wait
 * }
 * }</pre>
 *
 * <p>A replay repeats exactly what was captured: the same tensors (device addresses), sizes, and every scalar
 * argument as it was at capture time — learning rate, momentum, Adam's bias corrections (which change with the step
 * count), the gather offset, {@code lossIndex}, GEMM's alpha and beta. Inputs change between replays only through the
 * contents of the captured tensors (upload the next batch into the same tensor). When scalars change from step to
 * step (Adam, learning-rate schedules, a new {@code lossIndex} per step), call {@link #update(Runnable)} with the
 * step's operations instead of {@link #replay()}: it re-records them and patches the executable graph in place
 * ({@code cudaGraphExecUpdate}, falling back to a fresh instantiation when the sequence of operations changed), then
 * launches it.
 *
 * <p>During capture the backend refuses, with an {@link IllegalStateException}, what a graph cannot hold: allocating
 * or closing tensors, uploads from Java arrays, downloads, {@code get}, {@code synchronize} and the scalar reductions.
 * Errors the kernels detect (labels, gather indices) are reported by the first synchronising call after the replay.
 * Closing the backend destroys its graphs.
 */
public final class CudaGraph implements AutoCloseable {
    private final GraphCapture graphs;
    private MemorySegment exec;
    private boolean reportsStatus;
    private DeviceTensor[] intWrites;
    private boolean closed;

    CudaGraph(GraphCapture graphs, MemorySegment exec, boolean reportsStatus, DeviceTensor[] intWrites) {
        this.graphs = graphs;
        this.exec = exec;
        this.reportsStatus = reportsStatus;
        this.intWrites = intWrites;
    }

    /** Queues the captured operations on the backend's stream (asynchronous, like every operation). */
    public void replay() {
        checkOpen();
        graphs.launch(exec, reportsStatus, intWrites);
    }

    /**
     * Re-records {@code step} (same tensors, new scalars), updates this graph in place and launches it: the way to use
     * a graph when the step's scalar arguments change between steps.
     */
    public void update(Runnable step) {
        checkOpen();
        exec = graphs.update(exec, step);
        reportsStatus = graphs.capturedStatusKernel();
        graphs.launch(exec, reportsStatus, intWrites);
    }

    /** Destroys the executable graph. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        graphs.destroy(this, exec);
    }

    /** Whether {@link #close()} was called or the backend closed. */
    public boolean isClosed() {
        return closed;
    }

    MemorySegment exec() {
        return exec;
    }

    void markClosed() {
        closed = true;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("CudaGraph: the graph is closed");
        }
        if (graphs.isClosed()) {
            throw new IllegalStateException("CudaGraph: the backend is closed");
        }
    }
}
