/**
 * The Backend SPI: backend-owned float32 tensors and every kernel descent's optimizers, losses, models and loaders
 * need.
 *
 * <p>A {@link dev.descent.backend.Backend} owns memory; callers hold opaque {@link dev.descent.backend.Tensor}
 * handles. Backends are found with {@link java.util.ServiceLoader} through
 * {@link dev.descent.backend.BackendProvider} and chosen with {@link dev.descent.backend.Backends#select}:
 *
 * <pre>{@code
 * Backends.Selection sel = Backends.select("auto", BackendOptions.defaults());
 * System.err.println(sel.explanation());
 * try (Backend b = sel.backend();
 *      Tensor x = b.upload(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
 *      Tensor w = b.allocate(3, 2);
 *      Tensor y = b.allocate(2, 2)) {
 *     b.fill(w, 0.5f);
 *     b.gemm(false, false, 1f, x, w, 0f, y);   // y = x · w
 *     float[] out = b.download(y);             // {3, 3, 7.5, 7.5}
 * }
 * }</pre>
 *
 * <p>Every backend passes the same contract test suite ({@code BackendContractTest} in optim's test jar).
 */
package dev.descent.backend;
