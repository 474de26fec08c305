package dev.anyclaude.messages;

import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.random.RandomGenerator;

/**
 * Fresh Anthropic-style identifiers: a type prefix ({@code msg_}, {@code toolu_}, {@code req_}) and 24
 * base62 characters (~143 random bits), so ids minted concurrently never collide. Drawn from a secure
 * generator by default: ids handed to clients should not be predictable from one another.
 */
public final class Ids {
    /**
     * The gateway's one source of ids: a DRBG (NIST SP 800-90A) seeded once from the system's entropy. The
     * platform default on Linux, NativePRNG, reads {@code /dev/urandom} under a lock for every id, a system
     * call per id on the request path.
     */
    public static final Ids DEFAULT = new Ids(drbg());

    private static SecureRandom drbg() {
        try {
            return SecureRandom.getInstance("DRBG");
        } catch (NoSuchAlgorithmException e) {
            return new SecureRandom(); // every JDK since 9 has DRBG; a runtime without it still gets ids
        }
    }

    private static final char[] BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();
    static final int LENGTH = 24;

    private final RandomGenerator random;

    /** A source drawing from {@code random} (tests pass a predictable one). */
    public Ids(RandomGenerator random) {
        this.random = random;
    }

    public String message() {
        return id("msg_");
    }

    public String toolUse() {
        return id("toolu_");
    }

    public String request() {
        return id("req_");
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
