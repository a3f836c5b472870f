package dev.descent.it.autodiff;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the golden files written by integration-tests/scripts/make_golden_autodiff.py (format described there): cases
 * from {@code case ID} to {@code end}, each a list of lines split on spaces; {@link Case#tensors} and
 * {@link Case#points} interpret the function cases, the Rosenbrock test reads its lines itself.
 */
final class AutodiffGolden {
    final List<Case> cases = new ArrayList<>();

    /** A named tensor: rank 0, 1 or 2 and its values, row-major. */
    record Data(String name, int[] shape, float[] values) {
        int rank() {
            return shape.length;
        }

        @Override
        public String toString() {
            return name + Arrays.toString(shape);
        }
    }

    /** A point of a function case: the parameter values, then torch's value and gradients, per form. */
    static final class Point {
        final Map<String, Data> params = new LinkedHashMap<>();
        /** Form ("" for the case's function, "explicit" ...) → value. */
        final Map<String, Float> values = new LinkedHashMap<>();
        /** Form → parameter name → gradient. */
        final Map<String, Map<String, float[]>> grads = new LinkedHashMap<>();
    }

    /** One case: its id and its lines (each split on spaces), without the case and end lines. */
    static final class Case {
        String id;
        final List<String[]> lines = new ArrayList<>();

        /** The constant, input, pixel and label lines, by kind ("const", "input", "labels") and name. */
        Map<String, Map<String, Data>> fixed() {
            Map<String, Map<String, Data>> out = new LinkedHashMap<>();
            for (String[] t : lines) {
                switch (t[0]) {
                    case "const", "input" -> out.computeIfAbsent(t[0], k -> new LinkedHashMap<>()).put(t[1],
                            tensor(t, 2));
                    case "pixels" -> {
                        // integers 0 ... 255 divided by 255 in float32, as torch's x.float() / 255
                        int rows = Integer.parseInt(t[2]);
                        int cols = Integer.parseInt(t[3]);
                        float[] v = new float[rows * cols];
                        for (int i = 0; i < v.length; i++) {
                            v[i] = (float) Integer.parseInt(t[4 + i]) / 255f;
                        }
                        out.computeIfAbsent("input", k -> new LinkedHashMap<>()).put(t[1],
                                new Data(t[1], new int[] {rows, cols}, v));
                    }
                    case "labels" -> {
                        int n = Integer.parseInt(t[2]);
                        float[] v = new float[n];
                        for (int i = 0; i < n; i++) {
                            v[i] = Integer.parseInt(t[3 + i]);
                        }
                        out.computeIfAbsent("labels", k -> new LinkedHashMap<>()).put(t[1],
                                new Data(t[1], new int[] {n}, v));
                    }
                    default -> {
                    }
                }
            }
            return out;
        }

        List<Point> points() {
            List<Point> out = new ArrayList<>();
            Point p = null;
            for (String[] t : lines) {
                String key = t[0];
                String form = "";
                int dot = key.indexOf('.');
                if (dot > 0) {
                    form = key.substring(dot + 1);
                    key = key.substring(0, dot);
                }
                switch (key) {
                    case "point" -> {
                        p = new Point();
                        out.add(p);
                    }
                    case "param" -> p.params.put(t[1], tensor(t, 2));
                    case "paramq" -> {
                        // integers times a float32 step, one rounding: value = (float) q * step
                        Data q = tensor(t, 2);
                        int rank = q.rank();
                        float step = Float.parseFloat(t[3 + rank]);
                        float[] v = new float[q.values().length];
                        for (int i = 0; i < v.length; i++) {
                            v[i] = (float) Integer.parseInt(t[4 + rank + i]) * step;
                        }
                        p.params.put(t[1], new Data(t[1], q.shape(), v));
                    }
                    case "value" -> p.values.put(form, parse(t[1]));
                    case "grad" -> p.grads.computeIfAbsent(form, k -> new LinkedHashMap<>()).put(t[1],
                            floats(t, 2, t.length - 2));
                    default -> {
                    }
                }
            }
            return out;
        }

        /** The first line starting with {@code key}, or null. */
        String[] line(String key) {
            return lines.stream().filter(t -> t[0].equals(key)).findFirst().orElse(null);
        }

        @Override
        public String toString() {
            return id;
        }
    }

    /** NAME RANK DIMS... VALUES... starting at t[1]; for paramq the values are left to the caller. */
    private static Data tensor(String[] t, int rankAt) {
        int rank = Integer.parseInt(t[rankAt]);
        int[] shape = new int[rank];
        int size = 1;
        for (int d = 0; d < rank; d++) {
            shape[d] = Integer.parseInt(t[rankAt + 1 + d]);
            size *= shape[d];
        }
        int at = rankAt + 1 + rank;
        float[] v = t[0].equals("paramq") ? new float[size] : floats(t, at, size);
        return new Data(t[1], shape, v);
    }

    static float[] floats(String[] t, int from, int n) {
        if (t.length != from + n) {
            throw new IllegalStateException(t[0] + " " + t[1] + ": " + (t.length - from) + " values, expected " + n);
        }
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = parse(t[from + i]);
        }
        return out;
    }

    /** A float32 as the script writes it ("%.9g", which reads back exactly; also nan, inf, -inf). */
    static float parse(String s) {
        return switch (s) {
            case "nan" -> Float.NaN;
            case "inf" -> Float.POSITIVE_INFINITY;
            case "-inf" -> Float.NEGATIVE_INFINITY;
            default -> Float.parseFloat(s);
        };
    }

    static AutodiffGolden load(String resource) {
        InputStream in = AutodiffGolden.class.getResourceAsStream("/golden/autodiff/" + resource);
        if (in == null) {
            throw new IllegalStateException("missing test resource golden/autodiff/" + resource
                    + "; run integration-tests/scripts/make_golden_autodiff.py");
        }
        AutodiffGolden g = new AutodiffGolden();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            Case c = null;
            String line;
            while ((line = r.readLine()) != null) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] t = line.split(" ");
                if (c == null) {
                    c = new Case();
                    // "case ID", or a block without an id ("points")
                    c.id = t[0].equals("case") ? t[1] : t[0];
                    continue;
                }
                if (t[0].equals("end")) {
                    g.cases.add(c);
                    c = null;
                } else {
                    c.lines.add(t);
                }
            }
            if (c != null) {
                throw new IllegalStateException(resource + ": case " + c.id + " has no end");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return g;
    }

    Case find(String id) {
        return cases.stream().filter(c -> c.id.equals(id)).findFirst().orElseThrow();
    }
}
