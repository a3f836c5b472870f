package dev.descent.data.io;

import dev.descent.data.DataFormatException;
import dev.descent.data.Dataset;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns a data source string, as given to {@code descent --data}, into data sets.
 *
 * <p>A source is either the name of a {@linkplain DatasetRegistry known data set} ({@code sign-language-mnist},
 * {@code mnist}, {@code fashion-mnist}), which brings a train and a test split and is read from a local folder or the
 * download cache (downloading it on first use), or a path to a file:
 * <ul>
 * <li>a CSV file with a header (plain or gzip), read with {@link DataOptions#csvOptions()}: the label column
 * {@code label} unless told otherwise, or target columns for regression;</li>
 * <li>an IDX images file (plain or gzip), whose labels file is {@link DataOptions#labels()} or is found next to it by
 * the standard naming ({@code train-images-idx3-ubyte.gz → train-labels-idx1-ubyte.gz}).</li>
 * </ul>
 * A name is matched case-insensitively ({@code _} and {@code -} alike); an existing file of the same name wins over it.
 * The format is recognised from the file's first bytes, not its name. A test file may be given with
 * {@link DataOptions#withTest}; it is read with the training set's class count, so a test label the training set cannot
 * represent is an error.
 */
public final class DataSources {
    private DataSources() {
    }

    /**
     * Loads a named data set or a file.
     *
     * @throws NoSuchFileException  when the source is neither a known name nor an existing file
     * @throws DataFormatException  when a file is malformed
     * @throws DownloadException    when a named data set's file cannot be fetched
     */
    public static LoadedData load(String source, DataOptions options) throws IOException {
        DataOptions o = options == null ? DataOptions.defaults() : options;
        if (source == null || source.isBlank()) {
            throw new IllegalArgumentException("no data source given: name one of " + DatasetRegistry.names()
                    + " or give a file path");
        }
        NamedDataset named = DatasetRegistry.get(source);
        if (named != null && !Files.exists(Path.of(source))) {
            return loadNamed(named, o);
        }
        Path path = Path.of(source);
        if (!Files.exists(path)) {
            throw new NoSuchFileException(source, null, "no such file, and not a known data set (known: "
                    + DatasetRegistry.names() + ")");
        }
        Dataset train = readFile(path, o.labels(), o, o.classes());
        Dataset test = null;
        if (o.test() != null) {
            Path testPath = Path.of(o.test());
            if (!Files.exists(testPath)) {
                throw new NoSuchFileException(o.test(), null, "no such file (test data)");
            }
            test = readFile(testPath, o.testLabels(), o, train.isClassification() ? train.classes() : 0);
            checkCompatible(train, test);
        }
        String desc = "data: " + train + (test != null ? "; test: " + test : "");
        return new LoadedData(train, test, desc);
    }

    /**
     * Reads one file (CSV or IDX images, recognised by content).
     *
     * @param labels  the IDX labels file, or null to look next to the images
     * @param classes the class count (0 = largest label + 1)
     */
    public static Dataset readFile(Path path, Path labels, DataOptions options, int classes) throws IOException {
        DataOptions o = options == null ? DataOptions.defaults() : options;
        DataFiles.Format format = DataFiles.detect(path);
        if (format == DataFiles.Format.CSV) {
            return CsvReader.read(path, o.csvOptions().withClasses(classes));
        }
        if (o.isRegression()) {
            throw new DataFormatException(path.toString(), null, "is an IDX file: IDX data sets are read as "
                    + "classification data (images + labels), not with target columns");
        }
        Path l = labels != null ? labels : IdxReader.labelsFileFor(path);
        return IdxReader.read(path, l, classes);
    }

    /**
     * Opens a CSV or IDX images file for reading a batch of rows at a time ({@link RowReader}), for data too large to
     * hold, or without labels. A CSV file is read with {@link DataOptions#csvOptions()}; an IDX images file with the
     * labels file {@link DataOptions#labels()} or the one found next to it by the standard naming. With
     * {@code labelsOptional}, a CSV header without the label (or any target) column, or an images file with no labels
     * file given or found, gives rows without labels; otherwise both are errors, as in {@link #readFile}.
     *
     * @throws NoSuchFileException when the file (or a labels file given explicitly) does not exist
     */
    public static RowReader openRows(Path path, DataOptions options, boolean labelsOptional) throws IOException {
        DataOptions o = options == null ? DataOptions.defaults() : options;
        DataFiles.Format format = DataFiles.detect(path);
        if (format == DataFiles.Format.CSV) {
            return CsvReader.openRows(path, o.csvOptions(), labelsOptional);
        }
        if (o.isRegression()) {
            throw new DataFormatException(path.toString(), null, "is an IDX file: IDX data sets are read as "
                    + "classification data (images + labels), not with target columns");
        }
        Path labels = o.labels();
        if (labels == null) {
            if (labelsOptional) {
                labels = IdxReader.labelCandidates(path).stream().filter(Files::isRegularFile).findFirst()
                        .orElse(null);
            } else {
                labels = IdxReader.labelsFileFor(path);
            }
        }
        return IdxReader.openRows(path, labels, o.classes());
    }

    private static void checkCompatible(Dataset train, Dataset test) throws DataFormatException {
        if (train.featureCount() != test.featureCount()) {
            throw new DataFormatException(test.source(), null, "has " + test.featureCount() + " features but the "
                    + "training data " + train.source() + " has " + train.featureCount());
        }
        if (train.isClassification() != test.isClassification()
                || !train.isClassification() && train.targetCount() != test.targetCount()) {
            throw new DataFormatException(test.source(), null, "does not have the training data's label/target "
                    + "columns");
        }
    }

    private static LoadedData loadNamed(NamedDataset named, DataOptions o) throws IOException {
        List<String> needed = new ArrayList<>();
        needed.add(named.train());
        if (named.trainLabels() != null) {
            needed.add(named.trainLabels());
        }
        needed.add(named.test());
        if (named.testLabels() != null) {
            needed.add(named.testLabels());
        }
        Path local = null;
        for (Path dir : named.effectiveLocalDirs()) {
            boolean all = true;
            for (String f : needed) {
                all &= Files.isRegularFile(dir.resolve(f));
            }
            if (all) {
                local = dir;
                break;
            }
        }
        List<Path> paths = new ArrayList<>();
        String from;
        if (local != null) {
            for (String f : needed) {
                paths.add(local.resolve(f));
            }
            from = local.toString();
        } else {
            Downloader d = o.downloader() != null ? o.downloader() : Downloader.defaults();
            try {
                for (String f : needed) {
                    paths.add(d.fetch(named.name(), named.file(f), o.listener()));
                }
            } finally {
                if (o.downloader() == null) {
                    d.close();
                }
            }
            from = d.cacheDir().resolve(named.name()).toString();
        }
        int classes = o.classes() > 0 ? o.classes() : named.classes();
        Dataset train;
        Dataset test;
        try {
            if (named.format() == DataFiles.Format.CSV) {
                CsvOptions csv = CsvOptions.classification().withClasses(classes);
                train = CsvReader.read(paths.get(0), csv);
                test = CsvReader.read(paths.get(1), csv);
            } else {
                train = IdxReader.read(paths.get(0), paths.get(1), classes);
                test = IdxReader.read(paths.get(2), paths.get(3), classes);
            }
        } catch (DataFormatException e) {
            if (local != null) {
                throw e;
            }
            // A file that passed the download checks (for Sign Language MNIST: only "not empty", as no checksum is
            // published) but does not parse: say that it is descent's cached copy, and how to get a fresh one.
            throw new DataFormatException(e.source(), e.location(), e.problem() + " (this file is the download "
                    + "cache's copy of " + named.name() + ", and it is damaged: delete it and run again to download it "
                    + "afresh)", e);
        }
        checkCompatible(train, test);
        String desc = named.name() + " from " + from + ": train " + train.samples() + " × " + train.featureCount()
                + ", test " + test.samples() + ", " + classes + " classes";
        return new LoadedData(train, test, desc);
    }
}
