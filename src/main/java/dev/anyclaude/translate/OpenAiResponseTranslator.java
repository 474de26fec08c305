package dev.anyclaude.translate;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.anyclaude.messages.ErrorKind;
import dev.anyclaude.messages.EventSink;
import dev.anyclaude.messages.GatewayException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Translates a non-streaming OpenAI chat completion into the same Anthropic events a stream of it would
 * give, so streaming and non-streaming answers share one path (SSE writer, JSON aggregator, cache).
 */
public final class OpenAiResponseTranslator {
    private final ObjectMapper mapper;
    private final JsonFactory factory;
    private final OpenAiStreamTranslator.Options options;

    public OpenAiResponseTranslator(ObjectMapper mapper, OpenAiStreamTranslator.Options options) {
        this.mapper = mapper;
        this.factory = mapper.getFactory();
        this.options = options;
    }

    /**
     * Emits the events of {@code body}.
     *
     * @throws GatewayException for a server error body (keeping its message) or a body that is not a
     *     chat completion
     */
    public void translate(byte[] body, EventSink sink) throws IOException {
        OpenAiChunk chunk;
        try {
            chunk = OpenAiChunk.read(factory, body);
        } catch (IOException e) {
            throw new GatewayException(
                    ErrorKind.PROTOCOL_VIOLATION,
                    "the backend's response is not a JSON object: "
                            + OpenAiStreamTranslator.shorten(new String(body, StandardCharsets.UTF_8)),
                    e);
        }
        if (chunk.error) {
            throw OpenAiStreamTranslator.backendError(chunk);
        }
        if (!chunk.hasChoices) {
            throw new GatewayException(
                    ErrorKind.PROTOCOL_VIOLATION,
                    "the backend's response has no choices: "
                            + OpenAiStreamTranslator.shorten(new String(body, StandardCharsets.UTF_8)));
        }
        OpenAiStreamTranslator t = new OpenAiStreamTranslator(mapper, sink, options);
        t.apply(chunk);
        t.defaultFinishReason("stop"); // a complete body is a complete answer even if the server omits it
        t.onEnd();
    }
}
