package dev.descent.cli.expr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.objective.Rosenbrock;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The formula parser: grammar, precedence, numbers, functions, constant parts, and every error with its column. */
class FormulaTest {
    private static String tree(String text) {
        return Formula.parse(text, 3).toString();
    }

    private static float eval(String text, float... w) {
        return Formula.parse(text, w.length).evaluate(w);
    }

    @Test
    void precedenceAndAssociativity() {
        assertEquals("(w1 + (w2 * w3))", tree("w1 + w2 * w3"));
        assertEquals("((w1 * w2) + w3)", tree("w1 * w2 + w3"));
        assertEquals("((w1 - w2) - w3)", tree("w1 - w2 - w3"), "- is left-associative");
        assertEquals("((w1 / w2) / w3)", tree("w1 / w2 / w3"), "/ is left-associative");
        assertEquals("((w1 / w2) * w3)", tree("w1 / w2 * w3"));
        assertEquals("(w1 * (w2 ^ 2.0))", tree("w1 * w2 ^ 2"), "^ binds tighter than *");
        assertEquals("((w1 + w2) * w3)", tree("(w1 + w2) * w3"));
        assertEquals("w1", tree("((w1))"));
    }

    @Test
    void powerIsRightAssociative() {
        assertEquals("(w1 ^ (w2 ^ w3))", tree("w1^w2^w3"));
        assertEquals("(w1 ^ 8.0)", tree("w1^2^3"), "2^3 first, a number: w1^(2^3)");
        assertEquals(512f, eval("w1^3^2", 2f), "2^(3^2), not (2^3)^2 = 64");
    }

    @Test
    void unaryMinusBindsLooserThanPower() {
        assertEquals("(-(w1 ^ 2.0))", tree("-w1^2"), "-w1^2 = -(w1^2), as in mathematics and Python");
        assertEquals(-9f, eval("-w1^2", 3f));
        assertEquals("((-w1) ^ 2.0)", tree("(-w1)^2"));
        assertEquals(9f, eval("(-w1)^2", 3f));
        assertEquals("(2.0 ^ (-w1))", tree("2^-w1"), "a sign in the exponent");
        assertEquals("(w1 ^ -2.0)", tree("w1^-2"), "a negative literal exponent stays a number");
        assertEquals("((-w1) * w2)", tree("-w1*w2"));
        assertEquals("(w1 - (-w2))", tree("w1 - -w2"));
        assertEquals("(w1 - -2.0)", tree("w1 - -2"));
        assertEquals("(-(-w1))", tree("--w1"));
        assertEquals("w1", tree("+w1"), "unary plus is nothing");
        assertEquals("(-4.0 * w1)", tree("-2^2*w1"), "-(2^2), a number");
    }

    @Test
    void numbers() {
        assertEquals("(2.625 * w1)", tree("2.625*w1"));
        assertEquals("(0.001 * w1)", tree("1e-3*w1"));
        assertEquals("(0.5 * w1)", tree(".5*w1"));
        assertEquals("(5.0 * w1)", tree("5.*w1"));
        assertEquals("(25000.0 * w1)", tree("2.5E+4*w1"));
        assertEquals("(100.0 * w1)", tree("1e2*w1"));
        assertEquals("(w1 + 7.0)", tree("w1 + 007"));
        assertEquals((float) 1e-3 * 3f, eval("1e-3*w1", 3f), "a number is a float32 operand");
    }

    @Test
    void whitespaceIsAllowedBetweenTokens() {
        assertEquals("((w1 + w2) * 2.0)", tree(" \t(w1\n+ w2 )*\r\n2 "));
        assertEquals("exp(w1)", tree("exp ( w1 )"));
    }

    @Test
    void everyFunction() {
        float x = 0.7f;
        assertEquals((float) Math.exp(x), eval("exp(w1)", x));
        assertEquals((float) Math.log(x), eval("log(w1)", x));
        assertEquals((float) Math.sqrt(x), eval("sqrt(w1)", x));
        assertEquals((float) Math.sin(x), eval("sin(w1)", x));
        assertEquals((float) Math.cos(x), eval("cos(w1)", x));
        assertEquals((float) Math.tanh(x), eval("tanh(w1)", x));
        assertEquals(x, eval("abs(w1)", -x));
        assertEquals(1f / (1f + (float) Math.exp(-x)), eval("sigmoid(w1)", x));
        assertEquals("exp, log, sqrt, sin, cos, tanh, abs, sigmoid", Function.NAMES);
        for (String f : Function.NAMES.split(", ")) {
            assertEquals(f + "((w1 + w2))", tree(f + "(w1 + w2)"));
        }
        assertEquals("(sigmoid(w1) * abs(w2))", tree("sigmoid(w1)*abs(w2)"));
    }

