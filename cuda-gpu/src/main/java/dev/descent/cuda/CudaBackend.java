package dev.descent.cuda;

import static dev.descent.cuda.bindings.gen.cuda_runtime_h.C_INT;
import static dev.descent.cuda.bindings.gen.cuda_runtime_h.C_SIZE_T;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.descent.backend.Backend;
import dev.descent.backend.BackendException;
import dev.descent.backend.BackendUnavailableException;
import dev.descent.backend.DType;
import dev.descent.backend.Tensor;
import dev.descent.cuda.bindings.CudaCallException;
import dev.descent.cuda.bindings.CudaErrors;
import dev.descent.cuda.bindings.gen.cublas_h;
import dev.descent.cuda.bindings.gen.cuda_h;
import dev.descent.cuda.bindings.gen.cuda_runtime_h;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Set;

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
 */
@SuppressWarnings("restricted") // FFM: loading libraries, downcalls, sizing native pointers
public final class CudaBackend implements Backend {
    private static final ThreadLocal<long[]> CURRENT_CONTEXT = ThreadLocal.withInitial(() -> new long[1]);

    private static final int MAX_PARTIALS = 1024;
    private static final long SCRATCH_BYTES = 8L * MAX_PARTIALS + 64;
    private static final long STATUS_BYTES = 16;
    private static final long STAGING_INITIAL = 1L << 20;
    private static final long STAGING_MAX = 64L << 20;
    /** Int32 tensors up to this many elements keep a host copy of their known contents (see DeviceTensor.known). */
    private static final long KNOWN_MAX = 16L << 20;

    private static final int OPT_MAXIMIZE = 1;
    private static final int OPT_WEIGHT_DECAY = 2;
    private static final int OPT_MOMENTUM = 4;
    private static final int OPT_NESTEROV = 8;
    private static final int OPT_COPY_FIRST = 16;
    private static final int OPT_DECOUPLED = 32;
    private static final int OPT_AMSGRAD = 64;
    private static final int OPT_CENTERED = 128;

    private final int device;
    private final DeviceInfo info;
    private final Arena arena = Arena.ofShared();
    private final Set<DeviceTensor> tensors = Collections.newSetFromMap(new IdentityHashMap<>());
    private final List<CudaGraph> graphs = new ArrayList<>();

    // native handles, set up by the constructor (null until then, so a failed constructor can release what it got)
    private MemorySegment context;
    private long contextAddress;
    private boolean contextRetained;
    private MemorySegment stream;
    private MemorySegment cublas;
    private MemorySegment scratch;
    private long partialsAddress;
    private MemorySegment resultSegment;
    private MemorySegment status;
    private MemorySegment workspace;
    private long workspaceBytes;
    private MemorySegment pinned;
    private MemorySegment statusHost;
    private final MemorySegment[] staging = new MemorySegment[2];
    private final MemorySegment[] stagingEvent = new MemorySegment[2];
    private final boolean[] stagingPending = new boolean[2];
    private long stagingBytes;
    private int nextStaging;
    private Launcher launcher;
    private StepGraphs steps;
    private final boolean stepGraphsEnabled;

    // reused out-parameters and cuBLAS scalars (host memory in the backend's arena)
    private final MemorySegment outPointer = arena.allocate(ADDRESS);
    private final MemorySegment outSizeA = arena.allocate(C_SIZE_T);
    private final MemorySegment outSizeB = arena.allocate(C_SIZE_T);
    private final MemorySegment alpha = arena.allocate(JAVA_FLOAT);
    private final MemorySegment beta = arena.allocate(JAVA_FLOAT);
    private final MemorySegment updateResultInfo = arena.allocate(64, 8);  // cudaGraphExecUpdateResultInfo (24 bytes)

    private long bytesAllocated;
    private boolean closed;
    private boolean capturing;
    private boolean capturedStatusKernel;
    private boolean statusDirty;
    private final List<DeviceTensor> capturedIntWrites = new ArrayList<>();

