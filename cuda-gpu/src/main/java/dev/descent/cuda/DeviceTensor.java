package dev.descent.cuda;

import dev.descent.backend.Backend;
import dev.descent.backend.DType;
import dev.descent.backend.Tensor;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * A tensor in device memory, made by (and belonging to) one backend's {@link DeviceMemory}. Row-major, 4 bytes per
 * element. A view ({@link dev.descent.backend.Backend#reshape}) is a tensor of another shape on its {@link #base}'s
 * memory: same pointer, nothing of its own to free; it is closed when it or its base is, and its host-known int32
 * contents are the base's (the same elements in the same order).
 */
final class DeviceTensor implements Tensor {
    /** Int32 tensors up to this many elements keep a host copy of their known contents (see {@link #known}). */
    static final long KNOWN_MAX = 16L << 20;

    /** The memory that made it: frees it, and tells a tensor of this backend from another's. */
    final DeviceMemory memory;
    final DType dtype;
    private final int[] shape;
    final int rows;
    final int cols;
    final long size;
    final long bytes;
    /** The device pointer, as a zero-length segment for calls that take a pointer, and as a number. */
    final MemorySegment pointer;
    final long address;
    /** The tensor that owns the memory: this one, or the one a view was made of (never itself a view). */
    final DeviceTensor base;
    boolean closed;
    /**
     * For int32 tensors: the contents as the host knows them (from uploads, fills, copies and gathers of known
     * tensors), or null when a kernel wrote them. Lets label and index checks fail at the call, without reading the
     * device; where null the kernels check on the device instead. Kept by the base only ({@link #known()}).
     */
    private int[] known;

    /** A tensor owning {@code pointer}'s memory. */
    DeviceTensor(DeviceMemory memory, DType dtype, int[] shape, MemorySegment pointer) {
        this(memory, dtype, shape, pointer, null);
    }

    /** A view of {@code base}'s memory with another shape of the same size. */
    DeviceTensor(DeviceTensor base, int[] shape) {
        this(base.memory, base.dtype, shape, base.pointer, base);
    }

    private DeviceTensor(DeviceMemory memory, DType dtype, int[] shape, MemorySegment pointer, DeviceTensor base) {
        this.base = base == null ? this : base;
        this.memory = memory;
        this.dtype = dtype;
        this.shape = shape.clone();
        this.rows = shape[0];
        this.cols = shape.length == 2 ? shape[1] : 1;
        this.size = (long) rows * cols;
        this.bytes = size * dtype.bytes();
        this.pointer = pointer;
        this.address = pointer.address();
    }

    @Override
    public Backend backend() {
        return memory.owner();
    }

    @Override
    public DType dtype() {
        return dtype;
    }

    @Override
    public int rows() {
        return rows;
    }

    @Override
    public int cols() {
        return cols;
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public boolean isClosed() {
        return closed || base.closed;
    }

    /** Whether this tensor is a view of another's memory. */
    boolean isView() {
        return base != this;
    }

    /** The int32 contents as the host knows them, or null (see the field); shared by a base and its views. */
    int[] known() {
        return base.known;
    }

    /** Sets what the host knows of the int32 contents (null: unknown). */
    void known(int[] contents) {
        base.known = contents;
    }

    @Override
    public void close() {
        memory.release(this);
    }

    /** {@code [rows, cols]} or {@code [n]}, as created. */
    String shapeString() {
        return Arrays.toString(shape);
    }

    @Override
    public String toString() {
        return "cuda " + dtype + (isView() ? " view " : " tensor ") + shapeString() + (isClosed() ? " (closed)" : "");
    }
}
