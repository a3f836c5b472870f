package dev.descent.it.loss;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the golden files written by integration-tests/scripts/make_golden_losses.py (format described there): cases
 * from {@code case ID} to {@code end}.
 */
public final class LossGolden {
    /** A matrix, row-major. */
    public record Matrix(int rows, int cols, float[] values) {
    }

    /** One case of losses.txt or train.txt. */
    public static final class Case {
        public String id;
        public String spec;
        public String torch;
        public Matrix outputs;
        public Matrix targets;
        public int[] labels;
        public float value;
        public float[] grad;
        public String model;
        public int hidden;
        public Matrix features;
        public double lr;
        public int batch;
        public int epochs;
        public final Map<String, Matrix> params = new LinkedHashMap<>();
        public final List<Float> steps = new ArrayList<>();
        public final Map<String, Matrix> finals = new LinkedHashMap<>();

        public int rows() {
            return labels != null ? labels.length : targets.rows();
        }

        @Override
        public String toString() {
            return id + " " + spec;
        }
    }

    private LossGolden() {
    }

    public static List<Case> load(String name) {
        String path = "/golden/loss/" + name;
        List<Case> cases = new ArrayList<>();
        try (InputStream in = LossGolden.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + path
                        + " (run integration-tests/scripts/make_golden_losses.py)");
            }
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            Case c = null;
            for (String line; (line = r.readLine()) != null; ) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] t = line.split(" ");
                switch (t[0]) {
                    case "case" -> {
                        c = new Case();
                        c.id = t[1];
                    }
                    case "spec" -> c.spec = line.substring(5);
                    case "torch" -> c.torch = line.substring(6);
                    case "outputs" -> c.outputs = matrix(t, 1);
                    case "targets" -> c.targets = matrix(t, 1);
                    case "features" -> c.features = matrix(t, 1);
                    case "labels" -> {
                        int n = Integer.parseInt(t[1]);
                        c.labels = new int[n];
                        for (int i = 0; i < n; i++) {
                            c.labels[i] = Integer.parseInt(t[2 + i]);
                        }
                    }
                    case "value" -> c.value = Float.parseFloat(t[1]);
                    case "grad" -> {
                        c.grad = new float[t.length - 1];
                        for (int i = 0; i < c.grad.length; i++) {
                            c.grad[i] = Float.parseFloat(t[1 + i]);
                        }
                    }
                    case "model" -> c.model = t[1];
                    case "hidden" -> c.hidden = Integer.parseInt(t[1]);
                    case "sgd" -> c.lr = Double.parseDouble(t[1]);
                    case "batch" -> c.batch = Integer.parseInt(t[1]);
                    case "epochs" -> c.epochs = Integer.parseInt(t[1]);
                    case "param" -> c.params.put(t[1], matrix(t, 2));
                    case "final" -> c.finals.put(t[1], matrix(t, 2));
                    case "step" -> c.steps.add(Float.parseFloat(t[2]));
                    case "end" -> {
                        cases.add(c);
                        c = null;
                    }
                    default -> throw new IllegalStateException(path + ": unknown line " + t[0]);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return cases;
    }

    private static Matrix matrix(String[] t, int at) {
        int rows = Integer.parseInt(t[at]);
        int cols = Integer.parseInt(t[at + 1]);
        float[] v = new float[rows * cols];
        for (int i = 0; i < v.length; i++) {
            v[i] = Float.parseFloat(t[at + 2 + i]);
        }
        return new Matrix(rows, cols, v);
    }
}
