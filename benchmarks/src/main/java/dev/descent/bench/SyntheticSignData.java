package dev.descent.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.SplittableRandom;

/**
 * Synthetic data of the Sign Language MNIST shape: 27,455 rows of 784 pixels (integers 0–255), 24 classes. Each
 * class has a random prototype image; a row is its class's prototype plus uniform noise in [−64, 64], clamped. The
 * data is a pure function of the seed, written once to a file that both the descent side and the PyTorch side read,
 * so both train on the same bytes.
 *
 * <p>File format (little-endian): "DSYN", int32 rows, int32 pixels per row, int32 classes, rows×pixels uint8 pixels,
 * rows uint8 labels.
 */
final class SyntheticSignData {
    static final int ROWS = 27_455;
    static final int PIXELS = 784;
    static final int CLASSES = 24;

    /** Pixels as floats 0..255, row-major. */
    final float[] features;
    /** Labels 0..23. */
    final int[] labels;
    final int rows;
    final int pixels;
    final int classes;

    private SyntheticSignData(float[] features, int[] labels, int rows, int pixels, int classes) {
        this.features = features;
        this.labels = labels;
        this.rows = rows;
        this.pixels = pixels;
        this.classes = classes;
    }

    /** Generates the data and writes it to {@code file} (temp file + atomic rename). */
    static SyntheticSignData create(long seed, Path file) throws IOException {
        SplittableRandom random = new SplittableRandom(seed);
        byte[] prototypes = new byte[CLASSES * PIXELS];
        for (int i = 0; i < prototypes.length; i++) {
            prototypes[i] = (byte) random.nextInt(256);
        }
        byte[] pixelBytes = new byte[ROWS * PIXELS];
        byte[] labelBytes = new byte[ROWS];
        float[] features = new float[ROWS * PIXELS];
        int[] labels = new int[ROWS];
        for (int r = 0; r < ROWS; r++) {
            int label = random.nextInt(CLASSES);
            labels[r] = label;
            labelBytes[r] = (byte) label;
            for (int j = 0; j < PIXELS; j++) {
                int p = (prototypes[label * PIXELS + j] & 0xFF) + random.nextInt(129) - 64;
                p = Math.max(0, Math.min(255, p));
                pixelBytes[r * PIXELS + j] = (byte) p;
                features[r * PIXELS + j] = p;
            }
        }
        Files.createDirectories(file.toAbsolutePath().getParent());
        Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), file.getFileName().toString(), ".tmp");
        try (OutputStream out = Files.newOutputStream(tmp)) {
            ByteBuffer head = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
            head.put(new byte[] {'D', 'S', 'Y', 'N'}).putInt(ROWS).putInt(PIXELS).putInt(CLASSES);
            out.write(head.array());
            out.write(pixelBytes);
            out.write(labelBytes);
        } catch (IOException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return new SyntheticSignData(features, labels, ROWS, PIXELS, CLASSES);
    }
}
