package dev.descent.backend;

/**
 * A compute backend: owns tensor memory and runs every kernel descent needs. All tensors are float32 ({@link DType#F32})
 * unless an operation says int32 ({@link DType#I32}); all matrices are row-major. Shapes are checked on every call and a
 * mismatch is an {@link IllegalArgumentException} naming the operation and the shapes. A tensor created by another
 * backend, or a closed tensor, is rejected. Every backend makes these checks with {@link OpChecks}, so that all refuse
 * the same arguments with the same messages.
 *
 * <p>Operations may run asynchronously (an accelerator queues them); {@link #download} and the scalar-returning
 * reductions synchronise. Results are deterministic: the same inputs give bit-identical outputs whatever the thread
 * count of the backend.
 *
 * <p>Closing a backend closes every tensor it still owns.
 *
 * <p>Losses follow torch's mean reduction. Each fused loss kernel computes the loss and, when {@code grad} is not null,
 * the gradient with respect to its input in the same pass; it writes the loss into element {@code lossIndex} of the
 * float32 tensor {@code lossOut}, so that a training loop can keep one loss per step on the backend and read them back
 * once per epoch. The loss is {@code (sum over rows of the per-row loss) / normalizer} and the gradient is scaled the
 * same way; {@code normalizer} is normally the batch's row count (for data-parallel training: the global batch size).
 */
public interface Backend extends AutoCloseable {

    /** Short name: {@code cpu}, {@code cuda}. */
    String name();

    /** One line describing the backend: vector width, threads, device name. */
    String description();

    /** Worker threads used by multi-core kernels (1 for accelerators). */
    int threads();

    // ---------------------------------------------------------------- memory

    /** A new zero-filled float32 tensor of shape {@code [n]} or {@code [rows, cols]}. */
    Tensor allocate(int... shape);

    /** A new zero-filled int32 tensor of shape {@code [n]} or {@code [rows, cols]}. */
    Tensor allocateInt(int... shape);

    /** A new float32 tensor holding {@code data} (length must equal the shape's size). */
    Tensor upload(float[] data, int... shape);

    /** A new int32 tensor holding {@code data}. */
    Tensor uploadInt(int[] data, int... shape);

    /** Copies {@code src[srcOffset .. srcOffset + dst.size())} into an existing float32 tensor. */
    void upload(float[] src, int srcOffset, Tensor dst);

    /** Copies {@code src[srcOffset .. srcOffset + dst.size())} into an existing int32 tensor. */
    void uploadInt(int[] src, int srcOffset, Tensor dst);

    /** Copies a float32 tensor into {@code dst[dstOffset ..]}; synchronises. */
    void download(Tensor src, float[] dst, int dstOffset);

    /** Copies an int32 tensor into {@code dst[dstOffset ..]}; synchronises. */
    void downloadInt(Tensor src, int[] dst, int dstOffset);

    /** A new array with the float32 tensor's contents. */
    default float[] download(Tensor src) {
        float[] out = new float[Math.toIntExact(src.size())];
        download(src, out, 0);
        return out;
    }

    /** A new array with the int32 tensor's contents. */
    default int[] downloadInt(Tensor src) {
        int[] out = new int[Math.toIntExact(src.size())];
        downloadInt(src, out, 0);
        return out;
    }

    /** Reads one float element; synchronises. */
    float get(Tensor src, long index);

    /** Waits until every queued operation has finished. */
    void synchronize();

    // ---------------------------------------------------------------- GEMM

    /**
     * {@code C ← alpha · op(A) · op(B) + beta · C}, where op transposes when asked. With {@code beta == 0} the old
     * contents of C are ignored (NaN in C does not propagate). Shapes: op(A) is m×k, op(B) is k×n, C is m×n.
     */
    void gemm(boolean transA, boolean transB, float alpha, Tensor a, Tensor b, float beta, Tensor c);

    // ---------------------------------------------------------------- elementwise (same size, any shape)

    /** {@code y ← alpha · x + y}. */
    void axpy(float alpha, Tensor x, Tensor y);

    /** {@code x ← alpha · x}. */
    void scale(float alpha, Tensor x);

    /** {@code x ← value} (float32 or int32 tensor; for int32 the value is truncated). */
    void fill(Tensor x, float value);

