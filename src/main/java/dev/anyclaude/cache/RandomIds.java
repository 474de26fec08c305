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

    /**
     * One call to the generator per id: random bytes mapped to base62 by rejection (bytes of 248 and above
     * are skipped, so every character is uniform), instead of a synchronized draw per character.
     */
    private String id(String prefix) {
        char[] out = new char[prefix.length() + LENGTH];
        prefix.getChars(0, prefix.length(), out, 0);
        byte[] bytes = new byte[LENGTH + 8];
        random.nextBytes(bytes);
        int next = 0;
        for (int i = prefix.length(); i < out.length; i++) {
            int b;
            do {
                if (next == bytes.length) {
                    random.nextBytes(bytes);
                    next = 0;
                }
                b = bytes[next++] & 0xFF;
            } while (b >= 248);
            out[i] = BASE62[b % BASE62.length];
        }
        return new String(out);
    }
}
