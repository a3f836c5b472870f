/**
 * Hand-written support for the CUDA bindings: finding and loading libcudart, libcuda and libcublas
 * ({@link dev.descent.cuda.bindings.CudaLibraries}, {@code Dl}), turning status codes into
 * exceptions ({@link dev.descent.cuda.bindings.CudaErrors} and the exception classes). The header classes in
 * jextract's layout are in {@link dev.descent.cuda.bindings.gen}, which holds nothing else.
 */
package dev.descent.cuda.bindings;