    /** {@code dst ← src} (same dtype and size). */
    void copy(Tensor src, Tensor dst);

    /** {@code out ← a ⊙ b} elementwise; {@code out} may alias either input. */
    void multiply(Tensor a, Tensor b, Tensor out);

    /** {@code x ← min(max(x, lo), hi)}; NaN stays NaN. */
    void clamp(Tensor x, float lo, float hi);

    // ---------------------------------------------------------------- reductions (synchronise)

    /** Sum of all elements, accumulated in a fixed order. */
    double sum(Tensor x);

    /** Dot product of two same-size tensors. */
    double dot(Tensor x, Tensor y);

    /** Sum of squares. */
    double squaredNorm(Tensor x);

    /** Largest absolute value; NaN if any element is NaN. */
    float maxAbs(Tensor x);

    /** True when no element is NaN or infinite. */
    boolean allFinite(Tensor x);

    // ---------------------------------------------------------------- rows

    /**
     * Gathers rows: {@code dst[i, :] ← src[indices[offset + i], :]} for {@code i < dst.rows()}. {@code src} and
     * {@code dst} share dtype and column count; {@code indices} is int32. An index out of range is an error.
     */
    void gatherRows(Tensor src, Tensor indices, int offset, Tensor dst);

    /**
     * {@link #gatherRows} that may run in the background, for a data loader to fetch the next minibatch while the
     * current one trains. The arguments are checked now (the same errors as {@link #gatherRows}); until the returned
     * handle's {@link Pending#await()} returns, the caller must not read or write {@code dst} nor change {@code src} or
     * {@code indices}. Results are those of {@link #gatherRows}, bit for bit. The default gathers at once (in stream
     * order on a device) and returns {@link Pending#DONE}; the CPU backend copies on a spare core when its worker pool
     * leaves one. At most one such gather is in flight: a second call first awaits the first.
     */
    default Pending gatherRowsAsync(Tensor src, Tensor indices, int offset, Tensor dst) {
        gatherRows(src, indices, offset, dst);
        return Pending.DONE;
    }

    /**
     * Whether {@link #gatherRowsAsync} copies in the background, so that a loader gains by gathering ahead into a second
     * set of buffers. Default false (the CPU backend: when its worker pool leaves a core free).
     */
    default boolean gathersInBackground() {
        return false;
    }

    /** A background operation ({@link #gatherRowsAsync}); {@link #await()} returns once its results are in place. */
    interface Pending {
        /** An operation that has already completed. */
        Pending DONE = () -> { };

        /**
         * Waits for the operation; afterwards its results are visible to this thread.
         *
         * @throws BackendException if it failed (the message says why)
         */
        void await();
    }

    /** {@code out[i] ← argmax_j x[i, j]} (first maximum wins; NaN counts as the maximum); {@code out} is int32 [rows]. */
    void argmaxRows(Tensor x, Tensor out);

    /** {@code x[i, :] ← x[i, :] + bias} for every row; bias has {@code x.cols()} elements. */
    void addRowVector(Tensor x, Tensor bias);

    /** {@code out ← beta · out + alpha · Σ_i x[i, :]}; out has {@code x.cols()} elements. */
    void columnSums(float alpha, Tensor x, float beta, Tensor out);

    // ---------------------------------------------------------------- activations

    /** {@code out ← max(x, 0)}; {@code out} may alias {@code x}. */
    void relu(Tensor x, Tensor out);

    /** {@code gradIn ← gradOut ⊙ [activation > 0]}, with {@code activation} the ReLU output; may alias gradOut. */
    void reluBackward(Tensor gradOut, Tensor activation, Tensor gradIn);

    // ---------------------------------------------------------------- fused losses

    /**
     * Softmax cross-entropy from logits [n, k] and int32 labels [n] in [0, k), computed with a max-subtracted
     * log-sum-exp. Loss {@code Σ_i (lse_i − z_i,y_i) / normalizer}; gradient {@code (softmax(z) − onehot(y)) / normalizer}.
     * A label outside [0, k) is an error. {@code grad} may be {@code logits}: the gradient then overwrites them.
     */
    void softmaxCrossEntropy(Tensor logits, Tensor labels, Tensor grad, int normalizer, Tensor lossOut, int lossIndex);

