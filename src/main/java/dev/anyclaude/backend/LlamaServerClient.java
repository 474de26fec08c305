package dev.anyclaude.backend;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.anyclaude.messages.ErrorKind;
import dev.anyclaude.messages.GatewayException;
import dev.anyclaude.messages.MessagesRequest;
import dev.anyclaude.translate.OpenAiDialect;
import dev.anyclaude.translate.OpenAiRequestWriter;
import dev.anyclaude.translate.ServerReplies;
import dev.anyclaude.translate.UpstreamErrors;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * llama.cpp's server beside its chat API: what probing and exact token counting ask it ({@code /props},
 * {@code /apply-template} + {@code /tokenize}). The chat itself goes through {@link OpenAiBackend}; both share
 * one upstream client.
 */
public final class LlamaServerClient {
    private final OpenAiConfig config;
    private final ObjectMapper mapper;
    private final UpstreamClient http;
    private final OpenAiRequestWriter writer;
    private final ServerReplies replies;
    private final UpstreamErrors errors;

    LlamaServerClient(OpenAiConfig config, ObjectMapper mapper, UpstreamClient http) {
        this.config = config;
        this.mapper = mapper;
        this.http = http;
        this.writer = new OpenAiRequestWriter(mapper);
        this.replies = new ServerReplies(mapper);
        this.errors = new UpstreamErrors(mapper);
    }

    /** The server root, e.g. {@code http://127.0.0.1:8080}. */
    public URI root() {
        return config.root();
    }

    /**
     * What {@code GET /props} says (context per slot, slot count), or null when the server has no such endpoint
     * (it is not llama.cpp's server).
     *
     * @throws GatewayException when the server cannot be reached
     */
    public ServerReplies.Props props() {
        URI uri = config.root().resolve("props");
        try (UpstreamClient.Reply resp = http.send("GET", uri, headers(), null, Duration.ofSeconds(3))) {
            byte[] answer = resp.body().readAllBytes();
            return resp.status() == 200 ? replies.props(answer) : null;
        } catch (IOException e) {
            throw unreachable(uri, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GatewayException(ErrorKind.CANCELLED, "interrupted while probing " + uri);
        }
    }

    /** The exact prompt token count of {@code request}: the server's own template, then its tokenizer. */
    public long countTokens(MessagesRequest request, OpenAiDialect dialect) {
        byte[] chat = writer.write(request.withMaxTokens(1), dialect);
        byte[] applied = post(config.root().resolve("apply-template"), chat);
        byte[] tokens = post(config.root().resolve("tokenize"), replies.tokenizeBody(replies.appliedPrompt(applied)));
        return replies.tokenCount(tokens);
    }

    /** How the server's chat template renders a system message that comes after the first user turn. */
    public enum LateSystem {
        /** Where it was sent: between the turns around it. */
        IN_PLACE,
        /** Rendered, but elsewhere (e.g. moved up to the first system message). */
        MOVED,
        /** Not rendered at all: the model would never see it. */
        DROPPED,
        /** The template raises an error ("System message must be at the beginning"). */
        REJECTED,
        /** The server could not render the probe (no {@code /apply-template}, or another failure). */
        UNKNOWN;

        /** The outcome the prompt a template rendered from {@link #LATE_SYSTEM_PROBE} shows. */
        public static LateSystem of(String renderedProbe) {
            int late = renderedProbe.indexOf("probe-system-late");
            if (late < 0) {
                return DROPPED;
            }
            int before = renderedProbe.indexOf("probe-user-one");
            int after = renderedProbe.indexOf("probe-assistant-one");
            return before >= 0 && before < late && (after < 0 || late < after) ? IN_PLACE : MOVED;
        }
    }

    /** The probe conversation: a late system message between a user turn and the assistant's reply. */
    public static final String LATE_SYSTEM_PROBE = """
            {"messages":[{"role":"system","content":"probe-system-first"},{"role":"user","content":"probe-user-one"},\
            {"role":"system","content":"probe-system-late"},{"role":"assistant","content":"probe-assistant-one"},\
            {"role":"user","content":"probe-user-two"}]}""";

    /**
     * Asks the server ({@code POST /apply-template}) how its chat template renders a late system message.
     * Never throws: a server that cannot answer gives {@link LateSystem#UNKNOWN}.
     */
    public LateSystem lateSystem() {
        URI uri = config.root().resolve("apply-template");
        try (UpstreamClient.Reply resp = http.send(
                "POST", uri, headers(), LATE_SYSTEM_PROBE.getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(10))) {
            byte[] answer = resp.body().readAllBytes();
            if (resp.status() != 200) {
                // 404: no such endpoint; 503: the model is still loading. Anything else is the template's
                // exception (llama.cpp answers 400/500 with "Unable to generate parser…" or the raise_exception text).
                return resp.status() == 404
                                || resp.status() == 503
                                || replies.errorMessage(answer).isEmpty()
                        ? LateSystem.UNKNOWN
                        : LateSystem.REJECTED;
            }
            return LateSystem.of(replies.appliedPrompt(answer));
        } catch (IOException | GatewayException | IllegalArgumentException e) {
            return LateSystem.UNKNOWN;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return LateSystem.UNKNOWN;
        }
    }

    private byte[] post(URI uri, byte[] body) {
        try (UpstreamClient.Reply resp = http.send("POST", uri, headers(), body, Duration.ofSeconds(30))) {
            byte[] answer = resp.body().readAllBytes();
            if (resp.status() != 200) {
                throw errors.classify(resp.status(), answer, uri.toString(), -1);
            }
            return answer;
        } catch (IOException e) {
            throw unreachable(uri, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GatewayException(ErrorKind.CANCELLED, "cancelled");
        }
    }

    private GatewayException unreachable(URI uri, IOException e) {
        if (Thread.currentThread().isInterrupted()) {
            return new GatewayException(ErrorKind.CANCELLED, "cancelled");
        }
        return new GatewayException(
                ErrorKind.BACKEND_UNREACHABLE,
                "backend unreachable: " + uri + " ("
                        + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()) + ")",
                e,
                1);
    }

    private Map<String, String> headers() {
        Map<String, String> h = new LinkedHashMap<>(2);
        h.put("Content-Type", "application/json");
        if (config.apiKey() != null && !config.apiKey().isBlank()) {
            h.put("Authorization", "Bearer " + config.apiKey());
        }
        return h;
    }
}
