package dev.descent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ./descent} launcher's AOT cache, end to end on a copy of the launcher whose {@code cli/target} holds this
 * build's classes as jars: the first run makes the cache (one line on standard error), later runs load descent's
 * classes from it, {@code DESCENT_AOT=0} leaves it out, and a cache the JVM refuses costs one line, not the command.
 */
class LauncherAotCacheTest {
    @TempDir
    Path root;

    record Run(int code, String out, String err) {
    }

    @Test
    void makesTheCacheOnceUsesItAndNeverFailsTheCommand() throws Exception {
        assumeTrue(File.separatorChar == '/' && Files.isExecutable(Path.of("/bin/bash")), "needs bash");
        Path launcher = findLauncher();
        assumeTrue(launcher != null, "the descent launcher is not in a parent folder");
        Path target = setUpCopy(launcher);
        Path cacheDir = target.resolve("aot");

        Run first = run(Map.of(), "--version");
        assertEquals(0, first.code(), first.toString());
        assertTrue(first.out().contains("descent"), first.out());
        assertTrue(first.err().contains("making the JVM's AOT cache") && first.err().contains("done"), first.err());
        List<Path> caches = caches(cacheDir);
        assertEquals(1, caches.size(), "one cache: " + caches);

        Path log = root.resolve("classes.log");
        Run second = run(Map.of("JAVA_TOOL_OPTIONS", "-Xlog:class+load=info:file=" + log), "--version");
        assertEquals(0, second.code(), second.toString());
        assertFalse(second.err().contains("AOT cache"), second.err());
        assertTrue(loadLine(log, "dev.descent.cli.Main").contains("source: shared objects file"),
                loadLine(log, "dev.descent.cli.Main"));

        Files.deleteIfExists(log);
        Run off = run(Map.of("DESCENT_AOT", "0", "JAVA_TOOL_OPTIONS", "-Xlog:class+load=info:file=" + log),
                "--version");
        assertEquals(0, off.code(), off.toString());
        assertTrue(loadLine(log, "dev.descent.cli.Main").contains("descent-cli.jar"),
                loadLine(log, "dev.descent.cli.Main"));

        // A jar that changed behind the launcher's back (older than the cache): the JVM refuses the cache and starts
        // without it; the launcher says so in one line and does not try again until the next build.
        Path jar = target.resolve("descent-cli.jar");
        Files.setLastModifiedTime(jar, FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis() - 60_000));
        Run refused = run(Map.of(), "--version");
        assertEquals(0, refused.code(), refused.toString());
        assertTrue(refused.out().contains("descent"), refused.out());
        List<String> lines = refused.err().lines().filter(l -> !l.isBlank()).toList();
        assertEquals(1, lines.size(), refused.err());
        assertTrue(lines.getFirst().startsWith("descent: the JVM did not use its AOT cache ("), lines.getFirst());
        assertTrue(caches(cacheDir).isEmpty(), "the refused cache is removed");
        Run after = run(Map.of(), "--version");
        assertEquals(0, after.code(), after.toString());
        assertEquals("", after.err().strip(), "no second try before the next build");
    }

    /** The launcher's copy in {@code root}, with this build's classes and their dependencies as jars. */
    private Path setUpCopy(Path launcher) throws IOException {
        Files.copy(launcher, root.resolve("descent"));
        root.resolve("descent").toFile().setExecutable(true);
        Path target = Files.createDirectories(root.resolve("cli/target"));
        Path libs = Files.createDirectories(root.resolve("libs"));
        Path cliClasses;
        try {
            cliClasses = Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (java.net.URISyntaxException ex) {
            throw new IOException(ex);
        }
        List<String> cp = new ArrayList<>();
        int n = 0;
        String testClassPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        for (String e : testClassPath.split(File.pathSeparator)) {
            Path p = Path.of(e);
            if (e.isEmpty() || p.equals(cliClasses) || p.getFileName().toString().equals("test-classes")) {
                continue;
            }
            if (Files.isDirectory(p)) {
                Path j = libs.resolve("classes-" + n++ + ".jar");
                jar(p, j);
                cp.add(j.toString());
            } else if (e.endsWith(".jar") && Files.isRegularFile(p)) {
                cp.add(p.toAbsolutePath().toString());
            }
        }
        Files.writeString(target.resolve("classpath.txt"), String.join(File.pathSeparator, cp));
        if (Files.isDirectory(cliClasses)) {
            jar(cliClasses, target.resolve("descent-cli.jar"));
        } else {
            Files.copy(cliClasses, target.resolve("descent-cli.jar"));
        }
        return target;
    }

    private Run run(Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("/bin/bash", root.resolve("descent").toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(root.toFile());
        Map<String, String> e = pb.environment();
        e.keySet().removeIf(k -> k.startsWith("OMPI_") || k.startsWith("PMI") || k.startsWith("SLURM_")
                || k.startsWith("DESCENT_") || k.equals("JAVA_TOOL_OPTIONS"));
        e.put("JAVA_HOME", System.getProperty("java.home"));
        e.put("DESCENT_NO_BUILD", "1");
        e.putAll(env);
        Path out = root.resolve("stdout.txt");
        Path err = root.resolve("stderr.txt");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        Process p = pb.start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the launcher did not finish within 120 s");
        }
        return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    private static List<Path> caches(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".aot")).toList();
        }
    }

    private static String loadLine(Path log, String className) throws IOException {
        String prefix = " " + className + " source: ";
        return Files.readAllLines(log, StandardCharsets.UTF_8).stream().filter(l -> l.contains(prefix)).findFirst()
                .orElse("(" + className + " not in " + log + ")");
    }

    private static void jar(Path dir, Path jar) throws IOException {
        try (OutputStream os = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(os);
             Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                j.putNextEntry(new JarEntry(dir.relativize(f).toString().replace(File.separatorChar, '/')));
                Files.copy(f, j);
                j.closeEntry();
            }
        }
    }

    private static Path findLauncher() {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            Path l = d.resolve("descent");
            if (Files.isRegularFile(l) && Files.isRegularFile(d.resolve("mvnw"))) {
                return l;
            }
        }
        return null;
    }
}
