package dev.descent.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
    @TempDir
    Path dir;

    /** A full disk used to say "No space left on device" and nothing else: the message names the file now. */
    @Test
    void aFailedWriteNamesTheTargetAndLeavesNoTemporary() throws IOException {
        Path target = dir.resolve("run/model.npz");
        AtomicFiles.write(target, out -> out.write(1));
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.write(target, out -> {
            out.write(new byte[100_000]);
            throw new IOException("No space left on device");
        }));
        assertEquals("cannot write " + target + ": No space left on device", e.getMessage());
        assertEquals("No space left on device", e.getCause().getMessage());
        assertEquals(List.of(target), files(target.getParent()), "no temporary left");
        assertEquals(1, Files.size(target), "the old file is whole");
    }

    /** A message that names the file already stays as it is; unchecked failures pass through unchanged. */
    @Test
    void messagesThatNameTheFileAndUncheckedFailuresPassThrough() throws IOException {
        Path target = dir.resolve("out/plot.png");
        IOException own = new IOException("no PNG writer available to write " + target);
        assertSame(own, assertThrows(IOException.class, () -> AtomicFiles.write(target, out -> {
            throw own;
        })));
        IllegalStateException bug = new IllegalStateException("bug");
        assertSame(bug, assertThrows(IllegalStateException.class, () -> AtomicFiles.write(target, out -> {
            out.write(2);
            throw bug;
        })));
        assertEquals(List.of(), files(target.getParent()), "no temporary left");
    }

    private static List<Path> files(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }
}
