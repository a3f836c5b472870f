/**
 * Reading data files and fetching named data sets.
 *
 * <p>{@link dev.descent.data.io.CsvReader} (CSV with a header, plain or gzip) and {@link dev.descent.data.io.IdxReader}
 * (MNIST-style IDX, raw or gzip) build {@link dev.descent.data.Dataset}s and report malformed input as
 * {@link dev.descent.data.DataFormatException}s naming file and line. {@link dev.descent.data.io.DataSources} resolves a
 * source string (a name from {@link dev.descent.data.io.DatasetRegistry} or a path); named data sets come from a local
 * folder or the {@link dev.descent.data.io.Downloader}'s verified cache. {@link dev.descent.data.io.DataSources#openRows}
 * reads a CSV or IDX file a batch of rows at a time ({@link dev.descent.data.io.RowReader}), with or without labels.
 *
 * <pre>{@code
 * // a file with the label in column "y"
 * Dataset d = CsvReader.read(Path.of("data.csv.gz"), CsvOptions.classification().withLabelColumn("y"));
 * // MNIST, downloaded once into ~/.cache/descent/mnist, with a progress callback
 * LoadedData mnist = DataSources.load("mnist", DataOptions.defaults()
 *         .withListener((file, bytes, total) -> System.err.printf("%s %d/%d%n", file.fileName(), bytes, total)));
 * }</pre>
 */
package dev.descent.data.io;
