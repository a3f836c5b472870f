/**
 * ONNX export: {@link dev.descent.onnx.OnnxExport} turns a trained linear, logistic, softmax or MLP model and its
 * feature scaling into an ONNX graph (IR version 8, operator set 17) that gives descent's outputs from raw features.
 *
 * <pre>{@code
 * OnnxExport.write(model, transform, Path.of("out/train/model.onnx"));
 * }</pre>
 *
 * The ModelProto is written field by field with protobuf-java's {@code CodedOutputStream}; the package-private
 * {@code OnnxProto} names the field numbers of the ONNX messages used, {@code ProtoMessage} encodes them.
 */
package dev.descent.onnx;
