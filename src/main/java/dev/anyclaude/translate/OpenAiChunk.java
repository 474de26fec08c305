package dev.anyclaude.translate;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What the gateway needs from one OpenAI chat-completion chunk (or a whole non-streaming completion,
 * whose {@code message} reads like one big {@code delta}), read in one streaming pass. Only the first
 * choice counts. Absent numbers are -1.
 */
final class OpenAiChunk {
    @Nullable
    String content;

    @Nullable
    String reasoning;

    final List<ToolCallDelta> toolCalls = new ArrayList<>(1);

    @Nullable
    String finishReason;

    boolean hasChoices;
    // usage
    long promptTokens = -1;
    long completionTokens = -1;
    long cachedTokens = -1;
    // llama.cpp timings
    long promptN = -1;
    long cacheN = -1;
    long predictedN = -1;
    // errors: {"error":{...}} / {"error":"..."} / llama.cpp and vLLM top-level {"code":..,"message":..}
    boolean error;

    @Nullable
    String errorMessage;

    @Nullable
    String errorType;

    long errorCode = -1;
    long nPromptTokens = -1;
    long nCtx = -1;

    /** One entry of {@code delta.tool_calls}. */
    static final class ToolCallDelta {
        int index = -1;

        @Nullable
        String id;

        @Nullable
        String name;

        @Nullable
        String arguments;
    }

    boolean hasUsage() {
        return promptTokens >= 0 || completionTokens >= 0 || promptN >= 0 || predictedN >= 0;
    }

    static OpenAiChunk read(JsonFactory factory, String json) throws IOException {
        try (JsonParser p = factory.createParser(json)) {
            return read(p);
        }
    }

    static OpenAiChunk read(JsonFactory factory, byte[] json) throws IOException {
        try (JsonParser p = factory.createParser(json)) {
            return read(p);
        }
    }

    private static OpenAiChunk read(JsonParser p) throws IOException {
        OpenAiChunk c = new OpenAiChunk();
        if (p.nextToken() != JsonToken.START_OBJECT) {
            throw new IOException("a chunk must be a JSON object");
        }
        String topMessage = null;
        boolean topObjectIsError = false;
        for (String f; (f = field(p)) != null; ) {
            switch (f) {
                case "choices" -> c.choices(p);
                case "usage" -> c.usage(p);
                case "timings" -> c.timings(p);
                case "error" -> c.error(p);
                case "message" -> topMessage = p.currentToken() == JsonToken.VALUE_STRING ? p.getText() : skip(p);
                case "code" -> c.errorCode = p.currentToken() == JsonToken.VALUE_NUMBER_INT ? p.getLongValue() : -1;
                case "type" -> c.errorType = p.currentToken() == JsonToken.VALUE_STRING ? p.getText() : skip(p);
                case "object" ->
                    topObjectIsError = p.currentToken() == JsonToken.VALUE_STRING && "error".equals(p.getText());
                case "n_prompt_tokens" -> c.nPromptTokens = number(p);
                case "n_ctx" -> c.nCtx = number(p);
                default -> p.skipChildren();
            }
        }
        if (!c.error && !c.hasChoices && topMessage != null && (c.errorCode >= 0 || topObjectIsError)) {
            c.error = true;
            c.errorMessage = topMessage;
        }
        if (!c.error) {
            c.errorType = null;
        }
        return c;
    }

    /** Next field name of the current object with the parser on its value, or null at its end. */
    private static @Nullable String field(JsonParser p) throws IOException {
        JsonToken t = p.nextToken();
        if (t != JsonToken.FIELD_NAME) {
            return null;
        }
        String name = p.currentName();
        p.nextToken();
        return name;
    }

    private static @Nullable String skip(JsonParser p) throws IOException {
        p.skipChildren();
        return null;
    }

    private static long number(JsonParser p) throws IOException {
        return p.currentToken() == JsonToken.VALUE_NUMBER_INT ? p.getLongValue() : -1;
    }

    private static @Nullable String string(JsonParser p) throws IOException {
        if (p.currentToken() == JsonToken.VALUE_STRING) {
            return p.getText();
        }
        p.skipChildren();
        return null;
    }

