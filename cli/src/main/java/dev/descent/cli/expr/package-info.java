/**
 * Formulas typed on the command line ({@code descent minimize --objective}): a tokenizer and a recursive-descent
 * parser ({@link dev.descent.cli.expr.Formula#parse}) into an immutable tree that evaluates itself on the host in
 * float32 ({@link dev.descent.cli.expr.Formula#evaluate}) and builds any other representation, such as a reverse-mode
 * autodiff expression, through an {@link dev.descent.cli.expr.Algebra}.
 */
package dev.descent.cli.expr;
