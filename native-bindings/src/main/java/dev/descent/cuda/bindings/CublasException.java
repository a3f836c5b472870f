// HAND-WRITTEN, not generated.
package dev.descent.cuda.bindings;

/** A cuBLAS call returned an error ({@code cublasStatus_t}). See {@link CudaErrors#checkCublas}. */
public final class CublasException extends CudaCallException {
    public CublasException(String call, int code, String errorName, String errorText) {
        super(call, code, errorName, errorText);
    }
}
