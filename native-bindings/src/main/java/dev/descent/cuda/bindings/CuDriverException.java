// HAND-WRITTEN, not generated.
package dev.descent.cuda.bindings;

/** A CUDA driver API call ({@code cu*}) returned an error ({@code CUresult}). See {@link CudaErrors#checkDriver}. */
public final class CuDriverException extends CudaCallException {
    public CuDriverException(String call, int code, String errorName, String errorText) {
        super(call, code, errorName, errorText);
    }
}
