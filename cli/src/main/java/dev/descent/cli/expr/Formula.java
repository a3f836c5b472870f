package dev.descent.cli.expr;

import java.util.Locale;

/**
 * A formula in the variables {@code w1 … wn}, parsed from text:
 *
 * <pre>
 *   formula  = sum END
 *   sum      = product { ("+" | "-") product }            left-associative
 *   product  = unary { ("*" | "/") unary }                left-associative
 *   unary    = ("-" | "+") unary | power
 *   power    = primary [ "^" unary ]                      right-associative: 2^3^2 = 2^(3^2)
 *   primary  = NUMBER | VARIABLE | FUNCTION "(" sum ")" | "(" sum ")"
 *   NUMBER   = 2 | 2.625 | .5 | 5. | 1e-3 | 2.5E+4
 *   VARIABLE = w1 | w2 | … | wn                           n: the number of start values
 *   FUNCTION = exp | log | sqrt | sin | cos | tanh | abs | sigmoid
 * </pre>
 *
 * {@code ^} binds tighter than unary minus, as in mathematics and Python: {@code -w1^2} is {@code -(w1^2)}, and
 * {@code 2^-w1} is {@code 2^(-w1)}. Whitespace may stand between any two tokens.
 *
 * <p>A part without a variable is computed once in double precision and becomes a number ({@code 2*3}, {@code -1},
 * {@code exp(1)}), as Python computes such parts before torch sees them; a number (or such a part) that is not
 * finite in float32 is refused. The tree is immutable and {@link #evaluate} is safe to call from several threads.
 */
public final class Formula {
    /** The highest tree accepted: a sum of at most this many terms, say. */
    public static final int MAX_HEIGHT = 1000;
    /** The most parentheses, signs and exponents nested in one another. */
    public static final int MAX_NESTING = 200;

    private final String text;
    private final int variables;
    private final Node root;
    private final int highest;

    private Formula(String text, int variables, Node root, int highest) {
        this.text = text;
        this.variables = variables;
        this.root = root;
        this.highest = highest;
    }

    /**
     * Parses {@code text} in the variables {@code w1 … w<variables>}.
     *
     * @throws FormulaException (an {@link IllegalArgumentException}) naming what is wrong and the column, with the
     *                          formula quoted
     */
    public static Formula parse(String text, int variables) {
        if (variables < 1) {
            throw new IllegalArgumentException("a formula needs at least one variable, got " + variables);
        }
        Parser p = new Parser(text, variables);
        Node root = p.parse();
        return new Formula(text, variables, root, p.highest);
    }

    /** The text as given. */
    public String text() {
        return text;
    }

    /** n, the number of variables {@code w1 … wn} the formula may use. */
    public int variables() {
        return variables;
    }

    /** The highest k of a variable {@code wk} that the formula uses; 0 when it uses none (it is a number). */
    public int highestVariable() {
        return highest;
    }

    /**
     * The formula's value at {@code w} in float32 arithmetic, with the operations of {@link #build} in the same
     * order: a float32 operand for each number, torch's special cases of a power with a number exponent
     * ({@link #power}), each function the double result rounded to float32.
     *
     * @param w at least {@link #variables()} values
     */
    public float evaluate(float[] w) {
        if (w.length < variables) {
            throw new IllegalArgumentException("formula in " + variables + " variables evaluated at " + w.length
                    + " values");
        }
        return evaluate(root, w);
    }

    private static float evaluate(Node node, float[] w) {
        return switch (node) {
            case Node.Num n -> (float) n.value();
            case Node.Var v -> w[v.index()];
            case Node.Unary u -> u.function().apply(evaluate(u.operand(), w));
            case Node.Binary b when b.right() instanceof Node.Num n -> b.operator() == Operator.POW
                    ? power(evaluate(b.left(), w), n.value())
                    : b.operator().apply(evaluate(b.left(), w), (float) n.value());
            case Node.Binary b -> b.operator().apply(evaluate(b.left(), w), evaluate(b.right(), w));
        };
    }