    private void choices(JsonParser p) throws IOException {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            p.skipChildren();
            return;
        }
        boolean first = true;
        while (p.nextToken() != JsonToken.END_ARRAY) {
            if (first && p.currentToken() == JsonToken.START_OBJECT) {
                hasChoices = true;
                choice(p);
            } else {
                p.skipChildren();
            }
            first = false;
        }
    }

    private void choice(JsonParser p) throws IOException {
        for (String f; (f = field(p)) != null; ) {
            switch (f) {
                case "delta", "message" -> delta(p);
                case "finish_reason" -> finishReason = string(p);
                default -> p.skipChildren();
            }
        }
    }

    private void delta(JsonParser p) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            p.skipChildren();
            return;
        }
        for (String f; (f = field(p)) != null; ) {
            switch (f) {
                case "content" -> content = string(p);
                case "reasoning_content", "reasoning" -> {
                    String r = string(p);
                    if (r != null) {
                        reasoning = reasoning == null ? r : reasoning + r;
                    }
                }
                case "tool_calls" -> toolCalls(p);
                default -> p.skipChildren();
            }
        }
    }

    private void toolCalls(JsonParser p) throws IOException {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            p.skipChildren();
            return;
        }
        while (p.nextToken() != JsonToken.END_ARRAY) {
            if (p.currentToken() != JsonToken.START_OBJECT) {
                p.skipChildren();
                continue;
            }
            ToolCallDelta d = new ToolCallDelta();
            for (String f; (f = field(p)) != null; ) {
                switch (f) {
                    case "index" -> d.index = (int) number(p);
                    case "id" -> d.id = string(p);
                    case "function" -> function(p, d);
                    default -> p.skipChildren();
                }
            }
            toolCalls.add(d);
        }
    }

    private static void function(JsonParser p, ToolCallDelta d) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            p.skipChildren();
            return;
        }
        for (String f; (f = field(p)) != null; ) {
            switch (f) {
                case "name" -> d.name = string(p);
                case "arguments" -> {
                    if (p.currentToken() == JsonToken.START_OBJECT) {
                        // a few servers send the arguments as an object instead of a string
                        d.arguments = objectText(p);
                    } else {
                        d.arguments = string(p);
                    }
                }
                default -> p.skipChildren();
            }
        }
    }

    private static String objectText(JsonParser p) throws IOException {
        java.io.StringWriter w = new java.io.StringWriter();
        try (com.fasterxml.jackson.core.JsonGenerator g = COPY.createGenerator(w)) {
            g.copyCurrentStructure(p);
        }
        return w.toString();
    }

    private static final JsonFactory COPY = new JsonFactory();

    private void usage(JsonParser p) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            p.skipChildren();
            return;
        }
        for (String f; (f = field(p)) != null; ) {
            switch (f) {
                case "prompt_tokens" -> promptTokens = number(p);
                case "completion_tokens" -> completionTokens = number(p);
                case "prompt_tokens_details" -> {
                    if (p.currentToken() == JsonToken.START_OBJECT) {
                        for (String g; (g = field(p)) != null; ) {
                            if (g.equals("cached_tokens")) {
                                cachedTokens = number(p);
                            } else {
                                p.skipChildren();
                            }
                        }
                    } else {
                        p.skipChildren();
                    }
                }
                default -> p.skipChildren();
            }
        }
    }

    private void timings(JsonParser p) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            p.skipChildren();
            return;
        }
        for (String f; (f = field(p)) != null; ) {
            switch (f) {
                case "prompt_n" -> promptN = number(p);
                case "cache_n" -> cacheN = number(p);
                case "predicted_n" -> predictedN = number(p);
                default -> p.skipChildren();
            }
        }
    }

    private void error(JsonParser p) throws IOException {
        error = true;
        if (p.currentToken() == JsonToken.VALUE_STRING) {
            errorMessage = p.getText();
            return;
        }
        if (p.currentToken() != JsonToken.START_OBJECT) {
            errorMessage = p.getText();
            p.skipChildren();
            return;
        }
        for (String f; (f = field(p)) != null; ) {
            switch (f) {
                case "message" -> errorMessage = string(p);
                case "type" -> errorType = string(p);
                case "code" -> errorCode = number(p);
                case "n_prompt_tokens" -> nPromptTokens = number(p);
                case "n_ctx" -> nCtx = number(p);
                default -> p.skipChildren();
            }
        }
    }
}
