/**
 * Losses with torch's mean reduction, computed by the backend's fused forward-and-backward kernels.
 *
 * <pre>{@code
 * Loss loss = Loss.fromName("ce");
 * // loss value into lossOut[step], gradient w.r.t. the logits into grad, both divided by the batch size:
 * loss.compute(backend, logits, batch.labels(), batch.targets(), grad, batch.globalSize(), lossOut, step);
 * }</pre>
 *
 * <p>Cross-entropy and binary cross-entropy take logits and are computed stably (max-subtracted log-sum-exp;
 * {@code max(x,0) − x·t + log(1+e^−|x|)}), so raw, unscaled inputs give large but finite losses where a naive softmax
 * would give log(0). A loss that still overflows is non-finite and the trainer reports the run as diverged.
 */
package dev.descent.loss;
