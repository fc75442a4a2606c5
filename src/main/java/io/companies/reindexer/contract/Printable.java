package io.companies.reindexer.contract;

/**
 * Text from a request made safe to echo in an outcome, a log line or an error: control characters (U+0000 to
 * U+001F, U+007F to U+009F), bidirectional overrides and unpaired surrogates are written as {@code \\uXXXX}, so no
 * value can forge a log line, reorder what a reader sees, or be refused by PostgreSQL (which stores no U+0000).
 */
public final class Printable {

    private Printable() {
    }

    /** {@code text} with every unsafe character escaped; null stays null. */
    public static String escape(String text) {
        if (text == null || firstUnsafe(text) < 0) {
            return text;
        }
        StringBuilder escaped = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (isPairAt(text, i)) {
                escaped.append(c).append(text.charAt(++i));
            } else if (isUnsafe(c)) {
                escaped.append(String.format("\\u%04x", (int) c));
            } else {
                escaped.append(c);
            }
        }
        return escaped.toString();
    }

    /** Whether {@code text} holds a control character (U+0000 to U+001F, U+007F) or an unpaired surrogate. */
    public static boolean hasControlOrUnpairedSurrogate(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (isPairAt(text, i)) {
                i++;
            } else if (c < 0x20 || c == 0x7f || Character.isSurrogate(c)) {
                return true;
            }
        }
        return false;
    }

    private static int firstUnsafe(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (isPairAt(text, i)) {
                i++;
            } else if (isUnsafe(text.charAt(i))) {
                return i;
            }
        }
        return -1;
    }

    private static boolean isPairAt(String text, int i) {
        return Character.isHighSurrogate(text.charAt(i)) && i + 1 < text.length()
                && Character.isLowSurrogate(text.charAt(i + 1));
    }

    private static boolean isUnsafe(char c) {
        return c < 0x20 || (c >= 0x7f && c <= 0x9f) || Character.isSurrogate(c) || (c >= 0x202a && c <= 0x202e)
                || (c >= 0x2066 && c <= 0x2069);
    }
}
