/**
 * ONNX export of descent's models: {@link dev.descent.onnx.OnnxExport} writes a trained model, with its feature
 * scaling, as an ONNX file for ONNX Runtime and other consumers. The file is encoded with protobuf-java.
 */
module dev.descent.onnx {
    requires dev.descent.optim;
    requires com.google.protobuf;

    exports dev.descent.onnx;
}
