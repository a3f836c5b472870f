// Written by hand in the layout jextract 22 generates from Open MPI 4.1's mpi.h, filtered by
// mpi/jextract/includes.txt (jextract is not installable on descent's build machines; mpi/jextract/generate.sh
// regenerates this file where it is). One difference from jextract's output, marked HAND-WRITTEN below:
// SYMBOL_LOOKUP comes from MpiLibrary (dlopen RTLD_GLOBAL, real loader errors) instead of
// SymbolLookup.libraryLookup. What jextract cannot produce (Open MPI's handle macros such as MPI_COMM_WORLD, which
// are addresses of exported globals of incomplete type) lives in the hand-written dev.descent.mpi.OpenMpi.

package dev.descent.mpi.gen;

// HAND-WRITTEN (the loader): jextract imports nothing of descent's.
import dev.descent.mpi.MpiLibrary;
import java.lang.foreign.AddressLayout;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Arrays;
import java.util.stream.Collectors;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

@SuppressWarnings({"unused", "checkstyle:all"})
public class mpi_h {

    mpi_h() {
        // Should not be called directly
    }

    static final boolean TRACE_DOWNCALLS = Boolean.getBoolean("jextract.trace.downcalls");

    static void traceDowncall(String name, Object... args) {
        String traceArgs = Arrays.stream(args)
                .map(Object::toString)
                .collect(Collectors.joining(", "));
        System.out.printf("%s(%s)\n", name, traceArgs);
    }

    static MemorySegment findOrThrow(String symbol) {
        return SYMBOL_LOOKUP.find(symbol)
                .orElseThrow(() -> new UnsatisfiedLinkError("unresolved symbol: " + symbol));
    }

    // HAND-WRITTEN: jextract emits its own lookup here (without --library: the loader and default lookups).
    static final SymbolLookup SYMBOL_LOOKUP = MpiLibrary.lookup();

    public static final ValueLayout.OfBoolean C_BOOL = ValueLayout.JAVA_BOOLEAN;
    public static final ValueLayout.OfByte C_CHAR = ValueLayout.JAVA_BYTE;
    public static final ValueLayout.OfShort C_SHORT = ValueLayout.JAVA_SHORT;
    public static final ValueLayout.OfInt C_INT = ValueLayout.JAVA_INT;
    public static final ValueLayout.OfLong C_LONG_LONG = ValueLayout.JAVA_LONG;
    public static final ValueLayout.OfFloat C_FLOAT = ValueLayout.JAVA_FLOAT;
    public static final ValueLayout.OfDouble C_DOUBLE = ValueLayout.JAVA_DOUBLE;
    public static final AddressLayout C_POINTER = ValueLayout.ADDRESS
            .withTargetLayout(MemoryLayout.sequenceLayout(java.lang.Long.MAX_VALUE, JAVA_BYTE));
    public static final ValueLayout.OfLong C_LONG = ValueLayout.JAVA_LONG;

    private static final int MPI_SUCCESS = (int)0L;

    /**
     * {@snippet lang=c :
     * #define MPI_SUCCESS 0
     * }
     */
    public static int MPI_SUCCESS() {
        return MPI_SUCCESS;
    }

    private static final int MPI_ERR_COUNT = (int)2L;

    /**
     * {@snippet lang=c :
     * #define MPI_ERR_COUNT 2
     * }
     */
    public static int MPI_ERR_COUNT() {
        return MPI_ERR_COUNT;
    }

    private static final int MPI_ERR_ROOT = (int)8L;

    /**
     * {@snippet lang=c :
     * #define MPI_ERR_ROOT 8
     * }
     */
    public static int MPI_ERR_ROOT() {
        return MPI_ERR_ROOT;
    }

    private static final int MPI_ERR_OTHER = (int)16L;

    /**
     * {@snippet lang=c :
     * #define MPI_ERR_OTHER 16
     * }
     */
    public static int MPI_ERR_OTHER() {
        return MPI_ERR_OTHER;
    }

