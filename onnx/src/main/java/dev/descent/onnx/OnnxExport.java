package dev.descent.onnx;

import com.google.protobuf.CodedOutputStream;
import dev.descent.data.FeatureTransform;
import dev.descent.model.AtomicFiles;
import dev.descent.model.FeedForwardModel;
import dev.descent.model.Model;
import dev.descent.model.ModelSpec;
import dev.descent.optim.Parameter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.StringJoiner;

/**
 * Writes a trained model as an ONNX file that ONNX Runtime (or any ONNX consumer) runs with the same results as
 * descent's forward pass.
 *
 * <pre>{@code
 * OnnxExport.write(model, transform, Path.of("model.onnx"));   // atomic: the old file or the new one, never half
 * }</pre>
 *
 * <h2>The graph</h2>
 * ONNX IR version {@value #IR_VERSION}, operator set {@value #OPSET} of the default domain, float32 throughout.
 * <ul>
 * <li>Input {@value #INPUT}: float32 [N, features], the raw features (N is free, the dimension named
 * {@value #BATCH_DIMENSION}). The model's feature scaling is the first part of the graph: {@code Sub} of
 * {@code scaling.shift} (when the scaling has one) then {@code Div} by {@code scaling.divisor}, in float32 as
 * {@link FeatureTransform#apply} computes it, so raw features give descent's outputs.</li>
 * <li>Each dense layer is {@code MatMul} by its weight ({@code W}, or {@code layer1.W}, … for an MLP: [in, out],
 * descent's own layout and names) then {@code Add} of its bias (when the model has biases), with {@code Relu}
 * between layers.</li>
 * <li>Outputs of a classifier (softmax, MLP): {@value #LOGITS} float32 [N, classes], {@value #PROBABILITIES}
 * ({@code Softmax} over the classes) and {@value #LABEL} int64 [N] ({@code ArgMax} of the logits, the first of equal
 * values, as descent's {@code classify}). Logistic regression has one logit: {@value #LOGITS} and
 * {@value #PROBABILITIES} are [N, 1], the probability being {@code Sigmoid}(logit) = P(class 1), and {@value #LABEL}
 * is 1 where the logit is above 0 ({@code Greater}, {@code Cast}, {@code Squeeze}), as in descent. Linear regression:
 * {@value #PREDICTION} float32 [N, targets].</li>
 * </ul>
 *
 * <h2>Metadata</h2>
 * {@code producer_name} {@code descent} and {@code producer_version} this library's version, {@code domain}
 * {@code dev.descent}, {@code doc_string} the model's description ({@link ModelSpec#describe()}), and
 * {@code metadata_props}: {@code descent.kind}, {@code descent.model} (the description), {@code descent.scaling},
 * {@code descent.input}, {@code descent.outputs} and, for classifiers, {@code class_labels} (the class indices
 * {@code 0,1,…}, the labels descent trains on), plus whatever the caller adds (same keys replace these).
 *
 * <h2>Encoding</h2>
 * The ModelProto is encoded with protobuf-java's {@code CodedOutputStream} field by field ({@code OnnxProto} names
 * the field numbers of ONNX's schema); weights go into each initializer's {@code raw_data}, little-endian. A file
 * holds at most 2 GiB (protobuf's limit, which ONNX Runtime keeps too): a larger model is refused with an
 * {@link IOException} before anything is written.
 */
public final class OnnxExport {
    /** The ONNX IR version written: 8, the one that goes with operator set 17 (ONNX 1.12). */
    public static final long IR_VERSION = 8;
    /** The operator set of the default ONNX domain the graph uses. */
    public static final long OPSET = 17;
    /** The graph input: raw features, float32 [N, features]. */
    public static final String INPUT = "input";
    /** A classifier's logits, float32 [N, classes] ([N, 1] for logistic regression). */
    public static final String LOGITS = "logits";
    /** A classifier's probabilities: softmax of the logits, or the sigmoid of logistic regression's one logit. */
    public static final String PROBABILITIES = "probabilities";
    /** A classifier's predicted class index, int64 [N]. */
    public static final String LABEL = "label";
    /** A regression model's outputs, float32 [N, targets]. */
    public static final String PREDICTION = "prediction";
    /** The name of the free batch dimension of the input and outputs. */
    public static final String BATCH_DIMENSION = "N";
    /** The model kinds that can be exported ({@link ModelSpec#KINDS}). */
    public static final List<String> KINDS = List.of("linear", "logistic", "softmax", "mlp");

    private OnnxExport() {
    }