    @Test
    void partsWithoutVariablesAreNumbersComputedInDouble() {
        assertEquals("(6.0 * w1)", tree("2*3*w1"));
        assertEquals("(w1 ^ 0.5)", tree("w1^(1/2)"));
        assertEquals("(1.0 * w1)", tree("exp(0)*w1"));
        assertEquals("(0.30000000000000004 * w1)", tree("(0.1 + 0.2) * w1"), "as Python computes 0.1 + 0.2");
        assertEquals("(w1 + -1.0)", tree("w1 + -(1)"));
    }

    @Test
    void powersWithANumberExponentRoundAsTorch() {
        float x = 1.1f;
        assertEquals(x * x, eval("w1^2", x));
        assertEquals(x * x * x, eval("w1^3", x));
        assertEquals((float) Math.sqrt(x), eval("w1^0.5", x));
        assertEquals(1f / (float) Math.sqrt(x), eval("w1^-0.5", x));
        assertEquals(1f / x, eval("w1^-1", x));
        assertEquals(1f / (x * x), eval("w1^-2", x));
        assertEquals((float) Math.pow(x, 2.5f), eval("w1^2.5", x));
        assertEquals((float) Math.pow(2f, x), eval("2^w1", x));
    }

    /** The lecture's function typed as a formula is Rosenbrock.lecture()'s value, bit for bit. */
    @Test
    void rosenbrockFormulaEvaluatesAsTheLibrary() {
        Formula f = Formula.parse("(1-w1)^2 + 10*(w2-w1^2)^2", 2);
        Rosenbrock r = Rosenbrock.lecture();
        Random rnd = new Random(7);
        for (int i = 0; i < 10_000; i++) {
            float[] w = {(float) (rnd.nextGaussian() * 2), (float) (rnd.nextGaussian() * 2)};
            assertEquals((float) r.value(w), f.evaluate(w), () -> w[0] + ", " + w[1]);
        }
    }

    @Test
    void buildCallsTheAlgebraInPythonsOrder() {
        List<String> calls = new ArrayList<>();
        Algebra<String> a = new Algebra<>() {
            @Override
            public String variable(int index) {
                calls.add("w" + (index + 1));
                return "w" + (index + 1);
            }

            @Override
            public String constant(double value) {
                calls.add("constant " + value);
                return "c" + value;
            }

            @Override
            public String unary(Function function, String operand) {
                String s = function.functionName() + "(" + operand + ")";
                calls.add(s);
                return s;
            }

            @Override
            public String binary(Operator operator, String left, String right) {
                String s = operator + "(" + left + ", " + right + ")";
                calls.add(s);
                return s;
            }

            @Override
            public String binary(Operator operator, String left, double right) {
                String s = operator + "(" + left + ", #" + right + ")";
                calls.add(s);
                return s;
            }
        };
        assertEquals("ADD(POW(SUB(c1.0, w1), #2.0), MUL(c10.0, POW(SUB(w2, POW(w1, #2.0)), #2.0)))",
                Formula.parse("(1-w1)^2 + 10*(w2-w1^2)^2", 2).build(a));
        assertEquals(List.of("constant 1.0", "w1", "SUB(c1.0, w1)", "POW(SUB(c1.0, w1), #2.0)", "constant 10.0",
                "w2", "w1", "POW(w1, #2.0)", "SUB(w2, POW(w1, #2.0))", "POW(SUB(w2, POW(w1, #2.0)), #2.0)",
                "MUL(c10.0, POW(SUB(w2, POW(w1, #2.0)), #2.0))",
                "ADD(POW(SUB(c1.0, w1), #2.0), MUL(c10.0, POW(SUB(w2, POW(w1, #2.0)), #2.0)))"), calls,
                "left operand first, a number on the left a constant made before the right operand");
        calls.clear();
        assertEquals("POW(c2.0, neg(w1))", Formula.parse("2^-w1", 1).build(a));
        assertEquals("POW(w1, #-0.5)", Formula.parse("w1^-0.5", 1).build(a));
        assertEquals("DIV(c1.0, exp(w1))", Formula.parse("1/exp(w1)", 1).build(a));
        assertEquals("neg(POW(w1, #2.0))", Formula.parse("-w1^2", 1).build(a));
        assertThrows(IllegalStateException.class, () -> Formula.parse("2+3", 1).build(a));
    }

