package dev.descent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The module boundaries hold: descent's modules, read from their compiled descriptors, depend one way (the command
 * and the core on no backend; backends export nothing and are reached only through the services they provide, which
 * match their META-INF/services files for class-path users), and the command runs as modules on the module path,
 * finding the CPU backend through {@code provides}/{@code uses} alone.
 */
class ModulePathTest {
    private static final Set<String> BACKENDS = Set.of("dev.descent.cpu", "dev.descent.cuda", "dev.descent.mpi",
            "dev.descent.cuda.bindings");

    /**
     * The class-path entries that hold descent's compiled main classes, each a module with its descriptor: folders
     * when Maven tests a module alone, jars when the reactor packaged them first.
     */
    private static List<Path> descentModules() {
        List<Path> found = new ArrayList<>();
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path p = Path.of(e);
            if (!Files.exists(p)) {
                continue;
            }
            try {
                for (ModuleReference r : ModuleFinder.of(p).findAll()) {
                    if (!r.descriptor().isAutomatic() && r.descriptor().name().startsWith("dev.descent.")) {
                        found.add(p);
                    }
                }
            } catch (java.lang.module.FindException notAModule) {
                // a jar whose file name makes no module name: not one of descent's
            }
        }
        return found;
    }

    private static Map<String, ModuleDescriptor> descriptors() {
        Map<String, ModuleDescriptor> m = new TreeMap<>();
        for (ModuleReference r : ModuleFinder.of(descentModules().toArray(Path[]::new)).findAll()) {
            m.put(r.descriptor().name(), r.descriptor());
        }
        return m;
    }

    private static Set<String> requires(ModuleDescriptor d) {
        return d.requires().stream().map(ModuleDescriptor.Requires::name).collect(Collectors.toCollection(TreeSet::new));
    }

    @Test
    void dependenciesPointOneWay() {
        Map<String, ModuleDescriptor> m = descriptors();
        assertEquals(Set.of("dev.descent.optim", "dev.descent.cpu", "dev.descent.cuda", "dev.descent.cuda.bindings",
                "dev.descent.mpi", "dev.descent.onnx", "dev.descent.cli"), m.keySet(),
                "descent's modules on the test class path");
        for (String name : List.of("dev.descent.optim", "dev.descent.onnx", "dev.descent.cli")) {
            Set<String> reach = new TreeSet<>(requires(m.get(name)));
            reach.retainAll(BACKENDS);
            assertTrue(reach.isEmpty(), name + " must not require a backend module: " + reach);
        }
        assertTrue(requires(m.get("dev.descent.optim")).stream().noneMatch(r -> r.startsWith("dev.descent.")),
                "the core requires no other descent module");
        for (String backend : List.of("dev.descent.cpu", "dev.descent.cuda", "dev.descent.mpi")) {
            ModuleDescriptor d = m.get(backend);
            assertTrue(d.exports().isEmpty(), backend + " exports nothing: " + d.exports());
            assertTrue(requires(d).contains("dev.descent.optim"));
            Set<String> other = new TreeSet<>(requires(d));
            other.retainAll(BACKENDS);
            other.remove("dev.descent.cuda.bindings");
            assertTrue(other.isEmpty(), backend + " requires another backend: " + other);
        }
        ModuleDescriptor bindings = m.get("dev.descent.cuda.bindings");
        for (ModuleDescriptor.Exports e : bindings.exports()) {
            assertEquals(Set.of("dev.descent.cuda"), e.targets(), "the bindings are for the CUDA backend only");
        }
        assertEquals(Set.of("dev.descent.backend.BackendProvider", "dev.descent.dist.CommunicatorProvider"),
                m.get("dev.descent.optim").uses());
    }

    @Test
    void providesMatchTheServiceFilesOfClassPathUsers() throws IOException {
        for (Path dir : descentModules()) { // a folder or a jar
            ModuleDescriptor d = ModuleFinder.of(dir).findAll().iterator().next().descriptor();
            Map<String, Set<String>> declared = new TreeMap<>();
            for (ModuleDescriptor.Provides p : d.provides()) {
                declared.put(p.service(), new TreeSet<>(p.providers()));
            }
            Map<String, Set<String>> files = new TreeMap<>();
            try (java.nio.file.FileSystem jar = Files.isDirectory(dir) ? null
                    : java.nio.file.FileSystems.newFileSystem(dir)) {
                Path services = (jar == null ? dir : jar.getPath("/")).resolve("META-INF/services");
                if (Files.isDirectory(services)) {
                    try (var list = Files.list(services)) {
                        for (Path f : list.toList()) {
                            files.put(f.getFileName().toString(), Files.readAllLines(f).stream().map(String::strip)
                                    .filter(l -> !l.isEmpty() && !l.startsWith("#"))
                                    .collect(Collectors.toCollection(TreeSet::new)));
                        }
                    }
                }
            }
            assertEquals(files, declared, d.name() + ": module-info's provides and META-INF/services");
        }
    }

    @Test
    void theCommandRunsAsModulesAndFindsTheCpuBackend() throws Exception {
        List<String> path = new ArrayList<>();
        for (Path p : descentModules()) {
            path.add(p.toString());
        }
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            String name = Path.of(e).getFileName().toString();
            if (name.startsWith("picocli-") || name.startsWith("jfreechart-") || name.startsWith("protobuf-java-")) {
                path.add(e);
            }
        }
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=dev.descent.cuda.bindings,dev.descent.mpi", "-Djava.awt.headless=true",
                "-Ddescent.vector.plan=none", "--module-path", String.join(File.pathSeparator, path),
                "--module", "dev.descent.cli/dev.descent.cli.Main", "backends", "--json");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
        String out = new String(p.getInputStream().readAllBytes());
        String err = new String(p.getErrorStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out + err);
        assertTrue(out.contains("\"name\": \"cpu\""), out);
        assertTrue(out.contains("\"name\": \"cuda\""), "the CUDA provider is found too (available or not): " + out);
        assertTrue(out.matches("(?s).*\"name\": \"cpu\",\\s*\"priority\": \\d+,\\s*\"available\": true.*"), out);
    }
}
