/** FFM bindings to the CUDA runtime, the driver API and cuBLAS, for the CUDA backend only. */
module dev.descent.cuda.bindings {
    exports dev.descent.cuda.bindings to dev.descent.cuda;
}
