package dev.anyclaude.engine;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * An incremental UTF-8 decoder for token pieces: a character split over several tokens (byte tokens,
 * or BPE pieces ending mid-character) comes out once complete; malformed bytes become U+FFFD.
 */
public final class Utf8Stream {

    private final CharsetDecoder decoder = StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPLACE)
            .onUnmappableCharacter(CodingErrorAction.REPLACE);
    private ByteBuffer pending = ByteBuffer.allocate(64);

    /** Decodes what is complete so far; an unfinished trailing character waits for the next call. */
    public String accept(byte[] bytes) {
        if (pending.remaining() < bytes.length) {
            ByteBuffer bigger = ByteBuffer.allocate(pending.position() + bytes.length + 64);
            pending.flip();
            bigger.put(pending);
            pending = bigger;
        }
        pending.put(bytes);
        pending.flip();
        CharBuffer out = CharBuffer.allocate(pending.remaining() + 2);
        decoder.decode(pending, out, false);
        pending.compact();
        out.flip();
        return out.toString();
    }

    /** Decodes whatever is left, replacing an unfinished character. */
    public String finish() {
        pending.flip();
        CharBuffer out = CharBuffer.allocate(pending.remaining() + 2);
        decoder.decode(pending, out, true);
        decoder.flush(out);
        decoder.reset();
        pending.clear();
        out.flip();
        return out.toString();
    }
}
