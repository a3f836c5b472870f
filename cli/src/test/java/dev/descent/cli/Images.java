package dev.descent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import javax.imageio.ImageIO;

/** Checks on the PNG files descent draws. */
final class Images {
    private Images() {
    }

    /** Reads a PNG and checks its size and that it is a real picture: many distinct colours, not all white. */
    static BufferedImage check(Path png, int width, int height) throws IOException {
        assertTrue(Files.isRegularFile(png), png + " exists");
        BufferedImage img = ImageIO.read(png.toFile());
        assertTrue(img != null, png + " is a readable image");
        if (width > 0) {
            assertEquals(width, img.getWidth(), png + " width");
        }
        if (height > 0) {
            assertEquals(height, img.getHeight(), png + " height");
        }
        assertTrue(distinctColours(img) >= 8, png + " has several distinct colours, got " + distinctColours(img));
        long nonWhite = 0;
        for (int y = 0; y < img.getHeight(); y += 2) {
            for (int x = 0; x < img.getWidth(); x += 2) {
                if ((img.getRGB(x, y) & 0xffffff) != 0xffffff) {
                    nonWhite++;
                }
            }
        }
        assertTrue(nonWhite > (long) img.getWidth() * img.getHeight() / 400, png + " is not blank");
        return img;
    }

    static int distinctColours(BufferedImage img) {
        Set<Integer> colours = new HashSet<>();
        for (int y = 0; y < img.getHeight(); y += 3) {
            for (int x = 0; x < img.getWidth(); x += 3) {
                colours.add(img.getRGB(x, y) & 0xffffff);
                if (colours.size() > 1000) {
                    return colours.size();
                }
            }
        }
        return colours.size();
    }
}
