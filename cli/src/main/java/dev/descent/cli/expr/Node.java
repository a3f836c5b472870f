package dev.descent.cli.expr;

/**
 * A node of a parsed formula: immutable. {@code from} and {@code to} are the node's source span (0-based char
 * indexes, {@code to} exclusive), for messages.
 */
sealed interface Node {
    int from();

    int to();

    /** The height of the tree under this node (a leaf: 1). */
    int height();

    /** A number: a literal, or a part of the formula without a variable, computed in double precision. */
    record Num(double value, int from, int to) implements Node {
        @Override
        public int height() {
            return 1;
        }
    }

    /** Variable {@code w<index + 1>}. */
    record Var(int index, int from, int to) implements Node {
        @Override
        public int height() {
            return 1;
        }
    }

    /** Negation or a function of an operand that holds a variable. */
    record Unary(Function function, Node operand, int from, int to, int height) implements Node {
    }

    /** A binary operation of which at least one operand holds a variable. */
    record Binary(Operator operator, Node left, Node right, int from, int to, int height) implements Node {
    }
}
