/**
 * Models on any backend: {@link dev.descent.model.LinearRegression} (mse/mae),
 * {@link dev.descent.model.LogisticRegression} (one logit, bce), {@link dev.descent.model.SoftmaxRegression} (the
 * lecture's W [d, k] from zero, ce) and {@link dev.descent.model.Mlp} (ReLU hidden layers, ce, torch's initialisation
 * from a seed).
 *
 * <p>Build one by name through {@link dev.descent.model.ModelSpec}:
 * <pre>{@code
 * ModelSpec spec = ModelSpec.builder("mlp").inputs(784).hidden(256, 128).classes(24).seed(42).build();
 * try (Model model = spec.create(backend)) {
 *     Optimizer opt = ...;                                   // over model.parameters()
 *     Tensor losses = backend.allocate(loader.batchesPerEpoch());
 *     loader.startEpoch(1);
 *     while (loader.hasNext()) {
 *         Batch b = loader.next();
 *         model.lossAndGradients(b, losses, b.index());      // fused forward, loss, backward
 *         opt.step();
 *     }
 *     model.save(Path.of("mlp.params"));                     // atomic; load() checks names and shapes
 * }
 * }</pre>
 *
 * <p>Weights are stored [in, out] (torch's {@code nn.Linear.weight} transposed), so the forward pass is
 * {@code X·W + b} with no transposes; the backward pass forms {@code Xᵀ·δ}, {@code δ·Wᵀ} (gemm with transposes),
 * column sums of δ for the bias, and the ReLU mask. Buffers are cached per batch row count, so a training step
 * allocates nothing after the first batch of each shape.
 */
package dev.descent.model;