    /**
     * A dense layer followed by softmax cross-entropy, forward and backward in one call (the whole training step of
     * softmax regression but the update, and the last layer of a classifier): exactly
     * <pre>
     *   gemm(false, false, 1, x, w, 0, logits);  if (b != null) addRowVector(logits, b);
     *   softmaxCrossEntropy(logits, labels, grad, normalizer, lossOut, lossIndex);
     *   gemm(true, false, 1, x, grad, 0, gradW);  if (gradB != null) columnSums(1, grad, 0, gradB);
     * </pre>
     * which is also the default implementation. Shapes: x [n, in], w and gradW [in, k], b and gradB [k] (both or
     * neither), labels int32 [n], logits and grad [n, k]; grad may be logits (a caller that does not need the logits
     * afterwards saves a buffer and its memory traffic). A backend may fuse the passes (the CPU backend reads each
     * block of x once for the forward and the weight gradient, while it is in cache); the results must be those of the
     * sequence above (on the CPU bit-identical, whatever the thread count).
     */
    default void linearSoftmaxCrossEntropy(Tensor x, Tensor w, Tensor b, Tensor labels, Tensor logits, Tensor grad,
            Tensor gradW, Tensor gradB, int normalizer, Tensor lossOut, int lossIndex) {
        OpChecks.linearSoftmaxCrossEntropy(x, w, b, labels, logits, grad, gradW, gradB, normalizer, lossOut,
                lossIndex);
        gemm(false, false, 1f, x, w, 0f, logits);
        if (b != null) {
            addRowVector(logits, b);
        }
        softmaxCrossEntropy(logits, labels, grad, normalizer, lossOut, lossIndex);
        gemm(true, false, 1f, x, grad, 0f, gradW);
        if (gradB != null) {
            columnSums(1f, grad, 0f, gradB);
        }
    }

    /**
     * Binary cross-entropy from logits x and float targets t in [0, 1] (same shape), stable:
     * {@code max(x, 0) − x·t + log(1 + exp(−|x|))} per element; gradient {@code (sigmoid(x) − t) / normalizer}. The
     * loss is averaged over {@code normalizer · cols} elements (torch's mean over all elements), as is the gradient.
     */
    void sigmoidBinaryCrossEntropy(Tensor logits, Tensor targets, Tensor grad, int normalizer, Tensor lossOut,
            int lossIndex);

    /** Mean squared error over all elements; gradient {@code 2(p − t) / (normalizer · cols)}. */
    void meanSquaredError(Tensor predictions, Tensor targets, Tensor grad, int normalizer, Tensor lossOut,
            int lossIndex);

    /** Mean absolute error over all elements; gradient {@code sign(p − t) / (normalizer · cols)} (0 where equal). */
    void meanAbsoluteError(Tensor predictions, Tensor targets, Tensor grad, int normalizer, Tensor lossOut,
            int lossIndex);

    // ---------------------------------------------------------------- fused optimizer updates (see PARITY.md)

    /**
     * One SGD-family step on one parameter tensor, torch.optim.SGD semantics:
     * <pre>
     *   g ← grad (negated if maximize); if weightDecay ≠ 0: g ← g + weightDecay·θ
     *   if momentum ≠ 0: b ← copyFirst ? g : momentum·b + (1 − dampening)·g
     *                    g ← nesterov ? g + momentum·b : b
     *   θ ← θ − lr·g
     * </pre>
     * {@code momentumBuffer} may be null when momentum is 0. {@code copyFirst} is torch's first step (b ← g); the
     * textbook EMA momentum passes false on every step with dampening = momentum and a zero-initialised buffer.
     * {@code grad} is not modified.
     */
    void sgdUpdate(Tensor param, Tensor grad, Tensor momentumBuffer, double lr, double momentum, double dampening,
            boolean nesterov, double weightDecay, boolean maximize, boolean copyFirst);

    /**
     * One Adam/AdamW step (torch.optim.Adam/AdamW). With {@code decoupled} (AdamW) θ ← θ(1 − lr·weightDecay) first and
     * g is not decayed; otherwise g ← g + weightDecay·θ. Then m ← β1 m + (1−β1) g, v ← β2 v + (1−β2) g²,
     * if {@code maxV} is not null (amsgrad) maxV ← max(maxV, v) and it replaces v below;
     * θ ← θ − (lr / (1 − β1^step)) · m / (√v / √(1 − β2^step) + eps). {@code step} counts from 1.
     */
    void adamUpdate(Tensor param, Tensor grad, Tensor m, Tensor v, Tensor maxV, double lr, double beta1, double beta2,
            double eps, double weightDecay, boolean decoupled, boolean maximize, long step);

