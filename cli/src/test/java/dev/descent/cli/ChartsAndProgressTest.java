package dev.descent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.cli.plot.Charts;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The plotting helpers, the progress display, and number formatting. */
class ChartsAndProgressTest {
    @TempDir
    Path dir;

    /** A curve that settles at a tiny value (LBFGS on Rosenbrock: 3.9e-14 from step 1) is drawn at its own scale. */
    @Test
    void aFlatTinyCurveKeepsItsScale() {
        double[] x = {1, 2, 3, 4};
        double[] y = {3.9e-14, 3.9e-14, 3.9e-14, 3.9e-14};
        var chart = Charts.curves("flat", "step", "R", List.of(new Charts.Curve("lbfgs", x, y)), true, true,
                List.of());
        var range = chart.getXYPlot().getRangeAxis().getRange();
        assertTrue(range.contains(3.9e-14), range.toString());
        assertTrue(range.getLength() < 1e-12, "a window at the value's scale, not [-1, 1]: " + range);
    }

    @Test
    void figuresWithDivergingAndNonFiniteDataStillDraw() throws Exception {
        double[] w1 = {0, 0.5, 3, 1e20, Double.NaN, Double.POSITIVE_INFINITY};
        double[] w2 = {1, 0.2, -2, 1e30, Double.NaN, 1};
        double[] x = {0, 1, 2, 3, 4, 5};
        double[] y = {11, 3, 0, 1e40, Double.NaN, Double.POSITIVE_INFINITY};
        var contour = Charts.rosenbrock("t", List.of(new Charts.Trajectory("p", w1, w2, "diverged at step 3")));
        var loss = Charts.curves("loss", "step", "R", List.of(new Charts.Curve("p", x, y)), true, true,
                List.of("note"));
        Path png = dir.resolve("f.png");
        Charts.savePng(png, Charts.figure("title", List.of(contour, loss), 2, 400, 300));
        Images.check(png, 800, 344);
        var empty = Charts.curves("nothing", "x", "y", List.of(new Charts.Curve("none", new double[0],
                new double[0])), true, true, List.of());
        Charts.savePng(dir.resolve("e.png"), Charts.render(empty, 300, 200));
    }

    @Test
    void rosenbrockValue() {
        assertEquals(11.0, Charts.rosenbrock(0, 1));
        assertEquals(0.0, Charts.rosenbrock(1, 1));
    }

    @Test
    void plainProgressLines() {
        StringWriter sw = new StringWriter();
        Progress p = new Progress(new PrintWriter(sw, true), Progress.Mode.LINES, "");
        p.start(1, 2, 3);
        for (int b = 0; b < 3; b++) {
            p.batch(1, b, 10, 0.5);
        }
        p.epoch(1, 0.5, 0.25, 0.75, 0.1);
        p.message("hello");
        p.finish();
        String text = sw.toString();
        assertTrue(text.contains("epoch 1/2  train_loss 0.500000  test_loss 0.250000  test_accuracy 0.7500"), text);
        assertTrue(text.contains("hello"));
        assertFalse(text.contains("\r"), "plain lines have no carriage returns");

        StringWriter bar = new StringWriter();
        Progress b = new Progress(new PrintWriter(bar, true), Progress.Mode.BAR, "");
        b.start(1, 1, 2);
        b.batch(1, 0, 10, 1.0);
        b.batch(1, 1, 10, 3.0);
        assertTrue(bar.toString().contains("\r") && bar.toString().contains("2/2 batches  loss 2.000000"),
                bar.toString());
        b.epoch(1, 2.0, null, null, 0.1);
        assertTrue(bar.toString().endsWith("epoch 1/1  train_loss 2.000000  0.10s" + System.lineSeparator()),
                bar.toString());

        StringWriter quiet = new StringWriter();
        Progress q = new Progress(new PrintWriter(quiet, true), Progress.Mode.QUIET, "");
        q.start(1, 1, 1);
        q.batch(1, 0, 1, 1.0);
        q.epoch(1, 1, null, null, 1);
        assertEquals("", quiet.toString());
    }

    @Test
    void numbersInTitles() {
        assertEquals("1e-6", Fmt.number(1e-6));
        assertEquals("2e-5", Fmt.number(2e-5));
        assertEquals("2.5e-5", Fmt.number(2.5e-5));
        assertEquals("0.04", Fmt.number(0.04));
        assertEquals("1000", Fmt.number(1000));
        assertEquals("NaN", Fmt.number(Double.NaN));
    }
}
