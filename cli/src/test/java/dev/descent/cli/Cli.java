package dev.descent.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/** Test helpers: run descent in-process with captured output, and make small data sets. */
final class Cli {
    private Cli() {
    }

    /** What a run printed and returned. */
    record Result(int code, String out, String err) {
        /** The non-empty lines of standard error. */
        List<String> errLines() {
            return err.lines().filter(l -> !l.isBlank()).toList();
        }

        @Override
        public String toString() {
            return "exit " + code + "\n--- out:\n" + out + "\n--- err:\n" + err;
        }
    }

    static Result run(String... args) {
        Interrupts.reset();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    /**
     * A small classification CSV: {@code classes} Gaussian blobs in {@code features} dimensions, header
     * {@code f0,...,label} (label last, to exercise the column lookup).
     */
    static Path blobs(Path dir, String name, int rows, int features, int classes, long seed, double scale)
            throws IOException {
        Random rnd = new Random(seed);
        Random centres = new Random(42);
        double[][] c = new double[classes][features];
        for (double[] row : c) {
            for (int j = 0; j < features; j++) {
                row[j] = centres.nextGaussian() * 3;
            }
        }
        List<String> lines = new ArrayList<>();
        StringBuilder header = new StringBuilder();
        for (int j = 0; j < features; j++) {
            header.append('f').append(j).append(',');
        }
        lines.add(header.append("label").toString());
        for (int i = 0; i < rows; i++) {
            int y = i % classes;
            StringBuilder sb = new StringBuilder();
            for (int j = 0; j < features; j++) {
                sb.append(String.format(Locale.ROOT, "%.4f", scale * (c[y][j] + rnd.nextGaussian()))).append(',');
            }
            lines.add(sb.append(y).toString());
        }
        Path f = dir.resolve(name);
        Files.write(f, lines);
        return f;
    }

    /** A regression CSV: {@code target = 2·x0 − x1 + 0.5 + noise}. */
    static Path regression(Path dir, String name, int rows, long seed) throws IOException {
        Random rnd = new Random(seed);
        List<String> lines = new ArrayList<>();
        lines.add("x0,x1,target");
        for (int i = 0; i < rows; i++) {
            double a = rnd.nextGaussian();
            double b = rnd.nextGaussian();
            double y = 2 * a - b + 0.5 + 0.01 * rnd.nextGaussian();
            lines.add(String.format(Locale.ROOT, "%.5f,%.5f,%.5f", a, b, y));
        }
        Path f = dir.resolve(name);
        Files.write(f, lines);
        return f;
    }
}