    /**
     * {@code x ^ e} for a number e as torch computes {@code x ** e} for a float32 tensor: exponents 2 and 3 as
     * products, 0.5 and −0.5 through the square root, −1 and −2 as reciprocals, others with {@code pow} of the
     * exponent rounded to float32.
     */
    static float power(float x, double e) {
        if (e == 2) {
            return x * x;
        } else if (e == 3) {
            return x * x * x;
        } else if (e == 0.5) {
            return (float) Math.sqrt(x);
        } else if (e == -0.5) {
            return 1f / (float) Math.sqrt(x);
        } else if (e == -1) {
            return 1f / x;
        } else if (e == -2) {
            return 1f / (x * x);
        } else if (e == 1) {
            return x;
        } else if (e == 0) {
            return 1f;
        }
        return (float) Math.pow(x, (float) e);
    }

    /**
     * Builds the formula into {@code algebra}, bottom up, left operand before right.
     *
     * @throws IllegalStateException when the formula has no variable (a number builds into nothing)
     */
    public <T> T build(Algebra<T> algebra) {
        if (root instanceof Node.Num) {
            throw new IllegalStateException("the formula \"" + text + "\" has no variable");
        }
        return build(root, algebra);
    }

    private static <T> T build(Node node, Algebra<T> a) {
        return switch (node) {
            case Node.Num n -> throw new IllegalStateException("a number alone builds into nothing");
            case Node.Var v -> a.variable(v.index());
            case Node.Unary u -> a.unary(u.function(), build(u.operand(), a));
            case Node.Binary b when b.right() instanceof Node.Num n -> a.binary(b.operator(), build(b.left(), a),
                    n.value());
            case Node.Binary b when b.left() instanceof Node.Num n -> a.binary(b.operator(), a.constant(n.value()),
                    build(b.right(), a));
            case Node.Binary b -> {
                T left = build(b.left(), a);
                yield a.binary(b.operator(), left, build(b.right(), a));
            }
        };
    }

    /** The formula fully parenthesised, numbers in Java's shortest form: {@code ((1.0 - w1) ^ 2.0)}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        write(root, sb);
        return sb.toString();
    }

    private static void write(Node node, StringBuilder sb) {
        switch (node) {
            case Node.Num n -> sb.append(n.value());
            case Node.Var v -> sb.append('w').append(v.index() + 1);
            case Node.Unary u -> {
                sb.append(u.function() == Function.NEG ? "(-" : u.function().functionName() + "(");
                write(u.operand(), sb);
                sb.append(')');
            }
            case Node.Binary b -> {
                sb.append('(');
                write(b.left(), sb);
                sb.append(' ').append(b.operator().symbol()).append(' ');
                write(b.right(), sb);
                sb.append(')');
            }
        }
    }

    // ------------------------------------------------------------------ the parser

    private enum Kind { NUMBER, NAME, OPERATOR, OPEN, CLOSE, COMMA, END }

    private record Token(Kind kind, String text, int from, int to, double number) {
    }

    /** Tokenizer and recursive descent over one text. */
    private static final class Parser {
        private final String text;
        private final int variables;
        private int pos;
        private Token token;
        private int highest;
        private int depth;

        Parser(String text, int variables) {
            this.text = text;
            this.variables = variables;
        }

        Node parse() {
            advance();
            if (token.kind() == Kind.END) {
                throw new FormulaException("the formula is empty", 0);
            }
            Node n = sum();
            if (token.kind() != Kind.END) {
                String hint = switch (token.kind()) {
                    case CLOSE -> "there is no '(' for it to close";
                    case NUMBER, NAME, OPEN -> "an operator is missing before it";
                    default -> "expected an operator or the end";
                };
                throw error("unexpected " + describe(token), token.from(), hint);
            }
            return n;
        }

        // sum = product { ("+" | "-") product }
        private Node sum() {
            Node left = product();
            while (isOperator('+') || isOperator('-')) {
                Operator op = isOperator('+') ? Operator.ADD : Operator.SUB;
                advance();
                left = binary(op, left, product());
            }
            return left;
        }

