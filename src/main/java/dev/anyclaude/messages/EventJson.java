package dev.anyclaude.messages;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The Anthropic wire encoding of {@link StreamEvent}s: SSE frames for streaming responses, the
 * Messages response object for non-streaming ones (aggregated from the very same events), and the
 * error body. Field order and shapes follow what the Anthropic API sends and Claude Code accepts.
 *
 * <p>Thread-safe and allocation-light: each call writes through one Jackson generator into one
 * growing byte buffer.
 */
public final class EventJson {
    private static final byte[] DATA = "data: ".getBytes(StandardCharsets.US_ASCII);
    private static final String EMPTY_INPUT = "{}";

    private final JsonFactory factory;

    public EventJson(ObjectMapper mapper) {
        this.factory = mapper.getFactory();
    }

    /** The full SSE frame {@code event: <type>\ndata: <json>\n\n} of one event. */
    public byte[] sse(StreamEvent e) {
        ByteArrayBuilder out = new ByteArrayBuilder(e instanceof StreamEvent.BlockDelta ? 160 : 256);
        byte[] name = EventName.of(e);
        out.write(name, 0, name.length);
        out.write(DATA, 0, DATA.length);
        write(out, e);
        out.append('\n');
        out.append('\n');
        return out.toByteArray();
    }

    /** The JSON of one event, as carried in an SSE {@code data:} line. */
    public byte[] data(StreamEvent e) {
        ByteArrayBuilder out = new ByteArrayBuilder(256);
        write(out, e);
        return out.toByteArray();
    }

    /** The error body {@code {"type":"error","error":{"type":..,"message":..}}}. */
    public byte[] error(ErrorKind kind, String message) {
        return data(new StreamEvent.Error(kind, message));
    }

