package dev.descent.mpi;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Telling Open MPI from MPICH-family libraries, and the messages. */
class OpenMpiTest {
    private static final String MPICH = "MPICH Version:\t4.0.2\nMPICH Release date:\tThu Apr  7 12:34:45 CDT 2022\n"
            + "MPICH ABI:\t14:2:2\nMPICH Device:\tch4:ofi\n";
    private static final String OMPI = "Open MPI v4.1.4, package: Debian OpenMPI, ident: 4.1.4, repo rev: v4.1.4, "
            + "May 26, 2022";

    @Test
    void openMpiIsRecognisedByItsSymbols() {
        assertEquals(OpenMpi.Flavor.OPEN_MPI, OpenMpi.Flavor.of(OMPI, true));
        assertEquals(OpenMpi.Flavor.OPEN_MPI, OpenMpi.Flavor.of("", true));
    }

    @Test
    void mpichAndItsDerivativesAreRecognisedByTheirVersionText() {
        assertEquals(OpenMpi.Flavor.MPICH, OpenMpi.Flavor.of(MPICH, false));
        assertEquals(OpenMpi.Flavor.MPICH, OpenMpi.Flavor.of("Intel(R) MPI Library 2021.6 for Linux* OS", false));
        assertEquals(OpenMpi.Flavor.MPICH, OpenMpi.Flavor.of("MVAPICH2 Version :\t2.3.7", false));
        assertEquals(OpenMpi.Flavor.OTHER, OpenMpi.Flavor.of("Some MPI 1.0", false));
        assertEquals(OpenMpi.Flavor.OTHER, OpenMpi.Flavor.of(null, false));
    }

    @Test
    void theMpichMessageSaysWhatIsSupportedAndWhatWasLoaded() {
        String m = OpenMpi.unsupportedMessage(OpenMpi.Flavor.MPICH, MPICH, "/usr/lib/x86_64-linux-gnu/libmpi.so.12");
        assertTrue(m.startsWith("descent supports Open MPI; loaded library is MPICH (MPICH Version:\t4.0.2) from "
                + "/usr/lib/x86_64-linux-gnu/libmpi.so.12."), m);
        assertTrue(m.contains("-Ddescent.mpi.lib (or DESCENT_MPI_LIB)"), m);
    }

    @Test
    void theShortVersionIsTheFirstField() {
        assertEquals("Open MPI v4.1.4", OpenMpi.shortVersion(OMPI));
        assertEquals("Open MPI v5.0.3", OpenMpi.shortVersion("Open MPI v5.0.3"));
        assertEquals("", OpenMpi.shortVersion(null));
    }
}
