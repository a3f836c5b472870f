/**
 * Reverse-mode automatic differentiation on backend tensors: write an objective, a loss or a model as tensor
 * expressions and let descent find the gradient.
 *
 * <ul>
 * <li>{@link dev.descent.autodiff.Tape} records operations on {@link dev.descent.autodiff.Var}s, replays them
 *     ({@code forward()}) and differentiates them ({@code backward(loss)}) into the parameters' gradient tensors,
 *     allocation-free after the first time.</li>
 * <li>{@link dev.descent.autodiff.ExpressionObjective}: an {@link dev.descent.objective.Objective} from an expression of
 *     the parameter vector, for {@link dev.descent.objective.ObjectiveMinimizer} and {@code descent minimize}.</li>
 * </ul>
 *
 * <p>Every operation runs on the backend through the element-wise, broadcast, reduction and row operations of
 * {@link dev.descent.backend.Backend}, with torch 1.13's float32 forward and backward formulas.
 */
package dev.descent.autodiff;
