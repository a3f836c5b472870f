package dev.descent.cuda;

import dev.descent.backend.BackendException;
import dev.descent.cuda.bindings.CudaCallException;
import dev.descent.cuda.bindings.CudaErrors;
import java.util.List;

/** The wording of a failed CUDA runtime call, the same for every part of the backend. */
final class CudaCalls {
    private CudaCalls() {
    }

    /** Throws a {@link BackendException} naming {@code call} when {@code rc} is not {@code cudaSuccess}. */
    static void check(int rc, String call) {
        if (rc != 0) {
            throw fail(rc, call);
        }
    }

    /** {@code cuda: <call> failed: <name> (<rc>): <text>}, as a {@link BackendException}. */
    static BackendException fail(int rc, String call) {
        CudaCallException e = CudaErrors.cuda(rc, call);
        return new BackendException("cuda: " + e.getMessage(), e);
    }

    /** {@code <name> (<rc>): <text> [<call>]}: the runtime's part of an allocation failure. */
    static String errorPart(int rc, String call) {
        CudaCallException e = CudaErrors.cuda(rc, call);
        String name = e.errorName() == null ? "error " + rc : e.errorName() + " (" + rc + ")";
        return name + (e.errorText() == null ? "" : ": " + e.errorText()) + " [" + call + "]";
    }

    /** Records a failure in {@code errors} instead of throwing (closing goes on after a failed call). */
    static void quietly(List<String> errors, int rc, String call) {
        if (rc != 0) {
            errors.add(CudaErrors.cuda(rc, call).getMessage());
        }
    }
}
