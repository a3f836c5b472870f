// HAND-WRITTEN, not generated.
package dev.descent.cuda.bindings;

/**
 * A CUDA, cuBLAS or driver call that returned an error code. The message names the call (with its main arguments),
 * the code, the library's name for it and its description, e.g.
 * {@code cudaMalloc(1073741824 bytes) failed: cudaErrorMemoryAllocation (2): out of memory}.
 */
public abstract sealed class CudaCallException extends RuntimeException
        permits CudaException, CublasException, CuDriverException {
    private final String call;
    private final int code;
    private final String errorName;
    private final String errorText;

    protected CudaCallException(String call, int code, String errorName, String errorText) {
        super(format(call, code, errorName, errorText));
        this.call = call;
        this.code = code;
        this.errorName = errorName;
        this.errorText = errorText;
    }

    /** {@code "<call> failed: <name> (<code>): <text>"}; a missing name or text is left out. */
    public static String format(String call, int code, String errorName, String errorText) {
        StringBuilder sb = new StringBuilder(call).append(" failed: ");
        if (errorName != null && !errorName.isBlank()) {
            sb.append(errorName).append(" (").append(code).append(')');
        } else {
            sb.append("error ").append(code);
        }
        if (errorText != null && !errorText.isBlank() && !errorText.equals(errorName)) {
            sb.append(": ").append(errorText);
        }
        return sb.toString();
    }

    /** The call as named in the message, e.g. {@code cudaMalloc(1073741824 bytes)}. */
    public String call() {
        return call;
    }

    /** The numeric error code. */
    public int code() {
        return code;
    }

    /** The library's name for the code ({@code cudaErrorMemoryAllocation}), or null. */
    public String errorName() {
        return errorName;
    }

    /** The library's description of the code ({@code out of memory}), or null. */
    public String errorText() {
        return errorText;
    }
}
