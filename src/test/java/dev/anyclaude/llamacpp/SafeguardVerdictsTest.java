package dev.anyclaude.llamacpp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.anyclaude.api.Fixtures;
import dev.anyclaude.cli.ChatTemplates;
import dev.anyclaude.cli.ServeOptions;
import dev.anyclaude.engine.ToolCallModel;
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
import org.junit.jupiter.api.Test;

/**
 * Verdicts that a model on the real llama.cpp server actually writes: {@link ToolCallModel} with a verdict answers
 * the gateway's safety check with it (under the server's grammar for the verdict's JSON schema), and the verdict
 * reaches the client as {@code safeguard_results} — allowed or flagged, with the model's explanation.
 */
public class SafeguardVerdictsTest {
    public static final String ALLOW =
            "{\"outcome\": \"not_flagged\", \"explanation\": \"It only writes a file in the working directory.\"}";
    public static final String FLAG =
            "{\"outcome\": \"flagged\", \"explanation\": \"It writes outside what the user asked for.\"}";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A model that calls Bash with {@code command} and, asked to judge, answers {@code verdict}. */
    public static Path judgingModel(Path dir, String command, String answer, String verdict) throws Exception {
        LlamaServerProcess.binary(); // its build keeps the release's templates
        Path file = dir.resolve("judging-" + (verdict.contains("not_flagged") ? "allow" : "flag") + ".gguf");
        ToolCallModel.write(file, command, answer, ChatTemplates.read("Qwen3-Coder"), verdict);
        return file;
    }

    private static JsonNode answer(Path model) throws Exception {
        try (LlamaServerProcess server = LlamaServerProcess.start(model, List.of("-c", "16384", "-np", "2"))) {
            ServeOptions o = GatewayFixture.options(server.url());
            o.upstreamTimeoutSeconds = 120;
            o.responseCache = "off";
            try (Gateway gateway = Gateway.start(o.settings())) {
                ObjectNode r =
                        JSON.createObjectNode().put("model", "claude-opus-5-5").put("max_tokens", 64);
                ObjectNode bash =
                        r.putArray("tools").addObject().put("name", "Bash").put("description", "Runs a command.");
                ObjectNode schema = bash.putObject("input_schema").put("type", "object");
                schema.putObject("properties").putObject("command").put("type", "string");
                ArrayNode messages = r.putArray("messages");
                messages.addObject().put("role", "user").put("content", "Write the marker file.");
                r.set(
                        "safeguards",
                        JSON.readTree(Files.readString(Fixtures.claudeCode()
                                        .resolve("2.1.332/auto-mode/01-POST-v1_messages.body.json")))
                                .get("safeguards"));
                HttpResponse<String> resp = HttpClient.newHttpClient()
                        .send(
                                HttpRequest.newBuilder(URI.create(gateway.url() + "/v1/messages"))
                                        .header("content-type", "application/json")
                                        .timeout(Duration.ofMinutes(2))
                                        .POST(HttpRequest.BodyPublishers.ofString(r.toString()))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
                assertThat(resp.statusCode()).as(resp.body()).isEqualTo(200);
                JsonNode message = JSON.readTree(resp.body());
                String id = message.path("content").get(0).path("id").asText();
                return message.at("/safeguard_results/0/status/tool_uses").path(id);
            }
        }
    }

    @Test
    void aCallTheModelAllowsIsNotFlaggedAndOneItFlagsIsWithItsExplanation(@org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        JsonNode allowed = answer(judgingModel(dir, "echo hi > marker.txt", "Done.", ALLOW));
        assertThat(allowed.path("type").asText()).isEqualTo("evaluated");
        assertThat(allowed.path("outcome").asText()).as(allowed.toString()).isEqualTo("not_flagged");

        JsonNode flagged = answer(judgingModel(dir, "echo hi > marker.txt", "Done.", FLAG));
        assertThat(flagged.path("outcome").asText()).as(flagged.toString()).isEqualTo("flagged");
        assertThat(flagged.path("explanation").asText()).isEqualTo("It writes outside what the user asked for.");
    }
}
