/** The CUDA backend, on the FFM bindings and its own kernels. Used only through the SPI. */
module dev.descent.cuda {
    requires dev.descent.optim;
    requires dev.descent.cuda.bindings;

    provides dev.descent.backend.BackendProvider with dev.descent.cuda.CudaBackendProvider;
}
