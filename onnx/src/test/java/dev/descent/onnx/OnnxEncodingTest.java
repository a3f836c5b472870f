package dev.descent.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.UnknownFieldSet;
import dev.descent.data.FeatureTransform;
import dev.descent.model.Model;
import dev.descent.model.ModelSpec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The file decoded back with protobuf's own parser, without ONNX's schema: the fields and values of the ModelProto
 * (version, operator set, producer, metadata, graph), by the field numbers of ONNX's schema; and the refusals.
 */
class OnnxEncodingTest {

    /** A decoded message: its fields by number. */
    record Msg(UnknownFieldSet fields) {
        static Msg parse(ByteString bytes) throws IOException {
            return new Msg(UnknownFieldSet.parseFrom(bytes));
        }

        long varint(int n) {
            List<Long> v = fields.getField(n).getVarintList();
            assertEquals(1, v.size(), "field " + n);
            return v.get(0);
        }

        List<Long> varints(int n) {
            return fields.getField(n).getVarintList();
        }

        String string(int n) {
            List<String> s = strings(n);
            assertEquals(1, s.size(), "field " + n);
            return s.get(0);
        }

        List<String> strings(int n) {
            return fields.getField(n).getLengthDelimitedList().stream().map(ByteString::toStringUtf8).toList();
        }

        List<Msg> messages(int n) throws IOException {
            List<Msg> out = new ArrayList<>();
            for (ByteString b : fields.getField(n).getLengthDelimitedList()) {
                out.add(parse(b));
            }
            return out;
        }

        Msg message(int n) throws IOException {
            List<Msg> m = messages(n);
            assertEquals(1, m.size(), "field " + n);
            return m.get(0);
        }

        ByteString bytes(int n) {
            return fields.getField(n).getLengthDelimitedList().get(0);
        }
    }

    static Map<String, float[]> weights(ModelSpec spec) {
        Map<String, float[]> w = new LinkedHashMap<>();
        int[] widths = spec.widths();
        int layers = widths.length - 1;
        for (int l = 0; l < layers; l++) {
            String prefix = layers == 1 ? "" : "layer" + (l + 1) + ".";
            float[] v = new float[widths[l] * widths[l + 1]];
            for (int i = 0; i < v.length; i++) {
                v[i] = (i % 7 - 3) * 0.25f + l;
            }
            w.put(prefix + "W", v);
            if (spec.bias()) {
                float[] b = new float[widths[l + 1]];
                for (int i = 0; i < b.length; i++) {
                    b[i] = -i;
                }
                w.put(prefix + "b", b);
            }
        }
        return w;
    }

    @Test
    void theModelProtoDecodesWithTheSchemaFieldNumbers(@TempDir Path dir) throws IOException {
        ModelSpec spec = ModelSpec.builder("mlp").inputs(3).hidden(4).classes(5).seed(1).build();
        Map<String, float[]> w = weights(spec);
        FeatureTransform t = FeatureTransform.affine(new float[] {1, 2, 3}, new float[] {2, 4, 8}, "standardize");
        Path file = dir.resolve("sub/m.onnx");
        OnnxExport.write(spec, w, t, Map.of("extra", "yes", "descent.kind", "replaced"), file);
        byte[] bytes = Files.readAllBytes(file);
        assertArrayEquals(OnnxExport.toBytes(spec, w, t, Map.of("extra", "yes", "descent.kind", "replaced")), bytes);
        try (Stream<Path> s = Files.list(file.getParent())) {
            assertEquals(List.of(file), s.toList(), "no temporary file left");
        }

        Msg model = Msg.parse(ByteString.copyFrom(bytes));
        assertEquals(8, model.varint(1), "ir_version");
        Msg opset = model.message(8);
        assertTrue(opset.strings(1).isEmpty(), "the default domain");
        assertEquals(17, opset.varint(2), "opset version");
        assertEquals("descent", model.string(2));
        assertEquals(OnnxExport.producerVersion(), model.string(3));
        assertFalse(OnnxExport.producerVersion().contains("${"), "the version resource is filtered");
        assertEquals("dev.descent", model.string(4));
        assertEquals(spec.describe(), model.string(6));
        Map<String, String> props = new LinkedHashMap<>();
        for (Msg e : model.messages(14)) {
            props.put(e.string(1), e.string(2));
        }
        assertEquals("replaced", props.get("descent.kind"));
        assertEquals("yes", props.get("extra"));
        assertEquals("0,1,2,3,4", props.get("class_labels"));
        assertEquals(spec.describe(), props.get("descent.model"));
        assertEquals("logits, probabilities, label", props.get("descent.outputs"));

        Msg graph = model.message(7);
        assertEquals("descent_mlp", graph.string(2));
        List<String> ops = new ArrayList<>();
        for (Msg n : graph.messages(1)) {
            ops.add(n.string(4));
        }
        assertEquals(List.of("Sub", "Div", "MatMul", "Add", "Relu", "MatMul", "Add", "Softmax", "ArgMax"), ops);
        Msg argmax = graph.messages(1).get(8);
        assertEquals(List.of("logits"), argmax.strings(1));
        assertEquals(List.of("label"), argmax.strings(2));
        Map<String, Long> attrs = new LinkedHashMap<>();
        for (Msg a : argmax.messages(5)) {
            assertEquals(2, a.varint(20), "attribute type INT");
            attrs.put(a.string(1), a.varint(3));
        }
        assertEquals(Map.of("axis", 1L, "keepdims", 0L), attrs);

        Map<String, Msg> init = new LinkedHashMap<>();
        for (Msg tensor : graph.messages(5)) {
            init.put(tensor.string(8), tensor);
        }
        assertEquals(List.of("scaling.shift", "scaling.divisor", "layer1.W", "layer1.b", "layer2.W", "layer2.b"),
                List.copyOf(init.keySet()));
        Msg w1 = init.get("layer1.W");
        assertEquals(List.of(3L, 4L), w1.varints(1), "dims [in, out]");
        assertEquals(1, w1.varint(2), "FLOAT");
        float[] raw = new float[12];
        w1.bytes(9).asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(raw);
        assertArrayEquals(w.get("layer1.W"), raw);

        Msg input = graph.message(11);
        assertEquals("input", input.string(1));
        Msg shape = input.message(2).message(1).message(2);
        assertEquals(1, input.message(2).message(1).varint(1), "elem_type FLOAT");
        assertEquals("N", shape.messages(1).get(0).string(2), "a free batch dimension");
        assertEquals(3, shape.messages(1).get(1).varint(1));
        List<String> outputs = new ArrayList<>();
        for (Msg o : graph.messages(12)) {
            outputs.add(o.string(1));
        }
        assertEquals(List.of("logits", "probabilities", "label"), outputs);
        assertEquals(7, graph.messages(12).get(2).message(2).message(1).varint(1), "label is INT64");
    }

