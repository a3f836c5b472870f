package dev.descent.data;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SafeTextTest {
    @Test
    void terminalControlsAreShownEscaped() {
        assertEquals("a\\x1b[2Jb", SafeText.escape("a\u001b[2Jb"));
        assertEquals("\\x1b]0;title\\x07", SafeText.escape("\u001b]0;title\u0007"));
        assertEquals("x\\ty\\nz\\r", SafeText.escape("x\ty\nz\r"));
        assertEquals("\\x00\\x7f\\x85\\x9b", SafeText.escape("\u0000\u007f\u0085\u009b"), "NUL, DEL and C1 controls");
        // bidirectional overrides, isolates and marks, zero-width characters, the BOM, line separators
        assertEquals("b\\u202eevil\\u202c", SafeText.escape("b\u202eevil\u202c"));
        assertEquals("\\u2066\\u2069\\u200e\\u200f\\u061c", SafeText.escape("\u2066\u2069\u200e\u200f\u061c"));
        assertEquals("\\u200b\\ufeff\\u2028\\u2029", SafeText.escape("\u200b\ufeff\u2028\u2029"));
        assertEquals("\\u{e0001}", SafeText.escape(new String(Character.toChars(0xE0001))), "a language tag");
        assertEquals("\\ud800x", SafeText.escape("\ud800x"), "an unpaired surrogate");
    }

    @Test
    void printableTextIsKept() {
        String plain = "pixel1 größe 画素 \uD83D\uDE00 a\\b, \"q\" 'x' …";
        assertSame(plain, SafeText.escape(plain));
        assertEquals(plain, SafeText.of(plain, 100));
        assertEquals("null", SafeText.of(null));
        for (int cp = 0; cp < 0x30000; cp++) {
            String s = SafeText.escape(new String(Character.toChars(cp)));
            for (int i = 0; i < s.length(); i++) {
                assertFalse(s.charAt(i) < 0x20 || s.charAt(i) >= 0x7f && s.charAt(i) < 0xa0,
                        "U+" + Integer.toHexString(cp) + " gives " + s);
            }
        }
    }

    @Test
    void longValuesAreShortened() {
        String longName = "x".repeat(10_000);
        assertEquals("x".repeat(SafeText.DEFAULT_LIMIT) + "…", SafeText.of(longName));
        assertEquals("abc…", SafeText.of("abcd", 3));
        assertEquals("abc", SafeText.of("abc", 3));
        assertEquals("\\x1b\\x1b…", SafeText.of("\u001b".repeat(50), 2), "an escape counts as one character");
        assertEquals("\uD83D\uDE00…", SafeText.of("\uD83D\uDE00\uD83D\uDE00", 1), "a surrogate pair is not split");
        assertTrue(SafeText.escape(longName).length() == 10_000, "escape alone does not shorten");
        assertThrows(IllegalArgumentException.class, () -> SafeText.of("a", 0));
    }
}