    /**
     * Writes {@code model} (its current weights, read from its backend) with {@code transform} as the first part of
     * the graph, atomically: {@code target} is the old file or the complete new one, never half-written.
     *
     * @throws IllegalArgumentException when the model is not one of descent's built-in models ({@link #KINDS}) or the
     *                                  transform does not fit its input width
     * @throws IOException              when the file cannot be written or the model is over 2 GiB
     */
    public static void write(Model model, FeatureTransform transform, Path target) throws IOException {
        write(model, transform, Map.of(), target);
    }

    /** As {@link #write(Model, FeatureTransform, Path)}, with more {@code metadata_props} (same keys replace). */
    public static void write(Model model, FeatureTransform transform, Map<String, String> metadata, Path target)
            throws IOException {
        write(model.spec(), parameters(model), transform, metadata, target);
    }

    /**
     * Writes a model given by its spec and parameter values (by name: {@code W}, {@code b}, {@code layer1.W}, …; row
     * major, as {@code model.npz} holds them), atomically. No backend is needed.
     */
    public static void write(ModelSpec spec, Map<String, float[]> parameters, FeatureTransform transform,
            Map<String, String> metadata, Path target) throws IOException {
        ProtoMessage m = model(spec, parameters, transform, metadata);
        AtomicFiles.write(target, out -> write(m, out));
    }

    /** The ONNX file's bytes for {@code model}. */
    public static byte[] toBytes(Model model, FeatureTransform transform, Map<String, String> metadata)
            throws IOException {
        return toBytes(model.spec(), parameters(model), transform, metadata);
    }

    /** The ONNX file's bytes for a model given by its spec and parameter values. */
    public static byte[] toBytes(ModelSpec spec, Map<String, float[]> parameters, FeatureTransform transform,
            Map<String, String> metadata) throws IOException {
        ProtoMessage m = model(spec, parameters, transform, metadata);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream((int) Math.min(m.size(), ProtoMessage.MAX_BYTES - 8));
        write(m, bytes);
        return bytes.toByteArray();
    }

    /** The version of descent that writes the files (the build's project version). */
    public static String producerVersion() {
        return Version.VALUE;
    }

    private static void write(ProtoMessage model, OutputStream out) throws IOException {
        model.writeTo(CodedOutputStream.newInstance(out, 1 << 16));
    }

    private static Map<String, float[]> parameters(Model model) {
        Objects.requireNonNull(model, "model");
        if (!(model instanceof FeedForwardModel)) {
            throw new IllegalArgumentException("cannot export a " + model.name() + " model (" + model.getClass()
                    .getName() + ") to ONNX: only descent's built-in models are supported (" + String.join(", ", KINDS)
                    + ")");
        }
        Map<String, float[]> values = new LinkedHashMap<>();
        for (Parameter p : model.parameters()) {
            values.put(p.name(), model.backend().download(p.value()));
        }
        return values;
    }

    // ------------------------------------------------------------------ the ModelProto