    @Test
    void eachKindHasItsNodesAndOutputs() throws IOException {
        Object[][] cases = {
            {ModelSpec.builder("linear").inputs(2).outputs(3).build(), FeatureTransform.identity(),
                List.of("MatMul", "Add"), List.of("prediction")},
            {ModelSpec.builder("logistic").inputs(2).build(), FeatureTransform.divideBy(255, "unit"),
                List.of("Div", "MatMul", "Add", "Sigmoid", "Greater", "Cast", "Squeeze"),
                List.of("logits", "probabilities", "label")},
            {ModelSpec.builder("softmax").inputs(2).classes(3).build(), FeatureTransform.identity(),
                List.of("MatMul", "Softmax", "ArgMax"), List.of("logits", "probabilities", "label")},
        };
        for (Object[] c : cases) {
            ModelSpec spec = (ModelSpec) c[0];
            Msg graph = Msg.parse(ByteString.copyFrom(OnnxExport.toBytes(spec, weights(spec), (FeatureTransform) c[1],
                    Map.of()))).message(7);
            List<String> ops = new ArrayList<>();
            for (Msg n : graph.messages(1)) {
                ops.add(n.string(4));
            }
            assertEquals(c[2], ops, spec.describe());
            List<String> outs = new ArrayList<>();
            for (Msg o : graph.messages(12)) {
                outs.add(o.string(1));
            }
            assertEquals(c[3], outs, spec.describe());
        }
    }

    @Test
    void refusesWhatItCannotWrite(@TempDir Path dir) throws IOException {
        ModelSpec spec = ModelSpec.builder("softmax").inputs(3).classes(2).build();
        Path file = dir.resolve("m.onnx");
        Map<String, float[]> short1 = Map.of("W", new float[5]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OnnxExport.write(spec, short1, FeatureTransform.identity(), Map.of(), file));
        assertEquals("parameter 'W' has 5 values, the model needs 6", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> OnnxExport.write(spec, Map.of(),
                FeatureTransform.identity(), Map.of(), file));
        assertTrue(e.getMessage().startsWith("no parameter 'W'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> OnnxExport.write(spec, weights(spec),
                FeatureTransform.affine(new float[2], new float[] {1, 1}, "two"), Map.of(), file));
        assertEquals("the feature scaling was fitted on 2 features; the model takes 3", e.getMessage());
        Model foreign = (Model) Proxy.newProxyInstance(Model.class.getClassLoader(), new Class<?>[] {Model.class},
                (proxy, method, args) -> method.getName().equals("name") ? "cnn" : null);
        e = assertThrows(IllegalArgumentException.class,
                () -> OnnxExport.write(foreign, FeatureTransform.identity(), file));
        assertTrue(e.getMessage().startsWith("cannot export a cnn model"), e.getMessage());
        assertFalse(Files.exists(file), "nothing written");

        IOException big = assertThrows(IOException.class, () -> ProtoMessage.checkSize("the ONNX model",
                ProtoMessage.MAX_BYTES + 1, ProtoMessage.MAX_BYTES));
        assertTrue(big.getMessage().contains("at most 2147483647 bytes"), big.getMessage());
        ModelSpec huge = ModelSpec.builder("softmax").inputs(50_000).classes(20_000).build();
        big = assertThrows(IOException.class, () -> OnnxExport.write(huge, Map.of(), FeatureTransform.identity(),
                Map.of(), file));
        assertTrue(big.getMessage().startsWith("the model's weights would be 4000000000 bytes"), big.getMessage());
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of(), s.toList(), "nothing written, no temporary file");
        }
    }

    @Test
    void nestedSizesMatchWhatProtobufWrites() throws IOException {
        ProtoMessage inner = new ProtoMessage().varint(1, -1).string(2, "ü".repeat(200));
        ProtoMessage outer = new ProtoMessage().message(3, inner).bytes(4, ProtoMessage.littleEndianFloats(
                new float[] {1.5f, -2f}));
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        outer.writeTo(CodedOutputStream.newInstance(b));
        assertEquals(outer.size(), b.size());
        Msg m = Msg.parse(ByteString.copyFrom(b.toByteArray()));
        assertEquals(-1L, m.message(3).varint(1));
        assertEquals("ü".repeat(200), m.message(3).string(2));
        assertEquals(ByteString.copyFrom(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putFloat(1.5f)
                .putFloat(-2f).array()), m.bytes(4));
    }
}
