package dev.anyclaude.cache;

import java.security.SecureRandom;
import java.util.random.RandomGenerator;

/**
 * Fresh Anthropic-style ids for replayed answers: {@code msg_} and {@code toolu_} followed by 24 base62
 * characters (about 143 random bits, so ids never repeat in practice). A secure generator by default:
 * ids handed to clients should not be predictable from one another.
 */
final class RandomIds {
    private static final char[] BASE62 =
            "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();
    static final int LENGTH = 24;

    private final RandomGenerator random;

    RandomIds() {
        this(new SecureRandom());
    }

    RandomIds(RandomGenerator random) {
        this.random = random;
    }

    String messageId() {
        return id("msg_");
    }

    String toolUseId() {
        return id("toolu_");
    }

    private String id(String prefix) {
        char[] out = new char[prefix.length() + LENGTH];
        prefix.getChars(0, prefix.length(), out, 0);
        for (int i = prefix.length(); i < out.length; i++) {
            out[i] = BASE62[random.nextInt(BASE62.length)];
        }
        return new String(out);
    }
}
