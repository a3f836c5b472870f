package dev.descent.mpi;

import dev.descent.dist.CommunicatorException;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Loading libmpi in this JVM (no MPI_Init here: that belongs to jobs under mpirun). */
class MpiLibraryTest {
    @Test
    void aBogusOverrideNamesThePathTheSettingAndTheLoadersError() {
        CommunicatorException e = assertThrows(CommunicatorException.class,
                () -> MpiLibrary.load("/nonexistent/dir/libmpi.so.40", null, null));
        assertEquals("cannot load libmpi from /nonexistent/dir/libmpi.so.40 (set by system property descent.mpi.lib): "
                + "/nonexistent/dir/libmpi.so.40: cannot open shared object file: No such file or directory",
                e.getMessage());
    }

    @Test
    void theEnvironmentOverrideIsUsedWhenThePropertyIsNot() {
        CommunicatorException e = assertThrows(CommunicatorException.class,
                () -> MpiLibrary.load(null, "/nonexistent/libmpi.so", null));
        assertTrue(e.getMessage().startsWith(
                "cannot load libmpi from /nonexistent/libmpi.so (set by environment variable DESCENT_MPI_LIB): "),
                e.getMessage());
    }

    @Test
    void thePropertyWinsOverTheEnvironment() {
        CommunicatorException e = assertThrows(CommunicatorException.class,
                () -> MpiLibrary.load("/nonexistent/a.so", "/nonexistent/b.so", null));
        assertTrue(e.getMessage().contains("/nonexistent/a.so (set by system property"), e.getMessage());
    }

    @Test
    void aFileThatIsNotALibraryKeepsTheLoadersReason(@TempDir Path dir) throws IOException {
        Path fake = Files.writeString(dir.resolve("libmpi.so.40"), "this is not an ELF file, but long enough to be "
                + "read as a header by the dynamic loader .............................................");
        CommunicatorException e = assertThrows(CommunicatorException.class,
                () -> MpiLibrary.load(fake.toString(), null, null));
        assertTrue(e.getMessage().contains("invalid ELF header"), e.getMessage());
    }

    @Test
    void aLibraryWithoutMpiIsRefused() {
        MpiLibrary.Loaded libm = MpiLibrary.load("libm.so.6", null, null);
        CommunicatorException e = assertThrows(CommunicatorException.class, () -> OpenMpi.check(libm));
        assertEquals("libm.so.6 is not an MPI library (it has no MPI_Init_thread)", e.getMessage());
    }

    @Test
    void ldLibraryPathComesFirstThenTheUsualDirectoriesThenTheBareNames(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("libmpi.so"), "x");
        List<String> c = MpiLibrary.candidates(dir + ":/nonexistent");
        assertEquals(dir.resolve("libmpi.so").toString(), c.stream().filter(s -> s.endsWith("libmpi.so")).findFirst()
                .orElseThrow());
        assertEquals(List.of("libmpi.so.40", "libmpi.so"), c.subList(c.size() - 2, c.size()));
        assertTrue(c.stream().noneMatch(s -> s.startsWith("/nonexistent")), c.toString());
    }

    @Test
    void findsOpenMpiWhereItIsInstalled() {
        MpiLibrary.Loaded lib;
        try {
            lib = MpiLibrary.load(null, null, System.getenv("LD_LIBRARY_PATH"));
        } catch (CommunicatorException e) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail("CI=true but Open MPI's libmpi cannot be loaded: " + e.getMessage());
            }
            Assumptions.abort("Open MPI not installed: " + e.getMessage());
            return;
        }
        assertTrue(lib.find("MPI_Allreduce").isPresent());
        assertTrue(lib.find("ompi_mpi_comm_world").isPresent(), lib.path() + " is not Open MPI");
        assertTrue(lib.path().contains("libmpi.so"), lib.path());
    }
}
