package dev.descent.cli;

import dev.descent.backend.Backend;
import dev.descent.backend.Tensor;
import dev.descent.cli.io.AtomicFiles;
import dev.descent.cli.io.Json;
import dev.descent.cli.io.Npy;
import dev.descent.cli.io.Npz;
import dev.descent.data.FeatureTransform;
import dev.descent.data.SafeText;
import dev.descent.loss.LossSpec;
import dev.descent.model.Init;
import dev.descent.model.Model;
import dev.descent.model.ModelSpec;
import dev.descent.optim.Parameter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The saved-model format of the command line, readable by NumPy: {@code model.npz} holds one float32 array per
 * parameter, by its name ({@code W}, {@code b}, or {@code layer1.W}, {@code layer1.b}, … for an MLP; weights are
 * [inputs, outputs], so the forward pass is {@code X @ W + b} with ReLU between layers), plus the feature scaling
 * fitted on the training data ({@code scaling.shift}, {@code scaling.divisor}: {@code x' = (x − shift) / divisor}),
 * and {@code model.json} says what the model is (kind, sizes, bias, loss with its settings as {@code LossSpec}'s text,
 * e.g. {@code "huber(delta=0.5)"}, classes, the parameters' names and shapes).
 *
 * <pre>{@code
 * import json, numpy as np
 * meta = json.load(open("model.json")); z = np.load("model.npz")
 * x = (x - z.get("scaling.shift", 0)) / z.get("scaling.divisor", 1)
 * logits = x @ z["W"] + (z["b"] if "b" in z else 0)
 * }</pre>
 */
final class ModelFiles {
    static final String JSON = "model.json";
    static final String NPZ = "model.npz";
    static final int VERSION = 1;

    private ModelFiles() {
    }

    /** A loaded model with its scaling and description. */
    record Loaded(Model model, FeatureTransform transform, Map<String, Object> meta, Path json)
            implements AutoCloseable {
        @Override
        public void close() {
            model.close();
        }

        /**
         * The label of each class of a classifier: model.json's {@code class_labels} where the model recorded how its
         * classes map to the data's original labels, else the class numbers {@code 0 .. k-1} (train keeps the labels
         * as they are, so class i is label i). Checked by {@link ModelFiles#load}.
         */
        int[] classLabels() {
            try {
                return ModelFiles.classLabels(meta, json, model.classes());
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        /** The training's {@code --label-column} as recorded in model.json ({@code data.label_column}), or null. */
        String labelColumn() {
            return meta.get("data") instanceof Map<?, ?> d && d.get("label_column") instanceof String s ? s : null;
        }
    }

    /**
     * The optional field of model.json that maps classes to the data's original labels: an array of k distinct
     * non-negative integers, entry i the label of class i (as {@link dev.descent.data.LabelMap} renumbers them).
     */
    static final String CLASS_LABELS = "class_labels";

    /** model.json's {@value #CLASS_LABELS}, checked, or {@code 0 .. classes-1} when there is none. */
    static int[] classLabels(Map<String, Object> meta, Path json, int classes) throws IOException {
        int[] labels = new int[Math.max(classes, 0)];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = i;
        }
        Object v = meta.get(CLASS_LABELS);
        if (v == null) {
            return labels;
        }
        if (!(v instanceof List<?> list) || list.size() != classes) {
            throw new IOException(json + ": \"" + CLASS_LABELS + "\" must be an array of the model's " + classes
                    + " class labels" + (v instanceof List<?> l ? ", it has " + l.size() : ""));
        }
        java.util.Set<Integer> seen = new java.util.HashSet<>();
        for (int i = 0; i < classes; i++) {
            if (!(list.get(i) instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())
                    || n.doubleValue() < 0 || n.doubleValue() > Integer.MAX_VALUE) {
                throw new IOException(json + ": \"" + CLASS_LABELS + "\"[" + i + "] is "
                        + SafeText.of(String.valueOf(list.get(i))) + ", not a non-negative integer label");
            }
            labels[i] = n.intValue();
            if (!seen.add(labels[i])) {
                throw new IOException(json + ": \"" + CLASS_LABELS + "\" names label " + labels[i] + " twice");
            }
        }
        return labels;
    }

    /** Writes {@code dir/model.npz} and {@code dir/model.json} (atomically, the arrays first). */
    static void save(Path dir, Model model, FeatureTransform transform, Map<String, Object> data) throws IOException {
        Backend backend = model.backend();
        Map<String, Npy.Array> arrays = new LinkedHashMap<>();
        List<Map<String, Object>> params = new ArrayList<>();
        for (Parameter p : model.parameters()) {
            Tensor v = p.value();
            arrays.put(p.name(), Npy.Array.of(backend.download(v), v.shape()));
            Map<String, Object> pm = new LinkedHashMap<>();
            pm.put("name", p.name());
            pm.put("shape", v.shape());
            params.add(pm);
        }
        Map<String, Object> scaling = new LinkedHashMap<>();
        scaling.put("description", transform.description());
        if (!transform.isIdentity()) {
            float[] shift = transform.shift();
            float[] divisor = transform.divisor();
            if (shift != null) {
                arrays.put("scaling.shift", Npy.Array.of(shift, shift.length));
            }
            arrays.put("scaling.divisor", Npy.Array.of(divisor, divisor.length));
            scaling.put("arrays", shift != null ? List.of("scaling.shift", "scaling.divisor")
                    : List.of("scaling.divisor"));
            scaling.put("formula", "x' = (x - shift) / divisor");
        }
        ModelSpec s = model.spec();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("format", "descent-model");
        m.put("version", VERSION);
        m.put("kind", s.kind());
        m.put("description", s.describe());
        m.put("inputs", s.inputs());
        m.put("outputs", s.outputs());
        m.put("classes", s.classes());
        m.put("hidden", s.hidden());
        m.put("bias", s.bias());
        m.put("loss", s.loss().spec());
        m.put("init", s.init().shortName());
        m.put("seed", s.seed());
        m.put("weights", NPZ);
        m.put("parameters", params);
        m.put("forward", forward(s));
        m.put("scaling", scaling);
        m.put("data", data);
        Npz.write(dir.resolve(NPZ), arrays);
        AtomicFiles.writeString(dir.resolve(JSON), Json.write(m));
    }

    private static String forward(ModelSpec s) {
        String pred = switch (s.kind()) {
            case "logistic" -> "; class 1 where the logit > 0";
            case "linear" -> "";
            default -> "; class = argmax of the logits";
        };
        if (s.hidden().isEmpty()) {
            return "out = X @ W" + (s.bias() ? " + b" : "") + pred;
        }
        return "h1 = relu(X @ layer1.W" + (s.bias() ? " + layer1.b" : "") + "), ..., out = h @ layerL.W"
                + (s.bias() ? " + layerL.b" : "") + pred;
    }

    /**
     * Loads a model saved by {@link #save}: {@code path} is its folder, its {@code model.json} or its
     * {@code model.npz}.
     *
     * @throws IOException naming the file and what does not match
     */
    static Loaded load(Path path, Backend backend) throws IOException {
        Path json;
        if (Files.isDirectory(path)) {
            json = path.resolve(JSON);
        } else if (path.getFileName().toString().endsWith(".npz")) {
            json = path.resolveSibling(JSON);
        } else {
            json = path;
        }
        if (!Files.isRegularFile(json)) {
            throw new NoSuchFileException(json.toString(), null, Files.exists(path)
                    ? "no model.json next to it (expected the folder a 'descent train' run wrote)" : "no such file");
        }
        Map<String, Object> m = Json.readObject(json);
        if (!"descent-model".equals(m.get("format"))) {
            throw new IOException(json + ": not a descent model description (no \"format\": \"descent-model\")");
        }
        int version = intOf(m, "version", json);
        if (version != VERSION) {
            throw new IOException(json + ": model format version " + version + ", this descent reads " + VERSION);
        }
        Path npz = weightsFile(json, m.getOrDefault("weights", NPZ));
        Map<String, Npy.Array> arrays = Npz.read(npz);
        ModelSpec spec;
        try {
            ModelSpec.Builder b = ModelSpec.builder(String.valueOf(m.get("kind")))
                    .inputs(intOf(m, "inputs", json)).outputs(intOf(m, "outputs", json))
                    .bias(Boolean.TRUE.equals(m.get("bias")))
                    .init(Init.fromName(String.valueOf(m.get("init"))))
                    .seed((long) numberOf(m, "seed", json))
                    .loss(LossSpec.parse(String.valueOf(m.get("loss"))));
            Object hidden = m.get("hidden");
            if (hidden instanceof List<?> h && !h.isEmpty()) {
                b.hidden(h.stream().mapToInt(x -> ((Number) x).intValue()).toArray());
            }
            spec = b.build();
        } catch (IllegalArgumentException | ClassCastException e) {
            throw new IOException(json + ": " + e.getMessage(), e);
        }
        Model model = spec.create(backend);
        try {
            for (Parameter p : model.parameters()) {
                Npy.Array a = arrays.get(p.name());
                if (a == null) {
                    throw new IOException(npz + ": no array '" + p.name() + "' (the " + spec.describe()
                            + " model needs " + model.parameters().stream().map(Parameter::name).toList() + ")");
                }
                if (!a.isFloat() || a.size() != p.value().size()
                        || !Arrays.equals(squeeze(a.shape()), squeeze(p.value().shape()))) {
                    throw new IOException(npz + ": array '" + p.name() + "' has shape " + Arrays.toString(a.shape())
                            + ", the model needs " + Arrays.toString(p.value().shape()));
                }
                backend.upload(a.floats(), 0, p.value());
            }
        } catch (IOException | RuntimeException e) {
            model.close();
            throw e;
        }
        try {
            classLabels(m, json, model.classes());
        } catch (IOException e) {
            model.close();
            throw e;
        }
        FeatureTransform transform = FeatureTransform.identity();
        Npy.Array divisor = arrays.get("scaling.divisor");
        if (divisor != null) {
            Npy.Array shift = arrays.get("scaling.shift");
            String desc = m.get("scaling") instanceof Map<?, ?> sm ? String.valueOf(sm.get("description")) : "scaling";
            try {
                if (shift == null && divisor.size() == 1) {
                    transform = FeatureTransform.divideBy(divisor.floats()[0], desc);
                } else {
                    float[] d = divisor.floats();
                    int n = spec.inputs();
                    float[] dd = d.length == 1 ? filled(n, d[0]) : d;
                    transform = FeatureTransform.affine(shift == null ? new float[n] : shift.floats(), dd, desc);
                }
            } catch (IllegalArgumentException e) {
                model.close();
                throw new IOException(npz + ": bad scaling arrays: " + e.getMessage(), e);
            }
        }
        return new Loaded(model, transform, m, json);
    }

    private static float[] filled(int n, float v) {
        float[] a = new float[n];
        Arrays.fill(a, v);
        return a;
    }

    private static int[] squeeze(int[] shape) {
        return Arrays.stream(shape).filter(d -> d != 1).toArray();
    }

    private static double numberOf(Map<String, Object> m, String key, Path file) throws IOException {
        if (!(m.get(key) instanceof Number n)) {
            throw new IOException(file + ": field \"" + key + "\" missing or not a number");
        }
        return n.doubleValue();
    }

    private static int intOf(Map<String, Object> m, String key, Path file) throws IOException {
        return (int) numberOf(m, key, file);
    }

    /**
     * The weights file {@code model.json} names: a plain file name in the model's own folder. A path that leads
     * elsewhere ({@code ../other/model.npz}, {@code /etc/...}, a sub-folder) is refused, so that a model folder from
     * someone else cannot make descent read files outside it.
     */
    static Path weightsFile(Path json, Object weights) throws IOException {
        String name = String.valueOf(weights);
        Path p;
        try {
            p = Path.of(name);
        } catch (java.nio.file.InvalidPathException e) {
            throw new IOException(json + ": \"weights\": \"" + SafeText.of(name) + "\" is not a file name");
        }
        if (name.isBlank() || p.isAbsolute() || p.getNameCount() != 1 || name.equals(".") || name.equals("..")) {
            throw new IOException(json + ": \"weights\": \"" + SafeText.of(name) + "\" must be a file name in the "
                    + "model's folder (like \"" + NPZ + "\"), not a path");
        }
        return json.resolveSibling(p);
    }
}
