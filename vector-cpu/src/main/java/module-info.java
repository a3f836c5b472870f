/** The CPU backend: Vector API kernels with a scalar reference twin, on every core. Used only through the SPI. */
module dev.descent.cpu {
    requires dev.descent.optim;
    requires jdk.incubator.vector;
    requires java.management;
    requires static jdk.management;

    // The width probe and planner run as child JVMs (WidthProbe's main); nothing else is exported.
    provides dev.descent.backend.BackendProvider with dev.descent.cpu.CpuBackendProvider;
}