    /**
     * One RMSprop step (torch.optim.RMSprop): g (+ weightDecay·θ); sq ← α sq + (1−α) g²; if {@code gradAvg} is not null
     * (centered) gradAvg ← α gradAvg + (1−α) g and d ← √(sq − gradAvg²) + eps, else d ← √sq + eps; if
     * {@code momentumBuffer} is not null (momentum &gt; 0) b ← momentum·b + g/d, θ ← θ − lr·b, else θ ← θ − lr·g/d.
     */
    void rmspropUpdate(Tensor param, Tensor grad, Tensor squareAvg, Tensor gradAvg, Tensor momentumBuffer, double lr,
            double alpha, double eps, double weightDecay, double momentum, boolean maximize);

    /**
     * One Adagrad step (torch.optim.Adagrad) with the already-decayed rate {@code clr = lr / (1 + (step−1)·lrDecay)}:
     * g (+ weightDecay·θ); sum ← sum + g²; θ ← θ − clr · g / (√sum + eps).
     */
    void adagradUpdate(Tensor param, Tensor grad, Tensor sum, double clr, double eps, double weightDecay,
            boolean maximize);

    /**
     * One NAdam step (torch.optim.NAdam, torch 1.13) with the two step sizes the optimizer derives from its momentum
     * schedule (μ_t, μ_{t+1} and their running product, which it keeps):
     * <pre>
     *   g ← grad (negated if maximize); if weightDecay ≠ 0: g ← g + weightDecay·θ
     *   m ← β1 m + (1 − β1) g;   v ← β2 v + (1 − β2) g²
     *   d ← √(v / (1 − β2^step)) + eps
     *   θ ← θ − gradStepSize · g / d;   then θ ← θ − momentumStepSize · m / d
     * </pre>
     * with {@code gradStepSize} = lr(1 − μ_t)/(1 − Π_t) and {@code momentumStepSize} = lr·μ_{t+1}/(1 − Π'_t) as
     * {@link dev.descent.optim.NadamOptions} defines them. {@code step} counts from 1; {@code grad} is not modified.
     */
    void nadamUpdate(Tensor param, Tensor grad, Tensor m, Tensor v, double gradStepSize, double momentumStepSize,
            double beta1, double beta2, double eps, double weightDecay, boolean maximize, long step);

    /**
     * One RAdam step (torch.optim.RAdam, torch 1.13):
     * <pre>
     *   g ← grad (negated if maximize); if weightDecay ≠ 0: g ← g + weightDecay·θ
     *   m ← β1 m + (1 − β1) g;   v ← β2 v + (1 − β2) g²;   m̂ ← m / (1 − β1^step)
     *   ρ∞ ← 2/(1 − β2) − 1;   ρ ← ρ∞ − 2·step·β2^step / (1 − β2^step)
     *   ρ &gt; 5: r ← √((ρ − 4)(ρ − 2)ρ∞ / ((ρ∞ − 4)(ρ∞ − 2)ρ));  θ ← θ − m̂·lr·(√(1 − β2^step) / (√v + eps))·r
     *   else:   θ ← θ − m̂·lr
     * </pre>
     * {@code step} counts from 1; {@code grad} is not modified.
     */
    void radamUpdate(Tensor param, Tensor grad, Tensor m, Tensor v, double lr, double beta1, double beta2, double eps,
            double weightDecay, boolean maximize, long step);

    /**
     * One Adamax step (torch.optim.Adamax, torch 1.13):
     * <pre>
     *   g ← grad (negated if maximize); if weightDecay ≠ 0: g ← g + weightDecay·θ
     *   m ← β1 m + (1 − β1) g;   u ← max(β2 u, |g| + eps)   (NaN if either is NaN)
     *   θ ← θ − (lr / (1 − β1^step)) · m / u
     * </pre>
     * {@code step} counts from 1; {@code grad} is not modified.
     */
    void adamaxUpdate(Tensor param, Tensor grad, Tensor m, Tensor u, double lr, double beta1, double beta2,
            double eps, double weightDecay, boolean maximize, long step);

