package dev.descent.data.io;

import dev.descent.data.DataFormatException;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Opening data files: plain or gzip-compressed, told apart by the gzip magic bytes {@code 1f 8b} rather than by the
 * file name, and the format (CSV or IDX) recognised from the first decompressed bytes.
 */
public final class DataFiles {
    private static final int BUFFER = 1 << 16;

    /** The kinds of data file descent reads. */
    public enum Format {
        /** Comma-separated text with a header line. */
        CSV,
        /** The IDX binary format of MNIST and Fashion-MNIST (magic {@code 00 00 type dims}). */
        IDX
    }

    private DataFiles() {
    }

    /**
     * Opens {@code path} for reading, decompressing it when it starts with the gzip magic bytes. Errors in the
     * compressed data (corrupt deflate data, a bad CRC, a truncated stream) surface from the returned stream's reads as
     * {@link DataFormatException}s naming the file.
     *
     * @throws NoSuchFileException when the file does not exist (message: path and "no such file")
     */
    public static InputStream open(Path path) throws IOException {
        if (!Files.isRegularFile(path)) {
            throw new NoSuchFileException(path.toString(), null, Files.isDirectory(path) ? "is a directory"
                    : "no such file");
        }
        return open(Files.newInputStream(path), path.toString());
    }

    /** As {@link #open(Path)} for a stream; {@code source} names it in messages. Closing the result closes {@code in}. */
    public static InputStream open(InputStream in, String source) throws IOException {
        BufferedInputStream buffered = new BufferedInputStream(in, BUFFER);
        try {
            if (!isGzip(buffered)) {
                return buffered;
            }
            GZIPInputStream gz;
            try {
                gz = new GZIPInputStream(buffered, BUFFER);
            } catch (ZipException | EOFException e) {
                throw new DataFormatException(source, null, "corrupt gzip header (" + e.getMessage() + ")", e);
            }
            return new CheckedGzipStream(gz, source);
        } catch (IOException | RuntimeException e) {
            buffered.close();
            throw e;
        }
    }

    /** Whether the stream starts with the gzip magic bytes; the stream must support mark/reset and is left unread. */
    static boolean isGzip(InputStream in) throws IOException {
        in.mark(2);
        int b0 = in.read();
        int b1 = in.read();
        in.reset();
        return b0 == 0x1f && b1 == 0x8b;
    }

    /** Whether the file starts with the gzip magic bytes. */
    public static boolean isGzip(Path path) throws IOException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(path), 16)) {
            return isGzip(in);
        }
    }

    /**
     * The format of a file from its first (decompressed) bytes: IDX when it starts with two zero bytes, a known type
     * code and a dimension count of 1 to 4; otherwise CSV.
     *
     * @throws DataFormatException when the file is empty
     */
    public static Format detect(Path path) throws IOException {
        try (InputStream in = open(path)) {
            byte[] head = in.readNBytes(4);
            if (head.length == 0) {
                throw new DataFormatException(path.toString(), null, "empty file");
            }
            if (head.length == 4 && head[0] == 0 && head[1] == 0 && IdxReader.elementSize(head[2] & 0xff) > 0
                    && head[3] >= 1 && head[3] <= 4) {
                return Format.IDX;
            }
            return Format.CSV;
        }
    }

    /** Turns the low-level exceptions of a corrupt gzip stream into {@link DataFormatException}s. */
    private static final class CheckedGzipStream extends FilterInputStream {
        private final String source;
        private long position;

        CheckedGzipStream(InputStream in, String source) {
            super(in);
            this.source = source;
        }

        private DataFormatException corrupt(IOException e) {
            String what = e instanceof EOFException ? "truncated gzip data" : "corrupt gzip data";
            return new DataFormatException(source, "after " + position + " decompressed bytes",
                    what + " (" + e.getMessage() + ")", e);
        }

        @Override
        public int read() throws IOException {
            try {
                int b = super.read();
                if (b >= 0) {
                    position++;
                }
                return b;
            } catch (ZipException | EOFException e) {
                throw corrupt(e);
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                int r = super.read(b, off, len);
                if (r > 0) {
                    position += r;
                }
                return r;
            } catch (ZipException | EOFException e) {
                throw corrupt(e);
            }
        }

        @Override
        public long skip(long n) throws IOException {
            try {
                long r = super.skip(n);
                position += r;
                return r;
            } catch (ZipException | EOFException e) {
                throw corrupt(e);
            }
        }
    }
}
