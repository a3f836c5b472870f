package dev.descent.cuda;

import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.descent.backend.DType;
import dev.descent.backend.OpChecks;
import dev.descent.backend.Tensor;
import dev.descent.cuda.bindings.gen.cuda_runtime_h;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * Copies between Java arrays and device tensors, through {@link Staging}'s pinned buffers: uploads (queued; they wait
 * only for the staging buffer they reuse), downloads and single values read back (they wait for the stream). Also
 * keeps an int32 tensor's host-known contents ({@link DeviceTensor#known}) in step with what was copied.
 */
final class Transfers {
    private final DeviceContext context;
    private final StreamState state;
    private final DeviceMemory memory;
    private final ArgumentChecks args;
    private final Staging staging;
    private final DeviceStatus status;

    Transfers(DeviceContext context, StreamState state, DeviceMemory memory, ArgumentChecks args, Staging staging,
            DeviceStatus status) {
        this.context = context;
        this.state = state;
        this.memory = memory;
        this.args = args;
        this.staging = staging;
        this.status = status;
    }

    // ------------------------------------------------------------------------------------------------ to the device

    /** A new F32 tensor holding {@code data}. */
    Tensor upload(float[] data, int[] shape) {
        OpChecks.notNull(data, "upload", "data");
        return uploadNew(data, data.length, DType.F32, JAVA_FLOAT, shape, "upload");
    }

    /** A new I32 tensor holding {@code data}. */
    Tensor uploadInt(int[] data, int[] shape) {
        OpChecks.notNull(data, "uploadInt", "data");
        return uploadNew(data, data.length, DType.I32, JAVA_INT, shape, "uploadInt");
    }

    private Tensor uploadNew(Object data, int length, DType dtype, ValueLayout layout, int[] shape, String op) {
        context.enter(op);
        OpChecks.uploadLength(op, length, shape);
        DeviceTensor t = memory.allocate(dtype, shape, op, false);
        try {
            copyIn(data, 0, layout, t, op);
        } catch (RuntimeException e) {
            memory.release(t);
            throw e;
        }
        if (data instanceof int[] ints && t.size <= DeviceTensor.KNOWN_MAX) {
            t.known(ints.clone());
        }
        return t;
    }

    /** {@code src[srcOffset ..]} into all of {@code dst}. */
    void upload(float[] src, int srcOffset, Tensor dst) {
        DeviceTensor d = args.f32(dst, "upload", "dst");
        OpChecks.notNull(src, "upload", "src");
        OpChecks.arrayRange("upload", "src", src.length, srcOffset, d.size);
        copyIn(src, srcOffset, JAVA_FLOAT, d, "upload");
    }

    /** {@code src[srcOffset ..]} into all of {@code dst}, which then knows its contents on the host. */
    void uploadInt(int[] src, int srcOffset, Tensor dst) {
        DeviceTensor d = args.i32(dst, "uploadInt", "dst");
        OpChecks.notNull(src, "uploadInt", "src");
        OpChecks.arrayRange("uploadInt", "src", src.length, srcOffset, d.size);
        copyIn(src, srcOffset, JAVA_INT, d, "uploadInt");
        if (d.known() == null && d.size <= DeviceTensor.KNOWN_MAX) {
            d.known(new int[(int) d.size]);
        }
        if (d.known() != null) {
            System.arraycopy(src, srcOffset, d.known(), 0, (int) d.size);
        }
    }

    private void copyIn(Object array, int offset, ValueLayout layout, DeviceTensor dst, String op) {
        context.enter();
        state.refuseInGraph(op);
        staging.copyIn(array, offset, layout, dst);
    }

    // ------------------------------------------------------------------------------------------------ to the host

    /** All of {@code src} into {@code dst[dstOffset ..]}; waits for the stream. */
    void download(Tensor src, float[] dst, int dstOffset) {
        DeviceTensor s = args.f32(src, "download", "src");
        OpChecks.notNull(dst, "download", "dst");
        OpChecks.arrayRange("download", "dst", dst.length, dstOffset, s.size);
        copyOut(s, dst, dstOffset, JAVA_FLOAT, "download");
    }

    /** All of {@code src} into {@code dst[dstOffset ..]}; waits for the stream; {@code src} then knows its contents. */
    void downloadInt(Tensor src, int[] dst, int dstOffset) {
        DeviceTensor s = args.i32(src, "downloadInt", "src");
        OpChecks.notNull(dst, "downloadInt", "dst");
        OpChecks.arrayRange("downloadInt", "dst", dst.length, dstOffset, s.size);
        copyOut(s, dst, dstOffset, JAVA_INT, "downloadInt");
        if (s.known() == null && s.size <= DeviceTensor.KNOWN_MAX) {
            s.known(Arrays.copyOfRange(dst, dstOffset, dstOffset + (int) s.size));
        }
    }

    private void copyOut(DeviceTensor src, Object array, int offset, ValueLayout layout, String op) {
        context.enter();
        state.refuseInGraph(op);
        long total = src.bytes;
        if (total == 0) {
            status.sync(op);
            return;
        }
        staging.ensure(total);
        MemorySegment buffer = staging.downloadBuffer();
        long done = 0;
        while (done < total) {
            long chunk = Math.min(total - done, staging.chunkBytes());
            MemorySegment from = done == 0 ? src.pointer : MemorySegment.ofAddress(src.address + done);
            CudaCalls.check(cuda_runtime_h.cudaMemcpyAsync(buffer, from, chunk,
                    cuda_runtime_h.cudaMemcpyDeviceToHost(), context.stream()),
                    "cudaMemcpyAsync(device to host, " + chunk + " bytes)");
            status.sync(op);
            MemorySegment.copy(buffer, layout, 0, array, offset + (int) (done / 4), (int) (chunk / 4));
            done += chunk;
        }
    }

    /** One element of an F32 tensor; waits for the stream. */
    float get(Tensor src, long index) {
        DeviceTensor s = args.f32(src, "get", "src");
        OpChecks.elementIndex("get", index, s);
        state.refuseInGraph("get");
        return readFloat(MemorySegment.ofAddress(s.address + 4 * index), "get");
    }

    /** The float at device address {@code from}, for {@code op}; waits for the stream. */
    float readFloat(MemorySegment from, String op) {
        readBack(from, 4, op);
        return staging.pinned().get(JAVA_FLOAT, 0);
    }

    /** The double at device address {@code from}, for {@code op}; waits for the stream. */
    double readDouble(MemorySegment from, String op) {
        readBack(from, 8, op);
        return staging.pinned().get(JAVA_DOUBLE, 0);
    }

    private void readBack(MemorySegment from, long bytes, String op) {
        CudaCalls.check(cuda_runtime_h.cudaMemcpyAsync(staging.pinned(), from, bytes,
                cuda_runtime_h.cudaMemcpyDeviceToHost(), context.stream()),
                "cudaMemcpyAsync(device to host, " + bytes + " bytes)");
        status.sync(op);
    }
}
