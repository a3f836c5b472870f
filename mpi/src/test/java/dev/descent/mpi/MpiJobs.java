package dev.descent.mpi;

import org.junit.jupiter.api.Assumptions;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Starts real Open MPI jobs on loopback for the tests: {@code mpirun -np N} over a JVM that runs a main class from the
 * test class path. Never hangs: a job still running after {@link #TIMEOUT_S} seconds is killed with its children and
 * the test fails with what it printed.
 */
final class MpiJobs {
    static final long TIMEOUT_S = 60;

    private MpiJobs() {
    }

    /** What a job printed (stdout and stderr merged), its exit code and how long it took. */
    record Result(int exitCode, String output, double seconds) {
        /** The value rank {@code r} printed as {@code R<r> key=value}; fails when it printed none. */
        String value(int r, String key) {
            String prefix = "R" + r + " " + key + "=";
            for (String line : output.split("\n")) {
                if (line.startsWith(prefix)) {
                    return line.substring(prefix.length()).strip();
                }
            }
            return fail("rank " + r + " printed no " + key + "; job output:\n" + output);
        }

        /** Every {@code key=value} rank {@code r} printed, in order. */
        Map<String, String> values(int r) {
            Map<String, String> m = new LinkedHashMap<>();
            String prefix = "R" + r + " ";
            for (String line : output.split("\n")) {
                int eq = line.indexOf('=');
                if (line.startsWith(prefix) && eq > 0) {
                    m.put(line.substring(prefix.length(), eq), line.substring(eq + 1).strip());
                }
            }
            return m;
        }
    }

    /**
     * mpirun from PATH (or /usr/bin). When there is none: the test is skipped with the reason, except under CI
     * ({@code CI=true}), where Open MPI is installed on purpose and its absence is a failure.
     */
    static Path mpirunOrSkip() {
        List<String> dirs = new ArrayList<>();
        String path = System.getenv("PATH");
        if (path != null) {
            dirs.addAll(List.of(path.split(File.pathSeparator)));
        }
        dirs.add("/usr/bin");
        for (String d : dirs) {
            Path p = Path.of(d, "mpirun");
            if (!d.isBlank() && Files.isExecutable(p)) {
                return p;
            }
        }
        String reason = "mpirun not found on PATH or in /usr/bin: install Open MPI (apt install openmpi-bin "
                + "libopenmpi-dev) to run the multi-process tests";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            fail(reason + " (CI=true: these tests must run)");
        }
        Assumptions.abort(reason);
        throw new AssertionError();
    }

    /** The test class path as the forked test JVM sees it (surefire may hide it behind a manifest-only jar). */
    static String classPath() {
        String cp = System.getProperty("surefire.test.class.path");
        return cp != null && !cp.isBlank() ? cp : System.getProperty("java.class.path");
    }

    /** The command that starts a JVM running {@code mainClass} with the test class path. */
    static List<String> java(String mainClass, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("--enable-native-access=ALL-UNNAMED");
        cmd.add("-Xmx512m");
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-cp");
        cmd.add(classPath());
        cmd.add(mainClass);
        cmd.addAll(List.of(args));
        return cmd;
    }

    /**
     * Runs {@code mainClass} on {@code ranks} processes under mpirun, on this machine only: shared memory between
     * ranks ({@code btl self,vader}, no single-copy kernel mechanism, which containers often forbid) and loopback
     * for mpirun's own control channel.
     */
    static Result run(int ranks, String mainClass, String... args) {
        Path mpirun = mpirunOrSkip();
        List<String> cmd = new ArrayList<>(List.of(mpirun.toString(), "--allow-run-as-root", "--oversubscribe",
                "-np", Integer.toString(ranks), "--bind-to", "none",
                "--mca", "btl", "self,vader",
                "--mca", "btl_vader_single_copy_mechanism", "none",
                "--mca", "oob_tcp_if_include", "lo"));
        cmd.addAll(java(mainClass, args));
        return start(new ProcessBuilder(cmd));
    }

    /** Runs the process, merging its output; kills it and its children after {@link #TIMEOUT_S} seconds. */
    static Result start(ProcessBuilder pb) {
        pb.redirectErrorStream(true);
        long t0 = System.nanoTime();
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + pb.command(), e);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Thread reader = Thread.ofPlatform().daemon().start(() -> copy(p.getInputStream(), out));
        try {
            if (!p.waitFor(TIMEOUT_S, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
                reader.join(5_000);
                fail("job still running after " + TIMEOUT_S + " s, killed: " + pb.command() + "\noutput:\n"
                        + text(out));
            }
            reader.join(10_000);
        } catch (InterruptedException e) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        return new Result(p.exitValue(), text(out), (System.nanoTime() - t0) / 1e9);
    }

    private static void copy(InputStream in, ByteArrayOutputStream out) {
        byte[] buf = new byte[8192];
        try (in) {
            for (int n; (n = in.read(buf)) > 0; ) {
                synchronized (out) {
                    out.write(buf, 0, n);
                }
            }
        } catch (IOException e) {
            // The process went away; what was read is kept.
        }
    }

    private static String text(ByteArrayOutputStream out) {
        synchronized (out) {
            return out.toString(StandardCharsets.UTF_8);
        }
    }
}
