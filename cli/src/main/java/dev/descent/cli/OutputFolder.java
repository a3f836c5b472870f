package dev.descent.cli;

import dev.descent.cli.io.AtomicFiles;
import dev.descent.train.FolderLock;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A command's hold on its {@code --out} folder for as long as it runs: the folder's {@link FolderLock} (a second
 * command on the same folder gets a one-line error naming the holder's process id), and afterwards, when the command
 * made the folder and failed before writing anything, the folder is removed again. Only descent's own temporaries
 * ({@code .NAME.descent-*.tmp}) are cleared, and only while the lock is held.
 */
final class OutputFolder implements AutoCloseable {
    private final Path dir;
    private final boolean created;
    private final FolderLock lock;

    private OutputFolder(Path dir, boolean created, FolderLock lock) {
        this.dir = dir;
        this.created = created;
        this.lock = lock;
    }

    /**
     * Takes {@code dir} for {@code command} (making it if needed) and clears the temporaries a killed descent left.
     *
     * @throws FolderLock.HeldException (exit 2) naming the folder, the option and the process holding it
     */
    static OutputFolder claim(Path dir, String command) throws IOException {
        boolean created = !Files.exists(dir);
        FolderLock lock;
        try {
            lock = FolderLock.acquire(dir, command);
        } catch (FolderLock.HeldException e) {
            throw new IOException("--out " + dir + " is in use by another descent run (" + e.holder()
                    + "); wait for it to end or choose another --out", e);
        }
        AtomicFiles.removeStaleTemporaries(dir);
        return new OutputFolder(dir, created, lock);
    }

    Path dir() {
        return dir;
    }

    /** Releases the folder; one this command made and left empty (but for the lock file) is removed. */
    @Override
    public void close() throws IOException {
        lock.close();
        if (created) {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
                for (Path p : ds) {
                    if (!p.getFileName().toString().equals(FolderLock.FILE_NAME)) {
                        return;
                    }
                }
            }
            Files.deleteIfExists(dir.resolve(FolderLock.FILE_NAME));
            Files.deleteIfExists(dir);
        }
    }

    // ------------------------------------------------------------------ an earlier train run in the folder

    /**
     * The files of {@code descent train} in an output folder (a run's own; --force deletes only these), and the
     * {@code descent export} of its model, which a new run would leave stale.
     */
    static final List<String> TRAIN_FILES = List.of(TrainCommand.RUN_FILE, "summary.json", "metrics.csv", "loss.png",
            ModelFiles.JSON, ModelFiles.NPZ, ExportCommand.FILE);

    /** What of an earlier training run {@code dir} holds ("run.json, model.json, 2 checkpoints"), or "" if none. */
    static String earlierRun(Path dir) throws IOException {
        List<String> found = new ArrayList<>();
        for (String name : TRAIN_FILES) {
            if (Files.exists(dir.resolve(name))) {
                found.add(name);
            }
        }
        int checkpoints = dev.descent.train.Checkpoint.list(dir.resolve("checkpoints")).size();
        if (checkpoints > 0) {
            found.add(checkpoints + (checkpoints == 1 ? " checkpoint" : " checkpoints"));
        }
        return String.join(", ", found);
    }

    /** Deletes an earlier training run's own files in {@code dir} (see {@link #TRAIN_FILES}) and its checkpoints. */
    static void clearEarlierRun(Path dir) throws IOException {
        for (String name : TRAIN_FILES) {
            Files.deleteIfExists(dir.resolve(name));
        }
        Path ck = dir.resolve("checkpoints");
        for (Path p : dev.descent.train.Checkpoint.list(ck)) {
            Files.deleteIfExists(p);
        }
        AtomicFiles.removeStaleTemporaries(ck);
    }
}
