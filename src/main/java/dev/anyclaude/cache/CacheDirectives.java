package dev.anyclaude.cache;

import java.util.Locale;

/**
 * What one request asks of the response cache, read from its {@code cache-control} header.
 *
 * @param noCache do not answer from the cache ({@code no-cache}, or {@code max-age=0}, which RFC 9111
 *     gives the same meaning for a request); the fresh answer may still be stored
 * @param noStore do not store the answer ({@code no-store})
 */
public record CacheDirectives(boolean noCache, boolean noStore) {
    public static final CacheDirectives NONE = new CacheDirectives(false, false);

    /**
     * Parses a {@code cache-control} value: comma-separated directives, case-insensitive, with optional
     * {@code =value} or {@code ="quoted, value"} arguments; unknown directives are ignored, as HTTP asks.
     * Several header lines should be joined with commas first. A null or blank value means no directives.
     */
    public static CacheDirectives parse(String header) {
        if (header == null || header.isBlank()) {
            return NONE;
        }
        boolean noCache = false;
        boolean noStore = false;
        int i = 0;
        int n = header.length();
        while (i < n) {
            int nameStart = i;
            while (i < n && header.charAt(i) != ',' && header.charAt(i) != '=') {
                i++;
            }
            String name = header.substring(nameStart, i).strip().toLowerCase(Locale.ROOT);
            String argument = null;
            if (i < n && header.charAt(i) == '=') {
                i++;
                StringBuilder arg = new StringBuilder();
                i = readArgument(header, i, arg);
                argument = arg.toString().strip();
            }
            while (i < n && header.charAt(i) != ',') {
                i++;
            }
            i++;
            switch (name) {
                case "no-cache" -> noCache = true;
                case "no-store" -> noStore = true;
                case "max-age" -> noCache |= "0".equals(argument);
                default -> {}
            }
        }
        return new CacheDirectives(noCache, noStore);
    }

    /** Reads a token or quoted-string argument into {@code out}; returns the index after it. */
    private static int readArgument(String header, int start, StringBuilder out) {
        int i = start;
        int n = header.length();
        while (i < n && header.charAt(i) == ' ') {
            i++;
        }
        if (i < n && header.charAt(i) == '"') {
            i++;
            while (i < n && header.charAt(i) != '"') {
                if (header.charAt(i) == '\\' && i + 1 < n) {
                    i++;
                }
                out.append(header.charAt(i++));
            }
            return Math.min(n, i + 1);
        }
        while (i < n && header.charAt(i) != ',') {
            out.append(header.charAt(i++));
        }
        return i;
    }
}