    private CudaBackend(int device, DeviceInfo info, boolean stepGraphs) {
        this.device = device;
        this.info = info;
        this.stepGraphsEnabled = stepGraphs;
        try {
            setUp();
        } catch (RuntimeException | Error e) {
            releaseAll(new ArrayList<>());
            arena.close();
            closed = true;
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

    private void setUp() {
        // 1. the runtime's primary context for the device, made current on this thread for the driver API as well
        CudaErrors.checkCuda(cuda_runtime_h.cudaSetDevice(device), "cudaSetDevice(" + device + ")");
        CudaErrors.checkCuda(cuda_runtime_h.cudaFree(MemorySegment.NULL), "cudaFree(NULL) (context creation)");
        MemorySegment dev = arena.allocate(C_INT);
        CudaErrors.checkDriver(cuda_h.cuDeviceGet(dev, device), "cuDeviceGet(" + device + ")");
        CudaErrors.checkDriver(cuda_h.cuDevicePrimaryCtxRetain(outPointer, dev.get(C_INT, 0)),
                "cuDevicePrimaryCtxRetain(" + device + ")");
        contextRetained = true;
        context = outPointer.get(ADDRESS, 0);
        contextAddress = context.address();
        CudaErrors.checkDriver(cuda_h.cuCtxSetCurrent(context), "cuCtxSetCurrent");
        CURRENT_CONTEXT.get()[0] = contextAddress;

        // 2. one non-blocking stream for everything (stream capture needs a stream other than the legacy default)
        CudaErrors.checkCuda(cuda_runtime_h.cudaStreamCreateWithFlags(outPointer,
                cuda_runtime_h.cudaStreamNonBlocking()), "cudaStreamCreateWithFlags");
        stream = outPointer.get(ADDRESS, 0);

        // 3. descent's kernels
        launcher = new Launcher(arena, stream, ModuleCache.functions(device));
        steps = new StepGraphs(this, arena, stream, launcher, stepGraphsEnabled);

        // 4. cuBLAS on the stream, default math (no TF32), own workspace (capture-safe: no allocation while capturing)
        CudaErrors.checkCublas(cublas_h.cublasCreate_v2(outPointer), "cublasCreate_v2");
        cublas = outPointer.get(ADDRESS, 0);
        CudaErrors.checkCublas(cublas_h.cublasSetStream_v2(cublas, stream), "cublasSetStream_v2");
        CudaErrors.checkCublas(cublas_h.cublasSetMathMode(cublas, cublas_h.CUBLAS_DEFAULT_MATH()),
                "cublasSetMathMode(CUBLAS_DEFAULT_MATH)");
        workspaceBytes = info.major() >= 9 ? 32L << 20 : 4L << 20;
        workspace = deviceMalloc(workspaceBytes, "cuBLAS workspace");
        CudaErrors.checkCublas(cublas_h.cublasSetWorkspace_v2(cublas, workspace, workspaceBytes),
                "cublasSetWorkspace_v2(" + workspaceBytes + " bytes)");

        // 5. scratch for reductions and losses, the device status record, pinned bytes for scalar read-back
        scratch = deviceMalloc(SCRATCH_BYTES, "reduction scratch");
        partialsAddress = scratch.address();
        resultSegment = MemorySegment.ofAddress(partialsAddress + 8L * MAX_PARTIALS);
        status = deviceMalloc(STATUS_BYTES, "status record");
        CudaErrors.checkCuda(cuda_runtime_h.cudaMemsetAsync(status, 0, STATUS_BYTES, stream), "cudaMemsetAsync");
        CudaErrors.checkCuda(cuda_runtime_h.cudaMallocHost(outPointer, 64), "cudaMallocHost(64 bytes)");
        pinned = outPointer.get(ADDRESS, 0).reinterpret(64);
        statusHost = pinned.asSlice(16, STATUS_BYTES);
        for (int i = 0; i < 2; i++) {
            CudaErrors.checkCuda(cuda_runtime_h.cudaEventCreateWithFlags(outPointer,
                    cuda_runtime_h.cudaEventDisableTiming()), "cudaEventCreateWithFlags");
            stagingEvent[i] = outPointer.get(ADDRESS, 0);
        }
        sync("setup");
    }

    private MemorySegment deviceMalloc(long bytes, String what) {
        int rc = cuda_runtime_h.cudaMalloc(outPointer, bytes);
        if (rc != 0) {
            cuda_runtime_h.cudaGetLastError();
            throw new BackendException("cuda: cannot allocate " + what + " (" + formatBytes(bytes) + "): "
                    + errorPart(rc, "cudaMalloc(" + bytes + " bytes)") + memoryNote());
        }
        return outPointer.get(ADDRESS, 0);
    }

    // ------------------------------------------------------------------------------------------------ identity

    @Override
    public String name() {
        return "cuda";
    }

    @Override
    public String description() {
        return "cuda: " + info.summary();
    }

    @Override
    public int threads() {
        return 1;
    }

    /** The device this backend runs on. */
    public DeviceInfo deviceInfo() {
        return info;
    }

    // ------------------------------------------------------------------------------------------------ memory

    @Override
    public Tensor allocate(int... shape) {
        return newTensor(DType.F32, shape, "allocate", true);
    }

    @Override
    public Tensor allocateInt(int... shape) {
        return newTensor(DType.I32, shape, "allocateInt", true);
    }

    @Override
    public Tensor upload(float[] data, int... shape) {
        if (data == null) {
            throw new IllegalArgumentException("upload: data is null");
        }
        return uploadNew(data, data.length, DType.F32, JAVA_FLOAT, shape, "upload");
    }

    @Override
    public Tensor uploadInt(int[] data, int... shape) {
        if (data == null) {
            throw new IllegalArgumentException("uploadInt: data is null");
        }
        return uploadNew(data, data.length, DType.I32, JAVA_INT, shape, "uploadInt");
    }

    private Tensor uploadNew(Object data, int length, DType dtype, ValueLayout layout, int[] shape, String op) {
        int[] s = checkShape(op, shape);
        long size = (long) s[0] * (s.length == 2 ? s[1] : 1);
        if (size != length) {
            throw new IllegalArgumentException(op + ": data has " + length + " elements but shape "
                    + Arrays.toString(s) + " needs " + size);
        }
        DeviceTensor t = newTensor(dtype, s, op, false);
        try {
            copyIn(data, 0, layout, t, op);
        } catch (RuntimeException e) {
            release(t);
            throw e;
        }
        if (data instanceof int[] ints && size <= KNOWN_MAX) {
            t.known = ints.clone();
        }
        return t;
    }

    @Override
    public void upload(float[] src, int srcOffset, Tensor dst) {
        DeviceTensor d = f32(dst, "upload", "dst");
        checkArrayRange("upload", src == null ? -1 : src.length, srcOffset, d.size, "src");
        copyIn(src, srcOffset, JAVA_FLOAT, d, "upload");
    }

    @Override
    public void uploadInt(int[] src, int srcOffset, Tensor dst) {
        DeviceTensor d = i32(dst, "uploadInt", "dst");
        checkArrayRange("uploadInt", src == null ? -1 : src.length, srcOffset, d.size, "src");
        copyIn(src, srcOffset, JAVA_INT, d, "uploadInt");
        if (d.known == null && d.size <= KNOWN_MAX) {
            d.known = new int[(int) d.size];
        }
        if (d.known != null) {
            System.arraycopy(src, srcOffset, d.known, 0, (int) d.size);
        }
    }

    @Override
    public void download(Tensor src, float[] dst, int dstOffset) {
        DeviceTensor s = f32(src, "download", "src");
        checkArrayRange("download", dst == null ? -1 : dst.length, dstOffset, s.size, "dst");
        copyOut(s, dst, dstOffset, JAVA_FLOAT, "download");
    }

    @Override
    public void downloadInt(Tensor src, int[] dst, int dstOffset) {
        DeviceTensor s = i32(src, "downloadInt", "src");
        checkArrayRange("downloadInt", dst == null ? -1 : dst.length, dstOffset, s.size, "dst");
        copyOut(s, dst, dstOffset, JAVA_INT, "downloadInt");
        if (s.known == null && s.size <= KNOWN_MAX) {
            s.known = Arrays.copyOfRange(dst, dstOffset, dstOffset + (int) s.size);
        }
    }

    @Override
    public float get(Tensor src, long index) {
        DeviceTensor s = f32(src, "get", "src");
        if (index < 0 || index >= s.size) {
            throw new IllegalArgumentException("get: index " + index + " is outside tensor " + s.shapeString()
                    + " of " + s.size + " elements");
        }
        notCapturing("get");
        check(cuda_runtime_h.cudaMemcpyAsync(pinned, MemorySegment.ofAddress(s.address + 4 * index), 4,
                cuda_runtime_h.cudaMemcpyDeviceToHost(), stream), "cudaMemcpyAsync(device to host, 4 bytes)");
        sync("get");
        return pinned.get(JAVA_FLOAT, 0);
    }

    @Override
    public void synchronize() {
        enter();
        notCapturing("synchronize");
        sync("synchronize");
    }

    /** Bytes held by this backend's live tensors. */
    public long bytesAllocated() {
        return bytesAllocated;
    }

    /** Number of live tensors. */
    public int liveTensors() {
        return tensors.size();
    }

    /** Device memory the backend holds besides tensors: cuBLAS workspace and reduction scratch. */
    public long overheadBytes() {
        return workspaceBytes + SCRATCH_BYTES + STATUS_BYTES;
    }

    /** Free and total device memory ({@code cudaMemGetInfo}; counts every process on the device). */
    public record MemoryInfo(long free, long total) {
    }

    /** {@code cudaMemGetInfo} for this backend's device. */
    public MemoryInfo memoryInfo() {
        enter();
        check(cuda_runtime_h.cudaMemGetInfo(outSizeA, outSizeB), "cudaMemGetInfo");
        return new MemoryInfo(outSizeA.get(C_SIZE_T, 0), outSizeB.get(C_SIZE_T, 0));
    }

    /**
     * Milliseconds the device spends on the operations {@code work} queues, measured with CUDA events around it on
     * the backend's stream; synchronises.
     */
    public float time(Runnable work) {
        enter();
        notCapturing("time");
        MemorySegment start = null;
        MemorySegment end = null;
        try {
            check(cuda_runtime_h.cudaEventCreate(outPointer), "cudaEventCreate");
            start = outPointer.get(ADDRESS, 0);
            check(cuda_runtime_h.cudaEventCreate(outPointer), "cudaEventCreate");
            end = outPointer.get(ADDRESS, 0);
            check(cuda_runtime_h.cudaEventRecord(start, stream), "cudaEventRecord");
            work.run();
            enter();
            check(cuda_runtime_h.cudaEventRecord(end, stream), "cudaEventRecord");
            check(cuda_runtime_h.cudaEventSynchronize(end), "cudaEventSynchronize");
            check(cuda_runtime_h.cudaEventElapsedTime(outSizeA, start, end), "cudaEventElapsedTime");
            float ms = outSizeA.get(JAVA_FLOAT, 0);
            sync("time");
            return ms;
        } finally {
            if (start != null) {
                cuda_runtime_h.cudaEventDestroy(start);
            }
            if (end != null) {
                cuda_runtime_h.cudaEventDestroy(end);
            }
        }
    }

    private DeviceTensor newTensor(DType dtype, int[] shape, String op, boolean zero) {
        enter();
        notCapturing(op);
        int[] s = checkShape(op, shape);
        long size = (long) s[0] * (s.length == 2 ? s[1] : 1);
        long bytes = Math.multiplyExact(size, (long) dtype.bytes());
        MemorySegment p = MemorySegment.NULL;
        if (bytes > 0) {
            int rc = cuda_runtime_h.cudaMalloc(outPointer, bytes);
            if (rc != 0) {
                cuda_runtime_h.cudaGetLastError();
                throw new BackendException("cuda: cannot allocate tensor " + Arrays.toString(s) + " ("
                        + formatBytes(bytes) + "): " + errorPart(rc, "cudaMalloc(" + bytes + " bytes)")
                        + memoryNote());
            }
            p = outPointer.get(ADDRESS, 0);
            if (zero) {
                int mrc = cuda_runtime_h.cudaMemsetAsync(p, 0, bytes, stream);
                if (mrc != 0) {
                    cuda_runtime_h.cudaFree(p);
                    throw fail(mrc, "cudaMemsetAsync(" + bytes + " bytes)");
                }
            }
        }
        DeviceTensor t = new DeviceTensor(this, dtype, s, p);
        if (dtype == DType.I32 && zero && size <= KNOWN_MAX) {
            t.known = new int[(int) size];
        }
        tensors.add(t);
        bytesAllocated += bytes;
        return t;
    }

    /** Frees a tensor (its {@code close()}). */
    void release(DeviceTensor t) {
        if (t.closed) {
            return;
        }
        if (closed) {
            t.closed = true;
            return;
        }
        enter();
        if (capturing) {
            throw new IllegalStateException("cuda: a tensor cannot be closed while a CUDA graph is being captured "
                    + "(close it after captureGraph returns)");
        }
        steps.interrupt();
        t.closed = true;
        tensors.remove(t);
        bytesAllocated -= t.bytes;
        if (t.bytes > 0) {
            check(cuda_runtime_h.cudaFree(t.pointer), "cudaFree(" + t.bytes + " bytes)");
        }
    }

    private void copyIn(Object array, int offset, ValueLayout layout, DeviceTensor dst, String op) {
        enter();
        notCapturing(op);
        long total = dst.bytes;
        if (total == 0) {
            return;
        }
        ensureStaging(total);
        long done = 0;
        while (done < total) {
            int s = nextStaging;
            nextStaging = 1 - s;
            long chunk = Math.min(total - done, stagingBytes);
            if (stagingPending[s]) {
                check(cuda_runtime_h.cudaEventSynchronize(stagingEvent[s]), "cudaEventSynchronize");
                stagingPending[s] = false;
            }
            MemorySegment.copy(array, offset + (int) (done / 4), staging[s], layout, 0, (int) (chunk / 4));
            MemorySegment target = done == 0 ? dst.pointer : MemorySegment.ofAddress(dst.address + done);
            check(cuda_runtime_h.cudaMemcpyAsync(target, staging[s], chunk, cuda_runtime_h.cudaMemcpyHostToDevice(),
                    stream), "cudaMemcpyAsync(host to device, " + chunk + " bytes)");
            check(cuda_runtime_h.cudaEventRecord(stagingEvent[s], stream), "cudaEventRecord");
            stagingPending[s] = true;
            done += chunk;
        }
    }

    private void copyOut(DeviceTensor src, Object array, int offset, ValueLayout layout, String op) {
        enter();
        notCapturing(op);
        long total = src.bytes;
        if (total == 0) {
            sync(op);
            return;
        }
        ensureStaging(total);
        long done = 0;
        while (done < total) {
            long chunk = Math.min(total - done, stagingBytes);
            MemorySegment from = done == 0 ? src.pointer : MemorySegment.ofAddress(src.address + done);
            check(cuda_runtime_h.cudaMemcpyAsync(staging[0], from, chunk, cuda_runtime_h.cudaMemcpyDeviceToHost(),
                    stream), "cudaMemcpyAsync(device to host, " + chunk + " bytes)");
            sync(op);
            MemorySegment.copy(staging[0], layout, 0, array, offset + (int) (done / 4), (int) (chunk / 4));
            done += chunk;
        }
    }

    /** Makes sure the pinned staging buffers hold {@code bytes} (up to 64 MiB each; larger copies go in chunks). */
    private void ensureStaging(long bytes) {
        long want = Math.min(Math.max(bytes, STAGING_INITIAL), STAGING_MAX);
        if (stagingBytes >= want || (stagingBytes > 0 && stagingBytes >= bytes)) {
            return;
        }
        for (int i = 0; i < 2; i++) {
            if (stagingPending[i]) {
                check(cuda_runtime_h.cudaEventSynchronize(stagingEvent[i]), "cudaEventSynchronize");
                stagingPending[i] = false;
            }
            if (staging[i] != null) {
                check(cuda_runtime_h.cudaFreeHost(staging[i]), "cudaFreeHost");
                staging[i] = null;
            }
        }
        stagingBytes = 0;
        for (int i = 0; i < 2; i++) {
            int rc = cuda_runtime_h.cudaMallocHost(outPointer, want);
            if (rc != 0) {
                cuda_runtime_h.cudaGetLastError();
                throw new BackendException("cuda: cannot allocate pinned staging buffer (" + formatBytes(want) + "): "
                        + errorPart(rc, "cudaMallocHost(" + want + " bytes)"));
            }
            staging[i] = outPointer.get(ADDRESS, 0).reinterpret(want);
        }
        stagingBytes = want;
    }

    // ------------------------------------------------------------------------------------------------ GEMM

    @Override
    public void gemm(boolean transA, boolean transB, float alphaValue, Tensor a, Tensor b, float betaValue, Tensor c) {
        DeviceTensor ta = f32(a, "gemm", "a");
        DeviceTensor tb = f32(b, "gemm", "b");
        DeviceTensor tc = f32(c, "gemm", "c");
        int m = transA ? ta.cols : ta.rows;
        int k = transA ? ta.rows : ta.cols;
        int kb = transB ? tb.cols : tb.rows;
        int n = transB ? tb.rows : tb.cols;
        if (k != kb || tc.rows != m || tc.cols != n) {
            throw new IllegalArgumentException("gemm: op(a) is [" + m + ", " + k + "], op(b) is [" + kb + ", " + n
                    + "] and c is [" + tc.rows + ", " + tc.cols + "]; need op(a) [m, k], op(b) [k, n], c [m, n]"
                    + " (a " + ta.shapeString() + (transA ? " transposed" : "") + ", b " + tb.shapeString()
                    + (transB ? " transposed" : "") + ")");
        }
        if (tc.bytes > 0 && (tc.address == ta.address || tc.address == tb.address)) {
            throw new IllegalArgumentException("gemm: c must not be the same tensor as a or b");
        }
        if (m == 0 || n == 0) {
            return;
        }
        if (k == 0) {
            scaleOrZero(betaValue, tc);
            return;
        }
        if (steps.recording()) {
            long[] g = steps.scratch();
            g[0] = transB ? cublas_h.CUBLAS_OP_T() : cublas_h.CUBLAS_OP_N();
            g[1] = transA ? cublas_h.CUBLAS_OP_T() : cublas_h.CUBLAS_OP_N();
            g[2] = n;
            g[3] = m;
            g[4] = k;
            g[5] = Float.floatToRawIntBits(alphaValue);
            g[6] = tb.address;
            g[7] = tb.cols;
            g[8] = ta.address;
            g[9] = ta.cols;
            g[10] = Float.floatToRawIntBits(betaValue);
            g[11] = tc.address;
            g[12] = tc.cols;
            steps.submit(StepGraphs.GEMM, 0, g, 13);
            return;
        }
        alpha.set(JAVA_FLOAT, 0, alphaValue);
        beta.set(JAVA_FLOAT, 0, betaValue);
        // Row-major C = op(A) op(B) is column-major C^T = op(B)^T op(A)^T: cuBLAS sees each row-major matrix as its
        // transpose with leading dimension = its column count, so swap the operands and keep the transpose flags.
        int rc = cublas_h.cublasSgemm_v2(cublas,
                transB ? cublas_h.CUBLAS_OP_T() : cublas_h.CUBLAS_OP_N(),
                transA ? cublas_h.CUBLAS_OP_T() : cublas_h.CUBLAS_OP_N(),
                n, m, k, alpha, tb.pointer, tb.cols, ta.pointer, ta.cols, beta, tc.pointer, tc.cols);
        if (rc != 0) {
            throw new BackendException("cuda: gemm " + ta.shapeString() + (transA ? "^T" : "") + " x "
                    + tb.shapeString() + (transB ? "^T" : "") + ": "
                    + CudaErrors.cublas(rc, "cublasSgemm_v2(m=" + n + ", n=" + m + ", k=" + k + ")").getMessage());
        }
    }

    /** SGEMM from the arguments a step recording keeps (cuBLAS's order; see {@code gemm}); cuBLAS's status. */
    int tryGemm(long[] g) {
        alpha.set(JAVA_FLOAT, 0, Float.intBitsToFloat((int) g[5]));
        beta.set(JAVA_FLOAT, 0, Float.intBitsToFloat((int) g[10]));
        return cublas_h.cublasSgemm_v2(cublas, (int) g[0], (int) g[1], (int) g[2], (int) g[3], (int) g[4], alpha,
                MemorySegment.ofAddress(g[6]), (int) g[7], MemorySegment.ofAddress(g[8]), (int) g[9], beta,
                MemorySegment.ofAddress(g[11]), (int) g[12]);
    }

    void checkGemm(int rc, long[] g) {
        if (rc != 0) {
            throw new BackendException("cuda: gemm: " + CudaErrors.cublas(rc, "cublasSgemm_v2(m=" + g[2] + ", n=" + g[3]
                    + ", k=" + g[4] + ")").getMessage());
        }
    }

    /** A device-to-device copy from the arguments a step recording keeps: dst, src, bytes. */
    int tryCopy(long[] c) {
        return cuda_runtime_h.cudaMemcpyAsync(MemorySegment.ofAddress(c[0]), MemorySegment.ofAddress(c[1]), c[2],
                cuda_runtime_h.cudaMemcpyDeviceToDevice(), stream);
    }

    void checkCopy(int rc) {
        check(rc, "cudaMemcpyAsync(device to device)");
    }

    private void scaleOrZero(float factor, DeviceTensor t) {
        if (factor == 0f) {
            launcher.i64(t.size).u32(0).ptr(t).launch(Kernel.FILL, Launcher.elementwiseBlocks(t.size));
        } else if (factor != 1f) {
            launcher.i64(t.size).f32(factor).ptr(t).launch(Kernel.SCALE, Launcher.elementwiseBlocks(t.size));
        }
    }

    // ------------------------------------------------------------------------------------------------ elementwise

    @Override
    public void axpy(float alphaValue, Tensor x, Tensor y) {
        DeviceTensor tx = f32(x, "axpy", "x");
        DeviceTensor ty = f32(y, "axpy", "y");
        sameSize("axpy", tx, "x", ty, "y");
        if (ty.size > 0) {
            launcher.i64(ty.size).f32(alphaValue).ptr(tx).ptr(ty)
                    .launch(Kernel.AXPY, Launcher.elementwiseBlocks(ty.size));
        }
    }

    @Override
    public void scale(float alphaValue, Tensor x) {
        DeviceTensor tx = f32(x, "scale", "x");
        if (tx.size > 0) {
            launcher.i64(tx.size).f32(alphaValue).ptr(tx).launch(Kernel.SCALE, Launcher.elementwiseBlocks(tx.size));
        }
    }

    @Override
    public void fill(Tensor x, float value) {
        DeviceTensor tx = own(x, "fill", "x");
        int bits = tx.dtype == DType.F32 ? Float.floatToRawIntBits(value) : (int) value;
        if (tx.size > 0) {
            launcher.i64(tx.size).u32(bits).ptr(tx).launch(Kernel.FILL, Launcher.elementwiseBlocks(tx.size));
        }
        if (tx.dtype == DType.I32) {
            int[] known = tx.known;
            deviceWroteInt(tx);
            if (known != null && !capturing) {
                Arrays.fill(known, bits);
                tx.known = known;
            }
        }
    }

    @Override
    public void copy(Tensor src, Tensor dst) {
        DeviceTensor s = own(src, "copy", "src");
        DeviceTensor d = own(dst, "copy", "dst");
        if (s.dtype != d.dtype) {
            throw new IllegalArgumentException("copy: src is " + s.dtype + " but dst is " + d.dtype);
        }
        sameSize("copy", s, "src", d, "dst");
        if (s.bytes > 0 && s.address != d.address) {
            if (steps.recording()) {
                long[] c = steps.scratch();
                c[0] = d.address;
                c[1] = s.address;
                c[2] = s.bytes;
                steps.submit(StepGraphs.COPY, 0, c, 3);
            } else {
                check(cuda_runtime_h.cudaMemcpyAsync(d.pointer, s.pointer, s.bytes,
                        cuda_runtime_h.cudaMemcpyDeviceToDevice(), stream), "cudaMemcpyAsync(device to device)");
            }
            if (d.dtype == DType.I32) {
                int[] from = s.known;
                deviceWroteInt(d);
                if (from != null && !capturing) {
                    d.known = from.clone();
                }
            }
        }
    }

    @Override
    public void multiply(Tensor a, Tensor b, Tensor out) {
        DeviceTensor ta = f32(a, "multiply", "a");
        DeviceTensor tb = f32(b, "multiply", "b");
        DeviceTensor to = f32(out, "multiply", "out");
        sameSize("multiply", ta, "a", tb, "b");
        sameSize("multiply", ta, "a", to, "out");
        if (to.size > 0) {
            launcher.i64(to.size).ptr(ta).ptr(tb).ptr(to).launch(Kernel.MUL, Launcher.elementwiseBlocks(to.size));
        }
    }

    @Override
    public void clamp(Tensor x, float lo, float hi) {
        DeviceTensor tx = f32(x, "clamp", "x");
        if (tx.size > 0) {
            launcher.i64(tx.size).f32(lo).f32(hi).ptr(tx).launch(Kernel.CLAMP, Launcher.elementwiseBlocks(tx.size));
        }
    }

    // ------------------------------------------------------------------------------------------------ reductions

    @Override
    public double sum(Tensor x) {
        DeviceTensor tx = f32(x, "sum", "x");
        return reduce(0, tx, tx, "sum");
    }

    @Override
    public double dot(Tensor x, Tensor y) {
        DeviceTensor tx = f32(x, "dot", "x");
        DeviceTensor ty = f32(y, "dot", "y");
        sameSize("dot", tx, "x", ty, "y");
        return reduce(1, tx, ty, "dot");
    }

    @Override
    public double squaredNorm(Tensor x) {
        DeviceTensor tx = f32(x, "squaredNorm", "x");
        return reduce(2, tx, tx, "squaredNorm");
    }

    private double reduce(int mode, DeviceTensor x, DeviceTensor y, String op) {
        notCapturing(op);
        long n = x.size;
        int blocks = Launcher.reductionBlocks(n);
        launcher.i64(n).i32(mode).ptr(x).ptr(y).ptr(partialsAddress).launch(Kernel.REDUCE_PARTIALS, blocks);
        launcher.i32(blocks).ptr(partialsAddress).ptr(resultSegment.address()).launch(Kernel.REDUCE_FINAL, 1);
        check(cuda_runtime_h.cudaMemcpyAsync(pinned, resultSegment, 8, cuda_runtime_h.cudaMemcpyDeviceToHost(),
                stream), "cudaMemcpyAsync(device to host, 8 bytes)");
        sync(op);
        return pinned.get(JAVA_DOUBLE, 0);
    }

    @Override
    public float maxAbs(Tensor x) {
        DeviceTensor tx = f32(x, "maxAbs", "x");
        return maxAbsOf(tx, "maxAbs");
    }

    @Override
    public boolean allFinite(Tensor x) {
        DeviceTensor tx = f32(x, "allFinite", "x");
        // max |x| is NaN when any element is NaN and infinite when any is infinite
        return Float.isFinite(maxAbsOf(tx, "allFinite"));
    }

    private float maxAbsOf(DeviceTensor x, String op) {
        notCapturing(op);
        long n = x.size;
        int blocks = Launcher.reductionBlocks(n);
        launcher.i64(n).ptr(x).ptr(partialsAddress).launch(Kernel.MAXABS_PARTIALS, blocks);
        launcher.i32(blocks).ptr(partialsAddress).ptr(resultSegment.address()).launch(Kernel.MAXABS_FINAL, 1);
        check(cuda_runtime_h.cudaMemcpyAsync(pinned, resultSegment, 4, cuda_runtime_h.cudaMemcpyDeviceToHost(),
                stream), "cudaMemcpyAsync(device to host, 4 bytes)");
        sync(op);
        return pinned.get(JAVA_FLOAT, 0);
    }

    // ------------------------------------------------------------------------------------------------ rows

    @Override
    public void gatherRows(Tensor src, Tensor indices, int offset, Tensor dst) {
        DeviceTensor s = own(src, "gatherRows", "src");
        DeviceTensor idx = i32(indices, "gatherRows", "indices");
        DeviceTensor d = own(dst, "gatherRows", "dst");
        if (s.dtype != d.dtype || s.cols != d.cols) {
            throw new IllegalArgumentException("gatherRows: src is " + s.dtype + " " + s.shapeString() + " but dst is "
                    + d.dtype + " " + d.shapeString() + "; they need the same dtype and column count");
        }
        if (offset < 0 || (long) offset + d.rows > idx.size) {
            throw new IllegalArgumentException("gatherRows: rows " + offset + " .. " + ((long) offset + d.rows)
                    + " of indices " + idx.shapeString() + " are out of range");
        }
        int[] ix = idx.known;
        if (ix != null) {
            for (int i = 0; i < d.rows; i++) {
                int r = ix[offset + i];
                if (r < 0 || r >= s.rows) {
                    throw new IllegalArgumentException("gatherRows: index " + r + " at position " + (offset + i)
                            + " of indices is outside [0, " + s.rows + ") (src " + s.shapeString() + ")");
                }
            }
        }
        if (d.size == 0) {
            return;
        }
        launcher.i64(d.rows).i32(d.cols).i32(s.rows).ptr(s).ptr(idx).i32(offset).ptr(d).ptr(status.address())
                .launch(Kernel.GATHER_ROWS, Launcher.elementwiseBlocks(d.size));
        if (ix == null || capturing) {
            statusKernelQueued(); // a replay sees whatever the indices hold then
        }
        if (d.dtype == DType.I32) {
            int[] from = s.known;
            int[] known = d.known;
            deviceWroteInt(d);
            if (from != null && ix != null && known != null && !capturing) {
                for (int i = 0; i < d.rows; i++) {
                    System.arraycopy(from, ix[offset + i] * d.cols, known, i * d.cols, d.cols);
                }
                d.known = known;
            }
        }
    }

    @Override
    public void argmaxRows(Tensor x, Tensor out) {
        DeviceTensor tx = f32(x, "argmaxRows", "x");
        DeviceTensor to = i32(out, "argmaxRows", "out");
        if (to.size != tx.rows) {
            throw new IllegalArgumentException("argmaxRows: x " + tx.shapeString() + " has " + tx.rows
                    + " rows but out " + to.shapeString() + " has " + to.size + " elements");
        }
        if (tx.rows > 0 && tx.cols == 0) {
            throw new IllegalArgumentException("argmaxRows: x " + tx.shapeString() + " has no columns");
        }
        if (tx.rows > 0) {
            launcher.i64(tx.rows).i32(tx.cols).ptr(tx).ptr(to).launch(Kernel.ARGMAX_ROWS,
                    Launcher.elementwiseBlocks(tx.rows));
        }
        deviceWroteInt(to);
    }

    @Override
    public void addRowVector(Tensor x, Tensor bias) {
        DeviceTensor tx = f32(x, "addRowVector", "x");
        DeviceTensor tb = f32(bias, "addRowVector", "bias");
        if (tb.size != tx.cols) {
            throw new IllegalArgumentException("addRowVector: x " + tx.shapeString() + " has " + tx.cols
                    + " columns but bias " + tb.shapeString() + " has " + tb.size + " elements");
        }
        if (tx.size > 0) {
            launcher.i64(tx.rows).i32(tx.cols).ptr(tx).ptr(tb).launch(Kernel.ADD_ROW_VECTOR,
                    Launcher.elementwiseBlocks(tx.size));
        }
    }

    @Override
    public void columnSums(float alphaValue, Tensor x, float betaValue, Tensor out) {
        DeviceTensor tx = f32(x, "columnSums", "x");
        DeviceTensor to = f32(out, "columnSums", "out");
        if (to.size != tx.cols) {
            throw new IllegalArgumentException("columnSums: x " + tx.shapeString() + " has " + tx.cols
                    + " columns but out " + to.shapeString() + " has " + to.size + " elements");
        }
        if (to.size > 0) {
            launcher.i64(tx.rows).i32(tx.cols).f32(alphaValue).ptr(tx).f32(betaValue).ptr(to)
                    .launch(Kernel.COLUMN_SUMS, Launcher.elementwiseBlocks(tx.cols));
        }
    }

    // ------------------------------------------------------------------------------------------------ activations

    @Override
    public void relu(Tensor x, Tensor out) {
        DeviceTensor tx = f32(x, "relu", "x");
        DeviceTensor to = f32(out, "relu", "out");
        sameSize("relu", tx, "x", to, "out");
        if (to.size > 0) {
            launcher.i64(to.size).ptr(tx).ptr(to).launch(Kernel.RELU, Launcher.elementwiseBlocks(to.size));
        }
    }

    @Override
    public void reluBackward(Tensor gradOut, Tensor activation, Tensor gradIn) {
        DeviceTensor g = f32(gradOut, "reluBackward", "gradOut");
        DeviceTensor a = f32(activation, "reluBackward", "activation");
        DeviceTensor gi = f32(gradIn, "reluBackward", "gradIn");
        sameSize("reluBackward", g, "gradOut", a, "activation");
        sameSize("reluBackward", g, "gradOut", gi, "gradIn");
        if (gi.size > 0) {
            launcher.i64(gi.size).ptr(g).ptr(a).ptr(gi).launch(Kernel.RELU_BACKWARD,
                    Launcher.elementwiseBlocks(gi.size));
        }
    }

    // ------------------------------------------------------------------------------------------------ fused losses

    @Override
    public void softmaxCrossEntropy(Tensor logits, Tensor labels, Tensor grad, int normalizer, Tensor lossOut,
            int lossIndex) {
        String op = "softmaxCrossEntropy";
        DeviceTensor z = f32(logits, op, "logits");
        DeviceTensor y = i32(labels, op, "labels");
        DeviceTensor g = grad == null ? null : f32(grad, op, "grad");
        DeviceTensor loss = lossTarget(op, lossOut, lossIndex, normalizer);
        if (y.size != z.rows) {
            throw new IllegalArgumentException(op + ": logits " + z.shapeString() + " has " + z.rows
                    + " rows but labels " + y.shapeString() + " has " + y.size + " elements");
        }
        if (z.rows > 0 && z.cols == 0) {
            throw new IllegalArgumentException(op + ": logits " + z.shapeString() + " has no classes");
        }
        if (g != null && (g.rows != z.rows || g.cols != z.cols)) {
            throw new IllegalArgumentException(op + ": grad " + g.shapeString() + " must have the shape of logits "
                    + z.shapeString());
        }
        int[] ys = y.known;
        if (ys != null) {
            for (int i = 0; i < z.rows; i++) {
                if (ys[i] < 0 || ys[i] >= z.cols) {
                    throw new IllegalArgumentException(op + ": label " + ys[i] + " in row " + i + " is outside [0, "
                            + z.cols + ")");
                }
            }
        }
        int blocks = Launcher.rowBlocks(z.rows);
        launcher.i64(z.rows).i32(z.cols).ptr(z).ptr(y).ptr(g).f32((float) (1.0 / normalizer)).ptr(partialsAddress)
                .ptr(status.address()).launch(Kernel.SOFTMAX_CE, blocks);
        finishLoss(blocks, normalizer, loss, lossIndex);
        if (ys == null || capturing) {
            statusKernelQueued(); // a replay sees whatever the labels hold then
        }
    }

    @Override
    public void sigmoidBinaryCrossEntropy(Tensor logits, Tensor targets, Tensor grad, int normalizer,
            Tensor lossOut, int lossIndex) {
        String op = "sigmoidBinaryCrossEntropy";
        DeviceTensor x = f32(logits, op, "logits");
        DeviceTensor t = f32(targets, op, "targets");
        DeviceTensor g = grad == null ? null : f32(grad, op, "grad");
        DeviceTensor loss = lossTarget(op, lossOut, lossIndex, normalizer);
        elementwiseLossShapes(op, x, "logits", t, "targets", g);
        double count = (double) normalizer * x.cols;
        int blocks = Launcher.reductionBlocks(x.size);
        launcher.i64(x.size).ptr(x).ptr(t).ptr(g).f32((float) count).ptr(partialsAddress)
                .launch(Kernel.BCE_LOGITS, blocks);
        finishLoss(blocks, count, loss, lossIndex);
    }

    @Override
    public void meanSquaredError(Tensor predictions, Tensor targets, Tensor grad, int normalizer, Tensor lossOut,
            int lossIndex) {
        String op = "meanSquaredError";
        DeviceTensor p = f32(predictions, op, "predictions");
        DeviceTensor t = f32(targets, op, "targets");
        DeviceTensor g = grad == null ? null : f32(grad, op, "grad");
        DeviceTensor loss = lossTarget(op, lossOut, lossIndex, normalizer);
        elementwiseLossShapes(op, p, "predictions", t, "targets", g);
        double count = (double) normalizer * p.cols;
        int blocks = Launcher.reductionBlocks(p.size);
        launcher.i64(p.size).ptr(p).ptr(t).ptr(g).f32((float) (2.0 / count)).ptr(partialsAddress)
                .launch(Kernel.MSE, blocks);
        finishLoss(blocks, count, loss, lossIndex);
    }

    @Override
    public void meanAbsoluteError(Tensor predictions, Tensor targets, Tensor grad, int normalizer, Tensor lossOut,
            int lossIndex) {
        String op = "meanAbsoluteError";
        DeviceTensor p = f32(predictions, op, "predictions");
        DeviceTensor t = f32(targets, op, "targets");
        DeviceTensor g = grad == null ? null : f32(grad, op, "grad");
        DeviceTensor loss = lossTarget(op, lossOut, lossIndex, normalizer);
        elementwiseLossShapes(op, p, "predictions", t, "targets", g);
        double count = (double) normalizer * p.cols;
        int blocks = Launcher.reductionBlocks(p.size);
        launcher.i64(p.size).ptr(p).ptr(t).ptr(g).f32((float) (1.0 / count)).ptr(partialsAddress)
                .launch(Kernel.MAE, blocks);
        finishLoss(blocks, count, loss, lossIndex);
    }

    private DeviceTensor lossTarget(String op, Tensor lossOut, int lossIndex, int normalizer) {
        DeviceTensor loss = f32(lossOut, op, "lossOut");
        if (lossIndex < 0 || lossIndex >= loss.size) {
            throw new IllegalArgumentException(op + ": lossIndex " + lossIndex + " is outside lossOut "
                    + loss.shapeString());
        }
        if (normalizer <= 0) {
            throw new IllegalArgumentException(op + ": normalizer must be > 0, got " + normalizer);
        }
        return loss;
    }

    private static void elementwiseLossShapes(String op, DeviceTensor a, String an, DeviceTensor b, String bn,
            DeviceTensor g) {
        if (a.rows != b.rows || a.cols != b.cols) {
            throw new IllegalArgumentException(op + ": " + an + " " + a.shapeString() + " and " + bn + " "
                    + b.shapeString() + " differ in shape");
        }
        if (g != null && (g.rows != a.rows || g.cols != a.cols)) {
            throw new IllegalArgumentException(op + ": grad " + g.shapeString() + " must have the shape of " + an
                    + " " + a.shapeString());
        }
    }

    private void finishLoss(int partials, double divisor, DeviceTensor loss, int lossIndex) {
        launcher.i32(partials).ptr(partialsAddress).f64(divisor).ptr(loss).i32(lossIndex).launch(Kernel.LOSS_FINAL, 1);
    }

    // ------------------------------------------------------------------------------------------------ optimizers

    @Override
    public void sgdUpdate(Tensor param, Tensor grad, Tensor momentumBuffer, double lr, double momentum,
            double dampening, boolean nesterov, double weightDecay, boolean maximize, boolean copyFirst) {
        String op = "sgdUpdate";
        DeviceTensor p = f32(param, op, "param");
        DeviceTensor g = f32(grad, op, "grad");
        sameSize(op, p, "param", g, "grad");
        DeviceTensor b = null;
        if (momentum != 0) {
            if (momentumBuffer == null) {
                throw new IllegalArgumentException(op + ": momentum " + momentum + " needs a momentum buffer");
            }
            b = f32(momentumBuffer, op, "momentumBuffer");
            sameSize(op, p, "param", b, "momentumBuffer");
        }
        if (nesterov && (momentum <= 0 || dampening != 0)) {
            throw new IllegalArgumentException(op + ": nesterov needs momentum > 0 and dampening 0, got momentum "
                    + momentum + ", dampening " + dampening);
        }
        int flags = (maximize ? OPT_MAXIMIZE : 0) | (weightDecay != 0 ? OPT_WEIGHT_DECAY : 0)
                | (momentum != 0 ? OPT_MOMENTUM : 0) | (nesterov ? OPT_NESTEROV : 0)
                | (copyFirst ? OPT_COPY_FIRST : 0);
        if (p.size > 0) {
            launcher.i64(p.size).ptr(p).ptr(g).ptr(b).f32((float) -lr).f32((float) momentum)
                    .f32((float) (1 - dampening)).f32((float) weightDecay).i32(flags)
                    .launch(Kernel.SGD, Launcher.elementwiseBlocks(p.size));
        }
    }

    @Override
    public void adamUpdate(Tensor param, Tensor grad, Tensor m, Tensor v, Tensor maxV, double lr, double beta1,
            double beta2, double eps, double weightDecay, boolean decoupled, boolean maximize, long step) {
        String op = "adamUpdate";
        DeviceTensor p = f32(param, op, "param");
        DeviceTensor g = f32(grad, op, "grad");
        DeviceTensor tm = f32(m, op, "m");
        DeviceTensor tv = f32(v, op, "v");
        DeviceTensor tmax = maxV == null ? null : f32(maxV, op, "maxV");
        sameSize(op, p, "param", g, "grad");
        sameSize(op, p, "param", tm, "m");
        sameSize(op, p, "param", tv, "v");
        if (tmax != null) {
            sameSize(op, p, "param", tmax, "maxV");
        }
        if (step < 1) {
            throw new IllegalArgumentException(op + ": step counts from 1, got " + step);
        }
        // torch: bias_correction1 = 1 - beta1 ** step; step_size = lr / bias_correction1 (Python floats, double);
        // bias_correction2_sqrt = sqrt(1 - beta2 ** step); each rounded to float where the tensor op takes it.
        double bc1 = 1 - Math.pow(beta1, step);
        double bc2 = 1 - Math.pow(beta2, step);
        int flags = (maximize ? OPT_MAXIMIZE : 0) | (weightDecay != 0 ? OPT_WEIGHT_DECAY : 0)
                | (decoupled ? OPT_DECOUPLED : 0) | (tmax != null ? OPT_AMSGRAD : 0);
        if (p.size > 0) {
            launcher.i64(p.size).ptr(p).ptr(g).ptr(tm).ptr(tv).ptr(tmax)
                    .f32((float) beta1).f32((float) (1 - beta1)).f32((float) beta2).f32((float) (1 - beta2))
                    .f32((float) weightDecay).f32((float) (1 - lr * weightDecay)).f32((float) -(lr / bc1))
                    .f32((float) Math.sqrt(bc2)).f32((float) eps).i32(flags)
                    .launch(Kernel.ADAM, Launcher.elementwiseBlocks(p.size));
        }
    }

    @Override
    public void rmspropUpdate(Tensor param, Tensor grad, Tensor squareAvg, Tensor gradAvg, Tensor momentumBuffer,
            double lr, double alphaValue, double eps, double weightDecay, double momentum, boolean maximize) {
        String op = "rmspropUpdate";
        DeviceTensor p = f32(param, op, "param");
        DeviceTensor g = f32(grad, op, "grad");
        DeviceTensor sq = f32(squareAvg, op, "squareAvg");
        DeviceTensor ga = gradAvg == null ? null : f32(gradAvg, op, "gradAvg");
        sameSize(op, p, "param", g, "grad");
        sameSize(op, p, "param", sq, "squareAvg");
        if (ga != null) {
            sameSize(op, p, "param", ga, "gradAvg");
        }
        DeviceTensor b = null;
        if (momentum > 0) {
            if (momentumBuffer == null) {
                throw new IllegalArgumentException(op + ": momentum " + momentum + " needs a momentum buffer");
            }
            b = f32(momentumBuffer, op, "momentumBuffer");
            sameSize(op, p, "param", b, "momentumBuffer");
        }
        int flags = (maximize ? OPT_MAXIMIZE : 0) | (weightDecay != 0 ? OPT_WEIGHT_DECAY : 0)
                | (b != null ? OPT_MOMENTUM : 0) | (ga != null ? OPT_CENTERED : 0);
        if (p.size > 0) {
            launcher.i64(p.size).ptr(p).ptr(g).ptr(sq).ptr(ga).ptr(b).f32((float) alphaValue)
                    .f32((float) (1 - alphaValue)).f32((float) eps).f32((float) weightDecay).f32((float) momentum)
                    .f32((float) -lr).i32(flags).launch(Kernel.RMSPROP, Launcher.elementwiseBlocks(p.size));
        }
    }

    @Override
    public void adagradUpdate(Tensor param, Tensor grad, Tensor sumTensor, double clr, double eps, double weightDecay,
            boolean maximize) {
        String op = "adagradUpdate";
        DeviceTensor p = f32(param, op, "param");
        DeviceTensor g = f32(grad, op, "grad");
        DeviceTensor s = f32(sumTensor, op, "sum");
        sameSize(op, p, "param", g, "grad");
        sameSize(op, p, "param", s, "sum");
        int flags = (maximize ? OPT_MAXIMIZE : 0) | (weightDecay != 0 ? OPT_WEIGHT_DECAY : 0);
        if (p.size > 0) {
            launcher.i64(p.size).ptr(p).ptr(g).ptr(s).f32((float) -clr).f32((float) eps).f32((float) weightDecay)
                    .i32(flags).launch(Kernel.ADAGRAD, Launcher.elementwiseBlocks(p.size));
        }
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
        enter();
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
        MemorySegment exec = instantiate(capture(step));
        CudaGraph g = new CudaGraph(this, exec, capturedStatusKernel, capturedIntWrites());
        graphs.add(g);
        return g;
    }

    /** Records {@code step} into a new graph (returned; the caller destroys it). */
    MemorySegment capture(Runnable step) {
        enter();
        steps.interrupt(); // a graph captured inside a training step: finish the step directly
        if (capturing) {
            throw new IllegalStateException("captureGraph: a capture is already in progress");
        }
        check(cuda_runtime_h.cudaStreamBeginCapture(stream, cuda_runtime_h.cudaStreamCaptureModeThreadLocal()),
                "cudaStreamBeginCapture");
        capturing = true;
        capturedStatusKernel = false;
        capturedIntWrites.clear();
        Throwable failure = null;
        try {
            step.run();
        } catch (Throwable t) {
            failure = t;
        } finally {
            capturing = false;
        }
        enter();
        int rc = cuda_runtime_h.cudaStreamEndCapture(stream, outPointer);
        MemorySegment graph = outPointer.get(ADDRESS, 0);
        if (failure != null || rc != 0) {
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
            throw fail(rc, "cudaStreamEndCapture");
        }
        return graph;
    }

    /** Instantiates and destroys {@code graph}, returning the executable graph. */
    MemorySegment instantiate(MemorySegment graph) {
        try {
            check(cuda_runtime_h.cudaGraphInstantiate(outPointer, graph, 0L), "cudaGraphInstantiate");
            return outPointer.get(ADDRESS, 0);
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

    void launchGraph(MemorySegment exec, boolean reportsStatus, DeviceTensor[] intWrites) {
        enter();
        if (capturing) {
            throw new IllegalStateException("CudaGraph.replay: cannot replay a graph while capturing another");
        }
        steps.interrupt();
        check(cuda_runtime_h.cudaGraphLaunch(exec, stream), "cudaGraphLaunch");
        if (reportsStatus) {
            statusDirty = true;
        }
        for (DeviceTensor t : intWrites) {
            t.known = null;
        }
    }

    void destroyGraph(CudaGraph g, MemorySegment exec) {
        graphs.remove(g);
        if (!closed) {
            enter();
            check(cuda_runtime_h.cudaGraphExecDestroy(exec), "cudaGraphExecDestroy");
        }
    }

    boolean isCapturing() {
        return capturing;
    }

    boolean capturedStatusKernel() {
        return capturedStatusKernel;
    }

    /** The int32 tensors the last capture's kernels write (their host-known contents go stale at each replay). */
    DeviceTensor[] capturedIntWrites() {
        return capturedIntWrites.toArray(new DeviceTensor[0]);
    }

    boolean isClosed() {
        return closed;
    }

    // ------------------------------------------------------------------------------------------------ close

    @Override
    public void close() {
        if (closed) {
            return;
        }
        List<String> errors = new ArrayList<>();
        try {
            if (CURRENT_CONTEXT.get()[0] != contextAddress) {
                cuda_h.cuCtxSetCurrent(context);
                cuda_runtime_h.cudaSetDevice(device);
                CURRENT_CONTEXT.get()[0] = contextAddress;
            }
        } catch (RuntimeException | LinkageError e) {
            errors.add(e.toString());
        }
        if (capturing) {
            cuda_runtime_h.cudaStreamEndCapture(stream, outPointer);
            MemorySegment g = outPointer.get(ADDRESS, 0);
            if (!g.equals(MemorySegment.NULL)) {
                cuda_runtime_h.cudaGraphDestroy(g);
            }
            capturing = false;
        }
        if (steps != null) {
            steps.close(errors); // before the stream synchronises: ends a step capture left open
        }
        releaseAll(errors);
        closed = true;
        arena.close();
        if (!errors.isEmpty()) {
            throw new BackendException("cuda: close: " + String.join("; ", errors));
        }
    }

    /** Frees everything this backend holds, recording failures instead of stopping at the first. */
    private void releaseAll(List<String> errors) {
        if (stream != null) {
            quietly(errors, cuda_runtime_h.cudaStreamSynchronize(stream), "cudaStreamSynchronize");
        }
        for (CudaGraph g : new ArrayList<>(graphs)) {
            g.markClosed();
            quietly(errors, cuda_runtime_h.cudaGraphExecDestroy(g.exec()), "cudaGraphExecDestroy");
        }
        graphs.clear();
        for (DeviceTensor t : tensors) {
            t.closed = true;
            if (t.bytes > 0) {
                quietly(errors, cuda_runtime_h.cudaFree(t.pointer), "cudaFree(" + t.bytes + " bytes)");
            }
        }
        tensors.clear();
        bytesAllocated = 0;
        if (cublas != null) {
            int rc = cublas_h.cublasDestroy_v2(cublas);
            if (rc != 0) {
                errors.add(CudaErrors.cublas(rc, "cublasDestroy_v2").getMessage());
            }
            cublas = null;
        }
        for (MemorySegment p : new MemorySegment[] {workspace, scratch, status}) {
            if (p != null) {
                quietly(errors, cuda_runtime_h.cudaFree(p), "cudaFree");
            }
        }
        workspace = null;
        scratch = null;
        status = null;
        for (int i = 0; i < 2; i++) {
            if (staging[i] != null) {
                quietly(errors, cuda_runtime_h.cudaFreeHost(staging[i]), "cudaFreeHost");
                staging[i] = null;
            }
            if (stagingEvent[i] != null) {
                quietly(errors, cuda_runtime_h.cudaEventDestroy(stagingEvent[i]), "cudaEventDestroy");
                stagingEvent[i] = null;
            }
        }
        if (pinned != null) {
            quietly(errors, cuda_runtime_h.cudaFreeHost(pinned), "cudaFreeHost");
            pinned = null;
        }
        if (stream != null) {
            quietly(errors, cuda_runtime_h.cudaStreamDestroy(stream), "cudaStreamDestroy");
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

    private static void quietly(List<String> errors, int rc, String call) {
        if (rc != 0) {
            errors.add(CudaErrors.cuda(rc, call).getMessage());
        }
    }

    // ------------------------------------------------------------------------------------------------ plumbing

    /** Checks the backend is open and makes its context current on the calling thread. */
    private void enter() {
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
            check(cuda_runtime_h.cudaSetDevice(device), "cudaSetDevice(" + device + ")");
            current[0] = contextAddress;
        }
    }

    private void notCapturing(String op) {
        if (capturing) {
            throw new IllegalStateException(op + ": not allowed while a CUDA graph is being captured (it allocates, "
                    + "frees, copies from Java memory or synchronises); do it before captureGraph or between replays");
        }
        if (steps != null) {
            steps.interrupt(); // inside runStep: what a graph cannot hold ends the recording, the step runs directly
        }
    }

    /** A kernel wrote an int32 tensor: its contents are no longer known on the host (and a graph must say so). */
    private void deviceWroteInt(DeviceTensor t) {
        t.known = null;
        if (capturing) {
            capturedIntWrites.add(t);
        }
    }

    private void statusKernelQueued() {
        if (capturing) {
            capturedStatusKernel = true;
        } else {
            statusDirty = true;
        }
    }

    /** Waits for the stream; then reports any error the kernels recorded in the status record. */
    private void sync(String op) {
        int rc = cuda_runtime_h.cudaStreamSynchronize(stream);
        if (rc != 0) {
            throw new BackendException("cuda: " + op + ": the device reported an error for earlier queued work: "
                    + CudaErrors.cuda(rc, "cudaStreamSynchronize").getMessage());
        }
        stagingPending[0] = false;
        stagingPending[1] = false;
        if (statusDirty) {
            statusDirty = false;
            check(cuda_runtime_h.cudaMemcpyAsync(statusHost, status, STATUS_BYTES,
                    cuda_runtime_h.cudaMemcpyDeviceToHost(), stream), "cudaMemcpyAsync(status)");
            check(cuda_runtime_h.cudaStreamSynchronize(stream), "cudaStreamSynchronize");
            int code = pinned.get(JAVA_INT, 16);
            if (code != 0) {
                int row = pinned.get(JAVA_INT, 20);
                int value = pinned.get(JAVA_INT, 24);
                int bound = pinned.get(JAVA_INT, 28);
                check(cuda_runtime_h.cudaMemsetAsync(status, 0, STATUS_BYTES, stream), "cudaMemsetAsync(status)");
                check(cuda_runtime_h.cudaStreamSynchronize(stream), "cudaStreamSynchronize");
                throw new IllegalArgumentException(statusMessage(code, row, value, bound) + " (found on the device; "
                        + "reported by " + op + ", the first call that synchronised after it)");
            }
        }
    }

    static String statusMessage(int code, int row, int value, int bound) {
        return switch (code) {
            case 1 -> "softmaxCrossEntropy: label " + value + " in row " + row + " is outside [0, " + bound + ")";
            case 2 -> "gatherRows: index " + value + " at position " + row + " of indices is outside [0, " + bound
                    + ")";
            default -> "cuda: unknown device status " + code;
        };
    }

    private void check(int rc, String call) {
        if (rc != 0) {
            throw fail(rc, call);
        }
    }

    private static BackendException fail(int rc, String call) {
        CudaCallException e = CudaErrors.cuda(rc, call);
        return new BackendException("cuda: " + e.getMessage(), e);
    }

    private static String errorPart(int rc, String call) {
        CudaCallException e = CudaErrors.cuda(rc, call);
        String name = e.errorName() == null ? "error " + rc : e.errorName() + " (" + rc + ")";
        return name + (e.errorText() == null ? "" : ": " + e.errorText()) + " [" + call + "]";
    }

    private String memoryNote() {
        try {
            if (cuda_runtime_h.cudaMemGetInfo(outSizeA, outSizeB) == 0) {
                return "; " + formatBytes(outSizeA.get(C_SIZE_T, 0)) + " of " + formatBytes(outSizeB.get(C_SIZE_T, 0))
                        + " free on device " + device + ", " + formatBytes(bytesAllocated) + " held by this backend";
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

    private DeviceTensor own(Tensor t, String op, String name) {
        enter();
        if (t == null) {
            throw new IllegalArgumentException(op + ": " + name + " is null");
        }
        if (!(t instanceof DeviceTensor d) || d.backend != this) {
            throw new IllegalArgumentException(op + ": " + name + " (" + t + ") is not a tensor of this cuda backend");
        }
        if (d.closed) {
            throw new IllegalStateException(op + ": " + name + " " + d.shapeString() + " is closed");
        }
        return d;
    }

    private DeviceTensor f32(Tensor t, String op, String name) {
        DeviceTensor d = own(t, op, name);
        if (d.dtype != DType.F32) {
            throw new IllegalArgumentException(op + ": " + name + " must be F32, got " + d.dtype);
        }
        return d;
    }

    private DeviceTensor i32(Tensor t, String op, String name) {
        DeviceTensor d = own(t, op, name);
        if (d.dtype != DType.I32) {
            throw new IllegalArgumentException(op + ": " + name + " must be I32, got " + d.dtype);
        }
        return d;
    }

    private static void sameSize(String op, DeviceTensor a, String an, DeviceTensor b, String bn) {
        if (a.size != b.size) {
            throw new IllegalArgumentException(op + ": " + an + " " + a.shapeString() + " and " + bn + " "
                    + b.shapeString() + " differ in size");
        }
    }

    private static void checkArrayRange(String op, int length, int offset, long count, String name) {
        if (length < 0) {
            throw new IllegalArgumentException(op + ": " + name + " is null");
        }
        if (offset < 0 || offset + count > length) {
            throw new IllegalArgumentException(op + ": " + name + "[" + offset + " .. " + (offset + count)
                    + ") is outside the array of length " + length);
        }
    }

    private static int[] checkShape(String op, int[] shape) {
        if (shape == null || shape.length < 1 || shape.length > 2) {
            throw new IllegalArgumentException(op + ": shape must be [n] or [rows, cols], got "
                    + Arrays.toString(shape));
        }
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException(op + ": negative dimension in shape " + Arrays.toString(shape));
            }
        }
        return shape.clone();
    }
}
