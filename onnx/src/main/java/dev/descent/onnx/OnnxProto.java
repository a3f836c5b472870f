package dev.descent.onnx;

import java.util.List;

/**
 * The few ONNX messages descent writes, built as {@link ProtoMessage}s with the field numbers of ONNX's schema
 * ({@code onnx.proto3} in the ONNX repository; the numbers are stable across ONNX versions, as protobuf requires).
 * Only the fields descent sets are named here. Repeated scalar fields ({@code dims}, {@code int64_data}) are written
 * one element per tag, a form every protobuf parser reads whether the schema marks the field packed or not.
 */
final class OnnxProto {
    private OnnxProto() {
    }

    /** {@code ModelProto}: the file's top-level message. */
    static final class Model {
        static final int IR_VERSION = 1;        // int64
        static final int PRODUCER_NAME = 2;     // string
        static final int PRODUCER_VERSION = 3;  // string
        static final int DOMAIN = 4;            // string
        static final int MODEL_VERSION = 5;     // int64
        static final int DOC_STRING = 6;        // string
        static final int GRAPH = 7;             // GraphProto
        static final int OPSET_IMPORT = 8;      // repeated OperatorSetIdProto
        static final int METADATA_PROPS = 14;   // repeated StringStringEntryProto

        private Model() {
        }
    }

    /** {@code OperatorSetIdProto}: an operator set the graph uses. */
    static final class OperatorSetId {
        static final int DOMAIN = 1;   // string; "" is the default ONNX domain (ai.onnx)
        static final int VERSION = 2;  // int64

        private OperatorSetId() {
        }
    }

    /** {@code StringStringEntryProto}: one key-value pair of metadata. */
    static final class StringStringEntry {
        static final int KEY = 1;    // string
        static final int VALUE = 2;  // string

        private StringStringEntry() {
        }
    }

    /** {@code GraphProto}: nodes in topological order, constant tensors, inputs and outputs. */
    static final class Graph {
        static final int NODE = 1;         // repeated NodeProto
        static final int NAME = 2;         // string
        static final int INITIALIZER = 5;  // repeated TensorProto
        static final int DOC_STRING = 10;  // string
        static final int INPUT = 11;       // repeated ValueInfoProto
        static final int OUTPUT = 12;      // repeated ValueInfoProto

        private Graph() {
        }
    }

    /** {@code NodeProto}: one operator call. */
    static final class Node {
        static final int INPUT = 1;       // repeated string
        static final int OUTPUT = 2;      // repeated string
        static final int NAME = 3;        // string
        static final int OP_TYPE = 4;     // string
        static final int ATTRIBUTE = 5;   // repeated AttributeProto

        private Node() {
        }
    }

    /** {@code AttributeProto}: a named operator attribute; {@code type} says which value field is set. */
    static final class Attribute {
        static final int NAME = 1;  // string
        static final int I = 3;     // int64
        static final int TYPE = 20; // AttributeType enum

        /** {@code AttributeProto.AttributeType.INT}. */
        static final int TYPE_INT = 2;

        private Attribute() {
        }
    }

    /** {@code TensorProto}: a constant tensor (here the weights, biases and scaling). */
    static final class Tensor {
        static final int DIMS = 1;       // repeated int64
        static final int DATA_TYPE = 2;  // int32, a DataType value
        static final int INT64_DATA = 7; // repeated int64
        static final int NAME = 8;       // string
        static final int RAW_DATA = 9;   // bytes: fixed-width little-endian elements, row-major

        /** {@code TensorProto.DataType} values. */
        static final int FLOAT = 1;
        static final int INT64 = 7;

        private Tensor() {
        }
    }

    /** {@code ValueInfoProto}: a graph input's or output's name and type. */
    static final class ValueInfo {
        static final int NAME = 1;       // string
        static final int TYPE = 2;       // TypeProto
        static final int DOC_STRING = 3; // string

        private ValueInfo() {
        }
    }

