// HAND-WRITTEN, not generated.
package dev.descent.cuda.bindings;

/** A CUDA runtime call ({@code cuda*}) returned an error ({@code cudaError_t}). See {@link CudaErrors#checkCuda}. */
public final class CudaException extends CudaCallException {
    public CudaException(String call, int code, String errorName, String errorText) {
        super(call, code, errorName, errorText);
    }
}
