/**
 * descent's core: the Backend SPI, optimizers and schedules, losses, models, data sets and loaders, the trainer. It
 * knows no backend: backends and communicators are found at run time through the services below.
 */
module dev.descent.optim {
    requires java.net.http;
    // HostCpu reads HotSpot's UseAVX when these are present
    requires static java.management;
    requires static jdk.management;

    exports dev.descent.autodiff;
    exports dev.descent.backend;
    exports dev.descent.data;
    exports dev.descent.data.io;
    exports dev.descent.dist;
    exports dev.descent.loss;
    exports dev.descent.model;
    exports dev.descent.objective;
    exports dev.descent.optim;
    exports dev.descent.optim.schedule;
    exports dev.descent.train;

    uses dev.descent.backend.BackendProvider;
    uses dev.descent.dist.CommunicatorProvider;
}
