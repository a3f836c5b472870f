package dev.descent.cli.plot;

import dev.descent.train.ConfusionMatrix;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.util.Locale;

/**
 * A confusion matrix as a heat map: one square per (true class, predicted class), rows the true class from the top,
 * columns the predicted class from the left, each with its count. The colour is the count's share of its row (of the
 * true class's samples: the recall on the diagonal, the confusions elsewhere), so that classes of different sizes read
 * alike; zero counts are written in light grey. Each row's support is written at its right. Squares are 28 to 64
 * pixels, so that 24 classes (Sign Language MNIST) give an image about 1,000 pixels wide with counts still readable.
 */
public final class ConfusionChart {
    static {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    /** The light end of the colour ramp (a share of 0) and the dark end (a share of 1): matplotlib's "Blues". */
    private static final Color LOW = new Color(0xf7fbff);
    private static final Color MID = new Color(0x6baed6);
    private static final Color HIGH = new Color(0x08306b);

    private ConfusionChart() {
    }

    /** The square's side for {@code classes} classes: the grid about 840 pixels wide, squares of 28 to 64 pixels. */
    static int cellSize(int classes) {
        return Math.max(28, Math.min(64, 840 / Math.max(1, classes)));
    }

    /** The colour of a share in [0, 1] (NaN, an empty row: the light end). */
    static Color colour(double share) {
        double t = Double.isNaN(share) ? 0 : Math.max(0, Math.min(1, share));
        return t < 0.5 ? mix(LOW, MID, t / 0.5) : mix(MID, HIGH, (t - 0.5) / 0.5);
    }

    private static Color mix(Color a, Color b, double t) {
        return new Color((int) Math.round(a.getRed() + (b.getRed() - a.getRed()) * t),
                (int) Math.round(a.getGreen() + (b.getGreen() - a.getGreen()) * t),
                (int) Math.round(a.getBlue() + (b.getBlue() - a.getBlue()) * t));
    }

    /**
     * Draws the heat map.
     *
     * @param title    the line above the grid (e.g. the data set and the accuracy)
     * @param labels   each class's label, written along the axes
     */
    public static BufferedImage render(ConfusionMatrix m, int[] labels, String title) {
        int k = m.classes();
        if (labels.length != k) {
            throw new IllegalArgumentException(labels.length + " labels for " + k + " classes");
        }
        int cell = cellSize(k);
        Font labelFont = new Font(Font.SANS_SERIF, Font.PLAIN, Math.min(14, Math.max(11, cell / 3)));
        Font axisFont = new Font(Font.SANS_SERIF, Font.BOLD, 14);
        Font titleFont = new Font(Font.SANS_SERIF, Font.BOLD, 16);
        int left = 90;
        int top = 70;
        int grid = k * cell;
        int supportWidth = 70;
        int legendWidth = 90;
        int bottom = 70;
        int width = left + grid + supportWidth + legendWidth;
        int height = top + grid + bottom;
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, width, height);

            g.setColor(Color.BLACK);
            g.setFont(titleFont);
            String t = title == null ? "" : title;
            FontMetrics tf = g.getFontMetrics();
            while (t.length() > 10 && tf.stringWidth(t) > width - 20) {
                t = t.substring(0, t.length() - 2);
            }
            if (!t.equals(title) && title != null) {
                t = t + "…";
            }
            g.drawString(t, Math.max(10, (width - tf.stringWidth(t)) / 2), 26);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            String sub = "colour: share of the true class's samples; numbers: counts";
            g.drawString(sub, Math.max(10, (width - g.getFontMetrics().stringWidth(sub)) / 2), 46);

            long[] support = new long[k];
            for (int a = 0; a < k; a++) {
                for (int p = 0; p < k; p++) {
                    support[a] += m.count(a, p);
                }
            }
            float countSize = Math.min(16f, cell * 0.42f);
            for (int a = 0; a < k; a++) {
                for (int p = 0; p < k; p++) {
                    long c = m.count(a, p);
                    double share = support[a] == 0 ? Double.NaN : (double) c / support[a];
                    int x = left + p * cell;
                    int y = top + a * cell;
                    Color fill = colour(share);
                    g.setColor(fill);
                    g.fillRect(x, y, cell, cell);
                    String text = Long.toString(c);
                    g.setFont(fitted(g, text, countSize, cell - 4));
                    FontMetrics fm = g.getFontMetrics();
                    g.setColor(c == 0 ? new Color(0xb0b0b0) : luminance(fill) < 0.5 ? Color.WHITE : Color.BLACK);
                    g.drawString(text, x + (cell - fm.stringWidth(text)) / 2,
                            y + (cell + fm.getAscent() - fm.getDescent()) / 2);
                }
            }
            g.setColor(new Color(0x404040));
            g.setStroke(new BasicStroke(1f));
            g.drawRect(left, top, grid, grid);

            // class labels: true classes down the left, predicted classes along the bottom
            g.setFont(labelFont);
            FontMetrics lf = g.getFontMetrics();
            g.setColor(Color.BLACK);
            for (int c = 0; c < k; c++) {
                String s = Integer.toString(labels[c]);
                g.drawString(s, left - 6 - lf.stringWidth(s), top + c * cell + (cell + lf.getAscent()) / 2 - 2);
                g.drawString(s, left + c * cell + (cell - lf.stringWidth(s)) / 2, top + grid + 4 + lf.getAscent());
            }
            // the supports at the right of each row
            g.setColor(new Color(0x404040));
            for (int a = 0; a < k; a++) {
                String s = "n=" + support[a];
                g.setFont(fitted(g, s, labelFont.getSize2D(), supportWidth - 8));
                FontMetrics fm = g.getFontMetrics();
                g.drawString(s, left + grid + 6, top + a * cell + (cell + fm.getAscent()) / 2 - 2);
            }
            g.setFont(axisFont);
            FontMetrics af = g.getFontMetrics();
            g.setColor(Color.BLACK);
            String px = "predicted class";
            g.drawString(px, left + (grid - af.stringWidth(px)) / 2, top + grid + 4 + lf.getHeight() + af.getAscent()
                    + 6);
            String py = "true class";
            AffineTransform saved = g.getTransform();
            g.rotate(-Math.PI / 2);
            g.drawString(py, -(top + (grid + af.stringWidth(py)) / 2),
                    Math.max(af.getAscent() + 2, left - 14 - maxWidth(lf, labels)));
            g.setTransform(saved);

            // the colour legend: a vertical ramp from 0 % (bottom) to 100 % (top)
            int lx = left + grid + supportWidth + 20;
            int barHeight = Math.min(grid, 300);
            int ly = top;
            for (int i = 0; i < barHeight; i++) {
                g.setColor(colour(1.0 - (double) i / Math.max(1, barHeight - 1)));
                g.fillRect(lx, ly + i, 18, 1);
            }
            g.setColor(new Color(0x404040));
            g.drawRect(lx, ly, 18, barHeight);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
            for (int pct = 0; pct <= 100; pct += 25) {
                int y = ly + (int) Math.round((1 - pct / 100.0) * barHeight);
                g.drawLine(lx + 18, y, lx + 22, y);
                g.drawString(String.format(Locale.ROOT, "%d%%", pct), lx + 25, y + 4);
            }
        } finally {
            g.dispose();
        }
        return img;
    }

    /** The font at {@code size}, made smaller (down to 7 points) until {@code text} fits in {@code room} pixels. */
    private static Font fitted(Graphics2D g, String text, float size, int room) {
        Font f = new Font(Font.SANS_SERIF, Font.PLAIN, 12).deriveFont(size);
        while (f.getSize2D() > 7f && g.getFontMetrics(f).stringWidth(text) > room) {
            f = f.deriveFont(f.getSize2D() - 0.5f);
        }
        return f;
    }

    private static int maxWidth(FontMetrics fm, int[] labels) {
        int w = 0;
        for (int l : labels) {
            w = Math.max(w, fm.stringWidth(Integer.toString(l)));
        }
        return w;
    }

    private static double luminance(Color c) {
        return (0.299 * c.getRed() + 0.587 * c.getGreen() + 0.114 * c.getBlue()) / 255.0;
    }
}
