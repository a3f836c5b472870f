package dev.descent.cuda;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.descent.backend.BackendException;
import dev.descent.cuda.bindings.CudaErrors;
import dev.descent.cuda.bindings.gen.cuda_runtime_h;
import java.lang.foreign.MemorySegment;

/**
 * Waiting for the device, and the errors only the device can find. Kernels that check what the host does not know
 * (labels outside {@code [0, k)} of the cross-entropy, {@code gatherColumns} and {@code scatterAddColumns}, gather
 * indices out of range) record the first bad value in a small status record in device memory instead of stopping the
 * stream; {@link #sync} waits for the stream and, when such a kernel ran since the last look, reads the record and
 * reports it as an {@link IllegalArgumentException} naming the operation that found it and the call that
 * synchronised.
 */
final class DeviceStatus {
    /** Bytes of the status record: code, row, value, bound (ints). */
    static final long BYTES = 16;

    private final DeviceContext context;
    private final StreamState state;
    private final Staging staging;
    private MemorySegment record;
    private boolean dirty;

    DeviceStatus(DeviceContext context, StreamState state, Staging staging) {
        this.context = context;
        this.state = state;
        this.staging = staging;
    }

    /** Allocates the status record and clears it on the stream. */
    void open(DeviceMemory memory) {
        record = memory.buffer(BYTES, "status record");
        CudaErrors.checkCuda(cuda_runtime_h.cudaMemsetAsync(record, 0, BYTES, context.stream()), "cudaMemsetAsync");
    }

    /** The status record's device address, a kernel argument. */
    long address() {
        return record.address();
    }

    /** A kernel that reports into the record was queued (or captured: then each replay of the graph reports). */
    void kernelQueued() {
        if (state.capturing()) {
            state.statusKernelCaptured();
        } else {
            dirty = true;
        }
    }

    /** A graph holding such a kernel was launched: the next sync reads the record. */
    void graphLaunched() {
        dirty = true;
    }

    /** {@link CudaBackend#synchronize()}. */
    void synchronize() {
        context.enter("synchronize");
        state.refuseInGraph("synchronize");
        sync("synchronize");
    }

    /** Waits for the stream; then reports any error the kernels recorded in the status record. */
    void sync(String op) {
        MemorySegment stream = context.stream();
        int rc = cuda_runtime_h.cudaStreamSynchronize(stream);
        if (rc != 0) {
            throw new BackendException("cuda: " + op + ": the device reported an error for earlier queued work: "
                    + CudaErrors.cuda(rc, "cudaStreamSynchronize").getMessage());
        }
        staging.drained();
        if (dirty) {
            dirty = false;
            readRecord(op, stream);
        }
    }

    private void readRecord(String op, MemorySegment stream) {
        MemorySegment host = staging.statusHost();
        CudaCalls.check(cuda_runtime_h.cudaMemcpyAsync(host, record, BYTES, cuda_runtime_h.cudaMemcpyDeviceToHost(),
                stream), "cudaMemcpyAsync(status)");
        CudaCalls.check(cuda_runtime_h.cudaStreamSynchronize(stream), "cudaStreamSynchronize");
        int code = host.get(JAVA_INT, 0);
        if (code != 0) {
            int row = host.get(JAVA_INT, 4);
            int value = host.get(JAVA_INT, 8);
            int bound = host.get(JAVA_INT, 12);
            CudaCalls.check(cuda_runtime_h.cudaMemsetAsync(record, 0, BYTES, stream), "cudaMemsetAsync(status)");
            CudaCalls.check(cuda_runtime_h.cudaStreamSynchronize(stream), "cudaStreamSynchronize");
            throw new IllegalArgumentException(message(code, row, value, bound) + " (found on the device; "
                    + "reported by " + op + ", the first call that synchronised after it)");
        }
    }

    /** The message for a status record's code, row, value and bound. */
    static String message(int code, int row, int value, int bound) {
        return switch (code) {
            case 1 -> "softmaxCrossEntropy: label " + value + " in row " + row + " is outside [0, " + bound + ")";
            case 2 -> "gatherRows: index " + value + " at position " + row + " of indices is outside [0, " + bound
                    + ")";
            case 3 -> "gatherColumns: label " + value + " in row " + row + " is outside [0, " + bound + ")";
            case 4 -> "scatterAddColumns: label " + value + " in row " + row + " is outside [0, " + bound + ")";
            default -> "cuda: unknown device status " + code;
        };
    }
}
