package dev.descent.backend;

/**
 * An opaque handle to a rank-1 or rank-2 tensor owned by a {@link Backend}. Row-major. The data lives wherever the
 * backend keeps it (Java heap, off-heap memory, device memory) and is reached only through the backend's operations
 * and its explicit {@link Backend#upload upload}/{@link Backend#download download}.
 *
 * <p>A tensor is closed explicitly or when its backend closes; using a closed tensor, or passing a tensor to a backend
 * that did not create it, is an {@link IllegalArgumentException}/{@link IllegalStateException}.
 */
public interface Tensor extends AutoCloseable {
    /** The backend that owns this tensor. */
    Backend backend();

    /** The element type. */
    DType dtype();

    /** Number of rows: the length for a rank-1 tensor's {@code [n]} shape is reported as rows = n, cols = 1. */
    int rows();

    /** Number of columns (1 for a rank-1 tensor). */
    int cols();

    /** The shape as created: {@code [n]} or {@code [rows, cols]}. A copy. */
    int[] shape();

    /** Total number of elements, {@code rows * cols}. */
    default long size() {
        return (long) rows() * cols();
    }

    /** Whether {@link #close()} has been called (directly or by the backend closing). */
    boolean isClosed();

    /** Releases the memory. Idempotent. */
    @Override
    void close();
}
