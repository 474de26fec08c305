package dev.anyclaude.cache;

import dev.anyclaude.messages.MessagesRequest;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * The response-cache key of one request: its canonical bytes and their SHA-256. The hash finds the
 * entry; the bytes confirm it, so even a hash collision cannot serve another request's answer.
 *
 * <p>SHA-256 rather than a faster 64- or 128-bit hash: keys are shared through Redis between gateway
 * instances, and a non-cryptographic hash lets anyone who can send requests craft colliding prompts to
 * overwrite each other's entries there. Hashing runs at memory speed with the CPU's SHA extensions, a
 * small share of the cost of parsing the request's JSON.
 */
public final class CacheKey {
    private final byte[] canonical;
    private final Digest digest;

    private CacheKey(byte[] canonical, Digest digest) {
        this.canonical = canonical;
        this.digest = digest;
    }

    static CacheKey of(MessagesRequest request) {
        byte[] bytes = CanonicalRequest.encode(request);
        return new CacheKey(bytes, Digest.sha256(bytes));
    }

    /** The SHA-256 of the canonical request in lower-case hex, for logs and the shared tier's key. */
    public String hex() {
        return digest.hex();
    }

    byte[] canonical() {
        return canonical;
    }

    Digest digest() {
        return digest;
    }

    boolean matches(byte[] storedCanonical) {
        return Arrays.equals(canonical, storedCanonical);
    }

    @Override
    public String toString() {
        return "CacheKey[" + hex() + ", " + canonical.length + " bytes]";
    }

    /** A SHA-256 value as four longs: cheap equality and hashing for the memory tier's map. */
    record Digest(long a, long b, long c, long d) {
        static Digest sha256(byte[] bytes) {
            byte[] h = sha256Bytes(bytes);
            return new Digest(longAt(h, 0), longAt(h, 8), longAt(h, 16), longAt(h, 24));
        }

        static byte[] sha256Bytes(byte[] bytes) {
            try {
                return MessageDigest.getInstance("SHA-256").digest(bytes);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("every Java runtime provides SHA-256", e);
            }
        }

        String hex() {
            HexFormat f = HexFormat.of();
            return f.toHexDigits(a) + f.toHexDigits(b) + f.toHexDigits(c) + f.toHexDigits(d);
        }

        private static long longAt(byte[] h, int off) {
            long v = 0;
            for (int i = off; i < off + 8; i++) {
                v = (v << 8) | (h[i] & 0xFF);
            }
            return v;
        }
    }
}
