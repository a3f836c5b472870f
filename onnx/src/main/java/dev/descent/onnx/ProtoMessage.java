package dev.descent.onnx;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.UnsafeByteOperations;
import com.google.protobuf.WireFormat;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * A protocol-buffers message under construction: its fields in the order they are added, each a field number and a
 * value, encoded with protobuf-java's own {@link CodedOutputStream} (varints, tags, length prefixes, UTF-8 strings).
 * Only the wire types descent's ONNX messages need are here: varint ({@code int32}, {@code int64},
 * enums) and length-delimited ({@code string}, {@code bytes}, nested messages).
 *
 * <p>Sizes are counted in {@code long} before anything is written, so a message over protobuf's 2 GiB limit is refused
 * with a message instead of wrapping around; a nested message's size is computed once and kept, and its bytes are
 * written straight into the parent's stream (no copy per nesting level).
 */
final class ProtoMessage {
    /** The most bytes a protobuf message may have (the parsers' {@code int} sizes); ONNX Runtime refuses more. */
    static final long MAX_BYTES = Integer.MAX_VALUE;

    private sealed interface Field permits Varint, Bytes, Nested {
        long size();

        void writeTo(CodedOutputStream out) throws IOException;
    }

    private record Varint(int number, long value) implements Field {
        @Override
        public long size() {
            return CodedOutputStream.computeInt64Size(number, value);
        }

        @Override
        public void writeTo(CodedOutputStream out) throws IOException {
            out.writeInt64(number, value);
        }
    }

    private record Bytes(int number, ByteString value) implements Field {
        @Override
        public long size() {
            return CodedOutputStream.computeBytesSize(number, value);
        }

        @Override
        public void writeTo(CodedOutputStream out) throws IOException {
            out.writeBytes(number, value);
        }
    }

    private record Nested(int number, ProtoMessage value) implements Field {
        @Override
        public long size() {
            long body = value.size();
            return CodedOutputStream.computeTagSize(number) + CodedOutputStream.computeUInt64SizeNoTag(body) + body;
        }

        @Override
        public void writeTo(CodedOutputStream out) throws IOException {
            out.writeTag(number, WireFormat.WIRETYPE_LENGTH_DELIMITED);
            out.writeUInt32NoTag((int) value.size());
            value.writeBody(out);
        }
    }

    private final List<Field> fields = new ArrayList<>();
    private long size = -1;

    /** An {@code int64}, {@code int32} or enum field (varint; a negative {@code int32} takes ten bytes, as in protobuf). */
    ProtoMessage varint(int number, long value) {
        return add(new Varint(number, value));
    }

    /** A {@code string} field, UTF-8. */
    ProtoMessage string(int number, String value) {
        return add(new Bytes(number, ByteString.copyFromUtf8(value)));
    }

    /** A {@code bytes} field. */
    ProtoMessage bytes(int number, ByteString value) {
        return add(new Bytes(number, value));
    }

    /** A nested message; it must not change afterwards (its size is kept once counted). */
    ProtoMessage message(int number, ProtoMessage value) {
        return add(new Nested(number, value));
    }

    /** {@code values} as IEEE 754 float32, little-endian: ONNX's {@code raw_data} layout. */
    static ByteString littleEndianFloats(float[] values) {
        ByteBuffer b = ByteBuffer.allocate(Math.multiplyExact(values.length, Float.BYTES)).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return UnsafeByteOperations.unsafeWrap(b.array());
    }

    private ProtoMessage add(Field f) {
        if (size >= 0) {
            throw new IllegalStateException("message already sized: add fields before nesting or writing it");
        }
        fields.add(f);
        return this;
    }

    /** The encoded size in bytes (counted once, then kept). */
    long size() {
        if (size < 0) {
            long s = 0;
            for (Field f : fields) {
                s += f.size();
            }
            size = s;
        }
        return size;
    }

    /**
     * Encodes the message (without a length prefix, as a file holds a top-level message).
     *
     * @throws IOException when it is larger than a protobuf message may be ({@link #MAX_BYTES}), or writing fails
     */
    void writeTo(CodedOutputStream out) throws IOException {
        checkSize("the ONNX model", size(), MAX_BYTES);
        writeBody(out);
        out.flush();
    }

    private void writeBody(CodedOutputStream out) throws IOException {
        for (Field f : fields) {
            f.writeTo(out);
        }
    }

    /** Refuses {@code what} of {@code bytes} when it is over {@code limit}, naming both. */
    static void checkSize(String what, long bytes, long limit) throws IOException {
        if (bytes > limit) {
            throw new IOException(what + " would be " + bytes + " bytes; a protobuf message, and so an ONNX file with "
                    + "its weights inside, holds at most " + limit + " bytes");
        }
    }
}
