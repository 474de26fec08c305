package dev.anyclaude.toolcall;

import java.util.List;

/** Finding markers in text that is still arriving. */
final class Markers {
    private Markers() {}

    /** The length of the longest tail of {@code text} that is the start of one of the markers (but not all of it). */
    static int heldTail(CharSequence text, List<String> markers) {
        int longest = 0;
        for (String marker : markers) {
            int max = Math.min(marker.length() - 1, text.length());
            for (int n = max; n > longest; n--) {
                if (regionMatches(text, text.length() - n, marker)) {
                    longest = n;
                    break;
                }
            }
        }
        return longest;
    }

    private static boolean regionMatches(CharSequence text, int from, String marker) {
        for (int i = from, j = 0; i < text.length(); i++, j++) {
            if (text.charAt(i) != marker.charAt(j)) {
                return false;
            }
        }
        return true;
    }
}
