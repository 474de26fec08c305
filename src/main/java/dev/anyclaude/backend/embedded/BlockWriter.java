package dev.anyclaude.backend.embedded;

import dev.anyclaude.api.EventSink;
import dev.anyclaude.api.StreamEvent;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.UUID;

/**
 * Writes content blocks as Anthropic stream events: opens a block when its kind changes, numbers
 * blocks 0, 1, 2, ..., and closes each before the next opens. A thinking block gets a signature (a
 * digest of its text, which no one verifies locally but clients expect to be present and echo back).
 */
final class BlockWriter {

    private enum Kind { NONE, TEXT, THINKING }

    private final EventSink sink;
    private int index = -1;
    private Kind open = Kind.NONE;
    private MessageDigest thinkingDigest;
    private int blocks;

    BlockWriter(EventSink sink) {
        this.sink = sink;
    }

    void text(String s) throws IOException {
        if (s.isEmpty()) {
            return;
        }
        if (open != Kind.TEXT) {
            close();
            open(Kind.TEXT, new StreamEvent.TextBlock());
        }
        sink.accept(new StreamEvent.BlockDelta(index, new StreamEvent.TextDelta(s)));
    }

    void thinking(String s) throws IOException {
        if (s.isEmpty()) {
            return;
        }
        if (open != Kind.THINKING) {
            close();
            open(Kind.THINKING, new StreamEvent.ThinkingBlock());
            thinkingDigest = sha256();
        }
        thinkingDigest.update(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        sink.accept(new StreamEvent.BlockDelta(index, new StreamEvent.ThinkingDelta(s)));
    }

    /** A complete tool call as one block: start, the arguments as one JSON delta, stop. */
    void toolUse(String name, String argumentsJson) throws IOException {
        close();
        index++;
        blocks++;
        String id = "toolu_" + UUID.randomUUID().toString().replace("-", "").substring(0, 24);
        sink.accept(new StreamEvent.BlockStart(index, new StreamEvent.ToolUseBlock(id, name)));
        sink.accept(new StreamEvent.BlockDelta(index, new StreamEvent.InputJsonDelta(argumentsJson)));
        sink.accept(new StreamEvent.BlockStop(index));
    }

    /** Closes the open block, if any. */
    void close() throws IOException {
        if (open == Kind.NONE) {
            return;
        }
        if (open == Kind.THINKING) {
            String sig = Base64.getEncoder().encodeToString(thinkingDigest.digest());
            sink.accept(new StreamEvent.BlockDelta(index, new StreamEvent.SignatureDelta(sig)));
        }
        sink.accept(new StreamEvent.BlockStop(index));
        open = Kind.NONE;
    }

    /** Blocks written so far. */
    int blocks() {
        return blocks;
    }

    private void open(Kind kind, StreamEvent.Block block) throws IOException {
        index++;
        blocks++;
        open = kind;
        sink.accept(new StreamEvent.BlockStart(index, block));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