    /**
     * One Adadelta step (torch.optim.Adadelta, torch 1.13):
     * <pre>
     *   g ← grad (negated if maximize); if weightDecay ≠ 0: g ← g + weightDecay·θ
     *   sq ← ρ sq + (1 − ρ) g²;   Δ ← √(acc + eps) / √(sq + eps) · g;   acc ← ρ acc + (1 − ρ) Δ²
     *   θ ← θ − lr·Δ
     * </pre>
     * {@code grad} is not modified.
     */
    void adadeltaUpdate(Tensor param, Tensor grad, Tensor squareAvg, Tensor accDelta, double lr, double rho,
            double eps, double weightDecay, boolean maximize);

    // ---------------------------------------------------------------- views

    /**
     * A view of {@code x}'s memory with another shape of the same size and dtype ({@code [n]} or {@code [rows, cols]}):
     * no copy, so a write through either is seen through both. Closing the view releases nothing; closing {@code x}
     * (or the backend) closes its views too. A view of a view views the same memory.
     */
    Tensor reshape(Tensor x, int... shape);

    // ---------------------------------------------------------------- autodiff: elementwise with broadcasting
    //
    // The operations below are what reverse-mode differentiation (dev.descent.autodiff) records. Each backward
    // operation adds its gradient to an accumulator with a factor beta: gradIn ← beta·gradIn + (the gradient), where
    // beta == 0 ignores the old contents (NaN in them does not propagate), so a first contribution overwrites and
    // later ones accumulate. It is rounded once, as fma(beta, gradIn, gradient) (beta 1: an exact float addition).
    // Broadcasting works on (rows, cols) as the tensors report them (a rank-1 [n] tensor is n rows of one column;
    // reshape it to [1, n] to broadcast it along rows): an operand has the output's shape, or one row ([1, cols],
    // repeated down the rows), or one column ([rows, 1], repeated across the columns), or one element.

    /** {@code out ← op(x)} elementwise (see {@link UnaryOp}); {@code param} is POW's exponent. out may alias x. */
    void unary(UnaryOp op, float param, Tensor x, Tensor out);

    /**
     * {@code gradIn ← beta·gradIn + gradOut ⊙ op'(x)} with {@link UnaryOp}'s formulas, which read the input {@code x},
     * the output {@code out} (as computed by {@link #unary}) or both; all four have the same size. gradIn may alias
     * gradOut.
     */
    void unaryBackward(UnaryOp op, float param, Tensor x, Tensor out, Tensor gradOut, float beta, Tensor gradIn);

    /**
     * {@code out ← a op b} elementwise with broadcasting (see {@link BinaryOp}): each of a and b has out's shape, or
     * one row, or one column, or one element. out may alias an input of its own shape.
     */
    void binary(BinaryOp op, Tensor a, Tensor b, Tensor out);

    /**
     * The gradient of {@link #binary} with respect to {@code a} ({@code argument == 0}) or {@code b}
     * ({@code argument == 1}): {@code gradArg ← beta·gradArg + reduce(gradOut ⊙ ∂(a op b)/∂arg)}, where reduce sums
     * over the rows, the columns or both that the argument was broadcast along (in an order fixed by the shapes).
     * a, b and out are the forward's tensors (out is read by POW's gradient of b only, but must always be given);
     * gradOut has out's shape, gradArg the argument's.
     */
    void binaryBackward(BinaryOp op, int argument, Tensor a, Tensor b, Tensor out, Tensor gradOut, float beta,
            Tensor gradArg);

    // ---------------------------------------------------------------- autodiff: reductions, rows, blocks

    /**
     * {@code out ← op} reduced over {@code x} (see {@link ReduceOp}), along what out's shape says: out with one
     * element reduces every element; out {@code [1, cols]} reduces down each column (torch's dim 0); out with
     * {@code x.rows()} rows and one column (or rank-1 {@code [rows]}) reduces along each row (dim 1).
     */
    void reduce(ReduceOp op, Tensor x, Tensor out);

    /**
     * {@code gradIn ← beta·gradIn + the gradient of} {@link #reduce}: x and out are the forward's tensors, gradOut has
     * out's shape and gradIn x's.
     */
    void reduceBackward(ReduceOp op, Tensor x, Tensor out, Tensor gradOut, float beta, Tensor gradIn);