    private static ProtoMessage model(ModelSpec spec, Map<String, float[]> parameters, FeatureTransform transform,
            Map<String, String> metadata) throws IOException {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(parameters, "parameters");
        Objects.requireNonNull(transform, "transform");
        Objects.requireNonNull(metadata, "metadata");
        if (!KINDS.contains(spec.kind())) {
            throw new IllegalArgumentException("cannot export a " + spec.kind() + " model to ONNX (supported: "
                    + String.join(", ", KINDS) + ")");
        }
        int[] widths = spec.widths();
        long bytes = 0;
        for (int l = 0; l + 1 < widths.length; l++) {
            bytes += 4L * widths[l] * widths[l + 1] + (spec.bias() ? 4L * widths[l + 1] : 0);
        }
        ProtoMessage.checkSize("the model's weights", bytes, ProtoMessage.MAX_BYTES);

        Graph g = new Graph();
        String x = g.scaling(transform, spec.inputs());
        boolean classifier = spec.classes() >= 2;
        String last = classifier ? LOGITS : PREDICTION;
        int layers = widths.length - 1;
        for (int l = 0; l < layers; l++) {
            String prefix = layers == 1 ? "" : "layer" + (l + 1) + ".";
            boolean top = l == layers - 1;
            String w = prefix + "W";
            g.initializer(OnnxProto.floatTensor(w, values(parameters, w, (long) widths[l] * widths[l + 1]),
                    widths[l], widths[l + 1]));
            String z = top ? last : prefix + "z";
            String xw = spec.bias() ? prefix + "xw" : z;
            g.node("MatMul", prefix + "MatMul", List.of(x, w), xw);
            if (spec.bias()) {
                String b = prefix + "b";
                g.initializer(OnnxProto.floatTensor(b, values(parameters, b, widths[l + 1]), widths[l + 1]));
                g.node("Add", prefix + "Add", List.of(xw, b), z);
            }
            if (!top) {
                x = prefix + "relu";
                g.node("Relu", prefix + "Relu", List.of(z), x);
            } else {
                x = z;
            }
        }
        int outputs = widths[layers];
        List<String> outputNames = new ArrayList<>();
        if (!classifier) {
            g.output(OnnxProto.valueInfo(PREDICTION, OnnxProto.Tensor.FLOAT, "the model's outputs: "
                    + outputs + (outputs == 1 ? " target" : " targets"), BATCH_DIMENSION, outputs));
            outputNames.add(PREDICTION);
        } else {
            g.output(OnnxProto.valueInfo(LOGITS, OnnxProto.Tensor.FLOAT, outputs == 1 ? "the logit of class 1"
                    : "the logits, one per class", BATCH_DIMENSION, outputs));
            if (outputs == 1) {
                g.node("Sigmoid", "Sigmoid", List.of(LOGITS), PROBABILITIES);
                g.initializer(OnnxProto.floatTensor("zero", new float[] {0f}));
                g.node("Greater", "Greater", List.of(LOGITS, "zero"), "label.positive");
                g.node("Cast", "Cast", List.of("label.positive"), "label.column",
                        OnnxProto.intAttribute("to", OnnxProto.Tensor.INT64));
                g.initializer(OnnxProto.int64Tensor("label.axes", new long[] {1}, 1));
                g.node("Squeeze", "Squeeze", List.of("label.column", "label.axes"), LABEL);
            } else {
                g.node("Softmax", "Softmax", List.of(LOGITS), PROBABILITIES, OnnxProto.intAttribute("axis", 1));
                g.node("ArgMax", "ArgMax", List.of(LOGITS), LABEL, OnnxProto.intAttribute("axis", 1),
                        OnnxProto.intAttribute("keepdims", 0));
            }
            g.output(OnnxProto.valueInfo(PROBABILITIES, OnnxProto.Tensor.FLOAT, outputs == 1
                    ? "the probability of class 1: sigmoid of the logit" : "softmax of the logits",
                    BATCH_DIMENSION, outputs));
            g.output(OnnxProto.valueInfo(LABEL, OnnxProto.Tensor.INT64, "the predicted class index",
                    BATCH_DIMENSION));
            outputNames.addAll(List.of(LOGITS, PROBABILITIES, LABEL));
        }

        ProtoMessage graph = g.build("descent_" + spec.kind(), forward(spec, transform));
        Map<String, String> props = new LinkedHashMap<>();
        props.put("descent.kind", spec.kind());
        props.put("descent.model", spec.describe());
        props.put("descent.scaling", transform.isIdentity() ? "none" : transform.description()
                + "; inside the graph: x' = (x - shift) / divisor");
        props.put("descent.input", INPUT + ": float32 [" + BATCH_DIMENSION + ", " + spec.inputs()
                + "], raw features");
        props.put("descent.outputs", String.join(", ", outputNames));
        if (classifier) {
            StringJoiner labels = new StringJoiner(",");
            for (int c = 0; c < spec.classes(); c++) {
                labels.add(Integer.toString(c));
            }
            props.put("class_labels", labels.toString());
        }
        props.putAll(metadata);

        ProtoMessage model = new ProtoMessage()
                .varint(OnnxProto.Model.IR_VERSION, IR_VERSION)
                .message(OnnxProto.Model.OPSET_IMPORT, OnnxProto.opset("", OPSET))
                .string(OnnxProto.Model.PRODUCER_NAME, "descent")
                .string(OnnxProto.Model.PRODUCER_VERSION, producerVersion())
                .string(OnnxProto.Model.DOMAIN, "dev.descent")
                .varint(OnnxProto.Model.MODEL_VERSION, 1)
                .string(OnnxProto.Model.DOC_STRING, spec.describe())
                .message(OnnxProto.Model.GRAPH, graph);
        for (Map.Entry<String, String> e : props.entrySet()) {
            model.message(OnnxProto.Model.METADATA_PROPS, OnnxProto.entry(Objects.requireNonNull(e.getKey(), "key"),
                    Objects.requireNonNull(e.getValue(), () -> "metadata value of " + e.getKey())));
        }
        ProtoMessage.checkSize("the ONNX model", model.size(), ProtoMessage.MAX_BYTES);
        return model;
    }