        // product = unary { ("*" | "/") unary }
        private Node product() {
            Node left = unary();
            while (isOperator('*') || isOperator('/')) {
                Operator op = isOperator('*') ? Operator.MUL : Operator.DIV;
                Token t = token;
                advance();
                if (op == Operator.MUL && isOperator('*') && token.from() == t.to()) {
                    throw error("unexpected '*'", token.from(), "a power is written ^, e.g. w1^2");
                }
                left = binary(op, left, unary());
            }
            return left;
        }

        // unary = ("-" | "+") unary | power
        private Node unary() {
            if (isOperator('-') || isOperator('+')) {
                Token sign = token;
                advance();
                if (++depth > MAX_NESTING) {
                    throw tooDeep(sign.from());
                }
                Node operand = unary();
                depth--;
                if (sign.text().equals("+")) {
                    return operand;
                }
                return unary(Function.NEG, operand, sign.from(), operand.to());
            }
            return power();
        }

        // power = primary [ "^" unary ]
        private Node power() {
            Node base = primary();
            if (isOperator('^')) {
                Token caret = token;
                advance();
                if (++depth > MAX_NESTING) {
                    throw tooDeep(caret.from());
                }
                Node exponent = unary();
                depth--;
                return binary(Operator.POW, base, exponent);
            }
            return base;
        }

        // primary = NUMBER | VARIABLE | FUNCTION "(" sum ")" | "(" sum ")"
        private Node primary() {
            Token t = token;
            switch (t.kind()) {
                case NUMBER -> {
                    advance();
                    return number(t.number(), t.from(), t.to(), t.text());
                }
                case OPEN -> {
                    advance();
                    Node inner = nested(t);
                    int end = close(t, null);
                    // a number's span takes in its parentheses, for messages about it
                    return inner instanceof Node.Num n ? new Node.Num(n.value(), t.from(), end) : inner;
                }
                case NAME -> {
                    advance();
                    if (token.kind() == Kind.OPEN && !isVariableName(t.text())) {
                        Function f = Function.named(t.text());
                        if (f == null) {
                            throw error("unknown function '" + t.text() + "'", t.from(),
                                    "the functions are " + Function.NAMES);
                        }
                        Token open = token;
                        advance();
                        if (token.kind() == Kind.CLOSE) {
                            throw error("unexpected ')'", token.from(), t.text() + " takes one argument");
                        }
                        Node arg = nested(open);
                        int end = close(open, t.text());
                        return unary(f, arg, t.from(), end);
                    }
                    if (Function.named(t.text()) != null) {
                        throw error("function '" + t.text() + "' without its argument", t.from(),
                                "write " + t.text() + "(...), e.g. " + t.text() + "(w1)");
                    }
                    int index = variableIndex(t.text());
                    if (index < 1 || index > variables) {
                        throw error("unknown variable '" + t.text() + "'", t.from(), variablesHint());
                    }
                    highest = Math.max(highest, index);
                    return new Node.Var(index - 1, t.from(), t.to());
                }
                default -> throw error("unexpected " + describe(t), t.from(),
                        "expected a number, a variable, a function or '('");
            }
        }

        /** A sum inside the parentheses opened by {@code open}, counting the nesting. */
        private Node nested(Token open) {
            if (++depth > MAX_NESTING) {
                throw tooDeep(open.from());
            }
            Node n = sum();
            depth--;
            return n;
        }

        /**
         * Consumes the ')' that closes {@code open} and returns the index after it; a function's call reports a
         * second argument.
         */
        private int close(Token open, String function) {
            if (token.kind() == Kind.CLOSE) {
                int end = token.to();
                advance();
                return end;
            }
            String opened = "to close the '(' at column " + column(open.from());
            if (token.kind() == Kind.END) {
                throw error("missing ')'", token.from(), opened);
            }
            if (token.kind() == Kind.COMMA && function != null) {
                throw error("unexpected ','", token.from(), function + " takes one argument");
            }
            throw error("unexpected " + describe(token), token.from(), "expected an operator or ')' " + opened);
        }

