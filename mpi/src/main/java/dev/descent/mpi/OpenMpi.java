package dev.descent.mpi;

import dev.descent.dist.CommunicatorException;
import dev.descent.mpi.gen.mpi_h;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Optional;

/**
 * Open MPI's predefined handles and the check that the loaded library is Open MPI (hand-written, not generated).
 *
 * <p>In Open MPI, {@code MPI_COMM_WORLD}, {@code MPI_FLOAT}, {@code MPI_SUM} ... are macros for the addresses of
 * exported globals ({@code #define MPI_COMM_WORLD OMPI_PREDEFINED_GLOBAL(MPI_Comm, ompi_mpi_comm_world)}, i.e.
 * {@code &ompi_mpi_comm_world}). jextract cannot turn those into constants (address of a variable of incomplete type),
 * so they are resolved here with the symbol lookup. MPICH and its derivatives (Intel MPI, Cray MPICH, MVAPICH) use
 * integer handles ({@code MPI_COMM_WORLD == 0x44000000}) and a different ABI: {@link #check} refuses them with a clear
 * message instead of passing wrong handles.
 */
final class OpenMpi {
    /** MPICH's MPI_MAX_LIBRARY_VERSION_STRING (8192) is larger than Open MPI's (256): size for the larger. */
    static final int VERSION_BUFFER = 8192;

    final MemorySegment commWorld;
    final MemorySegment floatType;
    final MemorySegment doubleType;
    final MemorySegment byteType;
    final MemorySegment opSum;
    final MemorySegment errorsReturn;
    /** MPI_Get_library_version's text, e.g. "Open MPI v4.1.4, package: Debian OpenMPI, ident: 4.1.4, ...". */
    final String libraryVersion;

    private OpenMpi(MpiLibrary.Loaded lib, String libraryVersion) {
        this.commWorld = symbol(lib, "ompi_mpi_comm_world");
        this.floatType = symbol(lib, "ompi_mpi_float");
        this.doubleType = symbol(lib, "ompi_mpi_double");
        this.byteType = symbol(lib, "ompi_mpi_byte");
        this.opSum = symbol(lib, "ompi_mpi_op_sum");
        this.errorsReturn = symbol(lib, "ompi_mpi_errors_return");
        this.libraryVersion = libraryVersion;
    }

    /**
     * Checks that the loaded library is Open MPI and resolves its handles. Safe before MPI_Init: only
     * MPI_Get_library_version is called, which MPI allows at any time.
     */
    static OpenMpi check(MpiLibrary.Loaded lib) {
        if (lib.find("MPI_Init_thread").isEmpty()) {
            throw new CommunicatorException(lib.path() + " is not an MPI library (it has no MPI_Init_thread)");
        }
        String version = lib.find("MPI_Get_library_version").isPresent() ? libraryVersion() : "";
        boolean ompiSymbols = lib.find("ompi_mpi_comm_world").isPresent();
        Flavor flavor = Flavor.of(version, ompiSymbols);
        if (flavor != Flavor.OPEN_MPI) {
            throw new CommunicatorException(unsupportedMessage(flavor, version, lib.path()));
        }
        return new OpenMpi(lib, version);
    }

    /** The MPI implementations descent tells apart. */
    enum Flavor {
        OPEN_MPI, MPICH, OTHER;

        /** Open MPI exports ompi_mpi_comm_world; the version string names MPICH-family libraries. */
        static Flavor of(String libraryVersion, boolean hasOmpiSymbols) {
            if (hasOmpiSymbols) {
                return OPEN_MPI;
            }
            String v = libraryVersion == null ? "" : libraryVersion;
            if (v.contains("MPICH") || v.contains("Intel(R) MPI") || v.contains("MVAPICH")) {
                return MPICH;
            }
            return OTHER;
        }
    }

    static String unsupportedMessage(Flavor flavor, String libraryVersion, String path) {
        String first = firstLine(libraryVersion);
        String what = switch (flavor) {
            case MPICH -> "MPICH (" + (first.isEmpty() ? "MPICH" : first) + ")";
            case OTHER -> first.isEmpty() ? "an MPI without Open MPI's symbols" : first;
            case OPEN_MPI -> "Open MPI";
        };
        return "descent supports Open MPI; loaded library is " + what + " from " + path
                + ". MPICH-family libraries use integer handles that descent's bindings do not speak: run with Open "
                + "MPI's mpirun and point -D" + MpiLibrary.PROPERTY + " (or " + MpiLibrary.ENV
                + ") at Open MPI's libmpi.so.40";
    }

    /** "Open MPI v4.1.4" from "Open MPI v4.1.4, package: Debian OpenMPI, ident: 4.1.4, repo rev: ...". */
    static String shortVersion(String libraryVersion) {
        String first = firstLine(libraryVersion);
        int comma = first.indexOf(',');
        return comma < 0 ? first : first.substring(0, comma).strip();
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        String t = s.strip();
        int nl = t.indexOf('\n');
        return (nl < 0 ? t : t.substring(0, nl)).strip();
    }

    private static String libraryVersion() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment text = arena.allocate(VERSION_BUFFER);
            MemorySegment len = arena.allocate(ValueLayout.JAVA_INT);
            int rc = mpi_h.MPI_Get_library_version(text, len);
            if (rc != 0) {
                return "";
            }
            int n = Math.clamp(len.get(ValueLayout.JAVA_INT, 0), 0, VERSION_BUFFER - 1);
            text.set(ValueLayout.JAVA_BYTE, n, (byte) 0);
            return text.getString(0);
        }
    }

    private static MemorySegment symbol(MpiLibrary.Loaded lib, String name) {
        Optional<MemorySegment> s = lib.find(name);
        return s.orElseThrow(() -> new CommunicatorException(
                lib.path() + " looks like Open MPI but lacks the symbol " + name));
    }
}
