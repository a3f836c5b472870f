package dev.descent.model;

import dev.descent.autodiff.ExpressionLoss;
import dev.descent.autodiff.Tape;
import dev.descent.autodiff.Var;
import dev.descent.backend.Backend;
import dev.descent.backend.Tensor;
import dev.descent.optim.Parameter;

/**
 * A loss with settings recorded on an autodiff {@link Tape} for one batch shape: the model's output buffer is the
 * tape's one parameter, with the last layer's δ as its gradient, so that {@link #run} writes the loss into the
 * trainer's slot and dL/d(outputs) into δ. The loss expression is a mean over the batch's rows (or elements); a batch
 * that is part of a data-parallel global batch scales it by {@code rows / globalSize}, as the fused kernels divide by
 * the global size. Replays allocate nothing.
 */
final class LossTape implements AutoCloseable {
    final int globalSize;
    private final Backend backend;
    private final Tape tape;
    private final Var target;
    private final Var loss;

    /**
     * Records {@code expression} of {@code outputs} and {@code target}.
     *
     * @param labels  whether {@code target} holds int32 class labels [rows] (else float targets like the outputs)
     * @param outputs the model's output buffer [rows, k], read by every {@link #run}
     * @param delta   the buffer the gradient goes to, [rows, k]
     */
    LossTape(Backend backend, ExpressionLoss expression, boolean labels, Tensor outputs, Tensor delta, Tensor target,
            int rows, int globalSize) {
        this.backend = backend;
        this.globalSize = globalSize;
        this.tape = new Tape(backend);
        try {
            Var out = tape.parameter(new Parameter("outputs", outputs, delta));
            this.target = labels ? tape.labels("labels", target) : tape.input("targets", target);
            Var l = expression.loss(out, this.target);
            this.loss = rows == globalSize ? l : l.mul((double) rows / globalSize);
        } catch (RuntimeException e) {
            tape.close();
            throw e;
        }
    }

    /** Points the recording at this batch's labels or targets. */
    void bind(Tensor t) {
        tape.bind(target, t);
    }

    /**
     * Computes the loss from the outputs' current values into {@code lossOut[lossIndex]} and, when
     * {@code gradient}, its gradient into δ.
     */
    void run(boolean gradient, Tensor lossOut, int lossIndex) {
        tape.forward();
        if (gradient) {
            tape.backward(loss);
        }
        backend.copyBlock(loss.value(), 0, 0, lossOut, lossIndex, 0, 1, 1, 0f);
    }

    @Override
    public void close() {
        tape.close();
    }
}
