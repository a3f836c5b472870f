package dev.descent.cli.plot;

import dev.descent.cli.io.AtomicFiles;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Shape;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.annotations.XYLineAnnotation;
import org.jfree.chart.annotations.XYTextAnnotation;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.LookupPaintScale;
import org.jfree.chart.renderer.xy.XYBlockRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.DefaultXYZDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * descent's figures, drawn with JFreeChart into PNG files, headless: the Rosenbrock contour plot with trajectories,
 * loss curves (log-log or linear), and figures made of several panels.
 */
public final class Charts {
    static {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    /** Line colours (matplotlib's tab10, so the figures read like the lecture's). */
    public static final Color[] COLORS = {
        new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728), new Color(0x9467bd),
        new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f), new Color(0xbcbd22), new Color(0x17becf)};

    /** The Rosenbrock plot's square: [−0.75, 1.5]². */
    public static final double LOW = -0.75;
    public static final double HIGH = 1.5;

    private static final int FIELD_CELLS = 225;
    private static final int LINE_CELLS = 120;
    private static final int BANDS = 16;
    private static final double CLIP = 100.0;

    private Charts() {
    }

    /** A curve; points that are not finite (or not positive, on a log axis) are left out. */
    public record Curve(String name, double[] x, double[] y) {
    }

    /**
     * A path in the (w1, w2) plane; {@code note} (may be null) is written inside the panel, e.g. "diverged at step
     * 12".
     */
    public record Trajectory(String name, double[] w1, double[] w2, String note) {
    }

    /** The lecture's function R(w1, w2) = (1 − w1)² + 10 (w2 − w1²)², in double precision (for drawing). */
    public static double rosenbrock(double w1, double w2) {
        double a = 1 - w1;
        double b = w2 - w1 * w1;
        return a * a + 10 * b * b;
    }

    // ------------------------------------------------------------------ contour plots

    /**
     * What a contour panel shows: the field drawn as filled bands with contour lines over the window
     * [x0, x1] × [y0, y1] (for example log(f + 1) of the function minimised), the subtitle saying what it is, and
     * optionally a marked point (the known minimum). Paths are cut at the box [cx0, cx1] × [cy0, cy1] around the
     * window, so that a diverging path is drawn up to where it leaves the plot without huge coordinates.
     *
     * @param field  the value drawn at (x, y); points where it is not finite are left white
     * @param marker the point to mark with a star, or null
     */
    public record ContourSpec(java.util.function.DoubleBinaryOperator field, double x0, double x1, double y0,
            double y1, String subtitle, double[] marker, String markerLabel, double cx0, double cx1, double cy0,
            double cy1) {
        public ContourSpec {
            if (!(x1 > x0) || !(y1 > y0) || !Double.isFinite(x1 - x0) || !Double.isFinite(y1 - y0)) {
                throw new IllegalArgumentException("contour window [" + x0 + ", " + x1 + "] x [" + y0 + ", " + y1
                        + "] is empty or not finite");
            }
        }

        /** A spec whose paths are cut at 40 window widths (heights) around the window. */
        public static ContourSpec of(java.util.function.DoubleBinaryOperator field, double x0, double x1, double y0,
                double y1, String subtitle) {
            double w = 40 * (x1 - x0);
            double h = 40 * (y1 - y0);
            return new ContourSpec(field, x0, x1, y0, y1, subtitle, null, null, x0 - w, x1 + w, y0 - h, y1 + h);
        }
    }

    /** The lecture's Rosenbrock panel: log(R + 1) over [−0.75, 1.5]², the minimum (1, 1) marked. */
    private static final ContourSpec ROSENBROCK = new ContourSpec((x, y) -> Math.log1p(rosenbrock(x, y)), LOW, HIGH,
            LOW, HIGH, "contours of log(R + 1), R = (1 − w1)² + 10 (w2 − w1²)²", new double[] {1, 1},
            "minimum (1, 1)", -CLIP, CLIP, -CLIP, CLIP);

    /**
     * Filled contours of log(R + 1) over [−0.75, 1.5]² with contour lines, each trajectory as a line from its start,
     * the start point and the minimum (1, 1) marked. Points outside the square are clipped by the plot.
     */
    public static JFreeChart rosenbrock(String title, List<Trajectory> trajectories) {
        return rosenbrock(title, trajectories, 0);
    }

    /** As {@link #rosenbrock(String, List)}, the first trajectory in colour {@code firstColour} of the palette. */
    public static JFreeChart rosenbrock(String title, List<Trajectory> trajectories, int firstColour) {
        return contours(title, ROSENBROCK, trajectories, firstColour);
    }

    /**
     * Filled contours of {@code spec}'s field over its window with contour lines, each trajectory as a line from its
     * start, the start point (of the first trajectory) and the spec's marker marked, the trajectory's note written in
     * the panel's top left corner. Points outside the window are clipped by the plot.
     *
     * @param firstColour the palette colour of the first trajectory
     */
    public static JFreeChart contours(String title, ContourSpec spec, List<Trajectory> trajectories,
            int firstColour) {
        double x0 = spec.x0();
        double y0 = spec.y0();
        double width = spec.x1() - x0;
        double height = spec.y1() - y0;
        double[] xs = new double[FIELD_CELLS];
        double[] ys = new double[FIELD_CELLS];
        double xStep = width / FIELD_CELLS;
        double yStep = height / FIELD_CELLS;
        for (int i = 0; i < FIELD_CELLS; i++) {
            xs[i] = x0 + (i + 0.5) * xStep;
            ys[i] = y0 + (i + 0.5) * yStep;
        }
        double[][] field = new double[3][FIELD_CELLS * FIELD_CELLS];
        int k = 0;
        double min = 0;
        double max = 0;
        for (int r = 0; r < FIELD_CELLS; r++) {
            for (int c = 0; c < FIELD_CELLS; c++) {
                double v = spec.field().applyAsDouble(xs[c], ys[r]);
                if (!Double.isFinite(v)) {
                    continue; // left white
                }
                field[0][k] = xs[c];
                field[1][k] = ys[r];
                field[2][k] = v;
                min = Math.min(min, v);
                max = Math.max(max, v);
                k++;
            }
        }
        if (k < field[0].length) {
            for (int i = 0; i < 3; i++) {
                field[i] = java.util.Arrays.copyOf(field[i], k);
            }
        }
        if (!(max > min)) {
            max = min + 1; // a flat field: one band
        }
        double[] levels = new double[BANDS];
        for (int i = 0; i < BANDS; i++) {
            levels[i] = min == 0 ? max * i / BANDS : min + (max - min) * i / BANDS;
        }
        DefaultXYZDataset fieldData = new DefaultXYZDataset();
        fieldData.addSeries("field", field);
        LookupPaintScale scale = new LookupPaintScale(min, min == 0 ? max * 1.0001 : min + (max - min) * 1.0001,
                Color.WHITE);
        for (int i = 0; i < BANDS; i++) {
            scale.add(levels[i], band(i / (double) (BANDS - 1)));
        }
        XYBlockRenderer block = new XYBlockRenderer();
        block.setBlockWidth(xStep);
        block.setBlockHeight(yStep);
        block.setPaintScale(scale);
        block.setDefaultSeriesVisibleInLegend(false);

        NumberAxis xAxis = new NumberAxis("w1");
        NumberAxis yAxis = new NumberAxis("w2");
        xAxis.setRange(x0, spec.x1());
        yAxis.setRange(y0, spec.y1());
        for (NumberAxis a : List.of(xAxis, yAxis)) {
            a.setAutoRange(false);
        }
        XYPlot plot = new XYPlot();
        plot.setDomainAxis(xAxis);
        plot.setRangeAxis(yAxis);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinesVisible(false);
        plot.setRangeGridlinesVisible(false);
        plot.setAxisOffset(RectangleInsets.ZERO_INSETS);

        // Sizes in data units that read the same on any window: the Rosenbrock square's, scaled.
        double fx = width / (HIGH - LOW);
        double fy = height / (HIGH - LOW);
        // Dataset 0 is drawn last (on top): markers; 1: trajectories; 2: the field.
        XYSeriesCollection markers = new XYSeriesCollection();
        XYLineAndShapeRenderer markerRenderer = new XYLineAndShapeRenderer(false, true);
        XYSeriesCollection paths = new XYSeriesCollection();
        XYLineAndShapeRenderer pathRenderer = new XYLineAndShapeRenderer(true, false);
        int notes = 0;
        for (int t = 0; t < trajectories.size(); t++) {
            Trajectory tr = trajectories.get(t);
            Color color = COLORS[(firstColour + t) % COLORS.length];
            XYSeries s = new XYSeries(tr.name(), false, true);
            for (double[] p : clip(tr.w1(), tr.w2(), spec)) {
                s.add(p[0], p[1]);
            }
            paths.addSeries(s);
            pathRenderer.setSeriesPaint(t, color);
            pathRenderer.setSeriesStroke(t, new BasicStroke(2.0f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
            int last = lastFinite(tr.w1(), tr.w2());
            if (last >= 0 && inside(tr.w1()[last], tr.w2()[last], spec)) {
                // The end point: a ring in the path's colour (hollow, so the minimum's star stays visible).
                Shape ring = new Ellipse2D.Double(tr.w1()[last] - 0.035 * fx, tr.w2()[last] - 0.035 * fy, 0.07 * fx,
                        0.07 * fy);
                plot.addAnnotation(new org.jfree.chart.annotations.XYShapeAnnotation(ring, new BasicStroke(2.5f),
                        color, null));
            }
            if (tr.note() != null && !tr.note().isBlank()) {
                XYTextAnnotation a = new XYTextAnnotation(tr.note(), x0 + 0.04 * fx,
                        spec.y1() - (0.04 + 0.11 * notes++) * fy);
                a.setTextAnchor(TextAnchor.TOP_LEFT);
                a.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
                a.setPaint(color.darker());
                a.setBackgroundPaint(new Color(255, 255, 255, 210));
                plot.addAnnotation(a);
            }
        }
        if (!trajectories.isEmpty() && trajectories.getFirst().w1().length > 0) {
            Trajectory first = trajectories.getFirst();
            XYSeries start = new XYSeries(String.format("start (%s, %s)", fmt(first.w1()[0]), fmt(first.w2()[0])));
            start.add(first.w1()[0], first.w2()[0]);
            markers.addSeries(start);
            markerRenderer.setSeriesShape(0, new Ellipse2D.Double(-6, -6, 12, 12));
            markerRenderer.setSeriesPaint(0, Color.BLACK);
        }
        if (spec.marker() != null) {
            XYSeries minimum = new XYSeries(spec.markerLabel());
            minimum.add(spec.marker()[0], spec.marker()[1]);
            markers.addSeries(minimum);
            int mi = markers.getSeriesCount() - 1;
            markerRenderer.setSeriesShape(mi, star(11, 4.5));
            markerRenderer.setSeriesPaint(mi, new Color(0xd4, 0x1f, 0x1f));
            markerRenderer.setSeriesOutlinePaint(mi, Color.BLACK);
            markerRenderer.setUseOutlinePaint(true);
            markerRenderer.setDrawOutlines(true);
        }

        plot.setDataset(0, markers);
        plot.setRenderer(0, markerRenderer);
        plot.setDataset(1, paths);
        plot.setRenderer(1, pathRenderer);
        plot.setDataset(2, fieldData);
        plot.setRenderer(2, block);

        Color line = new Color(40, 40, 40, 70);
        BasicStroke thin = new BasicStroke(0.7f);
        double[] lx = new double[LINE_CELLS + 1];
        double[] ly = new double[LINE_CELLS + 1];
        for (int i = 0; i <= LINE_CELLS; i++) {
            lx[i] = x0 + width * i / LINE_CELLS;
            ly[i] = y0 + height * i / LINE_CELLS;
        }
        double[][] lf = new double[LINE_CELLS + 1][LINE_CELLS + 1];
        for (int r = 0; r <= LINE_CELLS; r++) {
            for (int c = 0; c <= LINE_CELLS; c++) {
                lf[r][c] = spec.field().applyAsDouble(lx[c], ly[r]);
            }
        }
        for (int i = 1; i < BANDS; i++) {
            for (Contours.Segment s : Contours.segments(lx, ly, lf, levels[i])) {
                plot.addAnnotation(new XYLineAnnotation(s.x1(), s.y1(), s.x2(), s.y2(), thin, line), false);
            }
        }
        JFreeChart chart = new JFreeChart(title, new Font(Font.SANS_SERIF, Font.BOLD, 15), plot, true);
        chart.addSubtitle(new TextTitle(spec.subtitle(), new Font(Font.SANS_SERIF, Font.PLAIN, 11)));
        chart.setBackgroundPaint(Color.WHITE);
        return chart;
    }

    /** Light viridis-like colours for the filled contour bands (t in [0, 1], low to high). */
    private static Color band(double t) {
        int[][] anchors = {{0x44, 0x01, 0x54}, {0x3b, 0x52, 0x8b}, {0x21, 0x91, 0x8c}, {0x5e, 0xc9, 0x62},
            {0xfd, 0xe7, 0x25}};
        double p = t * (anchors.length - 1);
        int i = Math.min((int) p, anchors.length - 2);
        double f = p - i;
        double white = 0.55;
        int[] rgb = new int[3];
        for (int k = 0; k < 3; k++) {
            double v = anchors[i][k] + f * (anchors[i + 1][k] - anchors[i][k]);
            rgb[k] = (int) Math.round(v * (1 - white) + 255 * white);
        }
        return new Color(rgb[0], rgb[1], rgb[2]);
    }

    private static Shape star(double outer, double inner) {
        Path2D.Double p = new Path2D.Double();
        for (int i = 0; i < 10; i++) {
            double r = i % 2 == 0 ? outer : inner;
            double a = -Math.PI / 2 + i * Math.PI / 5;
            if (i == 0) {
                p.moveTo(r * Math.cos(a), r * Math.sin(a));
            } else {
                p.lineTo(r * Math.cos(a), r * Math.sin(a));
            }
        }
        p.closePath();
        return p;
    }

    private static int lastFinite(double[] x, double[] y) {
        for (int i = x.length - 1; i >= 0; i--) {
            if (Double.isFinite(x[i]) && Double.isFinite(y[i])) {
                return i;
            }
        }
        return -1;
    }

    /**
     * The path's points, with a NaN point wherever the line must break (non-finite values), and segments that leave
     * the box [−CLIP, CLIP]² cut at its edge, so that a diverging path is drawn up to where it leaves the plot.
     */
    static List<double[]> clip(double[] xs, double[] ys) {
        return clip(xs, ys, ROSENBROCK);
    }

    /** As {@link #clip(double[], double[])}, at the box of {@code spec}. */
    static List<double[]> clip(double[] xs, double[] ys, ContourSpec spec) {
        List<double[]> out = new ArrayList<>();
        int n = Math.min(xs.length, ys.length);
        if (n == 1 && inside(xs[0], ys[0], spec)) {
            out.add(new double[] {xs[0], ys[0]});
            return out;
        }
        boolean pen = false;
        double[] lastOut = null;
        for (int i = 1; i < n; i++) {
            double[] seg = clipSegment(xs[i - 1], ys[i - 1], xs[i], ys[i], spec);
            if (seg == null) {
                if (pen) {
                    out.add(new double[] {Double.NaN, Double.NaN});
                    pen = false;
                }
                continue;
            }
            boolean continues = pen && lastOut != null && lastOut[0] == seg[0] && lastOut[1] == seg[1];
            if (!continues) {
                if (pen) {
                    out.add(new double[] {Double.NaN, Double.NaN});
                }
                out.add(new double[] {seg[0], seg[1]});
            }
            out.add(new double[] {seg[2], seg[3]});
            lastOut = new double[] {seg[2], seg[3]};
            pen = seg[2] == xs[i] && seg[3] == ys[i];
        }
        return out;
    }

    private static boolean inside(double x, double y, ContourSpec spec) {
        return Double.isFinite(x) && Double.isFinite(y) && x >= spec.cx0() && x <= spec.cx1() && y >= spec.cy0()
                && y <= spec.cy1();
    }

    /** Liang–Barsky clipping of one segment to the box; null when nothing of it is inside or it is not finite. */
    private static double[] clipSegment(double x0, double y0, double x1, double y1, ContourSpec spec) {
        if (!Double.isFinite(x0) || !Double.isFinite(y0) || !Double.isFinite(x1) || !Double.isFinite(y1)) {
            return null;
        }
        double dx = x1 - x0;
        double dy = y1 - y0;
        if (!Double.isFinite(dx) || !Double.isFinite(dy)) {
            return null;
        }
        double t0 = 0;
        double t1 = 1;
        double[] p = {-dx, dx, -dy, dy};
        double[] q = {x0 - spec.cx0(), spec.cx1() - x0, y0 - spec.cy0(), spec.cy1() - y0};
        for (int i = 0; i < 4; i++) {
            if (p[i] == 0) {
                if (q[i] < 0) {
                    return null;
                }
            } else {
                double r = q[i] / p[i];
                if (p[i] < 0) {
                    t0 = Math.max(t0, r);
                } else {
                    t1 = Math.min(t1, r);
                }
            }
        }
        if (t0 > t1) {
            return null;
        }
        double ax = t0 == 0 ? x0 : x0 + t0 * dx;
        double ay = t0 == 0 ? y0 : y0 + t0 * dy;
        double bx = t1 == 1 ? x1 : x0 + t1 * dx;
        double by = t1 == 1 ? y1 : y0 + t1 * dy;
        return new double[] {ax, ay, bx, by};
    }

    private static String fmt(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e9) {
            return Long.toString((long) v);
        }
        return String.format("%.3g", v);
    }

    // ------------------------------------------------------------------ curves

    /**
     * Line chart of several curves.
     *
     * @param logX  log-scaled x axis (points with x ≤ 0 are left out)
     * @param logY  log-scaled y axis (points with y ≤ 0 are left out); linear when the data spans less than a
     *              decade
     * @param notes lines written under the title (may be empty)
     */
    public static JFreeChart curves(String title, String xLabel, String yLabel, List<Curve> curves, boolean logX,
            boolean logY, List<String> notes) {
        XYSeriesCollection data = new XYSeriesCollection();
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, false);
        double minY = Double.POSITIVE_INFINITY;
        double maxY = Double.NEGATIVE_INFINITY;
        double minX = Double.POSITIVE_INFINITY;
        double maxX = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < curves.size(); i++) {
            Curve c = curves.get(i);
            XYSeries s = new XYSeries(c.name(), false, true);
            int n = Math.min(c.x().length, c.y().length);
            for (int k = 0; k < n; k++) {
                double x = c.x()[k];
                double y = c.y()[k];
                if (!Double.isFinite(x) || !Double.isFinite(y) || (logX && x <= 0) || (logY && y <= 0)) {
                    continue;
                }
                s.add(x, y);
                minY = Math.min(minY, y);
                maxY = Math.max(maxY, y);
                minX = Math.min(minX, x);
                maxX = Math.max(maxX, x);
            }
            data.addSeries(s);
            Color color = COLORS[i % COLORS.length];
            renderer.setSeriesPaint(i, color);
            renderer.setSeriesStroke(i, stroke(i));
            if (s.getItemCount() <= 40) {
                renderer.setSeriesShapesVisible(i, true);
                renderer.setSeriesShape(i, new Ellipse2D.Double(-3, -3, 6, 6));
            }
        }
        // A log y axis shows decades; data within less than one decade reads better on a linear axis.
        boolean yLog = logY && !(maxY / minY < 10);
        ValueAxis xAxis = axis(xLabel, logX, minX, maxX, true, true);
        ValueAxis yAxis = axis(yLabel, yLog, minY, maxY, false, false);
        XYPlot plot = new XYPlot(data, xAxis, yAxis, renderer);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(new Color(0xdd, 0xdd, 0xdd));
        plot.setRangeGridlinePaint(new Color(0xdd, 0xdd, 0xdd));
        plot.setDomainGridlinesVisible(true);
        plot.setRangeGridlinesVisible(true);
        plot.setOutlinePaint(Color.GRAY);
        JFreeChart chart = new JFreeChart(title, new Font(Font.SANS_SERIF, Font.BOLD, 15), plot, true);
        for (String note : notes) {
            chart.addSubtitle(new TextTitle(note, new Font(Font.SANS_SERIF, Font.PLAIN, 11)));
        }
        chart.setBackgroundPaint(Color.WHITE);
        return chart;
    }

    /**
     * An axis; a log axis starts at the decade below the data and ends at the decade above it, or just after the
     * data when {@code tight} (so that 200 epochs do not leave an empty decade up to 1000).
     */
    private static ValueAxis axis(String label, boolean log, double min, double max, boolean integerTicks,
            boolean tight) {
        if (log) {
            LogAxis a = new LogAxis(label);
            a.setBase(10);
            a.setSmallestValue(1e-300);
            a.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
            a.setMinorTickMarksVisible(true);
            a.setMinorTickCount(9);
            if (Double.isFinite(min) && Double.isFinite(max)) {
                double lo = Math.pow(10, Math.floor(Math.log10(min)));
                double hi = tight ? max * 1.15 : Math.pow(10, Math.ceil(Math.log10(max)));
                if (hi <= lo * 1.5) {
                    hi = lo * 10;
                }
                a.setRange(lo, hi);
            } else {
                a.setRange(1, 10);
            }
            return a;
        }
        NumberAxis a = new NumberAxis(label);
        a.setAutoRangeIncludesZero(false);
        if (integerTicks) {
            a.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        }
        if (Double.isFinite(min) && Double.isFinite(max) && max == min) {
            // A flat curve: a window around its value at its own scale (a loss settled at 4e-14 is not drawn at 0).
            double pad = min != 0 ? Math.abs(min) * 0.5 : 1;
            a.setRange(min - pad, max + pad);
        }
        return a;
    }

    // ------------------------------------------------------------------ rendering

    /** Draws a chart into an image of the given size. */
    public static BufferedImage render(JFreeChart chart, int width, int height) {
        return chart.createBufferedImage(width, height);
    }

    /**
     * Columns for a grid of {@code panels} panels: at least {@code atLeast} (fewer only when there are fewer panels),
     * more as the count grows, so that the grid stays about square (11 panels: 4 columns, 3 rows).
     */
    public static int columns(int panels, int atLeast) {
        int square = (int) Math.ceil(Math.sqrt(panels));
        return Math.max(1, Math.min(panels, Math.max(atLeast, square)));
    }

    /**
     * The line of series {@code i}: solid for the first {@code COLORS.length} series, then dashed (and dotted after
     * that) as the colours repeat, so that any number of series stay apart.
     */
    static BasicStroke stroke(int i) {
        int round = i / COLORS.length;
        if (round == 0) {
            return new BasicStroke(2.0f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND);
        }
        float[] dash = round == 1 ? new float[] {8f, 5f} : new float[] {2f, 4f};
        return new BasicStroke(2.0f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND, 10f, dash, 0f);
    }

    /**
     * A figure of several panels in a grid, with a title above.
     *
     * @param cols panels per row
     */
    public static BufferedImage figure(String title, List<JFreeChart> panels, int cols, int panelWidth,
            int panelHeight) {
        int rows = (panels.size() + cols - 1) / cols;
        int titleHeight = title == null || title.isBlank() ? 0 : 44;
        BufferedImage img = new BufferedImage(cols * panelWidth, rows * panelHeight + titleHeight,
                BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, img.getWidth(), img.getHeight());
            if (titleHeight > 0) {
                g.setColor(Color.BLACK);
                g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 20));
                FontMetrics fm = g.getFontMetrics();
                g.drawString(title, Math.max(4, (img.getWidth() - fm.stringWidth(title)) / 2), 30);
            }
            for (int i = 0; i < panels.size(); i++) {
                int r = i / cols;
                int c = i % cols;
                Rectangle2D area = new Rectangle2D.Double(c * panelWidth, titleHeight + r * panelHeight, panelWidth,
                        panelHeight);
                Graphics2D pg = (Graphics2D) g.create();
                try {
                    pg.clip(area);
                    panels.get(i).draw(pg, area);
                } finally {
                    pg.dispose();
                }
            }
        } finally {
            g.dispose();
        }
        return img;
    }

    /** Writes an image as a PNG file, atomically. */
    public static void savePng(Path file, BufferedImage image) throws IOException {
        AtomicFiles.writePng(file, image);
    }
}
