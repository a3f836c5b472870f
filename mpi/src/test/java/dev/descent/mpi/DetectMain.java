package dev.descent.mpi;

import dev.descent.dist.Communicator;
import dev.descent.dist.Communicators;

import java.nio.file.Files;
import java.nio.file.Path;

/** Run by {@link DetectTest} in a JVM whose environment has no launcher variables. */
public final class DetectMain {
    private DetectMain() {
    }

    public static void main(String[] args) throws Exception {
        Communicator c = Communicators.detect();
        boolean mapped = Files.readString(Path.of("/proc/self/maps")).contains("libmpi");
        System.out.println("single=" + (c == Communicator.single()) + " description=" + c.description()
                + " libmpi-loaded=" + MpiLibrary.isLoaded() + " libmpi-mapped=" + mapped);
    }
}
