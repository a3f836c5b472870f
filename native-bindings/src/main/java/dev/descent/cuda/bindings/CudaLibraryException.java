// HAND-WRITTEN, not generated.
package dev.descent.cuda.bindings;

/** A CUDA library could not be loaded; the message lists every place tried and the loader's error for each. */
public final class CudaLibraryException extends RuntimeException {
    public CudaLibraryException(String message) {
        super(message);
    }
}
