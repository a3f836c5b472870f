package dev.descent.optim;

import dev.descent.backend.Tensor;

/**
 * A trainable tensor and the tensor that receives its gradient, both owned by the same backend and of the same shape.
 * Models create their parameters; optimizers update {@link #value()} from {@link #grad()}.
 *
 * @param name  a stable name ("W", "b", "layer1.W"), used in checkpoints and saved models
 * @param value the parameter
 * @param grad  its gradient, overwritten by each backward pass
 */
public record Parameter(String name, Tensor value, Tensor grad) {
    public Parameter {
        if (value.backend() != grad.backend()) {
            throw new IllegalArgumentException("parameter " + name + ": value and grad belong to different backends");
        }
        if (value.rows() != grad.rows() || value.cols() != grad.cols()) {
            throw new IllegalArgumentException("parameter " + name + ": value and grad shapes differ");
        }
    }
}
