package dev.anyclaude.translate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.anyclaude.messages.ErrorKind;
import dev.anyclaude.messages.GatewayException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the small JSON replies of model-server side endpoints ({@code /props}, {@code /v1/models},
 * {@code /tokenize}, {@code /apply-template}) and writes their request bodies, so that backends deal only
 * in typed values.
 */
public final class ServerReplies {
    private final ObjectMapper mapper;

    public ServerReplies(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    /** What a llama.cpp server's {@code /props} says: per-slot context and slot count (0 when absent). */
    public record Props(long nCtx, int totalSlots) {}

    public Props props(byte[] body) {
        JsonNode root = read(body, "/props");
        long nCtx = root.path("default_generation_settings")
                .path("n_ctx")
                .asLong(root.path("n_ctx").asLong(0));
        return new Props(nCtx, root.path("total_slots").asInt(0));
    }

    /** A model listed by {@code /v1/models}, with the context length when the server reports one. */
    public record ModelEntry(String id, long contextTokens, String ownedBy) {}

    public List<ModelEntry> models(byte[] body) {
        JsonNode root = read(body, "/v1/models");
        List<ModelEntry> out = new ArrayList<>();
        for (JsonNode m : root.path("data")) {
            long ctx = m.path("max_model_len").asLong(0);
            if (ctx == 0) {
                ctx = m.path("meta").path("n_ctx_train").asLong(0);
            }
            if (ctx == 0) {
                ctx = m.path("context_length").asLong(0);
            }
            out.add(new ModelEntry(
                    m.path("id").asText(), ctx, m.path("owned_by").asText("")));
        }
        return out;
    }

    /**
     * One slot as llama.cpp's {@code GET /slots} shows it.
     *
     * @param id the slot id
     * @param processing whether a task runs in it
     * @param tokens tokens it holds (its last prompt and answer), 0 when empty or never used
     * @param nCtx its context size
     */
    public record SlotState(int id, boolean processing, long tokens, long nCtx) {}

    public List<SlotState> slots(byte[] body) {
        JsonNode root = read(body, "/slots");
        if (!root.isArray()) {
            throw new GatewayException(ErrorKind.PROTOCOL_VIOLATION, "/slots reply is not a list");
        }
        List<SlotState> out = new ArrayList<>(root.size());
        for (JsonNode s : root) {
            out.add(new SlotState(
                    s.path("id").asInt(),
                    s.path("is_processing").asBoolean(),
                    s.path("n_prompt_tokens").asLong(0),
                    s.path("n_ctx").asLong(0)));
        }
        return out;
    }

    /**
     * The message of an error reply — {@code {"error":{"message":...}}} (llama.cpp, OpenAI) or {@code {"error":
     * "..."}} (Ollama) — cut to 200 characters, or "" when the body says none.
     */
    public String errorMessage(byte[] body) {
        try {
            JsonNode root = body.length == 0 ? null : mapper.readTree(body);
            if (root == null) {
                return "";
            }
            JsonNode error = root.path("error");
            String m =
                    error.isTextual() ? error.asText() : error.path("message").asText("");
            return m.length() > 200 ? m.substring(0, 200) : m;
        } catch (IOException e) {
            return "";
        }
    }

    /** Token count from a {@code /tokenize} reply ({@code tokens} list or {@code count}). */
    public long tokenCount(byte[] body) {
        JsonNode root = read(body, "/tokenize");
        if (root.has("count")) {
            return root.get("count").asLong();
        }
        JsonNode tokens = root.get("tokens");
        if (tokens == null || !tokens.isArray()) {
            throw new GatewayException(ErrorKind.PROTOCOL_VIOLATION, "/tokenize reply has no tokens");
        }
        return tokens.size();
    }

    /** The prompt text from llama.cpp's {@code /apply-template} reply. */
    public String appliedPrompt(byte[] body) {
        JsonNode p = read(body, "/apply-template").get("prompt");
        if (p == null || !p.isTextual()) {
            throw new GatewayException(ErrorKind.PROTOCOL_VIOLATION, "/apply-template reply has no prompt");
        }
        return p.asText();
    }

    /** A llama.cpp {@code /tokenize} body for rendered prompt text. */
    public byte[] tokenizeBody(String prompt) {
        ObjectNode n = mapper.createObjectNode();
        n.put("content", prompt);
        n.put("add_special", true);
        n.put("parse_special", true);
        return write(n);
    }

    /** A llama.cpp slot action body: {@code {"filename": name}}. */
    public byte[] slotFileBody(String filename) {
        ObjectNode n = mapper.createObjectNode();
        n.put("filename", filename);
        return write(n);
    }

    private byte[] write(ObjectNode n) {
        try {
            return mapper.writeValueAsBytes(n);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private JsonNode read(byte[] body, String what) {
        try {
            return mapper.readTree(body);
        } catch (IOException e) {
            throw new GatewayException(ErrorKind.PROTOCOL_VIOLATION, what + " reply is not JSON: " + e.getMessage());
        }
    }
}