    private static final int MPI_MAX_ERROR_STRING = (int)256L;

    /**
     * {@snippet lang=c :
     * #define MPI_MAX_ERROR_STRING OPAL_MAX_ERROR_STRING (256)
     * }
     */
    public static int MPI_MAX_ERROR_STRING() {
        return MPI_MAX_ERROR_STRING;
    }

    private static final int MPI_MAX_LIBRARY_VERSION_STRING = (int)256L;

    /**
     * {@snippet lang=c :
     * #define MPI_MAX_LIBRARY_VERSION_STRING 256
     * }
     */
    public static int MPI_MAX_LIBRARY_VERSION_STRING() {
        return MPI_MAX_LIBRARY_VERSION_STRING;
    }

    private static final int MPI_THREAD_SINGLE = (int)0L;

    /**
     * {@snippet lang=c :
     * enum { MPI_THREAD_SINGLE, ... }
     * }
     */
    public static int MPI_THREAD_SINGLE() {
        return MPI_THREAD_SINGLE;
    }

    private static final int MPI_THREAD_FUNNELED = (int)1L;

    /**
     * {@snippet lang=c :
     * enum { ..., MPI_THREAD_FUNNELED, ... }
     * }
     */
    public static int MPI_THREAD_FUNNELED() {
        return MPI_THREAD_FUNNELED;
    }

    private static final int MPI_THREAD_SERIALIZED = (int)2L;

    /**
     * {@snippet lang=c :
     * enum { ..., MPI_THREAD_SERIALIZED, ... }
     * }
     */
    public static int MPI_THREAD_SERIALIZED() {
        return MPI_THREAD_SERIALIZED;
    }

    private static final int MPI_THREAD_MULTIPLE = (int)3L;

    /**
     * {@snippet lang=c :
     * enum { ..., MPI_THREAD_MULTIPLE }
     * }
     */
    public static int MPI_THREAD_MULTIPLE() {
        return MPI_THREAD_MULTIPLE;
    }

    private static final MemorySegment MPI_IN_PLACE = MemorySegment.ofAddress(1L);

    /**
     * {@snippet lang=c :
     * #define MPI_IN_PLACE (void *) 1
     * }
     */
    public static MemorySegment MPI_IN_PLACE() {
        return MPI_IN_PLACE;
    }

    private static class MPI_Init_thread {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            mpi_h.C_INT, mpi_h.C_POINTER, mpi_h.C_POINTER, mpi_h.C_INT, mpi_h.C_POINTER
        );