    @Test
    void highestVariable() {
        assertEquals(2, Formula.parse("w2^2", 3).highestVariable());
        assertEquals(3, Formula.parse("w1 + w3", 3).highestVariable());
        assertEquals(0, Formula.parse("2 + 3", 3).highestVariable());
        assertEquals(3, Formula.parse("w1", 3).variables());
    }

    private static void error(String text, int variables, int column, String message) {
        FormulaException e = assertThrows(FormulaException.class, () -> Formula.parse(text, variables), text);
        assertEquals(message, e.getMessage());
        assertEquals(column, e.column(), message);
        assertTrue(e.getMessage().lines().count() == 1, "one line: " + e.getMessage());
    }

    @Test
    void syntaxErrorsPointAtTheColumn() {
        error("(w1 + )", 2, 7,
                "unexpected ')' at column 7 in \"(w1 + )\" (expected a number, a variable, a function or '(')");
        error("w1 +", 2, 5,
                "unexpected end of formula at column 5 in \"w1 +\" (expected a number, a variable, a function or '(')");
        error("(w1 + w2", 2, 9, "missing ')' at column 9 in \"(w1 + w2\" (to close the '(' at column 1)");
        error("exp((w1)", 2, 9, "missing ')' at column 9 in \"exp((w1)\" (to close the '(' at column 4)");
        error("(w1 w2)", 2, 5,
                "unexpected 'w2' at column 5 in \"(w1 w2)\" (expected an operator or ')' to close the '(' at "
                        + "column 1)");
        error("w1)", 2, 3, "unexpected ')' at column 3 in \"w1)\" (there is no '(' for it to close)");
        error("w1 w2", 2, 4, "unexpected 'w2' at column 4 in \"w1 w2\" (an operator is missing before it)");
        error("2w1", 2, 2, "unexpected 'w1' at column 2 in \"2w1\" (an operator is missing before it)");
        error("w1, w2", 2, 3, "unexpected ',' at column 3 in \"w1, w2\" (expected an operator or the end)");
        error("w1 * * w2", 2, 6,
                "unexpected '*' at column 6 in \"w1 * * w2\" (expected a number, a variable, a function or '(')");
        error("w1**2", 2, 4, "unexpected '*' at column 4 in \"w1**2\" (a power is written ^, e.g. w1^2)");
        error("w1 $ 2", 2, 4, "unexpected character '$' at column 4 in \"w1 $ 2\"");
        error("w1\u00a0+ w2", 2, 3, "unexpected character U+00A0 at column 3 in \"w1\u00a0+ w2\"");
        error("w1 +\n w2 @", 2, 10, "unexpected character '@' at column 10 in \"w1 +\\u000a w2 @\"");
        error("é + w1", 1, 1, "unknown variable 'é' at column 1 in \"é + w1\" (the variable is w1, one per --start "
                + "value)");
        error("w1 + \uD835\uDC64", 1, 6, "unexpected character '\uD835\uDC64' at column 6 in \"w1 + \uD835\uDC64\"");
        error("\uD835\uDC64 + w1", 1, 1, "unexpected character '\uD835\uDC64' at column 1 in \"\uD835\uDC64 + w1\"");
    }

    @Test
    void emptyFormula() {
        error("", 2, 0, "the formula is empty");
        error("  \t ", 2, 0, "the formula is empty");
    }

    @Test
    void malformedNumbers() {
        error("1e + w1", 1, 1,
                "malformed number '1e' at column 1 in \"1e + w1\" (an exponent needs digits, e.g. 1e-3)");
        error("w1 * 2e-", 1, 6, "malformed number '2e-' at column 6 in \"w1 * 2e-\" (an exponent needs digits, e.g. "
                + "1e-3)");
        error("1.2.3*w1", 1, 1, "malformed number '1.2.' at column 1 in \"1.2.3*w1\"");
        error("w1 + .", 1, 6, "unexpected character '.' at column 6 in \"w1 + .\"");
        error("1e39*w1", 1, 1,
                "the number 1e39 is too large at column 1 in \"1e39*w1\" (float32 holds at most 3.4e38)");
        error("1e999*w1", 1, 1,
                "the number 1e999 is too large at column 1 in \"1e999*w1\" (float32 holds at most 3.4e38)");
    }

