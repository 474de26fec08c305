package dev.anyclaude.observe;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import dev.anyclaude.messages.ContentBlock;
import dev.anyclaude.messages.EventJson;
import dev.anyclaude.messages.GatewayException;
import dev.anyclaude.messages.MessagesRequest;
import dev.anyclaude.messages.RequestObserver.RequestInfo;
import dev.anyclaude.messages.Role;
import dev.anyclaude.messages.StreamEvent;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

/**
 * The JSON written by the request log, the debug log and failure dumps, through the gateway's one
 * {@link ObjectMapper}. This is the only JSON the {@code observe} package writes; it never reads any.
 * Request headers are not among the inputs, so no key or authorization header can reach a log.
 */
final class LogJson {
    private final JsonFactory factory;
    private final ObjectMapper requests;
    private final EventJson events;

    /** Content blocks named by their Anthropic type; inline image data left out (large, and says nothing). */
    @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "type")
    @JsonSubTypes({
        @JsonSubTypes.Type(value = ContentBlock.Text.class, name = "text"),
        @JsonSubTypes.Type(value = ContentBlock.Image.class, name = "image"),
        @JsonSubTypes.Type(value = ContentBlock.Document.class, name = "document"),
        @JsonSubTypes.Type(value = ContentBlock.ToolUse.class, name = "tool_use"),
        @JsonSubTypes.Type(value = ContentBlock.ToolResult.class, name = "tool_result"),
        @JsonSubTypes.Type(value = ContentBlock.Thinking.class, name = "thinking"),
        @JsonSubTypes.Type(value = ContentBlock.RedactedThinking.class, name = "redacted_thinking")
    })
    private interface TypedBlock {}

    /** Roles as on the wire: user, assistant, system. */
    private interface WireRole {
        @JsonValue
        String wire();
    }

    @JsonIgnoreProperties("data")
    private interface ImageWithoutData {}

    LogJson(ObjectMapper mapper, EventJson events) {
        this.factory = mapper.getFactory();
        this.requests = mapper.copy()
                .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .setDefaultPropertyInclusion(JsonInclude.Include.NON_NULL)
                .addMixIn(ContentBlock.class, TypedBlock.class)
                .addMixIn(ContentBlock.Image.class, ImageWithoutData.class)
                .addMixIn(Role.class, WireRole.class);
        this.events = events;
    }

    /** A request as the backend is asked for it (normalized, model resolved), as one JSON object. */
    String request(RequestInfo info) {
        MessagesRequest r = info.request();
        try {
            return requests.writeValueAsString(r == null ? null : r.withModel(info.backendModel()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One request-log line (no newline). */
    String line(RequestRecord r, boolean bodies) {
        StringWriter out = new StringWriter(512);
        try (JsonGenerator g = factory.createGenerator(out)) {
            RequestInfo info = r.info();
            g.writeStartObject();
            g.writeStringField("time", r.startedAt().toString());
            g.writeStringField("request_id", info.requestId());
            g.writeStringField("session", info.session());
            g.writeStringField("route", info.route());
            g.writeStringField("model", info.requestedModel());
            g.writeStringField("backend_model", info.backendModel());
            g.writeStringField("backend", info.backend());
            g.writeBooleanField("stream", info.stream());
            g.writeNumberField("status", r.status());
            g.writeStringField("outcome", r.outcome());
            if (r.failure() != null) {
                g.writeStringField("error_kind", r.failure().kind().label());
                g.writeStringField("error", r.failure().getMessage());
            }
            g.writeStringField(
                    "stop_reason",
                    r.stopReason() == null ? null : r.stopReason().wire());
            g.writeNumberField("prompt_tokens", r.usage().promptTokens());
            g.writeNumberField("reused_tokens", r.usage().cacheReadInputTokens());
            g.writeNumberField("output_tokens", r.usage().outputTokens());
            if (r.ttftNanos() >= 0) {
                g.writeNumberField("ttft_ms", millis(r.ttftNanos()));
            } else {
                g.writeNullField("ttft_ms");
            }
            g.writeNumberField("total_ms", millis(r.totalNanos()));
            g.writeStringField("cache", r.cache());
            if (bodies) {
                g.writeFieldName("request");
                g.writeRawValue(request(info));
                g.writeFieldName("response");
                writeResponse(g, r);
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /** The response as the Messages object a client got, or, when it failed, the events it had received. */
    private void writeResponse(JsonGenerator g, RequestRecord r) throws IOException {
        if (r.failure() == null && !r.events().isEmpty()) {
            try {
                g.writeRawValue(new String(events.message(r.events()), StandardCharsets.UTF_8));
                return;
            } catch (GatewayException notWhole) {
                // fall through to the events as they came
            }
        }
        writeEvents(g, r.events());
    }

    private void writeEvents(JsonGenerator g, List<StreamEvent> list) throws IOException {
        g.writeStartArray();
        for (StreamEvent e : list) {
            g.writeRawValue(event(e));
        }
        g.writeEndArray();
    }

    /** One event as its SSE data JSON. */
    String event(StreamEvent e) {
        return new String(events.data(e), StandardCharsets.UTF_8);
    }

    /** A failed request in full, for a dump file: when, what failed, the request, the events received. */
    String failure(RequestRecord r, Instant now) {
        StringWriter out = new StringWriter(4096);
        try (JsonGenerator g = factory.createGenerator(out)) {
            g.useDefaultPrettyPrinter();
            g.writeStartObject();
            g.writeStringField("request_id", r.info().requestId());
            g.writeStringField("time", r.startedAt().toString());
            g.writeStringField("dumped", now.toString());
            g.writeNumberField("status", r.status());
            g.writeStringField("error_kind", r.failure().kind().label());
            g.writeStringField("error", r.failure().getMessage());
            Throwable cause = r.failure().getCause();
            g.writeStringField("cause", cause == null ? null : cause.toString());
            g.writeFieldName("summary");
            g.writeRawValue(line(r, false));
            g.writeFieldName("request");
            g.writeRawValue(request(r.info()));
            g.writeFieldName("events");
            writeEvents(g, r.events());
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    private static double millis(long nanos) {
        return Math.round(nanos / 10_000.0) / 100.0;
    }
}
