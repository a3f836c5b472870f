package dev.descent.mpi;

import dev.descent.dist.Communicator;
import dev.descent.dist.CommunicatorException;
import dev.descent.mpi.gen.mpi_h;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Objects;

import static dev.descent.mpi.gen.mpi_h.MPI_IN_PLACE;
import static dev.descent.mpi.gen.mpi_h.MPI_SUCCESS;
import static dev.descent.mpi.gen.mpi_h.MPI_THREAD_FUNNELED;
import static dev.descent.mpi.gen.mpi_h.MPI_THREAD_SERIALIZED;

/**
 * {@link Communicator} on Open MPI's {@code MPI_COMM_WORLD}, through the FFM bindings in {@link mpi_h}.
 *
 * <p>Initialisation asks for {@code MPI_THREAD_SERIALIZED}: any thread may call, one at a time, and every method here
 * is {@code synchronized}, which guarantees it. An MPI that only grants {@code MPI_THREAD_FUNNELED} is accepted, and
 * then calls from any thread but the one that created the communicator are refused; {@code MPI_THREAD_SINGLE} is
 * refused (a JVM is never single-threaded). Errors come back as return codes ({@code MPI_ERRORS_RETURN} is set on
 * {@code MPI_COMM_WORLD}) and are thrown as {@link CommunicatorException} with the call, rank and MPI's error string.
 *
 * <p>Data moves through one off-heap buffer owned by the communicator, allocated on first use and grown (never shrunk)
 * when a call needs more: a collective copies the heap range in, runs in place ({@code MPI_IN_PLACE}) and copies the
 * result back, and allocates nothing in steady state. Heap arrays are deliberately not passed to MPI directly:
 * that needs {@code Linker.Option.critical(true)}, which keeps the calling thread from reaching a safepoint for the
 * whole call, and a collective blocks until the slowest rank arrives, stalling this JVM's GC for as long. The copy
 * costs a memcpy per direction (see {@link AllreduceProbe} for its measured share).
 */
public final class MpiCommunicator implements Communicator {
    private static final long ALIGN = 64;

    private final OpenMpi mpi;
    private final int rank;
    private final int size;
    private final int threadLevel;
    private final boolean ownsInit;
    private final Thread owner;
    private final String description;

    private Arena bufferArena;
    private MemorySegment buffer = MemorySegment.NULL;
    private final Arena scratchArena = Arena.ofShared();
    private final MemorySegment errorText;
    private boolean closed;

    private MpiCommunicator(OpenMpi mpi, int rank, int size, int threadLevel, boolean ownsInit) {
        this.mpi = mpi;
        this.rank = rank;
        this.size = size;
        this.threadLevel = threadLevel;
        this.ownsInit = ownsInit;
        this.owner = Thread.currentThread();
        this.description = OpenMpi.shortVersion(mpi.libraryVersion) + ", rank " + rank + " of " + size;
        this.errorText = scratchArena.allocate(mpi_h.MPI_MAX_ERROR_STRING() + 1L);
    }

