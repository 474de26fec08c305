package dev.anyclaude.translate;

import dev.anyclaude.messages.EventSink;
import dev.anyclaude.messages.StopReason;
import dev.anyclaude.messages.StreamEvent;
import dev.anyclaude.messages.Usage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import org.jspecify.annotations.Nullable;

/**
 * Turns "here is some text / thinking / a tool call" into a well-formed Anthropic event sequence: one
 * {@code message_start}, content blocks numbered 0, 1, 2, ... each opened, filled and closed in order,
 * then {@code message_delta} and {@code message_stop}. Every translator writes through one of these, so
 * the sequencing rules live in one place.
 *
 * <p>A thinking block is closed with a {@code signature_delta}: clients (Claude Code) expect one and send
 * it back with the thinking in later turns. It is the base64 SHA-256 of the thinking text, so a
 * replayed response carries the same signature. A tool block that received no argument text gets
 * {@code {}} so clients never see an empty input.
 */
final class BlockWriter {
    enum Kind {
        NONE,
        TEXT,
        THINKING,
        TOOL
    }

    private final EventSink sink;
    private boolean started;
    private boolean finished;
    private Kind open = Kind.NONE;
    private int index = -1;
    private boolean toolArgsSeen;
    private boolean anyToolUse;
    /** The open thinking block's text so far, hashed: its signature. */
    private final MessageDigest thinkingDigest = sha256();

    BlockWriter(EventSink sink) {
        this.sink = sink;
    }

    /** Emits {@code message_start} once; later calls do nothing. */
    void start(@Nullable Usage usage) throws IOException {
        if (!started) {
            started = true;
            sink.accept(new StreamEvent.MessageStart(null, null, usage == null ? Usage.ZERO : usage));
        }
    }

    boolean started() {
        return started;
    }

    boolean finished() {
        return finished;
    }

    Kind open() {
        return open;
    }

    boolean anyToolUse() {
        return anyToolUse;
    }

    void text(@Nullable String s) throws IOException {
        if (s == null || s.isEmpty()) {
            return;
        }
        if (open != Kind.TEXT) {
            openBlock(Kind.TEXT, new StreamEvent.TextBlock());
        }
        sink.accept(new StreamEvent.BlockDelta(index, new StreamEvent.TextDelta(s)));
    }

    void thinking(@Nullable String s) throws IOException {
        if (s == null || s.isEmpty()) {
            return;
        }
        if (open != Kind.THINKING) {
            openBlock(Kind.THINKING, new StreamEvent.ThinkingBlock());
            thinkingDigest.reset();
        }
        thinkingDigest.update(s.getBytes(StandardCharsets.UTF_8));
        sink.accept(new StreamEvent.BlockDelta(index, new StreamEvent.ThinkingDelta(s)));
    }

    /** Opens a tool_use block (closing whatever was open). */
    void toolStart(String id, String name) throws IOException {
        openBlock(Kind.TOOL, new StreamEvent.ToolUseBlock(id, name));
        toolArgsSeen = false;
        anyToolUse = true;
    }

    void toolArgs(@Nullable String json) throws IOException {
        if (open != Kind.TOOL) {
            throw new IllegalStateException("tool arguments without an open tool_use block");
        }
        if (json == null || json.isEmpty()) {
            return;
        }
        if (!toolArgsSeen && json.isBlank()) {
            return; // leading whitespace before the object: "{}" is still owed if nothing else comes
        }
        toolArgsSeen = true;
        sink.accept(new StreamEvent.BlockDelta(index, new StreamEvent.InputJsonDelta(json)));
    }

    private void openBlock(Kind kind, StreamEvent.Block block) throws IOException {
        start(null);
        close();
        open = kind;
        index++;
        sink.accept(new StreamEvent.BlockStart(index, block));
    }

    /** Closes the open block, if any. */
    void close() throws IOException {
        switch (open) {
            case NONE -> {
                return;
            }
            case THINKING ->
                sink.accept(new StreamEvent.BlockDelta(
                        index,
                        new StreamEvent.SignatureDelta(Base64.getEncoder().encodeToString(thinkingDigest.digest()))));
            case TOOL -> {
                if (!toolArgsSeen) {
                    sink.accept(new StreamEvent.BlockDelta(index, new StreamEvent.InputJsonDelta("{}")));
                }
            }
            case TEXT -> {}
        }
        open = Kind.NONE;
        sink.accept(new StreamEvent.BlockStop(index));
    }

    /** Closes the open block and ends the message. */
    void finish(StopReason reason, @Nullable String stopSequence, @Nullable Usage usage) throws IOException {
        if (finished) {
            return;
        }
        start(null);
        close();
        finished = true;
        sink.accept(new StreamEvent.MessageDelta(reason, stopSequence, usage == null ? Usage.ZERO : usage));
        sink.accept(StreamEvent.MESSAGE_STOP);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
