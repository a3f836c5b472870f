package dev.descent.cli.expr;

/** The binary operators, with their symbols. */
public enum Operator {
    ADD('+'), SUB('-'), MUL('*'), DIV('/'), POW('^');

    private final char symbol;

    Operator(char symbol) {
        this.symbol = symbol;
    }

    /** The symbol as typed. */
    public char symbol() {
        return symbol;
    }

    /** The operation in double precision, for the parts of a formula without a variable. */
    double apply(double a, double b) {
        return switch (this) {
            case ADD -> a + b;
            case SUB -> a - b;
            case MUL -> a * b;
            case DIV -> a / b;
            case POW -> Math.pow(a, b);
        };
    }

    /** The operation in float32, as a float32 tensor operation with a float32 operand computes it. */
    float apply(float a, float b) {
        return switch (this) {
            case ADD -> a + b;
            case SUB -> a - b;
            case MUL -> a * b;
            case DIV -> a / b;
            case POW -> (float) Math.pow(a, b);
        };
    }
}