    @Test
    void constantPartsMustBeFinite() {
        error("w1 + log(0)", 1, 6, "'log(0)' evaluates to -Infinity at column 6 in \"w1 + log(0)\" (a part without "
                + "a variable is computed once and must be finite in float32)");
        error("sqrt(-1) * w1", 1, 1, "'sqrt(-1)' evaluates to NaN at column 1 in \"sqrt(-1) * w1\" (a part without a "
                + "variable is computed once and must be finite in float32)");
        error("exp(100)*w1", 1, 1, "'exp(100)' evaluates to 2.6881171418161356E43, beyond float32's range at column 1 "
                + "in \"exp(100)*w1\" (a part without a variable is computed once and must be finite in float32)");
        error("w1 / (1 - 1)^-1", 1, 6, "'(1 - 1)^-1' evaluates to Infinity at column 6 in \"w1 / (1 - 1)^-1\" (a "
                + "part without a variable is computed once and must be finite in float32)");
    }

    @Test
    void unknownVariablesAndFunctionsAreNamed() {
        error("w1 + w3", 2, 6,
                "unknown variable 'w3' at column 6 in \"w1 + w3\" (the variables are w1, w2, one per --start value)");
        error("x^2", 2, 1, "unknown variable 'x' at column 1 in \"x^2\" (the variables are w1, w2, one per --start "
                + "value)");
        error("w0 + w1", 1, 1, "unknown variable 'w0' at column 1 in \"w0 + w1\" (the variable is w1, one per --start "
                + "value)");
        error("w1 * w01", 4, 6, "unknown variable 'w01' at column 6 in \"w1 * w01\" (the variables are w1..w4, one "
                + "per --start value)");
        error("w99999999999999999999", 4, 1, "unknown variable 'w99999999999999999999' at column 1 in "
                + "\"w99999999999999999999\" (the variables are w1..w4, one per --start value)");
        error("W1", 1, 1, "unknown variable 'W1' at column 1 in \"W1\" (the variable is w1, one per --start value)");
        error("foo(w1)", 2, 1, "unknown function 'foo' at column 1 in \"foo(w1)\" (the functions are exp, log, sqrt, "
                + "sin, cos, tanh, abs, sigmoid)");
        error("2 * Exp(w1)", 2, 5, "unknown function 'Exp' at column 5 in \"2 * Exp(w1)\" (the functions are exp, "
                + "log, sqrt, sin, cos, tanh, abs, sigmoid)");
        error("exp + w1", 2, 1, "function 'exp' without its argument at column 1 in \"exp + w1\" (write exp(...), "
                + "e.g. exp(w1))");
        error("exp()", 2, 5, "unexpected ')' at column 5 in \"exp()\" (exp takes one argument)");
        error("exp(w1, w2)", 2, 7, "unexpected ',' at column 7 in \"exp(w1, w2)\" (exp takes one argument)");
    }

    @Test
    void depthIsBounded() {
        int n = Formula.MAX_NESTING;
        assertEquals("exp(w1)", Formula.parse("(".repeat(n - 1) + "exp(w1" + ")".repeat(n), 1).toString());
        assertEquals(-2f, Formula.parse("-".repeat(n - 1) + "w1", 1).evaluate(new float[] {2f}));
        String sum = "w1" + "+w1".repeat(Formula.MAX_HEIGHT - 1);
        assertEquals(2000f, Formula.parse(sum, 1).evaluate(new float[] {2f}));

        FormulaException e = assertThrows(FormulaException.class,
                () -> Formula.parse("(".repeat(100_000) + "w1", 1));
        assertTrue(e.getMessage().startsWith("the formula is nested too deeply (more than 200 parentheses, signs and "
                + "exponents in one another) at column 201 in \"…((("), e.getMessage());
        assertTrue(e.getMessage().length() < 250, "a long formula is quoted in part: " + e.getMessage());
        e = assertThrows(FormulaException.class, () -> Formula.parse("(".repeat(n) + "exp(w1)", 1));
        assertEquals(n + 4, e.column(), "a function's parentheses count");
        e = assertThrows(FormulaException.class, () -> Formula.parse("-".repeat(100_000) + "w1", 1));
        assertEquals(n + 1, e.column());
        e = assertThrows(FormulaException.class, () -> Formula.parse("w1" + "^w1".repeat(100_000), 1));
        assertEquals(3 * n + 3, e.column());
        e = assertThrows(FormulaException.class, () -> Formula.parse(sum + "+w1", 1));
        assertEquals(3 * Formula.MAX_HEIGHT + 1, e.column(), "the term that makes the sum too large");
        assertTrue(e.getMessage().startsWith("the formula is too large (more than 1000 operations nested in one "
                + "another) at column 3001 in \"…"), e.getMessage());
        assertTrue(e.getMessage().endsWith("+w1+w1\""), e.getMessage());
    }

    @Test
    void evaluateChecksTheLength() {
        assertThrows(IllegalArgumentException.class, () -> Formula.parse("w1 + w2", 2).evaluate(new float[1]));
    }
}
