package dev.descent.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.descent.backend.BackendException;
import dev.descent.backend.OpChecks;
import dev.descent.cuda.bindings.CudaErrors;
import dev.descent.cuda.bindings.gen.cuda_h;
import dev.descent.cuda.bindings.gen.cuda_runtime_h;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * The device a backend runs on: the runtime's primary context, retained while the backend is open and made current on
 * whichever thread calls ({@link #enter}); the one non-blocking stream every operation is queued on; and whether the
 * backend is still open.
 */
final class DeviceContext {
    private static final ThreadLocal<long[]> CURRENT_CONTEXT = ThreadLocal.withInitial(() -> new long[1]);

    private final int device;
    private final DeviceInfo info;
    private final MemorySegment out;
    // null until open() got them, so that release() frees only what was got
    private MemorySegment context;
    private long contextAddress;
    private boolean contextRetained;
    private MemorySegment stream;
    private boolean closed;

    DeviceContext(int device, DeviceInfo info, Arena arena) {
        this.device = device;
        this.info = info;
        this.out = arena.allocate(ADDRESS);
    }

    /**
     * Retains the device's primary context, makes it current on this thread (for the driver API as well) and creates
     * the stream: non-blocking, since stream capture needs a stream other than the legacy default.
     */
    void open() {
        CudaErrors.checkCuda(cuda_runtime_h.cudaSetDevice(device), "cudaSetDevice(" + device + ")");
        CudaErrors.checkCuda(cuda_runtime_h.cudaFree(MemorySegment.NULL), "cudaFree(NULL) (context creation)");
        CudaErrors.checkDriver(cuda_h.cuDeviceGet(out, device), "cuDeviceGet(" + device + ")");
        int dev = out.get(JAVA_INT, 0);
        CudaErrors.checkDriver(cuda_h.cuDevicePrimaryCtxRetain(out, dev), "cuDevicePrimaryCtxRetain(" + device + ")");
        contextRetained = true;
        context = out.get(ADDRESS, 0);
        contextAddress = context.address();
        CudaErrors.checkDriver(cuda_h.cuCtxSetCurrent(context), "cuCtxSetCurrent");
        CURRENT_CONTEXT.get()[0] = contextAddress;

        CudaErrors.checkCuda(cuda_runtime_h.cudaStreamCreateWithFlags(out, cuda_runtime_h.cudaStreamNonBlocking()),
                "cudaStreamCreateWithFlags");
        stream = out.get(ADDRESS, 0);
    }

    int device() {
        return device;
    }

    DeviceInfo info() {
        return info;
    }

    /** The stream every operation is queued on (null before {@link #open()}). */
    MemorySegment stream() {
        return stream;
    }

    boolean isClosed() {
        return closed;
    }

    /** Checks the backend is open and makes its context current on the calling thread. */
    void enter() {
        if (closed) {
            throw new IllegalStateException("cuda: the backend is closed");
        }
        long[] current = CURRENT_CONTEXT.get();
        if (current[0] != contextAddress) {
            int rc = cuda_h.cuCtxSetCurrent(context);
            if (rc != 0) {
                var e = CudaErrors.driver(rc, "cuCtxSetCurrent");
                throw new BackendException("cuda: " + e.getMessage(), e);
            }
            CudaCalls.check(cuda_runtime_h.cudaSetDevice(device), "cudaSetDevice(" + device + ")");
            current[0] = contextAddress;
        }
    }

    /**
     * {@link #enter()} for the backend operation {@code op}: a closed backend is refused with the shared check's
     * message ({@link OpChecks#open}).
     */
    void enter(String op) {
        OpChecks.open(closed, "cuda", op);
        enter();
    }

    /** {@link #enter()} for closing: a failure is recorded, not thrown. */
    void enterQuietly(List<String> errors) {
        try {
            if (CURRENT_CONTEXT.get()[0] != contextAddress) {
                cuda_h.cuCtxSetCurrent(context);
                cuda_runtime_h.cudaSetDevice(device);
                CURRENT_CONTEXT.get()[0] = contextAddress;
            }
        } catch (RuntimeException | LinkageError e) {
            errors.add(e.toString());
        }
    }

    /** Waits for the stream, if there is one, recording a failure (the first step of closing). */
    void synchronizeQuietly(List<String> errors) {
        if (stream != null) {
            CudaCalls.quietly(errors, cuda_runtime_h.cudaStreamSynchronize(stream), "cudaStreamSynchronize");
        }
    }

    /** Destroys the stream and releases the primary context (the last step of closing), recording failures. */
    void release(List<String> errors) {
        if (stream != null) {
            CudaCalls.quietly(errors, cuda_runtime_h.cudaStreamDestroy(stream), "cudaStreamDestroy");
            stream = null;
        }
        if (contextRetained) {
            int rc = cuda_h.cuDevicePrimaryCtxRelease_v2(device);
            if (rc != 0) {
                errors.add(CudaErrors.driver(rc, "cuDevicePrimaryCtxRelease").getMessage());
            }
            contextRetained = false;
        }
    }

    /** From now on every {@link #enter()} fails: the backend is closed. */
    void markClosed() {
        closed = true;
    }
}
