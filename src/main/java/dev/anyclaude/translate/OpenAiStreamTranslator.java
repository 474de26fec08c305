package dev.anyclaude.translate;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.anyclaude.messages.ErrorKind;
import dev.anyclaude.messages.EventSink;
import dev.anyclaude.messages.GatewayException;
import dev.anyclaude.messages.Ids;
import dev.anyclaude.messages.MessagesRequest;
import dev.anyclaude.messages.StopReason;
import dev.anyclaude.messages.Usage;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Translates an OpenAI chat-completions stream into Anthropic events, one SSE {@code data:} payload at
 * a time.
 *
 * <p>{@code reasoning_content} / {@code reasoning} become a thinking block (closed with a signature),
 * {@code content} a text block (or, per {@link TextFormats}, thinking and tool calls written as text),
 * and {@code tool_calls} one tool_use block per call, keyed by {@code index} (else {@code id}) so that a
 * server repeating id and name in every chunk still yields one block; each call gets a fresh gateway
 * id. The message ends only on {@code [DONE]} or {@link #onEnd()} after a {@code finish_reason}, so the
 * usage chunk that follows the finish is included. A stream that ends without a finish_reason, or
 * carries a server error payload, throws a {@link GatewayException}: a truncated tool call is never
 * reported as {@code tool_use}, nor is one whose arguments are not a JSON object.
 *
 * <p>Usage follows Anthropic's meaning: {@code cache_read_input_tokens} are the prompt tokens the server
 * reused ({@code cached_tokens}, llama.cpp {@code timings.cache_n}), {@code input_tokens} the rest.
 *
 * <p>One translator serves one response on one thread.
 */
public final class OpenAiStreamTranslator {

    /**
     * @param text how to read thinking and tool calls out of {@code content}, for servers without parsers
     * @param toolSchemas the request's custom tools, name to input schema
     */
    public record Options(TextFormats text, Map<String, JsonNode> toolSchemas) {
        public static final Options DEFAULT = new Options(TextFormats.NONE, Map.of());

        public Options {
            toolSchemas = toolSchemas == null ? Map.of() : toolSchemas;
        }

        public static Options of(MessagesRequest request, TextFormats text) {
            return new Options(text, ToolSchemas.of(request.tools()));
        }
    }

    private final JsonFactory factory;
    private final BlockWriter out;
    private final @Nullable ModelOutputParser textParser;
    private final Map<Object, Call> calls = new HashMap<>();
    private @Nullable Call current;
    private boolean sawData;
    private boolean ended;
    private @Nullable String finishReason;
    private long promptTokens = -1;
    private long completionTokens = -1;
    private long cachedTokens = -1;
    private long promptN = -1;
    private long cacheN = -1;
    private long predictedN = -1;

    public OpenAiStreamTranslator(ObjectMapper mapper, EventSink sink, Options options) {
        this.factory = mapper.getFactory();
        this.out = new BlockWriter(sink);
        this.textParser = options.text().any()
                ? new ModelOutputParser(out, options.text(), options.toolSchemas(), true, false)
                : null;
    }

    /** A tool call of the backend: its key, its backend id, and whether its block is open. */
    private static final class Call {
        final Object key;

        @Nullable
        String backendId;

        @Nullable
        String name;

        boolean opened;
        final StringBuilder heldArguments = new StringBuilder();
        /** Everything streamed for this call, checked at the end: a client must never run a broken call. */
        final StringBuilder arguments = new StringBuilder();

        Call(Object key) {
            this.key = key;
        }
    }

    /** Emits {@code message_start} now, e.g. when the backend answered 200; idempotent. */
    public void start() throws IOException {
        out.start(null);
    }

    /** Whether the message was ended ({@code message_stop} emitted). */
    public boolean finished() {
        return out.finished();
    }

    /** Handles one SSE {@code data:} payload; {@code [DONE]} ends the message. */
    public void onData(String data) throws IOException {
        if (ended || data == null) {
            return;
        }
        String d = data.strip();
        if (d.isEmpty()) {
            return;
        }
        if (d.equals("[DONE]")) {
            onEnd();
            return;
        }
        OpenAiChunk chunk;
        try {
            chunk = OpenAiChunk.read(factory, d);
        } catch (IOException e) { // only parsing happens here: the sink is not involved yet
            throw new GatewayException(
                    ErrorKind.PROTOCOL_VIOLATION,
                    "the backend sent a stream chunk that is not a JSON object: " + shorten(d),
                    e);
        }
        apply(chunk);
    }

    /** The backend's stream ended (EOF). Ends the message, or throws if the response was incomplete. */
    public void onEnd() throws IOException {
        if (ended) {
            return;
        }
        ended = true;
        if (finishReason == null) {
            String why = !sawData
                    ? "the backend's stream ended without any data"
                    : out.open() == BlockWriter.Kind.TOOL
                            ? "the backend's stream ended in the middle of a tool call (no finish_reason)"
                            : "the backend's stream ended before the response was complete (no finish_reason)";
            throw new GatewayException(ErrorKind.PROTOCOL_VIOLATION, why);
        }
        for (Call c : calls.values()) {
            if (!c.opened) {
                throw new GatewayException(
                        ErrorKind.PROTOCOL_VIOLATION, "the backend streamed a tool call without a function name");
            }
        }
        StopReason reason = switch (finishReason) {
            case "length" -> StopReason.MAX_TOKENS;
            case "content_filter" -> StopReason.REFUSAL;
            default -> StopReason.END_TURN; // stop, tool_calls, eos, ...: tool calls decide below
        };
        if (textParser != null) {
            textParser.flush(reason);
        }
        if (reason == StopReason.END_TURN && out.anyToolUse()) {
            reason = StopReason.TOOL_USE;
        }
        if (reason != StopReason.MAX_TOKENS) {
            checkArguments(); // cut off by max_tokens, a call may be partial: Anthropic reports it so too
        }
        out.finish(reason, null, usage());
    }

    /** Handles one parsed chunk (also the whole body of a non-streaming completion). */
    void apply(OpenAiChunk chunk) throws IOException {
        if (chunk.error) {
            throw backendError(chunk);
        }
        sawData = true;
        out.start(null);
        if (chunk.promptTokens >= 0) {
            promptTokens = chunk.promptTokens;
        }
        if (chunk.completionTokens >= 0) {
            completionTokens = chunk.completionTokens;
        }
        if (chunk.cachedTokens >= 0) {
            cachedTokens = chunk.cachedTokens;
        }
        if (chunk.promptN >= 0) {
            promptN = chunk.promptN;
        }
        if (chunk.cacheN >= 0) {
            cacheN = chunk.cacheN;
        }
        if (chunk.predictedN >= 0) {
            predictedN = chunk.predictedN;
        }
        if (chunk.reasoning != null && !chunk.reasoning.isEmpty()) {
            out.thinking(chunk.reasoning);
        }
        if (chunk.content != null && !chunk.content.isEmpty()) {
            if (textParser != null) {
                textParser.onText(chunk.content);
            } else {
                out.text(chunk.content);
            }
        }
        for (OpenAiChunk.ToolCallDelta d : chunk.toolCalls) {
            toolCall(d);
        }
        if (chunk.finishReason != null) {
            finishReason = chunk.finishReason;
        }
    }

    void defaultFinishReason(String reason) {
        if (finishReason == null) {
            finishReason = reason;
        }
    }

    private void toolCall(OpenAiChunk.ToolCallDelta d) throws IOException {
        // no index and no id: a continuation of the call being streamed
        Object key = d.index >= 0 ? (Object) d.index : d.id != null ? d.id : current != null ? current.key : 0;
        Call c = calls.get(key);
        if (c != null
                && c.opened
                && d.id != null
                && !d.id.isEmpty()
                && c.backendId != null
                && !d.id.equals(c.backendId)) {
            c = null; // a server that numbers every call 0: a new id is a new call
        }
        if (c == null) {
            c = new Call(key);
            calls.put(key, c);
        }
        if (c.backendId == null && d.id != null && !d.id.isEmpty()) {
            c.backendId = d.id;
        }
        if (c.name == null && d.name != null && !d.name.isEmpty()) {
            c.name = d.name;
        }
        if (!c.opened) {
            if (d.arguments != null) {
                c.heldArguments.append(d.arguments);
            }
            if (c.name == null) {
                return; // arguments before the name: hold them until it comes
            }
            if (textParser != null) {
                textParser.flush(StopReason.END_TURN);
            }
            out.toolStart(Ids.DEFAULT.toolUse(), c.name);
            c.opened = true;
            current = c;
            out.toolArgs(c.heldArguments.toString());
            c.arguments.append(c.heldArguments);
            c.heldArguments.setLength(0);
            return;
        }
        if (d.arguments == null || d.arguments.isEmpty()) {
            return;
        }
        if (c != current || out.open() != BlockWriter.Kind.TOOL) {
            throw new GatewayException(
                    ErrorKind.PROTOCOL_VIOLATION,
                    "the backend interleaved tool call arguments with other output; blocks cannot be reopened");
        }
        out.toolArgs(d.arguments);
        c.arguments.append(d.arguments);
    }

    /** Throws unless every call's arguments form one JSON object (or are empty, meaning {}). */
    private void checkArguments() throws IOException {
        for (Call c : calls.values()) {
            String args = c.arguments.toString();
            if (!args.isBlank() && !isJsonObject(args)) {
                throw new GatewayException(
                        ErrorKind.PROTOCOL_VIOLATION,
                        "the backend's arguments for tool call " + c.name + " are not a JSON object: " + shorten(args));
            }
        }
    }

    private boolean isJsonObject(String json) throws IOException {
        try (JsonParser p = factory.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return false;
            }
            p.skipChildren();
            return p.nextToken() == null;
        } catch (JsonProcessingException e) {
            return false;
        }
    }

    private Usage usage() {
        long cached = cachedTokens >= 0 ? cachedTokens : Math.max(cacheN, 0);
        long prompt = promptTokens >= 0 ? promptTokens : promptN >= 0 ? promptN + Math.max(cacheN, 0) : 0;
        long output = completionTokens >= 0 ? completionTokens : Math.max(predictedN, 0);
        return new Usage(Math.max(0, prompt - cached), output, cached, 0);
    }

    /** The gateway error for a server's error payload, keeping the server's message. */
    static GatewayException backendError(OpenAiChunk c) {
        String message = c.errorMessage == null || c.errorMessage.isBlank() ? "(no message)" : c.errorMessage;
        if ("exceed_context_size_error".equals(c.errorType) && c.nPromptTokens > 0 && c.nCtx > 0) {
            return GatewayException.contextOverflow(c.nPromptTokens, c.nCtx);
        }
        ErrorKind kind = switch ((int) c.errorCode) {
            case 400, 422 -> ErrorKind.INVALID_REQUEST;
            case 429 -> ErrorKind.RATE_LIMITED;
            case 503 -> ErrorKind.BACKEND_OVERLOADED;
            case 504 -> ErrorKind.BACKEND_TIMEOUT;
            default -> ErrorKind.BACKEND_BUG;
        };
        return new GatewayException(kind, "backend error: " + message);
    }

    static String shorten(String s) {
        return s.length() > 120 ? s.substring(0, 120) + "…" : s;
    }
}