        private String variablesHint() {
            String names = variables == 1 ? "the variable is w1" : variables == 2 ? "the variables are w1, w2"
                    : "the variables are w1.." + "w" + variables;
            return names + ", one per --start value";
        }

        private static boolean isVariableName(String name) {
            return name.length() >= 2 && name.charAt(0) == 'w' && name.chars().skip(1).allMatch(c -> c >= '0'
                    && c <= '9') && name.charAt(1) != '0';
        }

        /** k of a name wk (k >= 1, no leading zero), else -1; a huge k counts as out of range. */
        private static int variableIndex(String name) {
            if (!isVariableName(name)) {
                return -1;
            }
            return name.length() > 10 ? Integer.MAX_VALUE : (int) Math.min(Integer.MAX_VALUE,
                    Long.parseLong(name.substring(1)));
        }

        // ------------------------------------------------------------------ nodes, with constant folding

        /**
         * A number node; {@code literal} is the number as typed, null for a part without a variable. Refuses a value
         * that is not finite in float32.
         */
        private Node number(double v, int from, int to, String literal) {
            if (!Float.isFinite((float) v)) {
                if (literal != null) {
                    throw error("the number " + literal + " is too large", from,
                            "float32 holds at most 3.4e38");
                }
                String part = "'" + text.substring(from, Math.min(to, text.length())).strip() + "'";
                throw error(part + " evaluates to " + (Double.isFinite(v) ? v + ", beyond float32's range" : v), from,
                        "a part without a variable is computed once and must be finite in float32");
            }
            return new Node.Num(v, from, to);
        }

        private Node unary(Function f, Node operand, int from, int to) {
            if (operand instanceof Node.Num n) {
                return number(f.apply(n.value()), from, Math.max(to, n.to()), null);
            }
            return checkHeight(new Node.Unary(f, operand, from, Math.max(to, operand.to()), operand.height() + 1),
                    from);
        }

        private Node binary(Operator op, Node left, Node right) {
            int from = left.from();
            int to = right.to();
            if (left instanceof Node.Num a && right instanceof Node.Num b) {
                return number(op.apply(a.value(), b.value()), from, to, null);
            }
            return checkHeight(new Node.Binary(op, left, right, from, to, Math.max(left.height(), right.height())
                    + 1), right.from());
        }

        /** Refuses a tree higher than {@link #MAX_HEIGHT}, pointing at {@code at}. */
        private Node checkHeight(Node n, int at) {
            if (n.height() > MAX_HEIGHT) {
                throw error("the formula is too large (more than " + MAX_HEIGHT + " operations nested in one "
                        + "another)", at, null);
            }
            return n;
        }

        private FormulaException tooDeep(int at) {
            return error("the formula is nested too deeply (more than " + MAX_NESTING + " parentheses, signs and "
                    + "exponents in one another)", at, null);
        }

        // ------------------------------------------------------------------ tokens

        private boolean isOperator(char c) {
            return token.kind() == Kind.OPERATOR && token.text().charAt(0) == c;
        }

        private void advance() {
            while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
                pos++;
            }
            int from = pos;
            if (pos >= text.length()) {
                token = new Token(Kind.END, "", from, from, 0);
                return;
            }
            char c = text.charAt(pos);
            if (isDigit(c) || (c == '.' && pos + 1 < text.length() && isDigit(text.charAt(pos + 1)))) {
                token = number(from);
            } else if (Character.isLetter(c) || c == '_') {
                while (pos < text.length()
                        && (Character.isLetterOrDigit(text.charAt(pos)) || text.charAt(pos) == '_')) {
                    pos++;
                }
                token = new Token(Kind.NAME, text.substring(from, pos), from, pos, 0);
            } else if ("+-*/^".indexOf(c) >= 0) {
                pos++;
                token = new Token(Kind.OPERATOR, String.valueOf(c), from, pos, 0);
            } else if (c == '(' || c == ')' || c == ',') {
                pos++;
                token = new Token(c == '(' ? Kind.OPEN : c == ')' ? Kind.CLOSE : Kind.COMMA, String.valueOf(c), from,
                        pos, 0);
            } else {
                int cp = text.codePointAt(pos);
                throw error("unexpected character " + quote(cp), from, null);
            }
        }

