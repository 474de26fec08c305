package dev.anyclaude.translate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.anyclaude.messages.ErrorKind;
import dev.anyclaude.messages.GatewayException;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Classifies an upstream model server's error response into the gateway's taxonomy, keeping the
 * server's own message, and turning every known context-overflow wording into the one Claude Code
 * compacts on: {@code prompt is too long: N tokens > M maximum}.
 */
public final class UpstreamErrors {
    // vLLM: "This model's maximum context length is 4096 tokens. However, you requested 5000 tokens (4000 in the
    // messages, 1000 in the completion)"
    private static final Pattern VLLM = Pattern.compile(
            "maximum context length is (\\d+) tokens.*?(?:requested|resulted in) (\\d+) tokens(?: "
                    + "\\((\\d+) in the messages)?",
            Pattern.DOTALL);
    // llama.cpp (older builds): "the request exceeds the available context size (4096 tokens), try increasing it"
    private static final Pattern LLAMA_OLD = Pattern.compile("exceeds the available context size[^\\d]*(\\d+)");
    // llama.cpp text: "request (5000 tokens) exceeds the available context size (4096 tokens)"
    private static final Pattern LLAMA_TEXT =
            Pattern.compile("\\((\\d+) tokens\\) exceeds the available context size \\((\\d+) tokens\\)");
    // Ollama/others: "input length (5000) exceeds ... context length (4096)"
    private static final Pattern GENERIC =
            Pattern.compile("(?i)(?:prompt|input)[^\\d]{0,40}(\\d+)[^\\d]{1,60}(?:context|maximum)[^\\d]{0,40}(\\d+)");

    private final ObjectMapper mapper;

    public UpstreamErrors(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    /** The exception for an upstream HTTP error status with the given body. */
    public GatewayException classify(int status, byte[] body, String backend, long retryAfterSeconds) {
        String text = new String(body, 0, Math.min(body.length, 64 * 1024), StandardCharsets.UTF_8).strip();
        String message = text;
        String type = "";
        long nPrompt = -1;
        long nCtx = -1;
        try {
            JsonNode root = mapper.readTree(text);
            JsonNode err = root.has("error") ? root.get("error") : root;
            if (err.isTextual()) {
                message = err.asText();
            } else {
                message = first(err, "message", "detail", "msg");
                if (message == null) {
                    message = text;
                }
                type = String.valueOf(first(err, "type", "code"));
                if (err.has("n_prompt_tokens")) {
                    nPrompt = err.get("n_prompt_tokens").asLong(-1);
                }
                if (err.has("n_ctx")) {
                    nCtx = err.get("n_ctx").asLong(-1);
                }
            }
        } catch (Exception notJson) {
            // keep the raw text
        }
        GatewayException overflow = overflow(message, type, nPrompt, nCtx);
        if (overflow != null) {
            return overflow;
        }
        String said = backend + " answered " + status + ": " + abbreviate(message);
        if (status >= 500 && isTemplateError(message)) {
            // the server could not render this conversation with its chat template: retrying cannot help, and a
            // 400 is what makes Claude Code drop what the template refuses (its mid-conversation system turns)
            return new GatewayException(
                    ErrorKind.INVALID_REQUEST,
                    backend + "'s chat template cannot render this request (HTTP " + status + "): "
                            + abbreviate(message));
        }
        return switch (status) {
            case 400, 422 -> new GatewayException(ErrorKind.INVALID_REQUEST, said);
            case 401 -> new GatewayException(ErrorKind.AUTHENTICATION, said);
            case 403 -> new GatewayException(ErrorKind.PERMISSION, said);
            case 404 -> new GatewayException(ErrorKind.NOT_FOUND, said);
            case 408, 504 -> new GatewayException(ErrorKind.BACKEND_TIMEOUT, said, null, retryAfterSeconds);
            case 413 -> new GatewayException(ErrorKind.REQUEST_TOO_LARGE, said);
            case 429 -> new GatewayException(ErrorKind.RATE_LIMITED, said, null, Math.max(retryAfterSeconds, 1));
            case 502, 503, 529 ->
                new GatewayException(ErrorKind.BACKEND_OVERLOADED, said, null, Math.max(retryAfterSeconds, 1));
            default -> new GatewayException(status >= 500 ? ErrorKind.BACKEND_BUG : ErrorKind.INVALID_REQUEST, said);
        };
    }

    /**
     * Whether an error message is a chat template's exception: llama.cpp's "Jinja Exception" and "Unable to
     * generate parser for this template", vLLM's and SGLang's jinja2 {@code TemplateError}.
     */
    static boolean isTemplateError(String message) {
        return message.contains("Jinja Exception")
                || message.contains("Unable to generate parser for this template")
                || message.contains("TemplateError")
                || message.contains("jinja2.exceptions");
    }

    /** A context overflow in any known wording, or null. Also used for errors inside a stream. */
    public static @Nullable GatewayException overflow(
            @Nullable String message, @Nullable String type, long nPrompt, long nCtx) {
        if (message == null) {
            return null;
        }
        if ("exceed_context_size_error".equals(type) || message.contains("exceed_context_size")) {
            if (nPrompt > 0 && nCtx > 0) {
                return GatewayException.contextOverflow(nPrompt, nCtx);
            }
        }
        Matcher m = VLLM.matcher(message);
        if (m.find()) {
            long max = Long.parseLong(m.group(1));
            long prompt = m.group(3) != null ? Long.parseLong(m.group(3)) : Long.parseLong(m.group(2));
            return GatewayException.contextOverflow(Math.max(prompt, max + 1), max);
        }
        m = LLAMA_TEXT.matcher(message);
        if (m.find()) {
            return GatewayException.contextOverflow(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)));
        }
        m = LLAMA_OLD.matcher(message);
        if (m.find()) {
            long max = Long.parseLong(m.group(1));
            return GatewayException.contextOverflow(nPrompt > 0 ? nPrompt : max + 1, max);
        }
        if (message.toLowerCase(java.util.Locale.ROOT).contains("context")) {
            m = GENERIC.matcher(message);
            if (m.find()) {
                long a = Long.parseLong(m.group(1));
                long b = Long.parseLong(m.group(2));
                if (a > b) {
                    return GatewayException.contextOverflow(a, b);
                }
            }
        }
        return null;
    }

    private static @Nullable String first(JsonNode node, String... names) {
        for (String n : names) {
            JsonNode v = node.get(n);
            if (v != null && !v.isNull()) {
                return v.isTextual() ? v.asText() : v.toString();
            }
        }
        return null;
    }

    private static String abbreviate(String s) {
        return s.length() <= 2000 ? s : s.substring(0, 2000) + "...";
    }
}
