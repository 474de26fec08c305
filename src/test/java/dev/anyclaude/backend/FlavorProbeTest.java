package dev.anyclaude.backend;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.anyclaude.api.RequestParser;
import dev.anyclaude.messages.Json;
import dev.anyclaude.testing.ScriptedOpenAiServer;
import dev.anyclaude.testing.ScriptedOpenAiServer.Reply;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The probe against a scripted server on loopback: the flavor a server's {@code /v1/models} answer names, and
 * what that flavor then does (counting tokens with {@code /tokenize} or estimating them).
 */
class FlavorProbeTest {
    private static final ObjectMapper JSON = Json.create();

    private static ScriptedOpenAiServer serverOwnedBy(String owner) throws Exception {
        ScriptedOpenAiServer server = new ScriptedOpenAiServer();
        server.route(
                "GET /v1/models",
                r -> Reply.json(
                        200,
                        "{\"object\":\"list\",\"data\":[{\"id\":\"m\",\"object\":\"model\",\"owned_by\":\"" + owner
                                + "\"}]}"));
        server.route("POST /tokenize", r -> Reply.json(200, "{\"count\":1234,\"max_model_len\":32768}"));
        return server;
    }

    private static OpenAiBackend probed(ScriptedOpenAiServer server, Flavor configured) {
        OpenAiBackend backend = new OpenAiBackend(
                new OpenAiConfig(
                        OpenAiConfig.normalizeBase(server.url()),
                        null,
                        configured,
                        0,
                        Duration.ofSeconds(5),
                        Duration.ofSeconds(5),
                        InlineSystem.AUTO),
                JSON);
        backend.probe();
        return backend;
    }

    private static BackendRequest request() {
        return new BackendRequest(
                new RequestParser(JSON)
                        .parse(("{\"model\":\"m\",\"max_tokens\":20,"
                                        + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
                                .getBytes(StandardCharsets.UTF_8)),
                null,
                "r1");
    }

    @ParameterizedTest
    @CsvSource({
        "vllm, VLLM, true",
        "sglang, SGLANG, true",
        "library, OLLAMA, false",
        "ollama, OLLAMA, false",
        "stub, GENERIC, false"
    })
    void probeTakesTheFlavorTheModelsOwnerNamesAndCountsTokensTheWayItCan(String owner, Flavor expected, boolean exact)
            throws Exception {
        try (ScriptedOpenAiServer server = serverOwnedBy(owner);
                OpenAiBackend backend = probed(server, Flavor.AUTO)) {
            assertThat(backend.flavor()).isEqualTo(expected);
            Backend.TokenCount count = backend.countTokens(request());
            assertThat(count.exact()).isEqualTo(exact);
            if (exact) {
                assertThat(count.tokens()).isEqualTo(1234);
            }
            assertThat(server.received().stream().anyMatch(r -> r.path().equals("/tokenize")))
                    .isEqualTo(exact);
        }
    }

    @ParameterizedTest
    @CsvSource({"MLX", "GENERIC"})
    void aConfiguredFlavorIsKeptWhateverTheServerSays(Flavor configured) throws Exception {
        try (ScriptedOpenAiServer server = serverOwnedBy("vllm");
                OpenAiBackend backend = probed(server, configured)) {
            assertThat(backend.flavor()).isEqualTo(configured);
            assertThat(backend.countTokens(request()).exact()).isFalse();
        }
    }
}
