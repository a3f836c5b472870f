package dev.descent.cli;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * Progress of a training run on standard error: a bar redrawn in place (epochs, batches, loss, throughput, ETA) when
 * standard error is a terminal, plain lines (one per epoch, and one every few seconds within a long epoch) when it is
 * not, or nothing with {@code --quiet}. Lines printed with {@link #message} do not break the bar.
 */
public final class Progress {
    /** How progress is shown. */
    public enum Mode { BAR, LINES, QUIET }

    private static final long BAR_INTERVAL_NANOS = 100_000_000L;
    private static final long LINE_INTERVAL_NANOS = 10_000_000_000L;

    private final PrintWriter err;
    private final Mode mode;
    private final String label;
    private int totalEpochs;
    private int batchesPerEpoch;
    private int firstEpoch;
    private long runStart;
    private long epochStart;
    private long lastDraw;
    private long samplesDone;
    private long batchesDone;
    private double lastLoss = Double.NaN;
    private boolean barShown;
    private int barWidth;
    private boolean epochLines = true;
    private double runningSum;
    private long runningRows;
    private long lastEpochLine;

    public Progress(PrintWriter err, Mode mode, String label) {
        this.err = err;
        this.mode = mode;
        this.label = label == null ? "" : label;
    }

    /** BAR when standard error is a terminal, LINES otherwise, QUIET when asked. */
    public static Mode detect(boolean quiet) {
        if (quiet) {
            return Mode.QUIET;
        }
        String tty = System.getProperty("descent.stderr.tty");
        if (tty != null) {
            return Boolean.parseBoolean(tty) ? Mode.BAR : Mode.LINES;
        }
        java.io.Console c = System.console();
        return c != null && c.isTerminal() ? Mode.BAR : Mode.LINES;
    }

    public Mode mode() {
        return mode;
    }

    /**
     * Whether each epoch prints a line (default). Without, for commands that run many short trainings, the bar tracks
     * epochs and plain output prints a line at most every ten seconds.
     */
    public Progress epochLines(boolean on) {
        this.epochLines = on;
        return this;
    }

    /**
     * Starts a run.
     *
     * @param firstEpoch the epoch the run starts at (after a resume, the epoch it continues with)
     */
    public void start(int firstEpoch, int totalEpochs, int batchesPerEpoch) {
        this.firstEpoch = firstEpoch;
        this.totalEpochs = totalEpochs;
        this.batchesPerEpoch = Math.max(1, batchesPerEpoch);
        this.runStart = System.nanoTime();
        this.epochStart = runStart;
        this.lastDraw = 0;
        this.samplesDone = 0;
        this.batchesDone = 0;
    }

    /** Called after each batch of an epoch, with the batch's loss (NaN when not known). */
    public void batch(int epoch, int batchIndex, int rows, double loss) {
        samplesDone += rows;
        batchesDone++;
        if (batchIndex == 0) {
            runningSum = 0;
            runningRows = 0;
        }
        runningSum += loss * rows;
        runningRows += rows;
        if (mode == Mode.QUIET) {
            return;
        }
        long now = System.nanoTime();
        if (batchIndex == 0) {
            epochStart = now - 1;
        }
        if (!epochLines) {
            return;
        }
        if (mode == Mode.BAR) {
            if (now - lastDraw >= BAR_INTERVAL_NANOS || batchIndex + 1 == batchesPerEpoch) {
                lastDraw = now;
                drawBar(epoch, batchIndex + 1, now);
            }
        } else if (now - epochStart > LINE_INTERVAL_NANOS && now - lastDraw > LINE_INTERVAL_NANOS) {
            lastDraw = now;
            err.println(prefix() + String.format(Locale.ROOT, "epoch %d/%d: batch %d/%d, %s samples/s, ETA %s",
                    epoch, totalEpochs, batchIndex + 1, batchesPerEpoch, rate(now), eta(epoch, batchIndex + 1, now)));
            err.flush();
        }
    }

    /** Called when an epoch ends, with its metrics (test values may be null). */
    public void epoch(int epoch, double trainLoss, Double testLoss, Double testAccuracy, double seconds) {
        epoch(epoch, trainLoss, null, null, testLoss, testAccuracy, seconds);
    }

    /** Called when an epoch ends, with its metrics (validation and test values may be null). */
    public void epoch(int epoch, double trainLoss, Double valLoss, Double valAccuracy, Double testLoss,
            Double testAccuracy, double seconds) {
        lastLoss = trainLoss;
        if (mode == Mode.QUIET) {
            return;
        }
        if (!epochLines) {
            long now = System.nanoTime();
            if (mode == Mode.BAR) {
                drawEpochBar(epoch, now);
            } else if (now - lastEpochLine > LINE_INTERVAL_NANOS || epoch == totalEpochs) {
                lastEpochLine = now;
                err.println(prefix() + String.format(Locale.ROOT, "epoch %d/%d  train_loss %s", epoch, totalEpochs,
                        num(trainLoss)));
                err.flush();
            }
            return;
        }
        StringBuilder sb = new StringBuilder(prefix());
        sb.append(String.format(Locale.ROOT, "epoch %d/%d  train_loss %s", epoch, totalEpochs, num(trainLoss)));
        if (valLoss != null) {
            sb.append("  val_loss ").append(num(valLoss));
        }
        if (valAccuracy != null) {
            sb.append(String.format(Locale.ROOT, "  val_accuracy %.4f", valAccuracy));
        }
        if (testLoss != null) {
            sb.append("  test_loss ").append(num(testLoss));
        }
        if (testAccuracy != null) {
            sb.append(String.format(Locale.ROOT, "  test_accuracy %.4f", testAccuracy));
        }
        sb.append(String.format(Locale.ROOT, "  %.2fs", seconds));
        clearBar();
        err.println(sb);
        err.flush();
        lastDraw = 0;
    }

    /** Prints a line (above the bar, if one is shown). */
    public void message(String line) {
        if (mode == Mode.QUIET) {
            return;
        }
        clearBar();
        err.println(prefix() + line);
        err.flush();
    }

    /** Ends the run: removes the bar. */
    public void finish() {
        clearBar();
        err.flush();
    }

    private String prefix() {
        return label.isEmpty() ? "" : label + ": ";
    }

    private void drawBar(int epoch, int batch, long now) {
        int columns = terminalColumns();
        double shown = runningRows > 0 ? runningSum / runningRows : lastLoss;
        String stats = String.format(Locale.ROOT, " %d/%d batches  loss %s  %s samples/s  ETA %s", batch,
                batchesPerEpoch, runningRows == 0 && Double.isNaN(shown) ? "-" : num(shown), rate(now),
                eta(epoch, batch, now));
        String head = prefix() + String.format(Locale.ROOT, "epoch %d/%d ", epoch, totalEpochs);
        int width = Math.max(10, Math.min(40, columns - head.length() - stats.length() - 3));
        int filled = (int) ((long) width * batch / batchesPerEpoch);
        String bar = head + "[" + "#".repeat(filled) + "-".repeat(width - filled) + "]" + stats;
        if (bar.length() > columns - 1) {
            bar = bar.substring(0, Math.max(0, columns - 1));
        }
        int pad = Math.max(0, barWidth - bar.length());
        err.print("\r" + bar + " ".repeat(pad));
        err.flush();
        barWidth = bar.length();
        barShown = true;
    }

    private void drawEpochBar(int epoch, long now) {
        int columns = terminalColumns();
        String head = prefix() + "epochs ";
        String stats = String.format(Locale.ROOT, " %d/%d  loss %s", epoch, totalEpochs, num(lastLoss));
        int width = Math.max(10, Math.min(40, columns - head.length() - stats.length() - 3));
        int filled = (int) ((long) width * epoch / Math.max(1, totalEpochs));
        String bar = head + "[" + "#".repeat(filled) + "-".repeat(width - filled) + "]" + stats;
        if (bar.length() > columns - 1) {
            bar = bar.substring(0, Math.max(0, columns - 1));
        }
        err.print("\r" + bar + " ".repeat(Math.max(0, barWidth - bar.length())));
        err.flush();
        barWidth = bar.length();
        barShown = true;
        lastDraw = now;
    }

    private void clearBar() {
        if (barShown) {
            err.print("\r" + " ".repeat(barWidth) + "\r");
            barShown = false;
            barWidth = 0;
        }
    }

    private String rate(long now) {
        double secs = (now - runStart) / 1e9;
        if (secs <= 0 || samplesDone == 0) {
            return "-";
        }
        double r = samplesDone / secs;
        if (r >= 1e6) {
            return String.format(Locale.ROOT, "%.1fM", r / 1e6);
        }
        if (r >= 1e4) {
            return String.format(Locale.ROOT, "%.1fk", r / 1e3);
        }
        return String.format(Locale.ROOT, "%.0f", r);
    }

    private String eta(int epoch, int batch, long now) {
        long totalBatches = (long) (totalEpochs - firstEpoch + 1) * batchesPerEpoch;
        long done = (long) (epoch - firstEpoch) * batchesPerEpoch + batch;
        if (done <= 0 || batchesDone == 0) {
            return "--:--";
        }
        double secsPerBatch = (now - runStart) / 1e9 / batchesDone;
        long left = Math.max(0, Math.round(secsPerBatch * (totalBatches - done)));
        return left >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", left / 3600, left / 60 % 60, left % 60)
                : String.format(Locale.ROOT, "%02d:%02d", left / 60, left % 60);
    }

    static String num(double v) {
        if (!Double.isFinite(v)) {
            return Double.isNaN(v) ? "NaN" : (v > 0 ? "Infinity" : "-Infinity");
        }
        double a = Math.abs(v);
        if (a != 0 && (a < 1e-3 || a >= 1e5)) {
            return String.format(Locale.ROOT, "%.4e", v);
        }
        return String.format(Locale.ROOT, "%.6f", v);
    }

    private static int terminalColumns() {
        String c = System.getenv("COLUMNS");
        if (c != null) {
            try {
                return Math.max(40, Integer.parseInt(c.trim()));
            } catch (NumberFormatException e) {
                // fall through
            }
        }
        return 100;
    }
}
