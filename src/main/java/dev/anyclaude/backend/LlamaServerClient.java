package dev.anyclaude.backend;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.anyclaude.api.ErrorKind;
import dev.anyclaude.api.GatewayException;
import dev.anyclaude.api.MessagesRequest;
import dev.anyclaude.api.StreamEvent;
import dev.anyclaude.api.Usage;
import dev.anyclaude.translate.OpenAiDialect;
import dev.anyclaude.translate.OpenAiRequestWriter;
import dev.anyclaude.translate.OpenAiResponseTranslator;
import dev.anyclaude.translate.ServerReplies;
import dev.anyclaude.translate.TextFormats;
import dev.anyclaude.translate.UpstreamErrors;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * llama.cpp's server beside its chat API: the calls the L1 prefix cache and token counting make ({@code /props},
 * {@code /slots}, slot save / restore / erase, a prefill without output, {@code /apply-template} + {@code
 * /tokenize}). The chat itself goes through {@link OpenAiBackend}; both share one upstream client.
 */
public final class LlamaServerClient {
    private static final int MAX_ERROR_BODY = 64 * 1024;

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

    /** What {@code GET /slots} says of each slot: whether it is busy and how many tokens it holds. */
    public List<ServerReplies.SlotState> slots() {
        return replies.slots(get("slots?fail_on_no_slot=0"));
    }

    /** Saves slot {@code slot} into {@code filename} in the server's {@code --slot-save-path}. */
    public void save(int slot, String filename) {
        slotAction(slot, "save", filename);
    }

    /** Loads {@code filename} from the server's {@code --slot-save-path} into slot {@code slot}. */
    public void restore(int slot, String filename) {
        slotAction(slot, "restore", filename);
    }

    /** Empties slot {@code slot} (needs {@code --slot-save-path} on v0.5.0, like save and restore). */
    public void erase(int slot) {
        slotAction(slot, "erase", null);
    }

    private void slotAction(int slot, String action, String filename) {
        post(config.root().resolve("slots/" + slot + "?action=" + action),
                filename == null ? "{}".getBytes(StandardCharsets.UTF_8) : replies.slotFileBody(filename));
    }

    /**
     * Prefills {@code request}'s prompt (rendered as {@code dialect} renders it for a chat) into slot {@code slot}
     * (-1: the server's choice) without answering: {@code n_predict: 0}, which on v0.5.0 still samples one
     * token but keeps exactly the prompt in the slot. Returns the usage the server reported.
     */
    public Usage prefill(MessagesRequest request, OpenAiDialect dialect, int slot) throws IOException {
        Map<String, Object> extra = new LinkedHashMap<>();
        if (slot >= 0) {
            extra.put("id_slot", slot);
        }
        extra.put("n_predict", 0);
        byte[] body = writer.write(request.withMaxTokens(1), dialect.withExtra(extra), false);
        try (UpstreamClient.Reply resp = http.send("POST", URI.create(config.baseUrl() + "/chat/completions"),
                headers(), body, config.responseTimeout())) {
            InputStream in = resp.body();
            if (resp.status() != 200) {
                throw errors.classify(resp.status(), in.readNBytes(MAX_ERROR_BODY), config.baseUrl().toString(), -1);
            }
            Usage[] usage = {Usage.ZERO};
            new OpenAiResponseTranslator(mapper, OpenAiStreamOptions.of(request)).translate(in.readAllBytes(), event -> {
                if (event instanceof StreamEvent.MessageDelta d && d.usage() != null) {
                    usage[0] = d.usage();
                }
            });
            return usage[0];
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("prefill abandoned");
        }
    }

    /** The exact prompt token count of {@code request}: the server's own template, then its tokenizer. */
    public long countTokens(MessagesRequest request, OpenAiDialect dialect) {
        byte[] chat = writer.write(request.withMaxTokens(1), dialect);
        byte[] applied = post(config.root().resolve("apply-template"), chat);
        byte[] tokens = post(config.root().resolve("tokenize"), replies.tokenizeBody(replies.appliedPrompt(applied)));
        return replies.tokenCount(tokens);
    }

    private byte[] get(String path) {
        URI uri = config.root().resolve(path);
        try (UpstreamClient.Reply resp = http.send("GET", uri, headers(), null, Duration.ofSeconds(30))) {
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
        return new GatewayException(ErrorKind.BACKEND_UNREACHABLE, "backend unreachable: " + uri + " ("
                + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()) + ")", e, 1);
    }

    private Map<String, String> headers() {
        Map<String, String> h = new LinkedHashMap<>(2);
        h.put("Content-Type", "application/json");
        if (config.apiKey() != null && !config.apiKey().isBlank()) {
            h.put("Authorization", "Bearer " + config.apiKey());
        }
        return h;
    }

    /** Stream options for a prefill's (discarded) answer. */
    private static final class OpenAiStreamOptions {
        static dev.anyclaude.translate.OpenAiStreamTranslator.Options of(MessagesRequest r) {
            return dev.anyclaude.translate.OpenAiStreamTranslator.Options.of(r, TextFormats.THINK_TAGS);
        }
    }
}