        public static final MemorySegment ADDR = mpi_h.findOrThrow("MPI_Init_thread");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int MPI_Init_thread(int *argc, char ***argv, int required, int *provided)
     * }
     */
    public static FunctionDescriptor MPI_Init_thread$descriptor() {
        return MPI_Init_thread.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int MPI_Init_thread(int *argc, char ***argv, int required, int *provided)
     * }
     */
    public static MethodHandle MPI_Init_thread$handle() {
        return MPI_Init_thread.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int MPI_Init_thread(int *argc, char ***argv, int required, int *provided)
     * }
     */
    public static MemorySegment MPI_Init_thread$address() {
        return MPI_Init_thread.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int MPI_Init_thread(int *argc, char ***argv, int required, int *provided)
     * }
     */
    public static int MPI_Init_thread(MemorySegment argc, MemorySegment argv, int required, MemorySegment provided) {
        var mh$ = MPI_Init_thread.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("MPI_Init_thread", argc, argv, required, provided);
            }
            return (int)mh$.invokeExact(argc, argv, required, provided);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class MPI_Initialized {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            mpi_h.C_INT, mpi_h.C_POINTER
        );

        public static final MemorySegment ADDR = mpi_h.findOrThrow("MPI_Initialized");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int MPI_Initialized(int *flag)
     * }
     */
    public static FunctionDescriptor MPI_Initialized$descriptor() {
        return MPI_Initialized.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int MPI_Initialized(int *flag)
     * }
     */
    public static MethodHandle MPI_Initialized$handle() {
        return MPI_Initialized.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int MPI_Initialized(int *flag)
     * }
     */
    public static MemorySegment MPI_Initialized$address() {
        return MPI_Initialized.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int MPI_Initialized(int *flag)
     * }
     */
    public static int MPI_Initialized(MemorySegment flag) {
        var mh$ = MPI_Initialized.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("MPI_Initialized", flag);
            }
            return (int)mh$.invokeExact(flag);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class MPI_Finalized {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            mpi_h.C_INT, mpi_h.C_POINTER
        );

        public static final MemorySegment ADDR = mpi_h.findOrThrow("MPI_Finalized");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int MPI_Finalized(int *flag)
     * }
     */
    public static FunctionDescriptor MPI_Finalized$descriptor() {
        return MPI_Finalized.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int MPI_Finalized(int *flag)
     * }
     */
    public static MethodHandle MPI_Finalized$handle() {
        return MPI_Finalized.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int MPI_Finalized(int *flag)
     * }
     */
    public static MemorySegment MPI_Finalized$address() {
        return MPI_Finalized.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int MPI_Finalized(int *flag)
     * }
     */
    public static int MPI_Finalized(MemorySegment flag) {
        var mh$ = MPI_Finalized.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("MPI_Finalized", flag);
            }
            return (int)mh$.invokeExact(flag);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class MPI_Query_thread {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            mpi_h.C_INT, mpi_h.C_POINTER
        );

        public static final MemorySegment ADDR = mpi_h.findOrThrow("MPI_Query_thread");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int MPI_Query_thread(int *provided)
     * }
     */
    public static FunctionDescriptor MPI_Query_thread$descriptor() {
        return MPI_Query_thread.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int MPI_Query_thread(int *provided)
     * }
     */
    public static MethodHandle MPI_Query_thread$handle() {
        return MPI_Query_thread.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int MPI_Query_thread(int *provided)
     * }
     */
    public static MemorySegment MPI_Query_thread$address() {
        return MPI_Query_thread.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int MPI_Query_thread(int *provided)
     * }
     */
    public static int MPI_Query_thread(MemorySegment provided) {
        var mh$ = MPI_Query_thread.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("MPI_Query_thread", provided);
            }
            return (int)mh$.invokeExact(provided);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class MPI_Comm_rank {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            mpi_h.C_INT, mpi_h.C_POINTER, mpi_h.C_POINTER
        );

        public static final MemorySegment ADDR = mpi_h.findOrThrow("MPI_Comm_rank");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int MPI_Comm_rank(MPI_Comm comm, int *rank)
     * }
     */
    public static FunctionDescriptor MPI_Comm_rank$descriptor() {
        return MPI_Comm_rank.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int MPI_Comm_rank(MPI_Comm comm, int *rank)
     * }
     */
    public static MethodHandle MPI_Comm_rank$handle() {
        return MPI_Comm_rank.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int MPI_Comm_rank(MPI_Comm comm, int *rank)
     * }
     */
    public static MemorySegment MPI_Comm_rank$address() {
        return MPI_Comm_rank.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int MPI_Comm_rank(MPI_Comm comm, int *rank)
     * }
     */
    public static int MPI_Comm_rank(MemorySegment comm, MemorySegment rank) {
        var mh$ = MPI_Comm_rank.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("MPI_Comm_rank", comm, rank);
            }
            return (int)mh$.invokeExact(comm, rank);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class MPI_Comm_size {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            mpi_h.C_INT, mpi_h.C_POINTER, mpi_h.C_POINTER
        );

        public static final MemorySegment ADDR = mpi_h.findOrThrow("MPI_Comm_size");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int MPI_Comm_size(MPI_Comm comm, int *size)
     * }
     */
    public static FunctionDescriptor MPI_Comm_size$descriptor() {
        return MPI_Comm_size.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int MPI_Comm_size(MPI_Comm comm, int *size)
     * }
     */
    public static MethodHandle MPI_Comm_size$handle() {
        return MPI_Comm_size.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int MPI_Comm_size(MPI_Comm comm, int *size)
     * }
     */
    public static MemorySegment MPI_Comm_size$address() {
        return MPI_Comm_size.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int MPI_Comm_size(MPI_Comm comm, int *size)
     * }
     */
    public static int MPI_Comm_size(MemorySegment comm, MemorySegment size) {
        var mh$ = MPI_Comm_size.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("MPI_Comm_size", comm, size);
            }
            return (int)mh$.invokeExact(comm, size);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class MPI_Comm_set_errhandler {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            mpi_h.C_INT, mpi_h.C_POINTER, mpi_h.C_POINTER
        );

        public static final MemorySegment ADDR = mpi_h.findOrThrow("MPI_Comm_set_errhandler");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int MPI_Comm_set_errhandler(MPI_Comm comm, MPI_Errhandler errhandler)
     * }
     */
    public static FunctionDescriptor MPI_Comm_set_errhandler$descriptor() {
        return MPI_Comm_set_errhandler.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int MPI_Comm_set_errhandler(MPI_Comm comm, MPI_Errhandler errhandler)
     * }
     */
    public static MethodHandle MPI_Comm_set_errhandler$handle() {
        return MPI_Comm_set_errhandler.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int MPI_Comm_set_errhandler(MPI_Comm comm, MPI_Errhandler errhandler)
     * }
     */
    public static MemorySegment MPI_Comm_set_errhandler$address() {
        return MPI_Comm_set_errhandler.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int MPI_Comm_set_errhandler(MPI_Comm comm, MPI_Errhandler errhandler)
     * }
     */
    public static int MPI_Comm_set_errhandler(MemorySegment comm, MemorySegment errhandler) {
        var mh$ = MPI_Comm_set_errhandler.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("MPI_Comm_set_errhandler", comm, errhandler);
            }
            return (int)mh$.invokeExact(comm, errhandler);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class MPI_Bcast {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            mpi_h.C_INT, mpi_h.C_POINTER, mpi_h.C_INT, mpi_h.C_POINTER, mpi_h.C_INT, mpi_h.C_POINTER
        );

        public static final MemorySegment ADDR = mpi_h.findOrThrow("MPI_Bcast");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int MPI_Bcast(void *buffer, int count, MPI_Datatype datatype, int root, MPI_Comm comm)
     * }
     */
    public static FunctionDescriptor MPI_Bcast$descriptor() {
        return MPI_Bcast.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int MPI_Bcast(void *buffer, int count, MPI_Datatype datatype, int root, MPI_Comm comm)
     * }
     */
    public static MethodHandle MPI_Bcast$handle() {
        return MPI_Bcast.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int MPI_Bcast(void *buffer, int count, MPI_Datatype datatype, int root, MPI_Comm comm)
     * }
     */
    public static MemorySegment MPI_Bcast$address() {
        return MPI_Bcast.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int MPI_Bcast(void *buffer, int count, MPI_Datatype datatype, int root, MPI_Comm comm)
     * }
     */
    public static int MPI_Bcast(MemorySegment buffer, int count, MemorySegment datatype, int root, MemorySegment comm) {
        var mh$ = MPI_Bcast.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("MPI_Bcast", buffer, count, datatype, root, comm);
            }
            return (int)mh$.invokeExact(buffer, count, datatype, root, comm);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class MPI_Allreduce {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            mpi_h.C_INT, mpi_h.C_POINTER, mpi_h.C_POINTER, mpi_h.C_INT, mpi_h.C_POINTER, mpi_h.C_POINTER, mpi_h.C_POINTER
        );

        public static final MemorySegment ADDR = mpi_h.findOrThrow("MPI_Allreduce");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int MPI_Allreduce(const void *sendbuf, void *recvbuf, int count, MPI_Datatype datatype, MPI_Op op, MPI_Comm comm)
     * }
     */
    public static FunctionDescriptor MPI_Allreduce$descriptor() {
        return MPI_Allreduce.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int MPI_Allreduce(const void *sendbuf, void *recvbuf, int count, MPI_Datatype datatype, MPI_Op op, MPI_Comm comm)
     * }
     */
    public static MethodHandle MPI_Allreduce$handle() {
        return MPI_Allreduce.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int MPI_Allreduce(const void *sendbuf, void *recvbuf, int count, MPI_Datatype datatype, MPI_Op op, MPI_Comm comm)
     * }
     */
    public static MemorySegment MPI_Allreduce$address() {
        return MPI_Allreduce.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int MPI_Allreduce(const void *sendbuf, void *recvbuf, int count, MPI_Datatype datatype, MPI_Op op, MPI_Comm comm)
     * }
     */
    public static int MPI_Allreduce(MemorySegment sendbuf, MemorySegment recvbuf, int count, MemorySegment datatype, MemorySegment op, MemorySegment comm) {
        var mh$ = MPI_Allreduce.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("MPI_Allreduce", sendbuf, recvbuf, count, datatype, op, comm);
            }
            return (int)mh$.invokeExact(sendbuf, recvbuf, count, datatype, op, comm);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class MPI_Barrier {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            mpi_h.C_INT, mpi_h.C_POINTER
        );

        public static final MemorySegment ADDR = mpi_h.findOrThrow("MPI_Barrier");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int MPI_Barrier(MPI_Comm comm)
     * }
     */
    public static FunctionDescriptor MPI_Barrier$descriptor() {
        return MPI_Barrier.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int MPI_Barrier(MPI_Comm comm)
     * }
     */
    public static MethodHandle MPI_Barrier$handle() {
        return MPI_Barrier.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int MPI_Barrier(MPI_Comm comm)
     * }
     */
    public static MemorySegment MPI_Barrier$address() {
        return MPI_Barrier.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int MPI_Barrier(MPI_Comm comm)
     * }
     */
    public static int MPI_Barrier(MemorySegment comm) {
        var mh$ = MPI_Barrier.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("MPI_Barrier", comm);
            }
            return (int)mh$.invokeExact(comm);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class MPI_Abort {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            mpi_h.C_INT, mpi_h.C_POINTER, mpi_h.C_INT
        );

        public static final MemorySegment ADDR = mpi_h.findOrThrow("MPI_Abort");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int MPI_Abort(MPI_Comm comm, int errorcode)
     * }
     */
    public static FunctionDescriptor MPI_Abort$descriptor() {
        return MPI_Abort.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int MPI_Abort(MPI_Comm comm, int errorcode)
     * }
     */
    public static MethodHandle MPI_Abort$handle() {
        return MPI_Abort.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int MPI_Abort(MPI_Comm comm, int errorcode)
     * }
     */
    public static MemorySegment MPI_Abort$address() {
        return MPI_Abort.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int MPI_Abort(MPI_Comm comm, int errorcode)
     * }
     */
    public static int MPI_Abort(MemorySegment comm, int errorcode) {
        var mh$ = MPI_Abort.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("MPI_Abort", comm, errorcode);
            }
            return (int)mh$.invokeExact(comm, errorcode);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class MPI_Finalize {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            mpi_h.C_INT
        );

        public static final MemorySegment ADDR = mpi_h.findOrThrow("MPI_Finalize");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int MPI_Finalize(void)
     * }
     */
    public static FunctionDescriptor MPI_Finalize$descriptor() {
        return MPI_Finalize.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int MPI_Finalize(void)
     * }
     */
    public static MethodHandle MPI_Finalize$handle() {
        return MPI_Finalize.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int MPI_Finalize(void)
     * }
     */
    public static MemorySegment MPI_Finalize$address() {
        return MPI_Finalize.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int MPI_Finalize(void)
     * }
     */
    public static int MPI_Finalize() {
        var mh$ = MPI_Finalize.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("MPI_Finalize");
            }
            return (int)mh$.invokeExact();
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class MPI_Get_library_version {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            mpi_h.C_INT, mpi_h.C_POINTER, mpi_h.C_POINTER
        );

        public static final MemorySegment ADDR = mpi_h.findOrThrow("MPI_Get_library_version");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int MPI_Get_library_version(char *version, int *resultlen)
     * }
     */
    public static FunctionDescriptor MPI_Get_library_version$descriptor() {
        return MPI_Get_library_version.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int MPI_Get_library_version(char *version, int *resultlen)
     * }
     */
    public static MethodHandle MPI_Get_library_version$handle() {
        return MPI_Get_library_version.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int MPI_Get_library_version(char *version, int *resultlen)
     * }
     */
    public static MemorySegment MPI_Get_library_version$address() {
        return MPI_Get_library_version.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int MPI_Get_library_version(char *version, int *resultlen)
     * }
     */
    public static int MPI_Get_library_version(MemorySegment version, MemorySegment resultlen) {
        var mh$ = MPI_Get_library_version.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("MPI_Get_library_version", version, resultlen);
            }
            return (int)mh$.invokeExact(version, resultlen);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class MPI_Error_string {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            mpi_h.C_INT, mpi_h.C_INT, mpi_h.C_POINTER, mpi_h.C_POINTER
        );

        public static final MemorySegment ADDR = mpi_h.findOrThrow("MPI_Error_string");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int MPI_Error_string(int errorcode, char *string, int *resultlen)
     * }
     */
    public static FunctionDescriptor MPI_Error_string$descriptor() {
        return MPI_Error_string.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int MPI_Error_string(int errorcode, char *string, int *resultlen)
     * }
     */
    public static MethodHandle MPI_Error_string$handle() {
        return MPI_Error_string.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int MPI_Error_string(int errorcode, char *string, int *resultlen)
     * }
     */
    public static MemorySegment MPI_Error_string$address() {
        return MPI_Error_string.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int MPI_Error_string(int errorcode, char *string, int *resultlen)
     * }
     */
    public static int MPI_Error_string(int errorcode, MemorySegment string, MemorySegment resultlen) {
        var mh$ = MPI_Error_string.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("MPI_Error_string", errorcode, string, resultlen);
            }
            return (int)mh$.invokeExact(errorcode, string, resultlen);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }

    private static class MPI_Error_class {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(
            mpi_h.C_INT, mpi_h.C_INT, mpi_h.C_POINTER
        );

        public static final MemorySegment ADDR = mpi_h.findOrThrow("MPI_Error_class");

        public static final MethodHandle HANDLE = Linker.nativeLinker().downcallHandle(ADDR, DESC);
    }

    /**
     * Function descriptor for:
     * {@snippet lang=c :
     * int MPI_Error_class(int errorcode, int *errorclass)
     * }
     */
    public static FunctionDescriptor MPI_Error_class$descriptor() {
        return MPI_Error_class.DESC;
    }

    /**
     * Downcall method handle for:
     * {@snippet lang=c :
     * int MPI_Error_class(int errorcode, int *errorclass)
     * }
     */
    public static MethodHandle MPI_Error_class$handle() {
        return MPI_Error_class.HANDLE;
    }

    /**
     * Address for:
     * {@snippet lang=c :
     * int MPI_Error_class(int errorcode, int *errorclass)
     * }
     */
    public static MemorySegment MPI_Error_class$address() {
        return MPI_Error_class.ADDR;
    }

    /**
     * {@snippet lang=c :
     * int MPI_Error_class(int errorcode, int *errorclass)
     * }
     */
    public static int MPI_Error_class(int errorcode, MemorySegment errorclass) {
        var mh$ = MPI_Error_class.HANDLE;
        try {
            if (TRACE_DOWNCALLS) {
                traceDowncall("MPI_Error_class", errorcode, errorclass);
            }
            return (int)mh$.invokeExact(errorcode, errorclass);
        } catch (Error | RuntimeException ex) {
           throw ex;
        } catch (Throwable ex$) {
           throw new AssertionError("should not reach here", ex$);
        }
    }
}
