// HAND-WRITTEN, not generated: the loader behind the header classes' SYMBOL_LOOKUP. jextract's own generated code
// loads a library with SymbolLookup.libraryLookup(name, arena), which hides the dynamic loader's error and knows no
// CUDA install locations; jextract/generate.sh rewrites the generated SYMBOL_LOOKUP lines to call this class instead.
package dev.descent.cuda.bindings;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Finds and loads the CUDA runtime ({@code libcudart}), cuBLAS ({@code libcublas}) and the driver ({@code libcuda}).
 *
 * <p>Search order, per library:
 * <ol>
 *   <li>an exact file: system property {@code descent.cudart.path}, {@code descent.cublas.path} or
 *       {@code descent.cuda.driver.path} — only that file is tried;</li>
 *   <li>override folders: system property {@code descent.cuda.libdir}, else environment variable
 *       {@code DESCENT_CUDA_LIBDIR} (a {@code :}-separated list) — only these folders are tried for the runtime and
 *       cuBLAS; the driver is then also looked up by the system loader, since it lives with the display driver;</li>
 *   <li>otherwise the usual places: {@code $CUDA_HOME/lib64}, {@code $CUDA_PATH/lib64}, {@code /usr/local/cuda/lib64},
 *       {@code /usr/local/cuda-13*}/{@code lib64}, {@code /usr/local/cuda-12*}/{@code lib64}, the folders of
 *       {@code LD_LIBRARY_PATH}, {@code /usr/lib/x86_64-linux-gnu}, {@code /usr/lib64}, {@code /usr/lib/wsl/lib},
 *       the {@code nvidia/<package>/lib} folders of Python site-packages (PyTorch's pip wheels), and finally the system
 *       loader's own search by soname.</li>
 * </ol>
 * Sonames are tried newest first ({@code libcudart.so.13}, {@code .so.12}, {@code .so}); cuBLAS prefers the major
 * version of the runtime that was loaded. Every candidate that fails is recorded with the dynamic loader's own error
 * text ({@code dlerror}), so a failure says exactly what was tried and why each attempt failed.
 *
 * <p>Libraries found through the system properties and environment are loaded once per JVM into the global arena
 * ({@link #cudart()}, {@link #cublas()}, {@link #driver()}); {@link #load} searches an explicit path without caching.
 */
@SuppressWarnings("restricted") // FFM: loading libraries, downcalls, sizing native pointers
public final class CudaLibraries {
    /** System property: override folder(s) for the CUDA libraries. */
    public static final String LIBDIR_PROPERTY = "descent.cuda.libdir";
    /** Environment variable: override folder(s) for the CUDA libraries. */
    public static final String LIBDIR_ENV = "DESCENT_CUDA_LIBDIR";
    /** System property: the exact libcudart file. */
    public static final String CUDART_PATH_PROPERTY = "descent.cudart.path";
    /** System property: the exact libcublas file. */
    public static final String CUBLAS_PATH_PROPERTY = "descent.cublas.path";
    /** System property: the exact libcuda (driver) file. */
    public static final String DRIVER_PATH_PROPERTY = "descent.cuda.driver.path";

    private CudaLibraries() {
    }

    /** The three libraries descent binds. */
    public enum Library {
        CUDART("CUDA runtime", "libcudart", List.of("13", "12"), "cudaGetDeviceCount", CUDART_PATH_PROPERTY, null),
        CUBLAS("cuBLAS", "libcublas", List.of("13", "12"), "cublasCreate_v2", CUBLAS_PATH_PROPERTY, "libcublasLt"),
        DRIVER("CUDA driver", "libcuda", List.of("1"), "cuInit", DRIVER_PATH_PROPERTY, null);

        private final String title;
        private final String base;
        private final List<String> versions;
        private final String probeSymbol;
        private final String pathProperty;
        private final String companion;

        Library(String title, String base, List<String> versions, String probeSymbol, String pathProperty,
                String companion) {
            this.title = title;
            this.base = base;
            this.versions = versions;
            this.probeSymbol = probeSymbol;
            this.pathProperty = pathProperty;
            this.companion = companion;
        }

        /** Human-readable name ("CUDA runtime"). */
        public String title() {
            return title;
        }

        /** A symbol every usable build of the library exports. */
        public String probeSymbol() {
            return probeSymbol;
        }

        /** The system property naming an exact file for this library. */
        public String pathProperty() {
            return pathProperty;
        }

        /** Sonames to try, newest first; {@code preferredMajor} (may be null) goes first when it is one of them. */
        public List<String> sonames(String preferredMajor) {
            List<String> out = new ArrayList<>();
            if (preferredMajor != null && versions.contains(preferredMajor)) {
                out.add(base + ".so." + preferredMajor);
            }
            for (String v : versions) {
                String name = base + ".so." + v;
                if (!out.contains(name)) {
                    out.add(name);
                }
            }
            out.add(base + ".so");
            return out;
        }
    }

    /**
     * A loaded library.
     *
     * @param library  which one
     * @param location the file loaded, or the soname when the system loader found it
     * @param lookup   its symbols
     */
    public record Loaded(Library library, String location, SymbolLookup lookup) {
        /** The major version in the loaded soname ("13" for libcudart.so.13), or null. */
        public String soVersion() {
            String file = Path.of(location).getFileName().toString();
            int at = file.indexOf(".so.");
            if (at < 0) {
                return null;
            }
            String rest = file.substring(at + 4);
            int dot = rest.indexOf('.');
            return dot < 0 ? rest : rest.substring(0, dot);
        }
    }

    /**
     * Where to look.
     *
     * @param exactFile      an exact file (only it is tried), or null
     * @param overrideDirs   override folders (only they are tried, plus the system loader for the driver), may be empty
     * @param overrideSource what set the override, for messages ("descent.cuda.libdir=/x"), or null
     * @param standardDirs   the usual folders, used when there is no override
     * @param systemSearch   whether to end with the system loader's own search by soname
     */
    public record SearchPath(Path exactFile, List<Path> overrideDirs, String overrideSource, List<Path> standardDirs,
            boolean systemSearch) {
        public SearchPath {
            overrideDirs = List.copyOf(overrideDirs);
            standardDirs = List.copyOf(standardDirs);
        }

        /** Only these folders, nothing else (tests; explicit configuration). */
        public static SearchPath onlyDirs(List<Path> dirs, String source) {
            return new SearchPath(null, dirs, source, List.of(), false);
        }

        /** Only this file. */
        public static SearchPath onlyFile(Path file, String source) {
            return new SearchPath(file, List.of(), source, List.of(), false);
        }

        /** The search the system properties and environment ask for, for one library. */
        public static SearchPath fromEnvironment(Library library) {
            return fromEnvironment(library, System.getProperties().entrySet().stream()
                    .collect(java.util.stream.Collectors.toMap(e -> String.valueOf(e.getKey()),
                            e -> String.valueOf(e.getValue()), (a, b) -> a)), System.getenv());
        }

        /** The search given properties and environment (visible for tests). */
        public static SearchPath fromEnvironment(Library library, Map<String, String> properties,
                Map<String, String> env) {
            String exact = blankToNull(properties.get(library.pathProperty()));
            if (exact != null) {
                return new SearchPath(Path.of(exact), List.of(), library.pathProperty() + "=" + exact, List.of(),
                        false);
            }
            String dirs = blankToNull(properties.get(LIBDIR_PROPERTY));
            String source = LIBDIR_PROPERTY;
            if (dirs == null) {
                dirs = blankToNull(env.get(LIBDIR_ENV));
                source = LIBDIR_ENV;
            }
            if (dirs != null) {
                List<Path> list = new ArrayList<>();
                for (String d : dirs.split(java.io.File.pathSeparator)) {
                    if (!d.isBlank()) {
                        list.add(Path.of(d.trim()));
                    }
                }
                return new SearchPath(null, list, source + "=" + dirs, List.of(), library == Library.DRIVER);
            }
            return new SearchPath(null, List.of(), null, CudaLibraries.standardDirs(env), true);
        }
    }

    /**
     * The outcome of a search.
     *
     * @param library  the library searched for
     * @param loaded   the loaded library, or null
     * @param attempts what was tried and why it failed, in order
     */
    public record Result(Library library, Loaded loaded, List<String> attempts) {
        public Result {
            attempts = List.copyOf(attempts);
        }

        public boolean ok() {
            return loaded != null;
        }

        /** One line: what was looked for and why each attempt failed (empty when loaded). */
        public String failure() {
            if (ok()) {
                return "";
            }
            return library.title() + " library (" + library.base + ") not found: " + String.join("; ", attempts);
        }

        /** The loaded library, or a {@link CudaLibraryException} with {@link #failure()}. */
        public Loaded orThrow() {
            if (!ok()) {
                throw new CudaLibraryException(failure());
            }
            return loaded;
        }
    }

    // ------------------------------------------------------------------------------------------------ cached loads

    private static final class CudartHolder {
        static final Result RESULT = load(Library.CUDART, SearchPath.fromEnvironment(Library.CUDART), null,
                Arena.global());
    }

    private static final class CublasHolder {
        static final Result RESULT = load(Library.CUBLAS, SearchPath.fromEnvironment(Library.CUBLAS),
                CudartHolder.RESULT.ok() ? CudartHolder.RESULT.loaded().soVersion() : null, Arena.global());
    }

    private static final class DriverHolder {
        static final Result RESULT = load(Library.DRIVER, SearchPath.fromEnvironment(Library.DRIVER), null,
                Arena.global());
    }

    /** The CUDA runtime found through the system properties and environment (searched once per JVM). */
    public static Result cudartResult() {
        return CudartHolder.RESULT;
    }

    /** cuBLAS, searched once per JVM. */
    public static Result cublasResult() {
        return CublasHolder.RESULT;
    }

    /** The driver (libcuda), searched once per JVM. */
    public static Result driverResult() {
        return DriverHolder.RESULT;
    }

    /** The loaded CUDA runtime, or a {@link CudaLibraryException} saying what was tried. */
    public static Loaded cudart() {
        return cudartResult().orThrow();
    }

    /** The loaded cuBLAS, or a {@link CudaLibraryException}. */
    public static Loaded cublas() {
        return cublasResult().orThrow();
    }

    /** The loaded driver, or a {@link CudaLibraryException}. */
    public static Loaded driver() {
        return driverResult().orThrow();
    }

    // ------------------------------------------------------------------------------------------------ search

    /**
     * Searches {@code path} for {@code library} and loads the first candidate that opens and exports the library's
     * probe symbol. Never throws for a missing or broken library: the result carries the reasons.
     *
     * @param preferredMajor soname major version to try first (null: newest first)
     * @param arena          the arena that keeps the library loaded
     */
    public static Result load(Library library, SearchPath path, String preferredMajor, Arena arena) {
        List<String> attempts = new ArrayList<>();
        List<String> sonames = library.sonames(preferredMajor);
        if (path.exactFile() != null) {
            Loaded l = tryFile(library, path.exactFile(), arena, attempts, path.overrideSource());
            return new Result(library, l, attempts);
        }
        List<Path> dirs = path.overrideDirs().isEmpty() ? path.standardDirs() : path.overrideDirs();
        Set<Path> searched = new LinkedHashSet<>();
        for (String soname : sonames) {
            for (Path dir : dirs) {
                Path file = dir.resolve(soname);
                searched.add(dir);
                if (Files.exists(file)) {
                    Loaded l = tryFile(library, file, arena, attempts, null);
                    if (l != null) {
                        return new Result(library, l, attempts);
                    }
                }
            }
        }
        if (!dirs.isEmpty()) {
            attempts.add(0, "looked for " + String.join(", ", sonames)
                    + (path.overrideSource() != null ? " (override " + path.overrideSource() + ")" : "") + " in "
                    + (searched.isEmpty() ? "no folder" : joinPaths(searched)));
        } else if (path.overrideSource() != null) {
            attempts.add("override " + path.overrideSource() + " names no folder");
        }
        if (path.systemSearch()) {
            for (String soname : sonames) {
                Loaded l = trySoname(library, soname, arena, attempts);
                if (l != null) {
                    return new Result(library, l, attempts);
                }
            }
        }
        return new Result(library, null, attempts);
    }

    private static Loaded tryFile(Library library, Path file, Arena arena, List<String> attempts, String source) {
        String label = file + (source != null ? " (" + source + ")" : "");
        if (!Files.exists(file)) {
            attempts.add(label + ": no such file");
            return null;
        }
        if (library.companion != null) {
            preloadCompanion(library, file, arena);
        }
        SymbolLookup lookup;
        try {
            lookup = SymbolLookup.libraryLookup(file, arena);
        } catch (IllegalArgumentException | IllegalStateException e) {
            attempts.add(label + ": " + Dl.explain(file.toString(), e));
            return null;
        }
        if (lookup.find(library.probeSymbol()).isEmpty()) {
            attempts.add(label + ": loaded but does not export " + library.probeSymbol());
            return null;
        }
        return new Loaded(library, file.toString(), lookup);
    }

    private static Loaded trySoname(Library library, String soname, Arena arena, List<String> attempts) {
        SymbolLookup lookup;
        try {
            lookup = SymbolLookup.libraryLookup(soname, arena);
        } catch (IllegalArgumentException | IllegalStateException e) {
            attempts.add(soname + " (system loader search): " + Dl.explain(soname, e));
            return null;
        }
        if (lookup.find(library.probeSymbol()).isEmpty()) {
            attempts.add(soname + " (system loader search): loaded but does not export " + library.probeSymbol());
            return null;
        }
        return new Loaded(library, soname, lookup);
    }

    /** Loads libcublasLt from the folder of libcublas first, so libcublas's dependency resolves to it. */
    private static void preloadCompanion(Library library, Path file, Arena arena) {
        String name = file.getFileName().toString();
        int at = name.indexOf(".so");
        if (at < 0) {
            return;
        }
        Path companion = file.resolveSibling(library.companion + name.substring(at));
        if (Files.exists(companion)) {
            try {
                SymbolLookup.libraryLookup(companion, arena);
            } catch (IllegalArgumentException | IllegalStateException ignored) {
                // loading libcublas itself will report the real problem
            }
        }
    }

    private static String joinPaths(Iterable<Path> paths) {
        StringBuilder sb = new StringBuilder();
        for (Path p : paths) {
            if (!sb.isEmpty()) {
                sb.append(", ");
            }
            sb.append(p);
        }
        return sb.toString();
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }

    // ------------------------------------------------------------------------------------------------ usual places

    /** The usual CUDA library folders on this machine, in search order, existing folders only. */
    public static List<Path> standardDirs(Map<String, String> env) {
        Set<Path> dirs = new LinkedHashSet<>();
        for (String var : List.of("CUDA_HOME", "CUDA_PATH", "CUDA_ROOT")) {
            String home = blankToNull(env.get(var));
            if (home != null) {
                dirs.add(Path.of(home, "lib64"));
                dirs.add(Path.of(home, "lib"));
            }
        }
        dirs.add(Path.of("/usr/local/cuda/lib64"));
        dirs.addAll(versionedCudaDirs("cuda-13"));
        dirs.addAll(versionedCudaDirs("cuda-12"));
        dirs.add(Path.of("/usr/local/cuda/targets/x86_64-linux/lib"));
        String ld = env.get("LD_LIBRARY_PATH");
        if (ld != null) {
            for (String d : ld.split(":")) {
                if (!d.isBlank()) {
                    dirs.add(Path.of(d));
                }
            }
        }
        dirs.add(Path.of("/usr/lib/x86_64-linux-gnu"));
        dirs.add(Path.of("/usr/lib64"));
        dirs.add(Path.of("/usr/lib/wsl/lib"));
        dirs.addAll(pythonNvidiaDirs(env));
        List<Path> out = new ArrayList<>();
        for (Path d : dirs) {
            if (Files.isDirectory(d)) {
                out.add(d);
            }
        }
        return out;
    }

    private static List<Path> versionedCudaDirs(String prefix) {
        List<Path> out = new ArrayList<>();
        for (Path p : list(Path.of("/usr/local"), prefix + "*")) {
            out.add(p.resolve("lib64"));
        }
        out.sort(Comparator.comparing(Path::toString).reversed());
        return out;
    }

    /** {@code site-packages/nvidia/<package>/lib} folders of the Python installations we can see. */
    static List<Path> pythonNvidiaDirs(Map<String, String> env) {
        Set<Path> sitePackages = new LinkedHashSet<>();
        List<Path> prefixes = new ArrayList<>();
        for (String var : List.of("VIRTUAL_ENV", "CONDA_PREFIX")) {
            String v = blankToNull(env.get(var));
            if (v != null) {
                prefixes.add(Path.of(v));
            }
        }
        String home = blankToNull(env.get("HOME"));
        if (home != null) {
            prefixes.add(Path.of(home, ".local"));
            for (Path v : list(Path.of(home, ".pyenv", "versions"), "*")) {
                prefixes.add(v);
            }
        }
        prefixes.add(Path.of("/usr/local"));
        prefixes.add(Path.of("/usr"));
        prefixes.add(Path.of("/opt/conda"));
        for (Path prefix : prefixes) {
            for (Path py : list(prefix.resolve("lib"), "python3*")) {
                sitePackages.add(py.resolve("site-packages"));
                sitePackages.add(py.resolve("dist-packages"));
            }
        }
        List<Path> out = new ArrayList<>();
        for (Path sp : sitePackages) {
            Path nvidia = sp.resolve("nvidia");
            if (!Files.isDirectory(nvidia)) {
                continue;
            }
            // the CUDA 13 wheels put everything under nvidia/cu13/lib; older ones use one folder per package
            List<Path> pkgs = list(nvidia, "*");
            pkgs.sort(Comparator.comparing((Path p) -> !p.getFileName().toString().toLowerCase(Locale.ROOT)
                    .startsWith("cu1")).thenComparing(Path::toString));
            for (Path pkg : pkgs) {
                Path lib = pkg.resolve("lib");
                if (Files.isDirectory(lib)) {
                    out.add(lib);
                }
            }
        }
        return out;
    }

    private static List<Path> list(Path dir, String glob) {
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, glob)) {
            for (Path p : ds) {
                if (Files.isDirectory(p)) {
                    out.add(p);
                }
            }
        } catch (IOException | SecurityException e) {
            // an unreadable folder is simply not searched
        }
        out.sort(Comparator.comparing(Path::toString));
        return out;
    }
}
