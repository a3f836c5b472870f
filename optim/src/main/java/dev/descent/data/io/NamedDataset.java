package dev.descent.data.io;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A data set known by name: where its files come from, how to read them, and local folders that may already hold them.
 *
 * @param name            the name used as a data source ({@code mnist}) and as the cache sub-folder
 * @param description     one line about the data
 * @param format          CSV (train and test files) or IDX (images and labels files for each split)
 * @param files           the remote files, addressed under {@code defaultBaseUrl}
 * @param defaultBaseUrl  the address the files are fetched from unless overridden (see {@link #baseUrl()})
 * @param train           train file name (CSV) or train images file name (IDX)
 * @param trainLabels     train labels file name (IDX), or null
 * @param test            test file name (CSV) or test images file name (IDX)
 * @param testLabels      test labels file name (IDX), or null
 * @param classes         the class count
 * @param localDirs       folders checked first; when one holds every file they are read from there, not downloaded
 */
public record NamedDataset(String name, String description, DataFiles.Format format, List<RemoteFile> files,
        String defaultBaseUrl, String train, String trainLabels, String test, String testLabels, int classes,
        List<Path> localDirs) {

    /** Copies the lists. */
    public NamedDataset {
        Objects.requireNonNull(name, "name");
        files = List.copyOf(files);
        localDirs = List.copyOf(localDirs);
    }

    /** The system property that overrides the base URL: {@code descent.data.baseUrl.<name>}. */
    public String baseUrlProperty() {
        return "descent.data.baseUrl." + name;
    }

    /** The environment variable that overrides the base URL: {@code DESCENT_DATA_BASEURL_<NAME>} ('-' → '_'). */
    public String baseUrlEnv() {
        return "DESCENT_DATA_BASEURL_" + name.toUpperCase(Locale.ROOT).replace('-', '_');
    }

    /** The system property that replaces the local folders: {@code descent.data.localDir.<name>} ({@code none}: none). */
    public String localDirProperty() {
        return "descent.data.localDir." + name;
    }

    /** The base URL in effect: the system property, else the environment variable, else the default. */
    public String baseUrl() {
        String p = System.getProperty(baseUrlProperty());
        if (p != null && !p.isBlank()) {
            return p.trim();
        }
        String e = System.getenv(baseUrlEnv());
        if (e != null && !e.isBlank()) {
            return e.trim();
        }
        return defaultBaseUrl;
    }

    /** The local folders in effect (the system property replaces the defaults). */
    public List<Path> effectiveLocalDirs() {
        String p = System.getProperty(localDirProperty());
        if (p == null) {
            return localDirs;
        }
        if (p.isBlank() || p.trim().equalsIgnoreCase("none")) {
            return List.of();
        }
        return List.of(Path.of(p.trim()));
    }

    /** The remote file named {@code fileName}, addressed under the base URL in effect. */
    public RemoteFile file(String fileName) {
        for (RemoteFile f : files) {
            if (f.fileName().equals(fileName)) {
                return f.withBase(baseUrl());
            }
        }
        throw new IllegalArgumentException(name + " has no file " + fileName);
    }
}
