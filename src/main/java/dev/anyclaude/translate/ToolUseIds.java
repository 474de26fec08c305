package dev.anyclaude.translate;

import java.util.concurrent.ThreadLocalRandom;

/**
 * The gateway's {@code tool_use} ids: {@code toolu_} and 24 random base62 characters (~143 bits), so
 * ids minted concurrently on any number of threads do not collide. Backends' own call ids are never
 * passed to the client: servers reuse them ({@code call_0}) across responses.
 */
public final class ToolUseIds {
    private static final char[] BASE62 =
            "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();
    private static final int LENGTH = 24;

    private ToolUseIds() {}

    /** A fresh id. */
    public static String next() {
        return "toolu_" + random(LENGTH);
    }

    /** {@code n} random base62 characters. */
    static String random(int n) {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        char[] c = new char[n];
        for (int i = 0; i < n; i++) {
            c[i] = BASE62[r.nextInt(BASE62.length)];
        }
        return new String(c);
    }
}
