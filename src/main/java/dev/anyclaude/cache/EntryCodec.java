package dev.anyclaude.cache;

import dev.anyclaude.messages.ErrorKind;
import dev.anyclaude.messages.StopReason;
import dev.anyclaude.messages.StreamEvent;
import dev.anyclaude.messages.Usage;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;
import org.jspecify.annotations.Nullable;

/**
 * The byte form of a cached answer in the shared tier: a magic and format number, the uncompressed
 * length, then the raw-deflated canonical request and events. The canonical request travels with the
 * answer so that an instance reading it confirms the hit exactly as the memory tier does.
 *
 * <p>Decoding treats its input as untrusted (another version, a foreign writer, a truncated value): it
 * checks the magic, bounds the inflated size before allocating, and fails with {@link
 * IllegalArgumentException} on anything it does not understand.
 */
final class EntryCodec {
    private static final byte[] MAGIC = {'A', 'C', 'L', '2'};
    static final int FORMAT = 1;

    private static final int START = 1;
    private static final int BLOCK_START = 2;
    private static final int BLOCK_DELTA = 3;
    private static final int BLOCK_STOP = 4;
    private static final int MESSAGE_DELTA = 5;
    private static final int MESSAGE_STOP = 6;
    private static final int PING = 7;
    private static final int ERROR = 8;

    private static final int TEXT = 1;
    private static final int THINKING = 2;
    private static final int REDACTED_THINKING = 3;
    private static final int TOOL_USE = 4;
    private static final int SIGNATURE = 5;
    private static final int INPUT_JSON = 6;

    private EntryCodec() {}

    static byte[] encode(byte[] canonical, List<StreamEvent> events) {
        BinaryWriter w = new BinaryWriter(canonical.length + 64 * events.size() + 64);
        w.bytes(canonical);
        w.varint(events.size());
        for (StreamEvent e : events) {
            event(w, e);
        }
        byte[] plain = w.toByteArray();

        BinaryWriter header = new BinaryWriter(16);
        header.varint(FORMAT);
        header.varint(plain.length);
        byte[] head = header.toByteArray();

        Deflater deflater = new Deflater(Deflater.BEST_SPEED, true);
        try {
            deflater.setInput(plain);
            deflater.finish();
            ByteArrayOutputStream out = new ByteArrayOutputStream(plain.length / 3 + 64);
            out.writeBytes(MAGIC);
            out.writeBytes(head);
            byte[] chunk = new byte[Math.min(64 * 1024, plain.length + 64)];
            while (!deflater.finished()) {
                out.write(chunk, 0, deflater.deflate(chunk));
            }
            return out.toByteArray();
        } finally {
            deflater.end();
        }
    }