        private static boolean isDigit(char c) {
            return c >= '0' && c <= '9';
        }

        /** digits [ "." digits ] [ e [+-] digits ], or "." digits [exponent]. */
        private Token number(int from) {
            while (pos < text.length() && isDigit(text.charAt(pos))) {
                pos++;
            }
            if (pos < text.length() && text.charAt(pos) == '.') {
                pos++;
                while (pos < text.length() && isDigit(text.charAt(pos))) {
                    pos++;
                }
            }
            if (pos < text.length() && (text.charAt(pos) == 'e' || text.charAt(pos) == 'E')) {
                int e = pos + 1;
                if (e < text.length() && (text.charAt(e) == '+' || text.charAt(e) == '-')) {
                    e++;
                }
                if (e < text.length() && isDigit(text.charAt(e))) {
                    pos = e;
                    while (pos < text.length() && isDigit(text.charAt(pos))) {
                        pos++;
                    }
                } else {
                    int end = e;
                    while (end < text.length() && (Character.isLetterOrDigit(text.charAt(end)))) {
                        end++;
                    }
                    throw error("malformed number '" + text.substring(from, Math.max(end, e)) + "'", from,
                            "an exponent needs digits, e.g. 1e-3");
                }
            }
            if (pos < text.length() && text.charAt(pos) == '.') {
                throw error("malformed number '" + text.substring(from, pos + 1) + "'", from, null);
            }
            String s = text.substring(from, pos);
            return new Token(Kind.NUMBER, s, from, pos, Double.parseDouble(s));
        }

        // ------------------------------------------------------------------ messages

        private String describe(Token t) {
            return switch (t.kind()) {
                case END -> "end of formula";
                default -> "'" + t.text() + "'";
            };
        }

        private int column(int index) {
            return text.codePointCount(0, Math.min(index, text.length())) + 1;
        }

        /** "WHAT at column N in "TEXT"" and, when given, " (HINT)". */
        private FormulaException error(String what, int index, String hint) {
            int col = column(index);
            return new FormulaException(what + " at column " + col + " in " + quoteText(text, col)
                    + (hint == null ? "" : " (" + hint + ")"), col);
        }

        private static String quote(int cp) {
            if (Character.isISOControl(cp) || !Character.isDefined(cp) || Character.getType(cp) == Character.FORMAT
                    || Character.isWhitespace(cp) || Character.isSpaceChar(cp)) {
                return String.format(Locale.ROOT, "U+%04X", cp);
            }
            return "'" + new String(Character.toChars(cp)) + "'";
        }
    }

    /** Formulas longer than this many characters are quoted in part, around the column a message points at. */
    static final int QUOTED = 80;

    /**
     * The formula in double quotes, control characters escaped, so that a message stays one line; a long formula
     * only around {@code column} (1-based), with "…" for what is left out.
     */
    static String quoteText(String text, int column) {
        int[] cps = text.codePoints().toArray();
        int from = 0;
        int to = cps.length;
        if (cps.length > QUOTED) {
            int at = Math.clamp(column - 1, 0, cps.length);
            from = Math.max(0, Math.min(at - QUOTED / 2, cps.length - QUOTED));
            to = Math.min(cps.length, from + QUOTED);
        }
        StringBuilder sb = new StringBuilder(to - from + 8).append('"');
        if (from > 0) {
            sb.append('…');
        }
        java.util.Arrays.stream(cps, from, to).forEach(cp -> {
            if (Character.isISOControl(cp) || Character.getType(cp) == Character.FORMAT) {
                sb.append(String.format(Locale.ROOT, "\\u%04x", cp));
            } else {
                sb.appendCodePoint(cp);
            }
        });
        if (to < cps.length) {
            sb.append('…');
        }
        return sb.append('"').toString();
    }
}
