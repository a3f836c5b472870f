package dev.descent.cuda;

import static dev.descent.cuda.bindings.gen.cuda_runtime_h.C_SIZE_T;
import static java.lang.foreign.ValueLayout.ADDRESS;

import dev.descent.backend.Backend;
import dev.descent.backend.BackendException;
import dev.descent.backend.DType;
import dev.descent.backend.OpChecks;
import dev.descent.cuda.bindings.gen.cuda_runtime_h;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Device memory: {@code cudaMalloc} and {@code cudaFree} of tensors, which it tracks (live count, bytes), and of the
 * backend's own buffers (cuBLAS workspace, reduction scratch, status record). A tensor belongs to the backend whose
 * memory made it ({@link DeviceTensor#memory}). Running out of memory is a {@link BackendException} naming what was
 * being allocated, the device's free memory and what this backend holds.
 *
 * <p>Views ({@link #view}) are not in the registry: they own no memory, so they count neither as live tensors nor as
 * bytes, closing one frees nothing, and they are closed with their base (its {@code closed} flag, which closing the
 * backend sets too). Making or closing a view touches no device state, so both are allowed while a graph is captured
 * or a training step recorded.
 */
final class DeviceMemory {
    private final Backend owner;
    private final DeviceContext context;
    private final StreamState state;
    private final MemorySegment out;
    private final MemorySegment outFree;
    private final MemorySegment outTotal;
    private final Set<DeviceTensor> tensors = Collections.newSetFromMap(new IdentityHashMap<>());
    private final List<MemorySegment> buffers = new ArrayList<>();
    private long bytesAllocated;
    private long bufferBytes;

    /** {@code owner} is only what {@link DeviceTensor#backend()} reports; memory never calls it. */
    DeviceMemory(Backend owner, DeviceContext context, StreamState state, Arena arena) {
        this.owner = owner;
        this.context = context;
        this.state = state;
        this.out = arena.allocate(ADDRESS);
        this.outFree = arena.allocate(C_SIZE_T);
        this.outTotal = arena.allocate(C_SIZE_T);
    }

    /** The backend the tensors of this memory report as theirs ({@link dev.descent.backend.Tensor#backend()}). */
    Backend owner() {
        return owner;
    }

    /** A new tensor of {@code shape} for operation {@code op}; {@code zero} clears it on the stream. */
    DeviceTensor allocate(DType dtype, int[] shape, String op, boolean zero) {
        context.enter(op);
        state.refuseInGraph(op);
        long size = OpChecks.newShape(op, shape);
        long bytes = Math.multiplyExact(size, (long) dtype.bytes());
        MemorySegment p = bytes > 0 ? mallocTensor(shape, bytes, zero) : MemorySegment.NULL;
        DeviceTensor t = new DeviceTensor(this, dtype, shape, p);
        if (dtype == DType.I32 && zero && size <= DeviceTensor.KNOWN_MAX) {
            t.known(new int[(int) size]);
        }
        tensors.add(t);
        bytesAllocated += bytes;
        return t;
    }

    private MemorySegment mallocTensor(int[] shape, long bytes, boolean zero) {
        int rc = cuda_runtime_h.cudaMalloc(out, bytes);
        if (rc != 0) {
            cuda_runtime_h.cudaGetLastError();
            throw new BackendException("cuda: cannot allocate tensor " + Arrays.toString(shape) + " ("
                    + formatBytes(bytes) + "): " + CudaCalls.errorPart(rc, "cudaMalloc(" + bytes + " bytes)")
                    + memoryNote());
        }
        MemorySegment p = out.get(ADDRESS, 0);
        if (zero) {
            int mrc = cuda_runtime_h.cudaMemsetAsync(p, 0, bytes, context.stream());
            if (mrc != 0) {
                cuda_runtime_h.cudaFree(p);
                throw CudaCalls.fail(mrc, "cudaMemsetAsync(" + bytes + " bytes)");
            }
        }
        return p;
    }

    /** A view of {@code x}'s memory with {@code shape}, of x's size (checked by the caller); always of x's base. */
    DeviceTensor view(DeviceTensor x, int[] shape) {
        return new DeviceTensor(x.base, shape);
    }

    /** One of the backend's own device buffers ({@code what} names it in an error); freed by {@link #freeBuffers}. */
    MemorySegment buffer(long bytes, String what) {
        int rc = cuda_runtime_h.cudaMalloc(out, bytes);
        if (rc != 0) {
            cuda_runtime_h.cudaGetLastError();
            throw new BackendException("cuda: cannot allocate " + what + " (" + formatBytes(bytes) + "): "
                    + CudaCalls.errorPart(rc, "cudaMalloc(" + bytes + " bytes)") + memoryNote());
        }
        MemorySegment p = out.get(ADDRESS, 0);
        buffers.add(p);
        bufferBytes += bytes;
        return p;
    }

    /** Frees a tensor (its {@code close()}); idempotent, and a no-op once the backend is closed. */
    void release(DeviceTensor t) {
        if (t.closed) {
            return;
        }
        if (t.isView()) {
            t.closed = true; // the memory is its base's
            return;
        }
        if (context.isClosed()) {
            t.closed = true;
            return;
        }
        context.enter();
        if (state.capturing()) {
            throw new IllegalStateException("cuda: a tensor cannot be closed while a CUDA graph is being captured "
                    + "(close it after captureGraph returns)");
        }
        state.interruptRecording();
        t.closed = true;
        tensors.remove(t);
        bytesAllocated -= t.bytes;
        if (t.bytes > 0) {
            CudaCalls.check(cuda_runtime_h.cudaFree(t.pointer), "cudaFree(" + t.bytes + " bytes)");
        }
    }

    /** Bytes held by live tensors. */
    long bytesAllocated() {
        return bytesAllocated;
    }

    int liveTensors() {
        return tensors.size();
    }

    /** Bytes of the backend's own buffers (as allocated; closing does not reset it). */
    long bufferBytes() {
        return bufferBytes;
    }

    /** {@code cudaMemGetInfo}. */
    CudaBackend.MemoryInfo memoryInfo() {
        context.enter();
        CudaCalls.check(cuda_runtime_h.cudaMemGetInfo(outFree, outTotal), "cudaMemGetInfo");
        return new CudaBackend.MemoryInfo(outFree.get(C_SIZE_T, 0), outTotal.get(C_SIZE_T, 0));
    }

    /** Frees every live tensor and marks it closed (closing the backend), recording failures. */
    void freeTensors(List<String> errors) {
        for (DeviceTensor t : tensors) {
            t.closed = true;
            if (t.bytes > 0) {
                CudaCalls.quietly(errors, cuda_runtime_h.cudaFree(t.pointer), "cudaFree(" + t.bytes + " bytes)");
            }
        }
        tensors.clear();
        bytesAllocated = 0;
    }

    /** Frees the backend's own buffers in the order they were allocated, recording failures. */
    void freeBuffers(List<String> errors) {
        for (MemorySegment p : buffers) {
            CudaCalls.quietly(errors, cuda_runtime_h.cudaFree(p), "cudaFree");
        }
        buffers.clear();
    }

    private String memoryNote() {
        try {
            if (cuda_runtime_h.cudaMemGetInfo(outFree, outTotal) == 0) {
                return "; " + formatBytes(outFree.get(C_SIZE_T, 0)) + " of " + formatBytes(outTotal.get(C_SIZE_T, 0))
                        + " free on device " + context.device() + ", " + formatBytes(bytesAllocated)
                        + " held by this backend";
            }
        } catch (RuntimeException e) {
            // the note is optional
        }
        return "";
    }

    /** 86098880 -> "86 MB"; decimal units. */
    static String formatBytes(long bytes) {
        if (bytes >= 10_000_000_000L) {
            return Math.round(bytes / 1e9) + " GB";
        }
        if (bytes >= 1_000_000_000L) {
            return String.format(Locale.ROOT, "%.1f GB", bytes / 1e9);
        }
        if (bytes >= 1_000_000L) {
            return Math.round(bytes / 1e6) + " MB";
        }
        if (bytes >= 1_000L) {
            return Math.round(bytes / 1e3) + " KB";
        }
        return bytes + " bytes";
    }
}
