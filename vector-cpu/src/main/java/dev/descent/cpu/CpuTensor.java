package dev.descent.cpu;

import dev.descent.backend.Backend;
import dev.descent.backend.DType;
import dev.descent.backend.Tensor;

/**
 * A tensor of the CPU backend: a heap {@code float[]} or {@code int[]} (row-major), reached only through
 * {@link CpuBackend}. Closing drops the array and unregisters the tensor from its backend.
 *
 * <p>A view ({@link CpuBackend#reshape}) shares its parent's array with another shape. The backend does not track
 * views: a view is closed when it is closed itself or when its parent is (so closing the base tensor, or the backend,
 * which closes every base tensor, closes its views), and closing a view releases nothing. A closed view may keep the
 * array reachable until the view itself is unreachable; it can no longer be used either way.
 */
final class CpuTensor implements Tensor {
    /**
     * Floats allocated past the end of every float32 tensor's elements: one 64-byte line, zero, never part of the
     * tensor (every kernel takes the element count from the shape, {@link #length()}, and writes nothing past it).
     * A row's last vector, masked to the row's end, then stays inside the array even in the tensor's last row, which
     * keeps the Vector API's masked loads and stores on their fast path: reaching past the array, they check lane by
     * lane in code that C2 does not reduce (4.6 % of a batch-16 step with 24 classes at 512 bits, in two such
     * stores). It also lets the GEMM read a narrow matrix in place as a panel of whole vectors ({@link Gemm}).
     */
    static final int SLACK_FLOATS = 16;

    private final CpuBackend owner;
    private final DType dtype;
    private final int rows;
    private final int cols;
    private final boolean rank1;
    /** The tensor this one views, or null for a tensor that owns its array. */
    private final CpuTensor parent;
    private volatile boolean closed;
    /** Storage for {@link DType#F32}; null for int32 tensors and once closed. */
    float[] f;
    /** Storage for {@link DType#I32}; null for float32 tensors and once closed. */
    int[] i;

    CpuTensor(CpuBackend owner, DType dtype, int rows, int cols, boolean rank1) {
        this.owner = owner;
        this.dtype = dtype;
        this.rows = rows;
        this.cols = cols;
        this.rank1 = rank1;
        this.parent = null;
        int n = Math.multiplyExact(rows, cols);
        if (dtype == DType.F32) {
            f = new float[Math.addExact(n, SLACK_FLOATS)];
        } else {
            i = new int[n];
        }
    }

    /** A view of {@code parent}'s array (of the same size) as {@code [rows, cols]}, or {@code [rows]} when rank 1. */
    CpuTensor(CpuTensor parent, int rows, int cols, boolean rank1) {
        this.owner = parent.owner;
        this.dtype = parent.dtype;
        this.rows = rows;
        this.cols = cols;
        this.rank1 = rank1;
        this.parent = parent;
        this.f = parent.f;
        this.i = parent.i;
    }

    /** Whether this tensor is a view of another one's array. */
    boolean isView() {
        return parent != null;
    }

    @Override
    public Backend backend() {
        return owner;
    }

    CpuBackend owner() {
        return owner;
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

    /** Number of elements as an int (heap arrays are int-indexed). */
    int length() {
        return rows * cols;
    }

    @Override
    public int[] shape() {
        return rank1 ? new int[] {rows} : new int[] {rows, cols};
    }

    String shapeString() {
        return (rank1 ? "[" + rows + "]" : "[" + rows + ", " + cols + "]") + (dtype == DType.I32 ? " int32" : "");
    }

    @Override
    public boolean isClosed() {
        return closed || (parent != null && parent.isClosed());
    }

    @Override
    public void close() {
        if (markClosed() && parent == null) {
            owner.untrack(this);
        }
    }

    /** Marks closed and drops the storage; true the first time. */
    boolean markClosed() {
        synchronized (this) {
            if (closed) {
                return false;
            }
            closed = true;
            f = null;
            i = null;
            return true;
        }
    }

    @Override
    public String toString() {
        return "CpuTensor" + shapeString() + (parent != null ? " (view)" : "") + (isClosed() ? " (closed)" : "");
    }
}
