package dev.descent.cli.expr;

/**
 * A formula that does not parse, or names a variable or function that does not exist: one line that says what is
 * wrong and where (the 1-based column, counted in characters as the user typed them), and quotes the formula.
 */
public final class FormulaException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final int column;

    FormulaException(String message, int column) {
        super(message);
        this.column = column;
    }

    /** The 1-based column the message points at (the formula's length + 1 for its end), 0 when none. */
    public int column() {
        return column;
    }
}