    /**
     * The non-streaming Messages response aggregated from a complete event sequence: text concatenated,
     * thinking with its signature, tool input parsed from the concatenated {@code partial_json} ({@code
     * {}} when empty), stop reason, stop sequence and the final usage.
     *
     * @throws GatewayException the sequence's own {@code Error}, or PROTOCOL_VIOLATION when a tool's
     *     input is not a JSON object
     */
    public byte[] message(List<StreamEvent> events) {
        Aggregate a = Aggregate.of(events);
        ByteArrayBuilder out = new ByteArrayBuilder(512);
        try (JsonGenerator g = factory.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("id", a.id);
            g.writeStringField("type", "message");
            g.writeStringField("role", "assistant");
            g.writeStringField("model", a.model);
            g.writeArrayFieldStart("content");
            for (Aggregate.Block b : a.blocks) {
                writeBlock(g, b);
            }
            g.writeEndArray();
            g.writeStringField("stop_reason", a.stopReason == null ? null : a.stopReason.wire());
            g.writeStringField("stop_sequence", a.stopSequence);
            g.writeFieldName("usage");
            writeUsage(g, a.usage);
            if (a.safeguardResultsJson != null) {
                g.writeFieldName("safeguard_results"); // top level in a whole message, as Claude Code reads it
                g.writeRawValue(a.safeguardResultsJson);
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private void writeBlock(JsonGenerator g, Aggregate.Block b) throws IOException {
        String input = b.text.toString();
        writeBlock(g, b.start, input, b.signature.toString(), input.isBlank() ? EMPTY_INPUT : input);
    }

    /**
     * One content block: {@code text} is the text or thinking, {@code inputJson} a tool call's input. A
     * {@code content_block_start} writes it empty; the aggregated message writes it filled.
     */
    private void writeBlock(JsonGenerator g, StreamEvent.Block block, String text, String signature, String inputJson)
            throws IOException {
        g.writeStartObject();
        switch (block) {
            case StreamEvent.TextBlock t -> {
                g.writeStringField("type", "text");
                g.writeStringField("text", text);
            }
            case StreamEvent.ThinkingBlock t -> {
                g.writeStringField("type", "thinking");
                g.writeStringField("thinking", text);
                g.writeStringField("signature", signature);
            }
            case StreamEvent.RedactedThinkingBlock r -> {
                g.writeStringField("type", "redacted_thinking");
                g.writeStringField("data", r.data());
            }
            case StreamEvent.ToolUseBlock u -> {
                g.writeStringField("type", "tool_use");
                g.writeStringField("id", u.id());
                g.writeStringField("name", u.name());
                g.writeFieldName("input");
                copyObject(g, inputJson, u.name());
            }
        }
        g.writeEndObject();
    }

    private void copyObject(JsonGenerator g, String json, String toolName) throws IOException {
        try (JsonParser p = factory.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw notAnObject(toolName, json, null);
            }
            g.copyCurrentStructure(p);
            if (p.nextToken() != null) {
                throw notAnObject(toolName, json, null);
            }
        } catch (JsonProcessingException e) {
            throw notAnObject(toolName, json, e);
        }
    }

    private static GatewayException notAnObject(String toolName, String json, @Nullable Exception cause) {
        String shown = json.length() > 80 ? json.substring(0, 80) + "…" : json;
        return new GatewayException(
                ErrorKind.PROTOCOL_VIOLATION,
                "the model's input for tool " + toolName + " is not a JSON object: " + shown,
                cause);
    }

    private void write(ByteArrayBuilder out, StreamEvent e) {
        try (JsonGenerator g = factory.createGenerator(out)) {
            writeEvent(g, e);
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    private void writeEvent(JsonGenerator g, StreamEvent e) throws IOException {
        g.writeStartObject();
        switch (e) {
            case StreamEvent.MessageStart s -> {
                g.writeStringField("type", "message_start");
                g.writeObjectFieldStart("message");
                g.writeStringField("id", s.id());
                g.writeStringField("type", "message");
                g.writeStringField("role", "assistant");
                g.writeStringField("model", s.model());
                g.writeArrayFieldStart("content");
                g.writeEndArray();
                g.writeNullField("stop_reason");
                g.writeNullField("stop_sequence");
                g.writeFieldName("usage");
                writeUsage(g, s.usage());
                g.writeEndObject();
            }
            case StreamEvent.BlockStart s -> {
                g.writeStringField("type", "content_block_start");
                g.writeNumberField("index", s.index());
                g.writeFieldName("content_block");
                writeBlock(g, s.block(), "", "", EMPTY_INPUT);
            }
            case StreamEvent.BlockDelta d -> {
                g.writeStringField("type", "content_block_delta");
                g.writeNumberField("index", d.index());
                g.writeObjectFieldStart("delta");
                switch (d.delta()) {
                    case StreamEvent.TextDelta t -> {
                        g.writeStringField("type", "text_delta");
                        g.writeStringField("text", t.text());
                    }
                    case StreamEvent.ThinkingDelta t -> {
                        g.writeStringField("type", "thinking_delta");
                        g.writeStringField("thinking", t.thinking());
                    }
                    case StreamEvent.SignatureDelta s -> {
                        g.writeStringField("type", "signature_delta");
                        g.writeStringField("signature", s.signature());
                    }
                    case StreamEvent.InputJsonDelta j -> {
                        g.writeStringField("type", "input_json_delta");
                        g.writeStringField("partial_json", j.partialJson());
                    }
                }
                g.writeEndObject();
            }
            case StreamEvent.BlockStop s -> {
                g.writeStringField("type", "content_block_stop");
                g.writeNumberField("index", s.index());
            }
            case StreamEvent.MessageDelta d -> {
                g.writeStringField("type", "message_delta");
                g.writeObjectFieldStart("delta");
                g.writeStringField(
                        "stop_reason",
                        d.stopReason() == null ? null : d.stopReason().wire());
                g.writeStringField("stop_sequence", d.stopSequence());
                if (d.safeguardResultsJson() != null) {
                    g.writeFieldName("safeguard_results");
                    g.writeRawValue(d.safeguardResultsJson());
                }
                g.writeEndObject();
                g.writeFieldName("usage");
                writeUsage(g, d.usage());
            }
            case StreamEvent.MessageStop s -> g.writeStringField("type", "message_stop");
            case StreamEvent.Ping p -> g.writeStringField("type", "ping");
            case StreamEvent.Error err -> {
                g.writeStringField("type", "error");
                g.writeObjectFieldStart("error");
                g.writeStringField("type", err.kind().type());
                g.writeStringField("message", err.message());
                g.writeEndObject();
            }
        }
        g.writeEndObject();
    }

    private static void writeUsage(JsonGenerator g, @Nullable Usage u) throws IOException {
        Usage usage = u == null ? Usage.ZERO : u;
        g.writeStartObject();
        g.writeNumberField("input_tokens", usage.inputTokens());
        g.writeNumberField("cache_creation_input_tokens", usage.cacheCreationInputTokens());
        g.writeNumberField("cache_read_input_tokens", usage.cacheReadInputTokens());
        g.writeNumberField("output_tokens", usage.outputTokens());
        g.writeEndObject();
    }

    /** The {@code event: <type>\n} line of each event type, encoded once. */
    private static final class EventName {
        private static final byte[] MESSAGE_START = line("message_start");
        private static final byte[] BLOCK_START = line("content_block_start");
        private static final byte[] BLOCK_DELTA = line("content_block_delta");
        private static final byte[] BLOCK_STOP = line("content_block_stop");
        private static final byte[] MESSAGE_DELTA = line("message_delta");
        private static final byte[] MESSAGE_STOP = line("message_stop");
        private static final byte[] PING = line("ping");
        private static final byte[] ERROR = line("error");

        private static byte[] line(String type) {
            return ("event: " + type + "\n").getBytes(StandardCharsets.US_ASCII);
        }

        static byte[] of(StreamEvent e) {
            return switch (e) {
                case StreamEvent.MessageStart s -> MESSAGE_START;
                case StreamEvent.BlockStart s -> BLOCK_START;
                case StreamEvent.BlockDelta d -> BLOCK_DELTA;
                case StreamEvent.BlockStop s -> BLOCK_STOP;
                case StreamEvent.MessageDelta d -> MESSAGE_DELTA;
                case StreamEvent.MessageStop s -> MESSAGE_STOP;
                case StreamEvent.Ping p -> PING;
                case StreamEvent.Error err -> ERROR;
            };
        }
    }

    /** A response folded from its events. */
    private static final class Aggregate {
        @Nullable
        String id;

        @Nullable
        String model;

        @Nullable
        StopReason stopReason;

        @Nullable
        String stopSequence;

        @Nullable
        String safeguardResultsJson;

        Usage usage = Usage.ZERO;
        final List<Block> blocks = new ArrayList<>();

        static final class Block {
            final StreamEvent.Block start;
            final StringBuilder text = new StringBuilder();
            final StringBuilder signature = new StringBuilder();

            Block(StreamEvent.Block start) {
                this.start = start;
            }
        }

        static Aggregate of(List<StreamEvent> events) {
            Aggregate a = new Aggregate();
            boolean finalUsage = false;
            for (StreamEvent e : events) {
                switch (e) {
                    case StreamEvent.MessageStart s -> {
                        a.id = s.id();
                        a.model = s.model();
                        if (s.usage() != null && !finalUsage) {
                            a.usage = s.usage();
                        }
                    }
                    case StreamEvent.BlockStart s -> {
                        while (a.blocks.size() <= s.index()) {
                            a.blocks.add(null);
                        }
                        a.blocks.set(s.index(), new Block(s.block()));
                    }
                    case StreamEvent.BlockDelta d -> {
                        Block b = d.index() < a.blocks.size() ? a.blocks.get(d.index()) : null;
                        if (b == null) {
                            throw new GatewayException(
                                    ErrorKind.INTERNAL,
                                    "content_block_delta for block " + d.index() + " before its start");
                        }
                        switch (d.delta()) {
                            case StreamEvent.TextDelta t -> b.text.append(t.text());
                            case StreamEvent.ThinkingDelta t -> b.text.append(t.thinking());
                            case StreamEvent.SignatureDelta s -> b.signature.append(s.signature());
                            case StreamEvent.InputJsonDelta j -> b.text.append(j.partialJson());
                        }
                    }
                    case StreamEvent.MessageDelta d -> {
                        a.stopReason = d.stopReason();
                        a.stopSequence = d.stopSequence();
                        if (d.safeguardResultsJson() != null) {
                            a.safeguardResultsJson = d.safeguardResultsJson();
                        }
                        if (d.usage() != null) {
                            a.usage = d.usage();
                            finalUsage = true;
                        }
                    }
                    case StreamEvent.Error err -> throw new GatewayException(err.kind(), err.message());
                    case StreamEvent.BlockStop s -> {}
                    case StreamEvent.MessageStop s -> {}
                    case StreamEvent.Ping p -> {}
                }
            }
            a.blocks.removeIf(java.util.Objects::isNull);
            return a;
        }
    }
}