    /**
     * Loads libmpi, checks that it is Open MPI, initialises MPI (unless something in this process already did) and
     * switches {@code MPI_COMM_WORLD} to {@code MPI_ERRORS_RETURN}.
     *
     * @throws CommunicatorException when libmpi cannot be loaded, is not Open MPI, or MPI cannot be initialised
     */
    public static MpiCommunicator create() {
        OpenMpi mpi = OpenMpi.check(MpiLibrary.get());
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment flag = arena.allocate(ValueLayout.JAVA_INT);
            checkInit(mpi_h.MPI_Finalized(flag), "MPI_Finalized");
            if (flag.get(ValueLayout.JAVA_INT, 0) != 0) {
                throw new CommunicatorException("MPI was already finalized in this process; it cannot start again");
            }
            checkInit(mpi_h.MPI_Initialized(flag), "MPI_Initialized");
            boolean ownsInit = flag.get(ValueLayout.JAVA_INT, 0) == 0;
            MemorySegment provided = arena.allocate(ValueLayout.JAVA_INT);
            if (ownsInit) {
                // MPI_ERRORS_ARE_FATAL applies to MPI_Init itself: a failure prints Open MPI's reason and exits.
                MemorySegment noArgs = MemorySegment.NULL;
                int rc = mpi_h.MPI_Init_thread(noArgs, noArgs, MPI_THREAD_SERIALIZED(), provided);
                checkInit(rc, "MPI_Init_thread");
            } else {
                checkInit(mpi_h.MPI_Query_thread(provided), "MPI_Query_thread");
            }
            int level = provided.get(ValueLayout.JAVA_INT, 0);
            if (level < MPI_THREAD_FUNNELED()) {
                throw new CommunicatorException("MPI provides thread level " + threadLevelName(level)
                        + "; descent needs MPI_THREAD_FUNNELED or better (the JVM runs several threads)");
            }
            checkInit(mpi_h.MPI_Comm_set_errhandler(mpi.commWorld, mpi.errorsReturn), "MPI_Comm_set_errhandler");
            MemorySegment out = arena.allocate(ValueLayout.JAVA_INT);
            checkInit(mpi_h.MPI_Comm_rank(mpi.commWorld, out), "MPI_Comm_rank");
            int rank = out.get(ValueLayout.JAVA_INT, 0);
            checkInit(mpi_h.MPI_Comm_size(mpi.commWorld, out), "MPI_Comm_size");
            int size = out.get(ValueLayout.JAVA_INT, 0);
            return new MpiCommunicator(mpi, rank, size, level, ownsInit);
        }
    }

    @Override
    public int rank() {
        return rank;
    }

    @Override
    public int size() {
        return size;
    }

    /** The thread level MPI granted: {@code MPI_THREAD_FUNNELED} (1) or better. */
    public int threadLevel() {
        return threadLevel;
    }

    /** Open MPI's handles (for {@link AllreduceProbe}). */
    OpenMpi handles() {
        return mpi;
    }

    /** The full MPI_Get_library_version text. */
    public String libraryVersion() {
        return mpi.libraryVersion;
    }

    @Override
    public synchronized void broadcast(float[] buf, int offset, int length, int root) {
        Objects.checkFromIndexSize(offset, length, buf.length);
        if (root < 0 || root >= size) {
            throw new IllegalArgumentException("root " + root + " out of range for " + size + " processes");
        }
        ready();
        MemorySegment b = buffer(4L * length);
        if (rank == root) {
            MemorySegment.copy(buf, offset, b, ValueLayout.JAVA_FLOAT, 0, length);
        }
        check(mpi_h.MPI_Bcast(b, length, mpi.floatType, root, mpi.commWorld), "MPI_Bcast");
        if (rank != root) {
            MemorySegment.copy(b, ValueLayout.JAVA_FLOAT, 0, buf, offset, length);
        }
    }

    /**
     * Copies {@code root}'s bytes to every rank ({@code MPI_BYTE}): for opaque blobs such as an NCCL unique id, which
     * must travel bit for bit.
     */
    public synchronized void broadcast(byte[] buf, int offset, int length, int root) {
        Objects.checkFromIndexSize(offset, length, buf.length);
        if (root < 0 || root >= size) {
            throw new IllegalArgumentException("root " + root + " out of range for " + size + " processes");
        }
        ready();
        MemorySegment b = buffer(length);
        if (rank == root) {
            MemorySegment.copy(buf, offset, b, ValueLayout.JAVA_BYTE, 0, length);
        }
        check(mpi_h.MPI_Bcast(b, length, mpi.byteType, root, mpi.commWorld), "MPI_Bcast(MPI_BYTE)");
        if (rank != root) {
            MemorySegment.copy(b, ValueLayout.JAVA_BYTE, 0, buf, offset, length);
        }
    }

    @Override
    public synchronized void allreduceSum(float[] buf, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, buf.length);
        ready();
        MemorySegment b = buffer(4L * length);
        MemorySegment.copy(buf, offset, b, ValueLayout.JAVA_FLOAT, 0, length);
        check(mpi_h.MPI_Allreduce(MPI_IN_PLACE(), b, length, mpi.floatType, mpi.opSum, mpi.commWorld),
                "MPI_Allreduce(MPI_FLOAT, MPI_SUM)");
        MemorySegment.copy(b, ValueLayout.JAVA_FLOAT, 0, buf, offset, length);
    }

    @Override
    public synchronized void allreduceSum(double[] buf, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, buf.length);
        ready();
        MemorySegment b = buffer(8L * length);
        MemorySegment.copy(buf, offset, b, ValueLayout.JAVA_DOUBLE, 0, length);
        check(mpi_h.MPI_Allreduce(MPI_IN_PLACE(), b, length, mpi.doubleType, mpi.opSum, mpi.commWorld),
                "MPI_Allreduce(MPI_DOUBLE, MPI_SUM)");
        MemorySegment.copy(b, ValueLayout.JAVA_DOUBLE, 0, buf, offset, length);
    }

    /**
     * In-place float sum over all ranks of {@code count} floats of an off-heap segment, without a copy (for callers
     * that already keep their data off-heap).
     */
    public synchronized void allreduceSum(MemorySegment floats, int count) {
        if (count < 0 || 4L * count > floats.byteSize() || !floats.isNative()) {
            throw new IllegalArgumentException("need a native segment of at least " + count + " floats, got " + floats);
        }
        ready();
        check(mpi_h.MPI_Allreduce(MPI_IN_PLACE(), floats, count, mpi.floatType, mpi.opSum, mpi.commWorld),
                "MPI_Allreduce(MPI_FLOAT, MPI_SUM)");
    }

    @Override
    public synchronized void barrier() {
        ready();
        check(mpi_h.MPI_Barrier(mpi.commWorld), "MPI_Barrier");
    }

    /**
     * Calls {@code MPI_Abort(MPI_COMM_WORLD, code)}: Open MPI's launcher kills every rank and exits with {@code code}.
     * Works from any thread and after {@link #close()} too (then the process just halts).
     */
    @Override
    public void abort(int code) {
        System.out.flush();
        System.err.flush();
        if (!finalized()) {
            mpi_h.MPI_Abort(mpi.commWorld, code);
        }
        Runtime.getRuntime().halt(code);
    }

    @Override
    public String description() {
        return description;
    }

    /** Calls MPI_Finalize once (if this communicator initialised MPI) and frees the buffers. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        int rc = MPI_SUCCESS();
        if (ownsInit && !finalized()) {
            rc = mpi_h.MPI_Finalize();
        }
        if (bufferArena != null) {
            bufferArena.close();
            bufferArena = null;
            buffer = MemorySegment.NULL;
        }
        String failure = rc == MPI_SUCCESS() ? null : errorString(rc);
        scratchArena.close();
        if (failure != null) {
            throw new CommunicatorException("MPI_Finalize failed on rank " + rank + " of " + size + ": " + failure);
        }
    }

    @Override
    public String toString() {
        return "MpiCommunicator[" + description + "]";
    }

    /** Throws unless the communicator is open and (under MPI_THREAD_FUNNELED) this is the thread that created it. */
    private void ready() {
        if (closed) {
            throw new IllegalStateException("communicator is closed (" + description + ")");
        }
        if (threadLevel < MPI_THREAD_SERIALIZED() && Thread.currentThread() != owner) {
            throw new IllegalStateException("MPI granted only MPI_THREAD_FUNNELED: collectives must run on thread "
                    + owner.getName() + ", not " + Thread.currentThread().getName());
        }
    }

    /** The off-heap buffer, at least {@code bytes} long; grows by at least half when it must grow. */
    private MemorySegment buffer(long bytes) {
        if (buffer.byteSize() < bytes) {
            long capacity = Math.max(Math.max(bytes, ALIGN), buffer.byteSize() + buffer.byteSize() / 2);
            Arena grown = Arena.ofShared();
            MemorySegment b = grown.allocate(capacity, ALIGN);
            if (bufferArena != null) {
                bufferArena.close();
            }
            bufferArena = grown;
            buffer = b;
        }
        return buffer;
    }

    private boolean finalized() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment flag = arena.allocate(ValueLayout.JAVA_INT);
            return mpi_h.MPI_Finalized(flag) == MPI_SUCCESS() && flag.get(ValueLayout.JAVA_INT, 0) != 0;
        }
    }

    private void check(int rc, String call) {
        if (rc != MPI_SUCCESS()) {
            throw new CommunicatorException(call + " failed on rank " + rank + " of " + size + ": " + errorString(rc));
        }
    }

    /** For calls before a communicator exists. */
    private static void checkInit(int rc, String call) {
        if (rc != MPI_SUCCESS()) {
            try (Arena arena = Arena.ofConfined()) {
                throw new CommunicatorException(call + " failed: " + errorString(rc, arena.allocate(
                        mpi_h.MPI_MAX_ERROR_STRING() + 1L)));
            }
        }
    }

    private String errorString(int rc) {
        return errorString(rc, errorText);
    }

    private static String errorString(int rc, MemorySegment text) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment len = arena.allocate(ValueLayout.JAVA_INT);
            if (mpi_h.MPI_Error_string(rc, text, len) != MPI_SUCCESS()) {
                return "MPI error " + rc;
            }
            int n = Math.clamp(len.get(ValueLayout.JAVA_INT, 0), 0, (int) text.byteSize() - 1);
            text.set(ValueLayout.JAVA_BYTE, n, (byte) 0);
            return text.getString(0) + " (MPI error " + rc + ")";
        }
    }

    static String threadLevelName(int level) {
        return switch (level) {
            case 0 -> "MPI_THREAD_SINGLE";
            case 1 -> "MPI_THREAD_FUNNELED";
            case 2 -> "MPI_THREAD_SERIALIZED";
            case 3 -> "MPI_THREAD_MULTIPLE";
            default -> "unknown (" + level + ")";
        };
    }

    /** Package-private for tests: MPI_Bcast with no argument checks on the Java side, to see MPI's own error path. */
    synchronized void broadcastUnchecked(float[] buf, int length, int root) {
        ready();
        MemorySegment b = buffer(4L * Math.max(length, 0));
        check(mpi_h.MPI_Bcast(b, length, mpi.floatType, root, mpi.commWorld), "MPI_Bcast");
        MemorySegment.copy(b, ValueLayout.JAVA_FLOAT, 0, buf, 0, Math.max(length, 0));
    }
}
