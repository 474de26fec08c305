package dev.anyclaude.engine;

import java.util.Arrays;

/**
 * The exact token sequence a KV cache holds, position by position, and the prefix arithmetic used to
 * reuse it.
 */
final class TokenList {

    private int[] tokens = new int[256];
    private int size;

    int size() {
        return size;
    }

    int get(int i) {
        if (i < 0 || i >= size) {
            throw new IndexOutOfBoundsException(i);
        }
        return tokens[i];
    }

    void add(int token) {
        if (size == tokens.length) {
            tokens = Arrays.copyOf(tokens, size * 2);
        }
        tokens[size++] = token;
    }

    void addAll(int[] src, int from, int to) {
        int n = to - from;
        if (size + n > tokens.length) {
            tokens = Arrays.copyOf(tokens, Math.max(tokens.length * 2, size + n));
        }
        System.arraycopy(src, from, tokens, size, n);
        size += n;
    }

    /** Keeps the first {@code n} tokens. */
    void truncate(int n) {
        if (n < 0 || n > size) {
            throw new IndexOutOfBoundsException(n);
        }
        size = n;
    }

    void clear() {
        size = 0;
    }

    void set(int[] src) {
        clear();
        addAll(src, 0, src.length);
    }

    int[] toArray() {
        return Arrays.copyOf(tokens, size);
    }

    /** Length of the longest common prefix with {@code other}. */
    int commonPrefix(int[] other) {
        return commonPrefix(tokens, size, other);
    }

    static int commonPrefix(int[] a, int aLen, int[] b) {
        int n = Math.min(aLen, b.length);
        int mismatch = Arrays.mismatch(a, 0, n, b, 0, n);
        return mismatch < 0 ? n : mismatch;
    }

    static boolean isPrefix(int[] prefix, int[] of) {
        return prefix.length <= of.length && Arrays.equals(prefix, 0, prefix.length, of, 0, prefix.length);
    }

    /**
     * A short hex fingerprint of the first {@code limit} tokens: equal for slots that hold the same
     * prefix, stable across runs, revealing nothing of the text.
     */
    static String fingerprint(int[] tokens, int len, int limit) {
        int n = Math.min(len, limit);
        if (n == 0) {
            return "";
        }
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < n; i++) {
            h ^= tokens[i];
            h *= 0x100000001b3L;
        }
        return String.format("%016x", h);
    }

    String fingerprint(int limit) {
        return fingerprint(tokens, size, limit);
    }
}
