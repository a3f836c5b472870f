package dev.descent.it.optim;

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
import java.util.TreeMap;

/**
 * Reads the golden files written by integration-tests/scripts/make_golden_optim.py (format described there): a header
 * of {@code key values...} lines, then cases from {@code case ID} to {@code end}.
 */
final class Golden {
    /** Header lines by their first word (each the rest of the line split on spaces). */
    final Map<String, List<String[]>> header = new LinkedHashMap<>();
    final List<Case> cases = new ArrayList<>();

    /** A parameter group line: comma-separated names and optional lr / weight_decay. */
    record Group(List<String> names, Double lr, Double weightDecay) {
    }

    /** One case: a trajectory or a schedule sequence. */
    static final class Case {
        String id;
        String optimizer;
        final Map<String, String> settings = new LinkedHashMap<>();
        final List<Group> groups = new ArrayList<>();
        String schedule = "constant";
        String clip = "none";
        int steps;
        int epoch;
        /** Schedule cases: the number of scheduler steps recorded, or -1 for the header's metric count. */
        int events = -1;
        final List<double[]> lrs = new ArrayList<>();
        double[] loss;
        /** step → parameter name → values. */
        final Map<Integer, Map<String, float[]>> params = new TreeMap<>();
        /** Per-step counters (lbfgs: func_evals, n_iter), by name. */
        final Map<String, long[]> counters = new LinkedHashMap<>();

        @Override
        public String toString() {
            return id;
        }
    }

    static Golden load(String resource) {
        InputStream in = Golden.class.getResourceAsStream("/golden/optim/" + resource);
        if (in == null) {
            throw new IllegalStateException("missing test resource golden/optim/" + resource
                    + "; run integration-tests/scripts/make_golden_optim.py");
        }
        Golden g = new Golden();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            Case c = null;
            String line;
            int no = 0;
            while ((line = r.readLine()) != null) {
                no++;
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] t = line.split(" ");
                String[] rest = Arrays.copyOfRange(t, 1, t.length);
                if (c == null) {
                    if (t[0].equals("case")) {
                        c = new Case();
                        c.id = t[1];
                    } else {
                        g.header.computeIfAbsent(t[0], k -> new ArrayList<>()).add(rest);
                    }
                    continue;
                }
                switch (t[0]) {
                    case "optimizer" -> {
                        c.optimizer = t[1];
                        for (int i = 2; i < t.length; i++) {
                            String[] kv = t[i].split("=", 2);
                            c.settings.put(kv[0], kv[1]);
                        }
                    }
                    case "group" -> {
                        Double lr = null;
                        Double wd = null;
                        for (int i = 2; i < t.length; i++) {
                            String[] kv = t[i].split("=", 2);
                            if (kv[0].equals("lr")) {
                                lr = Double.parseDouble(kv[1]);
                            } else if (kv[0].equals("weight_decay")) {
                                wd = Double.parseDouble(kv[1]);
                            } else {
                                throw new IllegalStateException(resource + ":" + no + ": unknown group key " + kv[0]);
                            }
                        }
                        c.groups.add(new Group(List.of(t[1].split(",")), lr, wd));
                    }
                    case "schedule" -> c.schedule = line.substring("schedule ".length());
                    case "clip" -> c.clip = t[1];
                    case "steps" -> {
                        c.steps = Integer.parseInt(t[1]);
                        c.epoch = Integer.parseInt(t[3]);
                    }
                    case "loss" -> c.loss = doubles(rest);
                    case "events" -> c.events = Integer.parseInt(t[1]);
                    case "func_evals", "n_iter" -> c.counters.put(t[0],
                            Arrays.stream(rest).mapToLong(Long::parseLong).toArray());
                    case "param" -> c.params.computeIfAbsent(Integer.parseInt(t[1]), k -> new LinkedHashMap<>())
                            .put(t[2], floats(Arrays.copyOfRange(t, 3, t.length)));
                    case "end" -> {
                        g.cases.add(c);
                        c = null;
                    }
                    default -> {
                        if (t[0].startsWith("lr.")) {
                            c.lrs.add(doubles(rest));
                        } else {
                            throw new IllegalStateException(resource + ":" + no + ": unknown line " + t[0]);
                        }
                    }
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

    static float[] floats(String[] s) {
        float[] out = new float[s.length];
        for (int i = 0; i < s.length; i++) {
            out[i] = Float.parseFloat(s[i]);
        }
        return out;
    }

    /** Doubles as Python writes them ({@code repr}: also {@code nan}, {@code inf}, {@code -inf}). */
    static double[] doubles(String[] s) {
        double[] out = new double[s.length];
        for (int i = 0; i < s.length; i++) {
            out[i] = switch (s[i]) {
                case "nan" -> Double.NaN;
                case "inf" -> Double.POSITIVE_INFINITY;
                case "-inf" -> Double.NEGATIVE_INFINITY;
                default -> Double.parseDouble(s[i]);
            };
        }
        return out;
    }

    Case find(String id) {
        return cases.stream().filter(c -> c.id.equals(id)).findFirst().orElseThrow();
    }
}
