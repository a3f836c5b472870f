package dev.descent.cuda.bindings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.descent.cuda.bindings.CudaLibraries.Library;
import dev.descent.cuda.bindings.CudaLibraries.Result;
import dev.descent.cuda.bindings.CudaLibraries.SearchPath;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CudaLibrariesTest {

    @Test
    void bogusOverrideFolderNamesEverySonameAndTheOverride() {
        Path bogus = Path.of("/nonexistent/descent-bogus-cuda");
        try (Arena arena = Arena.ofConfined()) {
            Result r = CudaLibraries.load(Library.CUDART,
                    SearchPath.onlyDirs(List.of(bogus), CudaLibraries.LIBDIR_PROPERTY + "=" + bogus), null, arena);
            assertFalse(r.ok());
            String msg = r.failure();
            assertTrue(msg.startsWith("CUDA runtime library (libcudart) not found: "), msg);
            assertTrue(msg.contains("libcudart.so.13, libcudart.so.12, libcudart.so"), msg);
            assertTrue(msg.contains("descent.cuda.libdir=" + bogus), msg);
            assertTrue(msg.contains(" in " + bogus), msg);
            CudaLibraryException e = assertThrows(CudaLibraryException.class, r::orThrow);
            assertEquals(msg, e.getMessage());
        }
    }

    @Test
    void bogusExactFileIsTheOnlyCandidate() {
        Path bogus = Path.of("/nonexistent/libcudart.so.13");
        try (Arena arena = Arena.ofConfined()) {
            Result r = CudaLibraries.load(Library.CUDART,
                    SearchPath.onlyFile(bogus, CudaLibraries.CUDART_PATH_PROPERTY + "=" + bogus), null, arena);
            assertFalse(r.ok());
            assertEquals(List.of(bogus + " (descent.cudart.path=" + bogus + "): no such file"), r.attempts());
        }
    }

    @Test
    void aBrokenLibraryKeepsTheDynamicLoadersOwnError(@TempDir Path dir) throws Exception {
        // An executable is no shared library: dlopen refuses it with its own words, which must reach the message
        // (SymbolLookup.libraryLookup alone would only say "Cannot open library").
        Path exe = Path.of("/usr/bin/true");
        assumeTrue(Files.exists(exe), "no " + exe);
        Path fake = Files.copy(exe, dir.resolve("libcudart.so.13"));
        try (Arena arena = Arena.ofConfined()) {
            Result r = CudaLibraries.load(Library.CUDART, SearchPath.onlyDirs(List.of(dir), "test"), null, arena);
            assertFalse(r.ok());
            String msg = r.failure();
            assertTrue(msg.contains(fake + ": " + fake + ": cannot dynamically load"), msg);
            assertFalse(msg.contains("Cannot open library"), msg);
        }
    }

    @Test
    void aLibraryWithoutTheProbeSymbolIsRejected() {
        // libc opens fine but is no CUDA runtime
        Path libc = Path.of("/lib/x86_64-linux-gnu/libc.so.6");
        assumeTrue(Files.exists(libc), "no " + libc);
        try (Arena arena = Arena.ofConfined()) {
            Result r = CudaLibraries.load(Library.CUDART, SearchPath.onlyFile(libc, "test"), null, arena);
            assertFalse(r.ok());
            assertTrue(r.failure().contains("loaded but does not export cudaGetDeviceCount"), r.failure());
        }
    }

    @Test
    void overridesTakePrecedenceInOrder() {
        Map<String, String> env = Map.of(CudaLibraries.LIBDIR_ENV, "/env/a:/env/b");
        SearchPath p = SearchPath.fromEnvironment(Library.CUDART,
                Map.of(CudaLibraries.CUDART_PATH_PROPERTY, "/x/libcudart.so.13", CudaLibraries.LIBDIR_PROPERTY,
                        "/prop"), env);
        assertEquals(Path.of("/x/libcudart.so.13"), p.exactFile());

        p = SearchPath.fromEnvironment(Library.CUDART, Map.of(CudaLibraries.LIBDIR_PROPERTY, "/prop"), env);
        assertNull(p.exactFile());
        assertEquals(List.of(Path.of("/prop")), p.overrideDirs());
        assertFalse(p.systemSearch(), "an override folder for the runtime is exclusive");

        p = SearchPath.fromEnvironment(Library.CUDART, Map.of(), env);
        assertEquals(List.of(Path.of("/env/a"), Path.of("/env/b")), p.overrideDirs());
        assertEquals("DESCENT_CUDA_LIBDIR=/env/a:/env/b", p.overrideSource());

        p = SearchPath.fromEnvironment(Library.DRIVER, Map.of(), env);
        assertTrue(p.systemSearch(), "the driver is also looked up by the system loader");

        p = SearchPath.fromEnvironment(Library.CUBLAS, Map.of(), Map.of());
        assertTrue(p.overrideDirs().isEmpty());
        assertTrue(p.systemSearch());
    }

    @Test
    void sonamesNewestFirstAndPreferredMajorFirst() {
        assertEquals(List.of("libcudart.so.13", "libcudart.so.12", "libcudart.so"), Library.CUDART.sonames(null));
        assertEquals(List.of("libcublas.so.12", "libcublas.so.13", "libcublas.so"), Library.CUBLAS.sonames("12"));
        assertEquals(List.of("libcuda.so.1", "libcuda.so"), Library.DRIVER.sonames("13"));
    }

    @Test
    void pythonWheelFoldersAreFound(@TempDir Path home) throws Exception {
        Path lib = Files.createDirectories(home.resolve(".local/lib/python3.12/site-packages/nvidia/cu13/lib"));
        Path cublas = Files.createDirectories(home.resolve(".local/lib/python3.12/site-packages/nvidia/cublas/lib"));
        List<Path> dirs = CudaLibraries.pythonNvidiaDirs(Map.of("HOME", home.toString()));
        assertTrue(dirs.indexOf(lib) >= 0 && dirs.indexOf(cublas) > dirs.indexOf(lib), dirs.toString());
    }

    @Test
    void theInstalledRuntimeLoads() {
        Result r = CudaLibraries.cudartResult();
        assumeTrue(r.ok() || Files.exists(Path.of("/usr/local/cuda/lib64/libcudart.so.13")),
                "no CUDA runtime on this machine: " + r.failure());
        assertTrue(r.ok(), r.failure());
        assertTrue(r.loaded().location().contains("libcudart.so"), r.loaded().location());
    }

    @Test
    void aMissingDriverSaysWhatTheLoaderSaid() {
        Result r = CudaLibraries.driverResult();
        assumeFalse(r.ok(), "a CUDA driver is installed here: " + (r.ok() ? r.loaded().location() : ""));
        String msg = r.failure();
        assertTrue(msg.startsWith("CUDA driver library (libcuda) not found: "), msg);
        assertTrue(msg.contains("libcuda.so.1 (system loader search): "), msg);
        assertTrue(msg.contains("cannot open shared object file"), msg);
    }
}
