package dev.descent.mpi;

import dev.descent.dist.CommunicatorException;

import java.io.File;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Finds and loads Open MPI's {@code libmpi} (hand-written, not generated).
 *
 * <p>Where: the override (system property {@value #PROPERTY}, else environment variable {@value #ENV}) and nothing
 * else when it is set; otherwise {@code libmpi.so.40}, then {@code libmpi.so}, in the directories of
 * {@code LD_LIBRARY_PATH} and the usual install directories, then by bare name through the dynamic loader's own search
 * (ld.so.cache).
 *
 * <p>How: through libc's {@code dlopen(path, RTLD_NOW | RTLD_GLOBAL)}, called with FFM, not through
 * {@link SymbolLookup#libraryLookup}. Two reasons: (1) {@code libraryLookup} opens with {@code RTLD_LOCAL}, and Open
 * MPI loads its MCA components (shared objects under {@code lib/openmpi/}) later with {@code dlopen}; components that
 * are not linked against libmpi themselves rely on libmpi's symbols being global, so libmpi must be opened
 * {@code RTLD_GLOBAL} (Open MPI's own Java bindings do the same); (2) {@code libraryLookup} replaces the loader's
 * error by "Cannot open library", while {@code dlerror()} says why (missing file, wrong ELF class, missing dependency),
 * and that text goes into the exception. Symbols are then resolved with {@code dlsym} on the handle.
 *
 * <p>The library is loaded once, on first use of {@link #lookup()}; nothing here runs unless a launcher started the
 * process (see {@link MpiCommunicatorProvider#launchedHere()}).
 */
public final class MpiLibrary {
    /** System property naming the library to load (a path, or a name for the dynamic loader's search). */
    public static final String PROPERTY = "descent.mpi.lib";
    /** Environment variable naming the library to load, used when the system property is not set. */
    public static final String ENV = "DESCENT_MPI_LIB";

    static final List<String> NAMES = List.of("libmpi.so.40", "libmpi.so");
    static final List<String> USUAL_DIRS = List.of(
            "/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib64/openmpi/lib", "/usr/lib/openmpi/lib",
            "/opt/openmpi/lib", "/usr/local/openmpi/lib", "/usr/local/lib", "/usr/lib64", "/usr/lib");

    private static final int RTLD_NOW = 0x2;
    private static final int RTLD_GLOBAL = 0x100;

    private static volatile Loaded loaded;

    private MpiLibrary() {
    }

    /** A loaded library: where it came from and how to find its symbols. */
    record Loaded(String path, MemorySegment handle, SymbolLookup lookup) {
        Optional<MemorySegment> find(String symbol) {
            return lookup.find(symbol);
        }
    }

    /** The symbols of the loaded libmpi; loads it on first call. */
    public static SymbolLookup lookup() {
        return get().lookup();
    }

    /** The path (or name) libmpi was loaded from; loads it on first call. */
    public static String path() {
        return get().path();
    }

    /** True once libmpi has been loaded into this process (never, in a run without a launcher). */
    public static boolean isLoaded() {
        return loaded != null;
    }

    static Loaded get() {
        Loaded l = loaded;
        if (l == null) {
            synchronized (MpiLibrary.class) {
                l = loaded;
                if (l == null) {
                    l = load(System.getProperty(PROPERTY), System.getenv(ENV), System.getenv("LD_LIBRARY_PATH"));
                    loaded = l;
                }
            }
        }
        return l;
    }

    /**
     * Loads libmpi from the override if one is given (property first, then environment), else from the usual places.
     * Does not cache: {@link #get()} does.
     *
     * @throws CommunicatorException naming every place tried and the dynamic loader's error for each
     */
    static Loaded load(String property, String env, String ldLibraryPath) {
        Dl dl = Dl.INSTANCE;
        if (property != null && !property.isBlank()) {
            return loadOverride(dl, property.strip(), "system property " + PROPERTY);
        }
        if (env != null && !env.isBlank()) {
            return loadOverride(dl, env.strip(), "environment variable " + ENV);
        }
        List<String> errors = new ArrayList<>();
        for (String candidate : candidates(ldLibraryPath)) {
            MemorySegment handle = dl.open(candidate);
            if (handle.address() != 0) {
                return new Loaded(candidate, handle, dl.lookup(handle));
            }
            errors.add(dl.lastError());
        }
        throw new CommunicatorException("cannot load Open MPI's libmpi: " + String.join("; ", errors)
                + ". Install Open MPI (Debian/Ubuntu: apt install openmpi-bin libopenmpi-dev) or point -D" + PROPERTY
                + " (or " + ENV + ") at its libmpi.so.40");
    }

    private static Loaded loadOverride(Dl dl, String path, String source) {
        MemorySegment handle = dl.open(path);
        if (handle.address() == 0) {
            throw new CommunicatorException("cannot load libmpi from " + path + " (set by " + source + "): "
                    + dl.lastError());
        }
        return new Loaded(path, handle, dl.lookup(handle));
    }

    /** Existing files named like libmpi in the search directories, then the bare names for the loader's search. */
    static List<String> candidates(String ldLibraryPath) {
        Set<String> dirs = new LinkedHashSet<>();
        if (ldLibraryPath != null) {
            for (String d : ldLibraryPath.split(File.pathSeparator)) {
                if (!d.isBlank()) {
                    dirs.add(d);
                }
            }
        }
        dirs.addAll(USUAL_DIRS);
        List<String> out = new ArrayList<>();
        for (String name : NAMES) {
            for (String dir : dirs) {
                Path p = Path.of(dir, name);
                if (Files.exists(p)) {
                    out.add(p.toString());
                }
            }
        }
        out.addAll(NAMES);
        return out;
    }

    /** libc's dlopen/dlerror/dlsym through FFM. */
    static final class Dl {
        static final Dl INSTANCE = new Dl();

        private final MethodHandle dlopen;
        private final MethodHandle dlerror;
        private final MethodHandle dlsym;

        private Dl() {
            Linker linker = Linker.nativeLinker();
            SymbolLookup libc = linker.defaultLookup();
            SymbolLookup libdl = name -> Optional.empty();
            if (libc.find("dlopen").isEmpty()) {
                // glibc before 2.34 keeps dlopen in libdl.
                libdl = SymbolLookup.libraryLookup("libdl.so.2", Arena.global());
            }
            SymbolLookup both = libc.or(libdl);
            dlopen = linker.downcallHandle(both.find("dlopen").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
            dlerror = linker.downcallHandle(both.find("dlerror").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.ADDRESS));
            dlsym = linker.downcallHandle(both.find("dlsym").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.ADDRESS));
        }

        /** dlopen(path, RTLD_NOW | RTLD_GLOBAL); NULL on failure, then {@link #lastError()} says why. */
        MemorySegment open(String path) {
            try (Arena arena = Arena.ofConfined()) {
                return (MemorySegment) dlopen.invokeExact(arena.allocateFrom(path), RTLD_NOW | RTLD_GLOBAL);
            } catch (Throwable t) {
                throw rethrow(t);
            }
        }

        /** dlerror(): the loader's message for the last failure on this thread. */
        String lastError() {
            try {
                MemorySegment msg = (MemorySegment) dlerror.invokeExact();
                return msg.address() == 0 ? "unknown dlopen error" : msg.reinterpret(4096).getString(0);
            } catch (Throwable t) {
                throw rethrow(t);
            }
        }

        SymbolLookup lookup(MemorySegment handle) {
            return name -> {
                try (Arena arena = Arena.ofConfined()) {
                    MemorySegment addr = (MemorySegment) dlsym.invokeExact(handle, arena.allocateFrom(name));
                    return addr.address() == 0 ? Optional.empty() : Optional.of(addr);
                } catch (Throwable t) {
                    throw rethrow(t);
                }
            };
        }

        private static RuntimeException rethrow(Throwable t) {
            if (t instanceof RuntimeException r) {
                return r;
            }
            if (t instanceof Error e) {
                throw e;
            }
            return new IllegalStateException(t);
        }
    }
}
