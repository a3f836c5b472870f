package dev.descent.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;

import dev.descent.backend.BackendException;
import dev.descent.cuda.bindings.CudaErrors;
import dev.descent.cuda.bindings.gen.cuda_runtime_h;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;

/**
 * Pinned host memory for host-device copies: two staging buffers that uploads from Java arrays alternate between
 * (each with an event, so an upload waits only for the one issued two transfers earlier; larger copies go in chunks
 * of up to 64 MiB), and a small pinned block for scalars read back and the status record's host copy.
 */
@SuppressWarnings("restricted") // FFM: sizing the pinned memory cudaMallocHost returns
final class Staging {
    /** Bytes of the pinned block: a scalar read back at 0, the status record's host copy at {@link #STATUS_AT}. */
    static final long PINNED_BYTES = 64;
    static final long STATUS_AT = 16;
    private static final long INITIAL = 1L << 20;
    private static final long MAX = 64L << 20;

    private final DeviceContext context;
    private final MemorySegment out;
    private final MemorySegment[] buffer = new MemorySegment[2];
    private final MemorySegment[] event = new MemorySegment[2];
    private final boolean[] pending = new boolean[2];
    private long bufferBytes;
    private int next;
    private MemorySegment pinned;
    private MemorySegment statusHost;

    Staging(DeviceContext context, Arena arena) {
        this.context = context;
        this.out = arena.allocate(ADDRESS);
    }

    /** Allocates the pinned block and the two staging events (the buffers come with the first copy). */
    void open() {
        CudaErrors.checkCuda(cuda_runtime_h.cudaMallocHost(out, PINNED_BYTES), "cudaMallocHost(64 bytes)");
        pinned = out.get(ADDRESS, 0).reinterpret(PINNED_BYTES);
        statusHost = pinned.asSlice(STATUS_AT, DeviceStatus.BYTES);
        for (int i = 0; i < 2; i++) {
            CudaErrors.checkCuda(cuda_runtime_h.cudaEventCreateWithFlags(out,
                    cuda_runtime_h.cudaEventDisableTiming()), "cudaEventCreateWithFlags");
            event[i] = out.get(ADDRESS, 0);
        }
    }

    /** The pinned block (a scalar read back lands at offset 0). */
    MemorySegment pinned() {
        return pinned;
    }

    /** The status record's host copy: the pinned block from {@link #STATUS_AT}. */
    MemorySegment statusHost() {
        return statusHost;
    }

    /**
     * Queues the copy of {@code dst.bytes} bytes from {@code array} (from element {@code offset}) to {@code dst},
     * through the staging buffers in turn.
     */
    void copyIn(Object array, int offset, ValueLayout layout, DeviceTensor dst) {
        long total = dst.bytes;
        if (total == 0) {
            return;
        }
        ensure(total);
        long done = 0;
        while (done < total) {
            int s = next;
            next = 1 - s;
            long chunk = Math.min(total - done, bufferBytes);
            awaitBuffer(s);
            MemorySegment.copy(array, offset + (int) (done / 4), buffer[s], layout, 0, (int) (chunk / 4));
            MemorySegment target = done == 0 ? dst.pointer : MemorySegment.ofAddress(dst.address + done);
            CudaCalls.check(cuda_runtime_h.cudaMemcpyAsync(target, buffer[s], chunk,
                    cuda_runtime_h.cudaMemcpyHostToDevice(), context.stream()),
                    "cudaMemcpyAsync(host to device, " + chunk + " bytes)");
            CudaCalls.check(cuda_runtime_h.cudaEventRecord(event[s], context.stream()), "cudaEventRecord");
            pending[s] = true;
            done += chunk;
        }
    }

    /** The buffer a download goes through (the caller waits for the stream before reading it). */
    MemorySegment downloadBuffer() {
        return buffer[0];
    }

    /** The bytes one chunk of a copy can hold, once {@link #ensure} has run. */
    long chunkBytes() {
        return bufferBytes;
    }

    /** Makes sure the staging buffers hold {@code bytes} (up to 64 MiB each; larger copies go in chunks). */
    void ensure(long bytes) {
        long want = Math.min(Math.max(bytes, INITIAL), MAX);
        if (bufferBytes >= want || (bufferBytes > 0 && bufferBytes >= bytes)) {
            return;
        }
        for (int i = 0; i < 2; i++) {
            awaitBuffer(i);
            if (buffer[i] != null) {
                CudaCalls.check(cuda_runtime_h.cudaFreeHost(buffer[i]), "cudaFreeHost");
                buffer[i] = null;
            }
        }
        bufferBytes = 0;
        for (int i = 0; i < 2; i++) {
            int rc = cuda_runtime_h.cudaMallocHost(out, want);
            if (rc != 0) {
                cuda_runtime_h.cudaGetLastError();
                throw new BackendException("cuda: cannot allocate pinned staging buffer ("
                        + DeviceMemory.formatBytes(want) + "): "
                        + CudaCalls.errorPart(rc, "cudaMallocHost(" + want + " bytes)"));
            }
            buffer[i] = out.get(ADDRESS, 0).reinterpret(want);
        }
        bufferBytes = want;
    }

    private void awaitBuffer(int i) {
        if (pending[i]) {
            CudaCalls.check(cuda_runtime_h.cudaEventSynchronize(event[i]), "cudaEventSynchronize");
            pending[i] = false;
        }
    }

    /** The stream was synchronised: every staged upload is done, no buffer needs waiting for. */
    void drained() {
        pending[0] = false;
        pending[1] = false;
    }

    /** Frees the staging buffers, their events and the pinned block, recording failures. */
    void close(List<String> errors) {
        for (int i = 0; i < 2; i++) {
            if (buffer[i] != null) {
                CudaCalls.quietly(errors, cuda_runtime_h.cudaFreeHost(buffer[i]), "cudaFreeHost");
                buffer[i] = null;
            }
            if (event[i] != null) {
                CudaCalls.quietly(errors, cuda_runtime_h.cudaEventDestroy(event[i]), "cudaEventDestroy");
                event[i] = null;
            }
        }
        if (pinned != null) {
            CudaCalls.quietly(errors, cuda_runtime_h.cudaFreeHost(pinned), "cudaFreeHost");
            pinned = null;
        }
    }
}
