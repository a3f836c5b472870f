/**
 * FFM bindings to the CUDA runtime, the driver API and cuBLAS, for the CUDA backend only: the library loading, checks
 * and exceptions in {@code dev.descent.cuda.bindings} (written by hand), the header classes in jextract's layout in
 * {@code dev.descent.cuda.bindings.gen} (see that package).
 */
module dev.descent.cuda.bindings {
    exports dev.descent.cuda.bindings to dev.descent.cuda;
    exports dev.descent.cuda.bindings.gen to dev.descent.cuda;
}
