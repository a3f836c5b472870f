package dev.descent.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * torch_workloads.py {@code --device cuda} with a torch that has no CUDA (Debian's python3-torch): one line and exit
 * code 3, which TorchPeer and Compare turn into "torch-cuda: skipped: <that line>". Skipped without /usr/bin/python3
 * or torch, and where torch does have CUDA.
 */
class TorchCudaPeerTest {
    private static final Path PYTHON = Path.of("/usr/bin/python3");

    @TempDir
    Path tmp;

    private record Result(int code, String out, String err) {
    }

    private static Path script() {
        Path here = Path.of("scripts", "torch_workloads.py"); // surefire runs in the module folder
        return Files.exists(here) ? here : Path.of("benchmarks", "scripts", "torch_workloads.py");
    }

    private static Result run(Path dir, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(PYTHON.toString()));
        command.addAll(List.of(args));
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), String.join(" ", command) + " did not stop");
        return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    @BeforeAll
    static void torchWithoutCuda(@TempDir Path dir) throws Exception {
        assumeTrue(Files.isExecutable(PYTHON), PYTHON + " is missing");
        Result r = run(dir, "-c", "import torch; print(torch.cuda.is_available())");
        assumeTrue(r.code() == 0, "no torch for " + PYTHON + ": " + r.err().strip().lines().reduce((a, b) -> b)
                .orElse("exit code " + r.code()));
        assumeTrue(r.out().strip().equals("False"), "torch has CUDA here: the unavailable path cannot be seen");
    }

    @Test
    void deviceCudaSaysSoInOneLineAndExitsWithItsOwnCode() throws Exception {
        Result r = run(tmp, script().toString(), "--device", "cuda", "W4", "steps=10");
        assertEquals(TorchPeer.EXIT_NO_CUDA, r.code(), r.out() + r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals(1, lines.size(), r.out());
        assertTrue(lines.get(0).startsWith("torch_workloads.py --device cuda: CUDA unavailable: torch "),
                lines.get(0));
        assertFalse(r.err().contains("Traceback"), r.err());
    }

    /** python -S: no site-packages, so neither numpy nor torch imports. */
    @Test
    void noTorchIsOneLineToo() throws Exception {
        Result r = run(tmp, "-S", script().toString(), "--device", "cuda", "W4", "steps=10");
        assertEquals(TorchPeer.EXIT_NO_TORCH, r.code(), r.out() + r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals(1, lines.size(), r.out());
        assertTrue(lines.get(0).startsWith("torch_workloads.py: " + PYTHON + " cannot import numpy: "), lines.get(0));
        assertEquals("", r.err());
    }

    @Test
    void deviceCpuStillRunsTheWorkload() throws Exception {
        Result r = run(tmp, script().toString(), "--device", "cpu", "W4", "steps=10");
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().startsWith("ok\tseconds="), r.out());
        assertTrue(r.out().contains("\tx=") && r.out().contains("\tf="), r.out());
    }

    @Test
    void peerAndReportTurnItIntoASkipLine() throws Exception {
        Path log = tmp.resolve("torch.log");
        TorchPeer.UnavailableException e = assertThrows(TorchPeer.UnavailableException.class,
                () -> new TorchPeer(TorchPeer.cuda(), PYTHON.toString(), script(), tmp.resolve("none.bin"),
                        tmp, log).close());
        assertTrue(e.getMessage().startsWith("torch_workloads.py --device cuda: CUDA unavailable: "), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());

        Path out = tmp.resolve("report");
        Compare.run(Compare.Options.parse(new String[] {"--quick", "--no-probe", "--only", "W4", "--threads", "1",
            "--cuda", "off", "--peers", "cuda", "--python", PYTHON.toString(), "--script", script().toString(),
            "--out", out.toString()}));
        String md = Files.readString(out.resolve("compare.md"), StandardCharsets.UTF_8);
        assertTrue(md.contains("\n- torch-cuda: skipped: " + e.getMessage() + "\n"), md);
        assertTrue(md.contains("| W4 | s/run | 5 (3) |"), md);
        assertFalse(md.contains("descent-cuda"), md);
    }
}