    /** {@code TypeProto} and its nested {@code Tensor}, {@code TensorShapeProto} and {@code Dimension}. */
    static final class Type {
        static final int TENSOR_TYPE = 1;      // TypeProto.tensor_type: TypeProto.Tensor
        static final int TENSOR_ELEM_TYPE = 1; // TypeProto.Tensor.elem_type: int32, a DataType value
        static final int TENSOR_SHAPE = 2;     // TypeProto.Tensor.shape: TensorShapeProto
        static final int SHAPE_DIM = 1;        // TensorShapeProto.dim: repeated Dimension
        static final int DIM_VALUE = 1;        // Dimension.dim_value: int64 (a fixed size)
        static final int DIM_PARAM = 2;        // Dimension.dim_param: string (a named, free size)

        private Type() {
        }
    }

    // ------------------------------------------------------------------ builders

    static ProtoMessage opset(String domain, long version) {
        ProtoMessage m = new ProtoMessage();
        if (!domain.isEmpty()) {
            m.string(OperatorSetId.DOMAIN, domain);
        }
        return m.varint(OperatorSetId.VERSION, version);
    }

    static ProtoMessage entry(String key, String value) {
        return new ProtoMessage().string(StringStringEntry.KEY, key).string(StringStringEntry.VALUE, value);
    }

    /** A float32 tensor of the given shape, its values row-major in {@code raw_data}. */
    static ProtoMessage floatTensor(String name, float[] values, long... dims) {
        ProtoMessage m = new ProtoMessage();
        for (long d : dims) {
            m.varint(Tensor.DIMS, d);
        }
        return m.varint(Tensor.DATA_TYPE, Tensor.FLOAT).string(Tensor.NAME, name)
                .bytes(Tensor.RAW_DATA, ProtoMessage.littleEndianFloats(values));
    }

    /** An int64 tensor of the given shape, its values in {@code int64_data}. */
    static ProtoMessage int64Tensor(String name, long[] values, long... dims) {
        ProtoMessage m = new ProtoMessage();
        for (long d : dims) {
            m.varint(Tensor.DIMS, d);
        }
        m.varint(Tensor.DATA_TYPE, Tensor.INT64).string(Tensor.NAME, name);
        for (long v : values) {
            m.varint(Tensor.INT64_DATA, v);
        }
        return m;
    }

    /**
     * A graph input or output: a tensor of {@code elemType} whose dimensions are fixed sizes ({@link Long}) or named
     * free sizes ({@link String}, e.g. the batch dimension {@code "N"}).
     */
    static ProtoMessage valueInfo(String name, int elemType, String doc, Object... dims) {
        ProtoMessage shape = new ProtoMessage();
        for (Object d : dims) {
            ProtoMessage dim = new ProtoMessage();
            switch (d) {
                case String param -> dim.string(Type.DIM_PARAM, param);
                case Number value -> dim.varint(Type.DIM_VALUE, value.longValue());
                default -> throw new IllegalArgumentException("dimension " + d);
            }
            shape.message(Type.SHAPE_DIM, dim);
        }
        ProtoMessage tensor = new ProtoMessage().varint(Type.TENSOR_ELEM_TYPE, elemType)
                .message(Type.TENSOR_SHAPE, shape);
        ProtoMessage type = new ProtoMessage().message(Type.TENSOR_TYPE, tensor);
        ProtoMessage m = new ProtoMessage().string(ValueInfo.NAME, name).message(ValueInfo.TYPE, type);
        if (doc != null) {
            m.string(ValueInfo.DOC_STRING, doc);
        }
        return m;
    }

    /** A node of the default ONNX domain. */
    static ProtoMessage node(String opType, String name, List<String> inputs, List<String> outputs,
            ProtoMessage... attributes) {
        ProtoMessage m = new ProtoMessage();
        for (String in : inputs) {
            m.string(Node.INPUT, in);
        }
        for (String out : outputs) {
            m.string(Node.OUTPUT, out);
        }
        m.string(Node.NAME, name).string(Node.OP_TYPE, opType);
        for (ProtoMessage a : attributes) {
            m.message(Node.ATTRIBUTE, a);
        }
        return m;
    }

    static ProtoMessage intAttribute(String name, long value) {
        return new ProtoMessage().string(Attribute.NAME, name).varint(Attribute.I, value)
                .varint(Attribute.TYPE, Attribute.TYPE_INT);
    }
}
