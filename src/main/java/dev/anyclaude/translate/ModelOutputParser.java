package dev.anyclaude.translate;

import com.fasterxml.jackson.databind.JsonNode;
import dev.anyclaude.messages.EventSink;
import dev.anyclaude.messages.Ids;
import dev.anyclaude.messages.StopReason;
import dev.anyclaude.messages.Usage;
import dev.anyclaude.toolcall.OutputListener;
import dev.anyclaude.toolcall.OutputParser;
import dev.anyclaude.toolcall.OutputParsers;
import dev.anyclaude.toolcall.ParserOptions;
import java.io.IOException;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Raw generated text to Anthropic events, for every backend that hands the gateway text: the embedded engine, and
 * servers without their own reasoning or tool-call parser. The text goes through the format's parser ({@link
 * OutputParsers}: thinking, tool calls in the model's own syntax) and comes out through one {@link BlockWriter}:
 * thinking blocks, text blocks, and {@code tool_use} blocks with gateway ids whose input streams as the model
 * writes it.
 *
 * <p>Blocks neither begin nor end with whitespace: the separators models put around tags and calls are dropped
 * (whitespace inside a block is kept, released once more text follows it).
 *
 * <p>One parser serves one response on one thread.
 */
public final class ModelOutputParser implements OutputListener {
    private final BlockWriter out;
    private final OutputParser parser;
    private final boolean emitThinking;
    private final boolean singleCall;
    private final StringBuilder heldSpace = new StringBuilder();
    private BlockWriter.Kind heldFor = BlockWriter.Kind.NONE;
    private int toolCalls;
    private boolean stopRequested;

    /**
     * @param toolSchemas the request's tools, name to input schema
     * @param emitThinking whether thinking becomes thinking blocks (else it is dropped: the client did not ask)
     * @param singleCall stop after the first complete tool call (tool_choice with parallel tool use disabled)
     */
    public ModelOutputParser(
            EventSink sink,
            TextFormats formats,
            Map<String, JsonNode> toolSchemas,
            boolean emitThinking,
            boolean singleCall) {
        this(new BlockWriter(sink), formats, toolSchemas, emitThinking, singleCall);
    }

    ModelOutputParser(
            BlockWriter out,
            TextFormats formats,
            Map<String, JsonNode> toolSchemas,
            boolean emitThinking,
            boolean singleCall) {
        this.out = out;
        this.emitThinking = emitThinking;
        this.singleCall = singleCall;
        this.parser = formats.any()
                ? OutputParsers.create(
                        formats.syntax(), new ParserOptions(formats.startInThinking(), toolSchemas), this)
                : new TextOnly(this);
    }

    /** Emits {@code message_start} now (once the model has accepted the request); otherwise the first text does. */
    public void start(@Nullable Usage usage) throws IOException {
        out.start(usage);
    }

    /** Feeds the next piece of generated text. */
    public void onText(String piece) throws IOException {
        out.start(null);
        if (piece != null && !piece.isEmpty() && !stopRequested) {
            parser.feed(piece);
        }
    }

    /**
     * Ends the response: interprets what is still held, closes the open block and emits {@code message_delta}
     * (END_TURN becomes TOOL_USE when a tool call was emitted) and {@code message_stop}.
     */
    public void finish(StopReason reason, @Nullable Usage usage) throws IOException {
        flush(reason);
        out.finish(reason == StopReason.END_TURN && out.anyToolUse() ? StopReason.TOOL_USE : reason, null, usage);
    }

    /** Interprets what is still held at the end of the text, without ending the message. */
    void flush(StopReason reason) throws IOException {
        if (!stopRequested) {
            parser.finish(reason == StopReason.MAX_TOKENS);
        }
    }

    /** Whether a tool_use block was emitted so far. */
    public boolean sawToolUse() {
        return out.anyToolUse();
    }

    /** Tool calls emitted so far. */
    public int toolCalls() {
        return toolCalls;
    }

    /** Whether generation should stop: the one tool call allowed is complete. */
    public boolean stopRequested() {
        return stopRequested;
    }

    @Override
    public void text(String text) throws IOException {
        write(BlockWriter.Kind.TEXT, text);
    }

    @Override
    public void thinking(String text) throws IOException {
        if (emitThinking) {
            write(BlockWriter.Kind.THINKING, text);
        }
    }

    @Override
    public void toolCallStart(String name) throws IOException {
        heldSpace.setLength(0);
        out.toolStart(Ids.DEFAULT.toolUse(), name);
    }

    @Override
    public void toolCallArguments(String jsonFragment) throws IOException {
        out.toolArgs(jsonFragment);
    }

    @Override
    public void toolCallEnd() throws IOException {
        out.close();
        toolCalls++;
        if (singleCall) {
            stopRequested = true;
        }
    }

    /** The parser of text that is not interpreted. */
    private record TextOnly(OutputListener listener) implements OutputParser {
        @Override
        public void feed(String piece) throws IOException {
            listener.text(piece);
        }

        @Override
        public void finish(boolean truncated) {}
    }

    /** Writes text of one kind: no leading whitespace in a new block, trailing whitespace held until more follows. */
    private void write(BlockWriter.Kind kind, String s) throws IOException {
        if (s.isEmpty()) {
            return;
        }
        if (out.open() != kind || heldFor != kind) {
            heldSpace.setLength(0);
            heldFor = kind;
            if (out.open() != kind) {
                s = s.stripLeading();
            }
        }
        int end = s.length();
        while (end > 0 && Character.isWhitespace(s.charAt(end - 1))) {
            end--;
        }
        if (end == 0) {
            if (out.open() == kind) {
                heldSpace.append(s);
            }
            return;
        }
        String body = heldSpace + s.substring(0, end);
        heldSpace.setLength(0);
        heldSpace.append(s, end, s.length());
        if (kind == BlockWriter.Kind.TEXT) {
            out.text(body);
        } else {
            out.thinking(body);
        }
    }
}
