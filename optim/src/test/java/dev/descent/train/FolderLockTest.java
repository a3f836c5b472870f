package dev.descent.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FolderLockTest {
    @Test
    void aSecondHolderIsRefusedWithTheFirstsProcessId(@TempDir Path dir) throws IOException {
        Path folder = dir.resolve("out");
        try (FolderLock lock = FolderLock.acquire(folder, "train")) {
            assertEquals(folder, lock.folder());
            FolderLock.HeldException e = assertThrows(FolderLock.HeldException.class,
                    () -> FolderLock.acquire(folder, "sweep"));
            String pid = Long.toString(ProcessHandle.current().pid());
            assertTrue(e.holder().startsWith("pid " + pid + ", train, since "), e.holder());
            assertTrue(e.getMessage().startsWith(folder + " is in use by another descent run (pid " + pid),
                    e.getMessage());
        }
        // Released: the next run takes it, and the file (not deleted, see the class comment) names the new holder.
        try (FolderLock again = FolderLock.acquire(folder, "compare")) {
            assertTrue(Files.readString(folder.resolve(FolderLock.FILE_NAME)).contains("command=compare\n"));
        }
    }

    @Test
    void aLockFileWithForeignTextIsNotEchoed(@TempDir Path dir) throws IOException {
        Path folder = dir.resolve("out");
        try (FolderLock lock = FolderLock.acquire(folder, "train")) {
            Files.writeString(folder.resolve(FolderLock.FILE_NAME), "pid=\u001b[2J12\n");
            FolderLock.HeldException e = assertThrows(FolderLock.HeldException.class,
                    () -> FolderLock.acquire(folder, "train"));
            assertEquals("holder unknown", e.holder());
        }
    }
}
