package dev.descent.cli.plot;

import java.util.ArrayList;
import java.util.List;

/** Contour lines of a sampled scalar field by marching squares: line segments where the field crosses a level. */
final class Contours {
    private Contours() {
    }

    /** One segment, in data coordinates. */
    record Segment(double x1, double y1, double x2, double y2) {
    }

    /**
     * Segments of the level set {@code f = level}; cells with a corner where the field is not finite have none.
     *
     * @param xs grid x coordinates (columns)
     * @param ys grid y coordinates (rows)
     * @param f  field values, {@code f[row][col]} at {@code (xs[col], ys[row])}
     */
    static List<Segment> segments(double[] xs, double[] ys, double[][] f, double level) {
        List<Segment> out = new ArrayList<>();
        for (int r = 0; r + 1 < ys.length; r++) {
            for (int c = 0; c + 1 < xs.length; c++) {
                // corners: 0 = (c, r), 1 = (c+1, r), 2 = (c+1, r+1), 3 = (c, r+1)
                double v0 = f[r][c];
                double v1 = f[r][c + 1];
                double v2 = f[r + 1][c + 1];
                double v3 = f[r + 1][c];
                if (!Double.isFinite(v0) || !Double.isFinite(v1) || !Double.isFinite(v2) || !Double.isFinite(v3)) {
                    continue; // no line through a cell where the field is not defined
                }
                int idx = (v0 > level ? 1 : 0) | (v1 > level ? 2 : 0) | (v2 > level ? 4 : 0) | (v3 > level ? 8 : 0);
                if (idx == 0 || idx == 15) {
                    continue;
                }
                double x0 = xs[c];
                double x1 = xs[c + 1];
                double y0 = ys[r];
                double y1 = ys[r + 1];
                // Crossing points on the four edges: bottom (0-1), right (1-2), top (3-2), left (0-3).
                double[] bottom = {lerp(x0, x1, v0, v1, level), y0};
                double[] right = {x1, lerp(y0, y1, v1, v2, level)};
                double[] top = {lerp(x0, x1, v3, v2, level), y1};
                double[] left = {x0, lerp(y0, y1, v0, v3, level)};
                switch (idx) {
                    case 1, 14 -> add(out, left, bottom);
                    case 2, 13 -> add(out, bottom, right);
                    case 3, 12 -> add(out, left, right);
                    case 4, 11 -> add(out, right, top);
                    case 6, 9 -> add(out, bottom, top);
                    case 7, 8 -> add(out, left, top);
                    case 5 -> {
                        add(out, left, top);
                        add(out, bottom, right);
                    }
                    case 10 -> {
                        add(out, left, bottom);
                        add(out, right, top);
                    }
                    default -> {
                    }
                }
            }
        }
        return out;
    }

    private static double lerp(double a, double b, double va, double vb, double level) {
        double t = (level - va) / (vb - va);
        return a + t * (b - a);
    }

    private static void add(List<Segment> out, double[] p, double[] q) {
        out.add(new Segment(p[0], p[1], q[0], q[1]));
    }
}
