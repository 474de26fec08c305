package dev.anyclaude.cache;

import org.jspecify.annotations.Nullable;

/**
 * Reads what {@link BinaryWriter} wrote. Every read is bounds-checked: bytes from outside the process
 * (a shared Redis tier) may be truncated or foreign, and must fail as {@link IllegalArgumentException},
 * never as an out-of-memory or an index error.
 */
final class BinaryReader {
    private final byte[] buf;
    private int pos;

    BinaryReader(byte[] buf) {
        this.buf = buf;
    }

    boolean atEnd() {
        return pos == buf.length;
    }

    int u8() {
        need(1);
        return buf[pos++] & 0xFF;
    }

    boolean bool() {
        int b = u8();
        if (b > 1) {
            throw corrupt("boolean byte " + b);
        }
        return b == 1;
    }

    long varint() {
        long result = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            int b = u8();
            result |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return result;
            }
        }
        throw corrupt("varint longer than 10 bytes");
    }

    long zigzag() {
        long v = varint();
        return (v >>> 1) ^ -(v & 1);
    }

    /** A non-negative count, bounded by the bytes left, since every counted item takes at least one byte. */
    int count() {
        long n = varint();
        if (n < 0 || n > buf.length - pos) {
            throw corrupt("count " + n + " exceeds the " + (buf.length - pos) + " bytes left");
        }
        return (int) n;
    }

    int int32() {
        long v = zigzag();
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw corrupt("int out of range: " + v);
        }
        return (int) v;
    }

    long int64() {
        need(8);
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (buf[pos++] & 0xFF);
        }
        return v;
    }

    double float64() {
        return Double.longBitsToDouble(int64());
    }

    String string() {
        int n = count();
        char[] chars = new char[n];
        for (int i = 0; i < n; i++) {
            int b0 = u8();
            if (b0 < 0x80) {
                chars[i] = (char) b0;
            } else if ((b0 & 0xE0) == 0xC0) {
                chars[i] = (char) (((b0 & 0x1F) << 6) | continuation());
            } else if ((b0 & 0xF0) == 0xE0) {
                int hi = continuation();
                chars[i] = (char) (((b0 & 0x0F) << 12) | (hi << 6) | continuation());
            } else {
                throw corrupt("string lead byte 0x" + Integer.toHexString(b0));
            }
        }
        return new String(chars);
    }

    @Nullable
    String nullableString() {
        return bool() ? string() : null;
    }

    byte[] bytes() {
        int n = count();
        byte[] out = new byte[n];
        System.arraycopy(buf, pos, out, 0, n);
        pos += n;
        return out;
    }

    private int continuation() {
        int b = u8();
        if ((b & 0xC0) != 0x80) {
            throw corrupt("string continuation byte 0x" + Integer.toHexString(b));
        }
        return b & 0x3F;
    }

    private void need(int n) {
        if (buf.length - pos < n) {
            throw corrupt("truncated at byte " + pos);
        }
    }

    static IllegalArgumentException corrupt(String what) {
        return new IllegalArgumentException("corrupt cache entry: " + what);
    }
}
