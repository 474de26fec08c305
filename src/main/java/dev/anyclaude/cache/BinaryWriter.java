package dev.anyclaude.cache;

import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * A growable byte buffer that writes self-delimiting values: variable-length integers, length-prefixed
 * strings, presence bytes for optional values. It is the one place both the canonical request encoding
 * and the stored-entry encoding get their bytes from, so both share its prefix-code property.
 *
 * <p>Strings are written as their UTF-16 length followed by each UTF-16 unit in UTF-8's 1-, 2- or 3-byte
 * form (lone surrogates included). Standard UTF-8 encoding would replace a lone surrogate with {@code ?},
 * which would make two different strings encode alike; this form is lossless for every Java string and
 * identical to UTF-8 for text without surrogates.
 */
final class BinaryWriter {
    private byte[] buf;
    private int pos;

    BinaryWriter(int initialCapacity) {
        buf = new byte[Math.max(16, initialCapacity)];
    }

    int size() {
        return pos;
    }

    byte[] toByteArray() {
        return Arrays.copyOf(buf, pos);
    }

    void u8(int value) {
        ensure(1);
        buf[pos++] = (byte) value;
    }

    void bool(boolean value) {
        u8(value ? 1 : 0);
    }

    /** An unsigned LEB128 integer: 7 bits per byte, high bit set on all but the last byte. */
    void varint(long value) {
        ensure(10);
        long v = value;
        while ((v & ~0x7FL) != 0) {
            buf[pos++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        buf[pos++] = (byte) v;
    }

    /** A signed integer in zig-zag form, so small negative numbers stay short. */
    void zigzag(long value) {
        varint((value << 1) ^ (value >> 63));
    }

    void int64(long value) {
        ensure(8);
        for (int shift = 56; shift >= 0; shift -= 8) {
            buf[pos++] = (byte) (value >>> shift);
        }
    }

    /** A double by its exact bits: 0.0 and -0.0 differ, every NaN is one value. */
    void float64(double value) {
        int64(Double.doubleToLongBits(value));
    }

    void string(String s) {
        int n = s.length();
        varint(n);
        ensure(3L * n);
        byte[] b = buf;
        int p = pos;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                b[p++] = (byte) c;
            } else if (c < 0x800) {
                b[p++] = (byte) (0xC0 | (c >> 6));
                b[p++] = (byte) (0x80 | (c & 0x3F));
            } else {
                b[p++] = (byte) (0xE0 | (c >> 12));
                b[p++] = (byte) (0x80 | ((c >> 6) & 0x3F));
                b[p++] = (byte) (0x80 | (c & 0x3F));
            }
        }
        pos = p;
    }

    /** An optional string: a presence byte, then the string when present. */
    void nullableString(@Nullable String s) {
        if (s == null) {
            u8(0);
        } else {
            u8(1);
            string(s);
        }
    }

    /** Bytes already in this encoding (a memoized segment), without a length prefix. */
    void raw(byte[] b) {
        ensure(b.length);
        System.arraycopy(b, 0, buf, pos, b.length);
        pos += b.length;
    }

    void bytes(byte[] b) {
        varint(b.length);
        ensure(b.length);
        System.arraycopy(b, 0, buf, pos, b.length);
        pos += b.length;
    }

    private void ensure(long extra) {
        long needed = pos + extra;
        if (needed <= buf.length) {
            return;
        }
        if (needed > Integer.MAX_VALUE - 16) {
            throw new IllegalStateException("encoding exceeds 2 GiB");
        }
        buf = Arrays.copyOf(buf, (int) Math.max(needed, Math.min(Integer.MAX_VALUE - 16L, buf.length * 2L)));
    }
}
