package dev.anyclaude.backend;

import dev.anyclaude.messages.EventSink;
import dev.anyclaude.messages.GatewayException;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * A model that answers Messages requests: an OpenAI-compatible server (llama.cpp, vLLM, SGLang, mlx_lm, Ollama,
 * LM Studio, any other), or the embedded engine.
 *
 * <p>Event contract of {@link #generate}: the first event is a {@code MessageStart} (its id and model
 * may be null: the gateway fills them in), emitted as soon as the model has accepted the request; then
 * content blocks with indices 0, 1, 2, ... each opened, filled and stopped in order; then one {@code
 * MessageDelta} and one {@code MessageStop}. A failure is thrown as a {@link GatewayException} whether
 * or not events were already emitted; backends never emit {@code Error} events themselves. An {@link
 * IOException} from the sink means the client left: stop and cancel the upstream work, then rethrow.
 */
public interface Backend extends AutoCloseable {

    /** Short name for logs and metrics: openai or embedded. */
    String name();

    /**
     * What runs the model inside this process, for {@code GET /health}: the embedded engine's llama.cpp
     * release, commit, native variant and devices. Empty for a backend that calls a model server.
     */
    default Map<String, Object> engineInfo() {
        return Map.of();
    }

    void generate(BackendRequest request, EventSink sink) throws IOException;

    /** Counts the prompt tokens of a request, with the backend's tokenizer where it has one. */
    TokenCount countTokens(BackendRequest request);

    /** The model names the backend serves, when it can tell. */
    List<String> models();

    /** Whether the backend can answer now, and why not. */
    Readiness readiness();

    /** The context size in tokens, or 0 when unknown. */
    default long contextTokens() {
        return 0;
    }

    @Override
    default void close() {}

    /** A token count; {@code exact} is false when it is an estimate. */
    record TokenCount(long tokens, boolean exact) {}

    /** Whether the backend is ready; {@code reason} says why not. */
    record Readiness(boolean ready, String reason) {
        public static Readiness up() {
            return new Readiness(true, "ok");
        }

        public static Readiness down(String reason) {
            return new Readiness(false, reason);
        }
    }
}
