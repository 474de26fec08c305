package dev.anyclaude.api;

import java.util.concurrent.ThreadLocalRandom;

/** Fresh Anthropic-style identifiers: 24 random base62 characters (~143 bits) after a type prefix. */
public final class Ids {
    private static final char[] BASE62 =
            "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();

    private Ids() {}

    public static String messageId() {
        return random("msg_");
    }

    public static String toolUseId() {
        return random("toolu_");
    }

    public static String requestId() {
        return random("req_");
    }

    static String random(String prefix) {
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        char[] out = new char[prefix.length() + 24];
        prefix.getChars(0, prefix.length(), out, 0);
        for (int i = prefix.length(); i < out.length; i++) {
            out[i] = BASE62[rnd.nextInt(62)];
        }
        return new String(out);
    }
}