    private static float[] values(Map<String, float[]> parameters, String name, long size) {
        float[] v = parameters.get(name);
        if (v == null) {
            throw new IllegalArgumentException("no parameter '" + name + "' (given: " + parameters.keySet() + ")");
        }
        if (v.length != size) {
            throw new IllegalArgumentException("parameter '" + name + "' has " + v.length + " values, the model needs "
                    + size);
        }
        return v;
    }

    /** The graph's doc string: the forward pass as a formula. */
    private static String forward(ModelSpec spec, FeatureTransform transform) {
        StringBuilder sb = new StringBuilder();
        if (!transform.isIdentity()) {
            sb.append("x = (").append(INPUT).append(transform.shift() != null ? " - scaling.shift" : "")
                    .append(") / scaling.divisor; ");
        } else {
            sb.append("x = ").append(INPUT).append("; ");
        }
        String b = spec.bias() ? " + b" : "";
        if (spec.hidden().isEmpty()) {
            sb.append(spec.classes() >= 2 ? LOGITS : PREDICTION).append(" = x @ W").append(b);
        } else {
            sb.append("h1 = relu(x @ layer1.W").append(b.isEmpty() ? "" : " + layer1.b").append("), ..., ")
                    .append(LOGITS).append(" = h @ layerL.W").append(b.isEmpty() ? "" : " + layerL.b");
        }
        return sb.toString();
    }

    /** Nodes, initializers and outputs, in the order added. */
    private static final class Graph {
        private final List<ProtoMessage> nodes = new ArrayList<>();
        private final List<ProtoMessage> initializers = new ArrayList<>();
        private final List<ProtoMessage> inputs = new ArrayList<>();
        private final List<ProtoMessage> outputs = new ArrayList<>();

        /** The input and the scaling nodes; returns the name of the scaled features. */
        String scaling(FeatureTransform t, int features) {
            inputs.add(OnnxProto.valueInfo(INPUT, OnnxProto.Tensor.FLOAT, "raw features, one row per sample",
                    BATCH_DIMENSION, features));
            if (t.isIdentity()) {
                return INPUT;
            }
            float[] shift = t.shift();
            float[] divisor = t.divisor();
            if (shift != null && shift.length != features || divisor.length != 1 && divisor.length != features) {
                throw new IllegalArgumentException("the feature scaling was fitted on " + (shift != null ? shift.length
                        : divisor.length) + " features; the model takes " + features);
            }
            String x = INPUT;
            if (shift != null) {
                initializer(OnnxProto.floatTensor("scaling.shift", shift, shift.length));
                node("Sub", "scaling.Sub", List.of(x, "scaling.shift"), "scaling.centered");
                x = "scaling.centered";
            }
            initializer(OnnxProto.floatTensor("scaling.divisor", divisor, divisor.length));
            node("Div", "scaling.Div", List.of(x, "scaling.divisor"), "scaled");
            return "scaled";
        }

        void initializer(ProtoMessage tensor) {
            initializers.add(tensor);
        }

        void node(String op, String name, List<String> in, String out, ProtoMessage... attributes) {
            nodes.add(OnnxProto.node(op, name, in, List.of(out), attributes));
        }

        void output(ProtoMessage valueInfo) {
            outputs.add(valueInfo);
        }

        ProtoMessage build(String name, String doc) {
            ProtoMessage g = new ProtoMessage();
            for (ProtoMessage n : nodes) {
                g.message(OnnxProto.Graph.NODE, n);
            }
            g.string(OnnxProto.Graph.NAME, name);
            for (ProtoMessage t : initializers) {
                g.message(OnnxProto.Graph.INITIALIZER, t);
            }
            g.string(OnnxProto.Graph.DOC_STRING, doc);
            for (ProtoMessage i : inputs) {
                g.message(OnnxProto.Graph.INPUT, i);
            }
            for (ProtoMessage o : outputs) {
                g.message(OnnxProto.Graph.OUTPUT, o);
            }
            return g;
        }
    }

    /** The project version, from the build's filtered resource. */
    private static final class Version {
        static final String VALUE = read();

        private static String read() {
            try (InputStream in = OnnxExport.class.getResourceAsStream("version.properties")) {
                if (in == null) {
                    return "unknown";
                }
                Properties p = new Properties();
                p.load(in);
                return p.getProperty("version", "unknown");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
