package dev.descent.backend;

/** Element type of a {@link Tensor}. descent computes in float32; int32 tensors carry class labels and row indices. */
public enum DType {
    /** 32-bit IEEE float. */
    F32,
    /** 32-bit signed integer (labels, indices, argmax results). */
    I32;

    /** Bytes per element. */
    public int bytes() {
        return 4;
    }
}
