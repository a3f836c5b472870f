package dev.descent.optim;

/**
 * The objective as an optimizer that re-evaluates it during a step sees it: torch's {@code closure}. One call
 * recomputes the loss at the parameters' current values, writes the gradient of that loss into every parameter's
 * {@link Parameter#grad() grad} tensor (overwriting it), and returns the loss.
 *
 * <pre>{@code
 * Closure closure = () -> {
 *     model.lossAndGradients(batch, lossOut, 0);   // the gradients go into the model's parameters
 *     return backend.get(lossOut, 0);
 * };
 * double loss = lbfgs.step(closure);                // the loss before the step
 * }</pre>
 *
 * <p>{@link Lbfgs} calls it once at the start of a step and again at every point its iteration or line search visits;
 * the other optimizers call it once ({@link Optimizer#step(Closure)}). It must be deterministic for a run to be
 * reproducible, and must not change the parameters.
 */
@FunctionalInterface
public interface Closure {
    /** The loss at the current parameters; the gradient goes into the parameters' grad tensors. */
    double evaluate();
}
