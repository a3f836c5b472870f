package dev.descent.data;

import dev.descent.backend.Tensor;

/**
 * One minibatch, as tensors on the backend. The tensors are the loader's reusable buffers: they stay valid until the
 * loader's next {@code next()} call and must not be closed by the caller.
 *
 * @param features   float32 [size, features]
 * @param labels     int32 [size] class labels, or null for real-valued targets
 * @param targets    float32 [size, outputs] real-valued targets, or null for class labels
 * @param size       rows in this batch on this process
 * @param globalSize rows of the whole batch across all processes of a data-parallel run (the loss normalizer);
 *                   equals size in one process
 * @param index      the batch's index within its epoch, from 0
 */
public record Batch(Tensor features, Tensor labels, Tensor targets, int size, int globalSize, int index) {
}
