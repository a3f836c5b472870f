/**
 * Losses with torch 1.13's definitions and mean reduction.
 *
 * <ul>
 * <li>{@link dev.descent.loss.Loss}: {@code ce}, {@code bce}, {@code mse}, {@code mae}, each a fused backend kernel
 *     that computes the loss and its gradient in one pass.</li>
 * <li>{@link dev.descent.loss.LossSpec}: a loss with its settings, the {@code Loss} constants and
 *     {@code huber(delta=δ)} (torch's HuberLoss), {@code smooth-l1(beta=β)} (SmoothL1Loss),
 *     {@code ce(label_smoothing=ε, weight=[...])} (CrossEntropyLoss with label smoothing and class weights) and
 *     {@code nll(weight=[...])} (NLLLoss on log-probabilities). These are
 *     {@link dev.descent.autodiff.ExpressionLoss}es, which the built-in models differentiate on an autodiff tape whose
 *     parameter is their output buffer; cross-entropy without smoothing and weights is the fused {@code ce} however it
 *     is written ({@link LossSpec#fused()}).</li>
 * </ul>
 *
 * <pre>{@code
 * Loss loss = Loss.fromName("ce");
 * // loss value into lossOut[step], gradient w.r.t. the logits into grad, both divided by the batch size:
 * loss.compute(backend, logits, batch.labels(), batch.targets(), grad, batch.globalSize(), lossOut, step);
 *
 * // a loss with settings, for a built-in model (or an ExpressionModel):
 * LossSpec smooth = LossSpec.crossEntropy(0.1, 1f, 2f, 0.5f);          // ε = 0.1, one weight per class
 * LossSpec robust = LossSpec.parse("huber(delta=0.5)");               // the text model.json records
 * Model model = ModelSpec.builder("linear").inputs(13).loss(robust).build().create(backend);
 * }</pre>
 *
 * <p>Cross-entropy and binary cross-entropy take logits and are computed stably (max-subtracted log-sum-exp;
 * {@code max(x,0) − x·t + log(1+e^−|x|)}), so raw, unscaled inputs give large but finite losses where a naive softmax
 * would give log(0). A loss that still overflows is non-finite and the trainer reports the run as diverged.
 */
package dev.descent.loss;