    /**
     * Softmax along each row, max-subtracted: {@code out[i, j] ← exp(x[i, j] − m_i) / Σ_j exp(x[i, j] − m_i)}, or with
     * {@code log} the log-softmax {@code x[i, j] − m_i − ln Σ_j exp(x[i, j] − m_i)} (m_i the row's maximum). out has
     * x's shape and may alias it.
     */
    void softmaxRows(Tensor x, Tensor out, boolean log);

    /**
     * {@code gradIn ← beta·gradIn +} the gradient of {@link #softmaxRows} from its output {@code out}: for softmax
     * {@code out ⊙ (gradOut − Σ_j gradOut ⊙ out)}, for log-softmax {@code gradOut − exp(out) · Σ_j gradOut} (torch's
     * formulas, sums along each row). gradIn may alias gradOut.
     */
    void softmaxRowsBackward(Tensor out, Tensor gradOut, boolean log, float beta, Tensor gradIn);

    /**
     * Picks one element per row: {@code out[i] ← x[i, labels[i]]} for x [n, k], int32 labels [n] in [0, k) and out of
     * n elements (torch's {@code x.gather(1, labels[:, None])}, the cross-entropy's pick). A label outside [0, k) is an
     * error.
     */
    void gatherColumns(Tensor x, Tensor labels, Tensor out);

    /**
     * The gradient of {@link #gatherColumns}: {@code gradIn ← beta·gradIn}, then {@code gradIn[i, labels[i]] +=
     * gradOut[i]}; gradIn [n, k], gradOut of n elements.
     */
    void scatterAddColumns(Tensor gradOut, Tensor labels, float beta, Tensor gradIn);

    /** {@code out ← beta·out + xᵀ}: x [rows, cols], out [cols, rows] (a rank-1 x counts as one column); no aliasing. */
    void transpose(Tensor x, float beta, Tensor out);

    /**
     * Copies a block of {@code rows × cols} elements: {@code dst[dstRow + i, dstCol + j] ← beta·dst[...] +
     * src[srcRow + i, srcCol + j]}. Elements of dst outside the block are untouched. The block must lie inside both
     * tensors; src and dst must not be the same tensor. Slicing, its gradient, and writing one element of a tensor
     * ({@code lossOut[lossIndex]}) are such copies.
     */
    void copyBlock(Tensor src, int srcRow, int srcCol, Tensor dst, int dstRow, int dstCol, int rows, int cols,
            float beta);

    // ---------------------------------------------------------------- training steps

    /**
     * Runs one training step: every backend operation {@code step} issues, in order, with exactly the results of
     * calling {@code step.run()} directly. The default does just that. A backend may instead record the operations
     * the first times a {@code key} is seen and replay the recording on later calls with the same key (the CUDA
     * backend captures a CUDA graph and patches the changed scalars into it, one launch per step instead of one per
     * kernel); {@code step.run()} is still called on every call, on the calling thread, so host-side state (step
     * counters, schedules) advances as usual.
     *
     * <p>The contract for {@code step}, so that a recording can be reused:
     * <ul>
     * <li>for the same key it issues the same sequence of operations on the same tensors with the same shapes; only
     *     scalar arguments may change from call to call (learning rate, Adam's step count, {@code lossIndex},
     *     gather offsets, alpha/beta of the elementwise operations);</li>
     * <li>it neither reads values back ({@link #download}, {@link #get}, the reductions, {@link #synchronize}), nor
     *     uploads from Java arrays, nor allocates or closes tensors;</li>
     * <li>a key stands for one shape of step, e.g. the batch's row count.</li>
     * </ul>
     * A backend that finds the sequence differs from its recording, or meets an operation it cannot record, must
     * still produce exactly the results of running {@code step} directly (it falls back to running the operations
     * one by one) and never wrong results; breaking the contract costs speed, not correctness. Exceptions from
     * {@code step} propagate, after the operations issued before them have been queued.
     *
     * @param key  identifies the shape of the step; steps with different keys are recorded separately
     * @param step issues the step's operations on this backend
     */
    default void runStep(long key, Runnable step) {
        step.run();
    }

    /** Closes every tensor this backend still owns and releases its resources. Idempotent. */
    @Override
    void close();
}
