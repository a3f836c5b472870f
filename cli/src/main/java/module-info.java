/**
 * The {@code descent} command. It reads no backend's classes: the backends and the MPI communicator are run-time
 * dependencies, found through the services that {@code dev.descent.optim} uses.
 */
module dev.descent.cli {
    requires dev.descent.optim;
    requires dev.descent.onnx;
    requires info.picocli;
    requires org.jfree.jfreechart;
    requires java.desktop;
    requires jdk.unsupported;

    // Picocli reads and sets the commands' annotated fields.
    opens dev.descent.cli to info.picocli;
    exports dev.descent.cli;
}
