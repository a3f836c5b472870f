package dev.descent.cli;

import java.math.BigDecimal;
import java.util.Locale;

/** Short human-readable numbers for titles, legends and messages: 0.04, 1e-5, 2.5e-5, 1000. */
final class Fmt {
    private Fmt() {
    }

    static String number(double v) {
        if (!Double.isFinite(v)) {
            return Double.isNaN(v) ? "NaN" : (v > 0 ? "Infinity" : "-Infinity");
        }
        if (v == 0) {
            return "0";
        }
        BigDecimal bd = new BigDecimal(Double.toString(v)).stripTrailingZeros();
        double a = Math.abs(v);
        if (a >= 1e-3 && a < 1e7) {
            return bd.toPlainString();
        }
        String digits = bd.unscaledValue().abs().toString();
        int exponent = digits.length() - 1 - bd.scale();
        String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
        return (v < 0 ? "-" : "") + mantissa + "e" + exponent;
    }

    /** Seconds as 0.42s, 12.3s, 2m05s. */
    static String seconds(double s) {
        if (s < 10) {
            return String.format(Locale.ROOT, "%.2fs", s);
        }
        if (s < 120) {
            return String.format(Locale.ROOT, "%.1fs", s);
        }
        long t = Math.round(s);
        return t >= 3600 ? String.format(Locale.ROOT, "%dh%02dm%02ds", t / 3600, t / 60 % 60, t % 60)
                : String.format(Locale.ROOT, "%dm%02ds", t / 60, t % 60);
    }
}