    /** Decodes an entry; {@code maxPlainBytes} bounds the inflated size a stored value may claim. */
    static Decoded decode(byte[] stored, int maxPlainBytes) {
        if (stored.length < MAGIC.length + 2) {
            throw BinaryReader.corrupt("only " + stored.length + " bytes");
        }
        for (int i = 0; i < MAGIC.length; i++) {
            if (stored[i] != MAGIC[i]) {
                throw BinaryReader.corrupt("not an anyclaude entry");
            }
        }
        BinaryReader header = new BinaryReader(
                java.util.Arrays.copyOfRange(stored, MAGIC.length, Math.min(stored.length, MAGIC.length + 20)));
        long format = header.varint();
        if (format != FORMAT) {
            throw BinaryReader.corrupt("format " + format + " (expected: " + FORMAT + ")");
        }
        long plainLength = header.varint();
        if (plainLength < 0 || plainLength > maxPlainBytes) {
            throw BinaryReader.corrupt("claims " + plainLength + " bytes (limit: " + maxPlainBytes + ")");
        }
        int headerLength = varintLength(format) + varintLength(plainLength);
        byte[] plain = inflate(stored, MAGIC.length + headerLength, (int) plainLength);

        BinaryReader r = new BinaryReader(plain);
        byte[] canonical = r.bytes();
        int n = r.count();
        List<StreamEvent> events = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            events.add(event(r));
        }
        if (!r.atEnd()) {
            throw BinaryReader.corrupt("trailing bytes");
        }
        return new Decoded(canonical, events);
    }

    /** A decoded entry. */
    record Decoded(byte[] canonical, List<StreamEvent> events) {}

    private static byte[] inflate(byte[] stored, int offset, int plainLength) {
        Inflater inflater = new Inflater(true);
        try {
            inflater.setInput(stored, offset, stored.length - offset);
            byte[] plain = new byte[plainLength];
            int filled = 0;
            while (filled < plainLength) {
                int got = inflater.inflate(plain, filled, plainLength - filled);
                if (got == 0 && (inflater.finished() || inflater.needsInput() || inflater.needsDictionary())) {
                    break;
                }
                filled += got;
            }
            if (filled != plainLength) {
                throw BinaryReader.corrupt("inflated " + filled + " of " + plainLength + " bytes");
            }
            return plain;
        } catch (DataFormatException e) {
            throw BinaryReader.corrupt("deflate stream: " + e.getMessage());
        } finally {
            inflater.end();
        }
    }

    private static int varintLength(long v) {
        int n = 1;
        while ((v & ~0x7FL) != 0) {
            v >>>= 7;
            n++;
        }
        return n;
    }

    private static void event(BinaryWriter w, StreamEvent event) {
        switch (event) {
            case StreamEvent.MessageStart s -> {
                w.u8(START);
                w.nullableString(s.id());
                w.nullableString(s.model());
                usage(w, s.usage());
            }
            case StreamEvent.BlockStart s -> {
                w.u8(BLOCK_START);
                w.zigzag(s.index());
                switch (s.block()) {
                    case StreamEvent.TextBlock b -> w.u8(TEXT);
                    case StreamEvent.ThinkingBlock b -> w.u8(THINKING);
                    case StreamEvent.RedactedThinkingBlock b -> {
                        w.u8(REDACTED_THINKING);
                        w.nullableString(b.data());
                    }
                    case StreamEvent.ToolUseBlock b -> {
                        w.u8(TOOL_USE);
                        w.nullableString(b.id());
                        w.nullableString(b.name());
                    }
                    case null -> throw new IllegalArgumentException("content_block_start without a block");
                }
            }
            case StreamEvent.BlockDelta d -> {
                w.u8(BLOCK_DELTA);
                w.zigzag(d.index());
                switch (d.delta()) {
                    case StreamEvent.TextDelta t -> {
                        w.u8(TEXT);
                        w.nullableString(t.text());
                    }
                    case StreamEvent.ThinkingDelta t -> {
                        w.u8(THINKING);
                        w.nullableString(t.thinking());
                    }
                    case StreamEvent.SignatureDelta t -> {
                        w.u8(SIGNATURE);
                        w.nullableString(t.signature());
                    }
                    case StreamEvent.InputJsonDelta t -> {
                        w.u8(INPUT_JSON);
                        w.nullableString(t.partialJson());
                    }
                    case null -> throw new IllegalArgumentException("content_block_delta without a delta");
                }
            }
            case StreamEvent.BlockStop s -> {
                w.u8(BLOCK_STOP);
                w.zigzag(s.index());
            }
            case StreamEvent.MessageDelta d -> {
                w.u8(MESSAGE_DELTA);
                w.nullableString(d.stopReason() == null ? null : d.stopReason().name());
                w.nullableString(d.stopSequence());
                usage(w, d.usage());
            }
            case StreamEvent.MessageStop s -> w.u8(MESSAGE_STOP);
            case StreamEvent.Ping p -> w.u8(PING);
            case StreamEvent.Error e -> {
                w.u8(ERROR);
                w.nullableString(e.kind() == null ? null : e.kind().name());
                w.nullableString(e.message());
            }
        }
    }

    // decodes exactly what event(BinaryWriter, ...) wrote: a string comes back null only where a null was written
    @SuppressWarnings("NullAway")
    private static StreamEvent event(BinaryReader r) {
        int tag = r.u8();
        return switch (tag) {
            case START -> new StreamEvent.MessageStart(r.nullableString(), r.nullableString(), usage(r));
            case BLOCK_START -> {
                int index = r.int32();
                int kind = r.u8();
                StreamEvent.Block block = switch (kind) {
                    case TEXT -> new StreamEvent.TextBlock();
                    case THINKING -> new StreamEvent.ThinkingBlock();
                    case REDACTED_THINKING -> new StreamEvent.RedactedThinkingBlock(r.nullableString());
                    case TOOL_USE -> new StreamEvent.ToolUseBlock(r.nullableString(), r.nullableString());
                    default -> throw BinaryReader.corrupt("block kind " + kind);
                };
                yield new StreamEvent.BlockStart(index, block);
            }
            case BLOCK_DELTA -> {
                int index = r.int32();
                int kind = r.u8();
                StreamEvent.Delta delta = switch (kind) {
                    case TEXT -> new StreamEvent.TextDelta(r.nullableString());
                    case THINKING -> new StreamEvent.ThinkingDelta(r.nullableString());
                    case SIGNATURE -> new StreamEvent.SignatureDelta(r.nullableString());
                    case INPUT_JSON -> new StreamEvent.InputJsonDelta(r.nullableString());
                    default -> throw BinaryReader.corrupt("delta kind " + kind);
                };
                yield new StreamEvent.BlockDelta(index, delta);
            }
            case BLOCK_STOP -> new StreamEvent.BlockStop(r.int32());
            case MESSAGE_DELTA ->
                new StreamEvent.MessageDelta(
                        enumValue(StopReason.class, r.nullableString()), r.nullableString(), usage(r));
            case MESSAGE_STOP -> StreamEvent.MESSAGE_STOP;
            case PING -> StreamEvent.PING;
            case ERROR -> new StreamEvent.Error(enumValue(ErrorKind.class, r.nullableString()), r.nullableString());
            default -> throw BinaryReader.corrupt("event tag " + tag);
        };
    }

    private static void usage(BinaryWriter w, @Nullable Usage u) {
        w.bool(u != null);
        if (u != null) {
            w.zigzag(u.inputTokens());
            w.zigzag(u.outputTokens());
            w.zigzag(u.cacheReadInputTokens());
            w.zigzag(u.cacheCreationInputTokens());
        }
    }

    private static @Nullable Usage usage(BinaryReader r) {
        return r.bool() ? new Usage(r.zigzag(), r.zigzag(), r.zigzag(), r.zigzag()) : null;
    }

    private static <E extends Enum<E>> @Nullable E enumValue(Class<E> type, @Nullable String name) {
        if (name == null) {
            return null;
        }
        try {
            return Enum.valueOf(type, name);
        } catch (IllegalArgumentException e) {
            throw BinaryReader.corrupt(type.getSimpleName() + " " + name);
        }
    }
}
