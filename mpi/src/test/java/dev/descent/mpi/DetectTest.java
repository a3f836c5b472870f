package dev.descent.mpi;

import dev.descent.dist.Communicator;
import dev.descent.dist.Communicators;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/** Without a launcher, descent is one process and never loads libmpi, even with the mpi module on the class path. */
class DetectTest {
    @Test
    void withoutLauncherVariablesDetectGivesTheSingleProcessCommunicatorAndLeavesLibmpiAlone() {
        ProcessBuilder pb = new ProcessBuilder(MpiJobs.java(DetectMain.class.getName()));
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("OMPI_") || k.startsWith("PMIX_") || k.startsWith("PMI_")
                || k.startsWith("SLURM_"));
        MpiJobs.Result r = MpiJobs.start(pb);
        assertEquals(0, r.exitCode(), r.output());
        assertEquals("single=true description=single process libmpi-loaded=false libmpi-mapped=false",
                r.output().strip());
    }

    @Test
    void inThisJvmToo() {
        Assumptions.assumeTrue(!new MpiCommunicatorProvider().launchedHere(),
                "the test JVM itself runs under a launcher");
        assertSame(Communicator.single(), Communicators.detect());
    }
}
