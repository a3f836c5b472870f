package dev.descent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.cli.io.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code descent compare}, {@code sweep}, {@code backends}, {@code bench}, end to end in-process. */
class GridCommandsTest {
    @TempDir
    Path dir;

    @Test
    void compareWritesTheGrid() throws Exception {
        Path data = Cli.blobs(dir, "d.csv", 90, 5, 3, 1, 50.0);
        Path out = dir.resolve("cmp");
        Cli.Result r = Cli.run("compare", "--data", data.toString(), "--optimizers", "sgd,momentum,adam", "--lrs",
                "1e-4,0.5", "--epochs", "6", "--full-batch", "--out", out.toString());
        assertEquals(0, r.code(), r.toString());
        List<String> lines = Files.readAllLines(out.resolve("compare.csv"));
        assertEquals("optimizer,lr,epoch,train_loss", lines.getFirst());
        assertTrue(lines.size() > 1);
        for (String opt : List.of("sgd", "momentum", "adam")) {
            long n = lines.stream().filter(l -> l.startsWith(opt + ",1.0E-4,")).count();
            assertEquals(6, n, opt + " at lr 1e-4 runs 6 epochs: " + lines);
        }
        assertTrue(lines.contains("sgd,1.0E-4,1," + lines.get(1).split(",")[3]));
        Images.check(out.resolve("compare.png"), 1680, 524);
        Map<String, Object> s = Json.parseObject(Files.readString(out.resolve("summary.json")));
        assertEquals(6, ((List<?>) s.get("runs")).size());
        assertEquals(6, r.out().lines().count(), r.out());
    }

    @Test
    void sweepWritesOneCurvePerBatchSize() throws Exception {
        Path data = Cli.blobs(dir, "d.csv", 100, 4, 2, 3, 1.0);
        Path out = dir.resolve("sw");
        Cli.Result r = Cli.run("sweep", "--data", data.toString(), "--batch-sizes", "8,32,4096", "--optimizer", "adam",
                "--lr", "0.01", "--epochs", "3", "--out", out.toString(), "--quiet");
        assertEquals(0, r.code(), r.toString());
        List<String> lines = Files.readAllLines(out.resolve("sweep.csv"));
        assertEquals("batch_size,epoch,train_loss,seconds", lines.getFirst());
        assertEquals(1 + 3 * 3, lines.size(), lines.toString());
        assertTrue(lines.get(1).startsWith("8,1,"), lines.get(1));
        assertTrue(lines.getLast().startsWith("4096,3,"), lines.getLast());
        Images.check(out.resolve("sweep.png"), 1280, 544);
    }

    @Test
    void backendsListsTheCpu() {
        Cli.Result r = Cli.run("backends");
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("cpu"), r.out());
        assertTrue(r.out().contains("auto picks: "), r.out());
        // the vector width and why it was chosen (tests run with -Ddescent.vector.plan=none: the widest)
        assertTrue(r.out().matches("(?s).*cpu +available +ok: Vector API \\d+-bit .*; width: the widest this CPU offers"
                + " \\(-Ddescent.vector.plan=none\\).*"), r.out());
        // the CPU model and its vector ISA, on the backend's line and the machine's
        String named = dev.descent.backend.HostCpu.model() + ", " + dev.descent.backend.HostCpu.vectorIsa();
        assertTrue(r.out().contains(" threads on " + named + "; width: ") || r.out().contains(" thread on " + named
                + "; width: "), r.out());
        assertTrue(r.out().contains("\nmachine: " + dev.descent.backend.HostCpu.model() + " ("
                + dev.descent.backend.HostCpu.vectorIsa() + "), "), r.out());
        Cli.Result j = Cli.run("backends", "--json");
        assertEquals(0, j.code());
        Map<String, Object> doc = Json.parseObject(j.out());
        assertTrue(((List<?>) doc.get("backends")).stream().anyMatch(b -> "cpu".equals(((Map<?, ?>) b).get("name"))));
        Map<?, ?> system = (Map<?, ?>) doc.get("system");
        assertEquals(dev.descent.backend.HostCpu.model(), system.get("cpu"));
        assertEquals(dev.descent.backend.HostCpu.vectorIsa(), system.get("vector_isa"));
    }

    @Test
    void benchRunsOnSyntheticData() throws Exception {
        Cli.Result r = Cli.run("bench", "--samples", "300", "--features", "6", "--classes", "3", "--batch-size", "32",
                "--epochs", "1", "--backend", "cpu", "--quiet", "--out", dir.resolve("b").toString());
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("samples/s"), r.out());
        assertEquals(2, Files.readAllLines(dir.resolve("b/bench.csv")).size());
    }
}
