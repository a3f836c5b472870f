/**
 * The header classes of the CUDA bindings: {@code cuda_runtime_h} (libcudart), {@code cuda_h} (libcuda, the driver
 * API) and {@code cublas_h} (libcublas). Nothing else belongs in this package.
 *
 * <p><b>These classes are written by hand</b>, in the layout jextract 22 generates, from the declarations that
 * {@code native-bindings/jextract/descent_cuda.h} (the umbrella header) and
 * {@code native-bindings/jextract/includes.txt} (the filter list, one symbol per line with its header class) name:
 * jextract cannot be installed on descent's build machines. Where jextract 22+ and the CUDA headers are available, {@code native-bindings/jextract/generate.sh}
 * regenerates them into this package, so the generated files replace these in place; review the diff before
 * committing.
 *
 * <p>They differ from jextract's output in three places, each marked {@code HAND-WRITTEN} in the source (and applied by
 * {@code generate.sh} to what jextract generates):
 * <ol>
 *   <li>{@code SYMBOL_LOOKUP} comes from {@link dev.descent.cuda.bindings.CudaLibraries} (the loader that keeps
 *       {@code dlopen}'s error text and searches CUDA's usual install locations) instead of
 *       {@code SymbolLookup.libraryLookup(System.mapLibraryName(..))}, with the import that needs;</li>
 *   <li>{@code findOrThrow} accepts alternative names, because CUDA exports some functions as {@code name_v2}
 *       ({@code cuDevicePrimaryCtxRelease_v2}, {@code cuDeviceTotalMem_v2}, {@code cublasCreate_v2}, ...), and names
 *       the library in its error; {@code cublasSgemm_v2} deliberately has no fallback (libcublas also exports the
 *       legacy {@code cublas.h} {@code cublasSgemm}, whose signature differs);</li>
 *   <li>{@code C_SIZE_T} names {@code size_t} (an alias of {@code C_LONG} on Linux x86-64).</li>
 * </ol>
 *
 * <p>The hand-written support code (loading the libraries, error checks, exceptions) is in
 * {@link dev.descent.cuda.bindings}.
 */
package dev.descent.cuda.bindings.gen;
