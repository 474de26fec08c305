package dev.anyclaude.llamacpp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.anyclaude.api.Fixtures;
import dev.anyclaude.cli.ChatTemplates;
import dev.anyclaude.cli.ServeOptions;
import dev.anyclaude.engine.GgufWriter;
import dev.anyclaude.engine.TinyLlamaSpec;
import dev.anyclaude.gateway.Gateway;
import dev.anyclaude.testing.GatewayFixture;
import dev.anyclaude.testing.LlamaServerProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Claude Code 2.1.332's mid-conversation system message on the real llama.cpp server, with three real chat
 * templates of the pinned release that treat it three ways: Qwen3-Coder renders it in place, Qwen3.5 raises
 * "System message must be at the beginning", gpt-oss drops it without a word. With {@code --inline-system auto}
 * the gateway asks the server's template once and folds it into the user turn where it would fail or be lost.
 */
class InlineSystemTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static LlamaServerProcess qwen3Coder;
    private static LlamaServerProcess qwen35;
    private static LlamaServerProcess gptOss;

    static synchronized Path model(String template) throws Exception {
        Path file =
                Path.of("target", "test-models", "tiny-" + template + ".gguf").toAbsolutePath();
        if (!Files.isRegularFile(file)) {
            LlamaServerProcess.binary(); // its build keeps the release's templates
            Files.createDirectories(file.getParent());
            GgufWriter.writeTinyLlama(
                    new TinyLlamaSpec(256, 2, 4, 2, 704, 16384, 1), ChatTemplates.read(template), file);
        }
        return file;
    }

    @BeforeAll
    static void start() throws Exception {
        List<String> flags = List.of("-c", "16384", "-np", "1");
        qwen3Coder = LlamaServerProcess.start(model("Qwen3-Coder"), flags);
        qwen35 = LlamaServerProcess.start(model("Qwen3.5-4B"), flags);
        gptOss = LlamaServerProcess.start(model("openai-gpt-oss-120b"), flags);
    }

    @AfterAll
    static void stop() {
        for (LlamaServerProcess s : new LlamaServerProcess[] {qwen3Coder, qwen35, gptOss}) {
            if (s != null) {
                s.close();
            }
        }
    }

    private static Gateway gateway(LlamaServerProcess server, Consumer<ServeOptions> tweak) {
        ServeOptions o = GatewayFixture.options(server.url());
        o.upstreamTimeoutSeconds = 120;
        o.responseCache = "off";
        tweak.accept(o);
        return Gateway.start(o.settings());
    }

    /** The mid-conversation system text Claude Code 2.1.332 sent on turn 1 (the captured fixture). */
    private static String capturedInlineSystem() throws Exception {
        JsonNode body = JSON.readTree(
                Files.readString(Fixtures.claudeCode().resolve("2.1.332/tool-loop/01-POST-v1_messages.body.json")));
        for (JsonNode m : body.path("messages")) {
            if (m.path("role").asText().equals("system")) {
                StringBuilder text = new StringBuilder();
                m.path("content").forEach(b -> text.append(b.path("text").asText()));
                return text.toString();
            }
        }
        throw new AssertionError("the fixture has no mid-conversation system message");
    }

    /**
     * A turn-1 request in 2.1.332's shape: system prompt, user turn, then the inline system message — as a list
     * of text blocks ({@code blocks}) or a plain string (later turns) — and, for turn 2, the reply and a new turn.
     */
    private static ObjectNode request(String inline, boolean blocks, boolean secondTurn) {
        ObjectNode r = JSON.createObjectNode();
        r.put("model", "claude-opus-5-5").put("max_tokens", 2);
        r.put("system", "You are a terse assistant.");
        ArrayNode messages = r.putArray("messages");
        messages.addObject().put("role", "user").put("content", "What day is it?");
        if (inline != null) {
            ObjectNode sys = messages.addObject().put("role", "system");
            if (blocks) {
                sys.putArray("content").addObject().put("type", "text").put("text", inline);
            } else {
                sys.put("content", inline);
            }
        }
        if (secondTurn) {
            messages.addObject().put("role", "assistant").put("content", "Friday.");
            messages.addObject().put("role", "user").put("content", "And tomorrow?");
        }
        return r;
    }

    private static HttpResponse<String> post(Gateway g, String path, JsonNode body) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create(g.url() + path))
                        .timeout(Duration.ofSeconds(120))
                        .header("content-type", "application/json")
                        .header("anthropic-version", "2023-06-01")
                        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String inlineSystemFigure(Gateway g) throws Exception {
        String stats = HTTP.send(
                        HttpRequest.newBuilder(URI.create(g.url() + "/cache/stats"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
        return JSON.readTree(stats).path("l1").path("inline_system").asText();
    }

    private static long countTokens(Gateway g, JsonNode request) throws Exception {
        HttpResponse<String> r = post(g, "/v1/messages/count_tokens", request);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body()).path("input_tokens").asLong();
    }

    @Test
    void aTemplateThatRendersItInPlaceGetsItAsASystemMessageAndBlocksOrStringMakeNoDifference() throws Exception {
        try (Gateway g = gateway(qwen3Coder, o -> {})) {
            assertThat(inlineSystemFigure(g)).isEqualTo("keep (the chat template renders one in place)");
            String inline = "Today's date is 2026-12-05.";
            HttpResponse<String> first = post(g, "/v1/messages", request(inline, true, false));
            assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
            long before = qwen3Coder.promptTokensProcessed();
            long turn1 = countTokens(g, request(inline, true, false));
            long turn2 = countTokens(g, request(inline, false, true));
            HttpResponse<String> second = post(g, "/v1/messages", request(inline, false, true));
            assertThat(second.statusCode()).as(second.body()).isEqualTo(200);
            // the server's own counter: turn 2 (string form) reused turn 1 (blocks form) up to where turn 1
            // ended — only the reply and the new user turn, plus the few tokens llama.cpp always re-evaluates
            long processed = qwen3Coder.promptTokensProcessed() - before;
            assertThat(processed).isLessThan(turn2 - turn1 + 16);
        }
    }

    @Test
    void aTemplateThatRejectsItGetsItFoldedAndTheRequestSucceeds() throws Exception {
        try (Gateway g = gateway(qwen35, o -> {})) {
            assertThat(inlineSystemFigure(g)).isEqualTo("fold (the chat template rejects one)");
            HttpResponse<String> r = post(g, "/v1/messages", request("Today's date is 2026-12-05.", true, true));
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        }
        try (Gateway keep = gateway(qwen35, o -> o.inlineSystem = "keep")) {
            HttpResponse<String> r = post(keep, "/v1/messages", request("Today's date is 2026-12-05.", true, true));
            assertThat(r.statusCode()).isEqualTo(400);
            assertThat(JSON.readTree(r.body()).path("error").path("type").asText())
                    .isEqualTo("invalid_request_error");
            assertThat(r.body()).contains("System message must be at the beginning");
        }
    }

    @Test
    void aServerThatWasNotAskedIsLearnedFromItsFirstRejection() throws Exception {
        // as generic, the gateway does not know it is llama.cpp and asks nothing: like vLLM, whose template
        // raises the same error on the first request
        try (Gateway g = gateway(qwen35, o -> o.flavor = "generic")) {
            assertThat(inlineSystemFigure(g)).isEqualTo("keep (not learned)");
            HttpResponse<String> r = post(g, "/v1/messages", request("Today's date is 2026-12-05.", false, true));
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(inlineSystemFigure(g)).isEqualTo("fold (the server rejected one)");
        }
    }

    @Test
    void aTemplateThatDropsItGetsItFoldedSoTheModelSeesIt() throws Exception {
        String inline = capturedInlineSystem();
        long without;
        long kept;
        try (Gateway keep = gateway(gptOss, o -> o.inlineSystem = "keep")) {
            without = countTokens(keep, request(null, true, true));
            kept = countTokens(keep, request(inline, true, true));
        }
        assertThat(kept)
                .as("gpt-oss's template renders nothing of a late system message")
                .isEqualTo(without);
        try (Gateway g = gateway(gptOss, o -> {})) {
            assertThat(inlineSystemFigure(g)).isEqualTo("fold (the chat template drops one)");
            long folded = countTokens(g, request(inline, true, true));
            // the byte vocabulary makes a token of each byte: the whole ~9.2k-character text is now in the prompt
            assertThat(folded - without)
                    .isGreaterThanOrEqualTo(inline.getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
        }
    }
}
