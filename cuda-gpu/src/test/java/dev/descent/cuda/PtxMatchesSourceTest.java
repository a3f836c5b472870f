package dev.descent.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The committed PTX is what build-ptx.sh makes of descent_kernels.cu. Needs nvcc of the release that made the
 * committed file (its header names it); skips with the reason otherwise.
 */
class PtxMatchesSourceTest {
    private static final Path MODULE = Path.of("").toAbsolutePath();
    private static final Path SCRIPT = MODULE.resolve("build-ptx.sh");
    private static final Path COMMITTED = MODULE.resolve("src/main/resources/dev/descent/cuda/descent_kernels.ptx");

    @Test
    void committedPtxIsUpToDate(@TempDir Path tmp) throws Exception {
        assumeTrue(Files.exists(SCRIPT), "not run from the cuda-gpu module folder: " + MODULE);
        String nvcc = findNvcc();
        assumeTrue(nvcc != null, "nvcc not installed (PATH, NVCC, /usr/local/cuda/bin)");
        String committed = Files.readString(COMMITTED, StandardCharsets.US_ASCII);
        String committedRelease = release(committed);
        String installedRelease = release(run(tmp, nvcc, "--version"));
        assumeTrue(committedRelease != null && committedRelease.equals(installedRelease),
                "the committed PTX was made by nvcc " + committedRelease + ", the installed one is "
                        + installedRelease + ": their output may differ; regenerate with build-ptx.sh");
        Path out = tmp.resolve("descent_kernels.ptx");
        ProcessBuilder pb = new ProcessBuilder("bash", SCRIPT.toString(), out.toString());
        pb.environment().put("NVCC", nvcc);
        String log = runProcess(pb, tmp);
        String fresh = Files.readString(out, StandardCharsets.US_ASCII);
        assertEquals(committed, fresh, "src/main/resources/dev/descent/cuda/descent_kernels.ptx is stale: run "
                + "cuda-gpu/build-ptx.sh and commit the result" + (log.isBlank() ? "" : "\n" + log));
    }

    /** "release 13.0, V13.0.88" from an nvcc banner or a PTX header, or null. */
    static String release(String text) {
        Matcher m = Pattern.compile("release (\\d+\\.\\d+), V([\\d.]+)").matcher(text);
        return m.find() ? m.group(2) : null;
    }

    private static String findNvcc() {
        String env = System.getenv("NVCC");
        if (env != null && Files.isExecutable(Path.of(env))) {
            return env;
        }
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(":")) {
                Path p = Path.of(dir, "nvcc");
                if (Files.isExecutable(p)) {
                    return p.toString();
                }
            }
        }
        Path p = Path.of("/usr/local/cuda/bin/nvcc");
        return Files.isExecutable(p) ? p.toString() : null;
    }

    private static String run(Path dir, String... command) throws IOException, InterruptedException {
        return runProcess(new ProcessBuilder(command), dir);
    }

    private static String runProcess(ProcessBuilder pb, Path dir) throws IOException, InterruptedException {
        pb.directory(dir.toFile()).redirectErrorStream(true);
        Process p = pb.start();
        byte[] output = p.getInputStream().readAllBytes();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IOException("timed out: " + pb.command());
        }
        String text = new String(output, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), () -> pb.command() + " failed:\n" + text);
        return text;
    }
}
